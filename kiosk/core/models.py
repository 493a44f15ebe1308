"""Wire models of the Gett Store Status API.

Lenient on read (NOTES.md): nulls and missing fields are fine, and an enum value we do not know is
kept as the string that came rather than crashing anything. Strict on write: only known values, and
date-times in RFC 3339 UTC with an explicit ``Z``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, TypeVar

from kiosk.core.i18n import N_, _

_E = TypeVar("_E", bound=StrEnum)


class StoreState(StrEnum):
    """``StoreStatusValue`` in the reference."""

    ONLINE = "online"
    PAUSED = "paused"


class PauseReason(StrEnum):
    """``PauseReason`` in the reference."""

    OPERATIONAL_ISSUES = "operational_issues"
    STAFF_SHORTAGE = "staff_shortage"
    TOO_BUSY = "too_busy"
    MAINTENANCE = "maintenance"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The reason's name in the current language (the table holds the English)."""
        return _(REASON_LABELS[self])


REASON_LABELS: dict[PauseReason, str] = {
    PauseReason.OPERATIONAL_ISSUES: N_("Operational issues"),
    PauseReason.STAFF_SHORTAGE: N_("Staff shortage"),
    PauseReason.TOO_BUSY: N_("Too busy"),
    PauseReason.MAINTENANCE: N_("Maintenance"),
    PauseReason.OTHER: N_("Other"),
}


class ModelError(ValueError):
    """A value on the wire does not have the shape the API promises."""


class DateOutOfRange(ModelError):
    """A well-formed date-time before 1970 or after 9000: no real pause. ``late`` says which."""

    def __init__(self, message: str, *, late: bool) -> None:
        super().__init__(message)
        self.late = late


_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


#: Date-times outside these are no real pause: refusing them keeps every later step (local time,
#: adding a duration, formatting) clear of the calendar's edges.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def parse_datetime(text: str) -> datetime:
    """Parse an RFC 3339 date-time with any offset and fractional seconds, into UTC.

    Raises :class:`ModelError` for anything else, including instants before 1970 or after 9000.
    """
    match = _RFC3339.match(text.strip()) if len(text) <= 64 else None
    if match is None:
        raise ModelError(f"not an RFC 3339 date-time: {text[:64]!r}")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, offset = match.group(7), match.group(8)
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    try:
        if offset in ("Z", "z"):
            tz = UTC
        else:
            sign = 1 if offset[0] == "+" else -1
            hours, minutes = int(offset[1:3]), int(offset[4:6])
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))  # |offset| < 24 h
        # RFC 3339 allows a leap second (:60); Python does not, so clamp it.
        value = datetime(year, month, day, hour, minute, min(second, 59), micro, tzinfo=tz)
    except ValueError as exc:
        raise ModelError(f"not a valid date-time: {text!r} ({exc})") from None
    try:
        utc = value.astimezone(UTC)
    except OverflowError:  # past the calendar's edge once in UTC (9999-12-31 at -05:00)
        raise DateOutOfRange(f"date-time out of range: {text!r}", late=year > 1) from None
    if not EARLIEST <= utc < LATEST:
        raise DateOutOfRange(f"date-time out of range: {text!r}", late=utc >= LATEST)
    return utc


def format_datetime(value: datetime) -> str:
    """Format an aware datetime as RFC 3339 in UTC, e.g. ``2026-01-15T14:00:00Z``."""
    if value.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous on the wire; pass an aware datetime")
    utc = value.astimezone(UTC)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def _optional_datetime(data: dict[str, Any], key: str) -> datetime | None:
    raw = data.get(key)
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise ModelError(f"field {key!r} should be a date-time string, got {type(raw).__name__}")
    return parse_datetime(raw)


def _enum_or_raw(enum: type[_E], raw: str) -> _E | str:
    try:
        return enum(raw)
    except ValueError:
        return raw


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """What the API says a store is doing. ``status``/``reason`` may be unknown strings."""

    status: StoreState | str
    reason: PauseReason | str | None = None
    paused_at: datetime | None = None
    resume_at: datetime | None = None

    @property
    def is_online(self) -> bool:
        return self.status == StoreState.ONLINE

    @property
    def is_paused(self) -> bool:
        return self.status == StoreState.PAUSED

    @property
    def status_known(self) -> bool:
        return isinstance(self.status, StoreState)

    @property
    def reason_known(self) -> bool:
        return self.reason is None or isinstance(self.reason, PauseReason)

    @classmethod
    def from_json(cls, data: object) -> StoreStatus:
        """Read a ``StoreStatus`` body; pause-only fields are dropped when online."""
        if not isinstance(data, dict):
            raise ModelError(f"expected a JSON object, got {type(data).__name__}")
        raw_status = data.get("status")
        if not isinstance(raw_status, str) or not raw_status:
            raise ModelError("the response has no 'status' field")
        status = _enum_or_raw(StoreState, raw_status)
        if status == StoreState.ONLINE:
            # The reference's own example fills these in while online; they mean nothing then.
            return cls(status=status)
        raw_reason = data.get("reason")
        if raw_reason is not None and not isinstance(raw_reason, str):
            raise ModelError("field 'reason' should be a string")
        reason = _enum_or_raw(PauseReason, raw_reason) if raw_reason else None
        return cls(
            status=status,
            reason=reason,
            paused_at=_optional_datetime(data, "pausedAt"),
            resume_at=_optional_datetime(data, "resumeAt"),
        )

    def to_json(self) -> dict[str, Any]:
        """The API's field names, with ``null`` for what is not set."""
        return {
            "status": str(self.status),
            "reason": None if self.reason is None else str(self.reason),
            "pausedAt": None if self.paused_at is None else format_datetime(self.paused_at),
            "resumeAt": None if self.resume_at is None else format_datetime(self.resume_at),
        }


@dataclass(frozen=True, slots=True)
class StoreStatusUpdate:
    """The body of ``POST .../status``: what a person wants the store to be."""

    status: StoreState
    reason: PauseReason | None = None
    resume_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.status == StoreState.ONLINE and (self.reason or self.resume_at):
            raise ValueError("resuming takes no reason and no resume time")
        if self.status == StoreState.PAUSED and self.reason is None:
            raise ValueError("a pause needs a reason")
        if self.resume_at is not None and self.resume_at.tzinfo is None:
            raise ValueError("resume_at must be timezone-aware")

    @classmethod
    def pause(cls, reason: PauseReason, resume_at: datetime | None = None) -> StoreStatusUpdate:
        return cls(StoreState.PAUSED, reason, resume_at)

    @classmethod
    def resume(cls) -> StoreStatusUpdate:
        return cls(StoreState.ONLINE)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status.value}
        if self.reason is not None:
            body["reason"] = self.reason.value
        if self.resume_at is not None:
            body["resumeAt"] = format_datetime(self.resume_at)
        return body

    def matches(self, live: StoreStatus) -> bool:
        """Whether the server is already where this update wants it (so sending it is moot)."""
        if live.status != self.status:
            return False
        if self.status == StoreState.ONLINE:
            return True
        return live.reason == self.reason and same_instant(live.resume_at, self.resume_at)


#: How far Gett's ``resumeAt`` may be from the one asked for and still confirm it (Gett may round
#: to the minute); the kitchen cares about the minute, not the second.
CONFIRM_TOLERANCE = timedelta(seconds=60)


def unconfirmed_because(
    update: StoreStatusUpdate, answer: StoreStatus, now: datetime
) -> str | None:
    """Why Gett's answer to ``update`` is not a confirmation of it, or None if it is one (in
    English, for the log; :func:`unconfirmed_reason` gives the words for a person)."""
    found = unconfirmed_reason(update, answer, now)
    return None if found is None else found[0].format(**found[1])


def unconfirmed_reason(
    update: StoreStatusUpdate, answer: StoreStatus, now: datetime
) -> tuple[str, dict[str, str]] | None:
    """Why Gett's answer to ``update`` is not a confirmation of it, as an English template (to
    translate with ``_``) and its values; None if the answer confirms it.

    Only an answer that shows the state asked for confirms it: the same status, for a pause the
    same end (none, or the asked-for time within :data:`CONFIRM_TOLERANCE`, and not already
    past) and the same reason where the answer gives one.
    """
    if answer.status != update.status:
        return N_("asked for {asked}, Gett answered {answered}"), {
            "asked": update.status.value,
            "answered": str(answer.status),
        }
    if update.status == StoreState.ONLINE:
        return None
    if answer.reason is not None and answer.reason != update.reason:
        return N_("asked for reason {asked}, Gett answered {answered}"), {
            "asked": str(update.reason),
            "answered": str(answer.reason),
        }
    wanted, got = update.resume_at, answer.resume_at
    if wanted is None and got is not None:
        return N_("asked to pause until resumed, Gett answered with an end time"), {}
    if wanted is not None and got is None:
        return N_("asked for a pause with an end time, Gett answered one without"), {}
    if wanted is not None and got is not None:
        if abs(got - wanted) > CONFIRM_TOLERANCE:
            return N_("Gett answered a different end time than the one asked for"), {}
        if got <= now:
            return N_("Gett answered an end time that has already passed"), {}
    return None


def same_instant(a: datetime | None, b: datetime | None) -> bool:
    """Equal to the second (the wire may drop fractions); both None also counts as equal."""
    if a is None or b is None:
        return a is b
    return abs((a - b).total_seconds()) < 1.0
