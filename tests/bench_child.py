"""The processes ``tests/bench.py`` measures, one kind per process (``python tests/bench_child.py
KIND``). Only the standard library is imported at the top: everything a child loads is part of
what it measures. Times are from the moment the parent spawned the process (``BENCH_SPAWNED_AT``,
``time.monotonic()``, the same clock in every process on Linux). Each prints one JSON line.

- ``bare``: the floor, a bare PySide6 window (1280x800) shown; quits after its first paint.
- ``bare-idle``: the same window left open until killed (idle CPU).
- ``kiosk``: the real ``kiosk --demo --smoke`` (kiosk.entry.main); first paint, first status.
- ``kiosk-nopoll``: the real window on the simulator, as the demo, but polling Gett only once an
  hour (the longest the config allows): what the kiosk costs idle beyond its status poll.
- ``taps``: the real window on a real X server (Xvfb) against the simulator with a 2 s answer;
  clicks made with XTest (real X input events, through the X server and Qt's xcb plugin), timed
  from the click to the end of the repaint it causes.
"""

from __future__ import annotations

import json
import os
import sys
import time


def since_spawn(moment: float | None = None) -> float:
    """Milliseconds from the parent's spawn to ``moment`` (default: now)."""
    spawned = float(os.environ.get("BENCH_SPAWNED_AT", "0")) or START
    return ((time.monotonic() if moment is None else moment) - spawned) * 1000


START = time.monotonic()


def bare(idle: bool) -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv[:1])
    marks: dict[str, float] = {}

    def painted() -> None:
        marks["paint"] = since_spawn()
        if idle:
            print(json.dumps(marks), flush=True)
        else:
            app.quit()

    class PaintSpy(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "seen" not in marks:
                marks["seen"] = 1
                QTimer.singleShot(0, painted)  # after the whole frame, as the kiosk marks it
            return False

    window = QWidget()
    window.resize(1280, 800)
    spy = PaintSpy()
    window.installEventFilter(spy)
    window.show()
    app.exec()
    if not idle:
        print(json.dumps({"paint": marks["paint"]}), flush=True)


def kiosk() -> None:
    import contextlib
    import io

    import kiosk.entry as entry

    # run_app's own clock starts when it is called: note that moment on the spawn clock.
    real_run_app = entry._run_app
    called: list[float] = []

    def timed_run_app(*args: object, **kwargs: object) -> int:
        called.append(time.monotonic())
        return real_run_app(*args, **kwargs)  # type: ignore[arg-type]

    entry._run_app = timed_run_app  # type: ignore[assignment]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = entry.main(["--demo", "--smoke"])
    words = out.getvalue().replace(",", "").split()  # first paint: N ms first status: N ms
    if code != 0 or len(words) < 7:
        raise SystemExit(f"kiosk --demo --smoke failed ({code}): {out.getvalue()!r}")
    offset = since_spawn(called[0])
    print(json.dumps({"paint": offset + float(words[2]), "status": offset + float(words[6])}))


def kiosk_nopoll() -> None:
    import tempfile
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from kiosk.core.config import Config, Store, UiSettings
    from kiosk.core.keystore import MemoryKeyStore
    from kiosk.simulator.server import DEMO_API_KEY, DEMO_STORE_ID, Simulator
    from kiosk.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    sim = Simulator([DEMO_STORE_ID], DEMO_API_KEY)
    sim.start()
    config = Config(
        api_url=sim.base_url,
        stores=(Store(DEMO_STORE_ID, "Demo Store"),),
        data_dir=Path(tempfile.mkdtemp(prefix="kiosk-bench-")),
        poll_interval_seconds=3600.0,
        ui=UiSettings(fullscreen=False, pin_hash=None),
    )
    window = MainWindow(config, MemoryKeyStore(DEMO_API_KEY), size=(1280, 800))
    window.start()
    window.show()
    app.exec()


def taps(count: int) -> None:
    """Click through pause/resume on the real window while Gett takes 2 s to answer."""
    import ctypes
    import random
    import statistics
    import tempfile
    from pathlib import Path

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QAbstractButton, QApplication

    from kiosk.core.config import Config, Store, UiSettings
    from kiosk.core.keystore import MemoryKeyStore
    from kiosk.simulator.server import Simulator
    from kiosk.ui.main_window import MainWindow

    x11 = ctypes.CDLL("libX11.so.6")
    xtst = ctypes.CDLL("libXtst.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    xtst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                          ctypes.c_int, ctypes.c_ulong]  # fmt: skip
    xtst.XTestFakeButtonEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_ulong]  # fmt: skip
    display = x11.XOpenDisplay(None)
    if not display:
        raise SystemExit("taps: cannot open the X display")

    store, key = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c", "bench-key"
    app = QApplication(sys.argv[:1])
    sim = Simulator([store], key)
    sim.start()
    data = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    config = Config(
        api_url=sim.base_url,
        stores=(Store(store, "Bench Street"),),
        data_dir=data,
        poll_interval_seconds=30.0,
        ui=UiSettings(fullscreen=False, pin_hash=None),
    )
    try:
        window = MainWindow(config, MemoryKeyStore(key), size=(1280, 800))
    except TypeError:  # a kiosk from before MainWindow took its size (--before)
        window = MainWindow(config, MemoryKeyStore(key))
        window.resize(1280, 800)
    window.start()
    window.move(0, 0)
    window.show()
    # Each step taps whichever of these is on screen and enabled (the pause flow, then resume).
    cycle = ["Pause: Too busy", "Pause until I resume", "Resume now"]
    rng = random.Random(12)
    results: list[float] = []
    by_button: dict[str, list[float]] = {}
    clicked: list[float] = []
    step = [0]

    def button(name: str) -> QAbstractButton | None:
        for b in window.findChildren(QAbstractButton):
            if b.accessibleName() == name and b.isVisible() and b.isEnabled():
                return b
        return None

    def click() -> None:
        if len(results) >= count:
            app.quit()
            return
        for offset in range(len(cycle)):
            target = button(cycle[(step[0] + offset) % len(cycle)])
            if target is not None:
                step[0] = (step[0] + offset + 1) % len(cycle)
                break
        else:
            QTimer.singleShot(50, click)  # nothing to tap yet (first status still coming)
            return
        # The repaint that counts is the first one after the button acted (not its pressed look).
        target.clicked.connect(acted)
        tapped[:] = [target]
        names[:] = [target.accessibleName()]
        centre = target.mapToGlobal(target.rect().center())
        xtst.XTestFakeMotionEvent(display, -1, centre.x(), centre.y(), 0)
        xtst.XTestFakeButtonEvent(display, 1, 1, 0)
        clicked[:] = [time.monotonic()]
        xtst.XTestFakeButtonEvent(display, 1, 0, 0)
        x11.XFlush(display)
        watchdog.start(3000)

    tapped: list[QAbstractButton] = []
    names: list[str] = [""]

    def acted() -> None:
        state["acted"] = True

    def repainted() -> None:
        if tapped:
            tapped.pop().clicked.disconnect(acted)
        state.pop("acted", None)
        if clicked:
            results.append((time.monotonic() - clicked[0]) * 1000)
            by_button.setdefault(names[0], []).append(results[-1])
            clicked.clear()
            watchdog.stop()
            QTimer.singleShot(rng.randint(150, 450), click)  # not in step with anything

    def lost() -> None:
        if tapped:
            tapped.pop().clicked.disconnect(acted)
        state.pop("acted", None)
        clicked.clear()
        QTimer.singleShot(100, click)  # a click that changed nothing (never seen so far)

    class PaintSpy(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            painting = event.type() == QEvent.Type.Paint
            if clicked and painting and "acted" in state and "pending" not in state:
                state["pending"] = True
                QTimer.singleShot(0, done)
            return False

    state: dict[str, bool] = {}

    def done() -> None:
        state.pop("pending", None)
        repainted()

    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(lost)
    spy = PaintSpy()
    app.installEventFilter(spy)

    def begin() -> None:
        sim.faults.latency(2.0)  # every request from now on: Gett answers after 2 s
        click()

    window.first_status.connect(lambda: QTimer.singleShot(300, begin))
    QTimer.singleShot(120_000, app.quit)
    app.exec()
    requests = len(sim.requests)
    sim.faults.clear()
    window.shutdown()
    sim.stop()
    ordered = sorted(results)
    print(
        json.dumps(
            {
                "taps": len(results),
                "p50": statistics.median(ordered) if ordered else None,
                "p99": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
                if ordered
                else None,
                "max": ordered[-1] if ordered else None,
                "requests": requests,
                "by_button": {k: statistics.median(v) for k, v in by_button.items()},
                "platform": app.platformName(),
            }
        )
    )


def main() -> None:
    kind = sys.argv[1]
    if kind == "bare":
        bare(idle=False)
    elif kind == "bare-idle":
        bare(idle=True)
    elif kind == "kiosk":
        kiosk()
    elif kind == "kiosk-nopoll":
        kiosk_nopoll()
    elif kind == "taps":
        taps(int(sys.argv[2]) if len(sys.argv) > 2 else 60)
    else:
        raise SystemExit(f"unknown kind {kind!r}")


if __name__ == "__main__":
    main()
