"""The kiosk window against an in-process simulator, one fake clock for all, no sleeping.

Every window is built by ``make_window`` and torn down here; the teardown fails the test if the
sync thread is still running, a window timer is still active or a background task is still busy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import httpx
import miniaudio
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.core.client import GettClient
from kiosk.core.config import Config, Store, UiSettings
from kiosk.core.keystore import KeyStore, MemoryKeyStore
from kiosk.core.pin import PinGuard, hash_pin
from kiosk.simulator.server import Simulator
from kiosk.ui.main_window import MainWindow
from kiosk.ui.sound import SoundPlayer
from kiosk.ui.view_model import LocalTime
from kiosk.ui.worker import SyncWorker
from tests.helpers.fakes import FakeClock

STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
KEY = "sk_test_kiosk_ui_7c1d"
PIN = "2468"
#: A cheap scrypt cost, so PIN checks in tests take microseconds; the format is the real one.
PIN_HASH = hash_pin(PIN, n=16)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


#: A ghost kitchen: several brands from one kitchen (the first is the one-store tests' store).
STORES = (
    Store(STORE, "Main Street"),
    Store("8d2e4b1a-0c3f-4e5d-9b6a-7f1e2d3c4b5a", "Pizza Nonna"),
    Store("1b7c9d2e-4f6a-4b8c-8d0e-2f4a6b8c0d1e", "Green Bowl"),
    Store("5e9f1a3b-7c2d-4e6f-a8b0-c1d3e5f7a9b2", "Taco Loco"),
)


@pytest.fixture
def sim_store_ids() -> tuple[str, ...]:
    """The stores the simulator starts with; multi-store tests override this fixture."""
    return (STORE,)


@pytest.fixture
def sim(clock: FakeClock, sim_store_ids: tuple[str, ...]) -> Iterator[Simulator]:
    simulator = Simulator(list(sim_store_ids), KEY, clock=clock)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def config(tmp_path: Path, sim: Simulator) -> Config:
    return Config(
        api_url=sim.base_url,
        stores=(Store(STORE, "Main Street"),),
        poll_interval_seconds=30.0,
        data_dir=tmp_path / "data",
        ui=UiSettings(fullscreen=False, pin_hash=PIN_HASH),
    )


@pytest.fixture
def keys() -> MemoryKeyStore:
    return MemoryKeyStore(KEY)


MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def make_window(
    qtbot: QtBot, clock: FakeClock, tmp_path: Path, config: Config, keys: MemoryKeyStore
) -> Iterator[MakeWindow]:
    """Build (and later tear down) windows; ``start=True`` waits for the first status."""
    windows: list[MainWindow] = []

    def make(
        cfg: Config | None = None,
        keystore: KeyStore | None = None,
        *,
        start: bool = True,
        wait_status: bool = True,
        size: tuple[int, int] = (1280, 800),
        tap_guard_seconds: float = 0.0,
        # Tests call on_tick_timer_timeout() after moving the clock; None: the app's own clock.
        tick_ms: int | None = 3_600_000,
    ) -> MainWindow:
        """``tap_guard_seconds``: 0 so quick test taps all land; the guard's tests set it."""
        store = keystore if keystore is not None else keys

        def worker_factory(c: Config) -> SyncWorker:
            return SyncWorker(
                c,
                store,
                clock=clock,
                client_factory=lambda url, key: GettClient(
                    url, key, clock=clock, timeout=httpx.Timeout(3.0, connect=2.0)
                ),
            )

        window = MainWindow(
            cfg or config,
            store,
            clock=clock,
            local_time=LocalTime(UTC),
            worker_factory=worker_factory,
            save_path=tmp_path / "config.toml",
            pin_guard=PinGuard(clock),
            tick_ms=tick_ms,
            tap_guard_seconds=tap_guard_seconds,
            sound=SoundPlayer([miniaudio.Backend.NULL]),  # real playback, into nothing
        )
        qtbot.addWidget(window)
        windows.append(window)
        window.resize(*size)
        window.show()
        if start:
            if wait_status:
                with qtbot.waitSignal(window.first_status, timeout=10_000):
                    window.start()
            else:
                window.start()
        return window

    yield make
    for window in windows:
        hosts = window.session.hosts
        window.shutdown()
        for host in hosts:
            assert host.sync_thread.isFinished(), "the sync worker thread is still running"
        active = [t.objectName() or repr(t) for t in window.findChildren(QTimer) if t.isActive()]
        assert not active, f"timers left running: {active}"
        assert not window.tasks.busy, "background tasks were left unfinished"
        window.close_for_good()


# -- helpers for tapping -----------------------------------------------------------------------


def find(window: QWidget, name: str) -> QAbstractButton:
    """The visible button with this accessible name (what a screen reader would announce)."""
    matches = [
        b
        for b in window.findChildren(QAbstractButton)
        if b.accessibleName() == name and b.isVisible()
    ]
    assert len(matches) == 1, f"{len(matches)} visible buttons named {name!r}"
    return matches[0]


def tap(qtbot: QtBot, window: QWidget, name: str) -> None:
    from PySide6.QtCore import Qt

    button = find(window, name)
    assert button.isEnabled(), f"{name!r} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def settle(window: MainWindow, qtbot: QtBot, clock: FakeClock, seconds: float) -> None:
    """Move time on, have the worker re-read Gett, and tick the window's clock."""
    clock.advance(seconds)
    assert window.host is not None
    with qtbot.waitSignal(window.rendered, timeout=10_000):
        window.host.refresh_requested.emit()
    qtbot.waitUntil(lambda: _confirmed_at(window) == clock.now(), timeout=10_000)
    window.on_tick_timer_timeout()


def _confirmed_at(window: MainWindow) -> object:
    view = window.store_view()
    return view.confirmed_at if view is not None else None


def app_processes() -> None:
    app = QApplication.instance()
    if app is not None:
        app.processEvents()


def with_ui(config: Config, **changes: object) -> Config:
    return replace(config, ui=replace(config.ui, **changes))
