"""Fakes for what tests must control: time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class FakeClock:
    """A clock that moves only when a test says so; safe to read from several threads."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = start or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
        self._mono = 1000.0

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            self._mono += seconds

    def set_wall(self, when: datetime) -> None:
        """Jump the wall clock (an NTP step or DST change) without moving monotonic time."""
        with self._lock:
            self._now = when
