"""The running kiosk behind the screen: it owns the sync worker's lifecycle and feeds
:class:`~kiosk.ui.screen_state.ScreenState` with what the worker and the tap writer report.

The window asks it for taps and refreshes and renders when it says ``changed``; it never reads
the worker itself. Taps carry a tap id from the screen state to the tap writer and back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from kiosk.core.clock import Clock
from kiosk.core.config import Config
from kiosk.core.outbox import Intent
from kiosk.core.sync import Attention, Connectivity, StoreView
from kiosk.ui.screen_state import Changes, ScreenState
from kiosk.ui.worker import SyncWorker, WorkerHost

log = logging.getLogger(__name__)

WorkerFactory = Callable[[Config], SyncWorker]


class Session(QObject):
    """One worker at a time (a new one after new settings), and the taps on their way.

    Signals:
        changed(): the screen state changed from a report (render it).
        first_status(): the first status (or a needs-a-manager state) arrived.
        history_read(list[Intent] | str): the pause log the worker read, or why it could not.
    """

    changed = Signal()
    first_status = Signal()
    history_read = Signal(object)

    def __init__(
        self,
        config: Config,
        state: ScreenState,
        clock: Clock,
        worker_factory: WorkerFactory,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.state = state
        self._clock = clock
        self._worker_factory = worker_factory
        self.host: WorkerHost | None = None
        self._retiring: list[WorkerHost] = []
        # Taps made while the worker restarts, in order: handed to the new worker at its start.
        self._deferred: list[tuple[int, Changes]] = []
        # Intents a retiring writer saved while no worker ran: the next worker adopts them.
        self._orphans: list[int] = []
        self._shutdown_result: bool | None = None
        #: Set as shutdown begins: a retiring worker that finishes after it starts no new one
        #: (a thread started then would be destroyed running at exit: Qt aborts the process).
        self._stopping = False

    @property
    def hosts(self) -> list[WorkerHost]:
        """Every worker still running (the current one and any still closing down)."""
        return [h for h in (self.host, *self._retiring) if h is not None]

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        worker = self._worker_factory(self.config)
        host = WorkerHost(worker, self)
        worker.store_view_changed.connect(self.on_worker_store_view_changed)
        worker.connectivity_changed.connect(self.on_worker_connectivity_changed)
        worker.attention_raised.connect(self.on_worker_attention_raised)
        worker.taps_adopted.connect(self.on_worker_taps_adopted)
        worker.history_read.connect(self.on_worker_history_read)
        # Straight from the writer (queued to this thread: slots of this object, never a
        # lambda, which would run on the writer's thread), and kept while a replaced worker
        # retires: a tap handed to it just before a restart still reports how it went.
        host.tap_writer.saved.connect(self.on_tap_writer_saved)
        host.tap_writer.failed.connect(self.on_tap_writer_failed)
        self.host = host
        self.state.ready = True
        host.start()
        deferred, self._deferred = self._deferred, []
        for tap_id, changes in deferred:
            host.send_changes(tap_id, changes)  # saved before its first poll
        orphans, self._orphans = self._orphans, []
        if orphans:
            host.adopt_requested.emit(orphans)

    def restart(self, config: Config) -> None:
        """A new store, URL or poll interval: stop the worker without waiting, then start anew."""
        self.config = config
        old, self.host = self.host, None
        self.state.ready = False
        self.state.worker_restarting()
        if old is None or not old.sync_thread.isRunning():
            self.start()
            return
        self._disconnect(old)
        self._retiring.append(old)
        old.sync_thread.finished.connect(self.on_retiring_thread_finished)
        old.tap_thread.finished.connect(self.on_retiring_thread_finished)
        old.stop_soon()  # the request in flight finishes, taps already sent are saved

    def apply(self, config: Config, *, key_changed: bool) -> None:
        """New settings: a new worker if what it talks to changed, else maybe a new key."""
        old, self.config = self.config, config
        restart = (
            self.host is None
            or old.stores != config.stores
            or old.api_url != config.api_url
            or old.poll_interval_seconds != config.poll_interval_seconds
            or old.data_dir != config.data_dir
        )
        if restart and config.stores:
            self.restart(config)
        elif key_changed:
            self.key_changed()

    @Slot()
    def on_retiring_thread_finished(self) -> None:
        for old in [h for h in self._retiring if h.is_stopped()]:
            self._retiring.remove(old)
            old.deleteLater()
        if self.host is None and self.config.stores and not self._stopping:
            self.start()
            self.changed.emit()

    def _disconnect(self, host: WorkerHost) -> None:
        worker = host.worker
        for signal, slot in (
            (worker.store_view_changed, self.on_worker_store_view_changed),
            (worker.connectivity_changed, self.on_worker_connectivity_changed),
            (worker.attention_raised, self.on_worker_attention_raised),
            (worker.taps_adopted, self.on_worker_taps_adopted),
            (worker.history_read, self.on_worker_history_read),
        ):
            signal.disconnect(slot)

    def shutdown(self) -> bool:
        """Stop the worker threads (at exit). False if one would not stop in time."""
        if self._shutdown_result is not None:
            return self._shutdown_result  # asked twice (close, then exit): same answer
        self._stopping = True
        clean = True
        host, self.host = self.host, None
        self.state.ready = False
        if host is not None:
            self._disconnect(host)
            if not host.stop():
                log.error("the sync worker did not stop in time")
                clean = False
        for old in self._retiring:
            clean = old.stop() and clean
        self._retiring.clear()
        self._shutdown_result = clean
        return clean

    # -- requests --------------------------------------------------------------------------

    def tap(self, changes: Changes) -> None:
        """Every tap goes out here, as one batch (pause all: every store's tap is saved before
        any is sent). Feedback shows at once; while the worker restarts (new settings), the
        tap waits for the new worker: never dropped."""
        if not changes:
            return
        tap_id = self.state.tap(changes, self._clock.now())
        if self.host is None:
            self._deferred.append((tap_id, changes))
            return
        self.host.send_changes(tap_id, changes)

    def resolve_conflict(self, store_id: str, apply_mine: bool) -> None:
        if self.host is None:
            return
        self.state.conflict_resolving(store_id)
        self.host.conflict_resolved.emit(store_id, apply_mine)

    def key_changed(self) -> None:
        if self.host is not None:
            self.host.key_changed.emit()

    def poke(self) -> None:
        """The network may be back: ask the worker to retry now (a hint, not a judgement)."""
        if self.host is not None:
            self.host.network_hint.emit()

    def refresh(self) -> None:
        """Re-read the live status now."""
        if self.host is not None:
            self.host.refresh_requested.emit()

    def request_history(self) -> bool:
        """Ask the worker for the pause log (answered by ``history_read``); False if no
        worker runs (first-run setup, or restarting with new settings)."""
        if self.host is None:
            return False
        self.host.history_requested.emit()
        return True

    # -- reports ---------------------------------------------------------------------------

    @Slot(object)
    def on_worker_history_read(self, result: object) -> None:
        self.history_read.emit(result)

    @Slot(object)
    def on_worker_store_view_changed(self, view: StoreView) -> None:
        if self.state.on_view(view, self._clock.now()):
            self.first_status.emit()
        self.changed.emit()

    @Slot(object)
    def on_worker_connectivity_changed(self, connectivity: Connectivity) -> None:
        self.state.on_connectivity(connectivity)
        self.changed.emit()

    @Slot(object)
    def on_worker_attention_raised(self, attention: Attention) -> None:
        before = self.state.banner
        self.state.on_attention(attention)
        if self.state.banner != before:
            self.changed.emit()

    @Slot(object)
    def on_worker_taps_adopted(self, intents: list[Intent]) -> None:
        self.state.taps_adopted(intents, self._clock.now())
        self.changed.emit()

    @Slot(int, object)
    def on_tap_writer_saved(self, tap_id: int, intent_ids: list[int]) -> None:
        self.state.tap_saved(tap_id, intent_ids, self._clock.now())
        current = self.host is not None and self.sender() is self.host.tap_writer
        if not current:  # its worker is closing down: the next one shows them
            if self.host is not None:
                self.host.adopt_requested.emit(intent_ids)
            else:
                self._orphans.extend(intent_ids)
        self.changed.emit()

    @Slot(int, str)
    def on_tap_writer_failed(self, tap_id: int, message: str) -> None:
        """A tap could NOT be saved: its feedback is taken back and the banner says so."""
        self.state.tap_failed(tap_id, message)
        self.changed.emit()
