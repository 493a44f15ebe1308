"""A card over the whole window with a dimmed backdrop, for prompts that must not be missed.

Drawn inside the main window (not a separate window), so in full-screen kiosk mode it can never
end up behind the app, and it never blocks the event loop the way ``QDialog.exec`` would.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.core.i18n import _
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import label


class Overlay(QWidget):
    """Covers its parent; subclasses fill ``self.buttons`` and set the texts."""

    def __init__(
        self, theme: Theme, parent: QWidget, *, name: str, icon: str, icon_colour: str = "#111111"
    ) -> None:
        super().__init__(parent)
        self.setObjectName("OverlayScrim")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # ``name``: English, marked with N_ by the subclass; the parts are named after it.
        shown = _(name)
        self.setAccessibleName(shown)
        self.card = QFrame(self)
        self.card.setObjectName("OverlayCard")
        self.card.setAccessibleName(_("{name} card").format(name=shown))
        self.icon = QLabel()
        self.icon.setPixmap(theme.pixmap(icon, 72, icon_colour))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = label("", "Title", name=_("{name} title").format(name=shown))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = label("", "Body", name=_("{name} text").format(name=shown))
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(12)
        inner = QVBoxLayout(self.card)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.setSpacing(12)
        inner.addWidget(self.icon)
        inner.addWidget(self.title)
        inner.addWidget(self.body)
        inner.addSpacing(8)
        inner.addLayout(self.buttons)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.card, 12)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        parent.installEventFilter(self)
        self.hide()

    def add_button(self, button: QPushButton) -> QPushButton:
        button.setMinimumHeight(88)
        self.buttons.addWidget(button)
        return button

    def popup(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
        return False
