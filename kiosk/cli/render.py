"""How a store's status reads on a terminal and in ``--json``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.core.config import Store
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.words import format_duration, outcome


def reason_text(reason: PauseReason | str | None) -> str:
    if reason is None:
        return "no reason given"
    if isinstance(reason, PauseReason):
        return reason.label.lower()
    return f"{reason} (unknown reason)"


def local_time(when: datetime, now: datetime) -> str:
    local = when.astimezone()
    if local.date() == now.astimezone().date():
        return local.strftime("%H:%M")
    return local.strftime("%a %d %b %H:%M")


def in_words(seconds: float) -> str:
    """As the screen says it (rounded up: never "0 min" too early)."""
    return format_duration(seconds)


def status_line(store: Store, status: StoreStatus, now: datetime) -> str:
    """One line a person reads: ``Main St: PAUSED (too busy) since 14:02, resumes at 14:30``."""
    head = f"{store.name}: "
    if status.is_online:
        return head + "ONLINE, accepting orders"
    if not status.is_paused:
        return head + f"status {status.status!r} (unknown to this kiosk version)"
    text = head + f"PAUSED ({reason_text(status.reason)})"
    if status.paused_at:
        text += f" since {local_time(status.paused_at, now)}"
    if status.resume_at:
        left = (status.resume_at - now).total_seconds()
        text += f", resumes at {local_time(status.resume_at, now)} (in {in_words(left)})"
    else:
        text += ", until you resume"
    return text


def status_json(store: Store, status: StoreStatus) -> dict[str, Any]:
    """The API's field names plus ``store_id``: a contract scripts rely on."""
    return {"store_id": store.id, **status.to_json()}


def describe_update(update: StoreStatusUpdate) -> str:
    if update.status == StoreState.ONLINE:
        return "resume"
    text = f"pause ({reason_text(update.reason)})"
    if update.resume_at is not None:
        text += f" until {update.resume_at.astimezone().strftime('%H:%M')}"
    return text


def pending_line(intent: Intent, now: datetime) -> str:
    """A waiting change, never confused with the live state."""
    what = describe_update(intent.update)
    if intent.state is IntentState.HELD:
        return f"Waiting: {what}, held until a valid API key is stored."
    if intent.state is IntentState.CONFLICT:
        return f"Waiting: {what}, in conflict with a change made elsewhere (kiosk sync --force)."
    text = f"Waiting: {what}, not confirmed yet ({intent.attempts} attempt(s)"
    if intent.next_attempt_at > now:
        text += f", next try at {local_time(intent.next_attempt_at, now)}"
    text += ")"
    if intent.last_error:
        text += f". Last error: {intent.last_error}"
    return text


def history_outcome(intent: Intent) -> str:
    text = outcome(intent.state, sent=intent.sent)
    if intent.state is IntentState.FAILED and intent.last_error:
        text += f" ({intent.last_error})"
    return text
