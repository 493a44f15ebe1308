"""The sync engine: delivers intents from the outbox and keeps an honest picture of each store.

Qt-free and single-threaded: whoever drives it (the GUI's worker thread, or the CLI) calls
:meth:`SyncEngine.step` and sleeps for the number of seconds it returns, and calls
:meth:`SyncEngine.request` when a person taps. Everything it learns goes to a :class:`SyncListener`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from kiosk.core import recovery
from kiosk.core.clock import Clock, GettClock, SystemClock
from kiosk.core.config import Store
from kiosk.core.errors import (
    ApiError,
    AuthRejected,
    CertificateRejected,
    ConnectionFailed,
    NeedsAttention,
    RateLimited,
    RequestTimedOut,
    StoreNotFound,
    TransientError,
)
from kiosk.core.intake import base_for as base_for  # moved there; still importable from here
from kiosk.core.intake import projected, record_changes
from kiosk.core.logs import EVENT
from kiosk.core.models import StoreState, StoreStatus, StoreStatusUpdate, same_instant
from kiosk.core.outbox import Intent, IntentState, Outbox, OutboxError

log = logging.getLogger(__name__)


#: How far this PC's clock may be off Gett's before a pause looks like someone else's.
CLOCK_SKEW = timedelta(minutes=2)
#: An unchanged status is written again with its new confirmation time this often at most.
CONFIRMED_AT_EVERY = timedelta(seconds=60)


class StatusApi(Protocol):
    """What the engine needs of the API client (``GettClient`` fits)."""

    def get_status(self, store_id: str) -> StoreStatus: ...

    def set_status(self, store_id: str, update: StoreStatusUpdate) -> StoreStatus: ...


class Link(StrEnum):
    UNKNOWN = "unknown"
    ONLINE = "online"
    DEGRADED = "degraded"  # Gett answers, but with errors (5xx, 429, garbage)
    OFFLINE = "offline"  # nothing answers


@dataclass(frozen=True, slots=True)
class Connectivity:
    link: Link = Link.UNKNOWN
    last_success: datetime | None = None
    last_error: str | None = None
    #: Seconds Gett's clock is ahead of this PC's, once learnt (see ``GettClock``).
    clock_offset: float = 0.0


class AttentionKind(StrEnum):
    KEY_MISSING = "key_missing"
    KEYRING_UNAVAILABLE = "keyring_unavailable"  # the OS keyring could not be read
    KEY_REJECTED = "key_rejected"
    CERTIFICATE_UNTRUSTED = "certificate_untrusted"
    STORE_UNKNOWN = "store_unknown"
    REQUEST_REJECTED = "request_rejected"
    PAUSE_EXPIRED = "pause_expired"
    CONFLICT = "conflict"
    QUEUE_RECOVERED = "queue_recovered"
    QUEUE_ERROR = "queue_error"
    UNEXPECTED = "unexpected"

    @property
    def is_key_problem(self) -> bool:
        """The API key is missing or rejected: a valid key releases what it held."""
        return self in (AttentionKind.KEY_MISSING, AttentionKind.KEY_REJECTED)

    @property
    def needs_manager(self) -> bool:
        """Only a manager (or IT) can fix it; a successful read clears it."""
        return self.is_key_problem or self in (
            AttentionKind.STORE_UNKNOWN,
            AttentionKind.CERTIFICATE_UNTRUSTED,
        )


@dataclass(frozen=True, slots=True)
class Attention:
    """Something only a person can fix, phrased for them."""

    kind: AttentionKind
    message: str
    store_id: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoreView:
    """Everything the screen needs to tell the truth about one store."""

    store: Store
    confirmed: StoreStatus | None = None  # the last state Gett confirmed
    confirmed_at: datetime | None = None  # when Gett last confirmed it
    pending: Intent | None = None  # a waiting intent (pending, held or conflict)
    attention: Attention | None = None


class SyncListener(Protocol):
    def on_store_view(self, view: StoreView) -> None: ...

    def on_connectivity(self, connectivity: Connectivity) -> None: ...

    def on_attention(self, attention: Attention) -> None: ...


class NullListener:
    def on_store_view(self, view: StoreView) -> None:
        pass

    def on_connectivity(self, connectivity: Connectivity) -> None:
        pass

    def on_attention(self, attention: Attention) -> None:
        pass


@dataclass(frozen=True, slots=True)
class Backoff:
    """Full-jitter exponential backoff: a random wait in [floor, min(cap, base * 2^attempt)]."""

    base: float = 1.0
    cap: float = 60.0
    floor: float = 1.0
    max_retry_after: float = 3600.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        ceiling = max(self.floor, min(self.cap, self.base * 2 ** min(attempt, 30)))
        wait = rng.uniform(self.floor, ceiling)
        if retry_after is not None:  # the server's minimum wins, within reason
            wait = max(wait, min(retry_after, self.max_retry_after))
        return wait


def _same_state(a: StoreStatus, b: StoreStatus) -> bool:
    if a.status != b.status:
        return False
    if a.status != StoreState.PAUSED:
        return True
    if a.reason != b.reason or not same_instant(a.resume_at, b.resume_at):
        return False
    return a.paused_at is None or b.paused_at is None or same_instant(a.paused_at, b.paused_at)


class SyncEngine:
    """Delivers due intents, reconciles with Gett, reports what is true."""

    def __init__(
        self,
        outbox: Outbox,
        client: StatusApi | None,
        stores: Sequence[Store],
        *,
        clock: Clock | None = None,
        listener: SyncListener | None = None,
        poll_interval: float = 30.0,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
        expiry_margin: float = 5.0,
        should_stop: Callable[[], bool] | None = None,
        should_yield: Callable[[], bool] | None = None,
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.clock = clock or SystemClock()
        self.listener: SyncListener = listener or NullListener()
        self.poll_interval = poll_interval
        self.backoff = backoff or Backoff()
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self.expiry_margin = timedelta(seconds=expiry_margin)
        self.should_stop = should_stop or (lambda: False)
        # True while a person's tap waits to be saved: finish the request in flight, then let
        # the tap in before any other network work (a tap must never wait behind polls).
        self.should_yield = should_yield or (lambda: False)
        self.connectivity = Connectivity()
        self._views: dict[str, StoreView] = {}
        self._saved_status: dict[str, tuple[StoreStatus, datetime]] = {}
        self._next_poll: dict[str, float] = {}
        for store in stores:
            last = outbox.last_status(store.id)
            if last:
                self._saved_status[store.id] = last
            self._views[store.id] = StoreView(
                store=store,
                confirmed=last[0] if last else None,
                confirmed_at=last[1] if last else None,
                pending=outbox.open_intent(store.id),
            )
            self._next_poll[store.id] = float("-inf")
        self._next_prune = float("-inf")
        # Said at every start until a person acknowledges it (`kiosk queue ack`).
        notice = recovery.summary(outbox.data_dir)
        if notice is not None:
            self._attention(Attention(AttentionKind.QUEUE_RECOVERED, notice))

    # -- what a person does ----------------------------------------------------------------

    def request(self, store_id: str, update: StoreStatusUpdate, *, origin: str) -> Intent:
        """Commit the intent (durable before anything is sent), then try to deliver it now.

        Raises :class:`OutboxError` if it could not be saved: the caller must say so loudly.
        """
        return self.request_many([(store_id, update)], origin=origin)[0]

    def request_many(
        self, changes: Sequence[tuple[str, StoreStatusUpdate]], *, origin: str
    ) -> list[Intent]:
        """Several taps at once ("pause all"): every one is committed before any is sent, so a
        slow or hung request for one store never leaves the others unsaved."""
        for store_id, _update in changes:
            self._view(store_id)
        intents = record_changes(self.outbox, changes, origin=origin, now=self.clock.now())
        # Saved. From here on a queue error must not be reported as "not saved".
        try:
            for intent in intents:
                log.info(
                    "intent %d for %s: %s (%s)",
                    intent.id,
                    intent.store_id,
                    intent.update.to_json(),
                    origin,
                )
                self._refresh_pending(intent.store_id, clear_attention=True)
            self.run_due()
            return [self.outbox.get(intent.id) for intent in intents]
        except OutboxError as exc:
            self._attention(Attention(AttentionKind.QUEUE_ERROR, str(exc)))
            return intents

    def adopt(self, intents: Sequence[Intent]) -> None:
        """Taps another connection already committed (the UI's tap writer): show them as
        waiting, then deliver what is due."""
        try:
            for intent in intents:
                self._refresh_pending(intent.store_id, clear_attention=True)
            self.run_due()
        except OutboxError as exc:
            self._attention(Attention(AttentionKind.QUEUE_ERROR, str(exc)))

    def resolve_conflict(self, store_id: str, *, apply_mine: bool) -> None:
        self.outbox.resolve_conflict(store_id, apply_mine=apply_mine)
        self._refresh_pending(store_id, clear_attention=True)
        if not apply_mine:
            self._next_poll[store_id] = float("-inf")
        self.run_due()

    def set_client(self, client: StatusApi | None) -> None:
        """A new API key was stored: retry what a rejected key was holding."""
        self.client = client
        if client is not None:
            self.outbox.release_held()
            for store_id in self._views:
                self._refresh_pending(store_id, clear_attention=True)
                self._next_poll[store_id] = float("-inf")

    def recheck_held(self) -> None:
        """Read each store whose change is held: a read that succeeds releases it."""
        try:
            held = [i.store_id for i in self.outbox.open_intents() if i.state is IntentState.HELD]
        except OutboxError as exc:
            self._attention(Attention(AttentionKind.QUEUE_ERROR, str(exc)))
            return
        for store_id in held:
            if self.client is not None:
                self.poll(store_id)

    def poke(self) -> None:
        """A hint that the network is back: retry now rather than after the backoff."""
        self.outbox.make_due_now()
        for store_id in self._views:
            if self.connectivity.link is not Link.ONLINE:
                self._next_poll[store_id] = float("-inf")

    def force(self) -> int:
        """Re-apply held and conflicting intents now (``kiosk sync --force``)."""
        count = self.outbox.force_all()
        for store_id in self._views:
            self._refresh_pending(store_id, clear_attention=True)
        return count

    # -- the loop --------------------------------------------------------------------------

    def step(self) -> float:
        """Do all work that is due; return the seconds until there may be more."""
        self._prune_if_due()
        self.run_due()
        if self.should_yield():
            return 0.0  # back right after the waiting tap is saved
        now, now_mono = self.clock.now(), self.clock.monotonic()
        for store_id, due in list(self._next_poll.items()):
            if self.should_stop() or self.should_yield():
                break
            if due <= now_mono or self._auto_resume_due(store_id, now):
                self.poll(store_id)
        return self.seconds_until_next()

    def seconds_until_next(self) -> float:
        now, now_mono = self.clock.now(), self.clock.monotonic()
        waits = [due - now_mono for due in self._next_poll.values()]
        next_due = self.outbox.next_due_at()
        if next_due is not None:
            waits.append((next_due - now).total_seconds())
        for view in self._views.values():
            pause = view.confirmed
            if pause and pause.is_paused and pause.resume_at and pause.resume_at > now:
                # Re-read right when Gett should auto-resume the store.
                waits.append((pause.resume_at - now).total_seconds() + 1.0)
        return max(0.05, min(waits, default=self.poll_interval))

    def _prune_if_due(self) -> None:
        """Keep 30 days of history for the pause log and support; check once a day."""
        if self.clock.monotonic() < self._next_prune:
            return
        self._next_prune = self.clock.monotonic() + 86_400
        try:
            removed = self.outbox.prune_history()
        except OutboxError as exc:
            log.warning("could not prune the queue history: %s", exc)
            return
        if removed:
            log.info("pruned %d intents older than 30 days from the history", removed)

    def _auto_resume_due(self, store_id: str, now: datetime) -> bool:
        """Gett should have resumed the store by now and we have not looked since."""
        view = self._views[store_id]
        pause, seen = view.confirmed, view.confirmed_at
        return bool(
            pause is not None
            and pause.is_paused
            and pause.resume_at is not None
            and pause.resume_at <= now
            and (seen is None or seen < pause.resume_at)
        )

    def run_due(self) -> None:
        """Deliver every intent that is due now."""
        while not self.should_stop() and not self.should_yield():
            try:
                intent = self.outbox.claim_due()
            except OutboxError as exc:
                self._attention(Attention(AttentionKind.QUEUE_ERROR, str(exc)))
                return
            if intent is None:
                return
            try:
                self._deliver(intent)
            except OutboxError as exc:
                self._attention(Attention(AttentionKind.QUEUE_ERROR, str(exc), intent.store_id))
            finally:
                # Whatever ended the attempt (even an unexpected error), a live owner must not
                # keep a lease it no longer uses: it would hold the store up until it exits.
                self._release_quietly(intent.id)
            self._refresh_pending(intent.store_id)

    def _release_quietly(self, intent_id: int) -> None:
        try:
            self.outbox.release(intent_id)
        except OutboxError as exc:
            log.warning("could not release the lease of intent %d: %s", intent_id, exc)

    def poll(self, store_id: str) -> StoreStatus | None:
        """Read the live status of one store."""
        self._next_poll[store_id] = self.clock.monotonic() + self.poll_interval
        if self.client is None:
            self._missing_key(store_id)
            return None
        asked = self.clock.now()
        try:
            live = self.client.get_status(store_id)
        except ApiError as exc:
            self._failed(store_id, exc)
            return None
        self._observed(store_id, live, asked)
        return live

    # -- delivery --------------------------------------------------------------------------

    def _deliver(self, intent: Intent) -> None:
        update, store_id = intent.update, intent.store_id
        now = self.clock.now()
        if update.resume_at is not None and update.resume_at <= now + self.expiry_margin:
            self._expire(intent)
            return
        if self.client is None:
            self.outbox.mark_terminal(
                intent.id, IntentState.HELD, "No API key is stored.", "key_missing"
            )
            self._missing_key(store_id)
            return
        try:
            if intent.verify_first or intent.attempts > 0:
                asked = self.clock.now()
                live = self.client.get_status(store_id)
                self._observed(store_id, live, asked)
                if update.matches(live):
                    log.info("intent %d: Gett already matches; nothing to send", intent.id)
                    self.outbox.mark_delivered(intent.id, live)
                    return
                if self._changed_elsewhere(intent, live, now):
                    self._conflict(intent, live)
                    return
            if update.resume_at is not None and update.resume_at <= (
                self.clock.now() + self.expiry_margin
            ):
                self._expire(intent)  # the read above took long: too late now
                return
            if not self.outbox.mark_sending(intent.id):
                log.info("intent %d was replaced while we checked; not sending it", intent.id)
                self.outbox.release(intent.id)  # so the newer change goes out now
                return
            asked = self.clock.now()
            confirmed = self.client.set_status(store_id, update)
        except TransientError as exc:
            delay = self.backoff.delay(intent.attempts, exc.retry_after, self.rng)
            log.info("intent %d: %s; retry in %.1f s", intent.id, type(exc).__name__, delay)
            # A refusal, a 429 or any 4xx means Gett did not apply it; anything else might have.
            left = getattr(exc, "request_sent", not isinstance(exc, RateLimited))
            self.outbox.mark_retry(
                intent.id, delay, str(exc), type(exc).__name__, request_left=bool(left)
            )
            self._failed(store_id, exc)
            return
        except NeedsAttention as exc:
            # A rejected key or an untrusted certificate is not the change's fault: keep it,
            # held, until a read with this key and this trust store succeeds (or a new key).
            held = isinstance(exc, AuthRejected | CertificateRejected)
            state = IntentState.HELD if held else IntentState.FAILED
            self.outbox.mark_terminal(intent.id, state, str(exc), type(exc).__name__)
            self._failed(store_id, exc)
            return
        log.info("intent %d delivered: %s", intent.id, confirmed.to_json(), extra=EVENT)
        self.outbox.mark_delivered(intent.id, confirmed)
        self._observed(store_id, confirmed, asked)

    def _changed_elsewhere(self, intent: Intent, live: StoreStatus, now: datetime) -> bool:
        """Did someone else (a portal, Gett support) change the store after this tap?"""
        if self._is_our_own_earlier_tap(intent, live):
            return False
        if intent.base is not None:
            # What Gett said when the person tapped, moved on to now (a timed pause ends by
            # itself). Anything else means someone else acted. Only Gett's own timestamps are
            # compared here, so a wrong clock on this PC cannot fake a conflict.
            return not _same_state(projected(intent.base, now), live)
        # Tapped before the first status read: only a pause Gett started clearly after the
        # tap is someone else's (with room for this PC's clock being off).
        return live.paused_at is not None and live.paused_at > intent.created_at + CLOCK_SKEW

    def _is_our_own_earlier_tap(self, intent: Intent, live: StoreStatus) -> bool:
        """A superseded intent of ours may have landed late (its answer lost): not a conflict."""
        for earlier in self.outbox.history(limit=20, store_id=intent.store_id):
            if earlier.id >= intent.id:
                continue
            if earlier.state is IntentState.DELIVERED:
                break  # anything older was settled before Gett last confirmed a change of ours
            if (
                earlier.state is IntentState.SUPERSEDED
                and earlier.sent
                and earlier.update.matches(live)
            ):
                return True
        return False

    def _conflict(self, intent: Intent, live: StoreStatus) -> None:
        message = (
            "The store was changed elsewhere (for example in the Gett portal) after this change "
            "was made. Keep Gett's state, or apply this change?"
        )
        self.outbox.mark_terminal(intent.id, IntentState.CONFLICT, message, "conflict")
        self._attention(Attention(AttentionKind.CONFLICT, message, intent.store_id))

    def _expire(self, intent: Intent) -> None:
        assert intent.update.resume_at is not None
        when = intent.update.resume_at.astimezone().strftime("%H:%M")
        message = (
            f"A pause meant to end at {when} could not be sent before that time, so it was not "
            "sent. Check the store's status."
        )
        self.outbox.mark_terminal(intent.id, IntentState.EXPIRED, message, "expired")
        self._attention(Attention(AttentionKind.PAUSE_EXPIRED, message, intent.store_id))

    # -- bookkeeping -----------------------------------------------------------------------

    def _view(self, store_id: str) -> StoreView:
        if store_id not in self._views:
            self._views[store_id] = StoreView(store=Store(store_id, store_id))
            self._next_poll[store_id] = float("-inf")
        return self._views[store_id]

    def views(self) -> list[StoreView]:
        return list(self._views.values())

    def _set_view(self, view: StoreView) -> None:
        self._views[view.store.id] = view
        self.listener.on_store_view(view)

    def _refresh_pending(self, store_id: str, *, clear_attention: bool = False) -> None:
        view = self._view(store_id)
        pending = self.outbox.open_intent(store_id)
        attention = None if clear_attention else view.attention
        if pending is not None and pending.state is IntentState.CONFLICT and attention is None:
            attention = Attention(AttentionKind.CONFLICT, pending.last_error or "", store_id)
        self._set_view(replace(view, pending=pending, attention=attention))

    def _observed(self, store_id: str, live: StoreStatus, asked: datetime) -> None:
        """Gett said ``live`` to a request sent at ``asked``: the status is confirmed as of
        then (not of when the answer came back), so a slow answer never looks fresher."""
        now = asked
        view = self._view(store_id)
        # Other connections (the UI's tap writer, the CLI) read it as the base of a new tap,
        # and a restart reads when it was last confirmed: write it when it differs from what
        # was last written, or its time is a minute old (the screen shows minutes; one write a
        # minute at most spares the disk), until a write succeeds.
        saved = self._saved_status.get(store_id)
        if saved is None or saved[0] != live or abs(now - saved[1]) >= CONFIRMED_AT_EVERY:
            try:
                self.outbox.save_last_status(store_id, live, now)
                self._saved_status[store_id] = (live, now)
            except OutboxError as exc:
                log.warning("could not save last status: %s", exc)
        attention = view.attention
        if attention is not None and attention.kind.needs_manager:
            attention = None
        # Another process (`kiosk resume`, `kiosk sync`) may have settled or replaced our
        # waiting change: the screen must not keep showing it as waiting.
        try:
            pending = self.outbox.open_intent(store_id)
            if (
                pending is not None
                and pending.state is IntentState.HELD
                and (pending.last_error_kind in _RELEASED_BY_A_READ)
            ):
                # Gett accepts this key over this connection again (a gateway's passing 401, a
                # key re-enabled in the portal, a trust store fixed): what it held may go.
                if self.outbox.release_held(store_id):
                    log.info("a read with the current key succeeded; releasing %d", pending.id)
                pending = self.outbox.open_intent(store_id)
        except OutboxError:
            pending = view.pending
        offset = self.clock.offset if isinstance(self.clock, GettClock) else 0.0
        self._set_connectivity(Connectivity(Link.ONLINE, now, None, offset))
        self._set_view(
            replace(view, confirmed=live, confirmed_at=now, attention=attention, pending=pending)
        )

    def _failed(self, store_id: str, exc: ApiError) -> None:
        if isinstance(exc, ConnectionFailed | RequestTimedOut | CertificateRejected):
            link = Link.OFFLINE
        elif isinstance(exc, TransientError):
            link = Link.DEGRADED
        else:
            link = Link.ONLINE  # Gett answered; the problem is ours to fix
        now = self.clock.now()
        last_success = now if link is Link.ONLINE else self.connectivity.last_success
        self._set_connectivity(
            Connectivity(link, last_success, str(exc), self.connectivity.clock_offset),
            why=getattr(exc, "kind", None) or type(exc).__name__,
        )
        if isinstance(exc, NeedsAttention):
            if isinstance(exc, AuthRejected):
                kind = AttentionKind.KEY_REJECTED
            elif isinstance(exc, CertificateRejected):
                kind = AttentionKind.CERTIFICATE_UNTRUSTED
            elif isinstance(exc, StoreNotFound):
                kind = AttentionKind.STORE_UNKNOWN
            else:
                kind = AttentionKind.REQUEST_REJECTED
            attention = Attention(kind, str(exc), store_id, exc.request_id)
            view = self._view(store_id)
            try:  # the tap it concerns is now held or failed: show that in the same update
                pending = self.outbox.open_intent(store_id)
            except OutboxError:
                pending = view.pending
            self._set_view(replace(view, attention=attention, pending=pending))
            self._attention(attention)

    def _missing_key(self, store_id: str) -> None:
        attention = Attention(
            AttentionKind.KEY_MISSING, "No API key is stored. A manager must enter it in Settings."
        )
        self._set_view(replace(self._view(store_id), attention=attention))
        self._attention(attention)

    def _set_connectivity(self, connectivity: Connectivity, why: str | None = None) -> None:
        if connectivity.link is not self.connectivity.link:
            # Only the changes, for the events log: weeks later IT asks when it went offline.
            log.info(
                "connection to Gett: %s%s (was %s)",
                connectivity.link.value,
                f", {why}" if why and connectivity.link is not Link.ONLINE else "",
                self.connectivity.link.value,
                extra=EVENT,
            )
        if connectivity != self.connectivity:
            self.connectivity = connectivity
            self.listener.on_connectivity(connectivity)

    def _attention(self, attention: Attention) -> None:
        log.warning("needs attention (%s): %s", attention.kind.value, attention.message)
        self.listener.on_attention(attention)


#: What a successful read proves fixed: a 401 (the key is accepted again) or a certificate that
#: could not be verified. Not a 403 (a key that may read but not write would loop: hold, read,
#: release, refused again), nor a missing key (nothing to read with).
_RELEASED_BY_A_READ = frozenset({AuthRejected.__name__, CertificateRejected.__name__})
