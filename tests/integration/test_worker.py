"""The Qt worker adapter: a real QThread, the simulator over loopback, a real SQLite file."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QThread, Slot
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config, Store
from kiosk.core.keystore import MemoryKeyStore
from kiosk.core.models import PauseReason, StoreStatusUpdate
from kiosk.core.outbox import IntentState
from kiosk.core.sync import Attention, AttentionKind, Backoff, Connectivity, Link, StoreView
from kiosk.simulator.server import Simulator
from kiosk.ui.worker import SyncWorker, WorkerHost
from tests.integration.conftest import KEY, STORE


class Seen(QObject):
    """Everything the worker told the UI thread, recorded by slots on the UI thread.

    A QObject receiver makes the cross-thread connections queued; a lambda would run on the
    worker thread instead.
    """

    def __init__(self, worker: SyncWorker) -> None:
        super().__init__()
        self.views: list[StoreView] = []
        self.links: list[Connectivity] = []
        self.attention: list[Attention] = []
        self.failed: list[tuple[str, str]] = []
        self.is_ready = False
        self.threads: set[object] = set()
        worker.store_view_changed.connect(self.on_worker_store_view_changed)
        worker.connectivity_changed.connect(self.on_worker_connectivity_changed)
        worker.attention_raised.connect(self.on_worker_attention_raised)
        worker.ready.connect(self.on_worker_ready)

    def _note_thread(self) -> None:
        self.threads.add(QThread.currentThread())

    @Slot(object)
    def on_worker_store_view_changed(self, view: StoreView) -> None:
        self._note_thread()
        self.views.append(view)

    @Slot(object)
    def on_worker_connectivity_changed(self, connectivity: Connectivity) -> None:
        self.links.append(connectivity)

    @Slot(object)
    def on_worker_attention_raised(self, attention: Attention) -> None:
        self.attention.append(attention)

    @Slot()
    def on_worker_ready(self) -> None:
        self.is_ready = True

    @Slot(int, str)
    def on_tap_writer_failed(self, tap_id: int, message: str) -> None:
        self.failed.append((tap_id, message))

    @property
    def last(self) -> StoreView:
        return self.views[-1]

    def kinds(self) -> set[AttentionKind]:
        return {a.kind for a in self.attention}


def send_pause(host: WorkerHost, reason: PauseReason, store_id: str = STORE) -> None:
    """A tap, as the screen sends one: to the tap writer, with a tap id."""
    host.send_changes(next(TAP_IDS), [(store_id, StoreStatusUpdate.pause(reason, None))])


TAP_IDS = itertools.count(1)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator([STORE], KEY) as server:
        yield server


def make_host(
    sim: Simulator,
    tmp_path: Path,
    key: str | None = KEY,
    *,
    poll: float = 30,
    backoff: Backoff | None = None,
) -> tuple[WorkerHost, Seen]:
    config = Config(
        api_url=sim.base_url,
        stores=(Store(STORE, "Main Street"),),
        poll_interval_seconds=poll,
        data_dir=tmp_path / "data",
    )
    worker = SyncWorker(config, MemoryKeyStore(key), backoff=backoff)
    return WorkerHost(worker), Seen(worker)


@pytest.fixture
def running(sim: Simulator, tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[WorkerHost, Seen]]:
    host, seen = make_host(sim, tmp_path)
    host.start()
    qtbot.waitUntil(lambda: seen.is_ready, timeout=5000)
    qtbot.waitUntil(lambda: bool(seen.views) and seen.last.confirmed is not None, timeout=5000)
    yield host, seen
    assert host.stop()
    assert host.sync_thread.isFinished()


def test_first_status_arrives_without_blocking_the_ui_thread(
    running: tuple[WorkerHost, Seen],
) -> None:
    host, seen = running
    assert seen.last.confirmed is not None and seen.last.confirmed.is_online
    assert host.worker.thread() is host.sync_thread
    assert host.sync_thread.isRunning()
    assert seen.threads == {QThread.currentThread()}  # delivered to the UI thread, queued


def test_pause_shows_pending_then_confirmed(
    running: tuple[WorkerHost, Seen], sim: Simulator, qtbot: QtBot
) -> None:
    host, seen = running
    send_pause(host, PauseReason.TOO_BUSY)
    qtbot.waitUntil(
        lambda: seen.last.confirmed is not None and seen.last.confirmed.is_paused, timeout=5000
    )
    pending_views = [v for v in seen.views if v.pending is not None]
    assert pending_views and pending_views[0].pending.state is IntentState.PENDING  # type: ignore[union-attr]
    assert seen.last.pending is None
    assert sim.state(STORE).reason is PauseReason.TOO_BUSY


def test_offline_tap_waits_then_goes_out_on_reconnect(
    running: tuple[WorkerHost, Seen], sim: Simulator, qtbot: QtBot
) -> None:
    host, seen = running
    sim.go_down()
    send_pause(host, PauseReason.STAFF_SHORTAGE)
    qtbot.waitUntil(
        lambda: seen.last.pending is not None and seen.last.pending.attempts >= 1, timeout=5000
    )
    assert seen.links[-1].link is Link.OFFLINE
    assert seen.last.confirmed is not None and seen.last.confirmed.is_online  # never a lie
    sim.come_back()
    host.network_hint.emit()  # what QNetworkInformation would say
    qtbot.waitUntil(
        lambda: (
            seen.last.pending is None
            and seen.last.confirmed is not None
            and seen.last.confirmed.is_paused
        ),
        timeout=5000,
    )
    assert seen.links[-1].link is Link.ONLINE


def test_rejected_key_is_reported_and_a_new_key_releases_the_tap(
    running: tuple[WorkerHost, Seen], sim: Simulator, qtbot: QtBot
) -> None:
    host, seen = running
    sim.set_api_key("rotated-key")
    send_pause(host, PauseReason.MAINTENANCE)
    qtbot.waitUntil(
        lambda: seen.last.pending is not None and seen.last.pending.state is IntentState.HELD,
        timeout=5000,
    )
    assert AttentionKind.KEY_REJECTED in seen.kinds()
    assert sim.state(STORE).is_online
    host.worker.keystore.set("rotated-key")
    host.key_changed.emit()
    qtbot.waitUntil(lambda: seen.last.pending is None, timeout=5000)
    # The held pause really went out with the new key (the old one is refused).
    assert sim.state(STORE).reason is PauseReason.MAINTENANCE


def test_a_key_set_by_another_process_is_picked_up(
    sim: Simulator, tmp_path: Path, qtbot: QtBot
) -> None:
    host, seen = make_host(sim, tmp_path, key=None, poll=0.2)
    host.start()
    try:
        qtbot.waitUntil(lambda: AttentionKind.KEY_MISSING in seen.kinds(), timeout=5000)
        send_pause(host, PauseReason.OTHER)
        qtbot.waitUntil(lambda: seen.is_ready and seen.last.pending is not None, timeout=5000)
        host.worker.keystore.set(KEY)  # as `kiosk key set` does, behind the app's back
        qtbot.waitUntil(lambda: sim.state(STORE).is_paused, timeout=5000)
        qtbot.waitUntil(lambda: seen.last.pending is None, timeout=5000)
    finally:
        assert host.stop()


def test_a_key_that_cannot_be_used_is_reported_and_syncing_goes_on(
    sim: Simulator, tmp_path: Path, qtbot: QtBot
) -> None:
    host, seen = make_host(sim, tmp_path, key="caf\u00e9-key")
    host.start()
    try:
        qtbot.waitUntil(lambda: AttentionKind.KEY_REJECTED in seen.kinds(), timeout=5000)
        send_pause(host, PauseReason.OTHER)
        # Kept, not lost, not sent.
        qtbot.waitUntil(
            lambda: (
                bool(seen.views)
                and seen.last.pending is not None
                and seen.last.pending.state is IntentState.HELD
            ),
            timeout=5000,
        )
        host.worker.keystore.set(KEY)
        host.key_changed.emit()
        qtbot.waitUntil(lambda: sim.state(STORE).is_paused, timeout=5000)
    finally:
        assert host.stop()


def test_a_server_answer_that_breaks_parsing_does_not_stop_syncing(
    running: tuple[WorkerHost, Seen], sim: Simulator, qtbot: QtBot
) -> None:
    host, seen = running
    sim.faults.malformed(
        body='{"status": "paused", "reason": "other", "pausedAt": "2026-01-15T14:00:00+25:00"}'
    )
    host.refresh_requested.emit()
    qtbot.waitUntil(lambda: bool(seen.links) and seen.links[-1].link is Link.DEGRADED)
    send_pause(host, PauseReason.TOO_BUSY)
    qtbot.waitUntil(lambda: sim.state(STORE).is_paused, timeout=5000)


def test_unwritable_data_dir_is_reported_not_hidden(
    sim: Simulator, tmp_path: Path, qtbot: QtBot
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    host, seen = make_host(sim, blocker)
    host.start()
    qtbot.waitUntil(lambda: seen.is_ready, timeout=5000)
    try:
        assert AttentionKind.QUEUE_ERROR in seen.kinds()
        host.tap_writer.failed.connect(seen.on_tap_writer_failed)
        send_pause(host, PauseReason.OTHER)
        qtbot.waitUntil(lambda: bool(seen.failed), timeout=5000)
        assert "NOT saved" in seen.failed[0][1]
        assert len(sim.requests) == 0
    finally:
        assert host.stop()


def test_missing_key_asks_for_it(sim: Simulator, tmp_path: Path, qtbot: QtBot) -> None:
    host, seen = make_host(sim, tmp_path, key=None)
    host.start()
    qtbot.waitUntil(lambda: seen.is_ready, timeout=5000)
    try:
        qtbot.waitUntil(
            lambda: any(
                getattr(a, "kind", None) is AttentionKind.KEY_MISSING for a in seen.attention
            ),
            timeout=5000,
        )
    finally:
        assert host.stop()


def test_os_reachability_is_a_hint_to_retry_now(
    sim: Simulator, tmp_path: Path, qtbot: QtBot
) -> None:
    from PySide6.QtNetwork import QNetworkInformation

    # A minute of backoff: only the hint can explain a retry within the test.
    host, seen = make_host(sim, tmp_path, backoff=Backoff(base=60, cap=60, floor=60))
    host.start()
    try:
        qtbot.waitUntil(
            lambda: seen.is_ready and bool(seen.views) and seen.last.confirmed is not None
        )
        assert host.watching_network  # the glib backend loads here
        sim.go_down()
        send_pause(host, PauseReason.TOO_BUSY)
        qtbot.waitUntil(lambda: seen.last.pending is not None and seen.last.pending.attempts >= 1)
        sim.come_back()
        before = len(sim.requests)
        # "Disconnected" is never taken as proof of anything: no retry, no request.
        host.on_network_info_reachability_changed(QNetworkInformation.Reachability.Disconnected)
        host.refresh_requested.emit()  # a round trip through the worker's queue...
        qtbot.waitUntil(lambda: len(sim.requests) > before)  # ...that only reads the status
        assert seen.last.pending is not None
        assert all(r.method == "GET" for r in sim.requests.snapshot()[before:])
        # "Online" makes the worker retry at once instead of after the minute.
        host.on_network_info_reachability_changed(QNetworkInformation.Reachability.Online)
        qtbot.waitUntil(lambda: seen.last.pending is None, timeout=5000)
        assert sim.state(STORE).is_paused
    finally:
        assert host.stop()


def test_a_tap_is_saved_before_the_rest_of_a_slow_poll_round(tmp_path: Path, qtbot: QtBot) -> None:
    from kiosk.core.outbox import Outbox

    stores = (STORE, "9b2d4c6e-1a3f-4e5d-8c7b-0a1b2c3d4e5f", "1b7c9d2e-4f6a-4b8c-8d0e-2f4a6b8c0d1e")
    with Simulator(stores, KEY) as sim:
        sim.faults.latency(0.4)  # every read takes 0.4 s: a poll round of 3 stores, 1.2 s
        config = Config(
            api_url=sim.base_url,
            stores=tuple(Store(s, f"Store {i}") for i, s in enumerate(stores)),
            data_dir=tmp_path / "data",
        )
        worker = SyncWorker(config, MemoryKeyStore(KEY))
        host, seen = WorkerHost(worker), Seen(worker)
        host.start()
        try:
            qtbot.waitUntil(lambda: seen.is_ready, timeout=5000)
            qtbot.waitUntil(lambda: len(sim.requests) >= 1, timeout=5000)  # polling is under way
            send_pause(host, PauseReason.TOO_BUSY, stores[2])
            qtbot.waitUntil(lambda: sim.state(stores[2]).is_paused, timeout=10_000)
            with Outbox(config.data_dir) as outbox:
                saved_at = outbox.history(limit=1)[0].created_at
            reads = [r.at for r in sim.requests.snapshot() if r.method == "GET"]
            # Saved after at most the read in flight, not behind the whole round of three.
            assert sum(1 for at in reads if at < saved_at) <= 2
        finally:
            sim.faults.clear()
            assert host.stop()


def test_a_tap_is_on_disk_even_while_a_request_hangs(tmp_path: Path, qtbot: QtBot) -> None:
    from kiosk.core.outbox import Outbox

    with Simulator([STORE], KEY) as sim:
        host, seen = make_host(sim, tmp_path)
        host.start()
        try:
            qtbot.waitUntil(lambda: seen.is_ready and bool(seen.views), timeout=5000)
            sim.faults.latency(60)  # the next request hangs (a Wi-Fi that eats packets)
            host.refresh_requested.emit()
            assert sim.wait_for_held(1, timeout=5)  # the worker is stuck in that request
            send_pause(host, PauseReason.STAFF_SHORTAGE)

            def on_disk() -> bool:
                with Outbox(tmp_path / "data", owner="test") as outbox:
                    return outbox.open_intent(STORE) is not None

            qtbot.waitUntil(on_disk, timeout=5000)  # saved, though the worker is still stuck
            assert sim.state(STORE).is_online  # and honestly not sent yet
        finally:
            sim.faults.clear()  # releases the hung request
            assert host.stop()


def test_an_unexpected_error_saving_a_tap_is_reported_and_syncing_goes_on(
    sim: Simulator, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kiosk.ui.worker as worker_module

    def broken(*args: object) -> None:
        raise ValueError("a bug")

    host, seen = make_host(sim, tmp_path)
    host.tap_writer.failed.connect(seen.on_tap_writer_failed)
    host.start()
    try:
        qtbot.waitUntil(lambda: seen.is_ready and bool(seen.views), timeout=5000)
        monkeypatch.setattr(worker_module, "record_changes", broken)
        send_pause(host, PauseReason.OTHER)
        qtbot.waitUntil(lambda: bool(seen.failed), timeout=5000)
        assert "NOT saved" in seen.failed[0][1]
        qtbot.waitUntil(lambda: not host.worker.taps_pending(), timeout=5000)  # count is back
        monkeypatch.undo()
        send_pause(host, PauseReason.TOO_BUSY)
        qtbot.waitUntil(lambda: sim.state(STORE).reason is PauseReason.TOO_BUSY, timeout=5000)
    finally:
        assert host.stop()


def test_a_queue_file_that_cannot_be_opened_is_tried_again(
    sim: Simulator, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kiosk.ui.worker as worker_module

    monkeypatch.setattr(worker_module, "REOPEN_EVERY_MS", 50)
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    host, seen = make_host(sim, tmp_path)
    host.start()
    try:
        qtbot.waitUntil(lambda: AttentionKind.QUEUE_ERROR in seen.kinds(), timeout=5000)
        blocker.unlink()  # IT fixes the folder
        qtbot.waitUntil(lambda: bool(seen.views) and seen.last.confirmed is not None, timeout=5000)
    finally:
        assert host.stop()
