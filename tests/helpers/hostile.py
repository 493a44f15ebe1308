"""A loopback HTTP server of the test suite's own that answers whatever a test scripts: it
echoes the key, drips bytes, lies about the state, sends edge dates and odd headers.

It writes raw bytes to the socket, so a test controls every byte of the status line, the
headers and the body (the project's simulator is well behaved by design; this one is not).
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Seen:
    """One request as it arrived."""

    request_line: str
    headers: dict[str, str]
    body: bytes

    @property
    def authorization(self) -> str:
        return self.headers.get("authorization", "")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Reply:
    """What to answer. ``body`` may be a function of the request (to echo what was sent)."""

    status: int = 200
    body: bytes | Callable[[Seen], bytes] = b'{"status": "online"}'
    headers: list[tuple[str, str]] = field(
        default_factory=lambda: [("Content-Type", "application/json")]
    )
    reason: str = "OK"
    drip: float = 0.0  # seconds between bytes of the answer
    drip_body_only: bool = False  # status line and headers at once, then the body drips

    @classmethod
    def json(cls, status: int, data: object, **kwargs: Any) -> Reply:
        return cls(status=status, body=json.dumps(data).encode(), **kwargs)


class HostileServer:
    """Answers each request with the next scripted :class:`Reply` (the last one repeats)."""

    def __init__(self, *replies: Reply) -> None:
        self.replies: list[Reply] = list(replies) or [Reply()]
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                outer._handle(self.rfile, self.connection)

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hung up mid-drip is the point of many tests

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="hostile-http")

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies = list(replies)

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_reply(self) -> Reply:
        with self._lock:
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def _handle(self, rfile: Any, conn: socket.socket) -> None:
        conn.settimeout(10)
        request_line = rfile.readline(65537).decode("latin-1").strip()
        if not request_line:
            return
        headers: dict[str, str] = {}
        while True:
            line = rfile.readline(65537).decode("latin-1")
            if line in ("\r\n", "\n", ""):
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        body = rfile.read(length) if length else b""
        seen = Seen(request_line, headers, body)
        with self._lock:
            self.seen.append(seen)
        reply = self._next_reply()
        payload = reply.body(seen) if callable(reply.body) else reply.body
        head = [f"HTTP/1.1 {reply.status} {reply.reason}"]
        head += [f"{name}: {value}" for name, value in reply.headers]
        if not any(name.lower() == "content-length" for name, _ in reply.headers):
            head.append(f"Content-Length: {len(payload)}")
        head.append("Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", "replace") + payload
        try:
            if reply.drip <= 0:
                conn.sendall(data)
                return
            start = len(data) - len(payload) if reply.drip_body_only else 0
            conn.sendall(data[:start])
            for i in range(start, len(data)):
                if self._stopping.wait(reply.drip):
                    return
                conn.sendall(data[i : i + 1])
        except OSError:
            return


def echo_request(seen: Seen) -> bytes:
    """Problem Details that repeat everything the client sent, Authorization included."""
    return json.dumps(
        {
            "type": f"https://example.test/{seen.authorization}",
            "title": f"Unauthorized: {seen.authorization}",
            "status": 401,
            "detail": f"The key {seen.authorization.removeprefix('Bearer ')} is not valid",
            "instance": seen.request_line,
            "headers": seen.headers,
            "trace": {"requestId": seen.authorization.removeprefix("Bearer ")},
        }
    ).encode()


def serving(*replies: Reply) -> Iterator[HostileServer]:
    """For fixtures: a started server, stopped afterwards."""
    server = HostileServer(*replies).start()
    try:
        yield server
    finally:
        server.stop()
