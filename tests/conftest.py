"""Shared fixtures: headless Qt, a real keyring, and a guard against leaked threads."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import pytest

from kiosk.core.keystore import OsKeyStore


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail any test that leaves a thread running: servers, workers and timers must be stopped."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    leaked = []
    for thread in set(threading.enumerate()) - before:
        if isinstance(thread, threading._DummyThread):
            continue  # a QThread that ran Python code: Qt-level fixtures check those
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            leaked.append(thread.name)
    assert not leaked, f"test left threads running: {leaked}"


@pytest.fixture(autouse=True)
def no_leaked_qt_threads_or_timers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test that leaves a QThread running or a QTimer active (napari does the same)."""
    if "PySide6.QtCore" not in sys.modules:
        yield
        return
    from PySide6.QtCore import QThread, QTimer
    from shiboken6 import isValid

    threads: list[QThread] = []
    timers: list[QTimer] = []
    thread_start, timer_start = QThread.start, QTimer.start

    def start_thread(self: QThread, *args: object) -> None:
        threads.append(self)
        thread_start(self, *args)  # type: ignore[arg-type]

    def start_timer(self: QTimer, *args: object) -> None:
        timers.append(self)
        timer_start(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(QThread, "start", start_thread)
    monkeypatch.setattr(QTimer, "start", start_timer)
    yield
    running = [t for t in threads if isValid(t) and not t.wait(5000)]
    active = [t for t in timers if isValid(t) and t.isActive()]
    for timer in active:
        timer.stop()
    assert not running, f"test left QThreads running: {[t.objectName() for t in running]}"
    assert not active, f"test left QTimers active: {[t.objectName() or t for t in active]}"


@pytest.fixture(autouse=True)
def reset_logging() -> Iterator[None]:
    """Undo any handlers a test installed through ``setup_logging``."""
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
            handler.close()


@pytest.fixture(scope="session")
def real_keyring_backend() -> str:
    """The OS keyring the tests run against; `make test` provides gnome-keyring on a private bus."""
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if "fail" in name or "null" in name:
        pytest.fail(
            f"no real keyring backend ({name}); run the tests through `make test`, which starts "
            "gnome-keyring on a private D-Bus session"
        )
    return name


@pytest.fixture
def keystore(real_keyring_backend: str) -> Iterator[OsKeyStore]:
    """The real OS keyring, under a service name of its own so nothing real is touched."""
    store = OsKeyStore(service=f"gett-store-kiosk-test-{uuid.uuid4().hex[:8]}")
    yield store
    store.clear()
