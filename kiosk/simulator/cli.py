"""``kiosk simulator``: serve the simulated API until Ctrl-C or SIGTERM.

The kiosk's CLI owns the subcommand; this module only adds the options and runs the server.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TypeAlias

from kiosk.simulator.server import DEMO_API_KEY, DEMO_STORE_ID, Simulator, canonical_store_id

DEFAULT_PORT = 8787

_Restore: TypeAlias = Callable[[], None]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s; anything but loopback is exposed)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--store",
        dest="stores",
        metavar="UUID",
        action="append",
        type=_store_id,
        help=f"a store id to serve; repeatable (default: the demo store {DEMO_STORE_ID})",
    )
    parser.add_argument(
        "--key",
        default=DEMO_API_KEY,
        metavar="KEY",
        help="the API key to accept as 'Bearer KEY' (default: %(default)s)",
    )


def run(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Serve until SIGINT/SIGTERM (or ``stop`` is set); 0 on a clean stop, 1 if it cannot listen.

    Signal handlers can only be installed from the main thread; elsewhere, pass ``stop``.
    """
    stores: list[str] = args.stores or [DEMO_STORE_ID]
    if not _is_loopback(args.host):
        print(
            f"warning: listening on {args.host}, not loopback: anyone who can reach it can "
            "change the simulated stores, without a key on /_sim/",
            file=sys.stderr,
        )
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    sim = Simulator(stores, args.key, host=args.host, port=args.port)
    try:
        sim.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    stop = stop or threading.Event()
    restore = _on_signals(stop)
    try:
        key = f"key '{args.key}'" if args.key == DEMO_API_KEY else "the key given with --key"
        print(
            f"Gett API simulator at {sim.base_url} ({key}; stores {', '.join(stores)}); "
            f"control endpoints: GET {sim.base_url}/_sim/; Ctrl-C to stop",
            flush=True,
        )
        while not stop.wait(1.0):  # a timeout keeps Ctrl-C prompt where signals do not wake waits
            pass
    except KeyboardInterrupt:
        pass
    finally:
        restore()
        sim.stop()
    return 0


def _on_signals(stop: threading.Event) -> _Restore:
    """Make SIGINT and SIGTERM set ``stop``; returns what puts the old handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, got {port}")
    return port


def _store_id(text: str) -> str:
    try:
        return canonical_store_id(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a store id must be a UUID, got {text!r}") from None
