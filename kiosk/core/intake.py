"""The one way a change enters the queue, for the CLI, the app's tap writer and the sync engine.

A change is saved with its context: the state Gett last showed for the store (as saved in the
queue file by whichever process last read it), moved on to now, because that is what the person
saw when deciding. The sync engine later compares it with Gett's live state to tell a change made
elsewhere from its own earlier taps, so every way in must record it the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from kiosk.core.models import StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Intent, Outbox


def projected(status: StoreStatus, now: datetime) -> StoreStatus:
    """What a confirmed status becomes by ``now`` on its own: a timed pause auto-resumes."""
    if status.is_paused and status.resume_at is not None and status.resume_at <= now:
        return StoreStatus(StoreState.ONLINE)
    return status


def base_for(outbox: Outbox, store_id: str, now: datetime) -> StoreStatus | None:
    """What Gett last confirmed for the store, moved on to ``now``: the state a person saw when
    tapping (saved by the engine whenever it changes, so any thread or process can read it)."""
    last = outbox.last_status(store_id)
    return projected(last[0], now) if last else None


def record_changes(
    outbox: Outbox,
    changes: Sequence[tuple[str, StoreStatusUpdate]],
    *,
    origin: str,
    now: datetime | None = None,
) -> list[Intent]:
    """Commit the changes, each with its context, in one transaction: all or none are saved.

    Durable on return; raises :class:`~kiosk.core.outbox.OutboxError` if nothing was saved.
    """
    when = outbox.clock.now() if now is None else now
    batch = [(store_id, update, base_for(outbox, store_id, when)) for store_id, update in changes]
    return outbox.enqueue_many(batch, origin=origin)
