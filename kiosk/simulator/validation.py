"""What a request body must look like: strict, with a 400 detail that names the field.

The real API is the judge of what the kiosk sends; this is the simulator's stand-in for it, so it
rejects everything NOTES.md says a careful client never sends (a past resumeAt, a pause without a
reason, fields the reference does not have).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kiosk.core.models import (
    ModelError,
    PauseReason,
    StoreState,
    StoreStatus,
    StoreStatusUpdate,
    format_datetime,
    parse_datetime,
)

_UPDATE_FIELDS = ("status", "reason", "resumeAt")


def parse_update(body: bytes, now: datetime) -> StoreStatusUpdate | str:
    """A valid StoreStatusUpdate, or the detail of a 400 that names the offending field."""
    if not body.strip():
        return "The request body is empty; send a StoreStatusUpdate JSON object."
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        return f"The request body is not valid JSON: {exc.msg} at position {exc.pos}."
    except ValueError:
        return "The request body is not valid UTF-8 JSON."
    if not isinstance(data, dict):
        return f"The request body must be a JSON object, not {_json_type(data)}."
    unknown = [key for key in data if key not in _UPDATE_FIELDS]
    if unknown:
        names = ", ".join(repr(key) for key in unknown)
        return f"Unknown field(s) {names}: the body may have only 'status', 'reason', 'resumeAt'."
    if "status" not in data:
        return "Field 'status' is required."
    status = _enum_value(StoreState, data["status"])
    if status is None:
        return f"Field 'status' must be one of {_choices(StoreState)}; got {_show(data['status'])}."
    if status == StoreState.ONLINE:
        for key in ("reason", "resumeAt"):
            if key in data:
                return f"Field '{key}' is not allowed when status is 'online'."
        return StoreStatusUpdate.resume()
    if "reason" not in data:
        return "Field 'reason' is required when status is 'paused'."
    reason = _enum_value(PauseReason, data["reason"])
    if reason is None:
        got = _show(data["reason"])
        return f"Field 'reason' must be one of {_choices(PauseReason)}; got {got}."
    resume_at = None
    if "resumeAt" in data:
        raw = data["resumeAt"]
        example, got = "such as '2026-01-15T14:00:00Z'", _show(raw)
        if not isinstance(raw, str):
            return f"Field 'resumeAt' must be an RFC 3339 date-time string, {example}; got {got}."
        try:
            resume_at = parse_datetime(raw)
        except ModelError:
            return (
                f"Field 'resumeAt' must be an RFC 3339 date-time with an explicit offset, "
                f"{example}; got {got}."
            )
        if resume_at <= now:
            return (
                f"Field 'resumeAt' must be in the future; got {raw}, "
                f"and it is now {format_datetime(now)}."
            )
    return StoreStatusUpdate.pause(reason, resume_at)


def parse_store_status(data: object, now: datetime) -> StoreStatus:
    """A StoreStatus from ``POST /_sim/stores/{id}/status``: any strings, dates must parse."""
    if not isinstance(data, dict):
        raise ValueError("The body must be a JSON object like a StoreStatus.")
    unknown = sorted(set(data) - {"status", "reason", "pausedAt", "resumeAt"})
    if unknown:
        raise ValueError(f"Unknown field(s): {', '.join(unknown)}.")
    raw_status, raw_reason = data.get("status"), data.get("reason")
    if not isinstance(raw_status, str) or not raw_status:
        raise ValueError("Field 'status' must be a non-empty string.")
    if raw_reason is not None and not isinstance(raw_reason, str):
        raise ValueError("Field 'reason' must be a string or null.")
    dates: dict[str, datetime | None] = {}
    for key in ("pausedAt", "resumeAt"):
        raw = data.get(key)
        if raw is not None and not isinstance(raw, str):
            raise ValueError(f"Field '{key}' must be an RFC 3339 string or null.")
        dates[key] = parse_datetime(raw) if raw else None  # ModelError is a ValueError
    status = _enum_value(StoreState, raw_status) or raw_status
    if status == StoreState.PAUSED and "pausedAt" not in data:
        dates["pausedAt"] = now
    reason = (_enum_value(PauseReason, raw_reason) or raw_reason) if raw_reason else None
    return StoreStatus(status, reason, dates["pausedAt"], dates["resumeAt"])


def _enum_value(enum: type[StoreState] | type[PauseReason], raw: object) -> Any:
    if not isinstance(raw, str):
        return None
    try:
        return enum(raw)
    except ValueError:
        return None


def _choices(enum: type[StoreState] | type[PauseReason]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


def _show(value: object) -> str:
    return json.dumps(value)


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    return "null" if value is None else "a number"
