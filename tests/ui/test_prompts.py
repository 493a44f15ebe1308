"""The heads-up before an auto-resume and the reminder about a pause with no end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from kiosk.core.config import Config
from kiosk.core.models import PauseReason
from kiosk.simulator.server import Simulator
from kiosk.ui.main_window import MainWindow
from kiosk.ui.view_model import StateKind
from tests.helpers.fakes import FakeClock
from tests.ui.conftest import STORE, MakeWindow, settle, tap, with_ui

NOON = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def paused_for(window: MainWindow, qtbot: QtBot, choice: str) -> None:
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, choice)
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)


def test_heads_up_keep_paused_adds_fifteen_minutes(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> None:
    window = make_window()
    paused_for(window, qtbot, "Pause for 15 minutes")
    settle(window, qtbot, clock, 12 * 60)  # 3 minutes left: not yet
    assert not window.heads_up.isVisible()
    settle(window, qtbot, clock, 90)  # 90 s left
    assert window.heads_up.isVisible()
    assert "12:15" in window.heads_up.body.text()
    tap(qtbot, window, "Keep paused 15 more minutes")
    assert not window.heads_up.isVisible()
    qtbot.waitUntil(
        lambda: sim.state(STORE).resume_at == NOON + timedelta(minutes=30), timeout=10_000
    )
    assert sim.state(STORE).reason == PauseReason.TOO_BUSY


def test_a_heads_up_due_while_a_menu_was_open_shows_on_coming_home(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> None:
    """The window's clock sleeps between minutes: coming back from a menu must not wait for
    it to open a heads-up that came due meanwhile."""
    window = make_window()
    paused_for(window, qtbot, "Pause for 15 minutes")
    settle(window, qtbot, clock, 12 * 60)
    window.open_log()  # a menu covers home while the two-minute mark passes
    clock.advance(90)
    window.go_home()
    assert window.heads_up.isVisible()


def test_heads_up_resume_now(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> None:
    window = make_window()
    paused_for(window, qtbot, "Pause for 15 minutes")
    settle(window, qtbot, clock, 14 * 60)
    tap(qtbot, window, "Resume now (heads-up)")
    qtbot.waitUntil(lambda: sim.state(STORE).is_online, timeout=10_000)
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.ONLINE, timeout=10_000)


def test_heads_up_resume_as_planned_is_shown_once(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> None:
    window = make_window()
    paused_for(window, qtbot, "Pause for 15 minutes")
    settle(window, qtbot, clock, 13 * 60 + 30)
    tap(qtbot, window, "Resume as planned")
    settle(window, qtbot, clock, 30)
    assert not window.heads_up.isVisible()
    assert sim.state(STORE).is_paused
    settle(window, qtbot, clock, 62)  # Gett resumes the store by itself
    assert window.indicator().kind is StateKind.ONLINE


def test_forgotten_pause_reminder_repeats_until_resumed(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock, config: Config
) -> None:
    window = make_window(with_ui(config, forgotten_pause_minutes=30))
    paused_for(window, qtbot, "Pause until I resume")
    settle(window, qtbot, clock, 29 * 60)
    assert not window.reminder.isVisible()
    settle(window, qtbot, clock, 2 * 60)
    assert window.reminder.isVisible()
    assert "Paused since 12:00 (31 min) with no end time" in window.reminder.body.text()
    tap(qtbot, window, "Keep paused (reminder)")
    settle(window, qtbot, clock, 5 * 60)
    assert not window.reminder.isVisible()
    settle(window, qtbot, clock, 6 * 60)  # 10 minutes after "keep paused": again
    assert window.reminder.isVisible()
    tap(qtbot, window, "Resume now (reminder)")
    qtbot.waitUntil(lambda: sim.state(STORE).is_online, timeout=10_000)
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.ONLINE, timeout=10_000)
    window.on_tick_timer_timeout()
    assert not window.reminder.isVisible()


def test_no_reminder_for_a_timed_pause(
    make_window: MakeWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    window = make_window()
    paused_for(window, qtbot, "Pause for 90 minutes")
    settle(window, qtbot, clock, 45 * 60)
    assert not window.reminder.isVisible()
