"""Human time input for the CLI: durations like ``1h30m`` and times like ``14:30`` or RFC 3339."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from kiosk.core.i18n import _, isolate
from kiosk.core.models import DateOutOfRange, ModelError, parse_datetime

#: The longest timed pause, for ``--for`` and ``--until`` alike; longer is "until you resume".
MAX_PAUSE = timedelta(days=7)
#: More digits than this is weeks in any unit (10**7 seconds is 115 days): too long, not parsed.
_MAX_DIGITS = 7

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class TimeInputError(ValueError):
    """The text is not a duration or time we understand; the message shows what is."""


def _shown(text: str) -> str:
    shown = repr(text)
    return isolate(shown if len(shown) <= 40 else shown[:37] + "...")


def parse_duration(text: str) -> timedelta:
    """``15m``, ``1h30m``, ``90s``, ``2h``; a bare number means minutes."""
    if not text.strip():
        raise TimeInputError(_("The duration is empty. Use e.g. 15m, 1h30m or 90s."))
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit():
        cleaned += "m"
    match = _DURATION.match(cleaned)
    if match is None or not any(match.groups()):
        raise TimeInputError(
            _("{value} is not a duration. Use e.g. 15m, 1h30m or 90s.").format(value=_shown(text))
        )
    too_long = TimeInputError(
        _(
            "{value} is longer than 7 days, the longest timed pause; pause until you "
            "resume instead."
        ).format(value=_shown(text))
    )
    if any(len(g.lstrip("0")) > _MAX_DIGITS for g in match.groups() if g):
        raise too_long  # far beyond 7 days, and too big to turn into a time span
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    value = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if value <= timedelta(0):
        raise TimeInputError(
            _("{value} is zero; a pause needs a positive duration.").format(value=_shown(text))
        )
    if value > MAX_PAUSE:
        raise too_long
    return value


def parse_until(text: str, now: datetime, local_tz: tzinfo | None = None) -> datetime:
    """An RFC 3339 date-time, or a local ``HH:MM``: today, or tomorrow if that time has passed.

    ``now`` is aware; ``local_tz`` defaults to the PC's zone. The result is aware, in the future
    and at most 7 days ahead (as with ``--for``).
    """
    if not text.strip():
        raise TimeInputError(
            _("The time is empty. Use a local time like 14:30, or a full date-time.")
        )
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
        raise TimeInputError(  # pragma: no cover
            _("{value} could not be placed in the next day.").format(value=_shown(text))
        )
    try:
        utc = parse_datetime(text)  # in UTC, within 1970-9000
    except DateOutOfRange as exc:
        utc = datetime.max.replace(tzinfo=UTC) if exc.late else datetime.min.replace(tzinfo=UTC)
    except ModelError:
        raise TimeInputError(
            _(
                "{value} is not a time. Use a local time like 14:30, or a full date-time like "
                "2026-01-15T14:00:00Z."
            ).format(value=_shown(text))
        ) from None
    if utc <= now:
        raise TimeInputError(
            _("{value} has already passed; pick a time in the future.").format(value=_shown(text))
        )
    if utc - now > MAX_PAUSE:
        raise TimeInputError(
            _(
                "{value} is more than 7 days ahead; a timed pause lasts at most 7 days (as "
                "with --for). Pause until you resume instead."
            ).format(value=_shown(text))
        )
    return utc
