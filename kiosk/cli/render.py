"""How a store's status reads on a terminal (in the person's language) and in ``--json`` (never
translated: scripts read it)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any, TextIO

from kiosk.core import i18n
from kiosk.core.config import Store
from kiosk.core.i18n import _, isolate, ltr, ngettext
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
    separate ``"\\n"``, which is the only newline let through; JSON goes to the raw stream.

    Our own bidi isolates (around numbers and names in Hebrew and Arabic sentences) are dropped,
    not escaped: a terminal runs no bidi algorithm, so they would only show as ``\\u2066``. Any
    other control or format character, wherever it came from, is still escaped."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        if text == "\n":
            return self.stream.write(text)
        return self.stream.write(terminal_safe(i18n.strip_isolates(text)))

    def flush(self) -> None:
        self.stream.flush()


def reason_text(reason: PauseReason | str | None) -> str:
    if reason is None:
        return _("no reason given")
    if isinstance(reason, PauseReason):
        return reason.label.lower()
    return _("{reason} (unknown reason)").format(reason=isolate(reason))


def local_time(when: datetime, now: datetime) -> str:
    """``14:30`` today, else the day in the language's own words and order, then the time."""
    try:
        local = when.astimezone()
    except (OverflowError, ValueError, OSError):
        # At the edge of the calendar (a resumeAt of 9999-12-31 east of UTC) the local time
        # does not exist as a datetime: show the date as it came.
        return ltr(when.strftime("%Y-%m-%d %H:%M %Z").strip())
    if local.date() == now.astimezone().date():
        return i18n.clock(local)
    try:
        return i18n.day_and_clock(local)
    except (OverflowError, ValueError):  # a date Babel cannot name: the plain form
        return ltr(local.strftime("%Y-%m-%d %H:%M"))


def in_words(seconds: float) -> str:
    """As the screen says it (rounded up: never "0 min" too early)."""
    return format_duration(seconds)


def status_line(store: Store, status: StoreStatus, now: datetime) -> str:
    """One line a person reads: ``Main St: PAUSED (too busy) since 14:02, resumes at 14:30``."""
    name = isolate(store.name)
    if status.is_online:
        return _("{store}: ONLINE, accepting orders").format(store=name)
    if not status.is_paused:
        return _("{store}: status {status} (unknown to this kiosk version)").format(
            store=name, status=isolate(repr(status.status))
        )
    values = {"store": name, "reason": reason_text(status.reason)}
    if status.paused_at:
        values["since"] = local_time(status.paused_at, now)
    if status.resume_at:
        values["until"] = local_time(status.resume_at, now)
        values["left"] = in_words((status.resume_at - now).total_seconds())
        if status.paused_at:
            template = _("{store}: PAUSED ({reason}) since {since}, resumes at {until} (in {left})")
        else:
            template = _("{store}: PAUSED ({reason}), resumes at {until} (in {left})")
    elif status.paused_at:
        template = _("{store}: PAUSED ({reason}) since {since}, until you resume")
    else:
        template = _("{store}: PAUSED ({reason}), until you resume")
    return template.format(**values)


def status_json(store: Store, status: StoreStatus) -> dict[str, Any]:
    """The API's field names plus ``store_id``: a contract scripts rely on."""
    return {"store_id": store.id, **status.to_json()}


def describe_update(update: StoreStatusUpdate) -> str:
    if update.status == StoreState.ONLINE:
        return _("resume")
    reason = reason_text(update.reason)
    if update.resume_at is None:
        return _("pause ({reason})").format(reason=reason)
    try:
        until = i18n.clock(update.resume_at.astimezone())
    except (OverflowError, ValueError, OSError):
        until = ltr(update.resume_at.strftime("%Y-%m-%d %H:%M %Z").strip())
    return _("pause ({reason}) until {time}").format(reason=reason, time=until)


def pending_line(intent: Intent, now: datetime) -> str:
    """A waiting change, never confused with the live state."""
    what = describe_update(intent.update)
    if intent.state is IntentState.HELD:
        return _("Waiting: {change}, held until a valid API key is stored.").format(change=what)
    if intent.state is IntentState.CONFLICT:
        return _(
            "Waiting: {change}, in conflict with a change made elsewhere (kiosk sync --force)."
        ).format(change=what)
    values = {"change": what, "attempts": ltr(intent.attempts)}
    later = intent.next_attempt_at > now
    if later:
        values["time"] = local_time(intent.next_attempt_at, now)
        text = ngettext(
            "Waiting: {change}, not confirmed yet ({attempts} attempt, next try at {time})",
            "Waiting: {change}, not confirmed yet ({attempts} attempts, next try at {time})",
            intent.attempts,
        ).format(**values)
    else:
        text = ngettext(
            "Waiting: {change}, not confirmed yet ({attempts} attempt)",
            "Waiting: {change}, not confirmed yet ({attempts} attempts)",
            intent.attempts,
        ).format(**values)
    if intent.last_error:
        return _("{waiting}. Last error: {error}").format(
            waiting=text, error=isolate(intent.last_error)
        )
    return text


def history_outcome(intent: Intent) -> str:
    return intent_outcome(intent)  # (the screen's pause log says the same)
