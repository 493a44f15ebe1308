"""The real kiosk app, started the way a store PC's login starts it, for test_unattended_boot.

Run in a fresh D-Bus session with the kiosk user's home: config from ``KIOSK_*``, the key from
the real OS keyring, the window offscreen. Prints one JSON line with what the screen shows once
it shows ONLINE, or a banner about the keyring, or when the deadline passes; then exits.

``boot_child DEADLINE --unlock-later``: a person arrives later. When the keyring banner shows,
the child unlocks the default keyring with the password in ``BOOT_LOGIN_PASSWORD`` (as typing
it into the desktop's prompt would), then waits for ONLINE; ``banner_seen`` tells what the
banner said meanwhile.
"""

from __future__ import annotations

import json
import os
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.core.config import load_config
from kiosk.core.keystore import OsKeyStore
from kiosk.ui.main_window import MainWindow
from kiosk.ui.view_model import StateKind


def unlock_default_keyring(password: str) -> None:
    """What a person typing the password does: gnome-keyring's unlock with that password."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import unwrap_msg

    conn = open_dbus_connection(bus="SESSION")
    try:

        def call(path: str, iface: str, method: str, sig: str, body: tuple[object, ...]) -> tuple:
            address = DBusAddress(path, bus_name="org.freedesktop.secrets", interface=iface)
            return tuple(
                unwrap_msg(conn.send_and_get_reply(new_method_call(address, method, sig, body)))
            )

        service = "/org/freedesktop/secrets"
        (default,) = call(service, "org.freedesktop.Secret.Service", "ReadAlias", "s", ("default",))
        _, session = call(
            service, "org.freedesktop.Secret.Service", "OpenSession", "sv", ("plain", ("s", ""))
        )
        call(
            service,
            "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
            "UnlockWithMasterPassword",
            "o(oayays)",
            (default, (session, b"", password.encode(), "text/plain")),
        )
    finally:
        conn.close()


def main() -> int:
    deadline = time.monotonic() + float(sys.argv[1])
    unlock_later = "--unlock-later" in sys.argv[2:]
    banner_seen: list[str] = []
    app = QApplication(sys.argv[:1])
    window = MainWindow(load_config(), OsKeyStore(), save_path=None)
    window.resize(800, 480)
    window.show()
    window.start()

    def look() -> None:
        screen = window.current_screen()
        if unlock_later and screen.banner is not None and not banner_seen:
            banner_seen.append(screen.banner.message)
            unlock_default_keyring(os.environ["BOOT_LOGIN_PASSWORD"])
        online = screen.indicator.kind is StateKind.ONLINE
        done = online if unlock_later else online or screen.banner is not None
        if done or time.monotonic() > deadline:
            print(
                json.dumps(
                    {
                        "kind": screen.indicator.kind.name,
                        "headline": screen.indicator.headline,
                        "banner": None if screen.banner is None else screen.banner.message,
                        "banner_title": None if screen.banner is None else screen.banner.title,
                        "seconds_left": round(deadline - time.monotonic(), 1),
                        "banner_seen": banner_seen[0] if banner_seen else None,
                    }
                ),
                flush=True,
            )
            app.quit()

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(50)
    app.exec()
    return 0 if window.shutdown() else 1


if __name__ == "__main__":
    sys.exit(main())
