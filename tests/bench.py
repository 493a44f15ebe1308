"""Benchmarks: figures printed, not asserted (run with `make bench`).

- Reconnect latency: from the simulator coming back to the queued intent confirmed by Gett, with
  the reachability hint and with backoff alone; through the engine and through the Qt worker.
- Outbox enqueue throughput (durable commits) on an empty file and with 100,000 history rows.
- The app window against a bare PySide6 window in the same run: time to first paint and memory.
"""

from __future__ import annotations

import gc
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kiosk.core.client import GettClient
from kiosk.core.config import Config, Store
from kiosk.core.keystore import MemoryKeyStore
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import IntentState, Outbox
from kiosk.core.sync import SyncEngine
from kiosk.simulator.server import Simulator

STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
KEY = "bench-key"
PAUSE = StoreStatusUpdate.pause(PauseReason.TOO_BUSY)


def reconnect_engine(runs: int = 12) -> None:
    """Sim down, tap, sim back; time until the intent is confirmed."""
    hinted, backoff_only = [], []
    with (
        Simulator([STORE], KEY) as sim,
        tempfile.TemporaryDirectory() as tmp,
        Outbox(Path(tmp)) as outbox,
        GettClient(sim.base_url, KEY) as client,
    ):
        engine = SyncEngine(outbox, client, [Store(STORE, "bench")])  # production backoff
        for i in range(runs):
            update = PAUSE if i % 2 == 0 else StoreStatusUpdate.resume()
            sim.go_down()
            intent = engine.request(STORE, update, origin="bench")
            assert outbox.get(intent.id).state is IntentState.PENDING
            sim.come_back()
            started = time.perf_counter()
            if i % 4 < 2:
                engine.poke()
                engine.run_due()
                hinted.append(time.perf_counter() - started)
            else:
                while outbox.get(intent.id).state is IntentState.PENDING:
                    time.sleep(min(engine.seconds_until_next(), 0.5))
                    engine.step()
                backoff_only.append(time.perf_counter() - started)
            assert outbox.get(intent.id).state is IntentState.DELIVERED
    print("reconnect -> confirmed (engine, loopback simulator):")
    print(
        f"  with reachability hint: median {ms(hinted)}, max {ms([max(hinted)])} "
        f"({len(hinted)} runs)"
    )
    print(
        f"  backoff only (production backoff, 1 failed attempt): median {ms(backoff_only)}, "
        f"max {ms([max(backoff_only)])} ({len(backoff_only)} runs)"
    )


def reconnect_worker(runs: int = 10) -> None:
    """The same through the Qt worker thread: UI signal in, confirmed StoreView out."""
    from PySide6.QtCore import QEventLoop, QObject, QTimer, Slot
    from PySide6.QtWidgets import QApplication

    from kiosk.core.sync import StoreView
    from kiosk.ui.worker import SyncWorker, WorkerHost

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert app is not None

    class Probe(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.view: StoreView | None = None
            self.loop = QEventLoop()
            self.want: str | None = None

        @Slot(object)
        def on_worker_store_view_changed(self, view: StoreView) -> None:
            self.view = view
            settled = view.pending is None and view.confirmed is not None
            if self.want and settled and view.confirmed.status == self.want:  # type: ignore[union-attr]
                self.loop.quit()

    times = []
    with Simulator([STORE], KEY) as sim, tempfile.TemporaryDirectory() as tmp:
        config = Config(api_url=sim.base_url, stores=(Store(STORE, "b"),), data_dir=Path(tmp))
        worker = SyncWorker(config, MemoryKeyStore(KEY))
        probe = Probe()
        worker.store_view_changed.connect(probe.on_worker_store_view_changed)
        host = WorkerHost(worker)
        guard = QTimer()
        guard.setSingleShot(True)
        guard.timeout.connect(probe.loop.quit)
        host.start()
        for i in range(runs):
            sim.go_down()
            paused = i % 2 == 0
            probe.want = None
            update = (
                StoreStatusUpdate.pause(PauseReason.OTHER, None)
                if paused
                else StoreStatusUpdate.resume()
            )
            host.send_changes(i + 1, [(STORE, update)])
            wait_until(app, lambda: probe.view is not None and probe.view.pending is not None
                       and probe.view.pending.attempts >= 1)  # fmt: skip
            sim.come_back()
            probe.want = "paused" if paused else "online"
            started = time.perf_counter()
            host.network_hint.emit()
            guard.start(10_000)
            probe.loop.exec()
            guard.stop()
            times.append(time.perf_counter() - started)
        host.stop()
        worker.store_view_changed.disconnect(probe.on_worker_store_view_changed)
        del host, worker
    print(f"reconnect -> confirmed (Qt worker, hint): median {ms(times)}, max {ms([max(times)])}")


def wait_until(app: object, condition: object, timeout: float = 10.0) -> None:
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        QCoreApplication.processEvents()
        time.sleep(0.001)


def queue_cycle(history_rows: int, n: int = 300) -> tuple[float, float]:
    """Per-tap cost, in ms, of a durable enqueue and of claim + mark-delivered, on a file with
    ``history_rows`` finished intents (the 30 days of history a busy kiosk keeps)."""
    with tempfile.TemporaryDirectory() as tmp:
        with Outbox(Path(tmp)):
            pass
        if history_rows:
            db = sqlite3.connect(Path(tmp) / "outbox.db")
            with db:
                db.executemany(
                    "INSERT INTO intents (store_id, status, reason, created_at, origin, state, "
                    "next_attempt_at, finished_at) VALUES (?, 'paused', 'too_busy', "
                    "'2026-01-01T00:00:00Z', 'bench', 'delivered', 0, ?)",
                    (
                        (f"{i % 50:08d}-0000-4000-8000-000000000000", time.time())
                        for i in range(history_rows)
                    ),
                )
            db.close()
        with Outbox(Path(tmp)) as outbox:
            rng = random.Random(1)
            enqueue = claim = 0.0
            for i in range(n):
                store = f"{rng.randrange(50):08d}-0000-4000-8000-000000000000"
                update = PAUSE if i % 2 else StoreStatusUpdate.resume()
                started = time.perf_counter()
                intent = outbox.enqueue(store, update, origin="bench")
                enqueue += time.perf_counter() - started
                started = time.perf_counter()
                claimed = outbox.claim_due()
                assert claimed is not None and claimed.id == intent.id
                outbox.mark_delivered(claimed.id, StoreStatus(StoreState.ONLINE))
                claim += time.perf_counter() - started
    return enqueue / n * 1000, claim / n * 1000


def queue_scaling() -> None:
    print("outbox per tap (WAL, synchronous=FULL; median of 3 alternating runs of 300 taps):")
    results: dict[int, list[tuple[float, float]]] = {0: [], 100_000: []}
    for _ in range(3):
        for rows in results:
            results[rows].append(queue_cycle(rows))
    medians = {
        rows: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        for rows, runs in results.items()
    }
    for rows, (enq, claim) in medians.items():
        print(
            f"  {rows:>7,} history rows: enqueue {enq:.2f} ms ({1000 / enq:,.0f}/s), "
            f"claim + deliver {claim:.2f} ms"
        )
    (e0, c0), (e1, c1) = medians[0], medians[100_000]
    print(f"  ratio 100k history / empty: enqueue x{e1 / e0:.2f}, claim + deliver x{c1 / c0:.2f}")


def app_vs_bare_window() -> None:
    """Time to first paint and memory of the kiosk vs a bare QWidget, each in its own process."""
    import subprocess

    runs: dict[str, list[list[float]]] = {"bare": [], "kiosk": []}
    for _ in range(5):
        for kind in ("bare", "kiosk"):
            out = subprocess.run(
                [sys.executable, "-m", "tests.bench", "--window", kind],
                capture_output=True, text=True, check=True, env={**os.environ},
            ).stdout.split()  # fmt: skip
            runs[kind].append([float(x) for x in out])

    def med(kind: str, column: int) -> float:
        return statistics.median(r[column] for r in runs[kind])

    bare_paint, bare_mb = med("bare", 0), med("bare", 1)
    kiosk_paint, kiosk_mb, kiosk_status = med("kiosk", 0), med("kiosk", 1), med("kiosk", 2)
    print("window, from Qt import to first paint (5 processes each, median, offscreen):")
    print(f"  bare PySide6 window: first paint {bare_paint:.0f} ms, peak RSS {bare_mb:.0f} MB")
    print(
        f"  kiosk --demo:        first paint {kiosk_paint:.0f} ms, first status "
        f"{kiosk_status:.0f} ms, peak RSS {kiosk_mb:.0f} MB"
    )
    print(
        f"  ratio kiosk/bare:    paint x{kiosk_paint / bare_paint:.2f}, "
        f"memory x{kiosk_mb / bare_mb:.2f}"
    )


def _window_child(kind: str) -> None:
    """Print "<ms to first paint> <peak RSS MB> [<ms to first status>]" for one window kind."""
    if kind == "kiosk":
        # The real app in demo mode (simulator, worker thread, SQLite), as `kiosk --demo --smoke`.
        import contextlib
        import io

        from kiosk.core.config import Config
        from kiosk.ui.app import run_app

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = run_app(Config(), demo=True, keystore=MemoryKeyStore(None), smoke=True)
        assert code == 0, out.getvalue()
        words = out.getvalue().replace(",", "").split()  # first paint: N ms first status: N ms
        paint, status = float(words[2]), float(words[6])
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{paint:.1f} {peak_mb:.1f} {status:.1f}")
        return
    started = time.perf_counter()
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv[:1])
    painted: list[float] = []

    class PaintSpy(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.perf_counter() - started)
                app.quit()
            return False

    window = QWidget()
    window.resize(1280, 800)
    spy = PaintSpy()
    window.installEventFilter(spy)
    window.show()
    app.exec()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{painted[0] * 1000:.1f} {peak_mb:.1f}")


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms"


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--window":
        _window_child(sys.argv[2])
        return
    gc.collect()
    reconnect_engine()
    reconnect_worker()
    queue_scaling()
    app_vs_bare_window()


if __name__ == "__main__":
    main()
