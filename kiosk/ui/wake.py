"""When the home screen can next change by time alone, so the window sleeps until then.

A kiosk left alone on its home screen should cost nothing between status polls (each poll
redraws the screen anyway). What the screen shows moves with time only in whole minutes counted
from a few instants: a countdown to ``resumeAt``, "paused since" from ``pausedAt``, "confirmed
at" and staleness from the last confirmation, the clock's own minute (today/tomorrow), the
heads-up two minutes before a resume, the forgotten-pause reminder and its snooze. So the next
change is the nearest next whole minute counted from one of those instants (or one of the few
thresholds that are not whole minutes). While a change is on its way the screen counts seconds
("next try in 12 s"): then every second.

Plain Python, like ScreenState: ``tests/unit/test_wake.py`` checks, on made-up states, that the
screen does not change before the time this returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from kiosk.ui.screen_state import REPLACED_NOTE_SECONDS, ScreenState
from kiosk.ui.view_model import stale_after

#: The longest sleep (the clock's next minute is never further away anyway).
MAX_SLEEP_S = 60.0
#: While something counts in seconds (a change waiting to be sent, a tap being saved).
SECOND_S = 1.0
#: Wake this long after the instant, so the change has happened by the time the screen is drawn.
LATE_S = 0.02
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def seconds_until_change(state: ScreenState, now: datetime) -> float:
    """Seconds from ``now`` until the home screen may look different without any new event."""
    if state.local_taps or state.taps or any(v.pending for v in state.views.values()):
        return SECOND_S
    wait = _next_on_grid(_EPOCH, now)  # the clock's next minute
    for anchor in _minute_anchors(state, now):
        wait = min(wait, _next_on_grid(anchor, now))
    for instant in _instants(state):
        left = (instant - now).total_seconds()
        if left >= 0:
            wait = min(wait, left)
    return min(MAX_SLEEP_S, wait) + LATE_S


def _minute_anchors(state: ScreenState, now: datetime) -> Iterator[datetime]:
    """Instants from which the screen counts whole minutes (up or down)."""
    stale = timedelta(seconds=stale_after(state.poll_interval))
    for view in state.views.values():
        if view.confirmed is None or view.confirmed_at is None:
            continue
        # "No answer from Gett for N min" once stale; a pause with no pausedAt counts from its
        # confirmation. A fresh "confirmed at 14:02" moves with the clock's minute only.
        if now >= view.confirmed_at + stale or view.confirmed.is_paused:
            yield view.confirmed_at
        if view.confirmed.paused_at is not None:
            yield view.confirmed.paused_at
        if view.confirmed.resume_at is not None:
            yield view.confirmed.resume_at
    for replaced in state.replaced.values():
        yield replaced.noticed
        if replaced.update.resume_at is not None:
            yield replaced.update.resume_at


def _instants(state: ScreenState) -> Iterator[datetime]:
    """Thresholds that are not a whole number of minutes from an anchor."""
    stale = stale_after(state.poll_interval)
    for view in state.views.values():
        if view.confirmed_at is not None:
            yield view.confirmed_at + timedelta(seconds=stale)
    yield from state.reminder_snoozed_until.values()
    # Short-lived words: "✓ Paused until 16:30", the Undo offer, a replaced tap's note.
    if state.toast is not None:
        yield state.toast.until
    if state.undo is not None:
        yield state.undo.until
    for replaced in state.replaced.values():
        yield replaced.noticed + timedelta(seconds=REPLACED_NOTE_SECONDS)


def _next_on_grid(anchor: datetime, now: datetime) -> float:
    """Seconds until the next instant a whole number of minutes from ``anchor`` (0 when ``now``
    is one: the text changes just after it)."""
    left = (anchor - now).total_seconds() % 60.0
    return 0.0 if left > 60.0 - 1e-6 else left
