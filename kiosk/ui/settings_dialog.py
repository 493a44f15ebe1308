"""Settings, behind the manager PIN: stores, API, key, timings, reason defaults, full screen.

Every store on the kiosk is edited here (a kitchen with several brands has several), behind the
one manager PIN; the first-start set-up screen uses the same form for its one store.

The API key goes straight to the keyring (off the UI thread) and is only ever shown masked; the
config file never holds it. "Test connection" asks Gett for the store's status and says what it
found in words.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

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

from kiosk.core.config import Config, ConfigError, Store, check_url, check_uuid
from kiosk.core.errors import ApiError
from kiosk.core.keystore import KeyStore, KeyStoreError, api_key_problem
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
    """One GET of the store's status with the given (or stored) key. Runs off the UI thread
    (so does its import of the HTTP client: the window does not wait for httpx to start)."""
    import httpx

    from kiosk.core.client import GettClient

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


class StoreRow:
    """One store's id and name fields (and its Remove button, when there are several)."""

    def __init__(self, number: int) -> None:
        who = "Store" if number == 1 else f"Store {number}"
        self.id_label = label(f"{who} id", "FormLabel", wrap=False)
        self.name_label = label(f"{who} name", "FormLabel", wrap=False)
        self.id = ConnectionForm.line(f"{who} id", "e.g. 3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c")
        self.name = ConnectionForm.line(f"{who} name", "e.g. Main Street")
        self.remove = big_button("Remove", f"Remove store {number}", role="quiet")
        self.remove.setMaximumWidth(160)

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.id_label, self.name_label, self.id, self.name, self.remove)


class ConnectionForm(QWidget):
    """Store ids and names, API URL, API key (masked, never read back), and a connection test.

    ``several_stores``: the settings page lists every configured store and can add and remove
    stores; the first-start set-up screen (False) asks for one.
    """

    def __init__(
        self,
        keystore: KeyStore,
        tasks: TaskRunner,
        tester: Callable[[KeyStore, str, str | None, str], CheckResult] = check_connection,
        *,
        several_stores: bool = False,
    ) -> None:
        super().__init__()
        self._keystore = keystore
        self._tasks = tasks
        self._tester = tester
        self._several = several_stores
        self.rows: list[StoreRow] = []
        self.stores_grid = QGridLayout()
        self.stores_grid.setContentsMargins(0, 0, 0, 0)
        self.stores_grid.setHorizontalSpacing(12)
        self.stores_grid.setVerticalSpacing(8)
        self.stores_grid.setColumnStretch(1, 1)
        self.add_store = big_button("Add a store", "Add a store", role="quiet")
        self.add_store.setMaximumWidth(240)
        self.add_store.setVisible(several_stores)
        self.add_store.clicked.connect(self.on_add_store_clicked)
        self.api_url = self.line("API URL", "https://api.gett-tech.com")
        self.api_key = self.line("API key", "enter the key from the Gett partner portal")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.test_button = big_button("Test connection", "Test connection", role="quiet")
        self.test_result = label("", "Hint", name="Connection test result")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        grid.addLayout(self.stores_grid, 0, 0, 1, 2)
        grid.addWidget(self.add_store, 1, 1)
        grid.addWidget(label("API URL", "FormLabel", wrap=False), 2, 0)
        grid.addWidget(self.api_url, 2, 1)
        grid.addWidget(label("API key", "FormLabel", wrap=False), 3, 0)
        grid.addWidget(self.api_key, 3, 1)
        grid.addWidget(self.test_button, 4, 0)
        grid.addWidget(self.test_result, 4, 1)
        grid.setColumnStretch(1, 1)
        self.test_button.clicked.connect(self.on_test_button_clicked)
        self._set_rows(1)

    @staticmethod
    def line(name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    @property
    def store_id(self) -> QLineEdit:
        """The first store's id field (the set-up screen's only one)."""
        return self.rows[0].id

    @property
    def store_name(self) -> QLineEdit:
        return self.rows[0].name

    def _set_rows(self, count: int) -> None:
        """Exactly ``count`` store rows, keeping what the first ones hold."""
        while len(self.rows) > count:
            for widget in self.rows.pop().widgets():
                self.stores_grid.removeWidget(widget)
                widget.deleteLater()
        while len(self.rows) < count:
            number = len(self.rows) + 1
            row = StoreRow(number)
            row.remove.clicked.connect(lambda _=False, r=row: self.remove_row(r))
            top = 2 * (number - 1)
            self.stores_grid.addWidget(row.id_label, top, 0)
            self.stores_grid.addWidget(row.id, top, 1)
            self.stores_grid.addWidget(row.name_label, top + 1, 0)
            self.stores_grid.addWidget(row.name, top + 1, 1)
            self.stores_grid.addWidget(row.remove, top, 2, 2, 1)
            self.rows.append(row)
        for row in self.rows:
            row.remove.setVisible(self._several and len(self.rows) > 1)

    def remove_row(self, row: StoreRow) -> None:
        """Take one store off the list (the ones below move up; nothing is saved yet)."""
        if len(self.rows) <= 1 or row not in self.rows:
            return
        index = self.rows.index(row)
        values = [(r.id.text(), r.name.text()) for r in self.rows]
        del values[index]
        self._set_rows(len(values))
        for r, (sid, name) in zip(self.rows, values, strict=True):
            r.id.setText(sid)
            r.name.setText(name)

    @Slot()
    def on_add_store_clicked(self) -> None:
        self._set_rows(len(self.rows) + 1)
        self.rows[-1].id.setFocus()

    def load(self, config: Config, *, key_stored: bool | None = None) -> None:
        stores = config.stores if self._several else config.stores[:1]
        self._set_rows(max(1, len(stores)))
        for row in self.rows:
            row.id.clear()
            row.name.clear()
        for row, store in zip(self.rows, stores, strict=False):
            row.id.setText(store.id)
            row.name.setText(store.name)
        self.api_url.setText(config.api_url)
        self.api_key.clear()
        self.api_key.setPlaceholderText(
            "•••••••• stored (type a new key to replace it)"
            if key_stored
            else "enter the key from the Gett partner portal"
        )
        self.test_result.setText("")

    def stores(self) -> tuple[Store, ...]:
        """Every store the form holds, checked; raises ConfigError naming the field to fix.

        A store row left wholly empty is ignored (an added row not filled in)."""
        stores: list[Store] = []
        for number, row in enumerate(self.rows, start=1):
            who = "Store" if number == 1 else f"Store {number}"
            sid, name = row.id.text().strip(), row.name.text().strip()
            if not sid and not name and number > 1:
                continue
            if not sid:
                raise ConfigError(
                    f"Enter the {who.lower()} id from the Gett partner portal.", field=f"{who} id"
                )
            check_uuid(sid, f"{who} id", None)
            canonical = str(uuid.UUID(sid))
            if any(s.id == canonical for s in stores):
                raise ConfigError(
                    f"{who} has the same id as another store; remove one of them.",
                    field=f"{who} id",
                )
            default = "My store" if number == 1 else f"Store {number}"
            stores.append(Store(canonical, name or default))
        return tuple(stores)

    def new_key(self) -> str | None:
        return self.api_key.text().strip() or None

    def apply(self, config: Config) -> Config:
        """The config with this form's values; raises ConfigError with a fixable message."""
        key = self.new_key()
        problem = api_key_problem(key) if key else None
        if problem:
            raise ConfigError(f"The API key is not usable: {problem}", field="API key")
        stores = self.stores()
        url = check_url(self.api_url.text().strip(), "API URL", None)
        if not self._several:  # the set-up screen's one store; any others are kept
            stores += tuple(s for s in config.stores[1:] if s.id != stores[0].id)
        return replace(config, api_url=url, stores=stores)

    @Slot()
    def on_test_button_clicked(self) -> None:
        url = self.api_url.text().strip()
        try:
            check_url(url, "API URL", None)
            stores = self.stores()
        except ConfigError as exc:
            self._show_result(CheckResult(False, str(exc)))
            return
        self.test_button.setEnabled(False)
        self.test_result.setObjectName("Hint")
        self.test_result.setText("Testing…")
        key, keystore, tester = self.new_key(), self._keystore, self._tester

        def test_all() -> CheckResult:
            if len(stores) == 1:
                return tester(keystore, url, key, stores[0].id)
            results = [(s.name, tester(keystore, url, key, s.id)) for s in stores]
            return CheckResult(
                all(r.ok for _, r in results), "\n".join(f"{n}: {r.message}" for n, r in results)
            )

        self._tasks.run(test_all, self._on_test_done)

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
        self.form = ConnectionForm(keystore, tasks, tester, several_stores=True)
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
        srow = QVBoxLayout(screen)  # one a row: each language's words get the whole width
        srow.setContentsMargins(0, 0, 0, 0)
        srow.addWidget(self.fullscreen)
        srow.addWidget(change_pin)
        srow.addWidget(quit_app)

        content = QWidget()
        body = QVBoxLayout(content)
        body.setSpacing(12)
        body.addWidget(section("Stores and Gett connection", self.form))
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
