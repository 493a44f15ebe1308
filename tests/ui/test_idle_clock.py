"""The window's clock sleeps while nothing on screen can change: a kiosk left alone on its home
screen wakes about once a minute (the clock's minute), not every second; a page that counts
seconds, or a change on its way, ticks every second. Real window, simulator, fake clock.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.ui.main_window import MainWindow, Page
from tests.helpers.fakes import FakeClock
from tests.ui.conftest import MakeWindow, settle, tap


def test_left_alone_on_home_it_sleeps_until_the_next_minute(
    make_window: MakeWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    clock.advance(15.5)  # 12:00:15.5, confirmed then: nothing changes before 12:01:00
    window = make_window(tick_ms=None)
    assert window.current_page() is Page.HOME
    assert window.tick_timer.isActive() and window.tick_timer.isSingleShot()
    assert 44_000 <= window.tick_timer.remainingTime() <= 44_600

    # Gett is read again at 12:01:00.5 (the poll): it sleeps until 12:02:00.
    settle(window, qtbot, clock, 45)
    assert 59_000 <= window.tick_timer.remainingTime() <= 59_600

    # With no answer, it wakes when the status goes stale (90 s after the last answer).
    clock.advance(59.75)  # 12:02:00.25
    window.on_tick_timer_timeout()
    assert 30_000 <= window.tick_timer.remainingTime() <= 30_300


def test_pages_that_count_seconds_and_changes_on_their_way_tick_every_second(
    make_window: MakeWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    clock.advance(0.5)  # (a clock exactly on a minute wakes at once: the minute turns then)
    window = make_window(tick_ms=None)
    tap(qtbot, window, "Manager")
    assert window.current_page() is Page.PIN
    assert window.tick_timer.remainingTime() <= 1000
    tap(qtbot, window, "Cancel PIN")
    assert window.current_page() is Page.HOME
    assert window.tick_timer.remainingTime() > 1000

    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause until I resume")
    assert window.current_page() is Page.HOME
    assert window.tick_timer.remainingTime() <= 1000  # "Pausing..." until Gett confirms
    qtbot.waitUntil(lambda: confirmed_paused(window), timeout=10_000)
    clock.advance(0.25)  # (a frozen clock on the very instant of the pause wakes at once)
    window.on_tick_timer_timeout()
    assert window.tick_timer.remainingTime() > 1000


def confirmed_paused(window: MainWindow) -> bool:
    view = window.store_view()
    if view is None or view.pending is not None or view.confirmed is None:
        return False
    return view.confirmed.is_paused
