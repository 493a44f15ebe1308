"""A pause with no end that has gone on a while: is the store meant to be closed all evening?"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from kiosk.core.i18n import N_, _
from kiosk.ui.overlay import Overlay
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import big_button


class ForgottenPauseReminder(Overlay):
    """Prominent, and it comes back after "Keep paused" until the store is resumed.

    Signals:
        resume_now_requested(): resume at once.
        keep_paused(): snooze the reminder.
    """

    resume_now_requested = Signal()
    keep_paused = Signal()

    def __init__(self, theme: Theme, parent: QWidget) -> None:
        super().__init__(theme, parent, name=N_("Forgotten pause reminder"), icon="bell")
        self.title.setText(_("The store is still paused"))
        resume = big_button(_("Resume now"), N_("Resume now (reminder)"), role="primary")
        keep = big_button(_("Keep paused"), N_("Keep paused (reminder)"), role="pause")
        self.add_button(resume)
        self.add_button(keep)
        resume.clicked.connect(self.on_resume_clicked)
        keep.clicked.connect(self.on_keep_clicked)

    def set_text(self, text: str) -> None:
        self.body.setText(text)

    def on_resume_clicked(self) -> None:
        self.hide()
        self.resume_now_requested.emit()

    def on_keep_clicked(self) -> None:
        self.hide()
        self.keep_paused.emit()
