"""The kiosk window on its first-run set-up page, in a real X window, for test_keypad_x11.py.

The test taps it with xdotool (real X pointer events through the xcb plugin) and asks it, one
line on stdin each, where a control is and what the fields hold:

    where NAME   ->  "X Y" (the screen centre of the visible control with that accessible name)
                     or "none"
    state        ->  one JSON line: the fields, the key's echo mode, the keypad, geometry
    quit         ->  closes the window and exits 0
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSocketNotifier
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QWidget

from kiosk.core.config import Config, UiSettings
from kiosk.core.keystore import MemoryKeyStore
from kiosk.ui.main_window import MainWindow


def centre(widget: QWidget) -> str:
    """The middle of the part of ``widget`` on screen (a field half scrolled away, or under
    the keypad, is tapped where a finger can reach it), or "none"."""
    visible = widget.visibleRegion().boundingRect()
    if visible.isEmpty():
        return "none"
    point = widget.mapToGlobal(visible.center())
    return f"{point.x()} {point.y()}"


def inside(window: QWidget, widget: QWidget) -> bool:
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    return widget.isVisible() and window.rect().contains(rect)


def main() -> int:
    width, height = int(sys.argv[1]), int(sys.argv[2])
    data = Path(sys.argv[3])
    app = QApplication(sys.argv[:1])
    config = Config(api_url="http://127.0.0.1:9", data_dir=data, ui=UiSettings(fullscreen=False))
    window = MainWindow(
        config,
        MemoryKeyStore(None),
        save_path=data / "config.toml",
        size=(width, height),
        tap_guard_seconds=0.0,  # the test waits for nothing; a person's taps are slower anyway
    )
    window.move(0, 0)
    window.show()
    window.start()
    window.activateWindow()
    page = window.setup_page

    def answer(line: str) -> str:
        command, _, arg = line.partition(" ")
        if command == "where":
            for widget in window.findChildren(QWidget):
                named = isinstance(widget, QAbstractButton | QLineEdit)
                if named and widget.accessibleName() == arg and widget.isVisible():
                    return centre(widget)
            return "none"
        if command == "state":
            form = page.form
            return json.dumps(
                {
                    "page": str(window.current_page()),
                    "store_id": form.store_id.text(),
                    "store_name": form.store_name.text(),
                    "api_key": form.api_key.text(),
                    "key_shown": form.api_key.echoMode() is QLineEdit.EchoMode.Normal,
                    "key_display": form.api_key.displayText(),
                    "keypad": page.keypad.isVisible(),
                    "keypad_in_window": inside(window, page.keypad),
                    "test_in_window": inside(window, form.test_button),
                    "next_in_window": inside(window, page.next_button),
                    "window": [window.width(), window.height()],
                }
            )
        if command == "quit":
            window.close_for_good()
            app.quit()
            return "bye"
        return "unknown"

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)

    def on_stdin() -> None:
        line = sys.stdin.readline()
        if not line:  # the test went away
            window.close_for_good()
            app.quit()
            return
        sys.stdout.write(answer(line.strip()) + "\n")
        sys.stdout.flush()

    notifier.activated.connect(on_stdin)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    sys.exit(main())
