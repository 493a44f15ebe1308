"""Lines for the systemd journal, over its native socket: no library, no ``logger`` process.

One datagram per entry to ``/run/systemd/journal/socket`` in the journal's native protocol
(``FIELD=value`` lines; a value with a newline in the binary form). Where there is no journal
(Windows, macOS, a container without systemd) :func:`send` returns False and the caller logs once
that it is skipped. The Windows Event Log is left out: writing to it needs an event source
registered by an administrator (the installer), or lines appear as "description not found".
"""

from __future__ import annotations

import os
import socket
import struct

SOCKET_PATH = "/run/systemd/journal/socket"
IDENTIFIER = "gett-store-kiosk"
#: syslog priorities
INFO, NOTICE, WARNING, ERR = 6, 5, 4, 3


def encode(fields: dict[str, str]) -> bytes:
    """The native protocol: ``NAME=value\\n``, or ``NAME\\n<64-bit LE length><value>\\n``."""
    out = bytearray()
    for name, value in fields.items():
        data = value.encode("utf-8", "replace")
        if b"\n" in data:
            out += name.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"
        else:
            out += name.encode() + b"=" + data + b"\n"
    return bytes(out)


def send(message: str, priority: int = INFO, *, path: str = SOCKET_PATH, **extra: str) -> bool:
    """One journal entry; False if there is no journal to send to (nothing raised)."""
    if not hasattr(socket, "AF_UNIX"):
        return False
    fields = {
        "MESSAGE": message,
        "PRIORITY": str(priority),
        "SYSLOG_IDENTIFIER": IDENTIFIER,
        "SYSLOG_PID": str(os.getpid()),
    }
    fields.update({k.upper(): v for k, v in extra.items() if k.replace("_", "").isalnum()})
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.settimeout(1.0)  # a journal that does not read must not stall the app
            sock.sendto(encode(fields), path)
    except OSError:
        return False
    return True
