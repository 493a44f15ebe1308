"""The in-between states: offline, changed elsewhere, a rejected key, an old confirmation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config
from kiosk.core.keystore import MemoryKeyStore
from kiosk.core.models import PauseReason, StoreState, StoreStatus
from kiosk.core.sync import Link
from kiosk.simulator.server import Simulator
from kiosk.ui.main_window import MainWindow, Page
from kiosk.ui.view_model import Fill, StateKind
from tests.helpers.fakes import FakeClock
from tests.ui.conftest import STORE, MakeWindow, find, settle, tap


def wait_attempted(window: MainWindow, qtbot: QtBot) -> None:
    """Until the worker has tried (and failed) to send the waiting change at least once."""

    def attempted() -> bool:
        view = window.store_view()
        return view is not None and view.pending is not None and view.pending.attempts > 0

    qtbot.waitUntil(attempted, timeout=10_000)


def go_offline(window: MainWindow, qtbot: QtBot, sim: Simulator) -> None:
    sim.go_down()
    assert window.host is not None
    window.host.refresh_requested.emit()
    qtbot.waitUntil(lambda: window.current_screen().connection.link is Link.OFFLINE, timeout=10_000)


def test_offline_pause_waits_then_is_confirmed_on_reconnect(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator
) -> None:
    window = make_window()
    go_offline(window, qtbot, sim)
    assert window.home.offline_banner.isVisible()
    assert "Changes you make will be sent" in window.home.offline_banner.text.text()
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause for 30 minutes")
    wait_attempted(window, qtbot)
    indicator = window.indicator()
    assert indicator.kind is StateKind.PAUSING
    assert indicator.fill is Fill.STRIPED
    assert window.home.status_panel.headline.text() == "PAUSING…"
    assert window.home.status_panel.subheadline.text() == "Not confirmed yet"
    assert "No connection to Gett" in window.home.status_panel.details.text()
    assert "1 change is waiting" in window.home.offline_banner.text.text()
    assert "No connection" in window.home.connection_line.text()
    # The pause can be taken back while it waits; Gett has the store online, so the words are
    # "Cancel pause", not a resume of a store that was never paused.
    assert find(window, "Cancel pause").text() == "CANCEL PAUSE"
    assert not [
        b
        for b in window.findChildren(QAbstractButton)
        if b.accessibleName() == "Resume now" and b.isVisible()
    ]

    sim.come_back()
    window.session.poke()
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)
    assert window.indicator().fill is Fill.SOLID
    assert not window.home.offline_banner.isVisible()
    assert sim.state(STORE).reason == PauseReason.TOO_BUSY


def test_changed_elsewhere_keep_gett_state(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> None:
    window = make_conflict(make_window, qtbot, sim, clock)
    tap(qtbot, window, "Keep Gett's state")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)
    assert sim.state(STORE).reason == PauseReason.OTHER
    assert window.home.status_panel.subheadline.text() == "Other"


def test_changed_elsewhere_apply_mine(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> None:
    window = make_conflict(make_window, qtbot, sim, clock)
    tap(qtbot, window, "Apply my change")
    qtbot.waitUntil(lambda: sim.state(STORE).reason == PauseReason.TOO_BUSY, timeout=10_000)
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)


def make_conflict(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> MainWindow:
    window = make_window()
    go_offline(window, qtbot, sim)
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause until I resume")
    wait_attempted(window, qtbot)
    clock.advance(60)
    sim.set_state(STORE, StoreStatus(StoreState.PAUSED, PauseReason.OTHER, clock.now(), None))
    sim.come_back()
    window.session.poke()
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.CONFLICT, timeout=10_000)
    assert window.home.status_panel.headline.text() == "CHANGED ELSEWHERE"
    details = window.home.status_panel.details.text()
    assert "Gett says: PAUSED (Other), no orders" in window.home.status_panel.subheadline.text()
    assert "Changed outside this kiosk" in details
    assert "This kiosk wanted: Pause: Too busy, until you resume" in details
    assert find(window, "Keep Gett's state").text() == "Keep Gett's: PAUSED"
    assert find(window, "Apply my change").text() == "Apply mine: PAUSE"
    assert find(window, "Keep Gett's state").height() >= 64
    return window


def test_rejected_key_needs_a_manager_with_a_way_to_settings(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator
) -> None:
    sim.set_api_key("a-different-key")
    window = make_window()
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.NEEDS_MANAGER, timeout=10_000)
    assert window.home.status_panel.headline.text() == "NEEDS A MANAGER"
    assert window.home.status_panel.subheadline.text() == "Gett did not accept the API key"
    assert "Traceback" not in window.home.status_panel.details.text()
    tap(qtbot, window, "Open settings")
    assert window.current_page() is Page.PIN


def test_unknown_store_needs_a_manager(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator
) -> None:
    sim.remove_store(STORE)
    window = make_window()
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.NEEDS_MANAGER, timeout=10_000)
    assert window.home.status_panel.subheadline.text() == "Gett does not know this store"


def test_missing_key_needs_a_manager(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window(keystore=MemoryKeyStore(None))
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.NEEDS_MANAGER, timeout=10_000)
    assert window.home.status_panel.subheadline.text() == "No API key is stored"


def test_an_old_confirmation_is_status_unknown(make_window: MakeWindow, clock: FakeClock) -> None:
    window = make_window()
    clock.advance(10 * 60)  # the worker does not get to re-read
    window.on_tick_timer_timeout()
    indicator = window.indicator()
    assert indicator.kind is StateKind.UNKNOWN
    assert window.home.status_panel.headline.text() == "STATUS UNKNOWN"
    assert "Last known: ONLINE as of 12:00" in window.home.status_panel.details.text()


def test_a_pause_that_expired_offline_is_explained(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> None:
    window = make_window()
    go_offline(window, qtbot, sim)
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause for 15 minutes")
    wait_attempted(window, qtbot)
    clock.advance(16 * 60)
    sim.come_back()
    window.session.poke()
    qtbot.waitUntil(window.home.attention_banner.isVisible, timeout=10_000)
    assert "A pause was not sent" in window.home.attention_banner.text.text()
    assert sim.state(STORE).is_online
    tap(qtbot, window, "Open settings from message")
    assert window.current_page() is Page.PIN


def test_countdown_ticks_down_while_gett_keeps_confirming(
    make_window: MakeWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause for 30 minutes")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)
    settle(window, qtbot, clock, 10 * 60)
    assert "Resumes at 12:30 (in 20 min)" in window.home.status_panel.details.text()
    settle(window, qtbot, clock, 20 * 60 + 2)  # Gett auto-resumed at 12:30
    assert window.indicator().kind is StateKind.ONLINE


def test_a_tap_that_cannot_be_saved_says_so_and_takes_back_its_feedback(
    make_window: MakeWindow, qtbot: QtBot, config: Config, tmp_path: Path
) -> None:
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the data folder should be")
    window = make_window(replace(config, data_dir=blocker / "data"), wait_status=False)
    window.flow.pause(PauseReason.TOO_BUSY, None, window.store_id)
    qtbot.waitUntil(window.home.attention_banner.isVisible, timeout=10_000)
    assert "NOT saved" in window.home.attention_banner.text.text()
    assert window.indicator().kind is not StateKind.PAUSING  # no "saving…" left behind
