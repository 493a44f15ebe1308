"""The pause log's words and today's summary, without Qt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.words import intent_outcome
from kiosk.ui.shift_log import paused_seconds, shift_log
from kiosk.ui.view_model import LocalTime

NOW = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)
MAIN, PIZZA = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c", "8d2e4b1a-0c3f-4e5d-9b6a-7f1e2d3c4b5a"
NAMES = {MAIN: "Main Street", PIZZA: "Pizza Nonna"}
LT = LocalTime(UTC)


def intent(
    n: int,
    minutes_ago: float,
    update: StoreStatusUpdate,
    state: IntentState = IntentState.DELIVERED,
    store: str = MAIN,
    error: str | None = None,
    origin: str = "ui",
) -> Intent:
    at = NOW - timedelta(minutes=minutes_ago)
    return Intent(
        n, store, update, at, origin, state, 1, at, False, error, None, None,
        StoreStatus(StoreState.ONLINE), None,
    )  # fmt: skip


def pause(minutes: float | None) -> StoreStatusUpdate:
    end = None if minutes is None else NOW + timedelta(minutes=minutes)
    return StoreStatusUpdate.pause(PauseReason.TOO_BUSY, end)


def test_paused_time_ends_at_the_end_time_the_next_change_or_now() -> None:
    since = NOW - timedelta(hours=14)
    ended = intent(1, 120, pause(-90))  # 30 min, ended by its own end time
    resumed = [intent(2, 60, pause(None)), intent(3, 40, StoreStatusUpdate.resume())]  # 20 min
    running = intent(4, 5, pause(None))  # 5 min so far
    refused = intent(5, 30, pause(None), IntentState.FAILED)  # never paused anything
    other_store = intent(6, 50, StoreStatusUpdate.resume(), store=PIZZA)  # ends nothing here
    total = paused_seconds([ended, *resumed, running, refused, other_store], since, NOW)
    assert total == (30 + 20 + 5) * 60
    assert paused_seconds([], since, NOW) == 0
    # a pause from before midnight counts from midnight only
    assert paused_seconds([intent(7, 15 * 60, pause(None))], since, NOW) == 14 * 3600


def test_summary_and_rows_say_what_the_cli_says() -> None:
    rows = [
        intent(3, 10, StoreStatusUpdate.resume()),
        intent(2, 30, pause(None), IntentState.FAILED, error="Gett said: \x1b[2J<b>no</b>"),
        intent(1, 60, pause(-30), store=PIZZA, origin="cli"),
        intent(0, 24 * 60 + 5, StoreStatusUpdate.resume()),  # yesterday
    ]
    log = shift_log(rows, NAMES, NOW, LT)
    assert log.summary[0] == "Today from this kiosk: 2 pauses and 1 resume tapped."
    assert log.summary[1] == "Paused from here for 30 min in total (confirmed by Gett)."
    assert "Most often: Too busy (2 times)." in log.summary
    assert "1 change not made (see below)." in log.summary
    assert log.summary[-1].startswith("Changes made in the Gett portal")
    assert [r.when for r in log.rows] == ["13:50", "13:30", "13:00", "yesterday 13:55"]
    assert [r.ok for r in log.rows] == [True, False, True, True]
    assert log.rows[1].text.endswith(intent_outcome(rows[1]))
    assert log.rows[2].text.startswith("Pizza Nonna: Pause (Too busy), until 13:30 (from cli)")


def test_an_empty_day_says_so() -> None:
    log = shift_log([], {MAIN: "Main Street"}, NOW, LT)
    assert log.summary[0] == "Today: no pause or resume from this kiosk yet."
    assert log.rows == ()
