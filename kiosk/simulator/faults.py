"""Misbehaviour the simulator can be told to show, so the kiosk's error paths get exercised.

Faults touch only the API (``/v1/...``), never the ``/_sim/`` control endpoints. One-shot faults
wait in a first-in-first-out queue: each request takes the first fault whose ``method`` matches (or
that has none) and uses up one of its ``count``. Latency is kept apart and adds to whatever else
happens. What each kind does to the store:

- ``fail``: answer ``status`` before reaching the store (nothing changes); a problem+json body
  unless ``body``/``contentType`` say otherwise (e.g. a proxy's HTML 502 page).
- ``rate_limit``: 429 with ``Retry-After`` as delay-seconds, or as an HTTP-date when ``httpDate``;
  nothing changes. A string ``retryAfter`` is sent verbatim (to test junk values).
- ``drop``: read the request, then close the connection without a word; nothing changes.
- ``malformed``: handle the request (a valid POST lands), then answer 200 with a broken body.
- ``apply_then_hang``: handle the request (a valid POST lands), then hold the connection open for
  ``seconds`` (``null``: until cleared or stopped) and close it without an answer: the ambiguous
  case where a change landed but its answer never came.
- ``latency``: wait ``seconds`` before handling (for ``count`` requests, or until cleared); a stop
  or go-down during the wait aborts the request unhandled, a clear lets it go on at once.

JSON spec, as for ``POST /_sim/faults`` (camelCase; ``count`` defaults to 1, ``method`` to any)::

    {"kind": "fail", "status": 503, "count": 2}
    {"kind": "fail", "status": 502, "body": "<html>Bad gateway</html>", "contentType": "text/html"}
    {"kind": "rate_limit", "retryAfter": 30}
    {"kind": "rate_limit", "retryAfter": 30, "httpDate": true}
    {"kind": "drop", "method": "POST"}
    {"kind": "malformed", "variant": "truncated"}
    {"kind": "apply_then_hang", "seconds": null}
    {"kind": "latency", "seconds": 2.5, "count": null}
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

#: Broken 200 bodies by name: (body, content type).
MALFORMED_BODIES: dict[str, tuple[bytes, str]] = {
    "truncated": (b'{"status":', "application/json"),
    "array": (b'[{"status":"online"}]', "application/json"),
    "empty": (b"", "application/json"),
    "no_status": (b'{"state":"online"}', "application/json"),
    "not_json": (b"OK", "text/plain; charset=utf-8"),
}

#: What a reverse proxy in front of an API tends to answer when the upstream is gone.
PROXY_502_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


class FaultKind(StrEnum):
    FAIL = "fail"
    RATE_LIMIT = "rate_limit"
    DROP = "drop"
    MALFORMED = "malformed"
    APPLY_THEN_HANG = "apply_then_hang"
    LATENCY = "latency"


#: The fields each kind takes in a JSON spec, beside ``kind``, ``count`` and ``method``.
_FIELDS: dict[FaultKind, frozenset[str]] = {
    FaultKind.FAIL: frozenset({"status", "body", "contentType", "headers"}),
    FaultKind.RATE_LIMIT: frozenset({"retryAfter", "httpDate"}),
    FaultKind.DROP: frozenset(),
    FaultKind.MALFORMED: frozenset({"variant", "body", "contentType"}),
    FaultKind.APPLY_THEN_HANG: frozenset({"seconds"}),
    FaultKind.LATENCY: frozenset({"seconds"}),
}


class FaultSpecError(ValueError):
    """A fault spec that makes no sense; the control endpoint answers it with 400."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One kind of misbehaviour; which fields matter depends on ``kind`` (see the module doc)."""

    kind: FaultKind
    status: int = 200
    body: bytes | None = None
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    retry_after: int | str | None = None
    http_date: bool = False
    seconds: float | None = None
    method: str | None = None

    def applies_to(self, method: str) -> bool:
        return self.method is None or self.method == method

    def to_json(self) -> dict[str, Any]:
        """A readable summary for ``GET /_sim/faults``."""
        out: dict[str, Any] = {"kind": self.kind.value, "method": self.method}
        if self.kind in (FaultKind.FAIL, FaultKind.MALFORMED):
            out["status"] = self.status
            out["contentType"] = self.content_type
            out["body"] = None if self.body is None else self.body.decode("utf-8", "replace")
        if self.kind == FaultKind.RATE_LIMIT:
            out["retryAfter"] = self.retry_after
            out["httpDate"] = self.http_date
        if self.kind in (FaultKind.APPLY_THEN_HANG, FaultKind.LATENCY):
            out["seconds"] = self.seconds
        return out


@dataclass(slots=True)
class _Entry:
    fault: Fault
    remaining: int | None  # None: until cleared

    def to_json(self) -> dict[str, Any]:
        return {**self.fault.to_json(), "count": self.remaining}


@dataclass(slots=True)
class Plan:
    """What to do to one request: wait first, then maybe misbehave."""

    latency: float = 0.0
    fault: Fault | None = None


@dataclass(slots=True)
class _State:
    queue: list[_Entry] = field(default_factory=list)
    latency: _Entry | None = None


class Faults:
    """The simulator's fault switchboard; every method is safe to call from any thread."""

    def __init__(self, on_clear: Callable[[], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._state = _State()
        self._on_clear = on_clear

    # --- one-shot faults --------------------------------------------------------------------

    def fail(
        self,
        status: int = 503,
        *,
        count: int = 1,
        body: bytes | str | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next ``count`` requests with ``status`` without touching the store."""
        if not isinstance(status, int) or isinstance(status, bool) or not 300 <= status <= 599:
            raise FaultSpecError(f"'status' must be an HTTP status from 300 to 599, got {status!r}")
        raw = body.encode("utf-8") if isinstance(body, str) else body
        if raw is not None and content_type is None:
            content_type = "text/plain; charset=utf-8"
        self._push(
            Fault(
                FaultKind.FAIL,
                status=status,
                body=raw,
                content_type=content_type,
                headers=tuple((headers or {}).items()),
                method=_method(method),
            ),
            count,
        )

    def rate_limit(
        self,
        *,
        count: int = 1,
        retry_after: int | str = 1,
        http_date: bool = False,
        method: str | None = None,
    ) -> None:
        """Answer 429 with ``Retry-After``: seconds, an HTTP-date so far ahead, or a raw string."""
        if isinstance(retry_after, bool) or not isinstance(retry_after, int | str):
            raise FaultSpecError("'retryAfter' must be whole seconds or a string")
        if isinstance(retry_after, int) and retry_after < 0:
            raise FaultSpecError("'retryAfter' must not be negative")
        if http_date and not isinstance(retry_after, int):
            raise FaultSpecError("'httpDate' needs 'retryAfter' in whole seconds")
        self._push(
            Fault(
                FaultKind.RATE_LIMIT,
                status=429,
                retry_after=retry_after,
                http_date=http_date,
                method=_method(method),
            ),
            count,
        )

    def drop(self, *, count: int = 1, method: str | None = None) -> None:
        """Read the next ``count`` requests and close their connections without an answer."""
        self._push(Fault(FaultKind.DROP, method=_method(method)), count)

    def malformed(
        self,
        variant: str = "truncated",
        *,
        count: int = 1,
        body: bytes | str | None = None,
        content_type: str | None = None,
        method: str | None = None,
    ) -> None:
        """Handle the next ``count`` requests but answer 200 with a broken body."""
        if body is None:
            if variant not in MALFORMED_BODIES:
                raise FaultSpecError(
                    f"'variant' must be one of {', '.join(MALFORMED_BODIES)}, got {variant!r}"
                )
            raw, default_type = MALFORMED_BODIES[variant]
        else:
            raw = body.encode("utf-8") if isinstance(body, str) else body
            default_type = "application/json"
        self._push(
            Fault(
                FaultKind.MALFORMED,
                status=200,
                body=raw,
                content_type=content_type or default_type,
                method=_method(method),
            ),
            count,
        )

    def apply_then_hang(
        self, *, count: int = 1, seconds: float | None = None, method: str | None = None
    ) -> None:
        """Handle the next ``count`` requests, then hang and close without answering."""
        self._push(
            Fault(
                FaultKind.APPLY_THEN_HANG,
                seconds=_seconds(seconds, allow_none=True),
                method=_method(method),
            ),
            count,
        )

    # --- latency ------------------------------------------------------------------------------

    def latency(
        self, seconds: float, *, count: int | None = None, method: str | None = None
    ) -> None:
        """Wait ``seconds`` before handling each of the next ``count`` requests (None: all)."""
        fault = Fault(FaultKind.LATENCY, seconds=_seconds(seconds), method=_method(method))
        entry = _Entry(fault, _count(count, allow_none=True))
        with self._lock:
            self._state.latency = entry

    # --- the rest -----------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every fault and release requests that are hanging or waiting out latency."""
        with self._lock:
            self._state = _State()
        if self._on_clear is not None:
            self._on_clear()

    def pending(self) -> list[dict[str, Any]]:
        """What is still armed, latency first, as JSON-ready dicts."""
        with self._lock:
            entries = list(self._state.queue)
            if self._state.latency is not None:
                entries.insert(0, self._state.latency)
            return [entry.to_json() for entry in entries]

    def add(self, spec: Mapping[str, Any]) -> None:
        """Arm one fault from its JSON spec (see the module doc); raises FaultSpecError."""
        if not isinstance(spec, Mapping):
            raise FaultSpecError("a fault spec must be a JSON object")
        data = dict(spec)
        kind = data.pop("kind", None)
        if not isinstance(kind, str) or kind not in _FIELDS:
            kinds = ", ".join(k.value for k in FaultKind)
            raise FaultSpecError(f"'kind' must be one of {kinds}, got {kind!r}")
        method = _typed(data, "method", str)
        data.pop("method", None)
        count = data.pop("count", None if kind == FaultKind.LATENCY else 1)
        unknown = sorted(set(data) - _FIELDS[FaultKind(kind)])
        if unknown:
            raise FaultSpecError(f"unknown field(s) for a {kind} fault: {', '.join(unknown)}")
        if kind == FaultKind.FAIL:
            headers = _typed(data, "headers", dict)
            if headers is not None and not all(
                isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
            ):
                raise FaultSpecError("'headers' must map strings to strings")
            self.fail(
                data.get("status", 503),
                count=count,
                body=_typed(data, "body", str),
                content_type=_typed(data, "contentType", str),
                headers=headers,
                method=method,
            )
        elif kind == FaultKind.RATE_LIMIT:
            http_date = data.get("httpDate", False)
            if not isinstance(http_date, bool):
                raise FaultSpecError("'httpDate' must be true or false")
            self.rate_limit(
                count=count,
                retry_after=data.get("retryAfter", 1),
                http_date=http_date,
                method=method,
            )
        elif kind == FaultKind.DROP:
            self.drop(count=count, method=method)
        elif kind == FaultKind.MALFORMED:
            self.malformed(
                _typed(data, "variant", str) or "truncated",
                count=count,
                body=_typed(data, "body", str),
                content_type=_typed(data, "contentType", str),
                method=method,
            )
        elif kind == FaultKind.APPLY_THEN_HANG:
            self.apply_then_hang(count=count, seconds=data.get("seconds"), method=method)
        else:
            if "seconds" not in data:
                raise FaultSpecError("'seconds' is required for a latency fault")
            self.latency(data["seconds"], count=count, method=method)

    def take(self, method: str) -> Plan:
        """Use up what applies to one ``method`` request; called by the server per API request."""
        plan = Plan()
        with self._lock:
            latency = self._state.latency
            if latency is not None and latency.fault.applies_to(method):
                plan.latency = latency.fault.seconds or 0.0
                if _use(latency):
                    self._state.latency = None
            for entry in self._state.queue:
                if entry.fault.applies_to(method):
                    plan.fault = entry.fault
                    if _use(entry):
                        self._state.queue.remove(entry)
                    break
        return plan

    def _push(self, fault: Fault, count: int | None) -> None:
        entry = _Entry(fault, _count(count))
        with self._lock:
            self._state.queue.append(entry)


def _use(entry: _Entry) -> bool:
    """Count one use; True when the entry is spent."""
    if entry.remaining is None:
        return False
    entry.remaining -= 1
    return entry.remaining <= 0


def _count(value: int | None, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FaultSpecError(f"'count' must be a whole number of at least 1, got {value!r}")
    return value


def _seconds(value: object, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultSpecError(f"'seconds' must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise FaultSpecError(f"'seconds' must be finite and not negative, got {value!r}")
    return float(value)


def _method(value: str | None) -> str | None:
    return None if value is None else value.upper()


def _typed(data: Mapping[str, Any], key: str, kind: type[Any]) -> Any:
    """An optional field of a JSON spec, checked for type."""
    value = data.get(key)
    if value is not None and not isinstance(value, kind):
        raise FaultSpecError(f"'{key}' must be a {kind.__name__}, got {value!r}")
    return value
