"""First run: a short setup screen instead of an error when there is no store or key yet.

Built for a touch-only tablet: an on-screen keypad (hex for the store id, a full keyboard for
the key and the name) comes up under the form, "Test connection" stays in the top row above it
at 800x480, and there is a way out: Back when there is somewhere to go back to, otherwise Close,
which asks first (on a first run, closing leaves the kiosk unset, with nothing saved).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.config import Config
from kiosk.core.i18n import _
from kiosk.core.keystore import KeyStore
from kiosk.ui.keypad import Keypad
from kiosk.ui.settings_dialog import (
    CheckResult,
    ConnectionForm,
    FormError,
    check_connection,
    page_frame,
    scroll_page,
)
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import big_button, label


class SetupPage(QWidget):
    """Store id, API key and URL; then the PIN pad sets the manager PIN.

    Signals:
        completed(object, object): the new Config and the API key (None: keep the stored one).
        cancelled(): Back: leave without saving (only when there is a page to go back to).
        quit_requested(): the person confirmed closing the kiosk from the first-run set-up.
    """

    completed = Signal(object, object)
    cancelled = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        keystore: KeyStore,
        tasks: TaskRunner,
        tester: Callable[[KeyStore, str, str | None, str], CheckResult] = check_connection,
        parent: QWidget | None = None,
        theme: Theme | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("page", True)
        self._config = Config()
        self._can_go_back = False
        self._error_field: str | None = None
        self.keypad = Keypad()
        self.form = ConnectionForm(keystore, tasks, tester, keypad=self.keypad, theme=theme)
        title = label(_("Set up this kiosk"), "Title", name=_("Setup title"))
        intro = label(
            _(
                "A manager does this once. You need the store id and the API key from the Gett "
                "partner portal. The key is kept in this computer's secure keyring, never in a "
                "file."
            ),
            "Subtitle",
        )
        self.error = label("", "Error", name=_("Setup message"))
        self.error.hide()
        self.next_button = big_button(_("Next: manager PIN"), _("Next: choose a PIN"))
        self.next_button.setProperty("role", "primary")
        self.next_button.clicked.connect(self.on_next_button_clicked)
        self.leave_button = big_button(
            _("Close"), _("Close set-up"), role="quiet", theme=theme, icon="back"
        )
        self.leave_button.clicked.connect(self.on_leave_button_clicked)
        # Closing on a first run leaves the kiosk without a store: asked once more, in words.
        self.confirm = QFrame()
        self.confirm.setObjectName("Section")
        confirm_row = QHBoxLayout(self.confirm)
        confirm_row.setContentsMargins(12, 8, 12, 8)
        confirm_row.addWidget(
            label(
                _("Close the kiosk without setting it up? Nothing is saved."),
                "FormLabel",
                name=_("Close set-up question"),
            ),
            1,
        )
        keep = big_button(_("Keep setting up"), _("Keep setting up"), role="quiet")
        close = big_button(_("Close the kiosk"), _("Yes, close the kiosk"), role="danger")
        for button in (keep, close):
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            confirm_row.addWidget(button)
        keep.clicked.connect(self.confirm.hide)
        close.clicked.connect(self.quit_requested)
        self.confirm.hide()
        content = QWidget()
        body = QVBoxLayout(content)
        body.addWidget(title)
        body.addWidget(intro)
        body.addWidget(self.form)
        body.addStretch(1)
        head = QHBoxLayout()
        head.addWidget(self.leave_button)
        head.addWidget(self.form.test_button)
        head.addStretch(1)
        head.addWidget(self.next_button)
        self.scroll_area = scroll_page(content)
        messages = (self.confirm, self.error, self.form.test_result)
        page_frame(self, head, messages, self.scroll_area, self.keypad)
        self.form.edited.connect(self.on_form_edited)
        self.form.test_button.clicked.connect(self.hide_error)

    def load(self, config: Config, *, can_go_back: bool = False) -> None:
        """``can_go_back``: a page to return to (Back); otherwise Close asks, then quits."""
        self._config = config
        self._can_go_back = can_go_back
        self.form.load(config, key_stored=False)
        # A short hint that fits the field at 800x480 in every language (the command line's
        # way, `kiosk key set`, is for IT: in the tooltip and the README).
        self.form.api_key.setPlaceholderText(_("Paste the key from the Gett partner portal"))
        self.form.api_key.setToolTip(
            _("enter the API key (leave empty if `kiosk key set` already stored one)")
        )
        self.leave_button.setText(_("Back") if can_go_back else _("Close"))
        name = _("Back from set-up") if can_go_back else _("Close set-up")
        self.leave_button.setAccessibleName(name)
        self.confirm.hide()
        self.keypad.hide()
        self.hide_error()

    def show_error(self, message: str, field: str | None = None) -> None:
        self.form.clear_result()
        self._error_field = field
        self.error.setText(message)
        self.error.show()

    def hide_error(self) -> None:
        self._error_field = None
        self.error.setText("")
        self.error.hide()

    @Slot(str)
    def on_form_edited(self, field: str) -> None:
        """The error about a field goes once that field passes its check."""
        self.form.clear_result()
        if self._error_field is None or field != self._error_field:
            return
        try:
            self.form.apply(self._config)
        except FormError as exc:
            if exc.field == field:
                return
        self.hide_error()

    @Slot()
    def on_leave_button_clicked(self) -> None:
        self.keypad.hide()
        if self._can_go_back:
            self.cancelled.emit()
        else:
            self.confirm.show()

    @Slot()
    def on_next_button_clicked(self) -> None:
        try:
            config = self.form.apply(self._config)
        except FormError as exc:
            self.show_error(str(exc), exc.field)
            return
        self.hide_error()
        self.keypad.hide()
        self.completed.emit(config, self.form.new_key())
