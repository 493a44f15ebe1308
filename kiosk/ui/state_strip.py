"""A thin strip on every page but home: the store's state in words and colour, so a menu left
open never hides whether the store is ONLINE or PAUSED."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from kiosk.core.i18n import _, isolate
from kiosk.ui.screen_state import Screen
from kiosk.ui.theme import Theme
from kiosk.ui.view_model import Fill, Indicator

STRIP_ICON_PX = 28


class StateStrip(QFrame):
    """Draws the big panel's indicator in one line."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._shown: tuple[str, Indicator] | None = None
        self.setObjectName("StateStrip")
        self.setAccessibleName(_("State strip"))
        self.icon = QLabel()
        self.icon.setAccessibleName(_("State strip icon"))
        self.icon.setFixedSize(STRIP_ICON_PX, STRIP_ICON_PX)
        self.text = QLabel()
        self.text.setObjectName("StateStripText")
        self.text.setAccessibleName(_("State strip text"))
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 4, 14, 4)
        layout.setSpacing(10)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)

    def show_screen(self, screen: Screen) -> None:
        ind = screen.indicator
        if self._shown == (screen.title, ind):
            return
        self._shown = (screen.title, ind)
        if screen.title:
            store = isolate(screen.title)
            shown = _("{store}: {state}  ·  {detail}")
            read = _("{store}: {state}. {detail}")
        else:
            store, shown, read = "", _("{state}  ·  {detail}"), _("{state}. {detail}")
        values = {"store": store, "state": ind.headline, "detail": ind.subheadline}
        self.text.setText(shown.format(**values))
        self.setAccessibleDescription(read.format(**values))
        palette = ind.palette
        border = "dashed" if ind.fill is Fill.STRIPED else "solid"
        self.setStyleSheet(
            f"QFrame#StateStrip {{ background: {palette.background}; "
            f"border-bottom: 4px {border} {palette.accent}; }}"
            f"QLabel {{ color: {palette.foreground}; background: transparent; }}"
        )
        self.icon.setPixmap(
            self._theme.pixmap(
                ind.icon, STRIP_ICON_PX, palette.foreground, self.devicePixelRatioF()
            )
        )
