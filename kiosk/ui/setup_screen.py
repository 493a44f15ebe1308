"""First run: a short setup screen instead of an error when there is no store or key yet."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.config import Config, ConfigError
from kiosk.core.keystore import KeyStore
from kiosk.ui.settings_dialog import CheckResult, ConnectionForm, check_connection, scroll_page
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.widgets import big_button, label


class SetupPage(QWidget):
    """Store id, API key and URL; then the PIN pad sets the manager PIN.

    Signals:
        completed(object, object): the new Config and the API key (None: keep the stored one).
    """

    completed = Signal(object, object)

    def __init__(
        self,
        keystore: KeyStore,
        tasks: TaskRunner,
        tester: Callable[[KeyStore, str, str | None, str], CheckResult] = check_connection,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("page", True)
        self._config = Config()
        self.form = ConnectionForm(keystore, tasks, tester)
        title = label("Set up this kiosk", "Title", wrap=False, name="Setup title")
        intro = label(
            "A manager does this once. You need the store id and the API key from the Gett "
            "partner portal. The key is kept in this computer's secure keyring, never in a file.",
            "Subtitle",
        )
        self.error = label("", "Error", name="Setup message")
        self.error.hide()
        self.next_button = big_button("Next: choose a manager PIN", "Next: choose a PIN")
        self.next_button.setProperty("role", "primary")
        self.next_button.setMaximumWidth(420)
        self.next_button.clicked.connect(self.on_next_button_clicked)
        content = QWidget()
        body = QVBoxLayout(content)
        body.addWidget(intro)
        body.addWidget(self.form)
        body.addStretch(1)
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(head)
        layout.addWidget(self.error)
        layout.addWidget(scroll_page(content), 1)

    def load(self, config: Config) -> None:
        self._config = config
        self.form.load(config, key_stored=False)
        self.form.api_key.setPlaceholderText(
            "enter the API key (leave empty if `kiosk key set` already stored one)"
        )
        self.error.hide()

    @Slot()
    def on_next_button_clicked(self) -> None:
        try:
            config = self.form.apply(self._config)
        except ConfigError as exc:
            self.error.setText(str(exc).replace("configuration, ", ""))
            self.error.show()
            return
        self.error.hide()
        self.completed.emit(config, self.form.new_key())
