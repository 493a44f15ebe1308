"""The quiet connection line, the offline banner, and the attention banner.

The line is always there and small; the banners appear only when something is wrong, in words
that say what happens next ("will be sent when the connection is back").
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from kiosk.core.i18n import N_, _
from kiosk.core.sync import Link
from kiosk.ui.theme import Theme
from kiosk.ui.view_model import ConnectionInfo
from kiosk.ui.widgets import big_button, label


class ConnectionLine(QLabel):
    """ "Connected to Gett · last confirmed 14:02"; a tap asks for a fresh read.

    Signals:
        refresh_requested(): the person tapped the line.
    """

    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConnectionLine")
        self.setAccessibleName(_("Connection"))
        self.setMinimumHeight(40)
        self.setWordWrap(True)

    def set_info(self, info: ConnectionInfo) -> None:
        dot = {Link.ONLINE: "●", Link.UNKNOWN: "○", Link.DEGRADED: "◐", Link.OFFLINE: "✕"}
        self.setText(f"{dot[info.link]} {info.line}")
        self.setAccessibleDescription(info.line)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.refresh_requested.emit()
        super().mousePressEvent(event)


class OfflineBanner(QFrame):
    """Shown only when Gett cannot be reached: what happens to changes, and how many wait."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OfflineBanner")
        self.setAccessibleName(_("Offline banner"))
        icon = QLabel()
        icon.setPixmap(theme.pixmap("offline", 36, "#FFFFFF"))
        self.text = label("", name=N_("Offline message"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.addWidget(icon)
        layout.addWidget(self.text, 1)
        self.hide()

    def set_info(self, info: ConnectionInfo) -> None:
        if info.banner is None:
            self.hide()
            return
        self.text.setText(info.banner)
        self.setAccessibleDescription(info.banner)
        self.show()


class AttentionBanner(QFrame):
    """A plain message for something a person must know, with OK and a way into Settings.

    Signals:
        settings_requested(): open Settings (through the PIN).
        dismissed(): the person tapped OK.
    """

    settings_requested = Signal()
    dismissed = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AttentionBanner")
        self.setAccessibleName(_("Attention"))
        icon = QLabel()
        icon.setPixmap(theme.pixmap("warning", 40, "#FFFFFF"))
        self.text = label("", name=N_("Attention message"))
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.ok = big_button(_("OK"), N_("Dismiss message"), role="quiet")
        self.ok.setMaximumWidth(120)
        self.settings = big_button(_("Settings"), N_("Open settings from message"), role="quiet")
        self.settings.setMaximumWidth(180)
        self.ok.clicked.connect(self.on_ok_clicked)
        self.settings.clicked.connect(self.on_settings_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.addWidget(icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.settings)
        layout.addWidget(self.ok)
        self.title = ""
        self.hide()

    def show_message(self, title: str, message: str) -> None:
        self.title = title
        self.text.setText(_("{title}. {message}").format(title=title, message=message))
        self.setAccessibleDescription(self.text.text())
        self.show()

    @Slot()
    def on_ok_clicked(self) -> None:
        self.hide()
        self.dismissed.emit()

    @Slot()
    def on_settings_clicked(self) -> None:
        self.hide()
        self.settings_requested.emit()
