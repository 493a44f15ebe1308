"""The pause log and today's shift summary, as the screen says them (plain Python, no Qt).

The rows are the queue's own history (what ``kiosk history`` prints, read by the sync worker),
in the words the CLI uses for the same facts (:mod:`kiosk.core.words`). Only changes made from
this PC are in the queue: the summary says so rather than pretend to know the whole day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.core import i18n
from kiosk.core.i18n import _, isolate, ltr, ngettext
from kiosk.core.models import StoreState
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.words import format_duration, intent_outcome, reason_text
from kiosk.ui.view_model import LocalTime

#: How many changes the log reads (a busy day is a few dozen; the queue keeps 30 days).
LOG_LIMIT = 200
#: Outcomes that did not change the store as asked: the summary counts them on their own line.
NOT_DONE = frozenset({IntentState.FAILED, IntentState.EXPIRED, IntentState.DISMISSED})


@dataclass(frozen=True, slots=True)
class LogRow:
    when: str  # "14:02", "yesterday 23:10" style (the day only when not today)
    text: str  # "Main Street: Pause: Too busy, until 14:32: confirmed by Gett"
    ok: bool  # False: refused, expired, dropped, or still waiting


@dataclass(frozen=True, slots=True)
class ShiftLog:
    summary: tuple[str, ...]
    rows: tuple[LogRow, ...]


def _until(intent: Intent, lt: LocalTime) -> str:
    update = intent.update
    if update.status == StoreState.ONLINE:
        return _("Resume")
    reason = reason_text(update.reason)
    if update.resume_at is None:
        return _("Pause ({reason}), until resumed").format(reason=reason)
    return _("Pause ({reason}), until {time}").format(
        reason=reason, time=lt.clock_on(update.resume_at, intent.created_at)
    )


def _when(at: datetime, now: datetime, lt: LocalTime) -> str:
    day, today = lt.local(at).date(), lt.local(now).date()
    if day == today:
        return lt.clock(at)
    if day == today - timedelta(days=1):
        return _("yesterday {time}").format(time=lt.clock(at))
    return i18n.day_and_clock(lt.local(at))


def paused_seconds(intents: Sequence[Intent], since: datetime, now: datetime) -> float:
    """Time paused from this kiosk since ``since``: each confirmed pause from when it was
    tapped until its end time, the store's next confirmed change here, or now."""
    delivered = sorted(
        (i for i in intents if i.state is IntentState.DELIVERED), key=lambda i: i.created_at
    )
    total = 0.0
    for n, intent in enumerate(delivered):
        if intent.update.status != StoreState.PAUSED:
            continue
        end = now
        if intent.update.resume_at is not None:
            end = min(end, intent.update.resume_at)
        later = [i.created_at for i in delivered[n + 1 :] if i.store_id == intent.store_id]
        if later:
            end = min(end, later[0])
        start = max(intent.created_at, since)
        total += max(0.0, (end - start).total_seconds())
    return total


def shift_log(
    intents: Sequence[Intent], names: Mapping[str, str], now: datetime, lt: LocalTime
) -> ShiftLog:
    """``intents`` newest first (as the queue's history gives them)."""
    local_now = lt.local(now)
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    since = midnight.astimezone(now.tzinfo)
    several = len({i.store_id for i in intents}) > 1 or len(names) > 1
    rows = []
    for intent in intents:
        words = {
            "store": isolate(names.get(intent.store_id, intent.store_id)),
            "change": _until(intent, lt),
            "origin": isolate(intent.origin),
            "outcome": intent_outcome(intent),
        }
        if several and intent.origin != "ui":
            text = _("{store}: {change} (from {origin}): {outcome}")
        elif several:
            text = _("{store}: {change}: {outcome}")
        elif intent.origin != "ui":
            text = _("{change} (from {origin}): {outcome}")
        else:
            text = _("{change}: {outcome}")
        rows.append(
            LogRow(
                _when(intent.created_at, now, lt),
                text.format(**words),
                intent.state is IntentState.DELIVERED,
            )
        )
    today = [i for i in intents if i.created_at >= since]
    pauses = [i for i in today if i.update.status == StoreState.PAUSED]
    resumes = len(today) - len(pauses)
    if not today:
        summary = [_("Today: no pause or resume from this kiosk yet.")]
    else:
        n_pauses = len(pauses)
        summary = [
            _("Today from this kiosk: {pauses} and {resumes} tapped.").format(
                pauses=ngettext("{n} pause", "{n} pauses", n_pauses).format(n=ltr(n_pauses)),
                resumes=ngettext("{n} resume", "{n} resumes", resumes).format(n=ltr(resumes)),
            ),
            _("Paused from here for {duration} in total (confirmed by Gett).").format(
                duration=format_duration(paused_seconds(today, since, now))
            )
            if pauses
            else _("No pause today."),
        ]
        reasons = Counter(reason_text(i.update.reason) for i in pauses)
        if reasons:
            top, count = reasons.most_common(1)[0]
            summary.append(
                ngettext(
                    "Most often: {reason} ({n} time).", "Most often: {reason} ({n} times).", count
                ).format(reason=top, n=ltr(count))
            )
        not_done = [i for i in today if i.state in NOT_DONE]
        waiting = [i for i in today if i.is_open]
        if not_done:
            n = len(not_done)
            summary.append(
                ngettext(
                    "{n} change not made (see below).", "{n} changes not made (see below).", n
                ).format(n=ltr(n))
            )
        if waiting:
            n = len(waiting)
            summary.append(
                ngettext(
                    "{n} change still waiting for Gett.", "{n} changes still waiting for Gett.", n
                ).format(n=ltr(n))
            )
    summary.append(_("Changes made in the Gett portal or on another PC are not in this log."))
    return ShiftLog(tuple(summary), tuple(rows))
