"""The one bridge between Qt and the core: a worker QObject living on its own QThread.

It owns the ``httpx`` client and the SQLite connection, both created on that thread, drives the
sync engine with a single-shot timer, and talks to the UI only through queued signals. The UI
thread never waits on the network or the disk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from kiosk.core.client import GettClient
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.config import Config
from kiosk.core.keystore import KeyStore, KeyStoreError
from kiosk.core.models import PauseReason, StoreStatusUpdate
from kiosk.core.outbox import Outbox, OutboxError
from kiosk.core.sync import (
    Attention,
    AttentionKind,
    Connectivity,
    StatusApi,
    StoreView,
    SyncEngine,
)

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
        request_failed(str, str): a tap could NOT be saved (store id, message): say so loudly.
        ready(): the engine is up and the first views were sent.
        stopped(): everything is closed; the thread is ending.
    """

    store_view_changed = Signal(object)
    connectivity_changed = Signal(object)
    attention_raised = Signal(object)
    request_failed = Signal(str, str)
    ready = Signal()
    stopped = Signal()

    def __init__(
        self,
        config: Config,
        keystore: KeyStore,
        *,
        clock: Clock | None = None,
        client_factory: ClientFactory | None = None,
    ) -> None:
        super().__init__()
        self._config = config
        self._keystore = keystore
        self._clock = clock or SystemClock()
        self._client_factory: ClientFactory = client_factory or (
            lambda url, key: GettClient(url, key, clock=self._clock)
        )
        self._engine: SyncEngine | None = None
        self._outbox: Outbox | None = None
        self._client: StatusApi | None = None
        self._timer: QTimer | None = None

    # -- lifecycle (these run on the worker thread) -------------------------------------------

    @Slot()
    def start_work(self) -> None:
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        try:
            self._outbox = Outbox(self._config.data_dir, clock=self._clock, owner="gui")
        except OutboxError as exc:
            self.attention_raised.emit(Attention(AttentionKind.QUEUE_ERROR, str(exc)))
            self.ready.emit()
            return
        self._client = self._make_client()
        self._engine = SyncEngine(
            self._outbox,
            self._client,
            self._config.stores,
            clock=self._clock,
            listener=_Listener(self),
            poll_interval=self._config.poll_interval_seconds,
        )
        for view in self._engine.views():
            self.store_view_changed.emit(view)
        self.ready.emit()
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

    @Slot(str, object, object)
    def pause(self, store_id: str, reason: PauseReason, resume_at: datetime | None) -> None:
        self._request(store_id, StoreStatusUpdate.pause(reason, resume_at))

    @Slot(str)
    def resume(self, store_id: str) -> None:
        self._request(store_id, StoreStatusUpdate.resume())

    @Slot(str, bool)
    def resolve_conflict(self, store_id: str, apply_mine: bool) -> None:
        if self._engine is not None:
            self._guard(store_id, lambda e: e.resolve_conflict(store_id, apply_mine=apply_mine))

    @Slot()
    def reload_key(self) -> None:
        """The key in the keyring changed (settings): use it, and release held taps."""
        self._close_client()
        self._client = self._make_client()
        if self._engine is not None:
            self._guard(None, lambda e: e.set_client(self._client))
        self._tick()

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

    def _request(self, store_id: str, update: StoreStatusUpdate) -> None:
        if self._engine is None:
            self.request_failed.emit(
                store_id, "The kiosk's queue is not available, so the change was NOT saved."
            )
            return
        try:
            self._engine.request(store_id, update, origin="ui")
        except OutboxError as exc:
            self.request_failed.emit(store_id, f"The change was NOT saved. {exc}")
            return
        self._tick()

    def _guard(self, store_id: str | None, action: Callable[[SyncEngine], object]) -> None:
        assert self._engine is not None
        try:
            action(self._engine)
        except OutboxError as exc:
            self.attention_raised.emit(Attention(AttentionKind.QUEUE_ERROR, str(exc), store_id))

    def _tick(self) -> None:
        if self._engine is None or self._timer is None:
            return
        try:
            wait = self._engine.step()
        except OutboxError as exc:
            self.attention_raised.emit(Attention(AttentionKind.QUEUE_ERROR, str(exc)))
            wait = 5.0
        self._timer.start(max(50, min(int(wait * 1000), 3_600_000)))

    def _make_client(self) -> StatusApi | None:
        try:
            key = self._keystore.get()
        except KeyStoreError as exc:
            self.attention_raised.emit(Attention(AttentionKind.KEY_MISSING, str(exc)))
            return None
        if not key:
            return None
        from kiosk.core.logs import REDACTOR

        REDACTOR.add_secret(key)
        return self._client_factory(self._config.api_url, key)

    def _close_client(self) -> None:
        close = getattr(self._client, "close", None)
        if close is not None:
            close()
        self._client = None


class WorkerHost(QObject):
    """Owns the worker thread from the UI side: start it, send it taps, stop it cleanly.

    Signals:
        pause_requested / resume_requested / ...: queued into the worker thread.
    """

    pause_requested = Signal(str, object, object)
    resume_requested = Signal(str)
    conflict_resolved = Signal(str, bool)
    key_changed = Signal()
    network_hint = Signal()
    refresh_requested = Signal()
    _stop_requested = Signal()

    def __init__(self, worker: SyncWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.sync_thread = QThread()
        self.sync_thread.setObjectName("kiosk-sync")
        worker.moveToThread(self.sync_thread)
        self.sync_thread.started.connect(worker.start_work)
        self.pause_requested.connect(worker.pause)
        self.resume_requested.connect(worker.resume)
        self.conflict_resolved.connect(worker.resolve_conflict)
        self.key_changed.connect(worker.reload_key)
        self.network_hint.connect(worker.poke)
        self.refresh_requested.connect(worker.refresh)
        self._stop_requested.connect(worker.stop_work)
        self._network_info: object | None = None

    def start(self) -> None:
        self.sync_thread.start()
        self._watch_network()

    def stop(self, timeout_ms: int = 15_000) -> bool:
        """Ask the worker to close down and wait for its thread (only at exit)."""
        if not self.sync_thread.isRunning():
            return True
        self._stop_requested.emit()
        return bool(self.sync_thread.wait(timeout_ms))

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
        info.reachabilityChanged.connect(self._on_network_info_reachability_changed)

    @Slot(object)
    def _on_network_info_reachability_changed(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability in (
            QNetworkInformation.Reachability.Online,
            QNetworkInformation.Reachability.Site,
            QNetworkInformation.Reachability.Local,
        ):
            self.network_hint.emit()
