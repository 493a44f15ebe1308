"""Pause in two taps, resume in one, extend: by tapping the real buttons against the simulator."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Outbox
from kiosk.simulator.server import Simulator
from kiosk.ui.main_window import Page
from kiosk.ui.screen_state import ScreenState
from kiosk.ui.view_model import Fill, StateKind
from tests.helpers.fakes import FakeClock
from tests.ui.conftest import STORE, MakeWindow, find, tap

NOON = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def sim_state(sim: Simulator) -> StoreStatus:
    return sim.state(STORE)


def test_starts_online_and_offers_the_reasons(make_window: MakeWindow) -> None:
    window = make_window()
    assert window.indicator().kind is StateKind.ONLINE
    assert window.home.status_panel.headline.text() == "ONLINE"
    for reason in PauseReason:
        assert find(window, f"Pause: {reason.label}").isVisible()
    assert "Connected to Gett · last confirmed 12:00" in window.home.connection_line.text()


@pytest.mark.parametrize("minutes", [15, 30, 45, 60, 90])
def test_pause_with_a_preset(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, minutes: int
) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Too busy")
    assert window.current_page() is Page.RESUME
    tap(qtbot, window, f"Pause for {minutes} minutes")
    assert window.current_page() is Page.HOME
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=5000)
    assert sim_state(sim).resume_at == NOON + timedelta(minutes=minutes)
    assert sim_state(sim).reason == PauseReason.TOO_BUSY
    hours, rest = divmod(minutes, 60)
    left = f"{minutes} min" if minutes < 60 else (f"{hours} h {rest:02d} min" if rest else "1 h")
    when = (NOON + timedelta(minutes=minutes)).strftime("%H:%M")
    assert f"Resumes at {when} (in {left})" in window.home.status_panel.details.text()
    assert find(window, "Resume now").isVisible()


def test_the_suggested_duration_is_marked_and_is_one_tap(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator
) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Staff shortage")  # default 60 minutes
    suggested = find(window, "Pause for 60 minutes")
    assert suggested.property("suggested") is True
    assert suggested.text().startswith("★")
    assert find(window, "Pause for 30 minutes").property("suggested") is not True
    tap(qtbot, window, "Pause for 60 minutes")
    qtbot.waitUntil(lambda: sim_state(sim).is_paused, timeout=5000)


def test_a_tap_shows_feedback_before_the_worker_answers(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Other")
    tap(qtbot, window, "Pause for 30 minutes")
    # No event loop turn yet: the local tap alone already changes what the panel says.
    assert window.home.status_panel.indicator is not None
    assert window.home.status_panel.indicator.kind is StateKind.PAUSING
    assert window.home.status_panel.indicator.fill is Fill.STRIPED
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=5000)


def test_pause_until_end_of_day(make_window: MakeWindow, qtbot: QtBot, sim: Simulator) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Maintenance")
    tap(qtbot, window, "Pause until end of day")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=5000)
    assert sim_state(sim).resume_at == datetime(2026, 1, 16, 0, 0, tzinfo=UTC)
    assert "Resumes at tomorrow 00:00" in window.home.status_panel.details.text()


def test_pause_until_i_resume(make_window: MakeWindow, qtbot: QtBot, sim: Simulator) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Operational issues")
    tap(qtbot, window, "Pause until I resume")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=5000)
    assert sim_state(sim).resume_at is None
    assert "Until you resume" in window.home.status_panel.details.text()
    assert not find(window, "Change pause").isHidden()
    # No end time: nothing to extend.
    assert window.home.extend_button.isHidden()


def test_pause_at_a_custom_time_with_steppers(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator
) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pick a custom time")
    assert window.current_page() is Page.CUSTOM
    assert window.custom_picker.hour_label.text() == "12"
    assert window.custom_picker.minute_label.text() == "30"
    tap(qtbot, window, "Later by 1 hour")
    tap(qtbot, window, "Earlier by 5 minutes")
    assert "in 1 h 25 min" in window.custom_picker.preview.text()
    tap(qtbot, window, "Pause until custom time")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=5000)
    assert sim_state(sim).resume_at == NOON + timedelta(hours=1, minutes=25)


def test_custom_time_past_midnight_means_tomorrow(
    make_window: MakeWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pick a custom time")
    for _ in range(12):
        tap(qtbot, window, "Earlier by 1 hour")  # 12:30 -> 00:30, already past today
    assert window.custom_picker.resume_at() == datetime(2026, 1, 16, 0, 30, tzinfo=UTC)
    assert "tomorrow 00:30" in window.custom_picker.confirm.text()


def test_back_leaves_without_pausing(make_window: MakeWindow, qtbot: QtBot, sim: Simulator) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pick a custom time")
    tap(qtbot, window, "Back to durations")
    assert window.current_page() is Page.RESUME
    tap(qtbot, window, "Back")
    assert window.current_page() is Page.HOME
    assert sim_state(sim).is_online
    assert window.indicator().kind is StateKind.ONLINE


def test_resume_in_one_tap(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> None:
    sim.set_state(STORE, StoreStatus(StoreState.PAUSED, PauseReason.OTHER, clock.now(), None))
    window = make_window()
    assert window.indicator().kind is StateKind.PAUSED
    tap(qtbot, window, "Resume now")
    assert window.home.status_panel.indicator is not None
    assert window.home.status_panel.indicator.kind is StateKind.RESUMING
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.ONLINE, timeout=5000)
    assert sim_state(sim).is_online


def test_extend_adds_fifteen_minutes(make_window: MakeWindow, qtbot: QtBot, sim: Simulator) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause for 30 minutes")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=5000)
    tap(qtbot, window, "Extend pause by 15 minutes")
    qtbot.waitUntil(lambda: sim_state(sim).resume_at == NOON + timedelta(minutes=45), timeout=5000)
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=5000)
    assert "Resumes at 12:45 (in 45 min)" in window.home.status_panel.details.text()
    assert sim_state(sim).reason == PauseReason.TOO_BUSY


def test_change_pause_from_the_paused_screen(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator
) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause until I resume")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=5000)
    tap(qtbot, window, "Change pause")
    # Straight to the new end: the reason is kept unless asked to change it.
    assert window.current_page() is Page.RESUME
    assert "Too busy" in window.resume_picker.title.text()
    tap(qtbot, window, "Change the reason")
    assert window.current_page() is Page.REASONS
    tap(qtbot, window, "Pause: Staff shortage")
    tap(qtbot, window, "Pause for 90 minutes")
    qtbot.waitUntil(lambda: sim_state(sim).reason == PauseReason.STAFF_SHORTAGE, timeout=5000)


def test_change_pause_changes_only_the_end_in_one_tap(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator
) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Maintenance")
    tap(qtbot, window, "Pause until I resume")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=5000)
    tap(qtbot, window, "Change pause")
    tap(qtbot, window, "Pause for 45 minutes")
    qtbot.waitUntil(lambda: sim_state(sim).resume_at is not None, timeout=5000)
    assert sim_state(sim).reason == PauseReason.MAINTENANCE


def test_until_closing_uses_the_store_closing_time_past_midnight(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, config: Config
) -> None:
    late = replace(config, stores=(replace(config.stores[0], closing="02:30"),))
    window = make_window(late)
    tap(qtbot, window, "Pause: Too busy")
    assert find(window, "Pause until end of day").text() == "Until closing\nuntil tomorrow 02:30"
    tap(qtbot, window, "Pause until end of day")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=5000)
    assert sim_state(sim).resume_at == datetime(2026, 1, 16, 2, 30, tzinfo=UTC)


def test_without_a_closing_time_midnight_is_named_as_such(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Too busy")
    text = find(window, "Pause until end of day").text()
    assert text == "Until midnight\nno closing time set"


def test_every_control_has_an_accessible_name(make_window: MakeWindow) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLineEdit

    window = make_window()
    for widget in [*window.findChildren(QAbstractButton), *window.findChildren(QLineEdit)]:
        assert widget.accessibleName(), f"unnamed control: {widget!r} {widget.text()!r}"


@pytest.mark.parametrize("size", [(1280, 800), (800, 480), (800, 1280), (1920, 1080)])
def test_touch_targets_are_at_least_64_px_on_every_page(
    make_window: MakeWindow, qtbot: QtBot, size: tuple[int, int]
) -> None:
    from PySide6.QtWidgets import QAbstractButton

    window = make_window()
    window.resize(*size)
    small: list[str] = []
    checked = 0
    for page in Page:
        window.show_page(page)
        for _ in range(3):
            qtbot.wait(0)  # let the layout settle after the page change (no timed wait)
        visible = [b for b in window.findChildren(QAbstractButton) if b.isVisible()]
        assert visible, f"no buttons on {page.value}?"
        checked += len(visible)
        for button in visible:
            if min(button.width(), button.height()) < 64:
                small.append(f"{page.value}: {button.accessibleName()} {button.size().toTuple()}")
    assert not small, "\n".join(small)
    assert checked >= 40  # every page was really looked at


def test_a_tap_another_process_replaced_before_the_worker_took_it_is_not_left_spinning(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, config: Config, clock: FakeClock
) -> None:
    """Saved by the tap writer while the worker is stuck in a read; `kiosk resume` replaces
    it; then the worker takes it in: the screen says it was replaced, and stops "saving"."""
    window = make_window()
    sim.faults.latency(60, method="GET")
    assert window.host is not None
    window.host.refresh_requested.emit()
    assert sim.wait_for_held(1, timeout=5)  # the worker waits on that read
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause for 30 minutes")
    qtbot.waitUntil(
        lambda: (t := window.state.local_taps.get(STORE)) is not None and t.intent_id is not None,
        timeout=5000,
    )  # saved: the writer answered the tap by its id
    with Outbox(config.data_dir, clock=clock, owner="cli-test") as other:
        other.enqueue(STORE, StoreStatusUpdate.resume(), origin="cli")
    sim.faults.clear()  # the read comes back; the worker takes the saved tap in
    panel = window.home.status_panel
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.ONLINE, timeout=10_000)
    assert "Saving your change" not in panel.details.text()
    assert "Your change was replaced by a newer change" in panel.details.text()
    assert sim_state(sim).is_online  # the pause was never sent


def test_the_tap_writers_answers_are_handled_on_the_ui_thread(
    make_window: MakeWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen state is the UI thread's alone: the writer's answers come to it queued."""
    threads: list[threading.Thread] = []
    saved = ScreenState.tap_saved

    def spy(self: ScreenState, *args: Any) -> None:
        threads.append(threading.current_thread())
        saved(self, *args)

    monkeypatch.setattr(ScreenState, "tap_saved", spy)
    window = make_window()
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause for 30 minutes")
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    assert threads == [threading.main_thread()]
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=5000)
