"""The first of two taps to pause: why. Five big buttons with icons, no scrolling."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import QAbstractButton, QGridLayout, QSizePolicy, QToolButton, QWidget

from kiosk.core.i18n import _, pgettext
from kiosk.core.models import PauseReason
from kiosk.core.words import reason_text
from kiosk.ui.theme import Theme
from kiosk.ui.view_model import REASON_ICONS
from kiosk.ui.widgets import regrid


def short_label(reason: PauseReason) -> str:
    """A reason button's words, in the language shown (a button's own words: the context
    keeps them apart from the reason in a sentence, which has no line break)."""
    return {
        PauseReason.OPERATIONAL_ISSUES: pgettext("reason button", "Operational\nissues"),
        PauseReason.STAFF_SHORTAGE: pgettext("reason button", "Staff\nshortage"),
        PauseReason.TOO_BUSY: pgettext("reason button", "Too busy"),
        PauseReason.MAINTENANCE: pgettext("reason button", "Maintenance"),
        PauseReason.OTHER: pgettext("reason button", "Other"),
    }[reason]


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
        self.retranslate()
        self.set_columns(columns)

    def retranslate(self) -> None:
        """Every word of the picker, in the language shown (the one place they are set)."""
        for reason, button in self.buttons.items():
            button.setText(short_label(reason))
            button.setAccessibleName(_("Pause: {reason}").format(reason=reason_text(reason)))

    def set_columns(self, columns: int) -> None:
        if columns == getattr(self, "_columns", None):
            return
        self._columns = columns
        regrid(self._grid, list(self.buttons.values()), columns)

    @Slot(object)
    def on_reason_button_clicked(self, reason: PauseReason) -> None:
        self.reason_chosen.emit(reason)
