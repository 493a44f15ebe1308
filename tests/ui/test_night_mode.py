"""Night mode on the real window: the status screen dims when left alone, a touch wakes it
without pressing what is under the finger, and an alert (Gett unreachable) wakes it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config
from kiosk.simulator.server import Simulator
from kiosk.ui.main_window import Page
from tests.helpers.fakes import FakeClock
from tests.ui.conftest import MakeWindow, find, settle, with_ui
from tests.ui.test_honesty import go_offline


def test_dims_when_idle_a_touch_wakes_without_pressing_and_an_alert_wakes(
    make_window: MakeWindow, qtbot: QtBot, clock: FakeClock, config: Config, sim: Simulator
) -> None:
    window = make_window(with_ui(config, night_dim_minutes=2))
    window.on_tick_timer_timeout()
    assert not window.night.isVisible()
    settle(window, qtbot, clock, 121)  # Gett polled as usual; nobody touched the screen
    assert window.night.isVisible()
    # The touch lands where "Too busy" is: it wakes the screen and presses nothing.
    button = find(window, "Pause: Too busy")
    at = button.mapTo(window.night.parentWidget(), QPoint(button.width() // 2, 20))
    qtbot.mouseClick(window.night, Qt.MouseButton.LeftButton, pos=at)
    assert not window.night.isVisible()
    assert window.current_page() is Page.HOME
    assert window.host is not None and window.store_view() is not None
    assert window.store_view().pending is None  # (no pause was asked for)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # now the same place works
    assert window.current_page() is Page.RESUME
    window.go_home()
    settle(window, qtbot, clock, 121)
    assert window.night.isVisible()
    go_offline(window, qtbot, sim)  # an alert: Gett cannot be reached
    assert not window.night.isVisible()
