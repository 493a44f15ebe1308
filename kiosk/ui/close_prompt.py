"""Closing the kiosk app is asked for once more, on screen: a tap by mistake must not take the
store's pause buttons away. Drawn over the window like the other prompts (never behind it)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from kiosk.core.i18n import _
from kiosk.ui.overlay import Overlay
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import big_button


class ClosePrompt(Overlay):
    """Signals:
    confirmed(): close the app now (a manager meant it).
    """

    confirmed = Signal()

    def __init__(self, theme: Theme, parent: QWidget) -> None:
        super().__init__(theme, parent, name="Close the app?", icon="warning")
        self.title.setText(_("Close the kiosk app?"))
        self.body.setText(
            _(
                "Nobody can pause or resume the store on this screen until it starts again at "
                "the next login. Changes still waiting are kept and sent then."
            )
        )
        keep = big_button(_("Keep it running"), "Keep the app running", role="primary")
        close = big_button(_("Close the app"), "Close the app (confirm)", role="danger")
        self.add_button(keep)
        self.add_button(close)
        keep.clicked.connect(self.hide)
        close.clicked.connect(self.on_close_clicked)

    def on_close_clicked(self) -> None:
        self.hide()
        self.confirmed.emit()
