"""`kiosk diagnose`: one zip for IT, with no secret in it (a canary key and PIN hash), and every
bad output path ending in one sentence and a documented code."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from kiosk.cli.main import Cli
from kiosk.core.keystore import MemoryKeyStore, OsKeyStore
from kiosk.core.pin import hash_pin
from tests.helpers.fakes import FakeClock
from tests.helpers.hostile import HostileServer, Reply, echo_request
from tests.integration.conftest import STORE

CANARY = "sk_live_DIAGCANARY_5e8a2c9f0b7d1e3a4c6f"
PIN_HASH = hash_pin("4826")


def leaks(text: str, secret: str) -> list[str]:
    """Every 12-character piece of ``secret`` found in ``text``."""
    return sorted(
        {secret[i : i + 12] for i in range(len(secret) - 11) if secret[i : i + 12] in text}
    )


def run(tmp_path: Path, keystore: object, *argv: str, base_url: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {
        "KIOSK_CONFIG": str(tmp_path / "config.toml"),
        "KIOSK_DATA_DIR": str(tmp_path / "data"),
    }
    if base_url:
        env |= {"KIOSK_API_URL": base_url, "KIOSK_STORE_ID": STORE}
    cli = Cli(
        keystore=keystore,  # type: ignore[arg-type]
        clock=FakeClock(),
        env=env,
        stdin=io.StringIO(""),
        stdout=out,
        stderr=err,
    )
    return cli.run(list(argv)), out.getvalue(), err.getvalue()


def members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist()}


def _plant_logs(log_dir: Path, outside: Path) -> None:
    """Logs as an older version or a hostile hand may have left them: the key written raw,
    a link out of the folder under a log's name, a FIFO that would block a reader."""
    log_dir.mkdir(parents=True, mode=0o700)
    (log_dir / "kiosk.log.4").write_text(
        f"2026-01-01 old line with {CANARY} and the hash {PIN_HASH}\n"
    )
    outside.write_text("a file outside the log folder\n")
    if os.name == "posix":  # (links and FIFOs are POSIX matters)
        (log_dir / "kiosk.log.3").symlink_to(outside)
        os.mkfifo(log_dir / "events.log.2")
    (log_dir / "notes.txt").write_text("not one of the kiosk's logs\n")


def test_the_archive_holds_no_piece_of_the_key_or_the_pin_hash(
    tmp_path: Path, keystore: OsKeyStore
) -> None:
    keystore.set(CANARY)  # the real keyring
    (tmp_path / "config.toml").write_text(
        f"# the old key was {CANARY}, do not use it\n"
        "poll_interval_seconds = 30\n"
        f'[ui]\npin_hash = "{PIN_HASH}"\n',
        encoding="utf-8",
    )
    _plant_logs(tmp_path / "data" / "logs", tmp_path / "outside.txt")
    reply = Reply(status=401, body=echo_request, reason=f"No {CANARY}")
    reply.headers += [("zp-rid", f"rid-{CANARY}"), ("X-Echo", f"Bearer {CANARY}")]
    target = tmp_path / "out" / "kiosk-diagnose.zip"
    target.parent.mkdir()
    with HostileServer(reply) as server:
        run(tmp_path, keystore, "status", base_url=server.base_url)  # logs a rejected key
        code, out, err = run(
            tmp_path, keystore, "diagnose", "--output", str(target), base_url=server.base_url
        )
        assert server.seen and server.seen[-1].authorization == f"Bearer {CANARY}"
    assert code == 0, err
    assert str(target) in out and err == ""
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o600
    found = members(target)
    assert {
        "kiosk-diagnose/summary.json",
        "kiosk-diagnose/config.toml",
        "kiosk-diagnose/config-effective.json",
        "kiosk-diagnose/queue.json",
        "kiosk-diagnose/health.json",
        "kiosk-diagnose/connectivity.json",
        "kiosk-diagnose/logs/kiosk.log",
        "kiosk-diagnose/logs/events.log",
        "kiosk-diagnose/logs/kiosk.log.4",
        "kiosk-diagnose/README.txt",
    } <= set(found)
    # Only the kiosk's own log files, never through a link, never blocked by a FIFO.
    assert "kiosk-diagnose/logs/kiosk.log.3" not in found
    assert "kiosk-diagnose/logs/notes.txt" not in found
    for name, text in found.items():
        assert not leaks(text, CANARY), name
        assert not leaks(text, PIN_HASH), name
    summary = json.loads(found["kiosk-diagnose/summary.json"])
    assert summary["versions"]["kiosk"] and summary["versions"]["python"]
    assert summary["versions"]["qt"]  # a version or "not loaded"
    assert summary["keyring"]["state"] == "key_stored"
    config = json.loads(found["kiosk-diagnose/config-effective.json"])
    assert config["ui"]["pin_set"] is True and "pin_hash" not in config["ui"]
    assert 'pin_hash = "[removed]"' in found["kiosk-diagnose/config.toml"]
    net = json.loads(found["kiosk-diagnose/connectivity.json"])
    assert net["dns"]["ok"] and net["tcp"]["ok"] and net["dns"]["ms"] >= 0
    (read,) = net["status_reads"]
    assert read["ok"] is False and read["error"] == "AuthRejected" and read["http_status"] == 401
    assert "[redacted]" in found["kiosk-diagnose/logs/kiosk.log.4"]
    assert "-> 401" in found["kiosk-diagnose/logs/kiosk.log"]  # the status run, logged
    # No app has run here: the health verdict is kiosk health's own, CRITICAL, with the file.
    health = json.loads(found["kiosk-diagnose/health.json"])
    assert health["report"]["status"] == "CRITICAL" and health["report"]["exit_code"] == 2
    assert health["heartbeat_file"] == "none"


def test_a_broken_config_still_gives_an_archive_without_its_secrets(tmp_path: Path) -> None:
    """A config that does not load (an unknown key holding the key itself, a password in the
    URL): the key is not in the keyring to scrub with, so the file's own secret-looking
    settings and URL credentials are taken out by name."""
    (tmp_path / "config.toml").write_text(
        f'api_url = "https://kiosk:{CANARY}@api.example.test"\n'
        f'api_key = "{CANARY}"\n'
        f"[ui]\npin_hash = '{PIN_HASH}'\n",
        encoding="utf-8",
    )
    target = tmp_path / "d.zip"
    code, _out, err = run(tmp_path, MemoryKeyStore(None), "diagnose", "-o", str(target))
    assert code == 0, err
    found = members(target)
    for name, text in found.items():
        assert not leaks(text, CANARY), name
        assert not leaks(text, PIN_HASH), name
    summary = json.loads(found["kiosk-diagnose/summary.json"])
    assert any("could not be loaded" in note for note in summary["notes"])
    assert "api.example.test" in found["kiosk-diagnose/config.toml"]  # the rest is kept
    assert json.loads(found["kiosk-diagnose/connectivity.json"]) == {
        "skipped": "the config could not be loaded"
    }


@pytest.mark.skipif(os.name != "posix", reason="links, /proc and POSIX errors")
@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (lambda p: p / "taken.zip", 2, "already exists"),
        (lambda p: p, 2, "already exists"),  # a folder
        (lambda p: p / "link.zip", 2, "already exists"),  # a link, even a dangling one
        (lambda p: p / "missing" / "d.zip", 2, "does not exist"),
        (lambda p: p / ("x" * 300 + ".zip"), 2, "too long"),
        (lambda p: p / "taken.zip" / "d.zip", 2, "does not exist"),  # a file as the folder
        (lambda p: Path("/proc/kiosk-diagnose.zip"), 1, "Could not write"),
    ],
)
def test_every_bad_output_path_is_one_sentence_and_writes_nothing(
    tmp_path: Path, make: object, code: int, words: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "taken.zip").write_bytes(b"someone's document")
    (work / "link.zip").symlink_to(tmp_path / "nowhere.zip")
    before = sorted(p.name for p in work.iterdir())
    target = make(work)  # type: ignore[operator]
    result, out, err = run(tmp_path, MemoryKeyStore(None), "diagnose", "--output", str(target))
    assert result == code, err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert out == ""
    assert sorted(p.name for p in work.iterdir()) == before
    assert (work / "taken.zip").read_bytes() == b"someone's document"
    assert not (tmp_path / "nowhere.zip").exists()


@pytest.mark.parametrize("value", ["", "  ", "a\0b"])
def test_an_empty_or_nul_output_is_a_usage_error(tmp_path: Path, value: str) -> None:
    code, _out, err = run(tmp_path, MemoryKeyStore(None), "diagnose", "--output", value)
    assert code == 2 and err.startswith("kiosk: ") and err.count("\n") == 1


def test_the_managed_file_is_in_the_archive_scrubbed_and_a_pin_typed_there_never_shows(
    tmp_path: Path,
) -> None:
    """IT typed the PIN itself where its hash belongs (a number): the config error names the
    field without the value, the managed file is in the archive with secrets removed, and the
    effective config lists what IT manages and the [monitoring] section."""
    user_data = tmp_path / "own-data"
    (tmp_path / "config.toml").write_text(
        f'data_dir = "{user_data}"\n[monitoring]\ncritical_wait_minutes = 20\n', encoding="utf-8"
    )
    managed = tmp_path / "managed.toml"
    managed.write_text("poll_interval_seconds = 60\n[ui]\npin_hash = 482619\n", encoding="utf-8")
    target = tmp_path / "d.zip"
    out, err = io.StringIO(), io.StringIO()
    env = {"KIOSK_CONFIG": str(tmp_path / "config.toml"), "KIOSK_MANAGED_CONFIG": str(managed)}
    cli = Cli(keystore=MemoryKeyStore(None), clock=FakeClock(), env=env,
              stdin=io.StringIO(""), stdout=out, stderr=err)  # fmt: skip
    assert cli.run(["diagnose", "-o", str(target)]) == 0, err.getvalue()
    found = members(target)
    for name, text in found.items():
        assert "482619" not in text, name
    assert "poll_interval_seconds = 60" in found["kiosk-diagnose/managed.toml"]
    summary = json.loads(found["kiosk-diagnose/summary.json"])
    assert summary["managed_file"] == str(managed)
    assert any("ui.pin_hash" in note for note in summary["notes"])
    # The managed file is broken: the user's own data_dir is still where the logs are looked for.
    assert summary["data_dir"] == str(user_data)
    # Fixed: the effective config lists IT's keys and the monitoring settings.
    managed.write_text(f"poll_interval_seconds = 60\n[ui]\npin_hash = '{PIN_HASH}'\n")
    target.unlink()
    assert cli.run(["diagnose", "-o", str(target)]) == 0, err.getvalue()
    found = members(target)
    effective = json.loads(found["kiosk-diagnose/config-effective.json"])
    assert effective["managed"] == ["poll_interval_seconds", "ui.pin_hash"]
    assert effective["monitoring"]["critical_wait_minutes"] == 20
    for name, text in found.items():
        assert not leaks(text, PIN_HASH), name
