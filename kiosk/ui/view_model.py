"""What the screen says, as plain data: StoreView + Connectivity + now -> words, icon and colours.

Pure Python (no Qt), so every honest in-between state is unit-tested without widgets. The rule
it enforces: the confirmed state is never shown as if a waiting change were already true, and an
old confirmation is not passed off as the current state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import reduce

from kiosk.core import i18n
from kiosk.core.config import Store
from kiosk.core.errors import CertificateRejected
from kiosk.core.i18n import N_, _, isolate, ltr, ngettext, pgettext
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.sync import AttentionKind, Connectivity, Link, StoreView
from kiosk.core.words import (
    MANAGER_WORDS,
    describe_offset,
    format_duration,
    reason_text,
    status_word,
)

#: A confirmation older than this many poll intervals is "Status unknown" (with the last known).
STALE_POLLS = 3.0
#: ...but never sooner than this, so a short poll interval does not make the screen flicker.
MIN_STALE_SECONDS = 90.0
HEADS_UP_SECONDS = 120.0
EXTEND_MINUTES = 15
#: A pause not confirmed this long says plainly that orders can still come in...
ESCALATE_AFTER_SECONDS = 30.0
#: ...and gets louder (bigger, a stronger sound) every this many seconds after that...
ESCALATE_STEP_SECONDS = 60.0
#: ...up to this level.
MAX_ALARM = 3


class StateKind(StrEnum):
    ONLINE = "online"
    PAUSED = "paused"
    PAUSING = "pausing"  # a pause waits to be confirmed
    RESUMING = "resuming"  # a resume waits to be confirmed (or auto-resume is due)
    UNKNOWN = "unknown"
    CONFLICT = "conflict"
    NEEDS_MANAGER = "needs_manager"


class Fill(StrEnum):
    SOLID = "solid"  # confirmed by Gett
    STRIPED = "striped"  # not confirmed: outlined with a dashed border and stripes


@dataclass(frozen=True, slots=True)
class Palette:
    background: str
    foreground: str
    accent: str  # border / stripes


PALETTES: dict[StateKind, Palette] = {
    StateKind.ONLINE: Palette("#0A5A26", "#FFFFFF", "#0A5A26"),
    StateKind.PAUSED: Palette("#F5B000", "#111111", "#8A5A00"),
    StateKind.PAUSING: Palette("#FFF3D1", "#111111", "#8A5A00"),
    StateKind.RESUMING: Palette("#E3F4E8", "#111111", "#0A5A26"),
    StateKind.UNKNOWN: Palette("#4B4F54", "#FFFFFF", "#2B2E31"),
    StateKind.CONFLICT: Palette("#FFE8D6", "#111111", "#B43C00"),
    StateKind.NEEDS_MANAGER: Palette("#7F1D1D", "#FFFFFF", "#4A0D0D"),
}

#: The stripe colour drawn on "not confirmed" panels; text must stay readable over it too.
STRIPE_COLOURS: dict[StateKind, str] = {
    StateKind.PAUSING: "#F9E2A6",
    StateKind.RESUMING: "#C9E8D2",
}

ICONS: dict[StateKind, str] = {
    StateKind.ONLINE: "check",
    StateKind.PAUSED: "pause",
    StateKind.PAUSING: "pausing",  # pause bars with a clock: its own shape, not only a hue
    StateKind.RESUMING: "resuming",  # a play arrow with a clock
    StateKind.UNKNOWN: "question",
    StateKind.CONFLICT: "warning",
    StateKind.NEEDS_MANAGER: "key",
}

REASON_ICONS: dict[PauseReason, str] = {
    PauseReason.OPERATIONAL_ISSUES: "wrench",
    PauseReason.STAFF_SHORTAGE: "people",
    PauseReason.TOO_BUSY: "flame",
    PauseReason.MAINTENANCE: "gear",
    PauseReason.OTHER: "dots",
}


# -- time in words ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocalTime:
    """Shows aware datetimes in the PC's zone (``tz=None``) or a given one (tests).

    Arithmetic is always done on aware UTC datetimes, so a DST change or a clock step never
    bends a countdown; only the displayed clock time is converted.
    """

    tz: tzinfo | None = None

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    def clock(self, when: datetime) -> str:
        return i18n.clock(self.local(when))

    def clock_on(self, when: datetime, now: datetime) -> str:
        """``14:30``, ``tomorrow 09:00`` or ``Sat, Jan 16 09:00``: a date only when not today,
        in the language's own words and order."""
        local, today = self.local(when), self.local(now).date()
        if local.date() == today:
            return i18n.clock(local)
        if local.date() == today + timedelta(days=1):
            return _("tomorrow {time}").format(time=i18n.clock(local))
        return i18n.day_and_clock(local)

    def at(self, now: datetime, hour: int, minute: int) -> datetime:
        """The next moment the local clock shows ``hour:minute`` (today, or else tomorrow)."""
        day = self.local(now).date()
        for offset in (0, 1):
            candidate = self._make(
                datetime.combine(day + timedelta(days=offset), time(hour, minute))
            )
            if candidate > now:
                return candidate
        return self._make(datetime.combine(day + timedelta(days=2), time(hour, minute)))

    def end_of_day(self, now: datetime) -> datetime:
        """The coming local midnight."""
        day = self.local(now).date() + timedelta(days=1)
        return self._make(datetime.combine(day, time(0, 0)))

    def _make(self, naive: datetime) -> datetime:
        if self.tz is None:
            return naive.astimezone()  # naive is read as the PC's local time, DST included
        return naive.replace(tzinfo=self.tz)


CERTIFICATE = AttentionKind.CERTIFICATE_UNTRUSTED


def reason_or_other(reason: PauseReason | str | None) -> PauseReason:
    return reason if isinstance(reason, PauseReason) else PauseReason.OTHER


# -- the indicator ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Indicator:
    """Everything the big status panel and the action bar need."""

    kind: StateKind
    headline: str
    subheadline: str
    lines: tuple[str, ...] = ()
    fill: Fill = Fill.SOLID
    target: StoreState | None = None  # what the store is, or is about to be, for the actions
    can_extend: bool = False
    conflict_choice: tuple[str, str] | None = None  # (keep Gett's, apply mine) button texts
    manager_action: bool = False
    #: A pause waits for Gett and the store is not paused there: "resume" cancels the pause.
    cancels_pause: bool = False
    #: How loudly an unconfirmed pause asks for help: 0 quiet, then 1..MAX_ALARM.
    alarm: int = 0
    #: "All stores": the lines are one per store (a short panel may set them in two columns).
    summary: bool = False

    @property
    def icon(self) -> str:
        return ICONS[self.kind]

    @property
    def palette(self) -> Palette:
        return PALETTES[self.kind]

    @property
    def accessible_text(self) -> str:
        """Every part as one sentence each ("PAUSING…. Not confirmed" read as two)."""
        return ". ".join(p.rstrip(".") for p in [self.headline, self.subheadline, *self.lines])


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The inputs of one rendering."""

    view: StoreView | None
    connectivity: Connectivity
    now: datetime
    poll_interval: float = 30.0
    local_tap: StoreStatusUpdate | None = None  # tapped, not yet acknowledged by the worker
    time: LocalTime = field(default_factory=LocalTime)
    local_tap_at: datetime | None = None  # when that tap was made
    support_phone: str = ""  # Gett support's number, from the settings ("" = not set)
    #: When the kitchen first asked for a pause that Gett has not confirmed since: "+15 min" or
    #: "Change pause" on it makes a new change, not a new wait (the alarm keeps counting).
    pause_wanted_since: datetime | None = None


def alarm_level(waited: float) -> int:
    """0 for a pause unconfirmed less than ESCALATE_AFTER_SECONDS, then one more each step."""
    if waited < ESCALATE_AFTER_SECONDS:
        return 0
    return min(MAX_ALARM, 1 + int((waited - ESCALATE_AFTER_SECONDS) // ESCALATE_STEP_SECONDS))


def list_of(items: Iterable[str]) -> str:
    """``A, B, C`` with the language's own comma (Arabic writes ``،``)."""
    return reduce(
        lambda first, second: _("{first}, {second}").format(first=first, second=second), items
    )


def seconds_or_duration(seconds: float) -> str:
    """``45 s`` under a minute (a countdown a person watches), else :func:`format_duration`."""
    if seconds < 60:
        n = int(seconds)
        return ngettext("{n} s", "{n} s", n).format(n=ltr(n))
    return format_duration(seconds)


def _phone(phone: str) -> str:
    """A phone number kept whole: in right-to-left text a line break inside it would show its
    parts in the wrong order, so its spaces do not break there."""
    return ltr(phone.replace(" ", "\u00a0")) if i18n.is_rtl() else phone


def orders_still_come(waited: float, phone: str) -> tuple[str, ...]:
    """What an unconfirmed pause means for the kitchen, and what to do about it."""
    how_long = seconds_or_duration(waited)
    if phone:
        text = _(
            "Not confirmed for {duration}: call Gett support on {phone}, "
            "or pause the store in the Gett partner portal."
        ).format(duration=how_long, phone=_phone(phone))
    else:
        text = _(
            "Not confirmed for {duration}: call Gett support, "
            "or pause the store in the Gett partner portal."
        ).format(duration=how_long)
    return (text,)


def stale_after(poll_interval: float) -> float:
    return max(MIN_STALE_SECONDS, STALE_POLLS * poll_interval)


def describe_update(update: StoreStatusUpdate, now: datetime, lt: LocalTime) -> str:
    if update.status == StoreState.ONLINE:
        return _("Resume: take orders again")
    assert update.reason is not None
    return _("Pause: {reason}, {until}").format(
        reason=reason_text(update.reason), until=describe_until(update.resume_at, now, lt)
    )


def describe_until(resume_at: datetime | None, now: datetime, lt: LocalTime) -> str:
    if resume_at is None:
        return _("until you resume")
    left = (resume_at - now).total_seconds()
    if left <= 0:
        return _("until {time}").format(time=lt.clock_on(resume_at, now))
    return _("until {time} (in {duration})").format(
        time=lt.clock_on(resume_at, now), duration=format_duration(left)
    )


def _why_waiting(intent: Intent | None, conn: Connectivity, now: datetime) -> str:
    if intent is None:
        return _("Saving your change…")
    if conn.link is Link.OFFLINE:
        return _("No connection to Gett. It will be sent when the connection is back.")
    if intent.attempts == 0:
        return _("Sending to Gett now…")
    error = intent.last_error or conn.last_error or _("no answer")
    wait = (intent.next_attempt_at - now).total_seconds()
    if wait <= 1:
        return _("Gett did not take it yet ({error}). Trying again now.").format(
            error=isolate(error)
        )
    return _("Gett did not take it yet ({error}). Trying again in {duration}.").format(
        error=isolate(error), duration=seconds_or_duration(wait)
    )


def _last_known(view: StoreView, now: datetime, lt: LocalTime) -> str | None:
    if view.confirmed is None or view.confirmed_at is None:
        return None
    when = lt.clock_on(view.confirmed_at, now)
    return _("Last confirmed by Gett: {state} at {time}").format(
        state=status_word(view.confirmed), time=when
    )


def describe(snap: Snapshot) -> Indicator:
    """The one truth the big panel shows."""
    view, now, lt = snap.view, snap.now, snap.time
    if view is None and snap.local_tap is not None:
        # Tapped before any status came (or while the worker restarts): the tap still shows.
        view = StoreView(store=Store("", ""))
    if view is None:
        return Indicator(
            StateKind.UNKNOWN,
            _("STATUS UNKNOWN"),
            _("Waiting for the first answer from Gett…"),
            _connection_reason(snap.connectivity),
        )
    pending = view.pending
    attention = view.attention
    if (attention is not None and attention.kind.needs_manager) or (
        pending is not None and pending.state is IntentState.HELD
    ):
        kind = attention.kind if attention and attention.kind.needs_manager else None
        if (
            kind is None
            and pending is not None
            and pending.last_error_kind == CertificateRejected.__name__
        ):
            kind = CERTIFICATE  # held by the certificate, not the key
        lines: list[str] = []
        if attention is not None and attention.message and kind is not CERTIFICATE:
            lines.append(attention.message)  # (the certificate's long advice is for IT: below)
        if pending is not None and pending.is_open:
            lines.append(
                _("Waiting to be sent: {change}").format(
                    change=describe_update(pending.update, now, lt)
                )
            )
        if (known := _last_known(view, now, lt)) is not None:
            lines.append(known)
        if kind is CERTIFICATE:
            lines.append(
                _(
                    "Call IT: this PC must trust Gett's certificate (a proxy's root "
                    "certificate, or the PC's date). Changes are kept."
                )
            )
        else:
            lines.append(_("A manager can fix this in Settings."))
        return Indicator(
            StateKind.NEEDS_MANAGER,
            _("NEEDS A MANAGER"),
            _(MANAGER_WORDS[kind] if kind else MANAGER_WORDS[AttentionKind.KEY_REJECTED]),
            tuple(lines),
            target=_target_of(view),
            manager_action=True,
        )
    if pending is not None and pending.state is IntentState.CONFLICT:
        mine = pending.update
        live = view.confirmed
        lines = []
        changed = _("Changed outside this kiosk (the Gett partner portal or Gett support)")
        if live is not None and live.is_paused:
            until = describe_until(live.resume_at, now, lt)
            if live.paused_at is not None:
                changed = _(
                    "Changed outside this kiosk (the Gett partner portal or Gett support) "
                    "at {time}, {until}"
                ).format(time=lt.clock_on(live.paused_at, now), until=until)
            else:
                changed = _(
                    "Changed outside this kiosk (the Gett partner portal or Gett support), {until}"
                ).format(until=until)
        lines.append(changed)
        lines.append(_("This kiosk wanted: {change}").format(change=describe_update(mine, now, lt)))
        keep = (
            _("Keep Gett's: {state}").format(state=status_word(live))
            if live is not None
            else _("Keep Gett's state")
        )
        apply = (
            _("Apply mine: PAUSE") if mine.status == StoreState.PAUSED else _("Apply mine: RESUME")
        )
        return Indicator(
            StateKind.CONFLICT,
            _("CHANGED ELSEWHERE"),
            _orders_now(live),
            tuple(lines),
            target=None,
            conflict_choice=(keep, apply),
        )
    waiting_update, waiting_since = snap.local_tap, snap.local_tap_at
    waiting_intent: Intent | None = None
    if pending is not None and pending.state is IntentState.PENDING:
        waiting_update, waiting_intent = pending.update, pending
        waiting_since = pending.created_at
        if snap.local_tap is not None and snap.local_tap != pending.update:
            waiting_update, waiting_intent = snap.local_tap, None
            waiting_since = snap.local_tap_at
    if waiting_update is not None:
        pausing = waiting_update.status == StoreState.PAUSED
        live = view.confirmed
        online_at_gett = live is not None and live.status == StoreState.ONLINE
        lines = [describe_update(waiting_update, now, lt)]
        if not pausing and online_at_gett:
            lines = [_("Cancel the pause: the store stays online")]
        lines.append(_why_waiting(waiting_intent, snap.connectivity, now))
        if (known := _last_known(view, now, lt)) is not None:
            lines.append(known)
        subheadline, alarm = _("Not confirmed yet"), 0
        if pausing and snap.pause_wanted_since is not None:
            waiting_since = min(waiting_since or now, snap.pause_wanted_since)
        if pausing and waiting_since is not None:
            waited = max(0.0, (now - waiting_since).total_seconds())
            alarm = alarm_level(waited)
            if alarm:
                subheadline = _("NOT CONFIRMED: orders can still come in")
                lines = [*orders_still_come(waited, snap.support_phone), *lines]
        headline = _("PAUSING…") if pausing else _("RESUMING…")
        if not pausing and online_at_gett:
            headline = _("CANCELLING…")
        return Indicator(
            StateKind.PAUSING if pausing else StateKind.RESUMING,
            headline,
            subheadline,
            tuple(lines),
            fill=Fill.STRIPED,
            target=waiting_update.status,
            can_extend=pausing and waiting_update.resume_at is not None,
            cancels_pause=pausing and not (live is not None and live.is_paused),
            alarm=alarm,
        )
    confirmed, confirmed_at = view.confirmed, view.confirmed_at
    if confirmed is None or confirmed_at is None:
        return Indicator(
            StateKind.UNKNOWN,
            _("STATUS UNKNOWN"),
            _("Waiting for the first answer from Gett…"),
            _connection_reason(snap.connectivity),
        )
    age = (now - confirmed_at).total_seconds()
    if age > stale_after(snap.poll_interval):
        return Indicator(
            StateKind.UNKNOWN,
            _("STATUS UNKNOWN"),
            _("No answer from Gett for {duration}").format(duration=format_duration(age)),
            (
                _("Last known: {state} as of {time}").format(
                    state=status_word(confirmed), time=lt.clock_on(confirmed_at, now)
                ),
                *_connection_reason(snap.connectivity),
            ),
            target=_known_state(confirmed),
        )
    if not confirmed.status_known:
        return Indicator(
            StateKind.UNKNOWN,
            _("STATUS UNKNOWN"),
            _("Gett says “{state}”, which this kiosk does not know").format(
                state=isolate(confirmed.status)
            ),
            (_("Check the store in the Gett partner portal."),),
            target=None,
        )
    if confirmed.is_paused:
        resume_at = confirmed.resume_at
        if resume_at is not None and resume_at <= now:
            return Indicator(
                StateKind.RESUMING,
                _("RESUMING…"),
                _("Not confirmed yet"),
                (
                    _("The pause was set to end at {time}.").format(time=lt.clock(resume_at)),
                    _("Checking with Gett that the store is back online…"),
                ),
                fill=Fill.STRIPED,
                target=StoreState.ONLINE,
            )
        lines = []
        if confirmed.paused_at is not None:
            lasted = max(60.0, (now - confirmed.paused_at).total_seconds())
            lines.append(
                _("Paused since {time} ({duration})").format(
                    time=lt.clock_on(confirmed.paused_at, now), duration=format_duration(lasted)
                )
            )
        if resume_at is None:
            lines.append(_("Until you resume"))
        else:
            left = (resume_at - now).total_seconds()
            lines.append(
                _("Resumes at {time} (in {duration})").format(
                    time=lt.clock_on(resume_at, now), duration=format_duration(left)
                )
            )
        return Indicator(
            StateKind.PAUSED,
            _("PAUSED"),
            reason_text(confirmed.reason),
            tuple(lines),
            target=StoreState.PAUSED,
            can_extend=resume_at is not None,
        )
    return Indicator(
        StateKind.ONLINE,
        _("ONLINE"),
        _("Taking orders"),
        (_("Confirmed by Gett at {time}").format(time=lt.clock_on(confirmed_at, now)),),
        target=StoreState.ONLINE,
    )


def _status_sentence(status: StoreStatus, now: datetime, lt: LocalTime) -> str:
    if status.is_paused:
        reason, until = reason_text(status.reason), describe_until(status.resume_at, now, lt)
        if status.paused_at is not None:
            return _("PAUSED ({reason}, since {time}, {until})").format(
                reason=reason, time=lt.clock_on(status.paused_at, now), until=until
            )
        return _("PAUSED ({reason}, {until})").format(reason=reason, until=until)
    return status_word(status)


def _orders_now(live: StoreStatus | None) -> str:
    """What Gett says now, and whether orders are coming in: the first thing to read."""
    if live is None:
        return _("Gett's state is not known yet")
    if live.status == StoreState.ONLINE:
        return _("Gett says: ONLINE, taking orders")
    if live.is_paused:
        return _("Gett says: PAUSED ({reason}), no orders").format(reason=reason_text(live.reason))
    return _("Gett says: {state}").format(state=status_word(live))


def _known_state(status: StoreStatus) -> StoreState | None:
    return status.status if isinstance(status.status, StoreState) else None


def _target_of(view: StoreView) -> StoreState | None:
    if view.pending is not None and view.pending.is_open:
        return view.pending.update.status
    return _known_state(view.confirmed) if view.confirmed else None


def _connection_reason(conn: Connectivity) -> tuple[str, ...]:
    if conn.link is Link.OFFLINE:
        return (_("No connection to Gett right now."),)
    if conn.link is Link.DEGRADED:
        if conn.last_error:
            return (_("Gett is having problems: {error}.").format(error=isolate(conn.last_error)),)
        return (_("Gett is having problems: no details."),)
    return ()


# -- several stores: the store bar and the "All stores" summary -----------------------------


def needs_choice(ind: Indicator) -> bool:
    """A store whose next step is its own (a conflict choice, a manager): "all" taps skip it."""
    return ind.conflict_choice is not None or ind.manager_action


def pause_all_targets(indicators: Sequence[tuple[Store, Indicator]]) -> tuple[Store, ...]:
    """The stores "Pause all" sends a pause to: known to be online (or going online), nothing
    to choose.

    A store already paused keeps its own reason and end time: "Pause all" never shortens or
    changes a pause someone set on purpose (that store has its own button for that). A store
    whose state is not known yet is left out too: it may be paused in a way nobody here saw.
    """
    return tuple(
        s for s, ind in indicators if not needs_choice(ind) and ind.target is StoreState.ONLINE
    )


def resume_all_targets(indicators: Sequence[tuple[Store, Indicator]]) -> tuple[Store, ...]:
    """The stores "Resume all" sends a resume to: known to be paused (or pausing)."""
    return tuple(
        s for s, ind in indicators if not needs_choice(ind) and ind.target is StoreState.PAUSED
    )


#: Shorter state words for a narrow store button, tried in order when the full one does not fit
#: at the smallest readable size (the button's accessible text keeps the full words).
#: (English keys marked for extraction: :func:`short_words` compares in the language shown.)
SHORT_WORDS: dict[str, tuple[str, ...]] = {
    N_("CHANGED ELSEWHERE"): (N_("CHANGED"),),
    N_("STATUS UNKNOWN"): (N_("UNKNOWN"),),
    N_("NEEDS A MANAGER"): (N_("MANAGER!"),),
    N_("RESUMING…"): (N_("RESUMING"),),
    N_("CANCELLING…"): (N_("CANCELLING"), N_("CANCEL…")),
    N_("CHANGING…"): (N_("CHANGING"),),
    N_("PAUSING…"): (N_("PAUSING"),),
    N_("ALL PAUSED"): (N_("PAUSED"),),  # (on "All stores", whose name says "all")
    N_("ALL ONLINE"): (N_("ONLINE"),),
}
_NUMBERS = re.compile(r"\d+")


def some_paused(paused: int, total: int) -> str:
    """The big word for "All stores" when some are paused: ``2 OF 4 PAUSED``."""
    return _("{paused} OF {total} PAUSED").format(paused=ltr(paused), total=ltr(total))


def short_words(word: str) -> tuple[str, ...]:
    """``word`` and its shorter forms, longest first ("2 OF 4 PAUSED", "2/4 PAUSED")."""
    numbers = _NUMBERS.findall(word)
    if len(numbers) == 2 and word == some_paused(int(numbers[0]), int(numbers[1])):
        # The fraction is one left-to-right run: "2/4" must not read "4/2" in Hebrew.
        fraction = ltr(f"{int(numbers[0])}/{int(numbers[1])}")
        short = _("{fraction} PAUSED").format(fraction=fraction)
        return (word, short)
    forms: tuple[str, ...] = (word,)
    for full, shorter in SHORT_WORDS.items():
        if word == _(full):
            forms = (word, *(_(s) for s in shorter))
            break
    tighter = _short_elsewhere().get(forms[-1])
    if tighter is not None and len(tighter) < len(forms[-1]):
        forms = (*forms, tighter)
    return forms


def _short_elsewhere() -> dict[str, str]:
    """State words short in English but long in some language ("متوقف مؤقتًا"): the shorter
    form that language gives for a narrow button (English gives the same word, so none)."""
    return {
        _("PAUSED"): pgettext("short state word", "PAUSED"),
        _("ONLINE"): pgettext("short state word", "ONLINE"),
    }


_URGENCY = (
    StateKind.NEEDS_MANAGER,
    StateKind.CONFLICT,
    StateKind.PAUSING,
    StateKind.RESUMING,
    StateKind.UNKNOWN,
    StateKind.PAUSED,
    StateKind.ONLINE,
)


def summarise(indicators: Sequence[tuple[Store, Indicator]]) -> Indicator:
    """The big panel for "All stores" (see :func:`_summarise`), marked as a summary."""
    return replace(_summarise(indicators), summary=True)


def _summarise(indicators: Sequence[tuple[Store, Indicator]]) -> Indicator:
    """The big panel for "All stores": counts in words, and one line per store.

    Never rounder than the stores it sums up: one store not confirmed makes the whole summary
    "not confirmed", one store unknown makes it "unknown", and every store is listed by name
    with the words its own button shows.
    """
    total = len(indicators)
    # Most urgent first: a short panel that shows only the first lines shows those.
    ordered = sorted(indicators, key=lambda pair: _URGENCY.index(pair[1].kind))
    lines = tuple(
        _("{store}: {state} ({detail})").format(
            store=isolate(s.name), state=ind.headline, detail=ind.subheadline
        )
        for s, ind in ordered
    )

    def of_total(template: str, count: int, **more: str) -> str:
        # Templates are chosen with ngettext(..., total): the noun counted is all the stores.
        return template.format(count=ltr(count), total=ltr(total), **more)

    def with_kind(*kinds: StateKind) -> list[tuple[Store, Indicator]]:
        return [(s, ind) for s, ind in indicators if ind.kind in kinds]

    if managers := with_kind(StateKind.NEEDS_MANAGER):
        store, ind = managers[0]
        sub = _("{store}: {detail}").format(store=isolate(store.name), detail=ind.subheadline)
        if len(managers) > 1:
            sub = of_total(
                ngettext(
                    "{count} of {total} stores: {detail}",
                    "{count} of {total} stores: {detail}",
                    total,
                ),
                len(managers),
                detail=ind.subheadline,
            )
        return Indicator(
            StateKind.NEEDS_MANAGER, _("NEEDS A MANAGER"), sub, lines, manager_action=True
        )
    if conflicts := with_kind(StateKind.CONFLICT):
        names = list_of(isolate(s.name) for s, _ind in conflicts)
        return Indicator(
            StateKind.CONFLICT,
            _("CHANGED ELSEWHERE"),
            _("{stores}: changed outside this kiosk. Tap the store to choose.").format(
                stores=names
            ),
            lines,
        )
    if waiting := with_kind(StateKind.PAUSING, StateKind.RESUMING):
        kinds = {ind.kind for _s, ind in waiting}
        headline = (
            _("PAUSING…")
            if kinds == {StateKind.PAUSING}
            else _("RESUMING…")
            if kinds == {StateKind.RESUMING}
            else _("CHANGING…")
        )
        alarm = max(ind.alarm for _s, ind in waiting)
        sub = of_total(
            ngettext(
                "Not confirmed yet for {count} of {total} stores",
                "Not confirmed yet for {count} of {total} stores",
                total,
            ),
            len(waiting),
        )
        if alarm:
            sub = of_total(
                ngettext(
                    "NOT CONFIRMED for {count} of {total} stores: orders can still come in",
                    "NOT CONFIRMED for {count} of {total} stores: orders can still come in",
                    total,
                ),
                len(waiting),
            )
        return Indicator(
            StateKind.PAUSING if StateKind.PAUSING in kinds else StateKind.RESUMING,
            headline,
            sub,
            lines,
            fill=Fill.STRIPED,
            alarm=alarm,
        )
    if unknown := with_kind(StateKind.UNKNOWN):
        return Indicator(
            StateKind.UNKNOWN,
            _("STATUS UNKNOWN"),
            of_total(
                ngettext(
                    "No confirmed status for {count} of {total} stores",
                    "No confirmed status for {count} of {total} stores",
                    total,
                ),
                len(unknown),
            ),
            lines,
        )
    paused = len(with_kind(StateKind.PAUSED))
    if paused == 0:
        sub = of_total(
            ngettext(
                "{count} of {total} stores taking orders",
                "{count} of {total} stores taking orders",
                total,
            ),
            total,
        )
        return Indicator(StateKind.ONLINE, _("ALL ONLINE"), sub, lines)
    headline = _("ALL PAUSED") if paused == total else some_paused(paused, total)
    sub = of_total(
        ngettext("{count} of {total} stores paused", "{count} of {total} stores paused", total),
        paused,
    )
    if paused < total:
        open_ = total - paused
        sub = of_total(
            ngettext(
                "{count} of {total} stores paused, {open}",
                "{count} of {total} stores paused, {open}",
                total,
            ),
            paused,
            open=ngettext("{n} store taking orders", "{n} stores taking orders", open_).format(
                n=ltr(open_)
            ),
        )
    return Indicator(StateKind.PAUSED, headline, sub, lines)


# -- the connection line and the offline banner ----------------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectionInfo:
    line: str  # always shown, small
    banner: str | None  # shown big when offline or degraded
    link: Link


def waiting_count(views: Sequence[StoreView]) -> int:
    return sum(1 for v in views if v.pending is not None and v.pending.state is IntentState.PENDING)


def describe_connection(
    conn: Connectivity,
    views: Sequence[StoreView],
    now: datetime,
    lt: LocalTime | None = None,
) -> ConnectionInfo:
    lt = lt or LocalTime()
    confirmed = [v.confirmed_at for v in views if v.confirmed_at is not None]
    last = max(confirmed) if confirmed else None
    since = (
        _("last confirmed {time}").format(time=lt.clock_on(last, now))
        if last
        else _("nothing confirmed yet")
    )
    words = {
        Link.UNKNOWN: _("Connecting to Gett…"),
        Link.ONLINE: _("Connected to Gett"),
        Link.DEGRADED: _("Gett is having problems"),
        Link.OFFLINE: _("No connection"),
    }[conn.link]
    line = _("{link} · {since}").format(link=words, since=since)
    skew = describe_offset(conn.clock_offset, short=True)
    if skew:  # the times on screen are Gett's, not the taskbar's: say why they differ
        line = _("{link} · {since} · {clock}").format(link=words, since=since, clock=skew)
    banner = None
    waiting = waiting_count(views)
    if conn.link in (Link.OFFLINE, Link.DEGRADED):
        offline = conn.link is Link.OFFLINE
        if waiting and offline:
            banner = ngettext(
                "No connection to Gett. {n} change is waiting and will be sent when the "
                "connection is back.",
                "No connection to Gett. {n} changes are waiting and will be sent when the "
                "connection is back.",
                waiting,
            ).format(n=ltr(waiting))
        elif waiting:
            banner = ngettext(
                "Gett is not answering properly. {n} change is waiting and will be sent when "
                "the connection is back.",
                "Gett is not answering properly. {n} changes are waiting and will be sent when "
                "the connection is back.",
                waiting,
            ).format(n=ltr(waiting))
        elif offline:
            banner = _(
                "No connection to Gett. Changes you make will be sent when the connection is back."
            )
        else:
            banner = _(
                "Gett is not answering properly. Changes you make will be sent when the "
                "connection is back."
            )
    return ConnectionInfo(line, banner, conn.link)


# -- timed prompts ---------------------------------------------------------------------------


def heads_up_key(
    view: StoreView | None, now: datetime, lead: float = HEADS_UP_SECONDS
) -> str | None:
    """A key for the pause whose auto-resume is within ``lead`` seconds, else None."""
    if view is None or view.pending is not None or view.confirmed is None:
        return None
    pause = view.confirmed
    if not pause.is_paused or pause.resume_at is None:
        return None
    left = (pause.resume_at - now).total_seconds()
    if 0 < left <= lead:
        return pause.resume_at.isoformat()
    return None


def forgotten_pause_since(view: StoreView | None, now: datetime, minutes: int) -> datetime | None:
    """When an open-ended pause started, if it has lasted longer than ``minutes``; else None."""
    if view is None or view.pending is not None or view.confirmed is None:
        return None
    pause = view.confirmed
    if not pause.is_paused or pause.resume_at is not None:
        return None
    since = pause.paused_at or view.confirmed_at
    if since is None or (now - since) < timedelta(minutes=minutes):
        return None
    return since


def extension(
    view: StoreView | None, now: datetime, minutes: int = EXTEND_MINUTES
) -> StoreStatusUpdate | None:
    """The pause "+15 min" sends: the same reason, the resume time pushed back."""
    if view is None:
        return None
    pending = view.pending
    if pending is not None and pending.is_open and pending.update.status == StoreState.PAUSED:
        reason, resume_at = pending.update.reason, pending.update.resume_at
    elif view.confirmed is not None and view.confirmed.is_paused:
        reason, resume_at = reason_or_other(view.confirmed.reason), view.confirmed.resume_at
    else:
        return None
    return extend_update(StoreStatusUpdate.pause(reason_or_other(reason), resume_at), now, minutes)


def extend_update(
    update: StoreStatusUpdate, now: datetime, minutes: int = EXTEND_MINUTES
) -> StoreStatusUpdate | None:
    """A timed pause ``minutes`` longer (None for a resume or an open-ended pause)."""
    if update.status != StoreState.PAUSED or update.resume_at is None:
        return None
    return StoreStatusUpdate.pause(
        reason_or_other(update.reason), max(update.resume_at, now) + timedelta(minutes=minutes)
    )


def screen_scale(width: int, height: int) -> float:
    """Text and icon scale against 1280x800, turned for portrait (800x1280 is 1.0, not 0.8:
    a tall screen's width is its short side, and its text should grow like a big one's)."""
    long_side, short_side = max(width, height), min(width, height)
    return round(max(0.8, min(1.5, min(long_side / 1280, short_side / 800))), 1)


# -- colour maths ----------------------------------------------------------------------------


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of ``#RRGGBB``."""
    text = colour.lstrip("#")
    channels = [int(text[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
