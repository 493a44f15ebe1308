"""Everything that can go wrong talking to Gett, sorted by what the caller should do about it.

    ApiError
    ├── TransientError              retry later; nothing a person needs to do
    │   ├── ConnectionFailed        DNS, refused, reset, dropped: nothing was answered
    │   ├── RequestTimedOut         no answer in time; ``request_sent`` says if it may have landed
    │   ├── RateLimited             429; ``retry_after`` is the minimum wait
    │   ├── ServerError             5xx and 408
    │   └── MalformedResponse       a 2xx whose body is not a StoreStatus (proxy, captive portal)
    │       └── AnswerContradicts   a 2xx that does not show the state asked for: no confirmation
    └── NeedsAttention              retrying never helps; a person must act
        ├── AuthRejected            401/403: the API key is missing, wrong or revoked
        │   └── KeyForbidden        403: the key is known but may not do this (e.g. write)
        ├── CertificateRejected     Gett's TLS certificate could not be verified: IT must act
        ├── StoreNotFound           404: the store id is wrong
        └── RequestRejected         400/409/422 and other 4xx: the request itself was refused

Messages are written for the person who can act on them and never contain the API key: the
client cleans every piece of server text it puts in them (:mod:`kiosk.core.redact`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """The useful parts of an RFC 7807 Problem Details body."""

    title: str | None = None
    detail: str | None = None
    type: str | None = None
    request_id: str | None = None

    def summary(self) -> str | None:
        parts = [p for p in (self.title, self.detail) if p]
        if len(parts) == 2 and parts[1].startswith(parts[0]):
            parts = parts[1:]
        return ": ".join(parts) or None


class ApiError(Exception):
    """Base of every error from the Store Status API client."""

    transient: bool = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        problem: Problem | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.problem = problem
        self.retry_after = retry_after

    @property
    def request_id(self) -> str | None:
        """Gett's ``trace.requestId``, for support tickets and the log."""
        return self.problem.request_id if self.problem else None

    def __str__(self) -> str:
        return self.message


class TransientError(ApiError):
    """The request may succeed later without anyone doing anything."""

    transient = True


class ConnectionFailed(TransientError):
    """Nothing answered: no network, DNS failure, connection refused or dropped.

    ``request_sent`` is False when the request certainly never left (refused, no route).
    ``kind`` says what failed, for the log and for IT (see ``transport.connection_kind``):
    ``refused``, ``dns``, ``timeout``, ``tls``, ``reset``, ``proxy`` or ``other``.
    """

    def __init__(self, message: str, *, request_sent: bool = True, kind: str = "other") -> None:
        super().__init__(message)
        self.request_sent = request_sent
        self.kind = kind


class RequestTimedOut(TransientError):
    """No answer in time. If ``request_sent``, a POST may have landed (the ambiguous case)."""

    kind = "timeout"

    def __init__(self, message: str, *, request_sent: bool) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class RateLimited(TransientError):
    """429: Gett asks us to slow down for at least ``retry_after`` seconds."""


class ServerError(TransientError):
    """5xx or 408: Gett (or a gateway in front of it) had a bad moment."""


class MalformedResponse(TransientError):
    """A success status whose body is not what the API promises."""


class AnswerContradicts(MalformedResponse):
    """Gett answered a change with a state other than the one asked for: not a confirmation.

    The change may or may not have landed, so it stays queued and is checked again.
    """


class NeedsAttention(ApiError):
    """Retrying will not help: a key, a store id or the request itself must change."""


class AuthRejected(NeedsAttention):
    """401/403: the API key is missing, wrong, expired or revoked."""


class KeyForbidden(AuthRejected):
    """403: Gett knows the key but it may not do this. A key that may read but not write
    keeps failing writes, so a successful read does not release what a 403 held."""


class CertificateRejected(NeedsAttention):
    """Gett's TLS certificate could not be verified: it will not fix itself, IT must act
    (a proxy's root certificate, the PC's date). Changes are kept, not dropped."""


class StoreNotFound(NeedsAttention):
    """404: Gett does not know this store id (or this key may not manage it)."""


class RequestRejected(NeedsAttention):
    """400/409/422 and other 4xx: Gett refused the request as it was."""
