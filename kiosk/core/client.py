"""A small, typed client for the Gett Store Status endpoints.

Every byte of an answer is untrusted. The client bounds how long a request may take (one total
deadline, see :mod:`kiosk.core.transport`) and how much it reads, cleans every piece of server
text once, here, of the API key and control characters (so no later output path can leak what a
server echoed), never lets a malformed answer escape as anything but an :mod:`kiosk.core.errors`
type, and counts a change as confirmed only when the answer shows the state that was asked for.

TLS is verified against the OS trust store (``truststore``), so store PCs behind a corporate
TLS-inspecting proxy work once its root is installed there.
"""

from __future__ import annotations

import json
import logging
import os
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx
import truststore

from kiosk import __version__
from kiosk.core.clock import Clock, GettClock, SystemClock
from kiosk.core.errors import (
    AnswerContradicts,
    ApiError,
    AuthRejected,
    CertificateRejected,
    ConnectionFailed,
    KeyForbidden,
    MalformedResponse,
    Problem,
    RateLimited,
    RequestRejected,
    RequestTimedOut,
    ServerError,
    StoreNotFound,
)
from kiosk.core.i18n import DEFAULT, N_, _, isolate, language, ltr
from kiosk.core.keystore import api_key_problem
from kiosk.core.models import ModelError, StoreStatus, StoreStatusUpdate, unconfirmed_reason
from kiosk.core.redact import Scrubber, outside_text
from kiosk.core.transport import ProxyUnusable, connection_kind, deadline, make_transport

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
#: No request lasts longer than this, all told: well under the outbox's lease, so one change is
#: never in flight twice, and short enough that a command never seems to hang.
TOTAL_DEADLINE = 20.0
#: A status or a Problem Details body is a few hundred bytes; anything past this is not Gett.
MAX_BODY = 64 * 1024
#: The longest wait a Retry-After may ask for that we still take as meant (an hour).
MAX_RETRY_AFTER = 3600.0
USER_AGENT = f"gett-store-kiosk/{__version__} python-httpx/{httpx.__version__}"


def os_trust_context() -> ssl.SSLContext:
    """A verifying TLS context backed by the OS certificate store."""
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP-date (RFC 9110).

    Anything else (negative, non-ASCII digits, garbage, a date without a zone) is ignored, and a
    wait is never more than :data:`MAX_RETRY_AFTER`.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value[:12]), MAX_RETRY_AFTER) if len(value) <= 12 else MAX_RETRY_AFTER
    when = _http_date(value)
    if when is None:
        return None
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER)


def _http_date(value: str | None) -> datetime | None:
    """An RFC 9110 HTTP-date (always GMT), or None for anything else."""
    if not value or len(value) > 64 or not value.isascii():
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class _Answer:
    """What came back, read within bounds: the status, the headers, at most MAX_BODY bytes."""

    status_code: int
    headers: httpx.Headers
    content: bytes


class GettClient:
    """Reads and sets a store's status. Not thread-safe: one per thread (the worker owns one).

    With a :class:`GettClock`, every answer's ``Date`` header teaches it Gett's time.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        total_deadline: float = TOTAL_DEADLINE,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if not api_key:
            raise AuthRejected(_("No API key is stored. Store one with `kiosk key set`."))
        problem = api_key_problem(api_key)
        if problem:
            raise AuthRejected(
                _("The stored API key is not usable: {problem}").format(problem=problem)
            )
        self._clock = clock or SystemClock()
        self._scrubber = Scrubber([api_key])
        self._total_deadline = total_deadline
        self._unusable: str | None = None
        base_url = base_url.rstrip("/")
        context = os_trust_context()
        if transport is None:
            try:
                transport = make_transport(base_url, context, os.environ if env is None else env)
            except ProxyUnusable as exc:
                self._unusable = str(exc)
                transport = make_transport(base_url, context, {})
        self._http = httpx.Client(
            base_url=base_url,
            headers={
                "Authorization": f"Bearer {api_key}",
                "User-Agent": USER_AGENT,
                "Accept": "application/json, application/problem+json",
            },
            timeout=timeout,
            transport=transport,
            verify=context,
            follow_redirects=False,
            trust_env=False,  # proxies are chosen by make_transport, never for loopback
        )

    @property
    def base_url(self) -> str:
        return str(self._http.base_url).rstrip("/")

    def get_status(self, store_id: str) -> StoreStatus:
        """The store's live status."""
        return self._call("GET", store_id, None)

    def set_status(self, store_id: str, update: StoreStatusUpdate) -> StoreStatus:
        """Ask Gett to pause or resume the store; returns the status Gett confirms.

        Raises :class:`AnswerContradicts` when Gett's answer does not show what was asked for
        (told "online" to a pause, or a resume time already past): that is no confirmation.
        """
        status = self._call("POST", store_id, update.to_json())
        found = unconfirmed_reason(update, status, self._clock.now())
        if found is not None:
            template, values = found
            log.warning(
                "POST for %s answered with a different state: %s",
                store_id,
                template.format(**values),
            )
            why = _(template).format(**{k: isolate(v) for k, v in values.items()})
            raise AnswerContradicts(
                _(
                    "Gett's answer did not confirm the change: {why}. It will be checked again."
                ).format(why=why)
            )
        return status

    def _call(self, method: str, store_id: str, body: dict[str, Any] | None) -> StoreStatus:
        path = f"/v1/commerce/stores/{quote(store_id, safe='')}/status"
        if self._unusable:
            raise ConnectionFailed(self._unusable, request_sent=False, kind="proxy")
        started = time.perf_counter()
        sent = self._pc_now()
        answer = self._exchange(method, path, body)
        self._learn_time(answer, sent)
        elapsed_ms = (time.perf_counter() - started) * 1000
        if 200 <= answer.status_code < 300:
            log.info("%s %s -> %d in %.0f ms", method, path, answer.status_code, elapsed_ms)
            return self._parse_status(answer)
        error = error_for(answer, self._clock.now(), self._scrubber)
        log.warning(
            "%s %s -> %d in %.0f ms (%s; requestId=%s)",
            method,
            path,
            answer.status_code,
            elapsed_ms,
            type(error).__name__,
            error.request_id,
        )
        raise error

    def _exchange(self, method: str, path: str, body: dict[str, Any] | None) -> _Answer:
        """Send and read the answer, within the total deadline and the body limit."""
        try:
            with (
                deadline(self._total_deadline),
                self._http.stream(method, path, json=body) as response,
            ):
                content = bytearray()
                for chunk in response.iter_bytes():
                    content += chunk
                    if len(content) > MAX_BODY:
                        raise MalformedResponse(
                            _(
                                "Gett's answer was larger than {size} KB, far more than a store "
                                "status; it was not read."
                            ).format(size=ltr(MAX_BODY // 1024)),
                            status_code=response.status_code,
                        )
                return _Answer(response.status_code, response.headers, bytes(content))
        except httpx.TimeoutException as exc:
            was_sent = isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout)
            log.info(
                "%s %s failed: timeout (%s; request sent: %s)",
                method,
                path,
                type(exc).__name__,
                was_sent,
            )
            raise RequestTimedOut(
                _("Gett did not answer in time. The change may or may not have been applied.")
                if was_sent and body
                else _("Gett did not answer in time."),
                request_sent=was_sent,
            ) from None
        except httpx.TransportError as exc:
            kind = connection_kind(exc)
            log.info("%s %s failed: %s (%s)", method, path, kind, type(exc).__name__)
            if _is_certificate_failure(exc):
                raise CertificateRejected(_(CERTIFICATE_MESSAGE)) from None
            raise ConnectionFailed(
                _connection_message(exc, kind),
                request_sent=not isinstance(exc, httpx.ConnectError),
                kind=kind,
            ) from None
        except httpx.DecodingError:
            # A proxy or captive portal claimed an encoding its body does not have.
            raise MalformedResponse(
                _("Gett's answer could not be decoded (a proxy may be interfering).")
            ) from None
        except httpx.HTTPError as exc:  # anything else httpx can raise: never a traceback
            log.warning("%s %s failed unexpectedly: %s", method, path, type(exc).__name__)
            raise ConnectionFailed(
                _("The request to Gett failed ({error}).").format(error=type(exc).__name__)
            ) from None

    def _pc_now(self) -> datetime:
        return self._clock.pc_now() if isinstance(self._clock, GettClock) else self._clock.now()

    def _learn_time(self, answer: _Answer, sent: datetime) -> None:
        """Every answer carries Gett's time in its Date header: keep the clock in step."""
        if not isinstance(self._clock, GettClock):
            return
        server_date = _http_date(answer.headers.get("date"))
        if server_date is None:
            return
        if self._clock.observe(server_date, sent, self._pc_now()):
            log.info("this PC's clock is %+.1f s off Gett's", -self._clock.offset)

    def _parse_status(self, answer: _Answer) -> StoreStatus:
        try:
            data = json.loads(answer.content)
        except (ValueError, RecursionError):  # not JSON, bad UTF, huge numbers, deep nesting
            raise MalformedResponse(
                _("Gett answered {code} but the body is not JSON.").format(
                    code=ltr(answer.status_code)
                ),
                status_code=answer.status_code,
            ) from None
        try:
            return StoreStatus.from_json(_clean(data, self._scrubber))
        except ModelError as exc:
            raise MalformedResponse(
                _("Gett answered {code} with an unexpected body: {detail}.").format(
                    code=ltr(answer.status_code),
                    detail=isolate(outside_text(str(exc), self._scrubber)),
                ),
                status_code=answer.status_code,
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


def _clean(data: object, scrubber: Scrubber) -> object:
    """The top level of a status body with its string fields made safe to keep and show
    (status and reason may be unknown values that reach the screen as they came)."""
    if not isinstance(data, dict):
        return data
    return {
        key: outside_text(value, scrubber, 80) if isinstance(value, str) else value
        for key, value in data.items()
        if isinstance(key, str)
    }


def _problem_from(answer: _Answer, scrubber: Scrubber) -> Problem | None:
    """Problem Details from the body if it is JSON, else None; tolerate any shape."""
    header_rid = answer.headers.get("zp-rid") or answer.headers.get("x-request-id")
    rid = outside_text(header_rid, scrubber, 80) or None if header_rid else None
    try:
        data: Any = json.loads(answer.content)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        return Problem(request_id=rid) if rid else None

    def text(key: str, limit: int = 300) -> str | None:
        raw = data.get(key)
        return outside_text(raw, scrubber, limit) or None if isinstance(raw, str) else None

    trace = data.get("trace")
    trace_rid = trace.get("requestId") if isinstance(trace, dict) else None
    if isinstance(trace_rid, str):
        rid = outside_text(trace_rid, scrubber, 80) or rid
    return Problem(
        title=text("title", 120),
        detail=text("detail") or text("message"),
        type=text("type", 200),
        request_id=rid,
    )


def _describe(answer: _Answer, problem: Problem | None, scrubber: Scrubber) -> str:
    try:
        phrase = HTTPStatus(answer.status_code).phrase
    except ValueError:
        phrase = "HTTP error"
    if language() == DEFAULT:
        head = ltr(f"{answer.status_code} {phrase}")
    else:  # Python's reason phrase is English only: the code in the reader's words instead
        head = _("error {code}").format(code=ltr(answer.status_code))
    summary = problem.summary() if problem else None
    if summary and summary.casefold().startswith(phrase.casefold()):
        # Gett's title is usually the status phrase itself: say "Unauthorized" once.
        summary = summary[len(phrase) :].lstrip(" :-") or None
    if summary:
        return _("{status}: {summary}").format(status=head, summary=isolate(summary))
    if not answer.content:
        return _("{status} (empty body)").format(status=head)
    ctype = answer.headers.get("content-type", "no content type").split(";")[0]
    return _("{status} (body was {content_type}, not Problem Details)").format(
        status=head, content_type=isolate(outside_text(ctype, scrubber, 60))
    )


def _full_stop(text: str) -> str:
    """One full stop at the end, whether or not Gett's own words ended with one (never ".).")."""
    if text.rstrip("\u2066\u2067\u2068\u2069").endswith((".", "!", "?", "…")):
        return text
    return f"{text}."


def error_for(answer: _Answer, now: datetime, scrubber: Scrubber) -> ApiError:
    """Map a non-2xx answer to the exception that tells the caller what to do."""
    code = answer.status_code
    problem = _problem_from(answer, scrubber)
    what = _full_stop(_describe(answer, problem, scrubber))
    kwargs: dict[str, Any] = {"status_code": code, "problem": problem}
    if code == 403:
        return KeyForbidden(_("Gett rejected the API key: {what}").format(what=what), **kwargs)
    if code == 401:
        return AuthRejected(_("Gett rejected the API key: {what}").format(what=what), **kwargs)
    if code == 404:
        return StoreNotFound(_("Gett does not know this store: {what}").format(what=what), **kwargs)
    if code == 429:
        wait = parse_retry_after(answer.headers.get("retry-after"), now)
        return RateLimited(
            _("Gett asked us to slow down: {what}").format(what=what), retry_after=wait, **kwargs
        )
    if code == 408 or 500 <= code <= 599:
        wait = parse_retry_after(answer.headers.get("retry-after"), now)
        return ServerError(
            _("Gett had a temporary problem: {what}").format(what=what),
            retry_after=wait,
            **kwargs,
        )
    if 400 <= code < 500:
        return RequestRejected(_("Gett refused the request: {what}").format(what=what), **kwargs)
    return MalformedResponse(
        _("Gett answered with an unexpected status: {what}").format(what=what), **kwargs
    )


CERTIFICATE_MESSAGE = N_(
    "Gett's certificate could not be verified, so nothing was sent. If this PC is behind a "
    "TLS-inspecting proxy, IT must install the proxy's root certificate in the operating "
    "system's trust store (or point SSL_CERT_FILE at a bundle that holds it); otherwise check "
    "the PC's date and the API address in the settings."
)


def _is_certificate_failure(exc: httpx.TransportError) -> bool:
    cause: BaseException | None = exc
    for _depth in range(5):
        if cause is None:
            break
        if isinstance(cause, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(
            cause
        ):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _connection_message(exc: httpx.TransportError, kind: str) -> str:
    """The sentence for a failed connection, by what failed (a person fixes each differently)."""
    if kind == "refused":
        return _(
            "Gett's server refused the connection (nothing answers at that address). Check "
            "the API address in the settings and the proxy."
        )
    if kind == "dns":
        return _(
            "The name of Gett's server could not be found (DNS). Check the network connection "
            "and the API address in the settings."
        )
    if kind == "timeout":
        return _(
            "Gett's server did not answer the connection in time. Check the network "
            "connection and the firewall."
        )
    if kind == "proxy":
        return _("The proxy refused to connect to Gett. Check the proxy settings.")
    if isinstance(exc.__context__, ssl.SSLError) or kind == "tls":
        return _("The secure connection to Gett failed (TLS). Check the network and proxy.")
    if isinstance(exc, httpx.RemoteProtocolError):
        return _("The connection to Gett was dropped before an answer came.")
    if isinstance(exc, httpx.ConnectError):
        return _("Could not connect to Gett. Check the network connection.")
    return _("The connection to Gett failed. Check the network connection.")
