"""The keyring seen from ssh, locked, or hanging: exit 6 with what to do, never a hang.

Each case runs the real ``kiosk`` command in a session of its own: with no D-Bus session at all
(plain ssh), with a real gnome-keyring whose login keyring nobody unlocked, and with a fake
Secret Service on a private D-Bus that owns the name and never answers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from kiosk.core.keystore import KEYRING_DEADLINE
from kiosk.simulator.server import Simulator
from tests.integration.test_unattended_boot import KEY, STORE, _first_session, _session
from tests.integration.test_unattended_boot import pytestmark as needs_keyring

ROOT = Path(__file__).resolve().parents[2]
pytestmark = needs_keyring


def _kiosk_env(tmp: Path) -> dict[str, str]:
    return {
        "KIOSK_API_URL": "http://127.0.0.1:9",
        "KIOSK_STORE_ID": STORE,
        "KIOSK_DATA_DIR": str(tmp / "data"),
    }


def test_over_ssh_with_no_session_keyring_it_exits_6_and_says_where_to_run_it(
    tmp_path: Path,
) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "SSH_CONNECTION": "192.0.2.7 52114 192.0.2.1 22",
        **_kiosk_env(tmp_path),
    }  # no DBUS_SESSION_BUS_ADDRESS: what a plain ssh login has
    for args in (["status"], ["key", "status"], ["status", "--json"]):
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "kiosk", *args], env=env, cwd=ROOT,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 6, (args, result.stderr)
        assert "no keyring in this session" in result.stderr
        assert "desktop session" in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert time.monotonic() - started < KEYRING_DEADLINE  # told at once
        if "--json" in args:
            assert json.loads(result.stdout)["error"]["kind"] == "keyring_unavailable"


def test_a_locked_keyring_exits_6_not_3_at_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _first_session(home, "")  # the key in the login keyring, which has a password
    api = Simulator([STORE], KEY)
    api.start()
    try:
        env = _kiosk_env(tmp_path) | {"KIOSK_API_URL": api.base_url}
        result = _session(
            home,
            "gnome-keyring-daemon --start --components=secrets </dev/null >/dev/null"
            ' && "$PYTHON" -m kiosk status --json',
            extra=env,
        )
    finally:
        api.stop()
    assert result.returncode == 6, result.stderr
    assert "locked" in result.stderr and "unlock it" in result.stderr
    assert json.loads(result.stdout)["error"]["kind"] == "keyring_locked"
    assert api.requests.snapshot() == []  # no key, no request


def test_a_secret_service_that_never_answers_is_cut_at_the_deadline(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = _session(
        home,
        '"$PYTHON" -m tests.integration.hung_secret_service status',
        extra=_kiosk_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["code"] == 6, outcome
    assert f"did not answer within {KEYRING_DEADLINE:g} seconds" in outcome["err"]
    assert "behind the kiosk window" in outcome["err"]
    # The deadline, plus the command's own start; the hung D-Bus call did not hold the exit.
    assert KEYRING_DEADLINE <= outcome["seconds"] < KEYRING_DEADLINE + 4, outcome
