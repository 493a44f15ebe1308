"""Night mode on the real window: the status screen dims when left alone, a touch wakes it
without pressing what is under the finger, and an alert (Gett unreachable) wakes it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config
from kiosk.simulator.server import Simulator
from kiosk.ui.main_window import Page
from kiosk.ui.tap_guard import GUARD_SECONDS
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


def test_a_double_tap_that_wakes_the_screen_presses_nothing(
    make_window: MakeWindow, qtbot: QtBot, clock: FakeClock, config: Config
) -> None:
    """The first tap wakes the dimmed screen; the second, 150 ms later on the same spot, lands
    on a button the veil hid a moment ago: it is refused like any control just shown."""
    window = make_window(with_ui(config, night_dim_minutes=2), tap_guard_seconds=GUARD_SECONDS)
    settle(window, qtbot, clock, 121)
    assert window.night.isVisible()
    QTest.qWait(int(GUARD_SECONDS * 1000) + 50)  # the last status's buttons are old news now
    button = find(window, "Pause: Too busy")
    at = button.mapTo(window.night.parentWidget(), QPoint(button.width() // 2, 20))
    qtbot.mouseClick(window.night, Qt.MouseButton.LeftButton, pos=at)
    assert not window.night.isVisible()
    QTest.qWait(150)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.current_page() is Page.HOME  # the reason was not taken
