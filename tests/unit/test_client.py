"""Exception mapping and wire format, against httpx.MockTransport for exact responses."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from kiosk.core.client import GettClient, parse_retry_after
from kiosk.core.errors import (
    ApiError,
    AuthRejected,
    CertificateRejected,
    ConnectionFailed,
    MalformedResponse,
    NeedsAttention,
    RateLimited,
    RequestRejected,
    RequestTimedOut,
    ServerError,
    StoreNotFound,
    TransientError,
)
from kiosk.core.models import PauseReason, StoreStatusUpdate
from tests.helpers.fakes import FakeClock

STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
KEY = "sk_live_SECRET_9f8e7d"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> GettClient:
    return GettClient(
        "https://api.gett-tech.com",
        KEY,
        transport=httpx.MockTransport(handler),
        clock=FakeClock(NOW),
    )


def problem(status: int, title: str, detail: str, rid: str = "req-123") -> httpx.Response:
    body = {
        "type": f"https://httpproblems.com/http-status/{status}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": f"/v1/commerce/stores/{STORE}/status",
        "trace": {"timestamp": "2026-01-15T12:00:00Z", "requestId": rid, "buildId": "b1"},
    }
    return httpx.Response(
        status, content=json.dumps(body), headers={"content-type": "application/problem+json"}
    )


def test_get_sends_bearer_user_agent_and_parses() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "paused", "reason": "too_busy"})

    with client_for(handler) as client:
        status = client.get_status(STORE)
    assert status.is_paused and status.reason is PauseReason.TOO_BUSY
    request = seen[0]
    assert request.method == "GET"
    assert request.url == f"https://api.gett-tech.com/v1/commerce/stores/{STORE}/status"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["user-agent"].startswith("gett-store-kiosk/")


def test_post_sends_update_body() -> None:
    bodies: list[object] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=bodies[-1])  # Gett answers with the state it set

    with client_for(handler) as client:
        client.set_status(
            STORE,
            StoreStatusUpdate.pause(PauseReason.MAINTENANCE, datetime(2026, 1, 15, 14, tzinfo=UTC)),
        )
    assert bodies == [
        {"status": "paused", "reason": "maintenance", "resumeAt": "2026-01-15T14:00:00Z"}
    ]


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (problem(401, "Unauthorized", "Invalid API key"), AuthRejected),
        (problem(403, "Forbidden", "Key may not manage this store"), AuthRejected),
        (problem(404, "Not Found", "Store not found"), StoreNotFound),
        (problem(400, "Bad Request", "reason must be one of ..."), RequestRejected),
        (problem(409, "Conflict", "Store is being onboarded"), RequestRejected),
        (problem(422, "Unprocessable", "resumeAt is in the past"), RequestRejected),
        (problem(408, "Request Timeout", "slow"), ServerError),
        (problem(500, "Internal Server Error", "boom"), ServerError),
        (problem(503, "Service Unavailable", "maintenance"), ServerError),
        (httpx.Response(302, headers={"location": "https://portal.test/login"}), MalformedResponse),
    ],
)
def test_error_mapping(response: httpx.Response, kind: type[ApiError]) -> None:
    with client_for(lambda r: response) as client, pytest.raises(kind) as info:
        client.get_status(STORE)
    error = info.value
    assert error.status_code == response.status_code
    assert error.transient == issubclass(kind, TransientError)
    assert isinstance(error, TransientError) != isinstance(error, NeedsAttention)
    if response.status_code != 302:
        assert error.request_id == "req-123"
        assert error.problem is not None and error.problem.detail in str(error)
    assert KEY not in str(error)


def test_non_json_error_body_still_gives_a_clear_message() -> None:
    html = httpx.Response(
        502, text="<html><body>Bad gateway</body></html>", headers={"content-type": "text/html"}
    )
    with client_for(lambda r: html) as client, pytest.raises(ServerError) as info:
        client.get_status(STORE)
    assert "502 Bad Gateway" in str(info.value)
    assert "text/html" in str(info.value)
    assert info.value.request_id is None


def test_request_id_from_header_when_body_has_none() -> None:
    response = httpx.Response(500, text="oops", headers={"zp-rid": "hdr-42"})
    with client_for(lambda r: response) as client, pytest.raises(ServerError) as info:
        client.get_status(STORE)
    assert info.value.request_id == "hdr-42"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), ("Thu, 15 Jan 2026 12:00:30 GMT", 30.0), ("Thu, 15 Jan 2026 11:00:00 GMT", 0.0)],
)
def test_rate_limited_honours_both_retry_after_forms(header: str, seconds: float) -> None:
    response = httpx.Response(429, headers={"retry-after": header}, json={"title": "Too Many"})
    with client_for(lambda r: response) as client, pytest.raises(RateLimited) as info:
        client.get_status(STORE)
    assert info.value.retry_after == seconds


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5"])
def test_unparseable_retry_after_is_none(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>captive portal</html>"),
        httpx.Response(200, text='{"status":'),
        httpx.Response(200, json=[1, 2]),
        httpx.Response(200, json={"state": "online"}),
        httpx.Response(200, json={"status": "paused", "resumeAt": "tomorrow"}),
    ],
)
def test_malformed_success_bodies(response: httpx.Response) -> None:
    with client_for(lambda r: response) as client, pytest.raises(MalformedResponse) as info:
        client.get_status(STORE)
    assert info.value.transient


@pytest.mark.parametrize(
    ("exc", "kind", "sent"),
    [
        (httpx.ConnectError("refused"), ConnectionFailed, None),
        (httpx.RemoteProtocolError("Server disconnected"), ConnectionFailed, None),
        (httpx.ReadError("reset"), ConnectionFailed, None),
        (httpx.ConnectTimeout("slow"), RequestTimedOut, False),
        (httpx.ReadTimeout("slow"), RequestTimedOut, True),
        (httpx.PoolTimeout("slow"), RequestTimedOut, False),
    ],
)
def test_transport_failures_are_transient(
    exc: httpx.TransportError, kind: type[TransientError], sent: bool | None
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with client_for(handler) as client, pytest.raises(kind) as info:
        client.set_status(STORE, StoreStatusUpdate.resume())
    assert info.value.transient
    if sent is not None:
        assert isinstance(info.value, RequestTimedOut) and info.value.request_sent is sent
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_certificate_failure_explains_the_proxy_fix() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")

    with client_for(handler) as client, pytest.raises(CertificateRejected, match="trust store"):
        client.get_status(STORE)


def test_empty_key_is_refused_before_any_request() -> None:
    with pytest.raises(AuthRejected, match="kiosk key set"):
        GettClient("https://api.gett-tech.com", "")


def test_tls_verification_uses_the_os_trust_store() -> None:
    with GettClient("https://api.gett-tech.com", KEY) as client:
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        context = pool._ssl_context
    assert type(context).__module__.startswith("truststore")
    assert context.verify_mode.name == "CERT_REQUIRED" and context.check_hostname


@pytest.mark.parametrize(
    "body",
    [
        {"status": "paused", "reason": "other", "resumeAt": "2026-01-15T14:00:00+25:00"},
        {"status": "paused", "reason": "other", "pausedAt": "2026-13-45T99:00:00Z"},
    ],
)
def test_impossible_dates_are_a_malformed_response_not_a_crash(body: dict[str, object]) -> None:
    answer = httpx.Response(200, json=body)
    with client_for(lambda r: answer) as client, pytest.raises(MalformedResponse):
        client.get_status(STORE)


def test_body_that_lies_about_its_encoding_is_malformed_not_a_crash() -> None:
    def lying(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
        )

    with client_for(lying) as client, pytest.raises(MalformedResponse, match="decoded"):
        client.get_status(STORE)


@pytest.mark.parametrize("key", ["sk live", "sk_caf\u00e9", "sk\x07bell"])
def test_keys_that_cannot_go_in_a_header_are_refused_clearly(key: str) -> None:
    with pytest.raises(AuthRejected, match="not usable"):
        GettClient("https://api.gett-tech.com", key)


def test_a_refusal_says_the_status_phrase_once_and_ends_in_one_full_stop() -> None:
    """Gett's title is often the phrase itself ("Unauthorized"), and its detail may end in
    its own full stop or bracket: the sentence says "Unauthorized" once and never ".).\""""
    from kiosk.core.client import _Answer, error_for
    from kiosk.core.redact import Scrubber

    body = b'{"title": "Unauthorized", "detail": "The API key is not valid (it may be revoked)."}'
    problem = httpx.Headers({"content-type": "application/problem+json"})
    text = str(error_for(_Answer(401, problem, body), datetime.now(UTC), Scrubber(["k" * 32])))
    assert text.count("Unauthorized") == 1
    assert text == (
        "Gett rejected the API key: 401 Unauthorized: The API key is not valid (it may be revoked)."
    )
    bare = _Answer(503, httpx.Headers(), b"")
    assert str(error_for(bare, datetime.now(UTC), Scrubber(["k" * 32]))) == (
        "Gett had a temporary problem: 503 Service Unavailable (empty body)."
    )


@pytest.mark.parametrize("code", ["he", "ar", "ru"])
def test_a_refusal_in_another_language_says_error_and_the_code_not_the_english_phrase(
    code: str,
) -> None:
    """Python's reason phrases are English only: "401 Unauthorized" on a Hebrew screen is
    replaced by the language's "error 401"; Gett's own words stay as Gett sent them."""
    from kiosk.core import i18n
    from kiosk.core.client import _Answer, error_for
    from kiosk.core.redact import Scrubber

    body = b'{"title": "Unauthorized", "detail": "The API key is not valid."}'
    headers = httpx.Headers({"content-type": "application/problem+json"})
    before = i18n.language()
    i18n.use(code)
    try:
        text = str(error_for(_Answer(401, headers, body), NOW, Scrubber(["k" * 32])))
        empty = str(error_for(_Answer(503, httpx.Headers(), b""), NOW, Scrubber(["k" * 32])))
        error = i18n._("error {code}")
        said = error.format(code=i18n.ltr(401))
    finally:
        i18n.use(before)
    assert error != "error {code}"
    assert "Unauthorized" not in text and said in text, text
    assert "The API key is not valid." in text  # Gett's words, as sent
    assert "Service Unavailable" not in empty and "503" in empty
