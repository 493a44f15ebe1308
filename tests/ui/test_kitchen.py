"""Kitchen-proof, on the real window against the simulator: double taps with real event timing,
an offline pause that escalates, the idle return, the state strip, a keyboard-only pause and
the announcements a screen reader gets."""

from __future__ import annotations

import time
from datetime import timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config
from kiosk.core.models import PauseReason, StoreState, StoreStatus
from kiosk.simulator.server import Simulator
from kiosk.ui.main_window import MainWindow, Page
from kiosk.ui.tap_guard import GUARD_SECONDS
from kiosk.ui.view_model import StateKind
from tests.helpers.fakes import FakeClock
from tests.ui.conftest import STORE, MakeWindow, find, tap, with_ui
from tests.ui.test_honesty import go_offline

WAIT_OUT_MS = int(GUARD_SECONDS * 1000) + 50


def _double_tap(
    window: MainWindow, name: str, gap_ms: int, second: str | None = None
) -> tuple[QWidget | None, float]:
    """Two presses ``gap_ms`` apart in real time (QTest's own delay only stamps the event, so
    the test waits): the second at the same place, on whatever is under the finger by then, or
    on the button named ``second`` (a tile that came up under the finger). Returns the widget
    the second press went to and the measured gap."""
    button = find(window, name)
    at = button.mapTo(window, button.rect().center())
    QTest.mouseClick(
        button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, button.rect().center()
    )
    start = time.monotonic()
    QTest.qWait(gap_ms)
    under = find(window, second) if second else window.childAt(at)
    assert under is not None
    pos = under.rect().center() if second else under.mapFrom(window, at)
    QTest.mouseClick(under, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    return under, time.monotonic() - start


def _under_button(widget: QWidget | None) -> QAbstractButton | None:
    while widget is not None and not isinstance(widget, QAbstractButton):
        widget = widget.parentWidget()
    return widget


def test_a_double_tap_on_a_reason_does_not_choose_the_length_under_the_finger(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator
) -> None:
    window = make_window(tap_guard_seconds=GUARD_SECONDS)
    QTest.qWait(WAIT_OUT_MS)  # (the first status just brought the buttons up)
    under, gap = _double_tap(window, "Pause: Too busy", 150, "Pause for 30 minutes")
    assert 0.14 <= gap < GUARD_SECONDS, gap  # a real 150 ms double tap
    assert window.current_page() is Page.RESUME
    assert _under_button(under) is not None  # the second tap did land on a length button...
    assert not window.state.local_taps  # ...and did not pause the store
    assert sim.state(STORE).status == StoreState.ONLINE
    # A person who looks and then taps (after the guard) is not slowed down.
    QTest.qWait(WAIT_OUT_MS)
    tap(qtbot, window, "Pause for 30 minutes")
    assert window.current_page() is Page.HOME
    assert window.indicator().kind is StateKind.PAUSING


def test_a_double_tap_on_a_length_does_not_cancel_the_pause_it_made(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator
) -> None:
    window = make_window(tap_guard_seconds=GUARD_SECONDS)
    QTest.qWait(WAIT_OUT_MS)  # (the first status just brought the buttons up)
    tap(qtbot, window, "Pause: Too busy")
    QTest.qWait(WAIT_OUT_MS)
    _double_tap(window, "Pause until I resume", 150)
    assert window.current_page() is Page.HOME
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)
    QTest.qWait(100)
    assert sim.state(STORE).status == StoreState.PAUSED  # no "Cancel pause" by the second tap


def test_plus_15_twice_within_the_guard_adds_15_once(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> None:
    end = clock.now() + timedelta(minutes=30)
    sim.set_state(STORE, StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, clock.now(), end))
    window = make_window(tap_guard_seconds=GUARD_SECONDS)
    QTest.qWait(WAIT_OUT_MS)  # (the first status just brought the buttons up)
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)
    button = find(window, "Extend pause by 15 minutes")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    QTest.mouseClick(
        button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(), 120
    )
    local = window.state.local_taps[STORE]
    assert local.update.resume_at == end + timedelta(minutes=15)
    assert window.home.toast.isVisible()
    assert window.home.toast.text().startswith("✓ Pause now until 12:45")
    QTest.qWait(WAIT_OUT_MS)
    qtbot.mouseClick(find(window, "Extend pause by 15 minutes"), Qt.MouseButton.LeftButton)
    assert window.state.local_taps[STORE].update.resume_at == end + timedelta(minutes=30)


def test_an_offline_pause_escalates_then_calms_when_confirmed(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock, config: Config
) -> None:
    window = make_window(with_ui(config, support_phone="+44 20 7946 0000"))
    go_offline(window, qtbot, sim)
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause for 30 minutes")
    panel = window.home.status_panel
    assert panel.subheadline.text() == "Not confirmed yet"
    clock.advance(31)
    window.on_tick_timer_timeout()
    assert panel.subheadline.text() == "NOT CONFIRMED: orders can still come in"
    assert "+44 20 7946 0000" in panel.details.text()
    size_1 = panel.subheadline.font().pixelSize()
    clock.advance(60)
    window.on_tick_timer_timeout()
    assert window.indicator().alarm == 2
    assert panel.subheadline.font().pixelSize() > size_1  # bigger each minute
    sim.come_back()
    window.session.poke()
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)
    assert window.indicator().alarm == 0


def test_a_menu_left_alone_returns_home_and_shows_the_state_meanwhile(
    make_window: MakeWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    window = make_window()
    assert not window.state_strip.isVisible()
    tap(qtbot, window, "Pause: Too busy")
    assert window.current_page() is Page.RESUME
    assert window.state_strip.isVisible()
    assert window.state_strip.text.text().startswith("Main Street: ONLINE")
    clock.advance(29)
    window.on_tick_timer_timeout()
    assert window.current_page() is Page.RESUME
    clock.advance(1)
    window.on_tick_timer_timeout()
    assert window.current_page() is Page.HOME
    assert not window.state_strip.isVisible()
    assert window.indicator().kind is StateKind.ONLINE  # nothing was paused on the way


def test_settings_behind_the_pin_are_never_left(
    make_window: MakeWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    from tests.ui.test_manager import enter_pin

    window = make_window()
    tap(qtbot, window, "Manager")
    enter_pin(qtbot, window, "2468")
    assert window.current_page() is Page.SETTINGS
    clock.advance(600)
    window.on_tick_timer_timeout()
    assert window.current_page() is Page.SETTINGS


def _key(window: MainWindow, key: Qt.Key, text: str = "") -> None:
    target = QApplication.focusWidget() or window
    QTest.keyClick(target, key)


def test_a_keyboard_alone_can_pause_and_resume(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator
) -> None:
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    for _ in range(30):  # Tab until the focus is on "Too busy"
        _key(window, Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        if focus is not None and focus.accessibleName() == "Pause: Too busy":
            break
    else:
        raise AssertionError("Tab never reached 'Pause: Too busy'")
    _key(window, Qt.Key.Key_Return)
    assert window.current_page() is Page.RESUME
    focus = QApplication.focusWidget()
    assert focus is not None and focus.accessibleName() == "Pause for 30 minutes"  # suggested
    _key(window, Qt.Key.Key_Escape)
    assert window.current_page() is Page.HOME
    find(window, "Pause: Too busy").setFocus()
    _key(window, Qt.Key.Key_Return)
    _key(window, Qt.Key.Key_Return)  # the suggested length
    assert window.current_page() is Page.HOME
    qtbot.waitUntil(lambda: sim.state(STORE).status == StoreState.PAUSED, timeout=10_000)


def test_the_pin_pad_takes_digits_from_a_keyboard(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    tap(qtbot, window, "Manager")
    assert window.current_page() is Page.PIN
    for digit in "2468":
        QTest.keyClick(QApplication.focusWidget() or window, digit)
    _key(window, Qt.Key.Key_Return)
    assert window.current_page() is Page.SETTINGS


def test_state_changes_are_announced_once_each(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> None:
    window = make_window()
    said: list[str] = []
    window.announced.connect(said.append)
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause for 30 minutes")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)
    clock.advance(1)
    window.on_tick_timer_timeout()  # a countdown second is not a new state
    assert said[0] == "Main Street: PAUSING…. Not confirmed yet."
    assert said[-1] == "Main Street: PAUSED. Too busy."
    assert len(said) == len(set(said))


def test_a_conflict_on_screen_is_heard(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> None:
    from kiosk.ui.cues import Cue
    from tests.ui.test_honesty import make_conflict

    window = make_conflict(make_window, qtbot, sim, clock)
    cues = [cue for cue, _ in window.sound.played]
    assert cues[-1] is Cue.CONFLICT
    source = window.sound.samples(Cue.CONFLICT)
    played = window.sound.played[-1][1]
    qtbot.waitUntil(lambda: len(played) == len(source), timeout=10_000)  # really played
    assert max(played) == max(int(s * 0.8) for s in source)  # the configured 80 %
