"""A Secret Service that never answers, for test_keyring_remote: it owns the bus name on a
private D-Bus session (so keyring takes it for a working keyring) and never reads a message,
as a gnome-keyring stuck on a prompt or a hung provider does. While it holds the name it runs
``python -m kiosk ARGS`` and prints one JSON line: the exit code, stderr and the seconds taken.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection


def main() -> None:
    conn = open_dbus_connection(bus="SESSION")
    reply = conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.secrets"), timeout=5)
    assert reply.body == (1,), reply.body  # DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", *sys.argv[1:]],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    seconds = time.monotonic() - started
    print(json.dumps({"code": result.returncode, "err": result.stderr, "seconds": seconds}))
    conn.close()


if __name__ == "__main__":
    main()
