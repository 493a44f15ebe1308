"""A loopback stand-in for Gett's Store Status API, for ``--demo`` mode, tests and fault drills.

It speaks real HTTP/1.1 (keep-alive, exact ``Content-Length``) so the kiosk's real client and
its error handling are exercised end to end. It behaves as the project's API notes (NOTES.md)
describe the real API: Bearer auth, RFC 7807 problems, strict checking of what is sent,
auto-resume at ``resumeAt``, and a store that others can change behind the kiosk's back.
Pausing an already paused store keeps its ``pausedAt``; the store keeps the new reason and
``resumeAt``.

API (as Gett's)::

    GET  /v1/commerce/stores/{storeId}/status              -> 200 StoreStatus
    POST /v1/commerce/stores/{storeId}/status  StoreStatusUpdate -> 200 StoreStatus

Control endpoints (no auth, JSON in and out, never subject to faults)::

    GET    /_sim/                       this list
    GET    /_sim/stores                 {"stores": {"<id>": StoreStatus, ...}}
    GET    /_sim/stores/{id}            StoreStatus
    POST   /_sim/stores/{id}/status     a change made elsewhere (Gett's portal), no checks:
                                        {"status": "paused", "reason": "other",
                                         "resumeAt": "2026-01-15T14:00:00Z"}
                                        (pausedAt defaults to now when paused)
    GET    /_sim/faults                 {"faults": [...armed faults...]}
    POST   /_sim/faults                 arm one fault, e.g. {"kind": "fail", "status": 503}
                                        (all kinds: see kiosk/simulator/faults.py)
    DELETE /_sim/faults                 clear all faults, release hanging requests
    POST   /_sim/down                   {"seconds": 5}: refuse connections, then come back
    GET    /_sim/requests               {"requests": [...log of API requests...]}
    DELETE /_sim/requests               forget the log
    POST   /_sim/key                    {"apiKey": "new-key"}: the old key stops working

Example: ``curl -X POST localhost:8787/_sim/faults -d '{"kind": "rate_limit", "retryAfter": 30}'``.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import math
import re
import selectors
import socket
import socketserver
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime as format_http_date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from kiosk import __version__
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.models import StoreState, StoreStatus, format_datetime
from kiosk.simulator import problems
from kiosk.simulator.faults import Fault, FaultKind, Faults, FaultSpecError, Plan
from kiosk.simulator.validation import parse_store_status, parse_update

log = logging.getLogger("kiosk.simulator")

#: The store the ``--demo`` mode and ``kiosk simulator`` serve unless told otherwise.
DEMO_STORE_ID = "80570ca0-21aa-4143-95e4-257b97084d2c"
#: The key the demo simulator accepts by default. Not a secret.
DEMO_API_KEY = "demo-key"

_STATUS_PATH = re.compile(r"/v1/commerce/stores/(?P<store>[^/]+)/status")
_CONTROL_STORE = re.compile(r"/_sim/stores/(?P<store>[^/]+)(?P<status>/status)?")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_MAX_BODY = 64 * 1024
_CONTROL_INDEX = [
    "GET /_sim/",
    "GET /_sim/stores",
    "GET /_sim/stores/{id}",
    "POST /_sim/stores/{id}/status",
    "GET /_sim/faults",
    "POST /_sim/faults",
    "DELETE /_sim/faults",
    "POST /_sim/down",
    "GET /_sim/requests",
    "DELETE /_sim/requests",
    "POST /_sim/key",
]
_JOIN_TIMEOUT = 5.0


def canonical_store_id(store_id: str) -> str:
    """Lower-case UUID text; raises ValueError for anything that is not a UUID."""
    if not _UUID.fullmatch(store_id):
        raise ValueError(f"not a UUID: {store_id!r}")
    return store_id.lower()


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One API request as the simulator saw it (``/_sim/`` requests are not recorded)."""

    method: str
    path: str
    status: int | None  # None: no answer was sent (dropped, hung, aborted)
    body: Any  # the request body parsed as JSON; None if empty or not JSON
    fault: str | None  # the injected fault that shaped the answer, if any
    request_id: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "body": self.body,
            "fault": self.fault,
            "requestId": self.request_id,
            "at": format_datetime(self.at),
        }


class RequestLog:
    """Thread-safe log of handled API requests that tests can wait on instead of sleeping."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._items: list[RecordedRequest] = []

    def append(self, record: RecordedRequest) -> None:
        with self._cond:
            self._items.append(record)
            self._cond.notify_all()

    def snapshot(self) -> list[RecordedRequest]:
        with self._cond:
            return list(self._items)

    def clear(self) -> None:
        with self._cond:
            self._items.clear()

    def wait_for(self, predicate: Callable[[list[RecordedRequest]], bool], timeout: float) -> bool:
        """Block until ``predicate(snapshot)`` holds; False if ``timeout`` seconds pass first."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(list(self._items)), timeout)

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.snapshot())

    def __getitem__(self, index: int) -> RecordedRequest:
        with self._cond:
            return self._items[index]


@dataclass(slots=True)
class _Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    close: bool = False


class Simulator:
    """Gett's Store Status API on a loopback port, with faults on demand.

    Collaborators are injected: ``clock`` decides "now" for pausedAt, auto-resume and the
    resumeAt-in-the-future check, so tests move time with a fake clock instead of sleeping.
    Real time is used only for waiting (latency, hangs, ``down_for``).
    """

    def __init__(
        self,
        stores: Iterable[str],
        api_key: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
    ) -> None:
        self._clock: Clock = clock or SystemClock()
        self._host = host
        self._port = port
        self._lock = threading.Lock()  # guards stores and key
        self._stores = {canonical_store_id(s): StoreStatus(StoreState.ONLINE) for s in stores}
        self._api_key = api_key
        self.faults = Faults(on_clear=self._release_held)
        self.requests = RequestLog()
        self._lifecycle = threading.RLock()  # guards everything below
        self._server: _Server | None = None
        self._serve_thread: threading.Thread | None = None
        self._epoch = 0  # bumped by every down/up, so a stale down_for timer does nothing
        self._revivals: list[threading.Thread] = []
        self._started = False
        self._stopped = threading.Event()
        self._up = threading.Event()
        self._conn_lock = threading.Lock()  # guards connections
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._held_cond = threading.Condition()  # guards held and release_epoch
        self._held: set[threading.Event] = set()  # one per request held by latency or a hang
        self._release_epoch = 0  # bumped by every release, so a late-comer does not wait

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Listen and serve in background threads; returns once connections are accepted."""
        with self._lifecycle:
            if self._started:
                raise RuntimeError("a Simulator can be started only once")
            self._started = True
            self._bring_up()
        log.info("simulator listening on %s", self.base_url)

    def stop(self) -> None:
        """Close every socket and join every thread; safe to call twice or before start."""
        with self._lifecycle:
            if self._stopped.is_set():
                return
            self._stopped.set()
        self._take_down(keep=None)
        with self._lifecycle:
            revivals, self._revivals = self._revivals, []
        for thread in revivals:
            thread.join(_JOIN_TIMEOUT)
        with self._conn_lock:
            handlers = list(self._connections.values())
        for thread in handlers:
            thread.join(_JOIN_TIMEOUT)
            if thread.is_alive():
                log.warning("simulator handler %s did not finish", thread.name)

    def go_down(self) -> None:
        """Stop listening and cut open connections: clients get "connection refused"."""
        self._take_down(keep=None)

    def come_back(self) -> None:
        """Listen again on the same port after ``go_down``; a no-op if already up."""
        with self._lifecycle:
            if not self._started or self._stopped.is_set():
                raise RuntimeError("the simulator is not running")
            if self._server is None:
                self._bring_up()

    def down_for(self, seconds: float) -> None:
        """Go down now and come back by itself after ``seconds`` of real time."""
        self._down_for(seconds, keep=None)

    def wait_until_up(self, timeout: float) -> bool:
        """Block until listening (e.g. after ``down_for``); False on timeout."""
        return self._up.wait(timeout)

    @property
    def is_up(self) -> bool:
        return self._up.is_set()

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        """The port; the real one once started (also when ``port=0`` was asked for)."""
        return self._port

    @property
    def base_url(self) -> str:
        if not self._started:
            raise RuntimeError("the simulator has no address until start()")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    # --- state, for tests and the control endpoints -----------------------------------------

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def store_ids(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._stores)

    @property
    def api_key(self) -> str:
        with self._lock:
            return self._api_key

    def set_api_key(self, key: str) -> None:
        """Replace the accepted key, e.g. to revoke the kiosk's key in the middle of a test."""
        with self._lock:
            self._api_key = key

    def state(self, store_id: str) -> StoreStatus:
        """What a GET would answer now (auto-resume applied); KeyError for an unknown store."""
        with self._lock:
            return self._current(canonical_store_id(store_id))

    def states(self) -> dict[str, StoreStatus]:
        with self._lock:
            return {store: self._current(store) for store in self._stores}

    def set_state(self, store_id: str, status: StoreStatus) -> None:
        """A change made elsewhere (Gett's portal, support): stored verbatim, nothing checked.

        Unknown status or reason strings and online-with-leftover-fields go out as given, so
        the kiosk's leniency on read can be tested.
        """
        store = canonical_store_id(store_id)
        with self._lock:
            if store not in self._stores:
                raise KeyError(store_id)
            self._stores[store] = status

    def remove_store(self, store_id: str) -> None:
        """Make the store unknown (404), as if it were removed from the account."""
        with self._lock:
            del self._stores[canonical_store_id(store_id)]

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        """Block until at least ``count`` API requests were handled; False on timeout."""
        return self.requests.wait_for(lambda items: len(items) >= count, timeout)

    def wait_for_held(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Block until ``count`` requests are being held by latency or a hang; False on timeout.

        Lets a test act while a request is surely stuck (e.g. stop the simulator under it).
        """
        with self._held_cond:
            return self._held_cond.wait_for(lambda: len(self._held) >= count, timeout)

    # --- internals: lifecycle ---------------------------------------------------------------

    def _bring_up(self) -> None:
        """Bind and serve; the lifecycle lock is held."""
        server = _Server((self._host, self._port), self)
        self._port = server.server_address[1]
        thread = threading.Thread(target=server.serve, name=f"simulator-{self._port}", daemon=True)
        self._server, self._serve_thread = server, thread
        self._epoch += 1
        thread.start()
        self._up.set()

    def _take_down(self, keep: socket.socket | None) -> None:
        """Close the listener and cut every connection but ``keep``; wake waiting handlers."""
        with self._lifecycle:
            server, thread = self._server, self._serve_thread
            if server is None or thread is None:
                return
            self._server = self._serve_thread = None
            self._epoch += 1
            self._up.clear()
            server.wake()
            thread.join()
            server.server_close()
        self._release_held()
        with self._conn_lock:
            sockets = [s for s in self._connections if s is not keep]
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # never close(): the handler thread owns it
        log.info("simulator down")

    def _down_for(self, seconds: object, keep: socket.socket | None) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError(f"'seconds' must be a number, got {seconds!r}")
        if not math.isfinite(seconds) or seconds <= 0:
            raise ValueError(f"'seconds' must be finite and above 0, got {seconds!r}")
        with self._lifecycle:
            if self._stopped.is_set():
                return
            self._take_down(keep)
            epoch = self._epoch

            def revive() -> None:
                if self._stopped.wait(seconds):
                    return
                with self._lifecycle:
                    if self._stopped.is_set() or self._epoch != epoch:
                        return
                    try:
                        self._bring_up()
                    except OSError:
                        log.exception("simulator could not come back on port %s", self._port)
                        return
                log.info("simulator back up on %s", self.base_url)

            thread = threading.Thread(target=revive, name="simulator-revive", daemon=True)
            self._revivals = [t for t in self._revivals if t.is_alive()]
            self._revivals.append(thread)
            thread.start()

    def _register(self, sock: socket.socket, thread: threading.Thread) -> None:
        with self._conn_lock:
            self._connections[sock] = thread

    def _unregister(self, sock: socket.socket) -> None:
        with self._conn_lock:
            self._connections.pop(sock, None)

    def _hold(self, seconds: float | None, epoch: int) -> None:
        """Hold a request up to ``seconds`` (None: forever) until released by clear/down/stop.

        ``epoch`` is ``_release_epoch`` from before the request took its faults: if a release
        came in between, the request is not held at all.
        """
        event = threading.Event()
        with self._held_cond:
            if epoch != self._release_epoch:
                return
            self._held.add(event)
            self._held_cond.notify_all()
        try:
            event.wait(seconds)
        finally:
            with self._held_cond:
                self._held.discard(event)

    def _release_held(self) -> None:
        with self._held_cond:
            self._release_epoch += 1
            for event in self._held:
                event.set()

    # --- internals: the API -----------------------------------------------------------------

    def _current(self, store: str) -> StoreStatus:
        """The store's state with auto-resume applied; the lock is held."""
        status = self._stores[store]
        if status.resume_at is not None and status.resume_at <= self._clock.now():
            status = StoreStatus(StoreState.ONLINE)
            self._stores[store] = status
            log.info("store %s auto-resumed", store)
        return status

    def _problem(
        self,
        status: int,
        detail: str,
        path: str,
        request_id: str,
        headers: Iterable[tuple[str, str]] = (),
    ) -> _Response:
        body = problems.problem(
            status, detail, instance=path, request_id=request_id, timestamp=self._clock.now()
        )
        content_type = problems.PROBLEM_CONTENT_TYPE
        return _Response(status, problems.encode(body), content_type, list(headers))

    def _api(
        self, method: str, path: str, authorization: str | None, body: bytes, request_id: str
    ) -> _Response:
        """Answer one API request as Gett would, faults aside."""
        match = _STATUS_PATH.fullmatch(path)
        if match is None:
            return self._problem(404, f"No route matches {path}.", path, request_id)
        if method not in ("GET", "POST"):
            return self._problem(
                405,
                f"{method} is not allowed here; use GET or POST.",
                path,
                request_id,
                headers=[("Allow", "GET, POST")],
            )
        auth_error = self._auth_error(authorization)
        if auth_error is not None:
            return self._problem(
                401, auth_error, path, request_id, headers=[("WWW-Authenticate", "Bearer")]
            )
        raw_store = unquote(match["store"])
        if not _UUID.fullmatch(raw_store):
            return self._problem(
                400,
                f"Path parameter 'storeId' must be a UUID, got {raw_store!r}.",
                path,
                request_id,
            )
        store = raw_store.lower()
        with self._lock:
            if store not in self._stores:
                return self._problem(
                    404, f"Store {raw_store} was not found for this API key.", path, request_id
                )
            if method == "GET":
                return _json_response(self._current(store).to_json())
            now = self._clock.now()
            update = parse_update(body, now)
            if isinstance(update, str):
                return self._problem(400, update, path, request_id)
            current = self._current(store)
            if update.status == StoreState.ONLINE:
                new = StoreStatus(StoreState.ONLINE)
            else:
                # Pausing again keeps the original pausedAt: the store has been paused since then.
                keep = current.is_paused and current.paused_at is not None
                paused_at = current.paused_at if keep else now
                new = StoreStatus(StoreState.PAUSED, update.reason, paused_at, update.resume_at)
            self._stores[store] = new
            return _json_response(new.to_json())

    def _auth_error(self, header: str | None) -> str | None:
        if not header:
            return "No Authorization header was sent; expected 'Bearer <API key>'."
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return "The Authorization header must have the form 'Bearer <API key>'."
        with self._lock:
            key = self._api_key
        if not hmac.compare_digest(token.encode("utf-8"), key.encode("utf-8")):
            return "The API key is not valid (it may have been revoked)."
        return None

    def _fault_response(self, fault: Fault, path: str, request_id: str) -> _Response:
        """The answer for a fault that stops a request before the store (fail, rate_limit)."""
        headers = list(fault.headers)
        if fault.kind == FaultKind.RATE_LIMIT:
            value = fault.retry_after
            if fault.http_date and isinstance(value, int):
                value = _http_date(self._clock.now() + timedelta(seconds=value))
            headers.append(("Retry-After", str(value)))
            return self._problem(
                429, f"Rate limit exceeded; retry after {value}.", path, request_id, headers=headers
            )
        if fault.body is not None:
            return _Response(fault.status, fault.body, fault.content_type, headers)
        return self._problem(
            fault.status,
            "Simulated failure (an injected fault).",
            path,
            request_id,
            headers=headers,
        )

    # --- internals: control endpoints -------------------------------------------------------

    def _control(self, method: str, path: str, body: bytes, connection: socket.socket) -> _Response:
        """Answer a ``/_sim/`` request (see the module doc); ``connection`` is the caller's."""
        request_id = str(uuid.uuid4())

        def bad(status: int, detail: str, headers: Iterable[tuple[str, str]] = ()) -> _Response:
            return self._problem(status, detail, path, request_id, headers)

        def only(*allowed: str) -> _Response | None:
            if method in allowed:
                return None
            allow = [("Allow", ", ".join(allowed))]
            return bad(405, f"{method} is not allowed here.", headers=allow)

        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            return bad(400, "The request body is not valid JSON.")
        if path in ("/_sim", "/_sim/"):
            return only("GET") or _json_response({"endpoints": _CONTROL_INDEX})
        if path == "/_sim/stores":
            states = {store: status.to_json() for store, status in self.states().items()}
            return only("GET") or _json_response({"stores": states})
        if match := _CONTROL_STORE.fullmatch(path):
            try:
                store = canonical_store_id(unquote(match["store"]))
                if match["status"]:
                    if refusal := only("POST"):
                        return refusal
                    self.set_state(store, parse_store_status(data, self._clock.now()))
                elif refusal := only("GET"):
                    return refusal
                return _json_response(self.state(store).to_json())
            except KeyError:
                return bad(404, f"No store {match['store']}.")
            except ValueError as exc:
                return bad(400, str(exc))
        if path == "/_sim/faults":
            if refusal := only("GET", "POST", "DELETE"):
                return refusal
            if method == "POST":
                try:
                    self.faults.add(data)
                except FaultSpecError as exc:
                    return bad(400, str(exc))
                return _json_response({"faults": self.faults.pending()}, status=201)
            if method == "DELETE":
                self.faults.clear()
            return _json_response({"faults": self.faults.pending()})
        if path == "/_sim/down":
            if refusal := only("POST"):
                return refusal
            seconds = data.get("seconds") if isinstance(data, dict) else None
            try:
                # Down before answering, so whoever reads the answer finds the port closed.
                self._down_for(seconds, keep=connection)
            except ValueError as exc:
                return bad(400, str(exc))
            return _json_response({"down": True, "seconds": seconds}, status=202, close=True)
        if path == "/_sim/requests":
            if refusal := only("GET", "DELETE"):
                return refusal
            if method == "DELETE":
                self.requests.clear()
            return _json_response({"requests": [r.to_json() for r in self.requests]})
        if path == "/_sim/key":
            if refusal := only("POST"):
                return refusal
            key = data.get("apiKey") if isinstance(data, dict) else None
            if not isinstance(key, str) or not key:
                return bad(400, "Field 'apiKey' must be a non-empty string.")
            self.set_api_key(key)
            return _json_response({"ok": True})
        return bad(404, f"No control endpoint {path}; GET /_sim/ lists them.")


class _Server(ThreadingHTTPServer):
    """One listening socket's lifetime; a new one is made for every come-back."""

    timeout = 0  # handle_request() is called only once select() found a connection waiting

    def __init__(self, address: tuple[str, int], sim: Simulator) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.sim = sim
        self.going_down = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        try:
            super().__init__(address, _Handler)
        except BaseException:
            self._wake_r.close()
            self._wake_w.close()
            raise

    def serve(self) -> None:
        """Accept connections until wake(); unlike serve_forever it never polls, so going down
        takes no time."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self.going_down.is_set():
                ready = selector.select()
                if self.going_down.is_set() or any(k.fileobj is self._wake_r for k, _ in ready):
                    return
                self.handle_request()

    def wake(self) -> None:
        """Make serve() return; the caller joins its thread, then calls server_close()."""
        self.going_down.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    def server_close(self) -> None:
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can stall; skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """Serve each connection in a daemon thread the simulator can find and join."""
        assert isinstance(request, socket.socket)
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name=f"simulator-conn-{client_address[1] if client_address else '?'}",
            daemon=True,
        )
        self.sim._register(request, thread)
        thread.start()

    def _serve_connection(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            self.sim._unregister(request)

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            log.debug("simulator connection error: %s", exc)
        else:
            log.exception("simulator handler failed")


class _Handler(BaseHTTPRequestHandler):
    """Reads one request at a time off a keep-alive connection and lets faults shape the answer."""

    protocol_version = "HTTP/1.1"
    server_version = f"GettSimulator/{__version__}"
    sys_version = ""
    timeout = 60  # an idle keep-alive connection is closed after this many seconds
    disable_nagle_algorithm = True
    server: _Server

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header on the simulator's clock, as Gett's answers carry Gett's time (the
        kiosk learns from it how far the PC's clock is off)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        now = self.server.sim.clock.now().astimezone(UTC).replace(microsecond=0)
        return format_http_date(now, usegmt=True)

    def handle_one_request(self) -> None:
        # As BaseHTTPRequestHandler's, but every method goes to one dispatcher, and a socket cut
        # by go_down/stop just ends the connection quietly.
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._dispatch()
            self.wfile.flush()
        except OSError as exc:  # includes timeouts and connections reset or cut by go_down
            log.debug("simulator connection ended: %s", exc)
            self.close_connection = True

    def _dispatch(self) -> None:
        sim = self.server.sim
        method = self.command
        path = urlsplit(self.path).path or "/"
        body = self._read_body()
        if body is None:
            return
        if path == "/_sim" or path.startswith("/_sim/"):
            response = sim._control(method, path, body, self.connection)
            log.debug("%s %s -> %s", method, path, response.status)
            self._send(response, request_id=None)
            return

        request_id = str(uuid.uuid4())
        epoch = sim._release_epoch  # before taking faults: see Simulator._hold
        plan = sim.faults.take(method) if path.startswith("/v1/") else Plan()
        fault = plan.fault
        fault_name = fault.kind.value if fault is not None else None
        if plan.latency > 0:
            fault_name = fault_name or FaultKind.LATENCY.value
            sim._hold(plan.latency, epoch)
            if self.server.going_down.is_set():
                self._record(path, body, None, fault_name, request_id)
                self.close_connection = True
                return

        if fault is not None and fault.kind == FaultKind.DROP:
            self._record(path, body, None, fault_name, request_id)
            self.close_connection = True
            return
        if fault is not None and fault.kind in (FaultKind.FAIL, FaultKind.RATE_LIMIT):
            response = sim._fault_response(fault, path, request_id)
        else:
            response = sim._api(method, path, self.headers.get("Authorization"), body, request_id)
            if fault is not None and fault.kind == FaultKind.MALFORMED:
                response = _Response(200, fault.body or b"", fault.content_type)
            elif fault is not None and fault.kind == FaultKind.APPLY_THEN_HANG:
                self._record(path, body, None, fault_name, request_id)
                sim._hold(fault.seconds, epoch)
                self.close_connection = True
                return
        self._record(path, body, response.status, fault_name, request_id)
        self._send(response, request_id)

    def _read_body(self) -> bytes | None:
        """The request body; None if it cannot be read (an answer has been sent then)."""
        if self.headers.get("Transfer-Encoding"):
            self._send(_plain_problem(411, "Send the body with a Content-Length."), None)
            return None
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b""
        try:
            length = int(raw)
            if length < 0:
                raise ValueError(raw)
        except ValueError:
            self._send(_plain_problem(400, "Content-Length is not a number."), None)
            return None
        if length > _MAX_BODY:
            self._send(_plain_problem(413, f"The body is over {_MAX_BODY} bytes."), None)
            return None
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            return None
        return body

    def _record(
        self, path: str, body: bytes, status: int | None, fault: str | None, request_id: str
    ) -> None:
        """Log the request before its answer goes out, so a test that got the answer sees it."""
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        sim = self.server.sim
        sim.requests.append(
            RecordedRequest(self.command, path, status, parsed, fault, request_id, sim.clock.now())
        )
        outcome = "no answer" if status is None else str(status)
        log.info(
            "%s %s -> %s%s [%s]",
            self.command,
            path,
            outcome,
            f" (fault: {fault})" if fault else "",
            request_id,
        )

    def _send(self, response: _Response, request_id: str | None) -> None:
        self.send_response(response.status)
        if response.content_type is not None:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        if request_id is not None:
            self.send_header("zp-rid", request_id)  # the gateway's request-id header
        for name, value in response.headers:
            self.send_header(name, value)
        if response.close:
            self.send_header("Connection", "close")  # also sets close_connection
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are logged by _record, without headers; nothing to do here."""

    def log_message(self, format: str, *args: Any) -> None:
        log.info("simulator: " + format, *args)


def _json_response(body: object, status: int = 200, *, close: bool = False) -> _Response:
    return _Response(status, problems.encode(body), problems.JSON_CONTENT_TYPE, close=close)


def _plain_problem(status: int, detail: str) -> _Response:
    """A problem for a request too broken to route; closes the connection, which is unsynced."""
    body = {
        "type": "about:blank",
        "title": problems.status_title(status),
        "status": status,
        "detail": detail,
    }
    return _Response(status, problems.encode(body), problems.PROBLEM_CONTENT_TYPE, close=True)


def _http_date(when: datetime) -> str:
    """RFC 9110 HTTP-date, rounded up so it is never earlier than asked for."""
    utc = when.astimezone(UTC)
    if utc.microsecond:
        utc = utc.replace(microsecond=0) + timedelta(seconds=1)
    return format_http_date(utc, usegmt=True)
