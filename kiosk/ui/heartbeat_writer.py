"""The running app's heartbeat, and what it tells monitoring (the textfile, the journal).

On the UI thread: what it writes is what the screen knows (the screen state fed by the worker).
It writes when that changes and every 30 s otherwise (its own timer: the screen's tick sleeps
until the screen can next change, which may be hours), and never more often: an unchanged
screen costs one small atomic write per 30 s. A write that fails (full disk, read-only folder)
is logged once and retried at the next beat; the kiosk never stops for it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Slot

from kiosk import __version__
from kiosk.core import health, journal, metrics
from kiosk.core import heartbeat as hb
from kiosk.core.clock import Clock, GettClock
from kiosk.core.config import Config, clip
from kiosk.core.lease import OwnerLock
from kiosk.core.logs import EVENT
from kiosk.core.sync import AttentionKind, StoreView
from kiosk.ui.screen_state import ScreenState

log = logging.getLogger(__name__)

_KEY_STATES = {
    AttentionKind.KEY_MISSING: hb.KeyringState.MISSING,
    AttentionKind.KEYRING_UNAVAILABLE: hb.KeyringState.UNAVAILABLE,
    AttentionKind.KEY_REJECTED: hb.KeyringState.REJECTED,
}


class HeartbeatWriter(QObject):
    """Started with the app; :meth:`finish` writes the last beat (stopped, or closed)."""

    def __init__(
        self,
        config: Callable[[], Config],
        state: ScreenState,
        clock: Clock,
        *,
        wall: Callable[[], float] = time.time,
        interval_s: float = hb.INTERVAL_S,
        journal_path: str = journal.SOCKET_PATH,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._config = config  # the window's, as Settings change it
        self._state = state
        self._clock = clock
        self._wall = wall
        self._data_dir = config().data_dir
        self._interval = interval_s
        self._throttle = hb.Throttle(interval_s)
        self._started_at = wall()
        self._app_state = hb.AppState.RUNNING
        self._state_at = self._started_at
        self._boot_id = hb.boot_id()
        self._lock: OwnerLock | None = None
        self._failing = False
        self._textfile_failing = False
        #: The textfile last written: removed when the setting moves or goes (node_exporter
        #: would keep reporting its last figures as if the kiosk still wrote them).
        self._textfile: Path | None = None
        self._journal = config().monitoring.journal
        self._journal_path = journal_path
        self._health: health.Code | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(round(interval_s * 1000))
        self.timer.timeout.connect(self.on_timer_timeout)

    def start(self) -> None:
        # The app's proof of life for `kiosk health`: the OS drops this lock when the process
        # ends, however it ends (lease.py); its token goes into every beat.
        self._lock = OwnerLock(self._data_dir, "gui-heartbeat")
        hb.remove_stale_tmp(self._data_dir)
        log.info("heartbeat started: kiosk app %s (pid %d)", __version__, os.getpid(), extra=EVENT)
        self._to_journal(f"Gett Store Kiosk {__version__} started", journal.NOTICE)
        self.beat(force=True)
        self.timer.start()

    @Slot()
    def on_timer_timeout(self) -> None:
        self.beat()

    @Slot()
    def on_changed(self) -> None:
        """The screen's state changed: write now if what the beat says changed."""
        self.beat()

    @Slot()
    def on_closed_by_manager(self) -> None:
        self._app_state, self._state_at = hb.AppState.CLOSED_BY_MANAGER, self._wall()
        self.beat(force=True)

    def finish(self, why: str) -> None:
        """The last beat, as the app ends (``why`` for the log and the journal)."""
        self.timer.stop()
        if self._app_state is hb.AppState.RUNNING:
            self._app_state, self._state_at = hb.AppState.STOPPED, self._wall()
        self.beat(force=True)
        closed = self._app_state is hb.AppState.CLOSED_BY_MANAGER
        words = "closed by a manager" if closed else f"stopped ({why})"
        log.info("heartbeat stopped: kiosk app %s %s", __version__, words, extra=EVENT)
        self._to_journal(f"Gett Store Kiosk {__version__} {words}", journal.NOTICE)
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    @property
    def config(self) -> Config:
        return self._config()

    def current(self) -> hb.Heartbeat:
        """What the beat says now."""
        now = self._clock.now()
        stores = []
        keyring = hb.KeyringState.UNKNOWN
        for store in self.config.stores:
            view: StoreView | None = self._state.views.get(store.id)
            if view is None:
                stores.append(hb.StoreBeat(store.id, clip(store.name, 100), None, None))
                continue
            kind = view.attention.kind if view.attention is not None else None
            if kind in _KEY_STATES:
                keyring = _KEY_STATES[kind]
            elif view.confirmed is not None and keyring is hb.KeyringState.UNKNOWN:
                keyring = hb.KeyringState.OK
            waiting = None
            if view.pending is not None:
                age = max(0.0, (now - view.pending.created_at).total_seconds())
                waiting = hb.Waiting(view.pending.state.value, age)
            confirmed_age = None
            if view.confirmed_at is not None:
                confirmed_age = max(0.0, (now - view.confirmed_at).total_seconds())
            stores.append(
                hb.StoreBeat(
                    id=store.id,
                    name=clip(store.name, 100),  # (the reader takes 200 characters at most)
                    status=_status(view),
                    confirmed_age_seconds=confirmed_age,
                    waiting=waiting,
                    problem=kind.value if kind is not None and kind not in _KEY_STATES else None,
                )
            )
        clock = self._clock
        offset = clock.offset if isinstance(clock, GettClock) and clock.measured else None
        wall = self._wall()
        return hb.Heartbeat(
            pid=os.getpid(),
            token=self._lock.token if self._lock is not None else "none",
            version=__version__,
            started_at=self._started_at,
            written_at=wall,
            state=self._app_state,
            state_at=self._state_at,
            stores=tuple(stores),
            clock_offset_seconds=offset,
            keyring=keyring,
            poll_interval_seconds=self.config.poll_interval_seconds,
            interval_seconds=self._interval,
            boot_id=self._boot_id,
            managed_last_good=self.config.managed_problem is not None,
        )

    def beat(self, *, force: bool = False) -> None:
        beat = self.current()
        key = (
            beat.state,
            beat.keyring,
            None if beat.clock_offset_seconds is None else round(beat.clock_offset_seconds / 10),
            tuple(
                (s.id, s.status, s.problem, s.waiting.state if s.waiting else None)
                for s in beat.stores
            ),
        )
        if not force and not self._throttle.due(key, beat.written_at):
            return
        try:
            hb.write(self._data_dir, beat)
        except OSError as exc:
            if not self._failing:
                log.warning("could not write the heartbeat in %s: %s", self._data_dir, exc)
            self._failing = True
            return
        if self._failing:
            log.info("the heartbeat is written again")
        self._failing = False
        self._throttle.written(key, beat.written_at)
        self._tell_monitoring(beat)

    def _tell_monitoring(self, beat: hb.Heartbeat) -> None:
        """The textfile (if configured) and a journal line when the app's own verdict
        changes (judged as `kiosk health` would, the process being alive)."""
        report = health.evaluate(
            beat,
            data_dir=self._data_dir,
            now=beat.written_at,
            is_alive=lambda _b: beat.state is hb.AppState.RUNNING,
            installed_version=__version__,
            limits=health.Limits(self.config.monitoring.critical_wait_minutes * 60.0),
        )
        code = report.code
        if code != self._health and beat.state is hb.AppState.RUNNING:
            if self._health is not None or code is not health.Code.OK:
                summary = report.to_json()["summary"]
                log.info("health %s: %s", code.name, summary, extra=EVENT)
                priority = journal.INFO if code is health.Code.OK else journal.WARNING
                self._to_journal(f"health {code.name}: {summary}", priority)
            self._health = code
        path = self.config.monitoring.prometheus_textfile
        if self._textfile is not None and self._textfile != path:
            try:
                self._textfile.unlink(missing_ok=True)
            except OSError as exc:
                log.warning(
                    "could not remove the old Prometheus textfile %s: %s", self._textfile, exc
                )
            self._textfile = None
        if path is not None:
            self._textfile = path
            try:
                metrics.write(path, metrics.render(beat, int(code)))
            except OSError as exc:
                if not self._textfile_failing:
                    log.warning("could not write the Prometheus textfile %s: %s", path, exc)
                self._textfile_failing = True
            else:
                self._textfile_failing = False

    def _to_journal(self, message: str, priority: int) -> None:
        if not self._journal:
            return
        if not journal.send(message, priority, path=self._journal_path, kiosk_version=__version__):
            log.info("no systemd journal here: journal lines are skipped")
            self._journal = False  # said once


def _status(view: StoreView) -> str | None:
    """Gett's word for the state, as the heartbeat knows them (a new word: "unknown")."""
    if view.confirmed is None:
        return None
    value = str(getattr(view.confirmed.status, "value", view.confirmed.status))
    return value if value in ("online", "paused") else "unknown"
