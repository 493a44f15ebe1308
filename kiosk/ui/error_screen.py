"""What the touchscreen shows when the kiosk cannot start (e.g. a bad config file at autostart).

Started from a login script, stderr is seen by nobody: the reason must be on the screen.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.i18n import N_, _

#: (English, marked: translated when the window is built.)
TITLE = N_("The kiosk cannot start")
HINT = N_(
    "A manager or IT must fix this, then restart the kiosk. "
    "The store's status on Gett is unchanged."
)


def display_available() -> bool:
    """Whether a person could see a window (not offscreen, not a Linux box with no display)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in ("offscreen", "minimal", "vnc"):
        return False
    if platform or not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def build_error_window(message: str) -> QMainWindow:
    window = QMainWindow()
    body = QWidget()
    window.setCentralWidget(body)
    window.setWindowTitle(_("Gett Store Kiosk"))
    window.setAccessibleName(_("Kiosk cannot start"))
    window.setStyleSheet(
        "QWidget { background: #7A1C1C; color: #FFFFFF; }"
        "QLabel#Title { font-size: 44px; font-weight: 900; }"
        "QLabel#Message { font-size: 26px; font-weight: 600; }"
        "QLabel#Hint { font-size: 22px; }"
        "QPushButton { background: #FFFFFF; color: #111111; font-size: 24px; font-weight: 700;"
        " min-height: 72px; border-radius: 12px; padding: 0 32px; }"
    )
    title = QLabel(_("⚠ {title}").format(title=_(TITLE)))
    title.setObjectName("Title")
    text = QLabel(message)
    text.setObjectName("Message")
    text.setAccessibleName(_("Reason"))
    hint = QLabel(_(HINT))
    hint.setObjectName("Hint")
    close = QPushButton(_("Close"))
    close.setAccessibleName(_("Close"))
    close.clicked.connect(window.close)
    layout = QVBoxLayout(body)
    layout.setContentsMargins(48, 48, 48, 48)
    layout.setSpacing(24)
    for label in (title, text, hint):
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(label)
    layout.addStretch(1)
    layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignCenter)
    window.resize(1280, 800)
    return window


def run_error_screen(message: str) -> None:
    """Show the reason full-screen-sized until someone closes it."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = build_error_window(message)
    window.showMaximized()
    app.exec()
