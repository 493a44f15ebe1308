"""A small, typed client for the Gett Store Status endpoints.

One ``httpx.Client`` per ``GettClient`` with explicit timeouts and TLS verified against the OS trust
store (``truststore``), so store PCs behind a corporate TLS-inspecting proxy work. Every failure is
raised as an :mod:`kiosk.core.errors` type that says whether to retry or to ask a person.
"""

from __future__ import annotations

import json
import logging
import ssl
import time
from datetime import datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx
import truststore

from kiosk import __version__
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.errors import (
    ApiError,
    AuthRejected,
    ConnectionFailed,
    MalformedResponse,
    Problem,
    RateLimited,
    RequestRejected,
    RequestTimedOut,
    ServerError,
    StoreNotFound,
)
from kiosk.core.models import ModelError, StoreStatus, StoreStatusUpdate

log = logging.getLogger(__name__)

PRODUCTION_URL = "https://api.gett-tech.com"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = f"gett-store-kiosk/{__version__} python-httpx/{httpx.__version__}"


def os_trust_context() -> ssl.SSLContext:
    """A verifying TLS context backed by the OS certificate store."""
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def api_key_problem(key: str) -> str | None:
    """Why ``key`` cannot be a Gett API key (it must fit in an HTTP header), or None if it can."""
    if not key:
        return "it is empty."
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        return "it has spaces, accented letters or control characters. Paste it again."
    if len(key) > 4096:
        return "it is far too long. Paste just the key."
    return None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP-date (RFC 9110)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT.
        return None
    return max(0.0, (when - now).total_seconds())


def _problem_from(response: httpx.Response) -> Problem | None:
    """Problem Details from the body if it is JSON, else None; tolerate any shape."""
    header_rid = response.headers.get("zp-rid") or response.headers.get("x-request-id")
    try:
        data: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, httpx.DecodingError):
        return Problem(request_id=header_rid) if header_rid else None
    if not isinstance(data, dict):
        return Problem(request_id=header_rid) if header_rid else None

    def text(key: str) -> str | None:
        raw = data.get(key)
        return raw.strip() or None if isinstance(raw, str) else None

    trace = data.get("trace")
    rid = trace.get("requestId") if isinstance(trace, dict) else None
    return Problem(
        title=text("title"),
        detail=text("detail") or text("message"),
        type=text("type"),
        request_id=rid if isinstance(rid, str) else header_rid,
    )


def _describe(response: httpx.Response, problem: Problem | None) -> str:
    try:
        phrase = HTTPStatus(response.status_code).phrase
    except ValueError:
        phrase = "HTTP error"
    head = f"{response.status_code} {phrase}"
    summary = problem.summary() if problem else None
    if summary:
        return f"{head}: {summary}"
    ctype = response.headers.get("content-type", "no content type").split(";")[0]
    if not response.content:
        return f"{head} (empty body)"
    return f"{head} (body was {ctype}, not Problem Details)"


def error_for(response: httpx.Response, now: datetime) -> ApiError:
    """Map a non-2xx response to the exception that tells the caller what to do."""
    code = response.status_code
    problem = _problem_from(response)
    what = _describe(response, problem)
    kwargs: dict[str, Any] = {"status_code": code, "problem": problem}
    if code in (401, 403):
        return AuthRejected(f"Gett rejected the API key ({what}).", **kwargs)
    if code == 404:
        return StoreNotFound(f"Gett does not know this store ({what}).", **kwargs)
    if code == 429:
        wait = parse_retry_after(response.headers.get("retry-after"), now)
        return RateLimited(f"Gett asked us to slow down ({what}).", retry_after=wait, **kwargs)
    if code == 408 or code >= 500:
        wait = parse_retry_after(response.headers.get("retry-after"), now)
        return ServerError(f"Gett had a temporary problem ({what}).", retry_after=wait, **kwargs)
    if 400 <= code < 500:
        return RequestRejected(f"Gett refused the request ({what}).", **kwargs)
    return MalformedResponse(f"Gett answered with an unexpected {what}.", **kwargs)


class GettClient:
    """Reads and sets a store's status. Not thread-safe: one per thread (the worker owns one)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        if not api_key:
            raise AuthRejected("No API key is stored. Store one with `kiosk key set`.")
        problem = api_key_problem(api_key)
        if problem:
            raise AuthRejected(f"The stored API key is not usable: {problem}")
        self._clock = clock or SystemClock()
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {api_key}",
                "User-Agent": USER_AGENT,
                "Accept": "application/json, application/problem+json",
            },
            timeout=timeout,
            transport=transport,
            verify=os_trust_context(),
            follow_redirects=False,
        )

    @property
    def base_url(self) -> str:
        return str(self._http.base_url).rstrip("/")

    def get_status(self, store_id: str) -> StoreStatus:
        """The store's live status."""
        return self._call("GET", store_id, None)

    def set_status(self, store_id: str, update: StoreStatusUpdate) -> StoreStatus:
        """Ask Gett to pause or resume the store; returns the status Gett confirms."""
        return self._call("POST", store_id, update.to_json())

    def _call(self, method: str, store_id: str, body: dict[str, Any] | None) -> StoreStatus:
        path = f"/v1/commerce/stores/{quote(store_id, safe='')}/status"
        started = time.perf_counter()
        try:
            response = self._http.request(method, path, json=body)
        except httpx.TimeoutException as exc:
            sent = isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout)
            log.info("%s %s timed out (request sent: %s)", method, path, sent)
            raise RequestTimedOut(
                "Gett did not answer in time."
                + (" The change may or may not have been applied." if sent and body else ""),
                request_sent=sent,
            ) from None
        except httpx.TransportError as exc:
            log.info("%s %s failed: %s", method, path, type(exc).__name__)
            raise ConnectionFailed(
                _connection_message(exc), request_sent=not isinstance(exc, httpx.ConnectError)
            ) from None
        except httpx.DecodingError:
            # A proxy or captive portal claimed an encoding its body does not have.
            raise MalformedResponse(
                "Gett's answer could not be decoded (a proxy may be interfering)."
            ) from None
        except httpx.HTTPError as exc:  # anything else httpx can raise: never a traceback
            log.warning("%s %s failed unexpectedly: %s", method, path, type(exc).__name__)
            raise ConnectionFailed(f"The request to Gett failed ({type(exc).__name__}).") from None
        elapsed_ms = (time.perf_counter() - started) * 1000
        if response.is_success:
            log.info("%s %s -> %d in %.0f ms", method, path, response.status_code, elapsed_ms)
            return self._parse_status(response)
        error = error_for(response, self._clock.now())
        log.warning(
            "%s %s -> %d in %.0f ms (%s; requestId=%s)",
            method,
            path,
            response.status_code,
            elapsed_ms,
            type(error).__name__,
            error.request_id,
        )
        raise error

    @staticmethod
    def _parse_status(response: httpx.Response) -> StoreStatus:
        try:
            return StoreStatus.from_json(response.json())
        except (json.JSONDecodeError, UnicodeDecodeError, httpx.DecodingError):
            raise MalformedResponse(
                f"Gett answered {response.status_code} but the body is not JSON.",
                status_code=response.status_code,
            ) from None
        except ModelError as exc:
            raise MalformedResponse(
                f"Gett answered {response.status_code} with an unexpected body: {exc}.",
                status_code=response.status_code,
            ) from None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GettClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _connection_message(exc: httpx.TransportError) -> str:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or isinstance(exc.__context__, ssl.SSLError):
        return (
            "Could not verify Gett's TLS certificate. If this PC is behind a TLS-inspecting "
            "proxy, install its root certificate in the operating system's trust store."
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return "The connection to Gett was dropped before an answer came."
    if isinstance(exc, httpx.ConnectError):
        return "Could not connect to Gett. Check the network connection."
    return "The connection to Gett failed. Check the network connection."
