"""About two minutes before Gett auto-resumes the store: still the plan?"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from kiosk.core.i18n import N_, _, ltr
from kiosk.ui.overlay import Overlay
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import big_button


class HeadsUp(Overlay):
    """Asks before the auto-resume; shown once per pause.

    Signals:
        keep_paused_requested(): push the resume time back by 15 minutes.
        resume_now_requested(): resume at once.
        dismissed(): resume as planned.
    """

    keep_paused_requested = Signal()
    resume_now_requested = Signal()
    dismissed = Signal()

    def __init__(self, theme: Theme, parent: QWidget) -> None:
        super().__init__(theme, parent, name=N_("Resume heads-up"), icon="bell")
        self.title.setText(_("Back online soon"))
        planned = big_button(_("Resume as\nplanned"), N_("Resume as planned"))
        keep = big_button(
            # TRANSLATORS: {amount} is "+15", kept whole and left to right in any language.
            _("Keep paused\n{amount} min").format(amount=ltr("+15")),
            N_("Keep paused 15 more minutes"),
            role="pause",
        )
        now = big_button(_("Resume\nnow"), N_("Resume now (heads-up)"), role="primary")
        for button in (planned, keep, now):
            self.add_button(button)
        planned.clicked.connect(self.on_planned_clicked)
        keep.clicked.connect(self.on_keep_clicked)
        now.clicked.connect(self.on_now_clicked)

    def set_text(self, text: str) -> None:
        self.body.setText(text)

    def on_planned_clicked(self) -> None:
        self.hide()
        self.dismissed.emit()

    def on_keep_clicked(self) -> None:
        self.hide()
        self.keep_paused_requested.emit()

    def on_now_clicked(self) -> None:
        self.hide()
        self.resume_now_requested.emit()
