"""Time as a collaborator, so tests control it instead of sleeping."""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


class Clock(Protocol):
    """Wall time for what goes on the wire and on screen; monotonic time for waiting."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps; only differences mean anything."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


#: Gett's Date header is trusted only this far from the PC's clock: a PC whose battery died can
#: be years off, but a date beyond this is a broken or hostile server, not a clock to follow.
MAX_OFFSET = timedelta(days=366 * 30)
#: A new estimate replaces the old one only when it differs by more than this plus half the
#: round trip: the header has whole seconds, so smaller moves are noise, not a clock step.
OFFSET_NOISE = 2.0
#: Off by more than this, the screen and `kiosk status` say so.
NOTICEABLE_OFFSET = 60.0


class GettClock:
    """The PC's clock corrected to Gett's, learnt from the ``Date`` header of Gett's answers.

    Everything compared with Gett's own times or sent to Gett (a pause's ``resumeAt``, expiry,
    "resumes in 12 min") reads this clock, so "15 minutes" means 15 minutes at Gett even when
    the PC's clock is a day off. Thread-safe: the worker learns, the screen reads.
    """

    def __init__(
        self,
        base: Clock | None = None,
        offset: float | None = None,
        on_change: Callable[[float], None] | None = None,
        *,
        measured: bool | None = None,
    ) -> None:
        self._base = base or SystemClock()
        self._lock = threading.Lock()
        self._offset = 0.0 if offset is None else _bounded(offset)
        known = offset is not None and self._offset == offset
        # A saved offset is a starting guess, not a measurement: the PC's clock may have been
        # fixed since (NTP, a manager), and then the first answer must replace it whole.
        self._measured = known if measured is None else measured and known
        self._on_change = on_change

    @property
    def offset(self) -> float:
        """Seconds Gett's clock is ahead of this PC's (negative: the PC is ahead)."""
        with self._lock:
            return self._offset

    @property
    def measured(self) -> bool:
        """Whether the offset was learnt from an answer of Gett's in this run."""
        with self._lock:
            return self._measured

    def now(self) -> datetime:
        return self._base.now() + timedelta(seconds=self.offset)

    def pc_now(self) -> datetime:
        return self._base.now()

    def monotonic(self) -> float:
        return self._base.monotonic()

    def observe(self, server_date: datetime, sent: datetime, received: datetime) -> bool:
        """Learn from one answer: ``server_date`` from its Date header, ``sent``/``received``
        read from the PC's clock around the request. True if the offset changed."""
        round_trip = max(0.0, (received - sent).total_seconds())
        middle = sent + (received - sent) / 2
        # The header drops the fraction: the true time was somewhere in [date, date + 1 s).
        estimate = (server_date + timedelta(seconds=0.5) - middle).total_seconds()
        if abs(estimate) > MAX_OFFSET.total_seconds():
            return False
        with self._lock:
            if self._measured and abs(estimate - self._offset) <= OFFSET_NOISE + round_trip / 2:
                return False
            self._offset, self._measured = estimate, True
        if self._on_change is not None:
            self._on_change(estimate)
        return True


def _bounded(offset: float) -> float:
    limit = MAX_OFFSET.total_seconds()
    return offset if math.isfinite(offset) and abs(offset) <= limit else 0.0


OFFSET_FILENAME = "clock-offset.json"


def saved_gett_clock(data_dir: Path, base: Clock | None = None) -> GettClock:
    """A :class:`GettClock` that starts from the offset an earlier run learnt (a guess until
    Gett's first answer in this run confirms or replaces it) and keeps each new one. The file is
    outside input: anything unreadable counts as no guess; failing to save only costs a read."""
    path = data_dir / OFFSET_FILENAME
    offset: float | None = None
    try:
        raw = json.loads(path.read_text(encoding="utf-8")[:200])
        value = raw.get("offset_seconds") if isinstance(raw, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            offset = float(value)
            if _bounded(offset) != offset:
                offset = None
    except (OSError, ValueError, RecursionError):
        offset = None

    def save(new: float) -> None:
        tmp = path.with_name(path.name + ".tmp")
        try:
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"offset_seconds": round(new, 3)}, fh)
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("could not save the clock offset in %s: %s", path, exc.strerror)

    return GettClock(base, offset, on_change=save, measured=False)
