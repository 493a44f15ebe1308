"""Human time input for the CLI: durations like ``1h30m`` and times like ``14:30`` or RFC 3339."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

from kiosk.core.models import ModelError, parse_datetime

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class TimeInputError(ValueError):
    """The text is not a duration or time we understand; the message shows what is."""


def parse_duration(text: str) -> timedelta:
    """``15m``, ``1h30m``, ``90s``, ``2h``; a bare number means minutes."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit():
        cleaned += "m"
    match = _DURATION.match(cleaned)
    if not cleaned or match is None or not any(match.groups()):
        raise TimeInputError(f"{text!r} is not a duration. Use e.g. 15m, 1h30m or 90s.")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    value = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if value <= timedelta(0):
        raise TimeInputError(f"{text!r} is zero; a pause needs a positive duration.")
    if value > timedelta(days=7):
        raise TimeInputError(f"{text!r} is longer than 7 days; pause until you resume instead.")
    return value


def parse_until(text: str, now: datetime, local_tz: tzinfo | None = None) -> datetime:
    """An RFC 3339 date-time, or a local ``HH:MM``: today, or tomorrow if that time has passed.

    ``now`` is aware; ``local_tz`` defaults to the PC's zone. The result is aware and in the future.
    """
    text = text.strip()
    match = _HHMM.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        today = (now.astimezone(local_tz) if local_tz else now.astimezone()).date()
        for day in (today, today + timedelta(days=1)):
            naive = datetime(day.year, day.month, day.day, hour, minute)
            # Without an explicit zone, astimezone() asks the OS, so that day's DST offset is used.
            candidate = naive.replace(tzinfo=local_tz) if local_tz else naive.astimezone()
            if candidate > now:
                return candidate
        raise TimeInputError(f"{text!r} could not be placed in the next day.")  # pragma: no cover
    try:
        when = parse_datetime(text)
    except ModelError:
        raise TimeInputError(
            f"{text!r} is not a time. Use a local time like 14:30, or a full date-time like "
            "2026-01-15T14:00:00Z."
        ) from None
    if when <= now:
        raise TimeInputError(f"{text} has already passed; pick a time in the future.")
    return when
