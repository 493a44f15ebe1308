"""Night mode: a dark veil over the whole window when the status screen is left alone.

It only dims (the state stays faintly readable through it); it decides nothing: the screen state
says when (:meth:`~kiosk.ui.screen_state.ScreenState.dim_due`), and a touch, a key or anything
that needs attention lifts it. The touch that wakes the screen is taken by the veil, so it never
presses the button under the finger.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from kiosk.core.i18n import _

#: How dark: the state is still visible through it across a dark kitchen.
VEIL_ALPHA = 190


class NightVeil(QWidget):
    """Covers its parent while shown; painted black at ``VEIL_ALPHA``."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("NightVeil")
        self.setAccessibleName(_("Night mode"))
        self.setAccessibleDescription(_("The screen is dimmed. Touch it to wake it."))
        parent.installEventFilter(self)
        self.hide()

    def set_dimmed(self, dimmed: bool) -> None:
        if dimmed == self.isVisible():
            return
        if dimmed:
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
            self.show()
            self.raise_()
        else:
            self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, VEIL_ALPHA))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
        return False


__all__ = ["VEIL_ALPHA", "NightVeil"]
