"""`kiosk health` against the real app as a process (offscreen, on the simulator), and the app's
clean exit on SIGTERM (logout, `kill`) and SIGUSR1 (the .deb after an upgrade) keeping the queue.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.cli.main import Cli
from kiosk.core import heartbeat as hb
from kiosk.core.models import PauseReason, StoreStatusUpdate
from kiosk.core.outbox import IntentState, Outbox
from kiosk.core.pin import hash_pin
from kiosk.simulator.server import Simulator
from kiosk.ui.stop_signals import RESTART_EXIT
from tests.helpers.fakes import FakeClock
from tests.integration.conftest import STORE

ROOT = Path(__file__).resolve().parents[2]
#: The app starts in 2-5 s on an idle machine; CI shares two cores with other jobs.
START_DEADLINE_S = 60.0


def _config(tmp_path: Path, api_url: str, ui: str = "fullscreen = false\n") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'api_url = "{api_url}"\n'
        f'data_dir = "{tmp_path / "data"}"\n'
        "poll_interval_seconds = 5\n"
        f'[[stores]]\nid = "{STORE}"\nname = "Main Street"\n'
        f"[ui]\n{ui}"
        f'[monitoring]\nprometheus_textfile = "{tmp_path / "kiosk.prom"}"\n',
        encoding="utf-8",
    )
    return path


def _env(config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return {
        **env,
        "KIOSK_CONFIG": str(config),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
    }


def health(env: dict[str, str], *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = Cli(env=env, stdout=out, stderr=io.StringIO()).run(["health", *args])
    return code, out.getvalue()


@pytest.fixture
def start_app(tmp_path: Path) -> Iterator[object]:
    """Starts `python -m kiosk` (the real app) and makes sure it is gone after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (tmp_path / "app-stderr.txt").open("ab") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-m", "kiosk"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:  # still ours and still running: stop it by its PID
            proc.kill()
            proc.wait(timeout=30)


def _wait_for(env: dict[str, str], wanted: int, text: str) -> str:
    deadline = time.monotonic() + START_DEADLINE_S
    line = ""
    while time.monotonic() < deadline:
        code, line = health(env)
        if code == wanted and text in line:
            return line
        time.sleep(0.2)  # polling the heartbeat file, with a deadline
    raise AssertionError(f"no {wanted} with {text!r} in time; last: {line!r}")


def _stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> int:
    assert proc.poll() is None  # our child, still running: its PID is still ours
    proc.send_signal(sig)
    return proc.wait(timeout=60)


def test_running_app_is_ok_and_sigterm_makes_it_critical(
    tmp_path: Path, sim: Simulator, start_app: object
) -> None:
    env = _env(_config(tmp_path, sim.base_url))
    proc = start_app(env)  # type: ignore[operator]
    line = _wait_for(env, 0, "Main Street: online, confirmed by Gett")
    assert line.startswith("KIOSK OK - The kiosk app ")
    assert f"(pid {proc.pid})" in line
    assert "\n" not in line.strip() and " | heartbeat_age=" in line
    code, out = health(env, "--json")
    body = json.loads(out)
    assert (code, body["status"], body["running"]) == (0, "OK", True)
    assert body["keyring"] == "ok" and body["stores"][0]["status"] == "online"
    assert "kiosk_up 1" in (tmp_path / "kiosk.prom").read_text(encoding="utf-8")
    assert oct((tmp_path / "data" / hb.FILENAME).stat().st_mode & 0o777) == "0o600"

    assert _stop(proc, signal.SIGTERM) == 128 + 15
    code, line = health(env)
    assert code == 2
    assert line.startswith("KIOSK CRITICAL - The kiosk app is not running: it stopped at ")
    assert "kiosk_up 0" in (tmp_path / "kiosk.prom").read_text(encoding="utf-8")
    assert b"Traceback" not in (tmp_path / "app-stderr.txt").read_bytes()


def test_a_killed_app_is_critical_and_a_change_that_waits_too_long_too(
    tmp_path: Path, sim: Simulator, start_app: object
) -> None:
    """Gett unreachable: a pause made 15 minutes ago still waits. The app is alive (its lock
    is held) but the change waited too long: CRITICAL. Killed (no last beat): CRITICAL."""
    data = tmp_path / "data"
    made = FakeClock(datetime.now(UTC) - timedelta(minutes=15))  # a pause made 15 min ago
    with Outbox(data, clock=made) as outbox:
        outbox.enqueue(STORE, StoreStatusUpdate.pause(PauseReason.TOO_BUSY), origin="test")
    env = _env(_config(tmp_path, "http://127.0.0.1:9"))  # nothing listens on port 9
    proc = start_app(env)  # type: ignore[operator]
    line = _wait_for(env, 2, "a change has waited 15 minutes")
    assert "KIOSK CRITICAL - " in line and "is running" in line
    assert health(env, "--max-wait", "1h")[0] != 2  # the threshold is configurable

    assert _stop(proc, signal.SIGKILL) == -9
    code, line = health(env)
    assert code == 2
    assert "not running: it ended without stopping cleanly" in line


def test_sigterm_and_sigusr1_end_the_app_cleanly_and_keep_the_queue(
    tmp_path: Path, sim: Simulator, start_app: object
) -> None:
    data = tmp_path / "data"
    with Outbox(data) as outbox:
        intent = outbox.enqueue(
            STORE, StoreStatusUpdate.pause(PauseReason.STAFF_SHORTAGE), origin="test"
        )
    # In kiosk mode with a PIN: a signal ends it all the same (no PIN pad in the way).
    ui = f'fullscreen = true\npin_hash = "{hash_pin("4826", n=16)}"\n'
    env = _env(_config(tmp_path, "http://127.0.0.1:9", ui))  # never delivered: it must be kept
    for sig, code in ((signal.SIGUSR1, RESTART_EXIT), (signal.SIGTERM, 143)):
        proc = start_app(env)  # type: ignore[operator]
        _wait_for(env, 0, "a change has waited")
        assert _stop(proc, sig) == code
        with Outbox(data) as outbox:
            kept = outbox.get(intent.id)
        assert kept.state is IntentState.PENDING
        log = (data / "logs" / "kiosk.log").read_text(encoding="utf-8")
        assert f"{sig.name} received: closing the kiosk app cleanly" in log
        assert "exiting with a background thread still busy" not in log
        events = (data / "logs" / "events.log").read_text(encoding="utf-8")
        assert f"{sig.name} received: closing the kiosk app cleanly" in events
        assert f"exit code {code}" in events and f": {sig.name}" in events  # the reason
        assert "heartbeat started" in events and "heartbeat stopped" in events
