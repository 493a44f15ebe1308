"""The worst values a PC hands the ``kiosk`` command (issue 8, items 3 to 6), in-process against the
simulator over loopback, with a real SQLite queue and the real keyring: each ends in one plain
sentence and a documented exit code, and nothing reaches Gett that should not."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from pathlib import Path

import pytest

from kiosk.cli.main import Cli, ExitCode
from kiosk.core.client import GettClient
from kiosk.core.keystore import MemoryKeyStore, OsKeyStore
from kiosk.simulator.server import Simulator
from tests.helpers.fakes import FakeClock
from tests.integration.conftest import KEY, STORE
from tests.integration.test_cli import Result, Runner

ESC_NAME = "\x1b[2J\x1b[HMain St: ONLINE, accepting orders\n\u202eFake"


@pytest.fixture
def kiosk(api: Simulator, clock: FakeClock, keystore: OsKeyStore, tmp_path: Path) -> Runner:
    keystore.set(KEY)
    return Runner(api, clock, keystore, tmp_path)


def one_sentence(result: Result) -> str:
    """The stderr of a failed command: a single ``kiosk: ...`` line, no traceback."""
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if not line.startswith(("usage:", " "))]
    assert len(lines) == 1 and lines[0].startswith("kiosk: "), result.err
    return lines[0]


# -- item 3: input that used to end in a traceback ---------------------------------------------


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("pause", "--reason", "other", "--for", "99999999999999h"), "longer than 7 days"),
        (("pause", "--reason", "other", "--for", "9" * 5000), "longer than 7 days"),
        (("pause", "--reason", "other", "--until", "9999-12-31T23:59:59-05:00"), "7 days"),
        (("pause", "--reason", "other", "--until", "9999-12-31T23:59:59Z"), "7 days"),
        (("pause", "--reason", "other", "--until", "2026-01-22T12:00:01Z"), "7 days"),
        (("pause", "--reason", "other", "--until", "0001-01-01T00:00:00+05:00"), "passed"),
    ],
)
def test_far_durations_and_times_are_usage_errors(
    kiosk: Runner, argv: tuple[str, ...], fragment: str
) -> None:
    result = kiosk(*argv)
    assert result.code == ExitCode.USAGE
    assert fragment in one_sentence(result)
    assert kiosk.api.requests.snapshot() == []


def test_until_at_most_7_days_ahead_is_sent(kiosk: Runner) -> None:
    result = kiosk("pause", "--reason", "other", "--until", "2026-01-22T12:00:00Z", "--json")
    assert result.code == 0, result.err
    assert result.json()["resumeAt"] == "2026-01-22T12:00:00Z"


def test_a_huge_history_limit_means_all(kiosk: Runner) -> None:
    kiosk("pause", "--reason", "other")
    kiosk("resume")
    for limit in ("99999999999999999999999", str(2**63)):
        result = kiosk("history", "--limit", limit, "--json")
        assert result.code == 0, result.err
        assert len(result.json()["history"]) == 2  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    [
        "https://api.gett\ttech.com",
        "https://[::1",
        "https://[%]",
        "https://user:hunter2@api.gett-tech.com",
        "https://api.gett-tech.com:0",
        "https://api.gett-tech.com:99999",
        "https://api.gett-tech.com:x",
        "https://api gett-tech.com",
    ],
)
def test_a_bad_api_url_from_file_or_environment_is_a_config_error(
    kiosk: Runner, tmp_path: Path, url: str
) -> None:
    kiosk.env["KIOSK_API_URL"] = url
    from_env = kiosk("status")
    assert from_env.code == ExitCode.USAGE
    assert "KIOSK_API_URL" in one_sentence(from_env) and "hunter2" not in from_env.err
    del kiosk.env["KIOSK_API_URL"]
    (tmp_path / "config.toml").write_text(f"api_url = {json.dumps(url)}\n", encoding="utf-8")
    from_file = kiosk("status")
    assert from_file.code == ExitCode.USAGE
    assert "api_url" in one_sentence(from_file) and "hunter2" not in from_file.err


def test_a_nul_in_data_dir_or_config_path_is_a_config_error(kiosk: Runner, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('data_dir = "/srv/kiosk\\u0000/data"\n', encoding="utf-8")
    del kiosk.env["KIOSK_DATA_DIR"]
    result = kiosk("pause", "--reason", "other")
    assert result.code == ExitCode.USAGE and "NUL" in one_sentence(result)
    kiosk.env["KIOSK_DATA_DIR"] = f"{tmp_path}/a\x00b"
    assert kiosk("history").code == ExitCode.USAGE
    kiosk.env["KIOSK_CONFIG"] = f"{config}\x00"
    assert kiosk("status").code == ExitCode.USAGE
    assert kiosk("--config", f"{config}\x00", "status").code == ExitCode.USAGE
    assert kiosk.api.requests.snapshot() == []


def test_a_data_dir_that_is_relative_is_a_config_error(kiosk: Runner) -> None:
    kiosk.env["KIOSK_DATA_DIR"] = "kiosk-data"
    result = kiosk("history")
    assert result.code == ExitCode.USAGE and "full path" in one_sentence(result)


def test_a_config_path_that_is_a_folder_is_a_config_error(kiosk: Runner, tmp_path: Path) -> None:
    kiosk.env["KIOSK_CONFIG"] = str(tmp_path)
    result = kiosk("status")
    assert result.code == ExitCode.USAGE and "cannot be read" in one_sentence(result)


class _Closed(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.close()


def _cli(kiosk: Runner, stdin: io.TextIOBase) -> tuple[Cli, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    cli = Cli(keystore=kiosk.keystore, env=kiosk.env, stdin=stdin, stdout=out, stderr=err)  # type: ignore[arg-type]
    return cli, out, err


@pytest.mark.parametrize(
    "stdin",
    [
        _Closed,
        lambda: io.TextIOWrapper(io.BytesIO(b"\xff\xfe\x00k\x00e\x00y"), encoding="utf-8"),
    ],
    ids=["closed", "not-text"],
)
def test_key_set_with_closed_or_binary_stdin_stores_nothing(
    kiosk: Runner, stdin: type[io.TextIOBase]
) -> None:
    cli, _out, err = _cli(kiosk, stdin())
    assert cli.run(["key", "set"]) == ExitCode.USAGE
    assert "nothing was stored" in err.getvalue() and err.getvalue().count("\n") == 1
    assert kiosk.keystore.get() == KEY


# -- item 4: an empty value is a usage error ----------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("pause", "--reason", "other", "--for", ""),
        ("pause", "--reason", "other", "--for", "  "),
        ("pause", "--reason", "other", "--until", ""),
        ("pause", "--reason", "other", "--until", "\t"),
        ("pause", "--reason", ""),
        ("pause", "--reason", "other", "--store", ""),
        ("resume", "--store", " "),
        ("status", "--store", ""),
        ("history", "--store", ""),
        ("--config", "", "status"),
    ],
)
def test_empty_values_are_usage_errors(kiosk: Runner, argv: tuple[str, ...]) -> None:
    result = kiosk(*argv)
    assert result.code == ExitCode.USAGE
    one_sentence(result)
    assert kiosk.api.requests.snapshot() == []
    assert kiosk.api.state(STORE).is_online


# -- item 5: not saved is not "queued" -----------------------------------------------------------


def _queue(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "data" / "outbox.db", isolation_level=None)


def test_a_queue_from_a_newer_version_is_not_saved_exit_74(kiosk: Runner, tmp_path: Path) -> None:
    kiosk("pause", "--reason", "other")
    db = _queue(tmp_path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    kiosk.api.requests.clear()
    pause = kiosk("pause", "--reason", "too_busy")
    assert pause.code == ExitCode.QUEUE
    line = one_sentence(pause)
    assert "NOT saved" in line and "newer kiosk version" in line
    assert kiosk.api.requests.snapshot() == []
    for command in ("history", "sync"):
        result = kiosk(command)
        assert result.code == ExitCode.QUEUE
        line = one_sentence(result)
        assert "Could not read the queue" in line and "NOT saved" not in line
    status = kiosk("status", "--json")
    assert status.code == ExitCode.QUEUE
    body = status.json()
    assert body["status"] == "paused" and body["error"]["kind"] == "queue_error"  # type: ignore[index]


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE intents SET state = 'teleported'",
        "UPDATE intents SET reason = 'bored'",
        "UPDATE intents SET created_at = 'yesterday-ish'",
        "UPDATE intents SET next_attempt_at = 1e300",
        "UPDATE intents SET base_status = '{not json'",
        "DROP TABLE intents",
    ],
)
def test_rows_that_pass_quick_check_but_cannot_be_read(
    kiosk: Runner, tmp_path: Path, damage: str
) -> None:
    """The reading commands say the queue has entries they cannot read (74), or, once the queue
    skips such rows, carry on (0); never a traceback, never another code."""
    kiosk.api.go_down()
    assert kiosk("pause", "--reason", "other").code == ExitCode.NOT_CONFIRMED
    db = _queue(tmp_path)
    db.execute(damage)
    assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    db.close()
    kiosk.api.come_back()
    for argv in (("history",), ("history", "--json"), ("status",), ("sync",), ("resume",)):
        result = kiosk(*argv)
        assert result.code in (ExitCode.OK, ExitCode.QUEUE), (argv, result)
        if result.code == ExitCode.QUEUE:
            line = one_sentence(result)
            assert "queue" in line
            if argv[0] in ("history", "status", "sync"):
                assert "NOT saved" not in line


def test_logging_failures_never_reach_the_terminal(
    kiosk: Runner, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A log file that cannot be written (here: its folder is a file) leaves the command's own
    sentence alone: logging's error reports and warnings stay off stderr."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "logs").write_text("not a folder")
    kiosk.api.set_api_key("rotated-key")
    result = kiosk("status")
    assert result.code == ExitCode.KEY
    one_sentence(result)
    assert capfd.readouterr().err == ""
    assert logging.raiseExceptions  # put back after the command


# -- item 6: text from the config or the server is shown, not obeyed ----------------------------


def test_store_names_and_server_text_are_escaped_on_the_terminal(
    kiosk: Runner, tmp_path: Path
) -> None:
    (tmp_path / "config.toml").write_text(
        f"[[stores]]\nid = {json.dumps(STORE)}\nname = {json.dumps(ESC_NAME)}\n", encoding="utf-8"
    )
    del kiosk.env["KIOSK_STORE_ID"]
    status = kiosk("status")
    assert status.code == 0
    assert status.out.count("\n") == 1  # the name's newline did not start a line
    for raw in ("\x1b", "\u202e"):
        assert raw not in status.out
    assert "\\x1b[2J" in status.out and "\\n" in status.out and "\\u202e" in status.out
    kiosk.api.go_down()
    kiosk("pause", "--reason", "other")
    kiosk.api.come_back()
    kiosk.api.faults.fail(503, body=json.dumps({"title": "Down\x1b[2J", "detail": "a\rb\x9bc"}),
                          content_type="application/problem+json")  # fmt: skip
    for argv in (("sync",), ("history",), ("status",), ("status", "--store", "Nope\x1b[31m")):
        result = kiosk(*argv)
        for text in (result.out, result.err):
            assert not any(c in text for c in "\x1b\r\x9b\u202e"), (argv, text)
    json_status = kiosk("status", "--json")
    assert json.loads(json_status.out)["store_id"] == STORE
    history = kiosk("history", "--json")
    assert "\x1b" not in history.out and isinstance(json.loads(history.out)["history"], list)


def test_json_output_stays_valid_with_control_characters(kiosk: Runner, tmp_path: Path) -> None:
    missing = f"{tmp_path}/x\x1b[2J\n.toml"
    result = kiosk("--config", missing, "status", "--json")
    assert result.code == ExitCode.USAGE
    body = json.loads(result.out)
    assert missing in body["error"]["message"]  # JSON carries the path as it is...
    assert "\\u001b" in result.out  # ...escaped on the wire
    assert "\x1b" not in result.out and "\x1b" not in result.err
    assert result.err.count("\n") == 1


def test_help_and_version_return_instead_of_exiting() -> None:
    out = io.StringIO()
    cli = Cli(keystore=MemoryKeyStore(), env={}, stdout=out, stderr=io.StringIO())
    assert cli.run(["--version"]) == 0
    assert cli.run(["pause", "--help"]) == 0
    assert "kiosk" in out.getvalue() and "--reason" in out.getvalue()


def test_an_error_nobody_foresaw_is_one_sentence_and_exit_70(
    api: Simulator, clock: FakeClock, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The last line of defence, driven by a client factory that fails as a bug would."""

    def broken(url: str, key: str) -> GettClient:
        raise RuntimeError("a bug")

    err = io.StringIO()
    cli = Cli(
        keystore=MemoryKeyStore(KEY),
        clock=clock,
        env={"KIOSK_CONFIG": str(tmp_path / "none.toml"), "KIOSK_STORE_ID": STORE,
             "KIOSK_API_URL": api.base_url, "KIOSK_DATA_DIR": str(tmp_path / "data")},
        stdout=io.StringIO(),
        stderr=err,
        client_factory=broken,
    )  # fmt: skip
    assert cli.run(["status"]) == ExitCode.BUG
    assert err.getvalue().count("\n") == 1 and "RuntimeError" in err.getvalue()
    assert "Traceback" not in capfd.readouterr().err
    assert "Traceback" in (tmp_path / "data" / "logs" / "kiosk.log").read_text()
