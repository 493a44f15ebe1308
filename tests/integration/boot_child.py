"""The real kiosk app, started the way a store PC's login starts it, for test_unattended_boot.

Run in a fresh D-Bus session with the kiosk user's home: config from ``KIOSK_*``, the key from
the real OS keyring, the window offscreen. Prints one JSON line with what the screen shows once
it shows ONLINE, or a banner about the keyring, or when the deadline passes; then exits.
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.core.config import load_config
from kiosk.core.keystore import OsKeyStore
from kiosk.ui.main_window import MainWindow
from kiosk.ui.view_model import StateKind


def main() -> int:
    deadline = time.monotonic() + float(sys.argv[1])
    app = QApplication(sys.argv[:1])
    window = MainWindow(load_config(), OsKeyStore(), save_path=None)
    window.resize(800, 480)
    window.show()
    window.start()

    def look() -> None:
        screen = window.current_screen()
        done = screen.indicator.kind is StateKind.ONLINE or screen.banner is not None
        if done or time.monotonic() > deadline:
            print(
                json.dumps(
                    {
                        "kind": screen.indicator.kind.name,
                        "headline": screen.indicator.headline,
                        "banner": None if screen.banner is None else screen.banner.message,
                        "seconds_left": round(deadline - time.monotonic(), 1),
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
