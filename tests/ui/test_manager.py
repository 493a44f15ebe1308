"""The PIN, Settings (key to the real keyring), first-run setup, and leaving kiosk mode."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config, UiSettings
from kiosk.core.keystore import MemoryKeyStore, OsKeyStore
from kiosk.core.models import PauseReason
from kiosk.core.pin import verify_pin
from kiosk.simulator.server import Simulator
from kiosk.ui.main_window import MainWindow, Page
from kiosk.ui.view_model import StateKind
from tests.helpers.fakes import FakeClock
from tests.ui.conftest import KEY, PIN, STORE, MakeWindow, find, tap, with_ui


def enter_pin(qtbot: QtBot, window: MainWindow, pin: str) -> None:
    for digit in pin:
        tap(qtbot, window, f"PIN digit {digit}")
    tap(qtbot, window, "PIN OK")


def test_pin_opens_settings(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window()
    tap(qtbot, window, "Manager")
    assert window.current_page() is Page.PIN
    assert window.pin_pad.dots.text() == "–"
    for digit in PIN:
        tap(qtbot, window, f"PIN digit {digit}")
    assert window.pin_pad.dots.text() == "●●●●"  # masked
    tap(qtbot, window, "PIN OK")
    assert window.current_page() is Page.SETTINGS
    tap(qtbot, window, "Cancel settings")
    assert window.current_page() is Page.HOME


def test_wrong_pins_lock_the_pad_for_a_while(
    make_window: MakeWindow,
    qtbot: QtBot,
    clock: FakeClock,
    config: Config,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    window = make_window(with_ui(config, idle_return_seconds=0))  # (the pad stays 30 s here)
    tap(qtbot, window, "Manager")
    enter_pin(qtbot, window, "1111")
    assert window.pin_pad.message.text() == "Wrong PIN."
    enter_pin(qtbot, window, "2222")
    enter_pin(qtbot, window, "3333")
    assert "Try again in 30 s" in window.pin_pad.message.text()
    assert not find(window, "PIN digit 1").isEnabled()
    clock.advance(20)
    window.on_tick_timer_timeout()
    assert "Try again in 10 s" in window.pin_pad.message.text()
    clock.advance(11)
    window.on_tick_timer_timeout()
    assert find(window, "PIN digit 1").isEnabled()
    enter_pin(qtbot, window, "4444")  # a fourth wrong one: twice as long
    assert "Try again in 1 min" in window.pin_pad.message.text()
    clock.advance(61)
    window.on_tick_timer_timeout()
    enter_pin(qtbot, window, PIN)
    assert window.current_page() is Page.SETTINGS
    wrong = [r.getMessage() for r in caplog.records if r.getMessage().startswith("wrong manager")]
    assert [w.split(";")[0] for w in wrong] == [
        f"wrong manager PIN ({n} in a row" for n in range(1, 5)
    ]
    pin_lines = " ".join(r.getMessage() for r in caplog.records if r.name == "kiosk.core.pin")
    assert not any(pin in pin_lines for pin in ("1111", "2222", "3333", "4444", PIN))


def test_settings_test_connection_and_save_key_to_the_keyring(
    make_window: MakeWindow,
    qtbot: QtBot,
    sim: Simulator,
    keystore: OsKeyStore,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    keystore.set("an-old-revoked-key")
    window = make_window(keystore=keystore)
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.NEEDS_MANAGER, timeout=10_000)
    tap(qtbot, window, "Open settings")
    enter_pin(qtbot, window, PIN)
    assert window.current_page() is Page.SETTINGS
    form = window.settings_page.form
    assert form.api_key.echoMode() == form.api_key.EchoMode.Password
    assert form.api_key.text() == ""  # the stored key is never read back into the form
    form.api_key.setText(KEY)
    tap(qtbot, window, "Test connection")
    qtbot.waitUntil(lambda: "Connected" in form.test_result.text(), timeout=10_000)
    assert "ONLINE" in form.test_result.text()
    form.store_name.setText("Harbour Road")
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: window.current_page() is Page.HOME, timeout=10_000)
    assert keystore.get() == KEY
    saved = (tmp_path / "config.toml").read_text()
    assert KEY not in saved
    assert tomllib.loads(saved)["stores"][0]["name"] == "Harbour Road"
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.ONLINE, timeout=10_000)
    assert window.home.store_name.text() == "Harbour Road"
    # The events log names what changed, never a value (the key, the store's new name).
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("settings")]
    assert line == "settings saved: stores, API key (in the keyring)"
    assert KEY not in caplog.text and "Harbour Road" not in line


def test_settings_reject_a_bad_store_id_in_words(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window()
    tap(qtbot, window, "Manager")
    enter_pin(qtbot, window, PIN)
    window.settings_page.form.store_id.setText("not-a-uuid")
    tap(qtbot, window, "Save settings")
    assert window.current_page() is Page.SETTINGS
    assert "is not a store id" in window.settings_page.error.text()


def test_settings_change_reason_default_and_poll_interval(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window()
    tap(qtbot, window, "Manager")
    enter_pin(qtbot, window, PIN)
    tap(qtbot, window, "Usual pause for Too busy: more")  # 30 -> 45
    tap(qtbot, window, "Check Gett every: less")  # 30 -> 20 s
    old_host = window.host
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: window.current_page() is Page.HOME, timeout=10_000)
    qtbot.waitUntil(lambda: window.host is not None and window.host is not old_host, timeout=10_000)
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.ONLINE, timeout=10_000)
    saved = tomllib.loads((tmp_path / "config.toml").read_text())
    assert saved["poll_interval_seconds"] == 20
    assert saved["ui"]["reason_minutes"]["too_busy"] == 45
    tap(qtbot, window, "Pause: Too busy")
    assert find(window, "Pause for 45 minutes").property("suggested") is True


def test_first_run_setup_then_pin(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, tmp_path: Path
) -> None:
    keys = MemoryKeyStore(None)
    first = Config(
        api_url=sim.base_url, data_dir=tmp_path / "data", ui=UiSettings(fullscreen=False)
    )
    window = make_window(first, keys, wait_status=False)
    assert window.current_page() is Page.SETUP
    tap(qtbot, window, "Next: choose a PIN")
    assert "Enter the store id" in window.setup_page.error.text()
    form = window.setup_page.form
    form.store_id.setText(STORE)
    form.store_name.setText("Main Street")
    form.api_key.setText(KEY)
    tap(qtbot, window, "Next: choose a PIN")
    assert window.current_page() is Page.PIN
    enter_pin(qtbot, window, "13")
    assert "4 to 12 digits" in window.pin_pad.message.text()
    enter_pin(qtbot, window, "1357")
    enter_pin(qtbot, window, "1358")
    assert "different" in window.pin_pad.message.text()
    enter_pin(qtbot, window, "1357")
    with qtbot.waitSignal(window.first_status, timeout=10_000):
        enter_pin(qtbot, window, "1357")
    assert window.current_page() is Page.HOME
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.ONLINE, timeout=10_000)
    assert keys.get() == KEY
    saved = tomllib.loads((tmp_path / "config.toml").read_text())
    assert saved["stores"][0]["id"] == STORE
    assert verify_pin("1357", saved["ui"]["pin_hash"])


def test_closing_full_screen_kiosk_needs_the_pin(
    make_window: MakeWindow, qtbot: QtBot, config: Config
) -> None:
    window = make_window(with_ui(config, fullscreen=True))
    window.close()
    assert window.isVisible()
    assert window.current_page() is Page.PIN
    assert "close the kiosk" in window.pin_pad.title.text()
    tap(qtbot, window, "Cancel PIN")
    assert window.current_page() is Page.HOME
    window.close()
    enter_pin(qtbot, window, PIN)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert window.host is None


def test_a_tap_during_a_worker_restart_is_not_dropped(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator
) -> None:
    window = make_window()
    window.session.restart(window.config)  # what saving new connection settings does
    assert window.host is None  # the old worker is still finishing its last request
    window.flow.resume(window.store_id)
    window.flow.pause(PauseReason.STAFF_SHORTAGE, None, window.store_id)  # the latest is sent
    assert window.indicator().kind is StateKind.PAUSING  # feedback at once, not confirmed
    qtbot.waitUntil(lambda: sim.state(STORE).reason == PauseReason.STAFF_SHORTAGE, timeout=10_000)
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)


def test_a_tap_the_old_writer_saves_during_a_restart_is_shown_and_sent_by_the_new_worker(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator
) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause until I resume")  # handed to the current tap writer...
    window.session.restart(window.config)  # ...which saves it while its worker retires
    qtbot.waitUntil(lambda: window.host is not None, timeout=10_000)
    qtbot.waitUntil(lambda: sim.state(STORE).reason == PauseReason.TOO_BUSY, timeout=10_000)
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)
    assert window.state.local_taps == {}  # acknowledged, not left waiting


def test_the_app_keeps_the_wrong_pin_count_beside_the_queue(
    config: Config, keys: MemoryKeyStore, qtbot: QtBot
) -> None:
    window = MainWindow(config, keys, save_path=None)  # the app's own defaults
    qtbot.addWidget(window)
    assert window.pin_pad.guard.state_path == config.data_dir / "pin-lockout.json"
    window.shutdown()


def test_shutting_down_twice_gives_the_same_answer(make_window: MakeWindow) -> None:
    window = make_window()
    first = window.shutdown()
    assert first is True
    assert window.shutdown() is first
