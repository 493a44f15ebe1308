"""The API simulator over real loopback HTTP: behaviour, validation, faults and lifecycle."""

from __future__ import annotations

import http.client
import json
import signal
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from kiosk.core.models import PauseReason, StoreState, StoreStatus, format_datetime
from kiosk.simulator import (
    DEMO_API_KEY,
    DEMO_STORE_ID,
    MALFORMED_BODIES,
    PROXY_502_HTML,
    FaultSpecError,
    Simulator,
)
from tests.helpers.fakes import FakeClock

STORE = "3b2d1c4e-5f60-4718-9a2b-3c4d5e6f7a80"
OTHER_STORE = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
KEY = "test-key"
PATH = f"/v1/commerce/stores/{STORE}/status"
TLS = ssl.create_default_context()  # shared: building one per httpx.Client costs ~25 ms


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[Simulator]:
    with Simulator([STORE, OTHER_STORE], KEY, clock=clock) as simulator:
        yield simulator


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(
        base_url=sim.base_url, headers=headers, timeout=5, trust_env=False, verify=TLS
    ) as c:
        yield c


@pytest.fixture
def control(sim: Simulator) -> Iterator[httpx.Client]:
    """A client without a key, for the /_sim/ endpoints."""
    with httpx.Client(base_url=sim.base_url, timeout=5, trust_env=False, verify=TLS) as c:
        yield c


def assert_problem(response: httpx.Response, status: int, *words: str) -> dict[str, Any]:
    """The response is an RFC 7807 problem with the gateway's fields; ``words`` are in detail."""
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"] == f"https://httpproblems.com/http-status/{status}"
    assert body["title"]
    assert body["instance"] == response.request.url.path
    trace = body["trace"]
    assert uuid.UUID(trace["requestId"])
    assert trace["buildId"]
    assert trace["timestamp"].endswith("Z")
    for word in words:
        assert word in body["detail"]
    return body


def future(clock: FakeClock, seconds: float) -> str:
    return format_datetime(clock.now() + timedelta(seconds=seconds))


# --- reading and writing -------------------------------------------------------------------


def test_a_new_store_is_online_with_nulls(client: httpx.Client) -> None:
    response = client.get(PATH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.json() == {
        "status": "online",
        "reason": None,
        "pausedAt": None,
        "resumeAt": None,
    }


def test_pause_without_resume_at(sim: Simulator, client: httpx.Client, clock: FakeClock) -> None:
    response = client.post(PATH, json={"status": "paused", "reason": "too_busy"})
    expected = {
        "status": "paused",
        "reason": "too_busy",
        "pausedAt": "2026-01-15T12:00:00Z",
        "resumeAt": None,
    }
    assert response.status_code == 200
    assert response.json() == expected
    assert client.get(PATH).json() == expected
    assert sim.state(STORE) == StoreStatus(
        StoreState.PAUSED, PauseReason.TOO_BUSY, clock.now(), None
    )
    assert sim.state(OTHER_STORE).is_online


def test_pause_with_resume_at_in_any_offset_answers_in_utc(client: httpx.Client) -> None:
    body = {"status": "paused", "reason": "maintenance", "resumeAt": "2026-01-15T16:30:00+02:00"}
    response = client.post(PATH, json=body)
    assert response.status_code == 200
    assert response.json()["resumeAt"] == "2026-01-15T14:30:00Z"


def test_resume_clears_reason_and_times(client: httpx.Client, clock: FakeClock) -> None:
    client.post(PATH, json={"status": "paused", "reason": "other", "resumeAt": future(clock, 600)})
    response = client.post(PATH, json={"status": "online"})
    assert response.json() == {
        "status": "online",
        "reason": None,
        "pausedAt": None,
        "resumeAt": None,
    }


def test_pausing_again_keeps_paused_at(client: httpx.Client, clock: FakeClock) -> None:
    client.post(PATH, json={"status": "paused", "reason": "too_busy"})
    clock.advance(300)
    response = client.post(PATH, json={"status": "paused", "reason": "staff_shortage"})
    assert response.json()["pausedAt"] == "2026-01-15T12:00:00Z"
    assert response.json()["reason"] == "staff_shortage"


def test_store_ids_are_case_insensitive(client: httpx.Client) -> None:
    upper = f"/v1/commerce/stores/{STORE.upper()}/status"
    response = client.post(upper, json={"status": "paused", "reason": "other"})
    assert response.status_code == 200
    assert client.get(PATH).json()["status"] == "paused"


# --- validation ---------------------------------------------------------------------------

NOW = "2026-01-15T12:00:00Z"  # FakeClock's start


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param(b"", ["empty"], id="empty"),
        pytest.param(b"{status: paused}", ["not valid JSON"], id="not-json"),
        pytest.param(b"\xff\xfe{", ["JSON"], id="not-utf8"),
        pytest.param([{"status": "online"}], ["JSON object", "array"], id="array"),
        pytest.param("online", ["JSON object", "string"], id="string"),
        pytest.param({}, ["'status'", "required"], id="missing-status"),
        pytest.param({"status": "closed"}, ["'status'", '"closed"'], id="unknown-status"),
        pytest.param({"status": None}, ["'status'"], id="null-status"),
        pytest.param({"status": "paused"}, ["'reason'", "required"], id="pause-without-reason"),
        pytest.param(
            {"status": "paused", "reason": "lunch"}, ["'reason'", '"lunch"'], id="bad-reason"
        ),
        pytest.param({"status": "paused", "reason": None}, ["'reason'"], id="null-reason"),
        pytest.param(
            {"status": "online", "reason": "other"}, ["'reason'", "online"], id="online-reason"
        ),
        pytest.param(
            {"status": "online", "resumeAt": "2026-01-15T13:00:00Z"},
            ["'resumeAt'", "online"],
            id="online-resume-at",
        ),
        pytest.param(
            {"status": "paused", "reason": "other", "resumeAt": "2026-01-15T13:00:00"},
            ["'resumeAt'", "offset"],
            id="resume-at-without-offset",
        ),
        pytest.param(
            {"status": "paused", "reason": "other", "resumeAt": "in an hour"},
            ["'resumeAt'", "RFC 3339"],
            id="resume-at-not-a-date",
        ),
        pytest.param(
            {"status": "paused", "reason": "other", "resumeAt": 1768482000},
            ["'resumeAt'", "string"],
            id="resume-at-a-number",
        ),
        pytest.param(
            {"status": "paused", "reason": "other", "resumeAt": NOW},
            ["'resumeAt'", "future"],
            id="resume-at-now",
        ),
        pytest.param(
            {"status": "paused", "reason": "other", "resumeAt": "2026-01-15T11:59:59Z"},
            ["'resumeAt'", "future", NOW],
            id="resume-at-past",
        ),
        pytest.param(
            {"status": "online", "pausedAt": NOW}, ["'pausedAt'", "Unknown"], id="unknown-field"
        ),
    ],
)
def test_invalid_updates_are_rejected_naming_the_field(
    sim: Simulator, client: httpx.Client, body: object, words: list[str]
) -> None:
    if isinstance(body, bytes):
        response = client.post(PATH, content=body, headers={"Content-Type": "application/json"})
    else:
        response = client.post(PATH, json=body)
    assert_problem(response, 400, *words)
    assert sim.state(STORE) == StoreStatus(StoreState.ONLINE)


def test_every_problem_has_its_own_request_id(client: httpx.Client) -> None:
    first, second = client.post(PATH, json={}), client.post(PATH, json={})
    ids = {assert_problem(r, 400)["trace"]["requestId"] for r in (first, second)}
    assert len(ids) == 2
    assert first.headers["zp-rid"] == first.json()["trace"]["requestId"]


# --- auth and routing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "words"),
    [
        pytest.param(None, ["No Authorization header"], id="missing"),
        pytest.param("Bearer wrong-key", ["not valid"], id="wrong-key"),
        pytest.param(f"Basic {KEY}", ["Bearer"], id="wrong-scheme"),
        pytest.param(KEY, ["Bearer"], id="bare-key"),
        pytest.param("Bearer", ["Bearer"], id="empty-key"),
    ],
)
def test_bad_keys_are_401(
    sim: Simulator, control: httpx.Client, authorization: str | None, words: list[str]
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    assert_problem(control.get(PATH, headers=headers), 401, *words)
    response = control.post(PATH, headers=headers, json={"status": "paused", "reason": "other"})
    assert_problem(response, 401)
    assert sim.state(STORE).is_online


def test_the_bearer_scheme_is_case_insensitive(control: httpx.Client) -> None:
    assert control.get(PATH, headers={"Authorization": f"bearer {KEY}"}).status_code == 200


def test_a_revoked_key_stops_working(sim: Simulator, client: httpx.Client) -> None:
    assert client.get(PATH).status_code == 200
    sim.set_api_key("rotated")
    assert_problem(client.get(PATH), 401)
    assert client.get(PATH, headers={"Authorization": "Bearer rotated"}).status_code == 200


def test_unknown_store_is_404(client: httpx.Client) -> None:
    unknown = str(uuid.uuid4())
    assert_problem(client.get(f"/v1/commerce/stores/{unknown}/status"), 404, unknown)


def test_removed_store_is_404(sim: Simulator, client: httpx.Client) -> None:
    sim.remove_store(STORE)
    assert_problem(client.get(PATH), 404)


def test_auth_is_checked_before_the_store(control: httpx.Client) -> None:
    path = f"/v1/commerce/stores/{uuid.uuid4()}/status"
    assert_problem(control.get(path, headers={"Authorization": "Bearer nope"}), 401)


def test_store_id_must_be_a_uuid(client: httpx.Client) -> None:
    assert_problem(client.get("/v1/commerce/stores/store-42/status"), 400, "storeId", "UUID")


@pytest.mark.parametrize(
    "path", ["/", "/v1/commerce/stores", f"/v1/commerce/stores/{STORE}", f"{PATH}/", "/v2/x"]
)
def test_other_paths_are_404(client: httpx.Client, path: str) -> None:
    assert_problem(client.get(path), 404)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_are_405_with_allow(client: httpx.Client, method: str) -> None:
    response = client.request(method, PATH)
    assert_problem(response, 405, method)
    assert response.headers["allow"] == "GET, POST"


def test_head_is_405_without_a_body(client: httpx.Client) -> None:
    response = client.head(PATH)
    assert response.status_code == 405
    assert response.content == b""


def test_connections_are_kept_alive_with_exact_lengths(sim: Simulator) -> None:
    conn = http.client.HTTPConnection(sim.host, sim.port, timeout=5)
    try:
        headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        conn.request("POST", PATH, body=b'{"status": "paused"}', headers=headers)
        first = conn.getresponse()
        assert first.status == 400
        assert len(first.read()) == int(first.headers["Content-Length"])
        sock = conn.sock
        conn.request("GET", PATH, headers=headers)
        second = conn.getresponse()
        assert json.loads(second.read())["status"] == "online"
        assert conn.sock is sock  # the same connection served both
    finally:
        conn.close()


# --- time and other writers ---------------------------------------------------------------


def test_auto_resume_at_resume_at(sim: Simulator, client: httpx.Client, clock: FakeClock) -> None:
    client.post(
        PATH, json={"status": "paused", "reason": "too_busy", "resumeAt": future(clock, 60)}
    )
    clock.advance(59)
    assert client.get(PATH).json()["status"] == "paused"
    clock.advance(1)
    assert client.get(PATH).json() == {
        "status": "online",
        "reason": None,
        "pausedAt": None,
        "resumeAt": None,
    }


def test_auto_resume_shows_in_state_without_a_request(sim: Simulator, clock: FakeClock) -> None:
    paused = StoreStatus(
        StoreState.PAUSED, PauseReason.OTHER, clock.now(), clock.now() + timedelta(minutes=5)
    )
    sim.set_state(STORE, paused)
    assert sim.state(STORE) == paused
    clock.advance(300)
    assert sim.state(STORE) == StoreStatus(StoreState.ONLINE)
    assert len(sim.requests) == 0


def test_a_change_made_elsewhere_is_served(sim: Simulator, client: httpx.Client) -> None:
    when = datetime(2026, 1, 15, 11, 30, tzinfo=UTC)
    sim.set_state(STORE, StoreStatus(StoreState.PAUSED, PauseReason.MAINTENANCE, when))
    assert client.get(PATH).json() == {
        "status": "paused",
        "reason": "maintenance",
        "pausedAt": "2026-01-15T11:30:00Z",
        "resumeAt": None,
    }


def test_set_state_is_verbatim_even_for_unknown_values(
    sim: Simulator, client: httpx.Client
) -> None:
    sim.set_state(STORE, StoreStatus("closed_for_holidays", "weather"))
    body = client.get(PATH).json()
    assert (body["status"], body["reason"]) == ("closed_for_holidays", "weather")


def test_set_state_of_an_unknown_store_raises(sim: Simulator) -> None:
    with pytest.raises(KeyError):
        sim.set_state(str(uuid.uuid4()), StoreStatus(StoreState.ONLINE))
    with pytest.raises(ValueError, match="UUID"):
        sim.state("not-a-uuid")


# --- the request log ----------------------------------------------------------------------


def test_requests_are_logged_with_body_and_status(sim: Simulator, client: httpx.Client) -> None:
    client.get(PATH)
    client.post(PATH, json={"status": "paused", "reason": "other"})
    client.post(PATH, json={"status": "paused"})
    control_response = client.get("/_sim/stores")
    assert control_response.status_code == 200
    records = sim.requests.snapshot()
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", PATH, 200),
        ("POST", PATH, 200),
        ("POST", PATH, 400),
    ]
    assert records[0].body is None
    assert records[1].body == {"status": "paused", "reason": "other"}
    assert all(r.fault is None for r in records)
    assert len({r.request_id for r in records}) == 3


def test_wait_for_requests_times_out_without_requests(sim: Simulator) -> None:
    assert sim.wait_for_requests(1, timeout=0.01) is False
    assert not any(r.method == "POST" for r in sim.requests)


def test_wait_for_requests_wakes_for_a_request_from_another_thread(
    sim: Simulator, client: httpx.Client
) -> None:
    worker = threading.Thread(target=client.get, args=(PATH,))
    worker.start()
    try:
        assert sim.wait_for_requests(1, timeout=5)
    finally:
        worker.join()


# --- faults -------------------------------------------------------------------------------


def test_fail_answers_a_problem_for_the_next_n(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.fail(503, count=2)
    assert_problem(client.post(PATH, json={"status": "paused", "reason": "other"}), 503)
    assert_problem(client.get(PATH), 503)
    assert client.get(PATH).status_code == 200
    assert sim.state(STORE).is_online  # a failed POST never reached the store
    assert [r.fault for r in sim.requests] == ["fail", "fail", None]


def test_fail_with_an_html_page_from_a_proxy(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.fail(502, body=PROXY_502_HTML, content_type="text/html")
    response = client.get(PATH)
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert response.content == PROXY_502_HTML
    with pytest.raises(ValueError, match="Expecting value"):
        response.json()


def test_faults_can_target_one_method(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.fail(500, method="post")
    assert client.get(PATH).status_code == 200
    assert_problem(client.post(PATH, json={"status": "online"}), 500)


def test_faults_are_used_in_order(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.fail(503)
    sim.faults.rate_limit(retry_after=1)
    assert [client.get(PATH).status_code for _ in range(3)] == [503, 429, 200]


def test_rate_limit_with_delay_seconds(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.rate_limit(retry_after=30)
    response = client.get(PATH)
    assert_problem(response, 429, "30")
    assert response.headers["retry-after"] == "30"


def test_rate_limit_with_an_http_date(
    sim: Simulator, client: httpx.Client, clock: FakeClock
) -> None:
    sim.faults.rate_limit(retry_after=90, http_date=True)
    response = client.get(PATH)
    assert_problem(response, 429)
    header = response.headers["retry-after"]
    assert header.endswith(" GMT")
    assert parsedate_to_datetime(header) == clock.now() + timedelta(seconds=90)


def test_rate_limit_with_a_verbatim_value(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.rate_limit(retry_after="soon")
    assert client.get(PATH).headers["retry-after"] == "soon"


def test_drop_closes_without_an_answer(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.drop(method="POST")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(PATH, json={"status": "paused", "reason": "other"})
    assert sim.state(STORE).is_online
    assert client.get(PATH).status_code == 200
    assert [(r.method, r.status, r.fault) for r in sim.requests] == [
        ("POST", None, "drop"),
        ("GET", 200, None),
    ]


@pytest.mark.parametrize("variant", sorted(MALFORMED_BODIES))
def test_malformed_answers_are_200_with_a_broken_body(
    sim: Simulator, client: httpx.Client, variant: str
) -> None:
    sim.faults.malformed(variant)
    response = client.post(PATH, json={"status": "paused", "reason": "too_busy"})
    assert response.status_code == 200
    assert response.content == MALFORMED_BODIES[variant][0]
    assert int(response.headers["content-length"]) == len(response.content)
    assert sim.state(STORE).is_paused  # the change landed; only its answer is broken


def test_malformed_truncated_json_does_not_parse(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.malformed("truncated")
    with pytest.raises(json.JSONDecodeError):
        client.get(PATH).json()


def test_latency_delays_the_answer(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.latency(0.05, count=1)
    assert client.get(PATH).status_code == 200
    assert [r.fault for r in sim.requests] == ["latency"]
    assert sim.faults.pending() == []


def test_latency_beyond_the_client_timeout(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.latency(30, method="POST")
    with pytest.raises(httpx.ReadTimeout):
        client.post(PATH, json={"status": "online"}, timeout=0.2)
    assert client.get(PATH).status_code == 200  # latency for POST only


def test_apply_then_hang_lands_the_change_but_never_answers(
    sim: Simulator, client: httpx.Client
) -> None:
    sim.faults.apply_then_hang()
    with pytest.raises(httpx.ReadTimeout):
        client.post(PATH, json={"status": "paused", "reason": "other"}, timeout=0.2)
    assert sim.wait_for_requests(1)
    assert sim.state(STORE).is_paused
    assert sim.requests[0].status is None
    assert sim.requests[0].fault == "apply_then_hang"


def test_apply_then_hang_for_a_while_then_closes(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.apply_then_hang(seconds=0.05)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(PATH, json={"status": "paused", "reason": "other"})
    assert sim.state(STORE).is_paused


def test_clear_releases_a_hanging_request(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.apply_then_hang()
    errors: list[Exception] = []

    def post() -> None:
        try:
            client.post(PATH, json={"status": "paused", "reason": "other"}, timeout=30)
        except httpx.HTTPError as exc:
            errors.append(exc)

    worker = threading.Thread(target=post)
    worker.start()
    assert sim.wait_for_held(1)
    assert sim.state(STORE).is_paused
    sim.faults.clear()
    worker.join(5)
    assert not worker.is_alive()
    assert isinstance(errors[0], httpx.RemoteProtocolError)


def test_faults_never_touch_the_control_endpoints(
    sim: Simulator, client: httpx.Client, control: httpx.Client
) -> None:
    sim.faults.fail(503)
    assert control.get("/_sim/stores").status_code == 200
    assert control.get("/_sim/faults").json()["faults"][0]["kind"] == "fail"
    assert client.get(PATH).status_code == 503


def test_pending_and_clear(sim: Simulator) -> None:
    sim.faults.latency(1.5)
    sim.faults.drop(count=3)
    pending = sim.faults.pending()
    assert [(f["kind"], f["count"]) for f in pending] == [("latency", None), ("drop", 3)]
    sim.faults.clear()
    assert sim.faults.pending() == []


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "explode"},
        {"kind": ["fail"]},
        {"kind": "fail", "status": 200},
        {"kind": "fail", "count": 0},
        {"kind": "fail", "count": "2"},
        {"kind": "drop", "status": 500},
        {"kind": "rate_limit", "retryAfter": -1},
        {"kind": "rate_limit", "retryAfter": "soon", "httpDate": True},
        {"kind": "malformed", "variant": "haiku"},
        {"kind": "latency"},
        {"kind": "latency", "seconds": -1},
        {"kind": "apply_then_hang", "seconds": "forever"},
    ],
)
def test_nonsense_fault_specs_are_refused(sim: Simulator, spec: dict[str, Any]) -> None:
    with pytest.raises(FaultSpecError):
        sim.faults.add(spec)
    assert sim.faults.pending() == []


# --- down and up --------------------------------------------------------------------------


def test_go_down_refuses_connections_and_come_back_uses_the_same_port(
    sim: Simulator, client: httpx.Client
) -> None:
    port = sim.port
    assert client.get(PATH).status_code == 200  # leaves a kept-alive connection in the pool
    sim.go_down()
    assert not sim.is_up
    with pytest.raises(httpx.ConnectError):
        client.get(PATH)
    sim.come_back()
    assert sim.is_up
    assert sim.port == port
    assert client.get(PATH).status_code == 200


def test_down_for_comes_back_by_itself(sim: Simulator, client: httpx.Client) -> None:
    port = sim.port
    sim.down_for(0.5)
    with pytest.raises(httpx.ConnectError):
        client.get(PATH)
    assert sim.wait_until_up(5)
    assert sim.port == port
    assert client.get(PATH).status_code == 200


def test_go_down_cuts_a_request_waiting_out_latency(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.latency(30)
    errors: list[Exception] = []

    def post() -> None:
        try:
            client.post(PATH, json={"status": "paused", "reason": "other"}, timeout=30)
        except httpx.HTTPError as exc:
            errors.append(exc)

    worker = threading.Thread(target=post)
    worker.start()
    assert sim.wait_for_held(1)
    sim.go_down()
    worker.join(5)
    assert not worker.is_alive()
    assert errors
    assert sim.state(STORE).is_online  # aborted before it was handled


# --- control endpoints over HTTP ----------------------------------------------------------


def test_control_index_lists_the_endpoints(control: httpx.Client) -> None:
    endpoints = control.get("/_sim/").json()["endpoints"]
    assert "POST /_sim/faults" in endpoints
    assert "POST /_sim/down" in endpoints


def test_control_stores(sim: Simulator, control: httpx.Client, client: httpx.Client) -> None:
    client.post(PATH, json={"status": "paused", "reason": "other"})
    stores = control.get("/_sim/stores").json()["stores"]
    assert stores[STORE]["status"] == "paused"
    assert stores[OTHER_STORE]["status"] == "online"
    assert control.get(f"/_sim/stores/{STORE}").json()["reason"] == "other"


def test_control_change_made_elsewhere(
    sim: Simulator, control: httpx.Client, client: httpx.Client, clock: FakeClock
) -> None:
    body = {"status": "paused", "reason": "staff_shortage", "resumeAt": future(clock, 3600)}
    response = control.post(f"/_sim/stores/{STORE}/status", json=body)
    assert response.status_code == 200
    live = client.get(PATH).json()
    assert live == {**body, "pausedAt": format_datetime(clock.now())}
    assert len(sim.requests) == 1  # control requests are not logged


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        (f"/_sim/stores/{uuid.uuid4()}/status", {"status": "online"}, 404),
        ("/_sim/stores/not-a-uuid/status", {"status": "online"}, 400),
        (f"/_sim/stores/{STORE}/status", {"reason": "other"}, 400),
        (f"/_sim/stores/{STORE}/status", {"status": "paused", "pausedAt": "noon"}, 400),
        (f"/_sim/stores/{STORE}/status", ["online"], 400),
        ("/_sim/faults", {"kind": "explode"}, 400),
        ("/_sim/down", {}, 400),
        ("/_sim/down", {"seconds": -1}, 400),
        ("/_sim/key", {"apiKey": ""}, 400),
        ("/_sim/nothing", {}, 404),
    ],
)
def test_control_refuses_nonsense(
    control: httpx.Client, path: str, body: object, status: int
) -> None:
    assert_problem(control.post(path, json=body), status)


def test_control_wrong_method_is_405(control: httpx.Client) -> None:
    response = control.get("/_sim/down")
    assert_problem(response, 405)
    assert response.headers["allow"] == "POST"


def test_control_faults_round_trip(control: httpx.Client, client: httpx.Client) -> None:
    spec = {
        "kind": "fail",
        "status": 502,
        "body": "<html>Bad gateway</html>",
        "contentType": "text/html",
    }
    armed = control.post("/_sim/faults", json=spec)
    assert armed.status_code == 201
    assert armed.json()["faults"][0]["status"] == 502
    response = client.get(PATH)
    assert (response.status_code, response.text) == (502, "<html>Bad gateway</html>")
    assert response.headers["content-type"] == "text/html"

    control.post("/_sim/faults", json={"kind": "rate_limit", "retryAfter": 5, "httpDate": True})
    control.post("/_sim/faults", json={"kind": "drop", "count": 2})
    assert len(control.get("/_sim/faults").json()["faults"]) == 2
    assert control.delete("/_sim/faults").json() == {"faults": []}
    assert client.get(PATH).status_code == 200


def test_control_down_refuses_connections_by_the_time_it_answers(
    sim: Simulator, control: httpx.Client, client: httpx.Client
) -> None:
    response = control.post("/_sim/down", json={"seconds": 0.5})
    assert response.status_code == 202
    with pytest.raises(httpx.ConnectError):
        client.get(PATH)
    assert sim.wait_until_up(5)
    assert client.get(PATH).status_code == 200


def test_control_requests_log(control: httpx.Client, client: httpx.Client) -> None:
    client.post(PATH, json={"status": "online"})
    logged = control.get("/_sim/requests").json()["requests"]
    assert [(r["method"], r["status"], r["body"]) for r in logged] == [
        ("POST", 200, {"status": "online"})
    ]
    assert control.delete("/_sim/requests").json() == {"requests": []}


def test_control_key_revokes_the_old_key(control: httpx.Client, client: httpx.Client) -> None:
    assert control.post("/_sim/key", json={"apiKey": "fresh"}).status_code == 200
    assert_problem(client.get(PATH), 401)


# --- lifecycle ----------------------------------------------------------------------------


def test_stop_returns_promptly_while_handlers_hang(sim: Simulator) -> None:
    sim.faults.apply_then_hang(method="GET")
    sim.faults.latency(60, method="POST")
    errors: list[Exception] = []

    def call(method: str, body: object) -> None:
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(base_url=sim.base_url, timeout=30, trust_env=False, verify=TLS) as c:
            try:
                c.request(method, PATH, headers=headers, json=body)
            except httpx.HTTPError as exc:
                errors.append(exc)

    workers = [
        threading.Thread(target=call, args=("GET", None)),  # applied, then hangs
        threading.Thread(target=call, args=("POST", {"status": "online"})),  # waits out latency
    ]
    for worker in workers:
        worker.start()
    assert sim.wait_for_held(2)
    started = time.monotonic()
    sim.stop()
    assert time.monotonic() - started < 2
    for worker in workers:
        worker.join(5)
        assert not worker.is_alive()
    assert len(errors) == 2
    sim.stop()  # idempotent


def test_lifecycle_misuse(clock: FakeClock) -> None:
    sim = Simulator([STORE], KEY, clock=clock)
    with pytest.raises(RuntimeError):
        _ = sim.base_url
    sim.stop()  # before start: harmless
    with Simulator([STORE], KEY, clock=clock) as running:
        with pytest.raises(RuntimeError):
            running.start()
        assert running.base_url == f"http://127.0.0.1:{running.port}"
    with pytest.raises(RuntimeError):
        running.come_back()


def test_a_store_id_that_is_not_a_uuid_is_refused() -> None:
    with pytest.raises(ValueError, match="UUID"):
        Simulator(["store-1"], KEY)


# --- the command line ---------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
def test_cli_serves_until_sigterm() -> None:
    command = [sys.executable, "-m", "kiosk.simulator", "--port", "0", "--store", STORE]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert STORE in line
            assert "/_sim/" in line
            base_url = line.split(" at ", 1)[1].split(" ", 1)[0]
            headers = {"Authorization": f"Bearer {DEMO_API_KEY}"}
            with httpx.Client(base_url=base_url, timeout=5, trust_env=False, verify=TLS) as c:
                assert c.get(PATH, headers=headers).json()["status"] == "online"
                assert (
                    c.get(
                        f"/v1/commerce/stores/{DEMO_STORE_ID}/status", headers=headers
                    ).status_code
                    == 404
                )
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0, stderr
    assert "Authorization" not in stderr
