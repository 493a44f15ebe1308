"""Settings, behind the manager PIN: store, API, key, timings, reason defaults, full screen.

The API key goes straight to the keyring (off the UI thread) and is only ever shown masked; the
config file never holds it. "Test connection" asks Gett for the store's status and says what it
found in words.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

import httpx
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.client import GettClient, api_key_problem
from kiosk.core.config import Config, ConfigError, Store, check_url, check_uuid
from kiosk.core.errors import ApiError
from kiosk.core.keystore import KeyStore, KeyStoreError
from kiosk.core.models import PauseReason
from kiosk.core.words import format_duration, status_word
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import big_button, label

T = TypeVar("T")

POLL_CHOICES: tuple[float, ...] = (10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 120.0, 300.0)
REMINDER_CHOICES: tuple[int, ...] = (10, 15, 20, 30, 45, 60, 90, 120, 180)
REASON_CHOICES: tuple[int | None, ...] = (None, 15, 30, 45, 60, 90, 120, 180)


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    message: str


def check_connection(keystore: KeyStore, url: str, key: str | None, store_id: str) -> CheckResult:
    """One GET of the store's status with the given (or stored) key. Runs off the UI thread."""
    try:
        key = key or keystore.get()
    except KeyStoreError as exc:
        return CheckResult(False, str(exc))
    if not key:
        return CheckResult(False, "No API key: enter the key from the Gett partner portal.")
    try:
        with GettClient(url, key, timeout=httpx.Timeout(8.0, connect=5.0)) as client:
            status = client.get_status(store_id)
    except ApiError as exc:
        return CheckResult(False, str(exc))
    return CheckResult(True, f"Connected. Gett says the store is {status_word(status)}.")


class ChoiceStepper(QWidget, Generic[T]):
    """− value + : picks from a short list without a keyboard or a tiny spin box."""

    def __init__(self, name: str, choices: Sequence[T], text: Callable[[T], str], value: T) -> None:
        super().__init__()
        self._choices = list(choices)
        self._text = text
        self._index = 0
        self.minus = big_button("−", f"{name}: less", role="digit")
        self.plus = big_button("+", f"{name}: more", role="digit")
        for button in (self.minus, self.plus):
            button.setFixedWidth(80)
        self.value_label = label("", "Preview", wrap=False, name=name)
        self.value_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.value_label.setMinimumWidth(190)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.minus)
        layout.addWidget(self.value_label)
        layout.addWidget(self.plus)
        self.minus.clicked.connect(lambda: self.step(-1))
        self.plus.clicked.connect(lambda: self.step(1))
        self.set_value(value)

    def set_value(self, value: T) -> None:
        if value not in self._choices:
            self._choices.append(value)
            self._choices.sort(key=_order)
        self._index = self._choices.index(value)
        self._show()

    def value(self) -> T:
        return self._choices[self._index]

    def step(self, delta: int) -> None:
        self._index = max(0, min(len(self._choices) - 1, self._index + delta))
        self._show()

    def _show(self) -> None:
        self.value_label.setText(self._text(self.value()))
        self.minus.setEnabled(self._index > 0)
        self.plus.setEnabled(self._index < len(self._choices) - 1)


def _order(value: object) -> float:
    return -1.0 if not isinstance(value, int | float) else float(value)


def _minutes_text(value: int | None) -> str:
    return "until resumed" if value is None else format_duration(value * 60)


class ConnectionForm(QWidget):
    """Store id and name, API URL, API key (masked, never read back), and a connection test."""

    def __init__(
        self,
        keystore: KeyStore,
        tasks: TaskRunner,
        tester: Callable[[KeyStore, str, str | None, str], CheckResult] = check_connection,
    ) -> None:
        super().__init__()
        self._keystore = keystore
        self._tasks = tasks
        self._tester = tester
        self.store_id = self._line("Store id", "e.g. 3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c")
        self.store_name = self._line("Store name", "e.g. Main Street")
        self.api_url = self._line("API URL", "https://api.gett-tech.com")
        self.api_key = self._line("API key", "enter the key from the Gett partner portal")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.test_button = big_button("Test connection", "Test connection", role="quiet")
        self.test_result = label("", "Hint", name="Connection test result")
        self.other_stores = label("", "Hint", name="Other stores")
        self.other_stores.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        for row, (text, field) in enumerate(
            (
                ("Store id", self.store_id),
                ("Store name", self.store_name),
                ("API URL", self.api_url),
                ("API key", self.api_key),
            )
        ):
            grid.addWidget(label(text, "FormLabel", wrap=False), row, 0)
            grid.addWidget(field, row, 1)
        grid.addWidget(self.other_stores, 4, 1)
        grid.addWidget(self.test_button, 5, 0)
        grid.addWidget(self.test_result, 5, 1)
        grid.setColumnStretch(1, 1)
        self.test_button.clicked.connect(self.on_test_button_clicked)

    @staticmethod
    def _line(name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def load(self, config: Config, *, key_stored: bool | None = None) -> None:
        store = config.stores[0] if config.stores else None
        self.store_id.setText(store.id if store else "")
        self.store_name.setText(store.name if store else "")
        others = config.stores[1:]
        # These fields edit the first store only; saving keeps the others as they are.
        self.other_stores.setText(
            "Other stores: edit the config file ("
            + ", ".join(s.name for s in others)
            + "). They are kept when you save."
            if others
            else ""
        )
        self.other_stores.setVisible(bool(others))
        self.api_url.setText(config.api_url)
        self.api_key.clear()
        self.api_key.setPlaceholderText(
            "•••••••• stored (type a new key to replace it)"
            if key_stored
            else "enter the key from the Gett partner portal"
        )
        self.test_result.setText("")

    def new_key(self) -> str | None:
        return self.api_key.text().strip() or None

    def apply(self, config: Config) -> Config:
        """The config with this form's values; raises ConfigError with a fixable message."""
        key = self.new_key()
        problem = api_key_problem(key) if key else None
        if problem:
            raise ConfigError(f"The API key is not usable: {problem}", field="API key")
        sid = self.store_id.text().strip()
        if not sid:
            raise ConfigError("Enter the store id from the Gett partner portal.", field="Store id")
        check_uuid(sid, "Store id", None)
        name = self.store_name.text().strip() or "My store"
        url = check_url(self.api_url.text().strip(), "API URL", None)
        canonical = str(uuid.UUID(sid))
        others = tuple(s for s in config.stores[1:] if s.id != canonical)
        return replace(config, api_url=url, stores=(Store(canonical, name), *others))

    @Slot()
    def on_test_button_clicked(self) -> None:
        url = self.api_url.text().strip()
        sid = self.store_id.text().strip()
        try:
            check_url(url, "API URL", None)
            check_uuid(sid, "Store id", None)
        except ConfigError as exc:
            self._show_result(CheckResult(False, str(exc)))
            return
        self.test_button.setEnabled(False)
        self.test_result.setObjectName("Hint")
        self.test_result.setText("Testing…")
        key, keystore, tester = self.new_key(), self._keystore, self._tester
        self._tasks.run(lambda: tester(keystore, url, key, sid), self._on_test_done)

    def _on_test_done(self, result: object, error: BaseException | None) -> None:
        self.test_button.setEnabled(True)
        if isinstance(result, CheckResult):
            self._show_result(result)
        else:
            self._show_result(CheckResult(False, f"The test failed: {error}"))

    def _show_result(self, result: CheckResult) -> None:
        self.test_result.setObjectName("Ok" if result.ok else "Error")
        self.test_result.setText(result.message)
        style = self.test_result.style()
        style.unpolish(self.test_result)
        style.polish(self.test_result)


def scroll_page(content: QWidget) -> QScrollArea:
    """A page that scrolls by finger on small screens (the scroll bar is wide enough to hit)."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(content)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
    return area


def section(title: str, body: QWidget) -> QFrame:
    frame = QFrame()
    frame.setObjectName("Section")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 12, 16, 12)
    layout.addWidget(label(title, "Title", wrap=False))
    layout.addWidget(body)
    return frame


class SettingsPage(QWidget):
    """The manager's page.

    Signals:
        save_requested(object, object): the new Config and a new API key (or None).
        cancelled(): leave without saving.
        change_pin_requested(): set a new PIN.
        quit_requested(): close the kiosk app.
    """

    save_requested = Signal(object, object)
    cancelled = Signal()
    change_pin_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        theme: Theme,
        keystore: KeyStore,
        tasks: TaskRunner,
        tester: Callable[[KeyStore, str, str | None, str], CheckResult] = check_connection,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("page", True)
        self._config = Config()
        self.form = ConnectionForm(keystore, tasks, tester)
        self.poll = ChoiceStepper[float](
            "Check Gett every", POLL_CHOICES, lambda s: f"{s:g} s", 30.0
        )
        self.reminder = ChoiceStepper[int](
            "Remind after", REMINDER_CHOICES, lambda m: format_duration(m * 60), 30
        )
        self.reason_steppers: dict[PauseReason, ChoiceStepper[int | None]] = {}
        timing = QWidget()
        tgrid = QGridLayout(timing)
        tgrid.setContentsMargins(0, 0, 0, 0)
        tgrid.addWidget(label("Check Gett every", "FormLabel"), 0, 0)
        tgrid.addWidget(self.poll, 0, 1)
        tgrid.addWidget(label("Remind about a pause with no end after", "FormLabel"), 1, 0)
        tgrid.addWidget(self.reminder, 1, 1)
        reasons = QWidget()
        rgrid = QGridLayout(reasons)
        rgrid.setContentsMargins(0, 0, 0, 0)
        for row, reason in enumerate(PauseReason):
            stepper = ChoiceStepper[int | None](
                f"Usual pause for {reason.label}", REASON_CHOICES, _minutes_text, 30
            )
            self.reason_steppers[reason] = stepper
            rgrid.addWidget(label(reason.label, "FormLabel"), row, 0)
            rgrid.addWidget(stepper, row, 1)
        self.fullscreen = big_button("Full screen (kiosk mode)", "Full screen", role="toggle")
        self.fullscreen.setCheckable(True)
        change_pin = big_button("Change PIN", "Change PIN", role="quiet", theme=theme, icon="lock")
        quit_app = big_button("Close the kiosk app", "Close the kiosk app", role="danger")
        screen = QWidget()
        srow = QHBoxLayout(screen)
        srow.setContentsMargins(0, 0, 0, 0)
        srow.addWidget(self.fullscreen)
        srow.addWidget(change_pin)
        srow.addWidget(quit_app)

        content = QWidget()
        body = QVBoxLayout(content)
        body.setSpacing(12)
        body.addWidget(section("Store and Gett connection", self.form))
        body.addWidget(section("Timing", timing))
        body.addWidget(section("Usual pause length per reason", reasons))
        body.addWidget(section("This screen", screen))
        from kiosk.ui.kitchen_settings import KitchenSettings  # (it builds on ChoiceStepper)

        self.kitchen = KitchenSettings(ChoiceStepper)
        body.addWidget(section("Kitchen: sounds, screen and closing times", self.kitchen))
        body.addStretch(1)

        self.title = label("Settings", "Title", wrap=False, name="Settings title")
        self.error = label("", "Error", name="Settings message")
        cancel = big_button("Cancel", "Cancel settings", role="quiet", theme=theme, icon="back")
        save = big_button("Save", "Save settings", role="primary")
        for button in (cancel, save):
            button.setMaximumWidth(240)
        head = QHBoxLayout()
        head.addWidget(cancel)
        head.addWidget(self.title, 1)
        head.addWidget(save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(head)
        layout.addWidget(self.error)
        layout.addWidget(scroll_page(content), 1)
        self.error.hide()
        cancel.clicked.connect(self.cancelled)
        save.clicked.connect(self.on_save_clicked)
        change_pin.clicked.connect(self.change_pin_requested)
        quit_app.clicked.connect(self.quit_requested)

    def load(self, config: Config, *, key_stored: bool | None = None) -> None:
        self._config = config
        self.form.load(config, key_stored=key_stored)
        self.poll.set_value(config.poll_interval_seconds)
        self.reminder.set_value(config.ui.forgotten_pause_minutes)
        for reason, stepper in self.reason_steppers.items():
            stepper.set_value(config.ui.reason_minutes.get(reason))
        self.fullscreen.setChecked(config.ui.fullscreen)
        self.kitchen.load(config)
        self.error.hide()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    @Slot()
    def on_save_clicked(self) -> None:
        try:
            config = self.kitchen.apply(self.form.apply(self._config))
        except ConfigError as exc:
            self.show_error(str(exc).replace("configuration, ", ""))
            return
        ui = replace(
            config.ui,
            fullscreen=self.fullscreen.isChecked(),
            forgotten_pause_minutes=self.reminder.value(),
            reason_minutes={r: s.value() for r, s in self.reason_steppers.items()},
        )
        config = replace(config, poll_interval_seconds=self.poll.value(), ui=ui)
        self.error.hide()
        self.save_requested.emit(config, self.form.new_key())
