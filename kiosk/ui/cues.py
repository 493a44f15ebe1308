"""When the kiosk makes a sound, and how loud: plain Python, decided from two frames.

Nobody in a noisy kitchen looks at the screen until something beeps. A sound plays when
something that needs a person *appears* (not on every redraw): the heads-up before an
auto-resume, the forgotten-pause reminder, a conflict, a pause that is still not confirmed (again
at each step it gets louder), and "needs a manager". Quiet hours hush all but the unconfirmed
pause: orders may still be coming in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from kiosk.ui.screen_state import Screen
from kiosk.ui.view_model import Indicator, StateKind


class Cue(StrEnum):
    """One short sound each (``resources/sounds/<value>.wav``), told apart by rhythm and pitch."""

    HEADS_UP = "heads_up"
    REMINDER = "reminder"
    CONFLICT = "conflict"
    UNCONFIRMED = "unconfirmed"
    MANAGER = "manager"


@dataclass(frozen=True, slots=True)
class SoundSettings:
    enabled: bool = True
    volume: int = 80  # percent
    quiet_from: time | None = None  # quiet hours, local time; may run past midnight
    quiet_until: time | None = None

    def is_quiet(self, local: time) -> bool:
        start, end = self.quiet_from, self.quiet_until
        if start is None or end is None or start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end  # 23:00-07:00


def sound_settings(enabled: bool, volume: int, quiet_hours: str) -> SoundSettings:
    """From the config's ``[ui]`` keys (already validated: "HH:MM-HH:MM" or "")."""
    start = end = None
    if quiet_hours:
        first, second = quiet_hours.split("-")
        start, end = time.fromisoformat(first), time.fromisoformat(second)
    return SoundSettings(enabled, volume, start, end)


def _indicators(screen: Screen) -> list[Indicator]:
    inds = [screen.indicator, *(b.indicator for b in screen.store_buttons)]
    if screen.all_stores is not None:
        inds.append(screen.all_stores)
    return inds


def _kinds(screen: Screen | None) -> set[StateKind]:
    return {i.kind for i in _indicators(screen)} if screen is not None else set()


def _alarm(screen: Screen | None) -> int:
    return max((i.alarm for i in _indicators(screen)), default=0) if screen is not None else 0


def cues(old: Screen | None, new: Screen) -> list[Cue]:
    """The sounds for what appeared between two frames (most urgent first)."""
    found: list[Cue] = []
    if _alarm(new) > _alarm(old):
        found.append(Cue.UNCONFIRMED)
    was, now = _kinds(old), _kinds(new)
    if StateKind.NEEDS_MANAGER in now - was:
        found.append(Cue.MANAGER)
    if StateKind.CONFLICT in now - was:
        found.append(Cue.CONFLICT)
    if new.heads_up is not None and (old is None or old.heads_up != new.heads_up):
        found.append(Cue.HEADS_UP)
    if new.reminder is not None and (old is None or old.reminder != new.reminder):
        found.append(Cue.REMINDER)
    return found


def volume_for(cue: Cue, settings: SoundSettings, local: time, alarm: int = 0) -> float:
    """0.0 (silent) to 1.0. The unconfirmed pause gets louder with its alarm level and is the
    one sound quiet hours do not hush."""
    if not settings.enabled or settings.volume <= 0:
        return 0.0
    base = settings.volume / 100
    if cue is Cue.UNCONFIRMED:
        return min(1.0, base * (0.6 + 0.2 * max(1, alarm)))
    if settings.is_quiet(local):
        return 0.0
    return base
