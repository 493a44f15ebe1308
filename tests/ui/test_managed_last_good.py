"""A pushed typo at autostart: the app starts on the managed file's last good copy (real files,
the real CLI deciding, a real offscreen window), says so, and follows the fix."""

from __future__ import annotations

import io
import logging
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.cli.main import Cli
from kiosk.core import last_good
from kiosk.core.config import Config, ManagedConfigError
from kiosk.core.keystore import MemoryKeyStore
from kiosk.simulator.server import Simulator
from kiosk.ui.app import _monitoring
from kiosk.ui.config_watch import ConfigWatcher, watch_config
from kiosk.ui.heartbeat_writer import HeartbeatWriter
from kiosk.ui.main_window import MainWindow
from tests.helpers.fakes import FakeClock
from tests.ui.conftest import KEY, PIN_HASH, STORE, MakeWindow

DEADLINE_MS = 5_000
BAD_PUSH = "Settings from IT have an error"
#: A store only IT's managed file has.
HARBOUR = "7a1d3c5e-9b2f-4d6a-8c0e-1f3b5d7a9c2e"
MANAGED = (
    "poll_interval_seconds = 45\n\n"
    f'[[stores]]\nid = "{STORE}"\nname = "Main Street"\n\n'
    f'[[stores]]\nid = "{HARBOUR}"\nname = "Harbour Road"\n'
)


@pytest.fixture
def sim_store_ids() -> tuple[str, ...]:
    return (STORE, HARBOUR)


@pytest.fixture
def env(tmp_path: Path, sim: Simulator) -> dict[str, str]:
    """The user's file (one store, 20 s) and where IT's managed file goes."""
    user = tmp_path / "config.toml"
    user.write_text(
        f'api_url = "{sim.base_url}"\npoll_interval_seconds = 20\n'
        f'data_dir = "{tmp_path / "data"}"\n\n[[stores]]\nid = "{STORE}"\nname = "Main Street"\n'
        f'\n[ui]\nfullscreen = false\npin_hash = "{PIN_HASH}"\n',
        encoding="utf-8",
    )
    return {"KIOSK_CONFIG": str(user), "KIOSK_MANAGED_CONFIG": str(tmp_path / "managed.toml")}


class Started:
    """What `kiosk` (autostart) did: the config it ran the app with, or the error it showed."""

    def __init__(self) -> None:
        self.configs: list[Config] = []
        self.errors: list[str] = []
        self.events = ""
        self.writers: list[HeartbeatWriter] = []
        self.watchers: list[ConfigWatcher] = []

    def stop(self) -> None:
        """The app ends (its window stays for the fixture's checks)."""
        for watcher in self.watchers:
            watcher.stop()
        for writer in self.writers:
            writer.finish("test")
        self.watchers.clear()
        self.writers.clear()


@pytest.fixture
def start(
    env: dict[str, str],
    make_window: MakeWindow,
    clock: FakeClock,
    qtbot: QtBot,
) -> Iterator[Callable[[], tuple[int, Started, MainWindow | None]]]:
    """Runs `kiosk` as autostart does; the app it starts is the real window with the app's own
    config watcher and heartbeat, built while the CLI's log is set up (as in run_app)."""
    runs: list[Started] = []

    def run() -> tuple[int, Started, MainWindow | None]:
        started = Started()
        runs.append(started)
        windows: list[MainWindow] = []

        def run_app(config: Config, **_kw: Any) -> int:
            started.configs.append(config)
            window = make_window(config)
            watcher = watch_config(window, env, check_ms=50, settle_ms=50)
            assert watcher is not None
            started.watchers.append(watcher)
            started.writers.append(_monitoring(window, clock))
            for handler in logging.getLogger().handlers:
                handler.flush()
            events = Path(config.data_dir, "logs", "events.log")
            started.events = events.read_text(encoding="utf-8") if events.exists() else ""
            windows.append(window)
            return 0

        cli = Cli(
            keystore=MemoryKeyStore(KEY),
            env=env,
            stdin=io.StringIO(""),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
            run_app=run_app,
            show_error=started.errors.append,
        )
        code = cli.run([])
        return code, started, windows[0] if windows else None

    yield run
    for started in runs:
        started.stop()


def write(path: Path, text: str) -> None:
    """As IT's tools do: a new file renamed over the old one."""
    tmp = path.with_suffix(".new")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def test_a_broken_push_at_start_runs_on_the_last_good_copy_and_follows_the_fix(
    env: dict[str, str],
    start: Callable[[], tuple[int, Started, MainWindow | None]],
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    managed = Path(env["KIOSK_MANAGED_CONFIG"])
    copy = tmp_path / "data" / last_good.FILENAME
    managed.write_text(MANAGED, encoding="utf-8")
    code, started, window = start()
    assert code == 0 and window is not None
    # A good managed file is kept, privately, as the last good one.
    assert copy.read_text(encoding="utf-8") == MANAGED
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert window.current_screen().banner is None
    started.stop()
    # IT pushes a typo; the PC reboots: the app starts on the last good values.
    write(managed, "poll_interval_seconds = [\n")
    code, started, window = start()
    assert code == 0 and started.errors == [] and window is not None
    config = started.configs[0]
    assert config.poll_interval_seconds == 45
    assert [s.id for s in config.stores] == [STORE, HARBOUR]
    assert isinstance(config.managed_problem, ManagedConfigError)
    assert copy.read_text(encoding="utf-8") == MANAGED  # the broken text never replaces it
    banner = window.current_screen().banner
    assert banner is not None and banner.title == BAD_PUSH
    assert banner.message.startswith("The kiosk keeps its last good settings. managed.toml:")
    assert "managed config not usable at start" in started.events
    assert str(managed) in started.events
    assert started.writers[0].current().managed_last_good
    # IT fixes the file: it applies, the banner goes, and it is the new last good copy.
    fixed = "poll_interval_seconds = 50\n"
    write(managed, fixed)
    qtbot.waitUntil(lambda: window.config.poll_interval_seconds == 50, timeout=DEADLINE_MS)
    assert window.current_screen().banner is None
    assert window.config.managed_problem is None
    assert not started.writers[0].current().managed_last_good
    assert copy.read_text(encoding="utf-8") == fixed


def test_scripts_still_fail_on_a_broken_managed_file(env: dict[str, str], tmp_path: Path) -> None:
    managed = Path(env["KIOSK_MANAGED_CONFIG"])
    managed.write_text(MANAGED, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    cli = Cli(keystore=MemoryKeyStore(KEY), env=env, stdout=out, stderr=err)
    assert cli.run(["status"]) == 0, err.getvalue()
    assert (tmp_path / "data" / last_good.FILENAME).read_text(encoding="utf-8") == MANAGED
    managed.write_text("poll_interval_seconds = [\n", encoding="utf-8")
    err = io.StringIO()
    cli = Cli(keystore=MemoryKeyStore(KEY), env=env, stdout=io.StringIO(), stderr=err)
    assert cli.run(["status"]) == 2
    assert "managed config from IT" in err.getvalue() and "not valid TOML" in err.getvalue()
    assert len(err.getvalue().strip().splitlines()) == 1


def test_no_last_good_copy_runs_on_the_users_file(
    env: dict[str, str], start: Callable[[], tuple[int, Started, MainWindow | None]]
) -> None:
    Path(env["KIOSK_MANAGED_CONFIG"]).write_text('api_url = "ftp://x"\n', encoding="utf-8")
    code, started, window = start()
    assert code == 0 and window is not None
    config = started.configs[0]
    assert config.poll_interval_seconds == 20 and [s.id for s in config.stores] == [STORE]
    assert config.managed == frozenset()
    banner = window.current_screen().banner
    assert banner is not None and banner.title == BAD_PUSH


def test_a_damaged_copy_is_ignored_with_a_log_line(
    env: dict[str, str],
    start: Callable[[], tuple[int, Started, MainWindow | None]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / last_good.FILENAME).write_bytes(b"\xff\xfe stores = 3")
    Path(env["KIOSK_MANAGED_CONFIG"]).write_text("stores = [\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="kiosk.core.last_good"):
        code, started, window = start()
    assert code == 0 and window is not None
    assert started.configs[0].poll_interval_seconds == 20
    assert "ignoring the managed config's last good copy" in caplog.text


def test_no_usable_config_at_all_shows_todays_error_screen(
    env: dict[str, str], start: Callable[[], tuple[int, Started, MainWindow | None]]
) -> None:
    Path(env["KIOSK_CONFIG"]).write_text("poll_interval_seconds = 'soon'\n", encoding="utf-8")
    Path(env["KIOSK_MANAGED_CONFIG"]).write_text("stores = [\n", encoding="utf-8")
    code, started, window = start()
    assert code == 2 and window is None and started.configs == []
    assert len(started.errors) == 1
    assert started.errors[0].startswith("The configuration has a problem:")
