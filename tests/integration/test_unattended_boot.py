"""A store PC boots with automatic login: nobody types a keyring password.

Each test plays the kiosk user's life in real gnome-keyring sessions, each its own
``dbus-run-session`` with the same home folder (the keyring files persist between them, as on
disk across a reboot):

1. the first session: the login keyring is created with a password (as a password login or the
   desktop's first start does), then the key is stored the way install-fleet.sh stores it;
2. the reboot: a new D-Bus session in which gnome-keyring starts with nothing on its standard
   input (automatic login gives PAM no password to unlock it with), and the real app starts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kiosk.simulator.server import Simulator

ROOT = Path(__file__).resolve().parents[2]
STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
KEY = "sk_test_boot_7c2d"
LOGIN_PASSWORD = "the-kiosk-users-password"
APP_DEADLINE_S = 30.0

pytestmark = pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs dbus and gnome-keyring (.ci/system-deps.sh keyring installs them)",
)


def _session(
    home: Path, script: str, *, stdin: str = "", extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (sh) in a new D-Bus session as a user whose home is ``home``."""
    run = home.parent / "run"
    run.mkdir(mode=0o700, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(run),
        "LANG": "C.UTF-8",
        "PYTHON": sys.executable,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        **(extra or {}),
    }
    return subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", script],
        input=stdin, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _first_session(home: Path, key_set_args: str) -> None:
    """The login keyring gets a password; then the key is stored with ``kiosk key set ARGS``."""
    result = _session(
        home,
        'IFS= read -r pw; printf %s "$pw" | gnome-keyring-daemon --unlock --components=secrets'
        f' >/dev/null && "$PYTHON" -m kiosk key set {key_set_args}',
        stdin=f"{LOGIN_PASSWORD}\n{KEY}\n",
    )
    assert result.returncode == 0, result.stderr
    assert KEY not in result.stdout + result.stderr


def _reboot_and_start_app(
    home: Path, api: Simulator, tmp: Path, *, unlock_later: bool = False
) -> dict[str, Any]:
    """A new session: gnome-keyring starts with nobody typing, then the real app."""
    extra = {
        "KIOSK_API_URL": api.base_url,
        "KIOSK_STORE_ID": STORE,
        "KIOSK_DATA_DIR": str(tmp / "data"),
    }
    if unlock_later:
        # Looked at again every poll interval: the shortest the config allows.
        config = tmp / "config.toml"
        config.write_text("poll_interval_seconds = 5\n", encoding="utf-8")
        extra |= {"KIOSK_CONFIG": str(config), "BOOT_LOGIN_PASSWORD": LOGIN_PASSWORD}
    result = _session(
        home,
        "gnome-keyring-daemon --start --components=secrets </dev/null >/dev/null"
        f' && exec "$PYTHON" -m tests.integration.boot_child {APP_DEADLINE_S}'
        + (" --unlock-later" if unlock_later else ""),
        extra=extra,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr
    shown: dict[str, Any] = json.loads(lines[-1])
    return shown


@pytest.fixture
def api() -> Any:
    sim = Simulator([STORE], KEY)
    sim.start()
    yield sim
    sim.stop()


def test_after_a_reboot_with_nobody_typing_the_kiosk_reaches_online(
    tmp_path: Path, api: Simulator
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _first_session(home, "--unattended")

    shown = _reboot_and_start_app(home, api, tmp_path)

    assert shown["kind"] == "ONLINE", shown
    assert shown["banner"] is None
    assert shown["seconds_left"] > 0  # it got there, it did not time out on a prompt
    # The login keyring (with its password) is still there and still locked: the key does not
    # need it. The kiosk's own keyring is a file only the user can read.
    keyrings = home / ".local/share/keyrings"
    assert (keyrings / "login.keyring").exists()
    assert (keyrings / "Gett_Store_Kiosk.keyring").stat().st_mode & 0o077 == 0


def test_a_locked_keyring_is_said_on_screen_instead_of_waiting_for_a_password(
    tmp_path: Path, api: Simulator
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _first_session(home, "")  # the key in the login keyring, which has a password

    shown = _reboot_and_start_app(home, api, tmp_path)

    assert shown["kind"] != "ONLINE", shown
    assert shown["banner"] is not None and "keyring" in shown["banner"]
    assert "locked" in shown["banner"], shown
    assert "behind the kiosk" in shown["banner"], shown  # where its prompt may be
    assert shown["banner_title"] == "The API key cannot be read"
    assert shown["seconds_left"] > 0  # said at once, not after a prompt timed out


def test_a_keyring_unlocked_later_is_used_without_a_restart(tmp_path: Path, api: Simulator) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _first_session(home, "")

    shown = _reboot_and_start_app(home, api, tmp_path, unlock_later=True)

    assert shown["banner_seen"] is not None and "locked" in shown["banner_seen"]
    assert shown["kind"] == "ONLINE", shown
    assert shown["seconds_left"] > 0


def test_key_set_unattended_twice_keeps_one_keyring_and_the_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _first_session(home, "--unattended")
    _first_session(home, "--unattended")
    result = _session(
        home,
        "gnome-keyring-daemon --start --components=secrets </dev/null >/dev/null"
        ' && "$PYTHON" -m kiosk key status',
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "An API key is stored" in result.stdout
    assert len(list((home / ".local/share/keyrings").glob("Gett_Store_Kiosk*.keyring"))) == 1


def test_with_no_keyring_at_all_nothing_prompts_and_the_fix_is_named(tmp_path: Path) -> None:
    """A user who never logged in with a password has no keyring: asking the Secret Service
    for the default one would show a "choose a password for the new keyring" prompt."""
    home = tmp_path / "home"
    home.mkdir()
    result = _session(
        home,
        "gnome-keyring-daemon --start --components=secrets </dev/null >/dev/null"
        ' && "$PYTHON" -m kiosk key status; echo "status=$?"'
        ' && printf "%s\\n" "$BOOT_KEY" | "$PYTHON" -m kiosk key set; echo "set=$?"',
        extra={"BOOT_KEY": KEY},
    )
    out = result.stdout + result.stderr
    assert "status=3" in out and "No API key is stored" in out
    assert "set=6" in out and "kiosk key set --unattended" in out
    assert KEY not in out
    assert not (home / ".local/share/keyrings/login.keyring").exists()
