"""SIGTERM and SIGUSR1 end the app cleanly, from inside Qt's event loop.

Python runs a signal handler only when the interpreter gets control, which a Qt event loop
waiting for input may not give for a long time; so the signal's number is written to a socket
(``signal.set_wakeup_fd``) that Qt watches, and the app quits from there: the worker stops, the
last heartbeat is written, every tap is already in the queue (SQLite, committed on tap).

SIGTERM (logout, shutdown, `kill`): exit 143, and the autostart script leaves it closed.
SIGUSR1 (the .deb's postinst after an upgrade): exit :data:`RESTART_EXIT`, and the autostart
script starts the new version at once. Not on Windows (no such signals there).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, Slot

from kiosk.core.logs import EVENT

log = logging.getLogger(__name__)

#: "Start me again": the autostart scripts restart the app at once on this code.
RESTART_EXIT = 75
_EXITS = {"SIGTERM": 128 + 15, "SIGUSR1": RESTART_EXIT}


class StopSignals(QObject):
    """Installed while the app runs; :meth:`uninstall` puts the old handlers back."""

    def __init__(self, on_stop: Callable[[int, str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_stop = on_stop
        self._previous: dict[int, object] = {}
        self._old_fd = -1
        self._reader, self._writer = socket.socketpair()
        for sock in (self._reader, self._writer):
            sock.setblocking(False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self.on_notifier_activated)
        self._old_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        for name in _EXITS:
            number = getattr(signal, name, None)
            if number is not None:
                # The Python-level handler does nothing: the wake-up byte carries the signal.
                self._previous[number] = signal.signal(number, lambda *_: None)

    @Slot()
    def on_notifier_activated(self) -> None:
        try:
            data = self._reader.recv(64)
        except OSError:
            return
        for number in data:
            try:
                name = signal.Signals(number).name
            except ValueError:
                continue
            if name in _EXITS:
                log.info("%s received: closing the kiosk app cleanly", name, extra=EVENT)
                self._on_stop(_EXITS[name], name)
                return

    def uninstall(self) -> None:
        self._notifier.setEnabled(False)
        with contextlib.suppress(ValueError, OSError):
            signal.set_wakeup_fd(self._old_fd)
        for number, handler in self._previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(number, handler)  # type: ignore[arg-type]
        self._reader.close()
        self._writer.close()
