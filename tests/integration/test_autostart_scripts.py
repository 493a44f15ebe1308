"""The Linux autostart loop and the .deb's postinst, run for real with stand-in apps.

The autostart: a manager's close (exit 0) keeps the app closed for this login session only; an
upgrade's restart (exit 75) starts it again at once. The postinst: after an upgrade it signals
only the kiosk apps the autostart runs (never a `kiosk` command, never another program).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AUTOSTART = ROOT / "packaging" / "linux" / "kiosk-autostart"
POSTINST = ROOT / "packaging" / "linux" / "postinst"

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/exe").exists() or shutil.which("sh") is None, reason="Linux only"
)


def _fake_app(tmp_path: Path, codes: list[int]) -> Path:
    """An "app" that logs each start and exits with the next code of ``codes``."""
    (tmp_path / "codes").write_text("".join(f"{c}\n" for c in codes), encoding="utf-8")
    app = tmp_path / "app.sh"
    app.write_text(
        "#!/bin/sh\n"
        f'echo run >>"{tmp_path}/runs"\n'
        f'code=$(head -n1 "{tmp_path}/codes")\n'
        f'sed -i 1d "{tmp_path}/codes"\n'
        'exit "${code:-0}"\n',
        encoding="utf-8",
    )
    app.chmod(0o755)
    return app


def _autostart(tmp_path: Path, session: str, extra: dict[str, str] | None = None) -> int:
    if extra is None:
        (tmp_path / "config.toml").touch()
    (tmp_path / "run").mkdir(mode=0o700, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "KIOSK_CONFIG": str(tmp_path / "config.toml"),
        "KIOSK_AUTOSTART_APP": str(tmp_path / "app.sh"),
        "XDG_RUNTIME_DIR": str(tmp_path / "run"),
        "XDG_SESSION_ID": session,
        "KIOSK_MANAGED_CONFIG": str(tmp_path / "no-managed.toml"),
        **(extra or {}),
    }
    return subprocess.run(["sh", str(AUTOSTART)], env=env, timeout=60).returncode


def _runs(tmp_path: Path) -> int:
    path = tmp_path / "runs"
    return len(path.read_text(encoding="utf-8").split()) if path.exists() else 0


def test_closed_on_purpose_stays_closed_this_session_and_starts_at_the_next(
    tmp_path: Path,
) -> None:
    _fake_app(tmp_path, [75, 0])
    assert _autostart(tmp_path, "s1") == 0
    assert _runs(tmp_path) == 2  # restarted at once after the upgrade's 75, then closed
    assert (tmp_path / "run" / "gett-store-kiosk.closed").read_text().endswith(" s1\n")

    assert _autostart(tmp_path, "s1") == 0  # the same session runs the script again
    assert _runs(tmp_path) == 2, "it must stay closed in the session a manager closed it in"

    _fake_app(tmp_path, [143])
    assert _autostart(tmp_path, "s2") == 143  # the next login: started; a SIGTERM ends it
    assert _runs(tmp_path) == 3
    assert not (tmp_path / "run" / "gett-store-kiosk.closed").exists()


def test_with_only_the_managed_file_it_starts_for_the_kiosk_group_only(tmp_path: Path) -> None:
    """No user config, IT's managed file there: started only for a member of the group (the
    kiosk's user), never for every account that logs in to the PC."""
    import grp

    managed = tmp_path / "managed.toml"
    mine = grp.getgrgid(os.getgid()).gr_name
    _fake_app(tmp_path, [143, 143])
    with_managed = {"KIOSK_MANAGED_CONFIG": str(managed), "KIOSK_AUTOSTART_GROUP": mine}
    assert _autostart(tmp_path, "s1", with_managed) == 0  # no managed file yet: not started
    assert _runs(tmp_path) == 0
    managed.write_text('[[stores]]\nid = "x"\n', encoding="utf-8")
    assert _autostart(tmp_path, "s1", with_managed) == 143  # a member: started
    assert _runs(tmp_path) == 1
    other = {**with_managed, "KIOSK_AUTOSTART_GROUP": "no-such-group-kiosk"}
    assert _autostart(tmp_path, "s2", other) == 0  # not a member: a normal desktop
    assert _runs(tmp_path) == 1
    assert not (tmp_path / "config.toml").exists()


@pytest.fixture
def bundle(tmp_path: Path) -> Iterator[tuple[Path, list[subprocess.Popen[bytes]]]]:
    """A stand-in /opt/gett-store-kiosk: the "app" is a copy of sleep (a real executable, so
    /proc/PID/exe points at it), and an autostart script that runs it."""
    folder = tmp_path / "opt"
    folder.mkdir()
    sleep = shutil.which("sleep")
    assert sleep is not None
    shutil.copy(sleep, folder / "gett-store-kiosk")
    autostart = folder / "kiosk-autostart"
    autostart.write_text(
        f'#!/bin/sh\n"{folder}/gett-store-kiosk" 120\necho $? >"{tmp_path}/rc"\n',
        encoding="utf-8",
    )
    autostart.chmod(0o755)
    started: list[subprocess.Popen[bytes]] = []
    yield folder, started
    for proc in started:
        if proc.poll() is None:  # ours, still running
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)


def _children_of(pid: int, exe: Path, deadline_s: float = 30.0) -> int:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                if os.readlink(proc / "exe") != str(exe):
                    continue
                status = (proc / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                return int(proc.name)
        time.sleep(0.05)  # polling /proc with a deadline
    raise AssertionError("the stand-in app did not start")


def test_postinst_restarts_only_the_apps_the_autostart_runs(
    tmp_path: Path, bundle: tuple[Path, list[subprocess.Popen[bytes]]]
) -> None:
    folder, started = bundle
    loop = subprocess.Popen(["sh", str(folder / "kiosk-autostart")])
    by_hand = subprocess.Popen([str(folder / "gett-store-kiosk"), "120"])
    started += [loop, by_hand]
    app_pid = _children_of(loop.pid, folder / "gett-store-kiosk")
    env = {**os.environ, "KIOSK_BUNDLE_DIR": str(folder)}

    first = subprocess.run(
        ["sh", str(POSTINST), "configure", ""], env=env, capture_output=True, text=True
    )
    assert (first.returncode, first.stdout) == (0, "")  # a first install: nothing runs yet

    done = subprocess.run(
        ["sh", str(POSTINST), "configure", "0.0.9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert f"restarting the kiosk app of {_user()} (pid {app_pid})" in done.stdout
    assert f"(pid {by_hand.pid}) was not started by the autostart" in done.stdout
    assert loop.wait(timeout=30) == 0
    assert (tmp_path / "rc").read_text().strip() == str(128 + signal.SIGUSR1)
    assert by_hand.poll() is None, "an app started by hand is left alone"


def test_postinst_with_no_app_running_says_the_next_login_starts_it(tmp_path: Path) -> None:
    env = {**os.environ, "KIOSK_BUNDLE_DIR": str(tmp_path / "none")}
    done = subprocess.run(
        ["sh", str(POSTINST), "configure", "0.0.9"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "the new version starts at the next login" in done.stdout


def _user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name
