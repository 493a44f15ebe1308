"""The kiosk against servers that lie, drip, echo the key and sit behind proxies: one test per
way the wire tried to break it (issue: trust nothing on the wire). Real loopback HTTP throughout:
the project's simulator where it can play the part, the suite's own hostile server where not."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from kiosk.cli.main import Cli
from kiosk.core.client import TOTAL_DEADLINE, GettClient
from kiosk.core.clock import OFFSET_FILENAME, GettClock
from kiosk.core.errors import (
    AnswerContradicts,
    AuthRejected,
    ConnectionFailed,
    MalformedResponse,
    RequestTimedOut,
)
from kiosk.core.keystore import OsKeyStore
from kiosk.core.models import PauseReason, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import DEFAULT_LEASE_SECONDS, IntentState, Outbox
from kiosk.simulator.server import Simulator
from tests.helpers.fakes import FakeClock
from tests.helpers.hostile import HostileServer, Reply, echo_request
from tests.integration.conftest import STORE

CANARY = "sk_live_CANARY_7f3e9a1c5b2d8e4f6a0b"


class Run:
    """The real CLI, in-process, with its outputs captured."""

    def __init__(self, base_url: str, tmp_path: Path, keystore: OsKeyStore, clock: object) -> None:
        self.tmp_path = tmp_path
        self.keystore = keystore
        self.clock = clock
        self.env = {
            "KIOSK_CONFIG": str(tmp_path / "config.toml"),
            "KIOSK_API_URL": base_url,
            "KIOSK_STORE_ID": STORE,
            "KIOSK_DATA_DIR": str(tmp_path / "data"),
        }
        self.outputs: list[str] = []

    def __call__(self, *argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        cli = Cli(
            keystore=self.keystore,
            clock=self.clock,  # type: ignore[arg-type]
            env={**self.env, **(env or {})},
            stdin=io.StringIO(""),
            stdout=out,
            stderr=err,
        )
        code = cli.run(list(argv))
        self.outputs += [out.getvalue(), err.getvalue()]
        return code, out.getvalue(), err.getvalue()


@pytest.fixture
def canary_keystore(keystore: OsKeyStore) -> OsKeyStore:
    keystore.set(CANARY)
    return keystore


def leaks(text: str | bytes, secret: str = CANARY) -> list[str]:
    """Every piece of ``secret`` 12 characters or longer found in ``text``."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return sorted(
        {secret[i : i + 12] for i in range(len(secret) - 11) if secret[i : i + 12] in text}
    )


def written_files(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.exists():
            yield from (p for p in root.rglob("*") if p.is_file())


# -- 1. the key never leaks, whatever a server echoes ------------------------------------------


@pytest.mark.parametrize("status", [401, 403, 422, 503])
def test_a_server_echoing_the_key_never_gets_it_printed_or_stored(
    status: int, tmp_path: Path, canary_keystore: OsKeyStore
) -> None:
    reply = Reply(status=status, body=echo_request, reason="Nope")
    reply.headers.append(("zp-rid", f"rid-{CANARY}"))
    with HostileServer(reply) as server:
        run = Run(server.base_url, tmp_path, canary_keystore, FakeClock())
        codes = [
            run("status")[0],
            run("status", "--json")[0],
            run("pause", "--reason", "too_busy", "--for", "15m")[0],
            run("pause", "--reason", "other", "--json")[0],
            run("resume", "--json")[0],
            run("sync")[0],
            run("sync", "--json")[0],
            run("sync", "--force", "--json")[0],
            run("history")[0],
            run("history", "--json")[0],
        ]
        assert server.seen and all(s.authorization == f"Bearer {CANARY}" for s in server.seen)
    assert all(code != 0 for code in codes[:5]), codes  # status, pause, resume
    for text in run.outputs:
        assert not leaks(text), text
    echoed = "".join(run.outputs)
    assert "[redacted]" in echoed  # the server's words are shown, with the key taken out
    files = list(written_files(tmp_path / "data"))
    assert any(p.name == "outbox.db" for p in files)
    for path in files:
        assert not leaks(path.read_bytes()), path


def test_the_key_in_a_success_body_never_reaches_the_screen_or_the_queue(
    tmp_path: Path, canary_keystore: OsKeyStore
) -> None:
    body = {"status": f"paused-{CANARY}", "reason": CANARY, "pausedAt": None}
    with HostileServer(Reply.json(200, body)) as server:
        run = Run(server.base_url, tmp_path, canary_keystore, FakeClock())
        code, out, _ = run("status")
        assert code == 0 and "unknown to this kiosk version" in out
        run("status", "--json")
        run("pause", "--reason", "too_busy", "--json")
    for text in run.outputs:
        assert not leaks(text), text
    for path in written_files(tmp_path / "data"):
        assert not leaks(path.read_bytes()), path


def test_half_a_key_echoed_is_still_taken_out() -> None:
    half = CANARY[: len(CANARY) // 2]
    reply = Reply.json(401, {"title": "Unauthorized", "detail": f"key {half}... unknown"})
    with (
        HostileServer(reply) as server,
        GettClient(server.base_url, CANARY) as client,
        pytest.raises(AuthRejected) as caught,
    ):
        client.get_status(STORE)
    assert half not in str(caught.value) and "[redacted]" in str(caught.value)


def test_control_characters_from_a_server_never_reach_a_terminal(
    tmp_path: Path, canary_keystore: OsKeyStore
) -> None:
    fake = "\x1b[2J\x1b[HMain Street: ONLINE, accepting orders\n"
    reply = Reply.json(422, {"title": fake, "detail": "\u202eevil\u202c\r\nsecond line"})
    with HostileServer(reply) as server:
        run = Run(server.base_url, tmp_path, canary_keystore, FakeClock())
        code, out, err = run("pause", "--reason", "other")
    assert code == 4
    assert "\x1b" not in out + err and "\u202e" not in out + err and "\r" not in out + err
    assert err.count("\n") <= 2, err


# -- 2. loopback never goes through a proxy; https may ----------------------------------------


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_loopback_never_goes_through_an_environment_proxy(
    variable: str, api: Simulator, clock: FakeClock, tmp_path: Path, canary_keystore: OsKeyStore
) -> None:
    api.set_api_key(CANARY)
    with HostileServer(Reply(status=502, body=b"proxy")) as proxy:
        run = Run(api.base_url, tmp_path, canary_keystore, clock)
        code, out, err = run("status", env={variable: proxy.base_url})
        assert code == 0, err
        assert "ONLINE" in out
        assert proxy.seen == []  # the key never passed through it


def test_https_goes_through_the_proxy_as_an_encrypted_tunnel() -> None:
    with HostileServer(Reply(status=403, body=b"", reason="Forbidden")) as proxy:
        env = {"HTTPS_PROXY": proxy.base_url, "NO_PROXY": "example.invalid"}
        with (
            GettClient("https://api.gett-tech.com", CANARY, env=env) as client,
            pytest.raises(ConnectionFailed) as caught,
        ):
            client.get_status(STORE)
        assert "Traceback" not in str(caught.value)
        assert [s.request_line for s in proxy.seen] == ["CONNECT api.gett-tech.com:443 HTTP/1.1"]
        assert all(CANARY not in json.dumps(s.headers) for s in proxy.seen)


def test_an_unusable_proxy_setting_is_a_sentence_not_a_crash() -> None:
    env = {"HTTPS_PROXY": "socks5://127.0.0.1:1080"}
    with (
        GettClient("https://api.gett-tech.com", CANARY, env=env) as client,
        pytest.raises(ConnectionFailed, match="SOCKS proxies are not supported"),
    ):
        client.get_status(STORE)


# -- 3. every request has a total deadline ------------------------------------------------------


@pytest.mark.parametrize("body_only", [False, True], ids=["headers", "body"])
def test_a_dripping_server_cannot_hold_a_request_past_its_deadline(body_only: bool) -> None:
    body = json.dumps({"status": "online", "pad": "x" * 200}).encode()
    reply = Reply(status=200, body=body, drip=0.05, drip_body_only=body_only)
    with (
        HostileServer(reply) as server,
        GettClient(
            server.base_url, CANARY, total_deadline=1.0, timeout=httpx.Timeout(5.0)
        ) as client,
    ):
        started = time.monotonic()
        with pytest.raises(RequestTimedOut):
            client.get_status(STORE)
        elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 2.0, elapsed


def test_the_deadline_is_well_under_the_lease() -> None:
    assert TOTAL_DEADLINE * 2 < DEFAULT_LEASE_SECONDS


def test_a_huge_answer_is_not_read_into_memory() -> None:
    huge = b'{"status": "online", "pad": "' + b"x" * (8 * 1024 * 1024) + b'"}'
    with (
        HostileServer(Reply(status=200, body=huge)) as server,
        GettClient(server.base_url, CANARY) as client,
        pytest.raises(MalformedResponse, match="larger than 64 KB"),
    ):
        client.get_status(STORE)


# -- 5. only an answer that shows the asked-for state confirms --------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        {"status": "online"},
        {"status": "closed"},
        {"status": "paused", "reason": "too_busy", "resumeAt": "2026-01-15T11:00:00Z"},
        {"status": "paused", "reason": "too_busy", "resumeAt": "2026-01-15T18:00:00Z"},
        {"status": "paused", "reason": "maintenance", "resumeAt": "2026-01-15T12:15:00Z"},
        {"status": "paused", "reason": "too_busy"},
    ],
)
def test_an_answer_contradicting_the_pause_is_not_a_confirmation(
    answer: dict[str, object], tmp_path: Path, canary_keystore: OsKeyStore
) -> None:
    clock = FakeClock()  # 2026-01-15 12:00 UTC
    with HostileServer(Reply.json(200, answer)) as server:
        run = Run(server.base_url, tmp_path, canary_keystore, clock)
        code, out, err = run("pause", "--reason", "too_busy", "--for", "15m", "--json")
    assert code == 75, err
    assert "did not confirm" in err
    body = json.loads(out)
    assert body["pending"]["state"] == "pending"
    with Outbox(tmp_path / "data", clock=clock) as outbox:
        intent = outbox.open_intent(STORE)
        assert intent is not None and intent.state is IntentState.PENDING
        assert intent.sent  # it may have landed: the next try reads before it writes


def test_a_matching_answer_still_confirms_within_a_minute(
    tmp_path: Path, canary_keystore: OsKeyStore
) -> None:
    # Gett may round the end to the minute: 12:15:00 for an asked 12:15:30.
    answer = {"status": "paused", "reason": "too_busy", "resumeAt": "2026-01-15T12:15:00Z"}
    with HostileServer(Reply.json(200, answer)) as server:
        run = Run(server.base_url, tmp_path, canary_keystore, FakeClock())
        code, _, err = run("pause", "--reason", "too_busy", "--for", "15m30s")
    assert code == 0, err


def test_client_refuses_a_contradicting_answer_directly() -> None:
    with (
        HostileServer(Reply.json(200, {"status": "online"})) as server,
        GettClient(server.base_url, CANARY) as client,
        pytest.raises(AnswerContradicts),
    ):
        client.set_status(STORE, StoreStatusUpdate.pause(PauseReason.OTHER))


# -- 6. a wrong PC clock does not change what is sent -------------------------------------------


@pytest.mark.parametrize("pc_off", [timedelta(days=1), timedelta(hours=-1), timedelta(days=-400)])
def test_fifteen_minutes_are_fifteen_minutes_at_gett_whatever_the_pc_clock(
    pc_off: timedelta, tmp_path: Path, canary_keystore: OsKeyStore
) -> None:
    gett = FakeClock(datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    pc = GettClock(FakeClock(gett.now() + pc_off))
    with Simulator([STORE], CANARY, clock=gett) as sim:
        run = Run(sim.base_url, tmp_path, canary_keystore, pc)
        code, _, err = run("pause", "--reason", "too_busy", "--for", "15m")
        assert code == 0, err
        state = sim.state(STORE)
        code, out, _ = run("status")
    assert state.resume_at is not None
    assert abs(state.resume_at - (gett.now() + timedelta(minutes=15))) <= timedelta(seconds=2)
    assert code == 0
    side = "ahead of" if pc_off > timedelta(0) else "behind"
    assert "This PC's clock is" in out and side in out and "Gett's" in out


def test_a_clock_close_to_gett_says_nothing_about_it(
    tmp_path: Path, canary_keystore: OsKeyStore
) -> None:
    gett = FakeClock()
    pc = GettClock(FakeClock(gett.now() + timedelta(seconds=20)))
    with Simulator([STORE], CANARY, clock=gett) as sim:
        code, out, _ = Run(sim.base_url, tmp_path, canary_keystore, pc)("status", "--json")
    assert code == 0
    assert abs(json.loads(out)["clock_offset_seconds"] + 20) <= 2


def test_a_hostile_date_header_does_not_move_the_clock_to_year_9999() -> None:
    reply = Reply.json(200, {"status": "online"})
    reply.headers.append(("Date", "Fri, 31 Dec 9999 23:59:59 GMT"))
    clock = GettClock(FakeClock())
    with HostileServer(reply) as server, GettClient(server.base_url, CANARY, clock=clock) as c:
        assert c.get_status(STORE).is_online
    assert clock.offset == 0.0 and not clock.measured


# -- 7. a key Gett rejected once is released when Gett accepts it again -----------------------


def test_a_passing_401_does_not_hold_the_change_for_ever(
    api: Simulator, clock: FakeClock, tmp_path: Path, canary_keystore: OsKeyStore
) -> None:
    api.set_api_key(CANARY)
    api.faults.fail(401, count=1, method="POST")
    run = Run(api.base_url, tmp_path, canary_keystore, clock)
    code, _, err = run("pause", "--reason", "staff_shortage")
    assert code == 3, err
    assert api.state(STORE).is_online
    code, out, err = run("sync")
    assert code == 0, out + err
    assert "confirmed by Gett" in out
    assert api.state(STORE).is_paused


# -- 8. a certificate that cannot be verified needs a person, not endless retries ------------


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An https server on loopback whose certificate comes from a CA nobody trusts."""
    import http.server
    import ssl
    import threading

    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    ca_file = tmp_path / "corporate-root.pem"
    ca.cert_pem.write_to_path(str(ca_file))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"status": "online"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, name="tls-server")
    thread.start()
    yield f"https://localhost:{server.server_address[1]}", ca_file
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_an_untrusted_certificate_holds_the_change_and_says_what_it_to_do(
    tls_server: tuple[str, Path], tmp_path: Path, canary_keystore: OsKeyStore
) -> None:
    url, _ = tls_server
    clock = FakeClock()
    run = Run(url, tmp_path, canary_keystore, clock)
    code, _, err = run("pause", "--reason", "other")
    assert code == 5, err
    assert "certificate could not be verified" in err and "trust store" in err
    with Outbox(tmp_path / "data", clock=clock) as outbox:
        intent = outbox.open_intent(STORE)
    assert intent is not None and intent.state is IntentState.HELD
    code, _, err = run("status")
    assert code == 5 and "certificate" in err


def test_ssl_cert_file_trusts_a_corporate_root(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ca_file = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    with GettClient(url, CANARY) as client:
        assert client.get_status(STORE) == StoreStatus("online")


@pytest.mark.parametrize("saved", [3600.0, -3600.0])
def test_an_offset_saved_before_the_pc_clock_was_fixed_is_only_a_guess(
    saved: float, tmp_path: Path, canary_keystore: OsKeyStore
) -> None:
    """Learnt while the PC was an hour off, then NTP fixed the PC: the next `--for 15m` must
    still be 15 minutes at Gett (not 1 h 15 min, nor refused as already past)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / OFFSET_FILENAME).write_text(json.dumps({"offset_seconds": saved}))
    with Simulator([STORE], CANARY) as sim:  # the real clock on both sides
        env = {
            "KIOSK_CONFIG": str(tmp_path / "config.toml"),
            "KIOSK_API_URL": sim.base_url,
            "KIOSK_STORE_ID": STORE,
            "KIOSK_DATA_DIR": str(data),
        }
        out, err = io.StringIO(), io.StringIO()
        cli = Cli(keystore=canary_keystore, env=env, stdout=out, stderr=err)
        assert cli.run(["pause", "--reason", "too_busy", "--for", "15m"]) == 0, err.getvalue()
        state = sim.state(STORE)
    expected = datetime.now(UTC) + timedelta(minutes=15)
    assert state.resume_at is not None
    assert abs(state.resume_at - expected) < timedelta(seconds=10)
    assert abs(json.loads((data / OFFSET_FILENAME).read_text())["offset_seconds"]) < 5


def test_a_new_key_releases_held_changes_due_now_on_gett_time(
    tmp_path: Path, keystore: OsKeyStore
) -> None:
    """This PC is 30 minutes ahead of Gett (learnt earlier): the change a new key releases is
    due now for the app, which reads the queue on Gett's time, not in 30 minutes."""
    data = tmp_path / "data"
    gett = GettClock(offset=-1800.0)
    with Outbox(data, clock=gett) as box:
        box.enqueue(STORE, StoreStatusUpdate.pause(PauseReason.OTHER), origin="ui")
        claimed = box.claim_due()
        assert claimed is not None
        box.mark_terminal(claimed.id, IntentState.HELD, "rejected", "AuthRejected")
    (data / OFFSET_FILENAME).write_text(json.dumps({"offset_seconds": -1800.0}))
    env = {"KIOSK_CONFIG": str(tmp_path / "config.toml"), "KIOSK_DATA_DIR": str(data),
           "KIOSK_STORE_ID": STORE}  # fmt: skip
    out = io.StringIO()
    cli = Cli(keystore=keystore, env=env, stdin=io.StringIO(CANARY + "\n"), stdout=out)
    assert cli.run(["key", "set"]) == 0
    assert "1 waiting change" in out.getvalue()
    with Outbox(data, clock=gett) as box:
        assert box.claim_due() is not None  # the app would send it now
