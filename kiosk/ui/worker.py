"""The one bridge between Qt and the core: a worker QObject living on its own QThread.

It owns the ``httpx`` client and the SQLite connection, both created on that thread, drives the
sync engine with a single-shot timer, and talks to the UI only through queued signals. The UI
thread never waits on the network or the disk.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from kiosk.core.clock import Clock, SystemClock
from kiosk.core.config import Config
from kiosk.core.errors import ApiError
from kiosk.core.i18n import _
from kiosk.core.intake import record_changes
from kiosk.core.keystore import KeyStore, KeyStoreError
from kiosk.core.logs import EVENT
from kiosk.core.models import StoreStatusUpdate
from kiosk.core.outbox import Intent, Outbox, OutboxError
from kiosk.core.sync import (
    Attention,
    AttentionKind,
    Backoff,
    Connectivity,
    StatusApi,
    StoreView,
    SyncEngine,
)
from kiosk.core.words import KEYRING_LOCKED_ON_SCREEN
from kiosk.ui.shift_log import LOG_LIMIT

log = logging.getLogger(__name__)

ClientFactory = Callable[[str, str], StatusApi]


class _Listener:
    """Forwards engine events (on the worker thread) as Qt signals (queued to the UI)."""

    def __init__(self, worker: SyncWorker) -> None:
        self._worker = worker

    def on_store_view(self, view: StoreView) -> None:
        self._worker.store_view_changed.emit(view)

    def on_connectivity(self, connectivity: Connectivity) -> None:
        self._worker.connectivity_changed.emit(connectivity)

    def on_attention(self, attention: Attention) -> None:
        self._worker.attention_raised.emit(attention)


class SyncWorker(QObject):
    """Runs the sync engine on a worker thread.

    Signals:
        store_view_changed(StoreView): what is true about a store changed.
        connectivity_changed(Connectivity): online / degraded / offline, last success.
        attention_raised(Attention): something a person must fix.
        taps_adopted(list[Intent]): saved taps taken in, as the queue has them now (their
            views were sent first); one another process replaced shows as superseded.
        history_read(list[Intent] | str): the pause log (newest first), or why it cannot be read.
        ready(): the engine is up and the first views were sent.
        stopped(): everything is closed; the thread is ending.
    """

    store_view_changed = Signal(object)
    connectivity_changed = Signal(object)
    attention_raised = Signal(object)
    taps_adopted = Signal(object)
    history_read = Signal(object)
    ready = Signal()
    stopped = Signal()

    def __init__(
        self,
        config: Config,
        keystore: KeyStore,
        *,
        clock: Clock | None = None,
        client_factory: ClientFactory | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__()
        self._config = config
        self._keystore = keystore
        self._clock = clock or SystemClock()
        self._client_factory: ClientFactory = client_factory or self._gett_client
        self._backoff = backoff
        self._engine: SyncEngine | None = None
        self._outbox: Outbox | None = None
        self._client: StatusApi | None = None
        self._key: str | None = None
        self._next_key_check = 0.0
        self._timer: QTimer | None = None
        # Set from the UI thread; read between requests so a stop never waits for a whole step.
        self._stopping = threading.Event()
        # Set once start_work has opened (or failed to open) the queue file.
        self.queue_opened = threading.Event()
        # Taps handed over by the UI thread and not yet saved (see WorkerHost.send_*).
        self._taps_lock = threading.Lock()
        self._taps_waiting = 0
        self._taps_since = 0.0

    def _gett_client(self, url: str, key: str) -> StatusApi:
        """Imports httpx on the worker's thread, not while the UI thread builds the window."""
        from kiosk.core.client import GettClient

        return GettClient(url, key, clock=self._clock)

    def note_tap_coming(self) -> None:
        """Thread-safe: a tap is on its way; the engine lets it in before more network work."""
        with self._taps_lock:
            if self._taps_waiting == 0:
                self._taps_since = time.monotonic()
            self._taps_waiting += 1

    def _tap_arrived(self) -> None:
        with self._taps_lock:
            self._taps_waiting = max(0, self._taps_waiting - 1)

    def taps_pending(self) -> bool:
        """A tap was announced and not saved yet (the engine lets it in first)."""
        with self._taps_lock:
            if self._taps_waiting == 0:
                return False
            # A backstop: a count that never came down (a bug) must not stop syncing forever.
            if time.monotonic() - self._taps_since > TAP_YIELD_LIMIT_S:
                log.error("a tap was announced but never arrived; syncing goes on")
                self._taps_waiting = 0
                return False
            return True

    @property
    def config(self) -> Config:
        return self._config

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def keystore(self) -> KeyStore:
        return self._keystore

    def request_stop(self) -> None:
        """Thread-safe: finish the request in flight, then do no more network work."""
        self._stopping.set()
        self.queue_opened.set()  # the tap writer must not wait for a start that may not come

    # -- lifecycle (these run on the worker thread) -------------------------------------------

    @Slot()
    def start_work(self) -> None:
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        try:
            opened = self._open()
        finally:
            self.queue_opened.set()
            self.ready.emit()
        if opened:
            self._tick()

    def _open(self) -> bool:
        """Open the queue and start the engine; if the file cannot be opened, say so and try
        again every few seconds (a tap saved meanwhile by the tap writer then goes out)."""
        try:
            # Unique per worker: two kiosk windows on one PC must never share leases.
            owner = f"gui-{os.getpid()}-{id(self):x}"
            self._outbox = Outbox(self._config.data_dir, clock=self._clock, owner=owner)
        except OutboxError as exc:
            self.attention_raised.emit(Attention(AttentionKind.QUEUE_ERROR, str(exc)))
            if self._timer is not None and not self._stopping.is_set():
                QTimer.singleShot(REOPEN_EVERY_MS, self, self._reopen)
            return False
        finally:
            self.queue_opened.set()  # checked (and repaired if need be): the writer may open
        self._client, self._key = self._make_client()
        self._engine = SyncEngine(
            self._outbox,
            self._client,
            self._config.stores,
            clock=self._clock,
            listener=_Listener(self),
            poll_interval=self._config.poll_interval_seconds,
            backoff=self._backoff,
            should_stop=self._stopping.is_set,
            should_yield=self.taps_pending,
        )
        for view in self._engine.views():
            self.store_view_changed.emit(view)
        return True

    def _reopen(self) -> None:
        if self._engine is not None or self._timer is None or self._stopping.is_set():
            return
        if self._open():
            self._tick()

    @Slot()
    def stop_work(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer.setParent(None)
            self._timer = None  # destroyed here, on the thread that owns it
        self._close_client()
        if self._outbox is not None:
            self._outbox.close()
        self._engine = None
        self._outbox = None
        self.stopped.emit()
        thread = self.thread()
        # Hand the object back to the UI thread so it can be destroyed there after we end.
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())
        thread.quit()

    # -- requests from the UI -----------------------------------------------------------------

    @Slot(int, object)
    def on_tap_writer_saved(self, tap_id: int, intent_ids: list[int]) -> None:
        """The tap writer committed these: show them as waiting and send them."""
        self._tap_arrived()
        self.adopt(intent_ids)

    @Slot(object)
    def adopt(self, intent_ids: list[int]) -> None:
        """Show saved intents as waiting and send them; then say which were taken in (also
        for taps a retiring worker's writer saved during a restart)."""
        if self._engine is None or self._outbox is None:
            # The queue will not open here: saved, and sent once it does.
            self.attention_raised.emit(
                Attention(
                    AttentionKind.QUEUE_ERROR,
                    "The change is saved but cannot be sent yet: the kiosk cannot use its "
                    "queue file. It keeps trying.",
                )
            )
            return
        outbox = self._outbox
        try:
            intents = [outbox.get(i) for i in intent_ids]
        except OutboxError as exc:
            self.attention_raised.emit(Attention(AttentionKind.QUEUE_ERROR, str(exc)))
            return
        self._engine.adopt(intents)
        try:
            self.taps_adopted.emit([outbox.get(i) for i in intent_ids])
        except OutboxError as exc:
            self.attention_raised.emit(Attention(AttentionKind.QUEUE_ERROR, str(exc)))
        self._tick()

    @Slot(int, str)
    def on_tap_writer_failed(self, tap_id: int, message: str) -> None:
        """The screen hears of the failure from the writer itself; here only the count."""
        self._tap_arrived()

    @Slot(str, bool)
    def resolve_conflict(self, store_id: str, apply_mine: bool) -> None:
        if self._engine is not None:
            self._guard(store_id, lambda e: e.resolve_conflict(store_id, apply_mine=apply_mine))

    @Slot()
    def reload_key(self) -> None:
        """The key in the keyring changed (settings, `kiosk key set`): use it, release held taps.

        The new client is built before the old one is closed, so a bad key never leaves the
        engine holding a closed client.
        """
        client, key = self._make_client()
        self._close_client()
        self._client, self._key = client, key
        if self._engine is not None:
            self._guard(None, lambda e: e.set_client(client))
        self._tick()

    @Slot()
    def read_history(self) -> None:
        """The pause log for the screen: the queue's history, as `kiosk history` reads it."""
        if self._outbox is None:
            self.history_read.emit("The pause log is not open yet. Try again in a moment.")
            return
        try:
            self.history_read.emit(self._outbox.history(limit=LOG_LIMIT))
        except OutboxError as exc:
            self.history_read.emit(f"The pause log cannot be read: {exc}")

    @Slot()
    def poke(self) -> None:
        """The OS says the network may be back: retry now (a hint, never the judge)."""
        if self._engine is not None:
            self._guard(None, lambda e: e.poke())
        self._tick()

    @Slot()
    def refresh(self) -> None:
        """Re-read the live status now (e.g. the person tapped the status line)."""
        if self._engine is not None:
            for view in self._engine.views():
                self._engine.poll(view.store.id)
        self._tick()

    # -- internals -----------------------------------------------------------------------------

    def _guard(self, store_id: str | None, action: Callable[[SyncEngine], object]) -> None:
        assert self._engine is not None
        try:
            action(self._engine)
        except OutboxError as exc:
            self.attention_raised.emit(Attention(AttentionKind.QUEUE_ERROR, str(exc), store_id))

    def _tick(self) -> None:
        """One engine step; whatever happens, the timer is armed again (syncing never stops)."""
        if self._engine is None or self._timer is None or self._stopping.is_set():
            return
        wait = 5.0
        try:
            self._check_key_changed()
            wait = self._engine.step()
        except OutboxError as exc:
            self.attention_raised.emit(Attention(AttentionKind.QUEUE_ERROR, str(exc)))
        except Exception:
            log.exception("sync step failed; trying again in %.0f s", wait)
            self.attention_raised.emit(
                Attention(
                    AttentionKind.UNEXPECTED,
                    "Something unexpected went wrong while talking to Gett; the kiosk keeps "
                    "trying. If this stays, restart the kiosk and tell support.",
                )
            )
        finally:
            if self._timer is not None and not self._stopping.is_set():
                self._timer.start(max(50, min(int(wait * 1000), 3_600_000)))

    def _check_key_changed(self) -> None:
        """While the key is missing or rejected, look at the keyring again now and then: a
        manager may have run `kiosk key set`, or the keyring may have been unlocked."""
        assert self._engine is not None
        key_trouble = self._client is None or any(
            view.attention is not None and view.attention.kind.is_key_problem
            for view in self._engine.views()
        )
        now = self._clock.monotonic()
        if not key_trouble or now < self._next_key_check:
            return
        self._next_key_check = now + self._config.poll_interval_seconds
        try:
            key = self._keystore.get()
        except KeyStoreError:
            return
        if key and key != self._key:
            log.info("the API key in the keyring changed; using it")
            self.reload_key()

    def _make_client(self) -> tuple[StatusApi | None, str | None]:
        try:
            key = self._keystore.get()
        except KeyStoreError as exc:
            locked = exc.kind == "keyring_locked"
            message = _(KEYRING_LOCKED_ON_SCREEN) if locked else str(exc)
            self.attention_raised.emit(Attention(AttentionKind.KEYRING_UNAVAILABLE, message))
            return None, None
        if not key:
            return None, None
        from kiosk.core.logs import REDACTOR

        REDACTOR.add_secret(key)
        try:
            return self._client_factory(self._config.api_url, key), key
        except ApiError as exc:  # e.g. a key that cannot go in an HTTP header
            self.attention_raised.emit(Attention(AttentionKind.KEY_REJECTED, str(exc)))
            return None, key

    def _close_client(self) -> None:
        close = getattr(self._client, "close", None)
        if close is not None:
            close()
        self._client = None


class _NoQueue(Exception):
    """The tap writer could not open the queue file."""


class TapWriter(QObject):
    """Commits taps on a thread and SQLite connection of its own, so a tap is on disk at once
    even while the sync worker waits on a slow or hung request. (SQLite's WAL lets the two
    connections work side by side; every write is a short ``BEGIN IMMEDIATE``.)

    Signals:
        saved(int, list[int]): the tap (its id) is committed as these intents, in the order of
            its changes; the sync worker shows and sends them.
        failed(int, str): the tap (its id) was NOT saved, and why: the screen must say so.
    """

    saved = Signal(int, object)
    failed = Signal(int, str)

    def __init__(
        self, config: Config, clock: Clock | None = None, after: threading.Event | None = None
    ) -> None:
        super().__init__()
        self._config = config
        self._clock = clock or SystemClock()
        self._after = after
        self._outbox: Outbox | None = None
        self._error = "The kiosk's queue is not available."

    @Slot()
    def start_work(self) -> None:
        # Never race the sync worker's check and repair of the file (this is our own thread).
        if self._after is not None and not self._after.wait(QUEUE_OPEN_WAIT_S):
            log.warning("the sync worker did not open the queue in time; opening it anyway")
        try:
            owner = f"gui-taps-{os.getpid()}-{id(self):x}"
            self._outbox = Outbox(
                self._config.data_dir, clock=self._clock, owner=owner, repair=False
            )
        except OutboxError as exc:
            self._error = str(exc)

    @Slot(int, object)
    def save(self, tap_id: int, changes: list[tuple[str, StoreStatusUpdate]]) -> None:
        """Exactly one of ``saved`` or ``failed`` answers every call, whatever happens."""
        store_ids = [store_id for store_id, _update in changes]
        try:
            intents = self._save(changes)
        except Exception as exc:
            message = f"The change was NOT saved. {self._error if self._outbox is None else exc}"
            if not isinstance(exc, OutboxError | _NoQueue):
                log.exception("saving a tap failed unexpectedly")
                message = "The change was NOT saved (an unexpected error; see the log)."
            log.error("tap for %s not saved: %s", store_ids, message)
            self.failed.emit(tap_id, message)
            return
        log.info("saved %d tap(s): %s", len(intents), [i.id for i in intents], extra=EVENT)
        self.saved.emit(tap_id, [intent.id for intent in intents])

    def _save(self, changes: list[tuple[str, StoreStatusUpdate]]) -> list[Intent]:
        if self._outbox is None:
            raise _NoQueue
        return record_changes(self._outbox, changes, origin="ui", now=self._clock.now())

    @Slot()
    def stop_work(self) -> None:
        if self._outbox is not None:
            self._outbox.close()
            self._outbox = None
        thread = self.thread()
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())
        thread.quit()


#: The engine yields to an announced tap at most this long (the writer answers in ms).
TAP_YIELD_LIMIT_S = 15.0
#: How often the worker tries again to open a queue file it could not open.
REOPEN_EVERY_MS = 5_000
#: How long the tap writer waits for the sync worker to open (and check) the queue file.
QUEUE_OPEN_WAIT_S = 30.0
#: One request can take the client's connect + read timeouts; leave room for closing down.
STOP_TIMEOUT_MS = 20_000


class WorkerHost(QObject):
    """Owns the worker thread from the UI side: start it, send it taps, stop it cleanly.

    Signals:
        changes_requested / conflict_resolved / ...: queued into the worker threads.
    """

    changes_requested = Signal(int, object)  # tap id, [(store_id, StoreStatusUpdate), ...]
    adopt_requested = Signal(object)  # intent ids another writer saved
    conflict_resolved = Signal(str, bool)
    key_changed = Signal()
    network_hint = Signal()
    refresh_requested = Signal()
    history_requested = Signal()
    _stop_requested = Signal()
    _stop_tap_writer = Signal()

    def __init__(self, worker: SyncWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.sync_thread = QThread()
        self.sync_thread.setObjectName("kiosk-sync")
        worker.moveToThread(self.sync_thread)
        self.sync_thread.started.connect(worker.start_work)
        # Taps are committed by a writer of their own. It opens the queue file only once the
        # worker has opened (and, if need be, repaired) it; taps sent earlier wait in its queue.
        self.tap_writer = TapWriter(worker.config, worker.clock, worker.queue_opened)
        self.tap_thread = QThread()
        self.tap_thread.setObjectName("kiosk-taps")
        self.tap_writer.moveToThread(self.tap_thread)
        self.tap_thread.started.connect(self.tap_writer.start_work)
        self.tap_writer.saved.connect(worker.on_tap_writer_saved)
        self.tap_writer.failed.connect(worker.on_tap_writer_failed)
        self._stop_tap_writer.connect(self.tap_writer.stop_work)
        self.changes_requested.connect(self.tap_writer.save)
        self.adopt_requested.connect(worker.adopt)
        self.conflict_resolved.connect(worker.resolve_conflict)
        self.key_changed.connect(worker.reload_key)
        self.network_hint.connect(worker.poke)
        self.refresh_requested.connect(worker.refresh)
        self.history_requested.connect(worker.read_history)
        self._stop_requested.connect(worker.stop_work)
        self._network_info: object | None = None

    def start(self) -> None:
        self.sync_thread.start()
        self.tap_thread.start()
        self._watch_network()

    def send_changes(self, tap_id: int, changes: list[tuple[str, StoreStatusUpdate]]) -> None:
        """To the tap writer: on disk at once, whatever the sync worker is waiting on. The
        worker hears first that a tap is coming, so it lets the tap in before more network
        work; the writer answers ``saved`` or ``failed`` with ``tap_id``."""
        self.worker.note_tap_coming()
        self.changes_requested.emit(tap_id, changes)

    def stop_soon(self) -> None:
        """Ask both threads to close down without waiting (a restart with new settings)."""
        self.worker.request_stop()
        if self.tap_thread.isRunning():
            self._stop_tap_writer.emit()
        if self.sync_thread.isRunning():
            self._stop_requested.emit()

    def is_stopped(self) -> bool:
        return not self.sync_thread.isRunning() and not self.tap_thread.isRunning()

    def stop(self, timeout_ms: int = STOP_TIMEOUT_MS) -> bool:
        """Ask the worker to close down and wait for its thread (only at exit or restart).

        The worker stops between requests, so the wait is at most one request (the client's
        timeouts) plus closing the queue file.
        """
        self.worker.request_stop()  # first: it also releases a tap writer still waiting to open
        taps_stopped = True
        if self.tap_thread.isRunning():
            self._stop_tap_writer.emit()  # after any tap already queued: none is dropped
            taps_stopped = bool(self.tap_thread.wait(timeout_ms))
        if not self.sync_thread.isRunning():
            return taps_stopped
        self._stop_requested.emit()
        return bool(self.sync_thread.wait(timeout_ms)) and taps_stopped

    @property
    def watching_network(self) -> bool:
        """The OS's reachability reports reach the worker (a backend loaded)."""
        return self._network_info is not None

    def _watch_network(self) -> None:
        """Use the OS's reachability reports as a hint to retry sooner, if a backend loads."""
        try:
            from PySide6.QtNetwork import QNetworkInformation
        except ImportError:  # pragma: no cover - QtNetwork ships with PySide6-Essentials
            return
        if not QNetworkInformation.loadDefaultBackend():
            return
        info = QNetworkInformation.instance()
        if info is None:
            return
        self._network_info = info
        info.reachabilityChanged.connect(self.on_network_info_reachability_changed)

    @Slot(object)
    def on_network_info_reachability_changed(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability in (
            QNetworkInformation.Reachability.Online,
            QNetworkInformation.Reachability.Site,
            QNetworkInformation.Reachability.Local,
        ):
            self.network_hint.emit()
