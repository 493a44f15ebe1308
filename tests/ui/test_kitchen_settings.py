"""Item 3 of issue 10's second round: the [ui] keys that were config-only, and each store's
closing time, set on the settings page by real taps, saved to the real file, applied at once."""

from __future__ import annotations

import tomllib
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config
from kiosk.ui.main_window import Page
from tests.ui.conftest import PIN, MakeWindow, tap, with_ui
from tests.ui.test_manager import enter_pin


def test_kitchen_settings_are_set_by_taps_saved_and_applied(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path, config: Config
) -> None:
    window = make_window(with_ui(config, support_phone=""))
    tap(qtbot, window, "Manager")
    enter_pin(qtbot, window, PIN)
    assert window.current_page() is Page.SETTINGS
    tap(qtbot, window, "Alert sounds")  # on -> off
    tap(qtbot, window, "Sound volume: less")  # 80 -> 70
    tap(qtbot, window, "Quiet hours: more")  # none -> 21:00-07:00
    tap(qtbot, window, "Back to the status after: more")  # 30 -> 45 s
    tap(qtbot, window, "Dim the screen after: less")  # 10 -> 5 min
    for _ in range(2):
        tap(qtbot, window, "Closing time of Main Street: more")  # not set -> 17:00 -> 17:30
    phone = window.settings_page.kitchen.phone
    phone.setFocus()
    qtbot.keyClicks(phone, "call me")  # not a phone number: refused in words, nothing saved
    tap(qtbot, window, "Save settings")
    assert window.current_page() is Page.SETTINGS
    assert "is not a phone number" in window.settings_page.error.text()
    assert not (tmp_path / "config.toml").exists()
    phone.selectAll()
    qtbot.keyClicks(phone, "+44 20 7946 0000")
    qtbot.keyClick(phone, Qt.Key.Key_Tab)
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: window.current_page() is Page.HOME, timeout=10_000)
    saved = tomllib.loads((tmp_path / "config.toml").read_text())
    ui = saved["ui"]
    assert (ui["sound"], ui["sound_volume"], ui["quiet_hours"]) == (False, 70, "21:00-07:00")
    assert (ui["idle_return_seconds"], ui["night_dim_minutes"]) == (45, 5)
    assert ui["support_phone"] == "+44 20 7946 0000"
    assert saved["stores"][0]["closing"] == "17:30"
    # applied without a restart
    assert window.state.idle_return_seconds == 45 and window.state.dim_after_seconds == 300
    assert window.state.support_phone == "+44 20 7946 0000"
    assert window.config.stores[0].closing == "17:30"
    # and read back into the page next time
    tap(qtbot, window, "Manager")
    enter_pin(qtbot, window, PIN)
    kitchen = window.settings_page.kitchen
    assert kitchen.dim.value() == 5 and not kitchen.sound.isChecked()
    assert kitchen.closing[window.config.stores[0].id].value() == "17:30"
