"""The first of two taps to pause: why. Five big buttons with icons, no scrolling."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import QAbstractButton, QGridLayout, QSizePolicy, QToolButton, QWidget

from kiosk.core.models import PauseReason
from kiosk.ui.theme import Theme
from kiosk.ui.view_model import REASON_ICONS
from kiosk.ui.widgets import regrid

SHORT_LABELS: dict[PauseReason, str] = {
    PauseReason.OPERATIONAL_ISSUES: "Operational\nissues",
    PauseReason.STAFF_SHORTAGE: "Staff\nshortage",
    PauseReason.TOO_BUSY: "Too busy",
    PauseReason.MAINTENANCE: "Maintenance",
    PauseReason.OTHER: "Other",
}


class ReasonPicker(QWidget):
    """Five reason buttons in a grid of ``columns``.

    Signals:
        reason_chosen(object): the PauseReason tapped.
    """

    reason_chosen = Signal(object)

    def __init__(self, theme: Theme, *, columns: int = 5, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[PauseReason, QAbstractButton] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(10)
        for reason in PauseReason:
            # Icon above the words: the whole width is left for "Operational issues".
            button = QToolButton()
            button.setText(SHORT_LABELS[reason])
            button.setAccessibleName(f"Pause: {reason.label}")
            button.setObjectName(f"reason_{reason.value}")
            button.setProperty("role", "reason")
            button.setIcon(theme.icon(REASON_ICONS[reason], "#111111", 32))
            button.setIconSize(QSize(32, 32))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setFocusPolicy(
                Qt.FocusPolicy.TabFocus
            )  # keyboard, not taps: no frame after a touch
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.setMinimumSize(64, 96)
            button.clicked.connect(lambda _=False, r=reason: self.on_reason_button_clicked(r))
            self.buttons[reason] = button
        self.set_columns(columns)

    def set_columns(self, columns: int) -> None:
        if columns == getattr(self, "_columns", None):
            return
        self._columns = columns
        regrid(self._grid, list(self.buttons.values()), columns)

    @Slot(object)
    def on_reason_button_clicked(self, reason: PauseReason) -> None:
        self.reason_chosen.emit(reason)
