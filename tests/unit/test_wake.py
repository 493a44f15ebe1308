"""The window sleeps until the home screen can change: it must never sleep through a change.

Made-up states (online, paused with and without an end, confirmed a while ago, another tap
replaced, a snoozed reminder, several stores, odd time zones): the screen computed at any moment
before the wake-up, after the tick the window would have run then, is the screen it already
shows. ~3 s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.config import Store
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.sync import Connectivity, Link, StoreView
from kiosk.ui.screen_state import Replaced, ScreenState, Toast, Undo
from kiosk.ui.view_model import LocalTime
from kiosk.ui.wake import LATE_S, MAX_SLEEP_S, SECOND_S, seconds_until_change

STORES = (
    Store("3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c", "Main Street"),
    Store("8d2e4b1a-0c3f-4e5d-9b6a-7f1e2d3c4b5a", "Pizza Nonna"),
)
NOW = datetime(2026, 3, 14, 23, 58, 7, 250_000, tzinfo=UTC)  # midnight is near in most zones
ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-3))]
# Offsets in seconds, with fractions: instants are never on whole seconds in real life.
offsets = st.floats(min_value=-7200, max_value=7200, allow_nan=False).map(lambda s: round(s, 3))


@st.composite
def views(draw: st.DrawFn, store: Store) -> StoreView:
    confirmed_at = NOW - timedelta(seconds=draw(st.floats(0, 400).map(lambda s: round(s, 3))))
    kind = draw(st.sampled_from(["online", "paused_until", "paused_open", "none"]))
    if kind == "none":
        return StoreView(store)
    if kind == "online":
        return StoreView(store, StoreStatus(StoreState.ONLINE), confirmed_at)
    paused_at = NOW - timedelta(seconds=abs(draw(offsets)))
    resume_at = NOW + timedelta(seconds=abs(draw(offsets))) if kind == "paused_until" else None
    status = StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, paused_at, resume_at)
    return StoreView(store, status, confirmed_at)


@st.composite
def states(draw: st.DrawFn) -> Callable[[], ScreenState]:
    """A recipe for one state (built afresh for every moment the test looks at)."""
    stores = STORES[: draw(st.integers(1, 2))]
    drawn = [draw(views(store)) for store in stores]
    poll = draw(st.sampled_from([5.0, 10.0, 30.0, 45.0]))
    zone = draw(st.sampled_from(ZONES))
    replaced_ago = draw(st.none() | st.floats(0, 150).map(lambda s: round(s, 3)))
    snooze_in = draw(st.none() | st.floats(0, 600).map(lambda s: round(s, 3)))
    link = draw(st.sampled_from([Link.ONLINE, Link.OFFLINE]))

    def build() -> ScreenState:
        state = ScreenState(stores, poll, 30, LocalTime(zone), ready=True)
        for view in drawn:
            state.on_view(view, NOW)
        state.on_connectivity(Connectivity(link, NOW - timedelta(seconds=30)))
        if replaced_ago is not None:
            update = StoreStatusUpdate.pause(PauseReason.OTHER, NOW + timedelta(minutes=17))
            noticed = NOW - timedelta(seconds=replaced_ago)
            state.replaced[stores[0].id] = Replaced(update, noticed)
        if snooze_in is not None:
            state.reminder_snoozed_until[stores[0].id] = NOW + timedelta(seconds=snooze_in)
        return state

    return build


def seen_at(build: Callable[[], ScreenState], moment: datetime) -> object:
    """What the screen shows at ``moment`` if the window ticked at NOW and again then."""
    state = build()
    state.tick(NOW, on_home=True)
    state.tick(moment, on_home=True)
    return state.screen(moment)


@settings(max_examples=60, deadline=None)
@given(states())
def test_the_screen_does_not_change_before_the_wake_up(build: Callable[[], ScreenState]) -> None:
    state = build()
    state.tick(NOW, on_home=True)
    shown = state.screen(NOW)
    wait = seconds_until_change(state, NOW)
    assert LATE_S <= wait <= MAX_SLEEP_S + LATE_S
    moments = [i * 0.5 for i in range(1, int((wait - LATE_S) / 0.5) + 1)]
    moments.append(wait - LATE_S - 0.001)  # just before the instant it wakes for
    for seconds in moments:
        if 0 < seconds < wait - LATE_S:
            moment = NOW + timedelta(seconds=seconds)
            assert seen_at(build, moment) == shown, f"changed {seconds:.3f} s in, woke at {wait}"


def test_a_countdown_wakes_when_its_minute_turns() -> None:
    resume_at = NOW + timedelta(minutes=20, seconds=13.5)
    then = NOW - timedelta(seconds=1.25)
    paused = StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, then, resume_at)
    state = ScreenState(STORES[:1], 30.0, 30, LocalTime(UTC), ready=True)
    state.on_view(StoreView(STORES[0], paused, then), NOW)
    wait = seconds_until_change(state, NOW)
    assert wait == 13.5 + LATE_S
    # ... and the countdown's text does change then ("21 min" -> "20 min").
    before = state.screen(NOW + timedelta(seconds=13.4))
    after = state.screen(NOW + timedelta(seconds=wait))
    assert before != after


def test_left_alone_online_it_sleeps_until_the_clock_s_next_minute() -> None:
    state = ScreenState(STORES[:1], 30.0, 30, LocalTime(UTC), ready=True)
    confirmed_at = NOW - timedelta(seconds=7.25)  # on the same second grid as NOW: no sooner
    state.on_view(StoreView(STORES[0], StoreStatus(StoreState.ONLINE), confirmed_at), NOW)
    assert seconds_until_change(state, NOW) == 52.75 + LATE_S


def test_a_change_on_its_way_counts_seconds() -> None:
    state = ScreenState(STORES[:1], 30.0, 30, LocalTime(UTC), ready=True)
    state.on_view(StoreView(STORES[0], StoreStatus(StoreState.ONLINE), NOW), NOW)
    state.tap([(STORES[0].id, StoreStatusUpdate.pause(PauseReason.TOO_BUSY, None))])
    assert seconds_until_change(state, NOW) == SECOND_S


def test_it_wakes_when_the_last_confirmation_goes_stale() -> None:
    state = ScreenState(STORES[:1], 30.0, 30, LocalTime(UTC), ready=True)  # stale after 90 s
    confirmed_at = NOW - timedelta(seconds=70)
    state.on_view(StoreView(STORES[0], StoreStatus(StoreState.ONLINE), confirmed_at), NOW)
    state.on_connectivity(Connectivity(Link.OFFLINE, confirmed_at))
    wait = seconds_until_change(state, NOW)
    assert wait == 20 + LATE_S
    assert state.screen(NOW + timedelta(seconds=wait)).indicator.headline == "STATUS UNKNOWN"


def test_a_snoozed_reminder_comes_back_on_time() -> None:
    since = NOW - timedelta(minutes=45, seconds=3.25)
    paused = StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, since)
    state = ScreenState(STORES[:1], 30.0, 30, LocalTime(UTC), ready=True)
    state.on_view(StoreView(STORES[0], paused, NOW - timedelta(seconds=1.25)), NOW)
    state.tick(NOW, on_home=True)
    assert state.reminder is not None
    state.close_reminder(snooze_at=NOW - timedelta(seconds=577.5))  # "Keep paused", 9.6 min ago
    wait = seconds_until_change(state, NOW)
    assert wait == 22.5 + LATE_S
    state.tick(NOW + timedelta(seconds=wait), on_home=True)
    assert state.reminder is not None


def test_short_lived_words_wake_the_screen_when_they_go() -> None:
    """The Undo offer and the "+15 min" line disappear on time even on a sleeping home screen."""
    state = ScreenState(STORES[:1], 30.0, 30, LocalTime(UTC), ready=True)
    baseline = seconds_until_change(state, NOW)
    state.undo = Undo(
        STORES[0].id, StoreStatusUpdate.pause(PauseReason.OTHER), NOW + timedelta(seconds=4)
    )
    assert seconds_until_change(state, NOW) == pytest.approx(4 + LATE_S)
    state.undo = None
    state.toast = Toast("Paused until 16:30", NOW + timedelta(seconds=3))
    assert seconds_until_change(state, NOW) == pytest.approx(3 + LATE_S)
    state.toast = None
    assert seconds_until_change(state, NOW) == baseline
