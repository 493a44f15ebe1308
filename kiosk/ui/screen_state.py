"""Everything the screen knows, in one place and without Qt.

The window used to keep a second copy of every store's view, the taps it had not heard back
about, alerts, prompt keys and snoozes in some fifteen fields of its own, and decided that a tap
was saved by comparing values. Here that state has one owner: :class:`ScreenState` takes events
(a store view, the connection, a tap, the tap writer's answer, a tick) and produces one immutable
:class:`Screen` that the widgets render. A tap carries a *tap id* from the moment it is made;
the tap writer answers by id, and the worker says which saved intents it has adopted, so a tap is
cleared when it is known to be done, never by guessing from values.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from kiosk.core.config import Store
from kiosk.core.i18n import _, isolate, ltr, ngettext
from kiosk.core.models import StoreState, StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.sync import Attention, AttentionKind, Connectivity, StoreView
from kiosk.core.words import attention_title, format_duration, outcome, reason_text
from kiosk.ui.pages import Page
from kiosk.ui.view_model import (
    ConnectionInfo,
    Indicator,
    LocalTime,
    Snapshot,
    StateKind,
    describe,
    describe_connection,
    describe_until,
    describe_update,
    forgotten_pause_since,
    heads_up_key,
    needs_choice,
    pause_all_targets,
    reason_or_other,
    resume_all_targets,
    summarise,
)

#: The store selector's "All stores" choice (not a store id: those are UUIDs).
ALL_STORES = "all"
#: How long "Keep paused" silences the forgotten-pause reminder.
REMIND_AGAIN_MINUTES = 10
#: How long a tap that someone else replaced is named on its store's panel.
REPLACED_NOTE_SECONDS = 120.0
#: How long "+15 min" shows what it did ("Paused until 16:30 ✓").
TOAST_SECONDS = 5.0
#: How long "Undo" stays after a resume.
UNDO_SECONDS = 10.0
#: The pages an idle kiosk leaves for the status screen (never Settings behind the PIN).
IDLE_RETURN_PAGES = frozenset({Page.REASONS, Page.RESUME, Page.CUSTOM, Page.PIN, Page.LOG})
#: Big-panel states that keep the screen lit: nothing confirmed, a choice, a manager needed.
AWAKE_KINDS = frozenset(
    {
        StateKind.PAUSING,
        StateKind.RESUMING,
        StateKind.CONFLICT,
        StateKind.NEEDS_MANAGER,
        StateKind.UNKNOWN,
    }
)


def needs_attention(screen: Screen) -> bool:
    """Something on this screen a person should see now: night mode never hides it."""
    ind = screen.indicator
    return bool(
        screen.banner or screen.heads_up or screen.reminder or screen.toast
        or screen.actions.undo or screen.connection.banner or ind.alarm
        or ind.kind in AWAKE_KINDS
        or any(b.alert or b.indicator.kind in AWAKE_KINDS for b in screen.store_buttons)
    )  # fmt: skip


#: Attention kinds shown as a banner (the others are part of the big indicator).
BANNER_KINDS = frozenset(
    {
        AttentionKind.PAUSE_EXPIRED,
        AttentionKind.REQUEST_REJECTED,
        AttentionKind.QUEUE_ERROR,
        AttentionKind.QUEUE_RECOVERED,
        AttentionKind.KEYRING_UNAVAILABLE,
    }
)

Changes = list[tuple[str, StoreStatusUpdate]]


@dataclass(frozen=True, slots=True)
class LocalTap:
    """A tap the worker has not shown yet; ``intent_id`` once the tap writer saved it."""

    tap_id: int
    update: StoreStatusUpdate
    intent_id: int | None = None
    at: datetime | None = None  # when it was tapped (an unconfirmed pause escalates from here)


@dataclass(frozen=True, slots=True)
class Undo:
    """What "Undo" after a resume puts back: the pause as it was, until ``until``."""

    store_id: str
    update: StoreStatusUpdate
    until: datetime


@dataclass(frozen=True, slots=True)
class Toast:
    """A short "this is what your tap did" line, shown until ``until``."""

    text: str
    until: datetime


@dataclass(frozen=True, slots=True)
class Replaced:
    """A saved tap that another process replaced before this kiosk sent it."""

    update: StoreStatusUpdate
    noticed: datetime


@dataclass(frozen=True, slots=True)
class Prompt:
    """A timed question over the whole screen (heads-up, forgotten pause), about one store."""

    store_id: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Notice:
    """The attention banner's message; ``store_id`` when it is about one store of several."""

    title: str
    message: str
    store_id: str | None = None


@dataclass(frozen=True, slots=True)
class Actions:
    """Which action buttons show, and what they say."""

    pause: bool = False
    resume: bool = False
    resume_all: bool = False
    #: The pause was never confirmed and Gett has the store online: "Cancel pause", not resume.
    cancel_pause: bool = False
    undo: bool = False
    extend: bool = False
    change: bool = False
    conflict_choice: tuple[str, str] | None = None
    conflict_enabled: bool = True
    settings: bool = False
    taps_enabled: bool = False
    pause_question: str = ""  # (filled in the language shown: see ScreenState.pause_question)


@dataclass(frozen=True, slots=True)
class StoreButton:
    store: Store
    indicator: Indicator
    alert: str | None


@dataclass(frozen=True, slots=True)
class Screen:
    """One frame: what every widget of the home page (and the prompts) shows."""

    stores: tuple[Store, ...]
    selected: str
    title: str
    indicator: Indicator
    store_buttons: tuple[StoreButton, ...]
    all_stores: Indicator | None
    connection: ConnectionInfo
    actions: Actions
    banner: Notice | None = None
    heads_up: Prompt | None = None
    reminder: Prompt | None = None
    toast: str | None = None
    #: The time on Gett's clock, "HH:MM" (big, in the top bar: a kitchen reads it from afar).
    clock: str = ""

    @property
    def store_id(self) -> str | None:
        return None if self.selected == ALL_STORES else self.selected

    @property
    def multi_store(self) -> bool:
        return len(self.stores) > 1

    @property
    def announcement(self) -> str:
        """What a screen reader says when the state changes (not on every countdown second)."""
        ind = self.indicator
        if self.title:
            return _("{store}: {state}. {detail}.").format(
                store=isolate(self.title), state=ind.headline, detail=ind.subheadline
            )
        return _("{state}. {detail}.").format(state=ind.headline, detail=ind.subheadline)


@dataclass
class ScreenState:
    """The screen's one source of truth. Plain Python: every rule is unit-tested without Qt.

    Time comes in with the events that need it (``now``), so a test drives it like a clock.
    """

    stores: tuple[Store, ...] = ()
    poll_interval: float = 30.0
    forgotten_pause_minutes: int = 30
    lt: LocalTime = field(default_factory=LocalTime)
    #: True while a worker takes taps (or for a made-up screen): the tap buttons are enabled.
    ready: bool = False
    #: Seconds without a touch before a menu goes back to the status screen (0: never).
    idle_return_seconds: float = 30.0
    dim_after_seconds: float = 600.0
    support_phone: str = ""

    views: dict[str, StoreView] = field(default_factory=dict)
    connectivity: Connectivity = field(default_factory=Connectivity)
    selected: str = ""  # (the first store, once configured)
    local_taps: dict[str, LocalTap] = field(default_factory=dict)
    replaced: dict[str, Replaced] = field(default_factory=dict)
    #: The conflict (its intent id) a choice was sent for, per store: its buttons wait.
    conflict_sent: dict[str, int] = field(default_factory=dict)
    store_alerts: dict[str, str] = field(default_factory=dict)
    banner: Notice | None = None
    flow_targets: tuple[str, ...] = ()
    heads_up: Prompt | None = None
    heads_up_key: str | None = None
    heads_up_shown: set[tuple[str, str]] = field(default_factory=set)
    reminder: Prompt | None = None
    reminder_keys: dict[str, str] = field(default_factory=dict)
    reminder_snoozed_until: dict[str, datetime] = field(default_factory=dict)
    had_status: bool = False
    #: Each tap's changes until the tap writer answers for it.
    taps: dict[int, Changes] = field(default_factory=dict)
    last_touch: datetime | None = None
    #: Pauses tapped on this screen (since it started), to say "paused from this kiosk".
    own_pauses: dict[str, StoreStatusUpdate] = field(default_factory=dict)
    undo: Undo | None = None
    #: Per store: when an unconfirmed pause was first asked for (see ``Snapshot``).
    pause_wanted_since: dict[str, datetime] = field(default_factory=dict)
    toast: Toast | None = None
    _tap_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.configure(self.stores, self.poll_interval, self.forgotten_pause_minutes)

    # -- configuration and selection -------------------------------------------------------

    def configure(
        self, stores: Sequence[Store], poll_interval: float, forgotten_pause_minutes: int
    ) -> None:
        self.stores = tuple(stores)
        self.poll_interval = poll_interval
        self.forgotten_pause_minutes = forgotten_pause_minutes
        self.select(self.selected)

    @property
    def store_id(self) -> str | None:
        """The store the big panel shows (None: "All stores", or no store configured)."""
        return None if self.selected == ALL_STORES else self.selected

    @property
    def multi_store(self) -> bool:
        return len(self.stores) > 1

    def store(self, store_id: str) -> Store | None:
        return next((s for s in self.stores if s.id == store_id), None)

    def store_name(self, store_id: str) -> str:
        store = self.store(store_id)
        return store.name if store is not None else _("this store")

    def select(self, store_id: str) -> None:
        """Show ``store_id`` (or ``ALL_STORES``); an unknown id falls back to the first store,
        and "All stores" means the store itself when there is only one."""
        if store_id != ALL_STORES and self.store(store_id) is None:
            store_id = self.stores[0].id if self.stores else ALL_STORES
        if store_id == ALL_STORES and len(self.stores) == 1:
            store_id = self.stores[0].id
        self.selected = store_id
        self.store_alerts.pop(store_id, None)

    # -- the worker's reports --------------------------------------------------------------

    def on_view(self, view: StoreView, now: datetime) -> bool:
        """A store's view from the worker. Returns True if it is the first status to show."""
        sid = view.store.id
        self._resumed_elsewhere(self.views.get(sid), view, now)
        self.views[sid] = view
        chosen = self.conflict_sent.get(sid)
        if chosen is not None and (
            view.pending is None
            or view.pending.id != chosen
            or view.pending.state is not IntentState.CONFLICT
        ):
            del self.conflict_sent[sid]  # that conflict is settled (a poll alone settles nothing)
        local = self.local_taps.get(sid)
        if local is not None and local.intent_id is not None and view.pending is not None:
            if view.pending.id == local.intent_id:
                del self.local_taps[sid]  # adopted: the view shows it from here on
            elif view.pending.id > local.intent_id:
                self._replaced(sid, local, now)
        first = (
            not self.had_status
            and (sid == self.store_id or self.store_id is None)
            and (view.confirmed is not None or view.attention is not None)
        )
        self.had_status = self.had_status or first
        return first

    def _resumed_elsewhere(self, old: StoreView | None, new: StoreView, now: datetime) -> None:
        """A pause that ends early with nothing of this kiosk's on its way was ended elsewhere
        (the portal, Gett support, a `kiosk resume`): say so, do not just repaint."""
        sid = new.store.id
        if old is None or old.confirmed is None or new.confirmed is None:
            return
        if not old.confirmed.is_paused or new.confirmed.status != StoreState.ONLINE:
            return
        if old.pending is not None or new.pending is not None or sid in self.local_taps:
            return  # this kiosk's own resume
        end = old.confirmed.resume_at
        if end is not None and end <= now:
            return  # the pause ran out as planned
        at = self.lt.clock_on(now, now)
        title = (
            _("{store}: resumed outside this kiosk at {time}").format(
                store=isolate(self.store_name(sid)), time=at
            )
            if self.multi_store
            else _("Resumed outside this kiosk at {time}").format(time=at)
        )
        self.banner = Notice(
            title,
            _("ONLINE and taking orders again (ended in the Gett portal or by Gett support)."),
            sid if self.multi_store else None,
        )

    def on_connectivity(self, connectivity: Connectivity) -> None:
        self.connectivity = connectivity

    def on_attention(self, attention: Attention) -> None:
        """Worker attentions that need a banner; the others show on the big panel."""
        if attention.kind not in BANNER_KINDS:
            return
        title = attention_title(attention.kind)
        store = self.store(attention.store_id) if attention.store_id else None
        if store is not None and self.multi_store:
            title = _("{store}: {title}").format(store=isolate(store.name), title=title)
            self.banner = Notice(title, attention.message, store.id)
            self.store_alerts[store.id] = title
        else:
            self.banner = Notice(title, attention.message)

    def notify(self, title: str, message: str) -> None:
        """A banner of the window's own (settings not saved)."""
        self.banner = Notice(title, message)

    def dismiss_banner(self, *, keep_alert: bool = False) -> None:
        """OK on the banner (its store's mark goes too), or its way into Settings."""
        if not keep_alert and self.banner is not None and self.banner.store_id is not None:
            self.store_alerts.pop(self.banner.store_id, None)
        self.banner = None

    def worker_restarting(self) -> None:
        """New settings: the new worker reports afresh. Local taps stay (they are saved by
        the old worker's writer, or handed to the new worker)."""
        self.views.clear()
        self.connectivity = Connectivity()
        self.had_status = False

    # -- taps ------------------------------------------------------------------------------

    def tap(self, changes: Changes, now: datetime | None = None) -> int:
        """A person tapped: shown at once as "not confirmed yet". Returns the tap's id."""
        tap_id = next(self._tap_ids)
        self.taps[tap_id] = list(changes)
        if now is not None:
            self._offer_undo(changes, now)
        for store_id, update in changes:
            self.local_taps[store_id] = LocalTap(tap_id, update, at=now)
            self.replaced.pop(store_id, None)
            if update.status is StoreState.PAUSED:
                self.own_pauses[store_id] = update
            else:
                self.own_pauses.pop(store_id, None)
            if update.status is StoreState.ONLINE:
                if self.heads_up is not None and self.heads_up.store_id == store_id:
                    self.heads_up = None
                if self.reminder is not None and self.reminder.store_id == store_id:
                    self.reminder = None
        return tap_id

    def _offer_undo(self, changes: Changes, now: datetime) -> None:
        """A resume of one confirmed pause can be undone for a few seconds; any other tap
        of that store ends the offer."""
        if self.undo is not None and any(sid == self.undo.store_id for sid, _ in changes):
            self.undo = None
        if len(changes) != 1 or changes[0][1].status is not StoreState.ONLINE:
            return
        store_id = changes[0][0]
        view = self.views.get(store_id)
        if store_id in self.local_taps or view is None or view.pending is not None:
            return  # only a pause Gett confirmed, with nothing else on its way
        if self.store_indicator(store_id, now).kind is not StateKind.PAUSED:
            return
        pause = view.confirmed
        assert pause is not None
        if pause.resume_at is not None and pause.resume_at <= now:
            return
        update = StoreStatusUpdate.pause(reason_or_other(pause.reason), pause.resume_at)
        self.undo = Undo(store_id, update, now + timedelta(seconds=UNDO_SECONDS))

    def take_undo(self, now: datetime) -> Changes:
        """ "Undo" tapped: the pause to put back (nothing once the offer or its pause ended)."""
        undo, self.undo = self.undo, None
        if undo is None or now >= undo.until:
            return []
        if undo.update.resume_at is not None and undo.update.resume_at <= now:
            return []
        return [(undo.store_id, undo.update)]

    def extended(self, store_id: str, update: StoreStatusUpdate, now: datetime) -> None:
        """ "+15 min" was taken: say what it did for a few seconds."""
        until = describe_until(update.resume_at, now, self.lt)
        text = (
            _("✓ {store}: Pause now {until}").format(
                store=isolate(self.store_name(store_id)), until=until
            )
            if self.multi_store
            else _("✓ Pause now {until}").format(until=until)
        )
        self.toast = Toast(text, now + timedelta(seconds=TOAST_SECONDS))

    def touched(self, now: datetime) -> None:
        """Someone touched the screen or pressed a key (the idle return counts from here)."""
        self.last_touch = now

    def idle_return_due(self, page: Page, now: datetime) -> bool:
        """A menu left alone for ``idle_return_seconds`` goes back to the status screen."""
        if page not in IDLE_RETURN_PAGES or self.idle_return_seconds <= 0:
            return False
        if self.last_touch is None:
            self.last_touch = now  # (the page came up without a touch: count from now)
            return False
        return (now - self.last_touch).total_seconds() >= self.idle_return_seconds

    def dim_due(self, page: Page, now: datetime, screen: Screen) -> bool:
        """Night mode: the status screen left alone for ``dim_after_seconds`` dims, unless
        something needs attention or a tap is not confirmed yet (then it stays lit, or
        wakes: this is asked again at every report and tick)."""
        if self.dim_after_seconds <= 0 or page is not Page.HOME or self.last_touch is None:
            return False
        if self.local_taps or self.taps or needs_attention(screen):
            return False
        return (now - self.last_touch).total_seconds() >= self.dim_after_seconds

    def dim_deadline(self) -> datetime | None:
        """When night mode may next dim (for a tick that sleeps until something changes):
        ``dim_due`` decides; None when night mode is off or nobody has touched yet."""
        if self.dim_after_seconds <= 0 or self.last_touch is None:
            return None
        return self.last_touch + timedelta(seconds=self.dim_after_seconds)

    def tap_saved(self, tap_id: int, intent_ids: Sequence[int], now: datetime) -> None:
        """The tap writer committed the tap (``intent_ids`` in the order of its changes)."""
        changes = self.taps.pop(tap_id, [])
        for (store_id, _update), intent_id in zip(changes, intent_ids, strict=False):
            local = self.local_taps.get(store_id)
            if local is None or local.tap_id != tap_id:
                continue  # a newer tap of this store is what shows
            self.local_taps[store_id] = replace(local, intent_id=intent_id)
            view = self.views.get(store_id)
            if view is not None and view.pending is not None:
                if view.pending.id == intent_id:
                    del self.local_taps[store_id]
                elif view.pending.id > intent_id:
                    self._replaced(store_id, self.local_taps[store_id], now)

    def tap_failed(self, tap_id: int, message: str) -> None:
        """NOT saved: take back the tap's feedback and say so loudly."""
        for store_id, _update in self.taps.pop(tap_id, []):
            local = self.local_taps.get(store_id)
            if local is not None and local.tap_id == tap_id:
                del self.local_taps[store_id]
            title = _("Your change was NOT saved")
            if self.multi_store and self.store(store_id) is not None:
                title = _("{store}: Your change was NOT saved").format(
                    store=isolate(self.store_name(store_id))
                )
            self.banner = Notice(title, message)

    def taps_adopted(self, intents: Sequence[Intent], now: datetime) -> None:
        """The worker took saved taps in (its views for them came first). ``intents`` are as
        the queue has them now: one replaced or settled by another process is done here."""
        for intent in intents:
            local = self.local_taps.get(intent.store_id)
            if local is None or local.intent_id != intent.id:
                continue
            del self.local_taps[intent.store_id]
            if intent.state is IntentState.SUPERSEDED:
                self.replaced[intent.store_id] = Replaced(local.update, now)

    def _replaced(self, store_id: str, local: LocalTap, now: datetime) -> None:
        del self.local_taps[store_id]
        self.replaced[store_id] = Replaced(local.update, now)

    def conflict_resolving(self, store_id: str) -> None:
        view = self.views.get(store_id)
        if view is not None and view.pending is not None:
            self.conflict_sent[store_id] = view.pending.id

    # -- indicators ------------------------------------------------------------------------

    def store_indicator(self, store_id: str, now: datetime) -> Indicator:
        """What the panel (and the store's bar button) says about one store."""
        local = self.local_taps.get(store_id)
        view = self.views.get(store_id)
        first = self.pause_wanted_since.get(store_id)
        ind = describe(
            Snapshot(
                view,
                self.connectivity,
                now,
                self.poll_interval,
                local.update if local is not None else None,
                self.lt,
                local.at if local is not None else None,
                self.support_phone,
                first,
            )
        )
        # Remember when this unconfirmed pause began, until Gett confirms one or it is given up.
        if ind.kind is StateKind.PAUSING:
            if first is None:
                began = local.at if local is not None else None
                if began is None and view is not None and view.pending is not None:
                    began = view.pending.created_at
                if began is not None:
                    self.pause_wanted_since[store_id] = began
        else:
            self.pause_wanted_since.pop(store_id, None)
        if ind.kind is StateKind.PAUSED and self._paused_here(store_id):
            ind = replace(ind, lines=(*ind.lines, _("Paused from this kiosk")))
        gone = self.replaced.get(store_id)
        if gone is not None and (now - gone.noticed).total_seconds() < REPLACED_NOTE_SECONDS:
            note = _("Your change was {outcome} (made elsewhere): {change}").format(
                outcome=outcome(IntentState.SUPERSEDED),
                change=describe_update(gone.update, now, self.lt),
            )
            ind = replace(ind, lines=(note, *ind.lines))
        return ind

    def _paused_here(self, store_id: str) -> bool:
        """Gett's pause is the one tapped here (same reason and end). Unknown is not claimed:
        after a restart, or for a pause set elsewhere, nothing is said."""
        mine = self.own_pauses.get(store_id)
        view = self.views.get(store_id)
        if mine is None or view is None or view.confirmed is None:
            return False
        live = view.confirmed
        return live.is_paused and live.reason == mine.reason and live.resume_at == mine.resume_at

    def indicators(self, now: datetime) -> list[tuple[Store, Indicator]]:
        return [(s, self.store_indicator(s.id, now)) for s in self.stores]

    def indicator(self, now: datetime) -> Indicator:
        """What the big panel says: the selected store, or the summary of all stores."""
        return self._big_panel(self.indicators(now), now)

    def _big_panel(self, indicators: list[tuple[Store, Indicator]], now: datetime) -> Indicator:
        if self.store_id is not None:
            return next(ind for store, ind in indicators if store.id == self.store_id)
        if not indicators:
            return describe(Snapshot(None, self.connectivity, now))
        return summarise(indicators)

    def pause_targets(self, now: datetime) -> tuple[str, ...]:
        if self.store_id is not None:
            return (self.store_id,)
        return tuple(s.id for s in pause_all_targets(self.indicators(now)))

    def resume_targets(self, now: datetime) -> tuple[str, ...]:
        return tuple(s.id for s in resume_all_targets(self.indicators(now)))

    def current_pause(self, store_id: str) -> StoreStatusUpdate | None:
        """The pause this store is on, or about to be on (what "Change pause" changes)."""
        local = self.local_taps.get(store_id)
        if local is not None:
            return local.update if local.update.status is StoreState.PAUSED else None
        view = self.views.get(store_id)
        if view is None:
            return None
        if view.pending is not None and view.pending.is_open:
            update = view.pending.update
            return update if update.status is StoreState.PAUSED else None
        if view.confirmed is not None and view.confirmed.is_paused:
            return StoreStatusUpdate.pause(
                reason_or_other(view.confirmed.reason), view.confirmed.resume_at
            )
        return None

    def closing_time(self, store_ids: Sequence[str]) -> str | None:
        """The closing time these stores share ("HH:MM"), or None (not set, or not the same)."""
        times = {(s.closing if (s := self.store(sid)) else None) for sid in store_ids}
        return times.pop() if len(times) == 1 else None

    def key_missing(self) -> bool:
        return any(
            v.attention is not None and v.attention.kind is AttentionKind.KEY_MISSING
            for v in self.views.values()
        )

    # -- the pause flow --------------------------------------------------------------------

    def flow_label(self) -> str | None:
        """Who the pause pages name: None with one store (the screen stays as it always was)."""
        if not self.multi_store:
            return None
        targets = self.flow_targets
        if len(targets) == 1:
            return self.store_name(targets[0])
        n = len(targets)
        if n == len(self.stores):
            return ngettext("all {n} stores", "all {n} stores", n).format(n=ltr(n))
        return ngettext("{n} store", "{n} stores", n).format(n=ltr(n))

    def pause_question(self, now: datetime) -> str:
        if not self.multi_store:
            return _("Pause the store. Why?")
        if self.store_id is not None:
            return _("Pause {store}. Why?").format(store=isolate(self.store_name(self.store_id)))
        targets = pause_all_targets(self.indicators(now))
        n = len(targets)
        if n == len(self.stores):
            return ngettext("Pause all {n} stores. Why?", "Pause all {n} stores. Why?", n).format(
                n=ltr(n)
            )
        if n == 1:
            return _("Pause {store} too (not paused yet). Why?").format(
                store=isolate(targets[0].name)
            )
        return ngettext(
            "Pause the other {n} stores too (not paused yet). Why?",
            "Pause the other {n} stores too (not paused yet). Why?",
            n,
        ).format(n=ltr(n))

    def flow_changes(self, update: StoreStatusUpdate, now: datetime) -> Changes:
        """What a chosen pause applies to: the flow's one store, or for "pause all" the stores
        still pausable *now* (one may have been paused elsewhere while the person chose)."""
        targets, self.flow_targets = self.flow_targets, ()
        if len(targets) == 1:
            return [(targets[0], update)]
        still = {s.id for s in pause_all_targets(self.indicators(now))}
        return [(sid, update) for sid in targets if sid in still]

    # -- timed prompts ---------------------------------------------------------------------

    def _prompt_order(self) -> list[Store]:
        stores = list(self.stores)
        stores.sort(key=lambda s: s.id != self.store_id)  # stable: the shown store first
        return stores

    def _prompt_view(self, store_id: str, now: datetime) -> StoreView | None:
        """The store's view if its status is fresh and nobody just tapped it; else None."""
        if store_id in self.local_taps:
            return None
        if self.store_indicator(store_id, now).kind is StateKind.UNKNOWN:
            return None
        return self.views.get(store_id)

    def _whose(self, store_id: str) -> str:
        return isolate(self.store_name(store_id)) if self.multi_store else _("the store")

    def tick(self, now: datetime, *, on_home: bool) -> None:
        """Once a second: open or close the heads-up and the forgotten-pause reminder."""
        for store_id in list(self.replaced):
            if (now - self.replaced[store_id].noticed).total_seconds() >= REPLACED_NOTE_SECONDS:
                del self.replaced[store_id]
        if self.toast is not None and now >= self.toast.until:
            self.toast = None
        if self.undo is not None and now >= self.undo.until:
            self.undo = None
        self._check_heads_up(now, on_home)
        self._check_reminder(now, on_home)

    def leave_home(self) -> None:
        """Another page covers home: prompts close (the heads-up stays answered)."""
        self.heads_up = None
        self.reminder = None

    def close_heads_up(self) -> None:
        self.heads_up = None

    def close_reminder(self, *, snooze_at: datetime | None = None) -> str | None:
        """The reminder was answered; ``snooze_at``: "Keep paused" (ask again later)."""
        prompt, self.reminder = self.reminder, None
        if prompt is None:
            return None
        if snooze_at is not None:
            self.reminder_snoozed_until[prompt.store_id] = snooze_at + timedelta(
                minutes=REMIND_AGAIN_MINUTES
            )
        return prompt.store_id

    def _check_heads_up(self, now: datetime, on_home: bool) -> None:
        if self.heads_up is not None:
            key = heads_up_key(self._prompt_view(self.heads_up.store_id, now), now)
            if key != self.heads_up_key:
                self.heads_up = None
        if self.heads_up is not None or self.reminder is not None or not on_home:
            return
        for store in self._prompt_order():
            view = self._prompt_view(store.id, now)
            key = heads_up_key(view, now)
            if key is None or (store.id, key) in self.heads_up_shown:
                continue
            assert view is not None and view.confirmed is not None
            resume_at = view.confirmed.resume_at
            assert resume_at is not None
            self.heads_up_shown.add((store.id, key))
            self.heads_up_key = key
            title = (
                _("{store}: back online soon").format(store=isolate(store.name))
                if self.multi_store
                else _("Back online soon")
            )
            text = _(
                "Gett puts {store} back online at {time} (in {duration}).\nPaused for: {reason}."
            ).format(
                store=self._whose(store.id),
                time=self.lt.clock(resume_at),
                duration=format_duration((resume_at - now).total_seconds()),
                reason=reason_text(view.confirmed.reason),
            )
            self.heads_up = Prompt(store.id, title, text)
            return

    def _check_reminder(self, now: datetime, on_home: bool) -> None:
        minutes = self.forgotten_pause_minutes
        due: list[tuple[Store, datetime]] = []
        for store in self._prompt_order():
            since = forgotten_pause_since(self._prompt_view(store.id, now), now, minutes)
            if since is None:
                self.reminder_keys.pop(store.id, None)
                self.reminder_snoozed_until.pop(store.id, None)
                if self.reminder is not None and self.reminder.store_id == store.id:
                    self.reminder = None
                continue
            key = since.isoformat()
            if self.reminder_keys.get(store.id) != key:  # a new pause: no snooze carried over
                self.reminder_keys[store.id] = key
                self.reminder_snoozed_until.pop(store.id, None)
            snoozed = self.reminder_snoozed_until.get(store.id)
            if snoozed is None or now >= snoozed:
                due.append((store, since))
        if not due or self.reminder is not None or self.heads_up is not None or not on_home:
            return
        store, since = due[0]
        view = self.views[store.id]
        assert view.confirmed is not None
        values = {
            "time": self.lt.clock_on(since, now),
            "duration": format_duration((now - since).total_seconds()),
            "reason": reason_text(view.confirmed.reason),
            "store": isolate(store.name),
        }
        if self.multi_store:
            title = _("{store} is still paused").format(store=isolate(store.name))
            text = _(
                "Paused since {time} ({duration}) with no end time. Reason: {reason}.\n"
                "Customers cannot order from {store}."
            ).format(**values)
        else:
            title = _("The store is still paused")
            text = _(
                "Paused since {time} ({duration}) with no end time. Reason: {reason}.\n"
                "Customers cannot order."
            ).format(**values)
        self.reminder = Prompt(store.id, title, text)

    # -- the frame -------------------------------------------------------------------------

    def screen(self, now: datetime) -> Screen:
        indicators = self.indicators(now)
        indicator = self._big_panel(indicators, now)
        buttons: tuple[StoreButton, ...] = ()
        all_stores = None
        if self.multi_store:
            buttons = tuple(
                StoreButton(store, ind, self._alert(store.id)) for store, ind in indicators
            )
            all_stores = summarise(indicators)
        if self.multi_store:
            title = _("All stores") if self.store_id is None else self.store_name(self.selected)
        else:
            title = self.stores[0].name if self.stores else ""
        return Screen(
            stores=self.stores,
            selected=self.selected,
            title=title,
            indicator=indicator,
            store_buttons=buttons,
            all_stores=all_stores,
            connection=describe_connection(
                self.connectivity, list(self.views.values()), now, self.lt
            ),
            actions=self._actions(indicator, indicators, now),
            banner=self.banner,
            heads_up=self.heads_up,
            reminder=self.reminder,
            toast=self.toast.text if self.toast is not None and now < self.toast.until else None,
            clock=self.lt.clock(now),
        )

    def _alert(self, store_id: str) -> str | None:
        alert = self.store_alerts.get(store_id)
        view = self.views.get(store_id)
        if alert is None and view is not None and view.attention is not None:
            alert = view.attention.message or attention_title(view.attention.kind)
        return alert

    def _actions(
        self, ind: Indicator, indicators: list[tuple[Store, Indicator]], now: datetime
    ) -> Actions:
        question = self.pause_question(now)
        if self.store_id is None and indicators:
            show_pause = bool(pause_all_targets(indicators))
            return Actions(
                pause=show_pause,
                resume_all=bool(resume_all_targets(indicators)),
                settings=any(i.manager_action for _, i in indicators),
                taps_enabled=self.ready,
                pause_question=question,
            )
        # A key or store problem: taps would only be held, so the way out is the only action.
        blocked = needs_choice(ind)
        show_pause = not blocked and ind.target in (StoreState.ONLINE, None)
        show_resume = not blocked and ind.target in (StoreState.PAUSED, None)
        undo = self.undo
        return Actions(
            pause=show_pause,
            resume=show_resume and not ind.cancels_pause,
            cancel_pause=show_resume and ind.cancels_pause,
            undo=undo is not None and undo.store_id == self.store_id and now < undo.until,
            extend=show_resume and ind.can_extend,
            change=show_resume and ind.target is StoreState.PAUSED,
            conflict_choice=ind.conflict_choice,
            conflict_enabled=self.store_id not in self.conflict_sent,
            settings=ind.manager_action,
            taps_enabled=self.ready,
            pause_question=question,
        )
