"""The pause log on screen (item 11): one tap from home, no PIN, read by the worker from the real
queue file, in the same words as `kiosk history`; Back, Escape and the idle return go home."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.core.outbox import Outbox
from kiosk.core.words import intent_outcome
from kiosk.simulator.server import Simulator
from kiosk.ui.main_window import Page
from kiosk.ui.view_model import StateKind
from tests.helpers.fakes import FakeClock
from tests.ui.conftest import MakeWindow, tap


def test_the_log_shows_todays_changes_in_the_cli_words_without_a_pin(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock
) -> None:
    window = make_window()
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause for 30 minutes")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)
    clock.advance(600)
    tap(qtbot, window, "Resume now")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.ONLINE, timeout=10_000)
    clock.advance(60)

    tap(qtbot, window, "Pause log")  # one tap from home, no PIN pad on the way
    assert window.current_page() is Page.LOG
    page = window.log_page
    qtbot.waitUntil(lambda: len(page.rows) == 2, timeout=10_000)
    summary = page.summary.text()
    assert "1 pause and 1 resume" in summary
    assert "Paused from here for 10 min in total" in summary  # tapped, then resumed 10 min later
    assert "Most often: Too busy (1 time)." in summary
    with Outbox(window.config.data_dir, clock=clock, owner="test-reader") as outbox:
        history = outbox.history()
    texts = [row.text() for row in page.rows]
    assert len(history) == 2
    for text, intent in zip(texts, history, strict=True):  # newest first, as the CLI says it
        assert text.endswith(intent_outcome(intent)), text
    assert texts[0].startswith("✓ ") and "Resume" in texts[0]
    assert "Pause (Too busy), until " in texts[1]
    assert not [b for b in page.findChildren(type(page.back_button)) if b.isVisible()][1:]

    # keyboard: Escape is the page's Back
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Escape)
    assert window.current_page() is Page.HOME
    tap(qtbot, window, "Pause log")
    tap(qtbot, window, "Back from pause log")
    assert window.current_page() is Page.HOME


def test_the_log_goes_home_when_left_alone(
    make_window: MakeWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    window = make_window()
    tap(qtbot, window, "Pause log")
    qtbot.waitUntil(lambda: "no pause or resume" in window.log_page.summary.text(), timeout=10_000)
    assert window.log_page.rows == []
    clock.advance(timedelta(seconds=31).total_seconds())
    window.on_tick_timer_timeout()
    assert window.current_page() is Page.HOME
