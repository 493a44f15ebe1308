"""The CLI for a fleet: `status` of every store (against the simulator over loopback), `pin set`
and `pin clear` from a script, and IT's managed config winning over the user's file."""

from __future__ import annotations

import io
import json
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.cli.main import Cli
from kiosk.core.client import GettClient
from kiosk.core.config import load_config
from kiosk.core.keystore import MemoryKeyStore
from kiosk.core.models import PauseReason, StoreState, StoreStatus
from kiosk.core.pin import LOCKOUT_FILENAME, hash_pin, verify_pin
from kiosk.simulator.server import Simulator
from tests.helpers.fakes import FakeClock
from tests.integration.conftest import KEY, STORE

OTHER = "9b2d4c6e-1a3f-4e5d-8c7b-0a1b2c3d4e5f"
GONE = "00000000-0000-4000-8000-000000000000"


class Run:
    """`kiosk ...` in-process, with the user's file and IT's managed file in a temp folder."""

    def __init__(self, tmp_path: Path, clock: FakeClock, api_url: str = "") -> None:
        self.tmp, self.clock = tmp_path, clock
        self.config = tmp_path / "config.toml"
        self.managed = tmp_path / "managed.toml"
        self.env = {
            "KIOSK_CONFIG": str(self.config),
            "KIOSK_MANAGED_CONFIG": str(self.managed),
            "KIOSK_DATA_DIR": str(tmp_path / "data"),
        }
        if api_url:
            self.env["KIOSK_API_URL"] = api_url

    def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        cli = Cli(
            keystore=MemoryKeyStore(KEY),
            clock=self.clock,
            env=self.env,
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
            client_factory=lambda url, key: GettClient(
                url, key, clock=self.clock, timeout=httpx.Timeout(2.0)
            ),
        )
        code = cli.run(list(argv))
        assert "Traceback" not in err.getvalue() and KEY not in out.getvalue() + err.getvalue()
        return code, out.getvalue(), err.getvalue()

    def user_file(self) -> dict[str, Any]:
        return tomllib.loads(self.config.read_text(encoding="utf-8"))


STORES = f"""
[[stores]]
id = "{STORE}"
name = "Main Street"

[[stores]]
id = "{OTHER}"
name = "Harbour"
"""


@pytest.fixture
def two(clock: FakeClock) -> Iterator[Simulator]:
    sim = Simulator([STORE, OTHER], KEY, clock=clock)
    sim.start()
    yield sim
    sim.stop()


def test_status_without_store_shows_every_store(
    two: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    run = Run(tmp_path, clock, two.base_url)
    run.config.write_text(STORES, encoding="utf-8")
    two.set_state(OTHER, StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, clock.now()))
    code, out, err = run("status")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Main Street: ONLINE")
    assert lines[1].startswith("Harbour: PAUSED (too busy)")
    code, out, _ = run("status", "--json")
    body = json.loads(out)
    assert code == 0 and body["exit_code"] == 0
    assert [(s["store_id"], s["status"]) for s in body["stores"]] == [
        (STORE, "online"),
        (OTHER, "paused"),
    ]
    # --store still gives the one-store object scripts already read.
    code, out, _ = run("status", "--store", "Harbour", "--json")
    assert code == 0 and json.loads(out)["store_id"] == OTHER and "stores" not in json.loads(out)


def test_one_store_gett_does_not_know_does_not_hide_the_others(
    two: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    run = Run(tmp_path, clock, two.base_url)
    run.config.write_text(STORES.replace(OTHER, GONE), encoding="utf-8")
    code, out, err = run("status", "--json")
    body = json.loads(out)
    assert code == 4 and body["exit_code"] == 4
    assert body["stores"][0]["status"] == "online" and "error" not in body["stores"][0]
    assert body["stores"][1]["status"] is None
    assert body["stores"][1]["error"]["exit_code"] == 4
    assert err.count("\n") == 1 and "Harbour" in err
    code, out, _ = run("status")
    assert code == 4
    (_first, second) = out.splitlines()
    assert second.startswith("Harbour: status unknown: Gett does not know this store: 404")


def test_stores_that_all_fail_the_same_way_are_one_sentence_on_stderr(
    clock: FakeClock, tmp_path: Path
) -> None:
    """Found by the CLI fuzz: three stores and no Gett gave three lines on stderr. Each store's
    words go in its own line on stdout; stderr has one sentence (the same failure said once).
    The same id listed twice in KIOSK_STORE_ID is one store."""
    run = Run(tmp_path, clock, "http://127.0.0.1:9")  # (the discard port: nothing listens)
    run.env["KIOSK_STORE_ID"] = f"{STORE},{STORE.upper()},{OTHER}"
    code, out, err = run("status")
    assert code == 75, err  # (a temporary failure: try again)
    assert err.count("\n") == 1 and err.startswith("kiosk: Gett's server refused")
    lines = out.splitlines()
    assert len(lines) == 2 and all("status unknown: " in line for line in lines)
    code, out, err = run("status", "--json")
    assert [s["store_id"] for s in json.loads(out)["stores"]] == [STORE, OTHER]
    assert err.count("\n") == 1


def test_stores_failing_differently_get_one_summary_on_stderr(
    two: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    run = Run(tmp_path, clock, two.base_url)
    pier = GONE.replace("0000-4000", "0000-4001")
    run.config.write_text(
        STORES.replace(OTHER, GONE) + f'\n[[stores]]\nid = "{pier}"\nname = "Pier"\n',
        encoding="utf-8",
    )
    code, out, err = run("status")
    assert code == 4
    assert err == "kiosk: 2 stores could not be read from Gett; see each store above.\n"
    assert [line.split(":")[0] for line in out.splitlines()] == ["Main Street", "Harbour", "Pier"]


def test_managed_config_wins_for_the_cli(two: Simulator, clock: FakeClock, tmp_path: Path) -> None:
    """IT's file names the stores: the user's own store list is not used."""
    run = Run(tmp_path, clock, two.base_url)
    run.config.write_text(f'[[stores]]\nid = "{GONE}"\nname = "Old"\n', encoding="utf-8")
    run.managed.write_text(STORES, encoding="utf-8")
    code, out, err = run("status")
    assert code == 0, err
    assert "Main Street: ONLINE" in out and "Old" not in out


def test_a_bad_managed_file_stops_the_cli_with_one_sentence(
    clock: FakeClock, tmp_path: Path
) -> None:
    run = Run(tmp_path, clock)
    run.config.write_text(STORES, encoding="utf-8")
    run.managed.write_text("poll_interval_seconds = 1\n", encoding="utf-8")
    code, out, err = run("status", "--json")
    assert code == 2
    assert err.count("\n") == 1
    assert str(run.managed) in err and "managed config from IT" in err
    assert json.loads(out)["error"]["kind"] == "config"


def test_pin_set_from_stdin_and_clear(clock: FakeClock, tmp_path: Path) -> None:
    run = Run(tmp_path, clock)
    run.config.write_text(STORES + "[ui]\nsound_volume = 35\n", encoding="utf-8")
    lockout = tmp_path / "data" / LOCKOUT_FILENAME
    lockout.parent.mkdir()
    lockout.write_text('{"failures": 9, "locked_until": 0, "saved_at": 0}', encoding="utf-8")
    code, out, err = run("pin", "set", stdin="4826\n")
    assert code == 0, err
    assert "4826" not in out + err
    stored = run.user_file()["ui"]["pin_hash"]
    assert verify_pin("4826", stored) and not verify_pin("4827", stored)
    assert run.user_file()["ui"]["sound_volume"] == 35  # the rest of the file is kept
    assert len(run.user_file()["stores"]) == 2
    assert not lockout.exists()  # the forgotten PIN's wrong guesses do not lock the new one
    assert load_config(None, run.env).ui.pin_hash == stored
    code, out, _ = run("pin", "clear")
    assert code == 0 and "pin_hash" not in run.user_file()["ui"]
    code, out, _ = run("pin", "clear")
    assert code == 0 and out == "No manager PIN was set.\n"


@pytest.mark.parametrize(
    ("stdin", "words"),
    [
        ("1234\n", "first anyone would guess"),
        ("0000\n", "first anyone would guess"),
        ("2580\n", "first anyone would guess"),
        ("98765\n", "first anyone would guess"),
        ("121212\n", "first anyone would guess"),
        ("12\n", "4 to 12 digits"),
        ("48a6\n", "digits only"),
        ("", "gave no PIN"),
        ("\n", "gave no PIN"),
    ],
)
def test_pin_set_refuses_and_changes_nothing(
    clock: FakeClock, tmp_path: Path, stdin: str, words: str
) -> None:
    run = Run(tmp_path, clock)
    run.config.write_text(STORES, encoding="utf-8")
    before = run.config.read_bytes()
    code, out, err = run("pin", "set", stdin=stdin)
    assert code == 2
    assert words in err and "nothing was changed" in err.lower()
    assert err.count("\n") == 1 and out == ""
    assert run.config.read_bytes() == before


def test_pin_commands_defer_to_a_managed_pin(clock: FakeClock, tmp_path: Path) -> None:
    run = Run(tmp_path, clock)
    mine = hash_pin("4826", n=2)
    run.config.write_text(STORES + f'[ui]\npin_hash = "{mine}"\n', encoding="utf-8")
    run.managed.write_text(f'[ui]\npin_hash = "{hash_pin("9051", n=2)}"\n', encoding="utf-8")
    before = run.config.read_bytes()
    for argv, stdin in ((("pin", "set"), "4826\n"), (("pin", "clear"), "")):
        code, _out, err = run(*argv, stdin=stdin)
        assert code == 2
        assert str(run.managed) in err and "pin_hash" in err
        assert run.config.read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge"])
@pytest.mark.parametrize("which", ["managed", "user"])
def test_a_config_path_that_is_no_plain_file_is_one_sentence_not_a_hang(
    clock: FakeClock, tmp_path: Path, kind: str, which: str
) -> None:
    """A FIFO blocked `kiosk status` forever and a link to /dev/zero never ended (found by
    trying HOSTILE.md's values): both are refused unread, as is a file of megabytes."""
    run = Run(tmp_path, clock, "http://127.0.0.1:9")
    if which == "managed":
        run.config.write_text(STORES, encoding="utf-8")
    target = run.managed if which == "managed" else run.config
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dev-zero":
        target.symlink_to("/dev/zero")
    else:
        target.write_text("# " + "x" * 2_000_000 + "\n", encoding="utf-8")
    code, out, err = run("status")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and str(target) in err
    assert ("a config file is a few lines" if kind == "huge" else "not a regular file") in err
