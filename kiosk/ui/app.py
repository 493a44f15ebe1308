"""Starts the touchscreen app: the real kiosk, ``--demo`` on the simulator, ``--smoke`` and
``--screenshot`` for packaging and CI."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from kiosk.core.clock import saved_gett_clock
from kiosk.core.config import Config, Store, default_config_path
from kiosk.core.keystore import KeyStore, MemoryKeyStore
from kiosk.core.logs import log_started, log_stopped

if TYPE_CHECKING:
    from kiosk.core.clock import Clock
    from kiosk.ui.heartbeat_writer import HeartbeatWriter
    from kiosk.ui.main_window import MainWindow
    from kiosk.ui.stop_signals import StopSignals

#: ``--smoke`` and ``--screenshot`` give up if no status arrives in this time.
STATUS_TIMEOUT_S = 20.0
SCREENSHOT_SIZE = (1280, 800)


def install_excepthook() -> Callable[[], None]:
    """Log any exception that escapes a Qt slot (scrubbed like every log record) instead of
    only printing it to a stderr nobody reads; the kiosk keeps running. Returns the undo."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        logging.getLogger("kiosk").critical("unexpected error in the app", exc_info=(kind, exc, tb))

    sys.excepthook = hook
    return lambda: setattr(sys, "excepthook", previous)


def run_app(
    config: Config,
    *,
    demo: bool,
    keystore: KeyStore,
    smoke: bool = False,
    screenshot: str | None = None,
) -> int:
    """Run the app; returns the process exit code."""
    started = time.perf_counter()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.ui import language
    from kiosk.ui.config_watch import ConfigWatcher, watch_config
    from kiosk.ui.main_window import MainWindow

    simulator = None
    demo_dir: Path | None = None
    save_path: Path | None = config.source or default_config_path()
    if demo:
        from kiosk.simulator.server import DEMO_API_KEY, DEMO_STORE_ID, Simulator

        simulator = Simulator([DEMO_STORE_ID], DEMO_API_KEY)
        simulator.start()
        demo_dir = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
        config = replace(
            config,
            api_url=simulator.base_url,
            stores=(Store(DEMO_STORE_ID, "Demo Store"),),
            data_dir=demo_dir,
            poll_interval_seconds=10.0,
            ui=replace(config.ui, fullscreen=False, pin_hash=None),
        )
        keystore = MemoryKeyStore(DEMO_API_KEY)  # never the real keyring in a demo
        save_path = None  # nor the real config file
    if screenshot or smoke:
        config = replace(config, ui=replace(config.ui, fullscreen=False))
    exit_code = 0
    window: MainWindow | None = None
    writer: HeartbeatWriter | None = None
    stop_signals: StopSignals | None = None
    stopped_by = "the window was closed"
    watcher: ConfigWatcher | None = None
    restore_hook = install_excepthook()
    try:
        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        log_started("kiosk app", qt=f"{qVersion()} (PySide6 {pyside_version})")
        # The language before any widget: words, direction, Qt's own words, the script's font.
        language.apply(config.ui.language)
        # One clock for the screen, the taps and the worker, on Gett's time (learnt from its
        # answers, kept in the data folder so a restart starts right).
        clock = saved_gett_clock(config.data_dir)
        # Sized before it is built, so the stylesheet is worked out once, for its real size.
        full = config.ui.fullscreen and not (smoke or screenshot)
        screen = app.primaryScreen()
        size = screen.size().toTuple() if full and screen is not None else SCREENSHOT_SIZE
        window = MainWindow(config, keystore, save_path=save_path, clock=clock, size=size)
        # The worker first: it opens the queue and asks Gett while the window is shown.
        window.start()
        if not (smoke or screenshot):
            from kiosk.ui.stop_signals import StopSignals

            writer = _monitoring(window, clock)

            def stop(code: int, name: str) -> None:
                nonlocal exit_code, stopped_by
                exit_code, stopped_by = code, name
                # exit(), not quit(): quit() closes the window first, and a kiosk-mode window
                # answers a close with the PIN pad (the signal would be ignored).
                app.exit()

            stop_signals = StopSignals(stop, app)
        # IT's pushed settings and `kiosk pin set` apply while the kiosk runs (not the demo's).
        watcher = watch_config(window) if save_path is not None else None
        if simulator is not None:
            from kiosk.ui.demo_panel import DemoPanel

            panel = DemoPanel(
                simulator,
                config.stores[0].id,
                window.tasks,
                on_network_back=window.session.poke,
                on_changed=window.session.refresh,
            )
            window.add_top_bar_widget(panel)
        marks: dict[str, float] = {}

        def mark(name: str) -> None:
            marks.setdefault(name, (time.perf_counter() - started) * 1000)

        def give_up() -> None:
            nonlocal exit_code
            if "status" not in marks:
                print(
                    f"kiosk: no status from Gett within {STATUS_TIMEOUT_S:.0f} s "
                    "(check the network, the API key and the store id)",
                    file=sys.stderr,
                )
                exit_code = 3
                app.exit()

        def on_status() -> None:
            mark("status")
            if smoke:
                print(
                    f"first paint: {marks.get('paint', 0):.0f} ms, "
                    f"first status: {marks['status']:.0f} ms"
                )
                if os.environ.get("KIOSK_SMOKE_LANGUAGES"):  # (packaging/smoke-test.sh)
                    print(language.self_check())
                app.exit()
            elif screenshot:
                # One more turn of the event loop so the layout reflects the status.
                QTimer.singleShot(50, lambda: save_screenshot(window, screenshot))

        def save_screenshot(target: MainWindow | None, path: str) -> None:
            nonlocal exit_code
            assert target is not None
            if not target.grab().save(path):
                print(f"kiosk: could not write {path}", file=sys.stderr)
                exit_code = 1
            app.exit()

        window.first_painted.connect(lambda: mark("paint"))
        if smoke or screenshot:
            window.first_status.connect(on_status)
            QTimer.singleShot(int(STATUS_TIMEOUT_S * 1000), give_up)
            window.show()
        elif config.ui.fullscreen:
            window.showFullScreen()
        else:
            window.show()
        code = int(app.exec())
        exit_code = exit_code or code
        return exit_code
    finally:
        restore_hook()
        if watcher is not None:
            watcher.stop()
        clean = window.shutdown() if window is not None else True
        if stop_signals is not None:
            stop_signals.uninstall()
        if writer is not None:
            writer.finish(stopped_by)  # after the worker stopped: the last word on the queue
        if window is not None and window.closed_on_purpose:
            stopped_by = "a manager closed it"
        elif stopped_by == "SIGUSR1":
            stopped_by = "SIGUSR1 (restart after an upgrade)"
        log_stopped("kiosk app", exit_code, stopped_by)
        if simulator is not None:
            simulator.stop()
        if demo_dir is not None:
            shutil.rmtree(demo_dir, ignore_errors=True)
        if not clean:
            # A thread is stuck (a hung request or keyring prompt). Destroying it would abort
            # the process; every tap is already committed, so end here, cleanly logged.
            logging.getLogger(__name__).error("exiting with a background thread still busy")
            logging.shutdown()
            os._exit(exit_code)


def _monitoring(window: MainWindow, clock: Clock) -> HeartbeatWriter:
    """The heartbeat (and the textfile and journal it feeds), fed by the window's state."""
    from kiosk.ui.heartbeat_writer import HeartbeatWriter

    writer = HeartbeatWriter(lambda: window.config, window.state, clock, parent=window)
    window.session.changed.connect(writer.on_changed)
    window.closed_by_manager.connect(writer.on_closed_by_manager)
    writer.start()
    return writer
