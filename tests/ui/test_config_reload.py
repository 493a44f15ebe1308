"""IT's managed config in the real window (offscreen): it wins, Save does not undo it, and the
running kiosk follows a changed file (or keeps its last good settings when one is broken)."""

from __future__ import annotations

import io
import logging
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.cli.main import Cli
from kiosk.core.config import Config, load_config
from kiosk.core.keystore import MemoryKeyStore
from kiosk.core.models import PauseReason
from kiosk.simulator.server import Simulator
from kiosk.ui.config_watch import ConfigWatcher, watch_config
from kiosk.ui.main_window import MainWindow, Page
from tests.helpers.fakes import FakeClock
from tests.ui.conftest import KEY, PIN, PIN_HASH, STORE, MakeWindow, find, tap
from tests.ui.test_manager import enter_pin

#: How long the kiosk may take to notice a changed file in these tests (it looks every 50 ms).
DEADLINE_MS = 5_000
BAD_PUSH = "Settings from IT have an error"

Files = tuple[Path, Path, dict[str, str]]


@pytest.fixture
def files(tmp_path: Path, sim: Simulator) -> Files:
    """The user's file (as the app finds it) and where IT's managed file goes."""
    user, managed = tmp_path / "config.toml", tmp_path / "managed.toml"
    user.write_text(
        f'api_url = "{sim.base_url}"\npoll_interval_seconds = 20\n'
        f'data_dir = "{tmp_path / "data"}"\n\n[[stores]]\nid = "{STORE}"\nname = "Main Street"\n'
        f'\n[ui]\nfullscreen = false\npin_hash = "{PIN_HASH}"\n',
        encoding="utf-8",
    )
    return user, managed, {"KIOSK_MANAGED_CONFIG": str(managed)}


@pytest.fixture
def watch(qtbot: QtBot) -> Iterator[Callable[[MainWindow, dict[str, str]], ConfigWatcher]]:
    """The app's own watcher (``watch_config``), looking every 50 ms; stopped at the end."""
    made: list[ConfigWatcher] = []

    def start(window: MainWindow, env: dict[str, str]) -> ConfigWatcher:
        watcher = watch_config(window, env, check_ms=50, settle_ms=50)
        assert watcher is not None
        made.append(watcher)
        return watcher

    yield start
    for watcher in made:
        watcher.stop()


def write(path: Path, text: str) -> None:
    """As IT's tools do: a new file renamed over the old one."""
    tmp = path.with_suffix(".new")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def test_managed_values_win_in_the_app_and_save_keeps_the_users_own(
    make_window: MakeWindow, qtbot: QtBot, files: Files
) -> None:
    user, managed, env = files
    managed.write_text(
        "poll_interval_seconds = 60\n[ui.reason_minutes]\ntoo_busy = 15\n", encoding="utf-8"
    )
    config = load_config(None, {**env, "KIOSK_CONFIG": str(user)})
    window = make_window(config)
    assert window.session.config.poll_interval_seconds == 60
    tap(qtbot, window, "Pause: Too busy")
    assert find(window, "Pause for 15 minutes").property("suggested") is True
    window.go_home()
    # Settings' Save (the manager changed nothing IT manages) does not undo IT's settings.
    tap(qtbot, window, "Manager")
    enter_pin(qtbot, window, PIN)
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: window.current_page() is Page.HOME, timeout=DEADLINE_MS)
    saved = tomllib.loads(user.read_text(encoding="utf-8"))
    assert saved["poll_interval_seconds"] == 20  # the user's own, kept
    assert saved["ui"]["reason_minutes"]["too_busy"] == 30  # not IT's 15
    assert window.config.poll_interval_seconds == 60  # and IT's still in force
    assert load_config(None, {**env, "KIOSK_CONFIG": str(user)}).poll_interval_seconds == 60


def test_a_pushed_file_applies_while_the_kiosk_runs(
    make_window: MakeWindow, qtbot: QtBot, files: Files, watch: Callable[..., ConfigWatcher]
) -> None:
    user, managed, env = files
    window = make_window(load_config(None, {**env, "KIOSK_CONFIG": str(user)}))
    watch(window, {**env, "KIOSK_CONFIG": str(user)})
    old_host = window.host
    write(managed, "poll_interval_seconds = 90\n[ui.reason_minutes]\ntoo_busy = 15\n")
    qtbot.waitUntil(lambda: window.config.poll_interval_seconds == 90, timeout=DEADLINE_MS)
    assert window.config.managed == {"poll_interval_seconds", "ui.reason_minutes"}
    assert window.config.ui.reason_minutes[PauseReason.TOO_BUSY] == 15
    # Through the same path as Settings' Save: the worker was restarted on the new interval.
    qtbot.waitUntil(lambda: window.host is not None and window.host is not old_host)
    assert window.session.config.poll_interval_seconds == 90
    # IT stops managing it: the user's own value is back.
    managed.unlink()
    qtbot.waitUntil(lambda: window.config.poll_interval_seconds == 20, timeout=DEADLINE_MS)
    assert window.config.managed == frozenset()


def test_pin_set_by_a_script_applies_to_the_running_kiosk(
    make_window: MakeWindow, qtbot: QtBot, files: Files, watch: Callable[..., ConfigWatcher]
) -> None:
    user, _managed, env = files
    env = {**env, "KIOSK_CONFIG": str(user)}
    window = make_window(load_config(None, env))
    watch(window, env)
    # Someone tried three wrong PINs: the pad is locked for 30 s.
    tap(qtbot, window, "Manager")
    for wrong in ("1111", "2222", "3333"):
        enter_pin(qtbot, window, wrong)
    assert not find(window, "PIN digit 1").isEnabled()
    out, err = io.StringIO(), io.StringIO()
    cli = Cli(
        keystore=MemoryKeyStore(KEY), env=env, stdin=io.StringIO("4826\n"), stdout=out, stderr=err
    )
    assert cli.run(["pin", "set"]) == 0, err.getvalue()
    qtbot.waitUntil(lambda: window.config.ui.pin_hash == files_pin(user), timeout=DEADLINE_MS)
    window.on_tick_timer_timeout()  # (the PIN page's one-second tick, with no time passed)
    assert find(window, "PIN digit 1").isEnabled()  # the old PIN's lockout is lifted
    tap(qtbot, window, "Cancel PIN")
    tap(qtbot, window, "Manager")
    enter_pin(qtbot, window, PIN)  # the old PIN no longer opens Settings
    assert window.current_page() is Page.PIN
    enter_pin(qtbot, window, "4826")
    assert window.current_page() is Page.SETTINGS


def files_pin(user: Path) -> str | None:
    return tomllib.loads(user.read_text(encoding="utf-8")).get("ui", {}).get("pin_hash")


def test_a_broken_push_keeps_the_last_good_settings_and_says_so(
    make_window: MakeWindow,
    qtbot: QtBot,
    files: Files,
    watch: Callable[..., ConfigWatcher],
    caplog: pytest.LogCaptureFixture,
) -> None:
    user, managed, env = files
    window = make_window(load_config(None, {**env, "KIOSK_CONFIG": str(user)}))
    watcher = watch(window, {**env, "KIOSK_CONFIG": str(user)})
    good: Config = window.config
    with (
        caplog.at_level(logging.ERROR, logger="kiosk.ui.config_watch"),
        qtbot.waitSignal(watcher.refused, timeout=DEADLINE_MS),
    ):
        write(managed, "poll_interval_seconds = [\n")
    assert window.config == good  # the last good config, still running
    screen = window.current_screen()
    assert screen.banner is not None and screen.banner.title == BAD_PUSH
    assert screen.banner.message == (
        "The kiosk keeps its last good settings. managed.toml: is not valid TOML "
        "(Invalid value (at end of document)). Fix the syntax."
    )
    assert window.home.attention_banner.isVisible()
    logged = [r.getMessage() for r in caplog.records if r.name == "kiosk.ui.config_watch"]
    assert len(logged) == 1 and str(managed) in logged[0] and "keeping" in logged[0]
    # IT fixes the file: it applies, and the warning goes.
    write(managed, "poll_interval_seconds = 45\n")
    qtbot.waitUntil(lambda: window.config.poll_interval_seconds == 45, timeout=DEADLINE_MS)
    assert window.current_screen().banner is None


def test_a_user_file_left_without_stores_is_not_applied(
    make_window: MakeWindow, qtbot: QtBot, files: Files, watch: Callable[..., ConfigWatcher]
) -> None:
    user, _managed, env = files
    window = make_window(load_config(None, {**env, "KIOSK_CONFIG": str(user)}))
    watcher = watch(window, {**env, "KIOSK_CONFIG": str(user)})
    with qtbot.waitSignal(watcher.refused, timeout=DEADLINE_MS) as refused:
        user.unlink()
    assert "no store is configured" in str(refused.args[0])
    assert [s.id for s in window.config.stores] == [STORE]


def test_choosing_a_common_pin_on_screen_is_refused(
    make_window: MakeWindow, qtbot: QtBot, config: Config
) -> None:
    from dataclasses import replace

    window = make_window(replace(config, ui=replace(config.ui, pin_hash=None)))
    tap(qtbot, window, "Manager")
    assert window.current_page() is Page.PIN
    enter_pin(qtbot, window, "1234")
    assert window.pin_pad.message.text() == (
        "That PIN is one of the first anyone would guess. Choose another."
    )
    enter_pin(qtbot, window, "4826")
    enter_pin(qtbot, window, "4826")
    qtbot.waitUntil(lambda: window.current_page() is Page.SETTINGS, timeout=DEADLINE_MS)


def test_change_pin_in_settings_says_it_is_its_when_it_manages_it(
    make_window: MakeWindow, qtbot: QtBot, files: Files
) -> None:
    user, managed, env = files
    managed.write_text(f'[ui]\npin_hash = "{PIN_HASH}"\n', encoding="utf-8")
    window = make_window(load_config(None, {**env, "KIOSK_CONFIG": str(user)}))
    tap(qtbot, window, "Manager")
    enter_pin(qtbot, window, PIN)
    # Settings show it locked ("Set by your IT department"), so nobody picks a PIN that would
    # never be kept; the flow refuses it too if the tap gets through.
    button = find(window, "Change PIN")
    assert not button.isEnabled()
    window.settings_page.change_pin_requested.emit()
    assert window.current_page() is Page.SETTINGS  # no PIN pad for a PIN that would not be kept
    assert window.settings_page.error.text() == (
        "The manager PIN is set by IT; ask IT to change it."
    )


def test_save_in_settings_keeps_a_pin_cleared_by_it_while_the_page_was_open(
    make_window: MakeWindow, qtbot: QtBot, files: Files, watch: Callable[..., ConfigWatcher]
) -> None:
    """IT resets the PIN over ssh while a manager has Settings open: the manager's Save keeps
    the manager's own change (the poll interval) and does not bring the old PIN back."""
    user, _managed, env = files
    env = {**env, "KIOSK_CONFIG": str(user)}
    window = make_window(load_config(None, env))
    watch(window, env)
    tap(qtbot, window, "Manager")
    enter_pin(qtbot, window, PIN)
    assert window.current_page() is Page.SETTINGS
    window.settings_page.poll.set_value(60.0)  # the manager's own change
    err = io.StringIO()
    cli = Cli(keystore=MemoryKeyStore(KEY), env=env, stdin=io.StringIO(""),
              stdout=io.StringIO(), stderr=err)  # fmt: skip
    assert cli.run(["pin", "clear"]) == 0, err.getvalue()
    qtbot.waitUntil(lambda: window.config.ui.pin_hash is None, timeout=DEADLINE_MS)
    notice = window.settings_page.error
    assert notice.isVisibleTo(window) and "changed outside this page" in notice.text()
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: window.current_page() is Page.HOME, timeout=DEADLINE_MS)
    saved = tomllib.loads(user.read_text(encoding="utf-8"))
    assert "pin_hash" not in saved.get("ui", {})
    assert saved["poll_interval_seconds"] == 60
    assert window.config.ui.pin_hash is None
    assert window.config.poll_interval_seconds == 60


def test_save_in_settings_keeps_an_edit_made_to_the_file_before_the_watcher_saw_it(
    make_window: MakeWindow, qtbot: QtBot, files: Files
) -> None:
    """Save re-reads the user's file: an edit made a moment before (no watcher running, so the
    app never applied it) survives; the field the manager changed is the manager's."""
    user, _managed, env = files
    env = {**env, "KIOSK_CONFIG": str(user)}
    window = make_window(load_config(None, env))
    tap(qtbot, window, "Manager")
    enter_pin(qtbot, window, PIN)
    window.settings_page.reminder.set_value(60)
    text = user.read_text(encoding="utf-8").replace(
        "poll_interval_seconds = 20", "poll_interval_seconds = 45"
    )
    write(user, text + "idle_return_seconds = 90\n")
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: window.current_page() is Page.HOME, timeout=DEADLINE_MS)
    saved = tomllib.loads(user.read_text(encoding="utf-8"))
    assert saved["poll_interval_seconds"] == 45
    assert saved["ui"]["idle_return_seconds"] == 90
    assert saved["ui"]["forgotten_pause_minutes"] == 60
    assert saved["ui"]["pin_hash"] == PIN_HASH


def test_the_pin_pad_on_screen_checks_the_pin_set_by_a_script_meanwhile(
    make_window: MakeWindow, qtbot: QtBot, files: Files, watch: Callable[..., ConfigWatcher]
) -> None:
    """IT replaces a leaked PIN while the pad is already up: the old PIN no longer opens
    Settings from that same pad, the new one does."""
    user, _managed, env = files
    env = {**env, "KIOSK_CONFIG": str(user)}
    window = make_window(load_config(None, env))
    watch(window, env)
    tap(qtbot, window, "Manager")
    assert window.current_page() is Page.PIN
    err = io.StringIO()
    cli = Cli(keystore=MemoryKeyStore(KEY), env=env, stdin=io.StringIO("4826\n"),
              stdout=io.StringIO(), stderr=err)  # fmt: skip
    assert cli.run(["pin", "set"]) == 0, err.getvalue()
    qtbot.waitUntil(lambda: window.config.ui.pin_hash == files_pin(user), timeout=DEADLINE_MS)
    enter_pin(qtbot, window, PIN)  # the OLD pin, on the pad that was already up
    assert window.current_page() is Page.PIN
    enter_pin(qtbot, window, "4826")
    assert window.current_page() is Page.SETTINGS


def test_a_pin_typed_in_the_managed_file_never_reaches_the_screen_or_the_log(
    make_window: MakeWindow,
    qtbot: QtBot,
    files: Files,
    watch: Callable[..., ConfigWatcher],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """IT wrote the PIN itself (a number) as pin_hash: the refusal names the field, not it."""
    user, managed, env = files
    env = {**env, "KIOSK_CONFIG": str(user)}
    window = make_window(load_config(None, env))
    watcher = watch(window, env)
    seen: list[str] = []
    watcher.refused.connect(seen.append)
    write(managed, "[ui]\npin_hash = 482619\n")
    qtbot.waitUntil(lambda: bool(seen), timeout=DEADLINE_MS)
    assert "ui.pin_hash" in seen[0]
    assert "482619" not in seen[0]
    assert "482619" not in str(window.state.banner)
    assert "482619" not in caplog.text


def test_a_pushed_data_dir_applies_at_the_next_start_only(
    make_window: MakeWindow,
    qtbot: QtBot,
    files: Files,
    watch: Callable[..., ConfigWatcher],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The queue, heartbeat, lock and logs stay together in the folder the app started with;
    the rest of the push applies now, and the manager and the log are told."""
    user, managed, env = files
    env = {**env, "KIOSK_CONFIG": str(user)}
    window = make_window(load_config(None, env))
    watch(window, env)
    old_dir = window.config.data_dir
    new_dir = user.parent / "pushed-data"
    write(managed, f'data_dir = "{new_dir}"\npoll_interval_seconds = 90\n')
    qtbot.waitUntil(lambda: window.config.poll_interval_seconds == 90, timeout=DEADLINE_MS)
    assert window.config.data_dir == old_dir
    assert window.session.config.data_dir == old_dir
    assert "applies at the next start" in caplog.text
    banner = window.state.banner
    assert banner is not None and "pushed-data" in banner.message
    assert not new_dir.exists()


def test_the_events_log_says_pin_clear_push_applied_manager_close_and_heartbeat(
    make_window: MakeWindow,
    qtbot: QtBot,
    files: Files,
    watch: Callable[..., ConfigWatcher],
    clock: FakeClock,
) -> None:
    """What IT asks about weeks later is in events.log: IT's `kiosk pin clear` (never a PIN),
    a pushed config applied, the heartbeat's start and stop, a manager's close."""
    from kiosk.core.logs import setup_logging
    from kiosk.ui.app import _monitoring

    user, managed, env = files
    env = {**env, "KIOSK_CONFIG": str(user)}
    config = load_config(None, env)
    logs = config.data_dir / "logs"
    window = make_window(config)
    watch(window, env)
    cli = Cli(keystore=MemoryKeyStore(KEY), env=env, stdin=io.StringIO(""),
              stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    assert cli.run(["pin", "clear"]) == 0
    qtbot.waitUntil(lambda: window.config.ui.pin_hash is None, timeout=DEADLINE_MS)
    root = logging.getLogger()
    before, level = root.handlers[:], root.level
    setup_logging(logs, verbose=False)  # (the CLI's run put its own handlers back)
    try:
        writer = _monitoring(window, clock)
        write(managed, "poll_interval_seconds = 90\n")
        qtbot.waitUntil(lambda: window.config.poll_interval_seconds == 90, timeout=DEADLINE_MS)
        window.close_by_manager()
        writer.finish("test")
        for handler in logging.getLogger().handlers:
            handler.flush()
        events = (logs / "events.log").read_text(encoding="utf-8")
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
        root.handlers[:], root.level = before, level
    assert "manager PIN cleared by `kiosk pin clear`" in events
    assert "config files changed: applied" in events
    assert "heartbeat started" in events and "heartbeat stopped" in events
    assert "closed the kiosk app on purpose" in events
    assert PIN_HASH not in events
