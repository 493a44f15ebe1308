"""How a store's status reads on a terminal and in ``--json``."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any, TextIO

from kiosk.core.config import Store
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.words import format_duration, intent_outcome

#: Format characters a text needs to be written correctly (Persian, Indic scripts, emoji): kept.
_JOINERS = frozenset("\u200c\u200d")


def _needs_escape(char: str) -> bool:
    """Control (C0, DEL, C1), format (bidi overrides, marks), separator and surrogate characters:
    a terminal acts on them or they reorder what follows, so a name could forge a line."""
    category = unicodedata.category(char)
    if category == "Cf":
        return char not in _JOINERS
    return category in ("Cc", "Cs", "Zl", "Zp")


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on shown as an escape (``\\x1b``)."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char == " " or not _needs_escape(char):
            out.append(char)
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


class TerminalWriter:
    """The one door human output goes through: text from config, the server or the command line
    reaches the terminal with its control characters escaped. ``print`` writes its line end as a
    separate ``"\\n"``, which is the only newline let through; JSON goes to the raw stream."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text if text == "\n" else terminal_safe(text))

    def flush(self) -> None:
        self.stream.flush()


def reason_text(reason: PauseReason | str | None) -> str:
    if reason is None:
        return "no reason given"
    if isinstance(reason, PauseReason):
        return reason.label.lower()
    return f"{reason} (unknown reason)"


def local_time(when: datetime, now: datetime) -> str:
    try:
        local = when.astimezone()
    except (OverflowError, ValueError, OSError):
        # At the edge of the calendar (a resumeAt of 9999-12-31 east of UTC) the local time
        # does not exist as a datetime: show the date as it came.
        return when.strftime("%Y-%m-%d %H:%M %Z").strip()
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
        try:
            until = update.resume_at.astimezone().strftime("%H:%M")
        except (OverflowError, ValueError, OSError):
            until = update.resume_at.strftime("%Y-%m-%d %H:%M %Z").strip()
        text += f" until {until}"
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
    return intent_outcome(intent)  # (the screen's pause log says the same)
