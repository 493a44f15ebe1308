"""What the screen says, as plain data: StoreView + Connectivity + now -> words, icon and colours.

Pure Python (no Qt), so every honest in-between state is unit-tested without widgets. The rule
it enforces: the confirmed state is never shown as if a waiting change were already true, and an
old confirmation is not passed off as the current state.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum

from kiosk.core.config import Store
from kiosk.core.errors import CertificateRejected
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
        return self.local(when).strftime("%H:%M")

    def clock_on(self, when: datetime, now: datetime) -> str:
        """``14:30``, ``tomorrow 09:00`` or ``Sat 16 Jan 09:00``: a date only when not today."""
        local, today = self.local(when), self.local(now).date()
        if local.date() == today:
            return local.strftime("%H:%M")
        if local.date() == today + timedelta(days=1):
            return "tomorrow " + local.strftime("%H:%M")
        return local.strftime("%a %d %b %H:%M")

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


def orders_still_come(waited: float, phone: str) -> tuple[str, ...]:
    """What an unconfirmed pause means for the kitchen, and what to do about it."""
    call = f"call Gett support on {phone}" if phone else "call Gett support"
    how_long = f"{int(waited)} s" if waited < 60 else format_duration(waited)
    return (
        f"Not confirmed for {how_long}: {call}, or pause the store in the Gett partner portal.",
    )


def stale_after(poll_interval: float) -> float:
    return max(MIN_STALE_SECONDS, STALE_POLLS * poll_interval)


def describe_update(update: StoreStatusUpdate, now: datetime, lt: LocalTime) -> str:
    if update.status == StoreState.ONLINE:
        return "Resume: take orders again"
    assert update.reason is not None
    return f"Pause: {update.reason.label}, {describe_until(update.resume_at, now, lt)}"


def describe_until(resume_at: datetime | None, now: datetime, lt: LocalTime) -> str:
    if resume_at is None:
        return "until you resume"
    left = (resume_at - now).total_seconds()
    if left <= 0:
        return f"until {lt.clock_on(resume_at, now)}"
    return f"until {lt.clock_on(resume_at, now)} (in {format_duration(left)})"


def _why_waiting(intent: Intent | None, conn: Connectivity, now: datetime) -> str:
    if intent is None:
        return "Saving your change…"
    if conn.link is Link.OFFLINE:
        return "No connection to Gett. It will be sent when the connection is back."
    if intent.attempts == 0:
        return "Sending to Gett now…"
    error = intent.last_error or conn.last_error or "no answer"
    wait = (intent.next_attempt_at - now).total_seconds()
    when = "now" if wait <= 1 else f"in {format_duration(wait) if wait >= 60 else f'{int(wait)} s'}"
    return f"Gett did not take it yet ({error}). Trying again {when}."


def _last_known(view: StoreView, now: datetime, lt: LocalTime) -> str | None:
    if view.confirmed is None or view.confirmed_at is None:
        return None
    when = lt.clock_on(view.confirmed_at, now)
    return f"Last confirmed by Gett: {status_word(view.confirmed)} at {when}"


def describe(snap: Snapshot) -> Indicator:
    """The one truth the big panel shows."""
    view, now, lt = snap.view, snap.now, snap.time
    if view is None and snap.local_tap is not None:
        # Tapped before any status came (or while the worker restarts): the tap still shows.
        view = StoreView(store=Store("", ""))
    if view is None:
        return Indicator(
            StateKind.UNKNOWN,
            "STATUS UNKNOWN",
            "Waiting for the first answer from Gett…",
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
            lines.append(f"Waiting to be sent: {describe_update(pending.update, now, lt)}")
        if (known := _last_known(view, now, lt)) is not None:
            lines.append(known)
        if kind is CERTIFICATE:
            lines.append(
                "Call IT: this PC must trust Gett's certificate (a proxy's root certificate, "
                "or the PC's date). Changes are kept."
            )
        else:
            lines.append("A manager can fix this in Settings.")
        return Indicator(
            StateKind.NEEDS_MANAGER,
            "NEEDS A MANAGER",
            MANAGER_WORDS[kind] if kind else MANAGER_WORDS[AttentionKind.KEY_REJECTED],
            tuple(lines),
            target=_target_of(view),
            manager_action=True,
        )
    if pending is not None and pending.state is IntentState.CONFLICT:
        mine = pending.update
        live = view.confirmed
        lines = []
        changed = "Changed outside this kiosk (the Gett partner portal or Gett support)"
        if live is not None and live.is_paused:
            if live.paused_at is not None:
                changed += f" at {lt.clock_on(live.paused_at, now)}"
            changed += f", {describe_until(live.resume_at, now, lt)}"
        lines.append(changed)
        lines.append(f"This kiosk wanted: {describe_update(mine, now, lt)}")
        keep = f"Keep Gett's: {status_word(live)}" if live is not None else "Keep Gett's state"
        apply = "Apply mine: PAUSE" if mine.status == StoreState.PAUSED else "Apply mine: RESUME"
        return Indicator(
            StateKind.CONFLICT,
            "CHANGED ELSEWHERE",
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
            lines = ["Cancel the pause: the store stays online"]
        lines.append(_why_waiting(waiting_intent, snap.connectivity, now))
        if (known := _last_known(view, now, lt)) is not None:
            lines.append(known)
        subheadline, alarm = "Not confirmed yet", 0
        if pausing and snap.pause_wanted_since is not None:
            waiting_since = min(waiting_since or now, snap.pause_wanted_since)
        if pausing and waiting_since is not None:
            waited = max(0.0, (now - waiting_since).total_seconds())
            alarm = alarm_level(waited)
            if alarm:
                subheadline = "NOT CONFIRMED: orders can still come in"
                lines = [*orders_still_come(waited, snap.support_phone), *lines]
        headline = "PAUSING…" if pausing else "RESUMING…"
        if not pausing and online_at_gett:
            headline = "CANCELLING…"
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
            "STATUS UNKNOWN",
            "Waiting for the first answer from Gett…",
            _connection_reason(snap.connectivity),
        )
    age = (now - confirmed_at).total_seconds()
    if age > stale_after(snap.poll_interval):
        return Indicator(
            StateKind.UNKNOWN,
            "STATUS UNKNOWN",
            f"No answer from Gett for {format_duration(age)}",
            (
                f"Last known: {status_word(confirmed)} as of {lt.clock_on(confirmed_at, now)}",
                *_connection_reason(snap.connectivity),
            ),
            target=_known_state(confirmed),
        )
    if not confirmed.status_known:
        return Indicator(
            StateKind.UNKNOWN,
            "STATUS UNKNOWN",
            f"Gett says “{confirmed.status}”, which this kiosk does not know",
            ("Check the store in the Gett partner portal.",),
            target=None,
        )
    if confirmed.is_paused:
        resume_at = confirmed.resume_at
        if resume_at is not None and resume_at <= now:
            return Indicator(
                StateKind.RESUMING,
                "RESUMING…",
                "Not confirmed yet",
                (
                    f"The pause was set to end at {lt.clock(resume_at)}.",
                    "Checking with Gett that the store is back online…",
                ),
                fill=Fill.STRIPED,
                target=StoreState.ONLINE,
            )
        lines = []
        if confirmed.paused_at is not None:
            lines.append(
                f"Paused since {lt.clock_on(confirmed.paused_at, now)} "
                f"({format_duration(max(60.0, (now - confirmed.paused_at).total_seconds()))})"
            )
        if resume_at is None:
            lines.append("Until you resume")
        else:
            left = (resume_at - now).total_seconds()
            lines.append(f"Resumes at {lt.clock_on(resume_at, now)} (in {format_duration(left)})")
        return Indicator(
            StateKind.PAUSED,
            "PAUSED",
            reason_text(confirmed.reason),
            tuple(lines),
            target=StoreState.PAUSED,
            can_extend=resume_at is not None,
        )
    return Indicator(
        StateKind.ONLINE,
        "ONLINE",
        "Taking orders",
        (f"Confirmed by Gett at {lt.clock_on(confirmed_at, now)}",),
        target=StoreState.ONLINE,
    )


def _status_sentence(status: StoreStatus, now: datetime, lt: LocalTime) -> str:
    if status.is_paused:
        text = f"PAUSED ({reason_text(status.reason)}"
        if status.paused_at is not None:
            text += f", since {lt.clock_on(status.paused_at, now)}"
        return text + f", {describe_until(status.resume_at, now, lt)})"
    return status_word(status)


def _orders_now(live: StoreStatus | None) -> str:
    """What Gett says now, and whether orders are coming in: the first thing to read."""
    if live is None:
        return "Gett's state is not known yet"
    if live.status == StoreState.ONLINE:
        return "Gett says: ONLINE, taking orders"
    if live.is_paused:
        return f"Gett says: PAUSED ({reason_text(live.reason)}), no orders"
    return f"Gett says: {status_word(live)}"


def _known_state(status: StoreStatus) -> StoreState | None:
    return status.status if isinstance(status.status, StoreState) else None


def _target_of(view: StoreView) -> StoreState | None:
    if view.pending is not None and view.pending.is_open:
        return view.pending.update.status
    return _known_state(view.confirmed) if view.confirmed else None


def _connection_reason(conn: Connectivity) -> tuple[str, ...]:
    if conn.link is Link.OFFLINE:
        return ("No connection to Gett right now.",)
    if conn.link is Link.DEGRADED:
        return (f"Gett is having problems: {conn.last_error or 'no details'}.",)
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
SHORT_WORDS: dict[str, tuple[str, ...]] = {
    "CHANGED ELSEWHERE": ("CHANGED",),
    "STATUS UNKNOWN": ("UNKNOWN",),
    "NEEDS A MANAGER": ("MANAGER!",),
    "RESUMING…": ("RESUMING",),
    "CANCELLING…": ("CANCELLING", "CANCEL…"),
    "CHANGING…": ("CHANGING",),
    "PAUSING…": ("PAUSING",),
    "ALL PAUSED": ("PAUSED",),  # (on "All stores", whose name says "all")
    "ALL ONLINE": ("ONLINE",),
}
_N_OF_M = re.compile(r"^(\d+) OF (\d+) (\w+)$")


def short_words(word: str) -> tuple[str, ...]:
    """``word`` and its shorter forms, longest first ("2 OF 4 PAUSED", "2/4 PAUSED")."""
    if match := _N_OF_M.match(word):
        return (word, f"{match[1]}/{match[2]} {match[3]}")
    return (word, *SHORT_WORDS.get(word, ()))


def _count(n: int, noun: str = "store") -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


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
    lines = tuple(f"{s.name}: {ind.headline} ({ind.subheadline})" for s, ind in ordered)
    of = f"of {total}"

    def with_kind(*kinds: StateKind) -> list[tuple[Store, Indicator]]:
        return [(s, ind) for s, ind in indicators if ind.kind in kinds]

    if managers := with_kind(StateKind.NEEDS_MANAGER):
        store, ind = managers[0]
        sub = f"{store.name}: {ind.subheadline}"
        if len(managers) > 1:
            sub = f"{len(managers)} {of} stores: {ind.subheadline}"
        return Indicator(
            StateKind.NEEDS_MANAGER, "NEEDS A MANAGER", sub, lines, manager_action=True
        )
    if conflicts := with_kind(StateKind.CONFLICT):
        names = ", ".join(s.name for s, _ in conflicts)
        return Indicator(
            StateKind.CONFLICT,
            "CHANGED ELSEWHERE",
            f"{names}: changed outside this kiosk. Tap the store to choose.",
            lines,
        )
    if waiting := with_kind(StateKind.PAUSING, StateKind.RESUMING):
        kinds = {ind.kind for _, ind in waiting}
        headline = (
            "PAUSING…"
            if kinds == {StateKind.PAUSING}
            else "RESUMING…"
            if kinds == {StateKind.RESUMING}
            else "CHANGING…"
        )
        alarm = max(ind.alarm for _, ind in waiting)
        sub = f"Not confirmed yet for {len(waiting)} {of} stores"
        if alarm:
            sub = f"NOT CONFIRMED for {len(waiting)} {of} stores: orders can still come in"
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
            "STATUS UNKNOWN",
            f"No confirmed status for {len(unknown)} {of} stores",
            lines,
        )
    paused = len(with_kind(StateKind.PAUSED))
    if paused == 0:
        return Indicator(
            StateKind.ONLINE, "ALL ONLINE", f"{total} {of} stores taking orders", lines
        )
    headline = "ALL PAUSED" if paused == total else f"{paused} OF {total} PAUSED"
    sub = f"{paused} {of} stores paused"
    if paused < total:
        sub += f", {_count(total - paused)} taking orders"
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
    since = f"last confirmed {lt.clock_on(last, now)}" if last else "nothing confirmed yet"
    words = {
        Link.UNKNOWN: "Connecting to Gett…",
        Link.ONLINE: "Connected to Gett",
        Link.DEGRADED: "Gett is having problems",
        Link.OFFLINE: "No connection",
    }[conn.link]
    line = f"{words} · {since}"
    skew = describe_offset(conn.clock_offset, short=True)
    if skew:  # the times on screen are Gett's, not the taskbar's: say why they differ
        line += f" · {skew}"
    banner = None
    waiting = waiting_count(views)
    if conn.link in (Link.OFFLINE, Link.DEGRADED):
        head = (
            "No connection to Gett."
            if conn.link is Link.OFFLINE
            else "Gett is not answering properly."
        )
        if waiting:
            noun = "change is" if waiting == 1 else "changes are"
            banner = (
                f"{head} {waiting} {noun} waiting and will be sent when the connection is back."
            )
        else:
            banner = f"{head} Changes you make will be sent when the connection is back."
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
