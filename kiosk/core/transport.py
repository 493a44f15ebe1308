"""How a request reaches Gett: within one total deadline, and through a proxy only where safe.

httpx's timeouts are per socket operation, so a server dripping a byte a second never times
out. Every socket operation here (connect, TLS handshake, each write and read) gets at most
what is left of the request's total deadline, so no request outlives it: one change is never in
flight twice, and a command never hangs.

Proxies come from the environment (``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``), as corporate
store networks need, but only for https: the tunnel keeps the API key encrypted. Plain http is
allowed only to this machine (the simulator), and loopback never goes through a proxy, which
would otherwise see the key in clear text.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from kiosk.core.i18n import _, ltr
from kiosk.core.netloc import is_loopback_host

#: The monotonic time by which the current request must be over, or None for no deadline.
_DEADLINE: ContextVar[float | None] = ContextVar("kiosk_request_deadline", default=None)


class ProxyUnusable(ValueError):
    """The environment names a proxy this kiosk cannot use; the message says which and why."""


def _remaining(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the request's total deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._stream.start_tls(
                ssl_context, server_hostname, _remaining(timeout, httpcore.ConnectTimeout)
            )
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._backend.connect_tcp(
                host,
                port,
                _remaining(timeout, httpcore.ConnectTimeout),
                local_address,
                socket_options,
            )
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._backend.connect_unix_socket(
                path, _remaining(timeout, httpcore.ConnectTimeout), socket_options
            )
        )

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every socket operation inside must end within ``seconds`` from now, all told."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def connection_kind(exc: BaseException) -> str:
    """What a connection failure was, from the exception and its causes (httpx wraps
    httpcore's, which wraps the socket's): ``refused`` (nothing listens), ``dns`` (the name
    was not found), ``timeout``, ``tls`` (the handshake failed), ``reset`` (dropped), ``proxy``
    (the proxy refused the tunnel) or ``other``. IT acts differently on each."""
    cause: BaseException | None = exc
    for _hop in range(8):
        if cause is None:
            break
        if isinstance(cause, ConnectionRefusedError):
            return "refused"
        if isinstance(cause, socket.gaierror):
            return "dns"
        if isinstance(cause, TimeoutError | httpx.TimeoutException | httpcore.TimeoutException):
            return "timeout"
        if isinstance(cause, ssl.SSLError):
            return "tls"
        if isinstance(cause, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
            return "reset"
        if isinstance(cause, httpx.ProxyError | httpcore.ProxyError):
            return "proxy"
        if isinstance(cause, httpx.RemoteProtocolError | httpcore.RemoteProtocolError):
            return "reset"
        cause = cause.__cause__ or cause.__context__
    return "other"


def proxy_for(url: str, env: Mapping[str, str]) -> str | None:
    """The proxy a request to ``url`` goes through, from the environment, or None.

    Never for loopback or plain http. Raises :class:`ProxyUnusable` for a proxy setting that
    cannot work (not http/https, no host): better a clear sentence than a silent direct try.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "https" or is_loopback_host(host):
        return None
    proxies = {k.lower(): v for k, v in _environment_proxies(env).items()}
    if _bypassed(host, proxies.get("no", "")):
        return None
    proxy = proxies.get("https") or proxies.get("all")
    if not proxy:
        return None
    name = "HTTPS_PROXY" if proxies.get("https") else "ALL_PROXY"
    try:
        proxy_parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        proxy_host = proxy_parts.hostname
        proxy_parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ProxyUnusable(
            _("The proxy in {variable} is not a valid URL.").format(variable=ltr(name))
        ) from None
    if proxy_parts.scheme not in ("http", "https") or not proxy_host:
        raise ProxyUnusable(
            _(
                "The proxy in {variable} must be an http:// or https:// proxy URL with a host "
                "name (SOCKS proxies are not supported)."
            ).format(variable=ltr(name))
        )
    return proxy_parts.geturl()


def _bypassed(host: str, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` names the host: ``*``, a name or a domain suffix (with or without a
    leading dot, with or without a port), an IP address or an IP network (CIDR)."""
    host = host.lower().strip("[]")
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        try:
            if ipaddress.ip_address(host) in ipaddress.ip_network(entry.strip("[]"), strict=False):
                return True
            continue
        except ValueError:
            pass
        entry = entry.rsplit(":", 1)[0] if entry.count(":") == 1 else entry
        entry = entry.lstrip(".")
        if entry and (host == entry or host.endswith("." + entry)):
            return True
    return False


def _environment_proxies(env: Mapping[str, str]) -> dict[str, str]:
    """``urllib``'s reading of ``*_proxy`` variables, from ``env`` rather than the process."""
    found: dict[str, str] = {}
    for name, value in env.items():
        lower = name.lower()
        if value and lower.endswith("_proxy"):
            found[lower[: -len("_proxy")]] = value
    for name, value in env.items():  # lower-case names win, as in urllib and curl
        if value and name.endswith("_proxy") and name.islower():
            found[name[: -len("_proxy")]] = value
    return found


def make_transport(url: str, ssl_context: ssl.SSLContext, env: Mapping[str, str]) -> Transport:
    """The transport for a client of ``url``: total deadlines, and the proxy :func:`proxy_for`
    allows (``ProxyUnusable`` propagates)."""
    return Transport(verify=ssl_context, proxy=proxy_for(url, env), trust_env=False)


class Transport(httpx.HTTPTransport):
    """httpx's own transport, with every socket operation bounded by :func:`deadline`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        pool = self._pool
        backend = getattr(pool, "_network_backend", None)
        if not isinstance(backend, httpcore.NetworkBackend):  # pragma: no cover - httpx pinned
            raise RuntimeError("this httpcore version does not let us bound request time")
        pool._network_backend = _DeadlineBackend(backend)
