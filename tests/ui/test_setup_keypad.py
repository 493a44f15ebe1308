"""Setup and Settings on a touch-only tablet: the on-screen keypad, the show-key toggle, the way
out of set-up, errors that clear when fixed, a new key checked before it replaces the old one
(in the real keyring, against the simulator), IT-locked settings and the language picker.

(The keypad by real X taps is in test_keypad_x11.py.)"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config, UiSettings
from kiosk.core.keystore import MemoryKeyStore, OsKeyStore
from kiosk.simulator.server import Simulator
from kiosk.ui.keypad import Keypad, key_name
from kiosk.ui.main_window import MainWindow, Page
from kiosk.ui.view_model import StateKind
from tests.ui.conftest import KEY, PIN, STORE, MakeWindow, find, tap
from tests.ui.test_manager import enter_pin

UNKNOWN_STORE = "0b6f8c2d-1e3a-4b5c-8d7e-9f0a1b2c3d4e"


@dataclass(frozen=True, slots=True)
class ManagedConfig(Config):
    """A config as the managed-config work gives it (``managed`` is not on main yet)."""

    managed: frozenset[str] = frozenset()


def with_managed(config: Config, *keys: str) -> Config:
    if "managed" in {f.name for f in fields(Config)}:
        return replace(config, managed=frozenset(keys))  # type: ignore[call-arg, unused-ignore]
    values = {f.name: getattr(config, f.name) for f in fields(Config)}
    return ManagedConfig(**values, managed=frozenset(keys))


def open_settings(qtbot: QtBot, window: MainWindow) -> None:
    tap(qtbot, window, "Manager")
    enter_pin(qtbot, window, PIN)
    assert window.current_page() is Page.SETTINGS


def first_run(make_window: MakeWindow, sim: Simulator, tmp_path: Path, **kw: object) -> MainWindow:
    config = Config(
        api_url=sim.base_url, data_dir=tmp_path / "data", ui=UiSettings(fullscreen=False)
    )
    window = make_window(config, MemoryKeyStore(None), wait_status=False, **kw)
    assert window.current_page() is Page.SETUP
    return window


def press(qtbot: QtBot, keypad: Keypad, text: str) -> None:
    """Each character by a tap on its on-screen key (Shift where a letter is upper case)."""
    hex_page = keypad.target is not None and keypad.visible_key("0") is keypad.hex_keys["0"]
    for char in text:
        if not hex_page:
            wanted_symbols = not (char.isalnum() or char in "-_ ")
            if wanted_symbols != keypad.symbols:
                qtbot.mouseClick(keypad.symbols_key, Qt.MouseButton.LeftButton)
            if char.isalpha() and char.isupper() != keypad.shift:
                qtbot.mouseClick(keypad.shift_key, Qt.MouseButton.LeftButton)
        key = keypad.visible_key(char)
        assert key.isVisible() and key.isEnabled(), char
        assert key.accessibleName() == key_name(char)
        qtbot.mouseClick(key, Qt.MouseButton.LeftButton)


def tap_field(qtbot: QtBot, field: QLineEdit) -> None:
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)


def in_window(window: QWidget, widget: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return widget.isVisible() and window.rect().contains(QRect(top_left, widget.size()))


def test_setup_by_keypad_taps_and_the_show_key_toggle(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, tmp_path: Path
) -> None:
    window = first_run(make_window, sim, tmp_path)
    page = window.setup_page
    form, keypad = page.form, page.keypad
    assert not keypad.isVisible()
    tap_field(qtbot, form.store_id)
    assert keypad.isVisible() and keypad.target is form.store_id
    assert not keypad.hex_keys["0"].focusPolicy() & Qt.FocusPolicy.ClickFocus  # the field keeps it
    press(qtbot, keypad, STORE)
    assert form.store_id.text() == STORE
    qtbot.mouseClick(keypad.action_keys["hex"]["backspace"], Qt.MouseButton.LeftButton)
    assert form.store_id.text() == STORE[:-1]
    press(qtbot, keypad, STORE[-1])
    tap_field(qtbot, form.api_key)
    assert keypad.target is form.api_key
    assert not keypad.visible_key("a").isHidden()
    assert not keypad.full_keys[-1].isEnabled()  # the space key: a key has no spaces
    press(qtbot, keypad, KEY)
    assert form.api_key.text() == KEY
    assert form.api_key.echoMode() is QLineEdit.EchoMode.Password
    assert KEY not in form.api_key.displayText()
    tap(qtbot, window, "Show the key")
    assert form.api_key.echoMode() is QLineEdit.EchoMode.Normal
    assert form.api_key.displayText() == KEY
    tap(qtbot, window, "Hide the key")
    assert form.api_key.echoMode() is QLineEdit.EchoMode.Password
    tap_field(qtbot, form.store_name)
    press(qtbot, keypad, "Harbour Rd")  # a name takes the space key
    assert form.store_name.text() == "Harbour Rd"
    tap(qtbot, window, "Test connection")
    qtbot.waitUntil(lambda: "Connected" in form.test_result.text(), timeout=10_000)
    tap(qtbot, window, "Next: choose a PIN")
    assert window.current_page() is Page.PIN


def test_the_keypads_symbols_reach_every_character_a_key_may_hold(qtbot: QtBot) -> None:
    field = QLineEdit()
    keypad = Keypad()
    qtbot.addWidget(field)
    qtbot.addWidget(keypad)
    from kiosk.ui.keypad import KEY_CHARS, KeyLayout, key_allowed

    keypad.attach(field, KeyLayout.FULL, key_allowed)
    keypad.show_for(field)
    typed = "".join(sorted(KEY_CHARS))
    press(qtbot, keypad, typed)
    assert field.text() == typed


def test_paste_from_the_keypad_and_ctrl_v(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QApplication

    window = first_run(make_window, sim, tmp_path)
    form, keypad = window.setup_page.form, window.setup_page.keypad
    QApplication.clipboard().setText(STORE)
    tap_field(qtbot, form.store_id)
    qtbot.mouseClick(keypad.action_keys["hex"]["paste"], Qt.MouseButton.LeftButton)
    assert form.store_id.text() == STORE
    QApplication.clipboard().setText(KEY)
    form.api_key.setFocus()
    qtbot.keyClick(form.api_key, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert form.api_key.text() == KEY
    QApplication.clipboard().clear()


@pytest.mark.parametrize("field", ["store_id", "api_key"])
def test_test_connection_stays_in_the_window_at_800x480_with_the_keypad_up(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, tmp_path: Path, field: str
) -> None:
    window = first_run(make_window, sim, tmp_path, size=(800, 480))
    page = window.setup_page
    tap_field(qtbot, getattr(page.form, field))
    qtbot.waitUntil(lambda: page.keypad.isVisible())
    qtbot.waitUntil(lambda: in_window(window, page.keypad))
    for widget in (page.form.test_button, page.next_button, page.leave_button):
        assert in_window(window, widget), widget.accessibleName()
        assert widget.height() >= 64 and widget.width() >= 64  # still touch sized
    keys = [k for k in page.keypad.findChildren(QWidget) if k.objectName() == "Key"]
    assert all(k.height() >= 64 and k.width() >= 64 for k in keys if k.isVisible())
    target = getattr(page.form, field)
    viewport = page.scroll_area.viewport()
    qtbot.waitUntil(
        lambda: viewport.rect().contains(QRect(target.mapTo(viewport, QPoint(0, 0)), target.size()))
    )


def test_settings_test_connection_in_view_at_800x480(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window(size=(800, 480))
    open_settings(qtbot, window)
    page = window.settings_page
    tap_field(qtbot, page.form.api_key)
    qtbot.waitUntil(lambda: page.keypad.isVisible() and in_window(window, page.keypad))
    assert in_window(window, page.form.test_button)
    assert in_window(window, find(window, "Save settings"))


def test_the_error_goes_when_the_field_is_fixed(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, tmp_path: Path
) -> None:
    window = first_run(make_window, sim, tmp_path)
    page = window.setup_page
    tap(qtbot, window, "Next: choose a PIN")
    assert "Enter the store id" in page.error.text() and page.error.isVisible()
    tap_field(qtbot, page.form.store_id)
    press(qtbot, page.keypad, STORE[:8])  # still not an id: the message stays
    assert page.error.isVisible()
    press(qtbot, page.keypad, STORE[8:])
    assert not page.error.isVisible()
    page.form.api_url.setText("ftp://nowhere")
    tap(qtbot, window, "Next: choose a PIN")
    assert "API URL" in page.error.text()
    page.form.store_name.setText("typing elsewhere")  # another field: the message stays
    assert page.error.isVisible()
    page.form.api_url.setText(sim.base_url)
    assert not page.error.isVisible()


def test_unauthorized_is_said_once_and_no_message_ends_with_paren_dot(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, tmp_path: Path
) -> None:
    window = first_run(make_window, sim, tmp_path)
    form = window.setup_page.form
    form.store_id.setText(STORE)
    form.api_key.setText("sk_mistyped_key")
    tap(qtbot, window, "Test connection")
    qtbot.waitUntil(lambda: "refused" in form.test_result.text(), timeout=10_000)
    text = form.test_result.text()
    assert text.count("Unauthorized") == 1
    assert ".)." not in text
    form.store_id.setText(UNKNOWN_STORE)
    form.api_key.setText(KEY)
    tap(qtbot, window, "Test connection")
    qtbot.waitUntil(lambda: "does not know" in form.test_result.text(), timeout=10_000)
    assert ".)." not in form.test_result.text()
    form.store_id.setText("nope")
    tap(qtbot, window, "Test connection")
    assert ".)." not in form.test_result.text() and form.test_result.text()


def test_close_from_first_run_setup_asks_first(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, tmp_path: Path
) -> None:
    window = first_run(make_window, sim, tmp_path)
    page = window.setup_page
    tap(qtbot, window, "Close set-up")
    assert page.confirm.isVisible()
    tap(qtbot, window, "Keep setting up")
    assert not page.confirm.isVisible() and window.current_page() is Page.SETUP
    tap(qtbot, window, "Close set-up")
    with qtbot.waitSignals([page.quit_requested, window.closed_by_manager], timeout=1_000):
        tap(qtbot, window, "Yes, close the kiosk")
    assert not window.isVisible()
    assert window.closed_on_purpose  # exit 0: the autostart keeps it closed this session
    assert not (tmp_path / "config.toml").exists()  # nothing saved


def test_back_from_setup_leaves_without_saving(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, tmp_path: Path
) -> None:
    window = first_run(make_window, sim, tmp_path)
    window.setup_page.load(window.config, can_go_back=True)
    window.setup_page.form.store_id.setText(STORE)
    with qtbot.waitSignal(window.setup_page.cancelled, timeout=1_000):
        tap(qtbot, window, "Back from set-up")
    assert window.current_page() is Page.HOME
    assert not (tmp_path / "config.toml").exists()


def test_a_mistyped_key_is_refused_and_the_old_key_stays_in_the_real_keyring(
    make_window: MakeWindow,
    qtbot: QtBot,
    sim: Simulator,
    keystore: OsKeyStore,
    tmp_path: Path,
) -> None:
    keystore.set(KEY)
    window = make_window(keystore=keystore)
    open_settings(qtbot, window)
    page = window.settings_page
    page.form.api_key.setText("sk_mistyped_kiosk_key")
    page.form.store_name.setText("Harbour Road")
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: "refused the new API key" in page.error.text(), timeout=10_000)
    assert window.current_page() is Page.SETTINGS
    assert keystore.get() == KEY  # the working key was never replaced
    assert not (tmp_path / "config.toml").exists()  # nor the settings
    assert window.config.stores[0].name == "Main Street"
    page.form.api_key.setText(KEY)  # fixed: the message goes
    assert not page.error.isVisible()
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: window.current_page() is Page.HOME, timeout=10_000)
    assert keystore.get() == KEY
    assert tomllib.loads((tmp_path / "config.toml").read_text())["stores"][0]["name"] == (
        "Harbour Road"
    )
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.ONLINE, timeout=10_000)


def test_an_unknown_store_or_no_connection_keeps_the_old_settings(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path, sim: Simulator
) -> None:
    window = make_window()
    open_settings(qtbot, window)
    page = window.settings_page
    page.form.store_id.setText(UNKNOWN_STORE)
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: "does not know this store" in page.error.text(), timeout=10_000)
    assert window.current_page() is Page.SETTINGS
    page.form.store_id.setText(STORE)
    page.form.api_url.setText("http://127.0.0.1:9")  # nothing listens there
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: "no connection to Gett" in page.error.text(), timeout=10_000)
    assert window.current_page() is Page.SETTINGS
    assert not (tmp_path / "config.toml").exists()
    assert window.config.api_url == sim.base_url
    tap(qtbot, window, "Cancel settings")
    assert window.current_page() is Page.HOME


def test_settings_it_set_are_locked_and_save_keeps_them(
    make_window: MakeWindow, qtbot: QtBot, config: Config, tmp_path: Path
) -> None:
    managed = with_managed(
        config, "poll_interval_seconds", "api_url", "stores", "ui.sound", "ui.language"
    )
    window = make_window(managed)
    open_settings(qtbot, window)
    page = window.settings_page
    note = "Set by your IT department"
    for key in ("poll_interval_seconds", "ui.language"):
        assert page.locks[key].locked and page.locks[key].note.text.text() == note
        assert not page.locks[key].control.isEnabled()
    assert not find(window, "Check Gett every: less").isEnabled()
    assert not page.form.api_url.isEnabled() and not page.form.store_id.isEnabled()
    assert not page.form.add_store.isVisible() and page.form.stores_note.isVisible()
    assert not page.kitchen.sound.isEnabled() and page.kitchen.locks["ui.sound"].locked
    assert not page.locks["ui.fullscreen"].locked  # what IT did not set stays open
    page.form.api_url.setFocus()
    page.keypad.show_for(page.form.api_url)
    assert not page.keypad.isVisible()  # no keypad for a locked field
    # Whatever reaches the widgets, Save writes IT's values back as they were.
    page.poll.step(-1)
    page.language.set_value("he")
    page.kitchen.sound.setChecked(False)
    page.form.api_url.setText("https://elsewhere.example")
    tap(qtbot, window, "Usual pause for Too busy: more")  # not managed: saved
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: window.current_page() is Page.HOME, timeout=10_000)
    saved = window.config
    assert saved.poll_interval_seconds == config.poll_interval_seconds
    assert saved.api_url == config.api_url
    assert saved.ui.sound is config.ui.sound and saved.ui.language == "system"
    assert saved.stores == config.stores
    assert saved.ui.reason_minutes != config.ui.reason_minutes


def test_the_language_picker_shows_native_names_and_saves(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window()
    open_settings(qtbot, window)
    language = window.settings_page.language
    assert language.value_label.text() == "Same as this PC"
    shown = []
    for _ in range(4):
        tap(qtbot, window, "Language: more")
        shown.append(language.value_label.text())
    assert shown == ["English", "עברית", "العربية", "Русский"]
    tap(qtbot, window, "Language: less")
    tap(qtbot, window, "Language: less")  # עברית
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: window.current_page() is Page.HOME, timeout=10_000)
    saved = tomllib.loads((tmp_path / "config.toml").read_text())
    assert saved["ui"]["language"] == "he"
    assert window.config.ui.language == "he"


@pytest.mark.parametrize("language", ["en", "he", "ar", "ru"])
def test_keys_and_the_top_row_fit_at_800x480_in_every_language(qtbot: QtBot, language: str) -> None:
    from kiosk.core import i18n
    from kiosk.ui.settings_dialog import SettingsPage
    from kiosk.ui.setup_screen import SetupPage
    from kiosk.ui.tasks import TaskRunner
    from kiosk.ui.theme import Theme

    i18n.use(language)
    try:
        theme, tasks = Theme(), TaskRunner()
        for build in (
            lambda: SetupPage(MemoryKeyStore(None), tasks, theme=theme),
            lambda: SettingsPage(theme, MemoryKeyStore(KEY), tasks),
        ):
            root = QWidget()
            root.setStyleSheet(theme.stylesheet(0.8))  # the window's scale at 800x480
            page = build()
            page.setParent(root)
            qtbot.addWidget(root)
            root.resize(800, 480)
            page.resize(800, 480)
            root.show()
            page.load(Config())
            for field in (page.form.store_id, page.form.api_key):
                tap_field(qtbot, field)
                qtbot.waitUntil(lambda r=root, p=page: in_window(r, p.keypad))
                for key in page.keypad.findChildren(QWidget):
                    if key.objectName() != "Key" or not key.isVisible():
                        continue
                    text = key.text()  # type: ignore[attr-defined]
                    room = key.width() - 8  # (2 px padding and 2 px border a side)
                    assert key.fontMetrics().horizontalAdvance(text) <= room, (language, text)
                assert in_window(root, page.form.test_button)
                button = page.form.test_button
                room = button.width() - 24
                assert button.fontMetrics().horizontalAdvance(button.text()) <= room
        assert tasks.wait()
    finally:
        i18n.use("en")


def test_keys_that_came_up_under_the_finger_take_no_tap_for_a_moment(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, tmp_path: Path
) -> None:
    from PySide6.QtTest import QTest

    from kiosk.ui.tap_guard import GUARD_SECONDS
    from tests.ui.test_kitchen import WAIT_OUT_MS

    window = first_run(make_window, sim, tmp_path, tap_guard_seconds=GUARD_SECONDS)
    QTest.qWait(WAIT_OUT_MS)  # (the set-up page just came up)
    keypad = window.setup_page.keypad
    tap_field(qtbot, window.setup_page.form.store_id)
    assert keypad.isVisible()
    qtbot.mouseClick(keypad.visible_key("3"), Qt.MouseButton.LeftButton)  # a double tap's 2nd
    assert window.setup_page.form.store_id.text() == ""
    QTest.qWait(WAIT_OUT_MS)
    qtbot.mouseClick(keypad.visible_key("3"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(keypad.visible_key("f"), Qt.MouseButton.LeftButton)  # typing is not slowed
    assert window.setup_page.form.store_id.text() == "3f"


def test_an_added_store_gett_does_not_know_is_named_and_nothing_is_saved(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window()
    open_settings(qtbot, window)
    page = window.settings_page
    tap(qtbot, window, "Add a store")
    page.form.rows[1].id.setText(UNKNOWN_STORE)
    page.form.rows[1].name.setText("Pizza Nonna")
    page.form.api_key.setText(KEY)  # a new key: every store is checked with it
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: "Pizza Nonna" in page.error.text(), timeout=10_000)
    assert "does not know the id of Pizza Nonna" in page.error.text()
    assert window.current_page() is Page.SETTINGS
    assert not (tmp_path / "config.toml").exists()
    assert len(window.config.stores) == 1


def test_each_kind_of_failure_is_said_plainly_once() -> None:
    from kiosk.core.errors import (
        AuthRejected,
        ConnectionFailed,
        KeyForbidden,
        RequestTimedOut,
        ServerError,
        StoreNotFound,
    )
    from kiosk.ui.settings_dialog import Problem, _failure, refusal

    cases = [
        (AuthRejected("Unauthorized: Unauthorized", status_code=401), Problem.KEY),
        (KeyForbidden("Forbidden: Forbidden", status_code=403), Problem.KEY),
        (StoreNotFound("Not Found: Not Found", status_code=404), Problem.STORE),
        (ConnectionFailed("refused"), Problem.CONNECTION),
        (RequestTimedOut("slow", request_sent=True), Problem.CONNECTION),
        (ServerError("Service Unavailable", status_code=503), Problem.OTHER),
    ]
    for error, problem in cases:
        result = _failure(error)
        assert not result.ok and result.problem is problem, error
        for text in (result.message, refusal(result)):
            assert ".)." not in text and text.endswith("."), text
            assert text.count("Unauthorized") <= 1 and text.count("Forbidden") <= 1, text
    assert "Unauthorized" in _failure(cases[0][0]).message
