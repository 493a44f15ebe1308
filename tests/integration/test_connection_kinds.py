"""A failed connection says what failed (refused, DNS, timeout, TLS), against real sockets."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from kiosk.core.client import GettClient
from kiosk.core.errors import ConnectionFailed, RequestTimedOut

STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
KEY = "sk_live_KINDS_0123456789"


def _client(url: str, connect: float = 0.5) -> GettClient:
    return GettClient(url, KEY, timeout=httpx.Timeout(2.0, connect=connect), env={})


@pytest.fixture
def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()  # nothing listens there now
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Listens (the kernel completes the TCP handshake) but never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield int(sock.getsockname()[1])
    sock.close()


@pytest.fixture
def plain_text_port() -> Iterator[int]:
    """Answers a TLS hello with plain HTTP: the handshake fails."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.1)  # so the fixture's end is noticed at once
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _addr = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            with conn:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(sock.getsockname()[1])
    stop.set()
    sock.close()
    thread.join(5)


def test_refused(closed_port: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with (  # (Windows retries a refused connect for ~2 s before it says so)
        _client(f"http://127.0.0.1:{closed_port}", connect=10) as client,
        pytest.raises(ConnectionFailed) as caught,
    ):
        client.get_status(STORE)
    assert caught.value.kind == "refused"
    assert "refused the connection" in str(caught.value)
    assert "failed: refused (ConnectError)" in caplog.text


def test_dns() -> None:
    # .invalid never resolves (RFC 6761), with or without a network.
    with _client("https://kiosk-test.invalid") as client, pytest.raises(ConnectionFailed) as caught:
        client.get_status(STORE)
    assert caught.value.kind == "dns"
    assert "(DNS)" in str(caught.value)


def test_timeout(silent_port: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with (
        _client(f"https://127.0.0.1:{silent_port}") as client,
        pytest.raises(RequestTimedOut) as caught,
    ):
        client.get_status(STORE)
    assert caught.value.kind == "timeout"
    assert "failed: timeout (ConnectTimeout" in caplog.text


def test_tls(plain_text_port: int) -> None:
    with (
        _client(f"https://127.0.0.1:{plain_text_port}") as client,
        pytest.raises(ConnectionFailed) as caught,
    ):
        client.get_status(STORE)
    assert caught.value.kind == "tls"
    assert "(TLS)" in str(caught.value)
