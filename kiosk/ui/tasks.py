"""Run blocking work (keyring, config file, a test request) off the UI thread.

The keyring can block on D-Bus and a connection test on the network; the UI thread must never
wait for either. Results come back to the UI thread as a queued signal.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any, BaseException | None], None]


class _Relay(QObject):
    """Lives on the UI thread; its signal carries results back from pool threads.

    Signals:
        finished(int, object, object): task id, result, exception (or None).
    """

    finished = Signal(int, object, object)


class _Job(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self._task_id, self._fn, self._relay = task_id, fn, relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # handed to the caller, who shows it in words
            self._relay.finished.emit(self._task_id, None, exc)
        else:
            self._relay.finished.emit(self._task_id, result, None)


class TaskRunner(QObject):
    """Runs callables on a thread pool and calls ``done(result, error)`` on the UI thread."""

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool(self)
        # One at a time: two settings saves must never land out of order.
        self.pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.finished.connect(self.on_relay_finished)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, Done] = {}

    def run(self, fn: Callable[[], object], done: Done) -> None:
        task_id = next(self._ids)
        self._callbacks[task_id] = done
        self.pool.start(_Job(task_id, fn, self._relay))

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    @Slot(int, object, object)
    def on_relay_finished(self, task_id: int, result: object, error: object) -> None:
        done = self._callbacks.pop(task_id, None)
        if done is None:
            return
        if error is not None and not isinstance(error, BaseException):  # pragma: no cover
            error = RuntimeError(str(error))
        done(result, error if isinstance(error, BaseException) else None)

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Wait for running tasks (at exit and in tests only)."""
        return bool(self.pool.waitForDone(timeout_ms))
