"""Settings, behind the manager PIN: stores, API, key, timings, reason defaults, full screen.

Every store on the kiosk is edited here (a kitchen with several brands has several), behind the
one manager PIN; the first-start set-up screen uses the same form for its one store.

The API key goes to the keyring (off the UI thread) only once Gett has accepted it, and is
shown only while the person who typed it taps "Show key"; the config file never holds it. "Test
connection" asks Gett for the store's status and says what it found in words, and stays in view
(in the page's top row) while the on-screen keypad is up. Settings IT set in the managed file
show locked and Save keeps them as they were.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Generic, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk import __version__
from kiosk.core.config import Config, ConfigError, Store, check_url, check_uuid
from kiosk.core.errors import (
    ApiError,
    AuthRejected,
    CertificateRejected,
    ConnectionFailed,
    KeyForbidden,
    RequestTimedOut,
    StoreNotFound,
    TransientError,
)
from kiosk.core.i18n import LANGUAGES, NATIVE_NAMES, _, isolate, ltr, ngettext
from kiosk.core.keystore import KeyStore, KeyStoreError, api_key_problem
from kiosk.core.models import PauseReason
from kiosk.core.words import format_duration, status_word
from kiosk.ui.keypad import KeyLayout, Keypad, any_char, hex_allowed, key_allowed
from kiosk.ui.managed import Lockable, LockNote, is_locked, keep_managed, managed_keys
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import big_button, label, restyle

T = TypeVar("T")
log = logging.getLogger(__name__)

POLL_CHOICES: tuple[float, ...] = (10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 120.0, 300.0)
REMINDER_CHOICES: tuple[int, ...] = (10, 15, 20, 30, 45, 60, 90, 120, 180)
REASON_CHOICES: tuple[int | None, ...] = (None, 15, 30, 45, 60, 90, 120, 180)


class Problem(StrEnum):
    """What a failed check was about, so the page can say plainly what failed."""

    KEY = "key"  # Gett refused the key (or there is none)
    STORE = "store"  # Gett does not know the store
    CONNECTION = "connection"  # nothing answered: the network, a timeout, a busy Gett
    OTHER = "other"  # the keyring, the certificate, a refused request


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    message: str
    problem: Problem | None = None
    #: The store that failed, when several were checked (its name).
    store: str = ""


def _failure(exc: ApiError) -> CheckResult:
    """One plain sentence per kind of failure (the client's own text can repeat the HTTP words;
    these say each thing once)."""
    if isinstance(exc, KeyForbidden):
        text = _("Gett knows this API key but it may not manage this store (Forbidden).")
        return CheckResult(False, text, Problem.KEY)
    if isinstance(exc, AuthRejected):
        text = _("Gett refused this API key (Unauthorized). Copy the key again from the portal.")
        return CheckResult(False, text, Problem.KEY)
    if isinstance(exc, StoreNotFound):
        text = _("Gett does not know this store id. Check it in the Gett partner portal.")
        return CheckResult(False, text, Problem.STORE)
    if isinstance(exc, CertificateRejected):
        text = _("Gett's certificate could not be checked: IT must check this PC's date or proxy.")
        return CheckResult(False, text, Problem.OTHER)
    if isinstance(exc, ConnectionFailed | RequestTimedOut):
        text = _("No connection to Gett. Check the network and try again.")
        return CheckResult(False, text, Problem.CONNECTION)
    if isinstance(exc, TransientError):  # a busy or broken answer: the check could not finish
        text = _("Gett is not answering properly right now. Try again in a minute.")
        return CheckResult(False, text, Problem.OTHER)
    text = _("Gett refused the request (error {code}).").format(code=ltr(exc.status_code or "?"))
    return CheckResult(False, text, Problem.OTHER)


def check_connection(keystore: KeyStore, url: str, key: str | None, store_id: str) -> CheckResult:
    """One GET of the store's status with the given (or stored) key. Runs off the UI thread
    (so does its import of the HTTP client: the window does not wait for httpx to start)."""
    import httpx

    from kiosk.core.client import GettClient

    try:
        key = key or keystore.get()
    except KeyStoreError as exc:
        return CheckResult(False, str(exc), Problem.OTHER)
    if not key:
        text = _("No API key: enter the key from the Gett partner portal.")
        return CheckResult(False, text, Problem.KEY)
    try:
        with GettClient(url, key, timeout=httpx.Timeout(8.0, connect=5.0)) as client:
            status = client.get_status(store_id)
    except ApiError as exc:
        return _failure(exc)
    text = _("Connected. Gett says the store is {state}.").format(state=status_word(status))
    return CheckResult(True, text)


class FormError(ValueError):
    """A field to fix, in one plain sentence; ``field`` names the field (for clearing it)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class ChoiceStepper(QWidget, Generic[T]):
    """− value + : picks from a short list without a keyboard or a tiny spin box."""

    def __init__(self, name: str, choices: Sequence[T], text: Callable[[T], str], value: T) -> None:
        super().__init__()
        self._choices = list(choices)
        self._text = text
        self._index = 0
        self.minus = big_button("−", _("{name}: less").format(name=name), role="digit")
        self.plus = big_button("+", _("{name}: more").format(name=name), role="digit")
        for button in (self.minus, self.plus):
            # The stylesheet's smallest button (64 px + padding + border): at 80 the layout
            # placed it 16 px short, which right to left pushed "−" out of its row.
            button.setFixedWidth(96)
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
    return _("until resumed") if value is None else format_duration(value * 60)


def _language_text(code: str) -> str:
    """Each language in its own name (a reader finds theirs in any language)."""
    return _("Same as this PC") if code == "system" else NATIVE_NAMES.get(code, code)


def store_field(number: int) -> str:
    """The name of a store's id field in messages (the first is "the store id")."""
    return "store_id" if number == 1 else f"store_id_{number}"


class StoreRow:
    """One store's id and name fields (and its Remove button, when there are several)."""

    def __init__(self, number: int) -> None:
        if number == 1:
            id_text, name_text = _("Store id"), _("Store name")
        else:
            id_text = _("Store {n} id").format(n=ltr(number))
            name_text = _("Store {n} name").format(n=ltr(number))
        self.number = number
        self.id_label = label(id_text, "FormLabel", wrap=False)
        self.name_label = label(name_text, "FormLabel", wrap=False)
        self.id = ConnectionForm.line(id_text, "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c")
        self.id.setObjectName(store_field(number))
        self.id.setMaxLength(64)
        self.name = ConnectionForm.line(name_text, _("e.g. Main Street"))
        self.name.setMaxLength(80)
        self.remove = big_button(
            _("Remove"), _("Remove store {n}").format(n=ltr(number)), role="quiet"
        )
        self.remove.setMaximumWidth(160)

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.id_label, self.name_label, self.id, self.name, self.remove)


class ConnectionForm(QWidget):
    """Store ids and names, API URL, API key (masked, never read back), and a connection test.

    ``several_stores``: the settings page lists every configured store and can add and remove
    stores; the first-start set-up screen (False) asks for one. The page places
    ``test_button`` and ``test_result`` where they stay in view (above the keypad).

    Signals:
        edited(str): a field changed (its name, as in :class:`FormError`).
    """

    edited = Signal(str)

    def __init__(
        self,
        keystore: KeyStore,
        tasks: TaskRunner,
        tester: Callable[[KeyStore, str, str | None, str], CheckResult] = check_connection,
        *,
        several_stores: bool = False,
        keypad: Keypad | None = None,
        theme: Theme | None = None,
    ) -> None:
        super().__init__()
        self._keystore = keystore
        self._tasks = tasks
        self._tester = tester
        self._several = several_stores
        self.keypad = keypad
        self._stores_locked = False
        self.rows: list[StoreRow] = []
        self.stores_grid = QGridLayout()
        self.stores_grid.setContentsMargins(0, 0, 0, 0)
        self.stores_grid.setHorizontalSpacing(12)
        self.stores_grid.setVerticalSpacing(8)
        self.stores_grid.setColumnStretch(1, 1)
        self.stores_note = LockNote(theme)
        self.add_store = big_button(_("Add a store"), _("Add a store"), role="quiet")
        self.add_store.setMaximumWidth(320)  # (Russian needs 251 px at 800x480)
        self.add_store.setVisible(several_stores)
        self.add_store.clicked.connect(self.on_add_store_clicked)
        self.api_url = self.line(_("API URL"), "https://api.gett-tech.com")
        self.api_url.setObjectName("api_url")
        self.api_url_box = Lockable(self.api_url, theme)
        self.api_key = self.line(_("API key"), _("enter the key from the Gett partner portal"))
        self.api_key.setObjectName("api_key")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setMaxLength(4096)
        self.show_key = big_button(_("Show key"), _("Show the key"), role="toggle")
        self.show_key.setCheckable(True)
        self.show_key.setProperty("head", True)  # as tall as the field beside it
        self.show_key.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.show_key.toggled.connect(self.on_show_key_toggled)
        key_row = QHBoxLayout()
        key_row.setContentsMargins(0, 0, 0, 0)
        key_row.addWidget(self.api_key, 1)
        key_row.addWidget(self.show_key)
        self.test_button = big_button(_("Test connection"), _("Test connection"), role="quiet")
        self.test_button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.test_result = label("", "Hint", name=_("Connection test result"))
        self.test_result.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        grid.addWidget(self.stores_note, 0, 0, 1, 2)
        grid.addLayout(self.stores_grid, 1, 0, 1, 2)
        grid.addWidget(self.add_store, 2, 1)
        grid.addWidget(label(_("API URL"), "FormLabel", wrap=False), 3, 0)
        grid.addWidget(self.api_url_box, 3, 1)
        grid.addWidget(label(_("API key"), "FormLabel", wrap=False), 4, 0)
        grid.addLayout(key_row, 4, 1)
        grid.setColumnStretch(1, 1)
        self.test_button.clicked.connect(self.on_test_button_clicked)
        for field in (self.api_url, self.api_key):
            field.textChanged.connect(lambda _t="", f=field: self.edited.emit(f.objectName()))
        if keypad is not None:
            keypad.attach(self.api_url, KeyLayout.FULL, key_allowed)
            keypad.attach(self.api_key, KeyLayout.FULL, key_allowed)
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

    def fields(self) -> dict[str, QLineEdit]:
        """Every text field by the name its errors carry."""
        named = {row.id.objectName(): row.id for row in self.rows}
        named.update({"api_url": self.api_url, "api_key": self.api_key})
        return named

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
            name = row.id.objectName()
            row.id.textChanged.connect(lambda _t="", n=name: self.edited.emit(n))
            if self.keypad is not None:
                self.keypad.attach(row.id, KeyLayout.HEX, hex_allowed)
                self.keypad.attach(row.name, KeyLayout.FULL, any_char)
            self.rows.append(row)
        self._show_store_locks()

    def _show_store_locks(self) -> None:
        locked = self._stores_locked
        for row in self.rows:
            row.remove.setVisible(self._several and len(self.rows) > 1 and not locked)
            row.id.setEnabled(not locked)
            row.name.setEnabled(not locked)
        self.add_store.setVisible(self._several and not locked)
        self.stores_note.setVisible(locked)

    def lock(self, managed: frozenset[str]) -> None:
        """Store fields and the URL IT set are shown locked."""
        self._stores_locked = is_locked("stores", managed)
        self._show_store_locks()
        self.api_url_box.set_locked(is_locked("api_url", managed))

    def remove_row(self, row: StoreRow) -> None:
        """Take one store off the list (the ones below move up; nothing is saved yet)."""
        if len(self.rows) <= 1 or row not in self.rows or self._stores_locked:
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

    @Slot(bool)
    def on_show_key_toggled(self, shown: bool) -> None:
        self.api_key.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )
        self.show_key.setText(_("Hide key") if shown else _("Show key"))
        self.show_key.setAccessibleName(_("Hide the key") if shown else _("Show the key"))

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
        self.show_key.setChecked(False)
        self.api_key.setPlaceholderText(
            _("Key stored: type a new one to replace it")
            if key_stored
            else _("enter the key from the Gett partner portal")
        )
        self.lock(managed_keys(config))
        self.clear_result()

    def stores(self) -> tuple[Store, ...]:
        """Every store the form holds, checked; raises FormError naming the field to fix.

        A store row left wholly empty is ignored (an added row not filled in)."""
        stores: list[Store] = []
        for row in self.rows:
            number, field = row.number, row.id.objectName()
            sid, name = row.id.text().strip(), row.name.text().strip()
            if not sid and not name and number > 1:
                continue
            if not sid:
                if number == 1:
                    raise FormError(_("Enter the store id from the Gett partner portal."), field)
                text = _("Enter the id of store {n} from the Gett partner portal.")
                raise FormError(text.format(n=ltr(number)), field)
            try:
                canonical = str(uuid.UUID(check_uuid(sid, "store id", None)))
            except (ConfigError, ValueError):
                if number == 1:
                    text = _(
                        "This is not a store id: a store id has 32 letters and digits in "
                        "groups, like {example}. Copy it from the Gett partner portal."
                    )
                else:
                    text = _(
                        "Store {n} id is not a store id: a store id has 32 letters and digits "
                        "in groups, like {example}. Copy it from the Gett partner portal."
                    )
                example = ltr(EXAMPLE_ID)
                raise FormError(text.format(n=ltr(number), example=example), field) from None
            if any(s.id == canonical for s in stores):
                text = _("Store {n} has the same id as another store: remove one of them.")
                raise FormError(text.format(n=ltr(number)), field)
            default = _("My store") if number == 1 else _("Store {n}").format(n=number)
            stores.append(Store(canonical, name or default))
        return tuple(stores)

    def url(self) -> str:
        try:
            return check_url(self.api_url.text().strip(), "API URL", None)
        except ConfigError:
            text = _("The API URL is not right: use e.g. {example}")
            raise FormError(text.format(example=ltr(Config().api_url)), "api_url") from None

    def new_key(self) -> str | None:
        return self.api_key.text().strip() or None

    def apply(self, config: Config) -> Config:
        """The config with this form's values; raises FormError with a fixable message."""
        key = self.new_key()
        if key is not None and api_key_problem(key):
            if len(key) > 4096:
                text = _("The API key is far too long: paste just the key.")
            else:
                text = _(
                    "The API key has spaces, accented letters or control characters: "
                    "paste it again."
                )
            raise FormError(text, "api_key")
        stores = self.stores()
        url = self.url()
        if not self._several:  # the set-up screen's one store; any others are kept
            stores += tuple(s for s in config.stores[1:] if s.id != stores[0].id)
        return replace(config, api_url=url, stores=stores)

    def clear_result(self) -> None:
        self.test_result.setText("")
        self.test_result.hide()

    @Slot()
    def on_test_button_clicked(self) -> None:
        try:
            url = self.url()
            stores = self.stores()
        except FormError as exc:
            self._show_result(CheckResult(False, str(exc)))
            return
        self.test_button.setEnabled(False)
        self.test_result.setObjectName("Hint")
        self.test_result.setText(_("Testing…"))
        self.test_result.show()
        key, keystore, tester = self.new_key(), self._keystore, self._tester

        def test_all() -> CheckResult:
            return check_all(tester, keystore, url, key, stores)

        self._tasks.run(test_all, self._on_test_done)

    def _on_test_done(self, result: object, error: BaseException | None) -> None:
        self.test_button.setEnabled(True)
        if isinstance(result, CheckResult):
            self._show_result(result)
        else:
            log.error("connection test failed: %s", type(error).__name__)
            self._show_result(CheckResult(False, _("The test could not run.")))

    def _show_result(self, result: CheckResult) -> None:
        self.test_result.setObjectName("Ok" if result.ok else "Error")
        self.test_result.setText(result.message)
        self.test_result.show()
        restyle(self.test_result)


EXAMPLE_ID = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"


def check_all(
    tester: Callable[[KeyStore, str, str | None, str], CheckResult],
    keystore: KeyStore,
    url: str,
    key: str | None,
    stores: Sequence[Store],
) -> CheckResult:
    """Every store checked (off the UI thread); the first failure's kind for the page."""
    if len(stores) == 1:
        return tester(keystore, url, key, stores[0].id)
    results = [(s.name, tester(keystore, url, key, s.id)) for s in stores]
    lines = [
        _("{store}: {result}").format(store=isolate(name), result=r.message) for name, r in results
    ]
    first = next(((n, r) for n, r in results if not r.ok), None)
    if first is None:
        return CheckResult(True, "\n".join(lines))
    return CheckResult(False, "\n".join(lines), first[1].problem, first[0])


def scroll_page(content: QWidget) -> QScrollArea:
    """A page that scrolls by finger on small screens (the scroll bar is wide enough to hit)."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(content)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
    return area


#: The top row's buttons: 64 px boxes like the keys (the stylesheet's padding makes them 80),
#: so the form, the message and the keypad all fit 480 px.
HEAD_QSS = (
    'QPushButton[head="true"] { min-height: 56px; padding: 2px 12px; border-width: 2px; }\n'
    "QLineEdit:disabled { background: #E4E4E4; color: #3A3A3A; border-color: #9A9A9A; }"
)


def page_frame(
    page: QWidget, head: QHBoxLayout, messages: Sequence[QWidget], area: QScrollArea, keypad: Keypad
) -> None:
    """The layout both pages share: the top row (with "Test connection", always in view),
    the message, the form scrolling by finger, and the keypad under it."""
    page.setStyleSheet(HEAD_QSS)
    for i in range(head.count()):
        item = head.itemAt(i)
        widget = item.widget() if item is not None else None
        if isinstance(widget, QPushButton):
            widget.setProperty("head", True)
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    area.setMinimumHeight(72)  # one field in view, whatever the scroll bar asks for
    layout = QVBoxLayout(page)
    layout.setContentsMargins(8, 6, 8, 6)  # (8 px more for the keypad at 800 px wide)
    layout.setSpacing(4)
    layout.addLayout(head)
    for widget in messages:
        layout.addWidget(widget)
    layout.addWidget(area, 1)
    layout.addWidget(keypad)
    keep_in_view(area, keypad)


class KeepInView(QObject):
    """When the keypad comes up (and the page shrinks), the field it types into stays in view:
    scrolled to at once, and again when the viewport has its new, smaller size."""

    def __init__(self, area: QScrollArea, keypad: Keypad) -> None:
        super().__init__(area)
        self._area, self._keypad = area, keypad
        keypad.shown.connect(self.scroll)
        area.viewport().installEventFilter(self)
        area.verticalScrollBar().rangeChanged.connect(self.later)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:  # (the scroll range is updated after this)
            self.later()
        return False

    @Slot()
    def later(self) -> None:
        QTimer.singleShot(0, self, self.scroll)

    @Slot()
    def scroll(self) -> None:
        target = self._keypad.target
        content = self._area.widget()
        if target is None or content is None or not self._keypad.isVisible():
            return
        if not content.isAncestorOf(target):
            return
        # The whole field (ensureWidgetVisible would only bring its text cursor into view).
        centre = target.mapTo(content, target.rect().center())
        self._area.ensureVisible(
            centre.x(), centre.y(), target.width() // 2 + 8, target.height() // 2 + 8
        )


def keep_in_view(area: QScrollArea, keypad: Keypad) -> None:
    KeepInView(area, keypad)


def section(title: str, body: QWidget) -> QFrame:
    frame = QFrame()
    frame.setObjectName("Section")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 12, 16, 12)
    layout.addWidget(label(title, "Title", wrap=False))
    layout.addWidget(body)
    return frame


def refusal(result: CheckResult) -> str:
    """Why new settings were not saved, in one plain sentence (the old ones stay)."""
    if result.problem is Problem.KEY:
        return _("Not saved: Gett refused the new API key. The old key and settings stay in use.")
    if result.problem is Problem.STORE and result.store:
        text = _("Not saved: Gett does not know the id of {store}. The old settings stay in use.")
        return text.format(store=isolate(result.store))
    if result.problem is Problem.STORE:
        return _("Not saved: Gett does not know this store id. The old settings stay in use.")
    if result.problem is Problem.CONNECTION:
        return _(
            "Not saved: no connection to Gett, so the new settings could not be checked. "
            "The old settings stay in use; try again when the connection is back."
        )
    return _("Not saved: {reason} The old settings stay in use.").format(reason=result.message)


class SettingsPage(QWidget):
    """The manager's page.

    A new API key, API URL or store is checked with Gett (off the UI thread) before it is
    saved: the old key stays in the keyring until the new one works.

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
        self._tasks = tasks
        self._keystore = keystore
        self._tester = tester
        self._check = 0  # the save check under way (a newer load or Cancel drops an older one)
        self._error_field: str | None = None
        self.keypad = Keypad()
        self.form = ConnectionForm(
            keystore, tasks, tester, several_stores=True, keypad=self.keypad, theme=theme
        )
        self.poll = ChoiceStepper[float](
            _("Check Gett every"),
            POLL_CHOICES,
            lambda s: ngettext("{n} s", "{n} s", int(s)).format(n=ltr(f"{s:g}")),
            30.0,
        )
        self.reminder = ChoiceStepper[int](
            _("Remind after"), REMINDER_CHOICES, lambda m: format_duration(m * 60), 30
        )
        self.language = ChoiceStepper[str](
            _("Language"), ("system", *LANGUAGES), _language_text, "system"
        )
        self.locks: dict[str, Lockable] = {}
        self.reason_steppers: dict[PauseReason, ChoiceStepper[int | None]] = {}
        timing = QWidget()
        tgrid = QGridLayout(timing)
        tgrid.setContentsMargins(0, 0, 0, 0)
        tgrid.addWidget(label(_("Check Gett every"), "FormLabel"), 0, 0)
        tgrid.addWidget(self._lockable("poll_interval_seconds", self.poll, theme), 0, 1)
        tgrid.addWidget(label(_("Remind about a pause with no end after"), "FormLabel"), 1, 0)
        tgrid.addWidget(self._lockable("ui.forgotten_pause_minutes", self.reminder, theme), 1, 1)
        reasons = QWidget()
        rgrid = QGridLayout(reasons)
        rgrid.setContentsMargins(0, 0, 0, 0)
        for row, reason in enumerate(PauseReason):
            stepper = ChoiceStepper[int | None](
                _("Usual pause for {reason}").format(reason=reason.label),
                REASON_CHOICES,
                _minutes_text,
                30,
            )
            self.reason_steppers[reason] = stepper
            rgrid.addWidget(label(reason.label, "FormLabel"), row, 0)
            key = f"ui.reason_minutes.{reason.value}"
            rgrid.addWidget(self._lockable(key, stepper, theme), row, 1)
        self.fullscreen = big_button(_("Full screen (kiosk mode)"), _("Full screen"), role="toggle")
        self.fullscreen.setCheckable(True)
        self.change_pin = big_button(
            _("Change PIN"), _("Change PIN"), role="quiet", theme=theme, icon="lock"
        )
        quit_app = big_button(_("Close the kiosk app"), _("Close the kiosk app"), role="danger")
        screen = QWidget()
        sgrid = QGridLayout(screen)
        sgrid.setContentsMargins(0, 0, 0, 0)
        sgrid.addWidget(label(_("Language"), "FormLabel"), 0, 0)
        sgrid.addWidget(self._lockable("ui.language", self.language, theme), 0, 1)
        srow = QVBoxLayout()  # one a row: each language's words get the whole width
        srow.setContentsMargins(0, 0, 0, 0)
        srow.addWidget(self._lockable("ui.fullscreen", self.fullscreen, theme))
        srow.addWidget(self._lockable("ui.pin_hash", self.change_pin, theme))
        srow.addWidget(quit_app)
        sgrid.addLayout(srow, 1, 0, 1, 2)
        sgrid.setColumnStretch(1, 1)
        # The version this running app is (an upgrade installed meanwhile runs after a restart).
        self.version = label(
            _("Running version {version}").format(version=ltr(__version__)),
            "Hint",
            name="Running version",
        )

        content = QWidget()
        body = QVBoxLayout(content)
        body.setSpacing(12)
        body.addWidget(section(_("Stores and Gett connection"), self.form))
        body.addWidget(section(_("Timing"), timing))
        body.addWidget(section(_("Usual pause length per reason"), reasons))
        body.addWidget(section(_("This screen"), screen))
        body.addWidget(self.version)
        from kiosk.ui.kitchen_settings import KitchenSettings  # (it builds on ChoiceStepper)

        self.kitchen = KitchenSettings(ChoiceStepper, theme=theme, keypad=self.keypad)
        body.addWidget(section(_("Kitchen: sounds, screen and closing times"), self.kitchen))
        body.addStretch(1)

        self.title = label(_("Settings"), "Title", wrap=False, name=_("Settings title"))
        self.title.setMinimumWidth(0)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.error = label("", "Error", name=_("Settings message"))
        cancel = big_button(
            _("Cancel"), _("Cancel settings"), role="quiet", theme=theme, icon="back"
        )
        self.save_button = big_button(_("Save"), _("Save settings"), role="primary")
        head = QHBoxLayout()
        head.addWidget(cancel)
        head.addWidget(self.title, 1)
        head.addWidget(self.form.test_button)
        head.addWidget(self.save_button)
        self.scroll_area = scroll_page(content)
        page_frame(self, head, (self.error, self.form.test_result), self.scroll_area, self.keypad)
        self.error.hide()
        self.form.test_button.clicked.connect(self.hide_error)
        cancel.clicked.connect(self.on_cancel_clicked)
        self.save_button.clicked.connect(self.on_save_clicked)
        self.change_pin.clicked.connect(self.change_pin_requested)
        quit_app.clicked.connect(self.quit_requested)
        self.form.edited.connect(self.on_form_edited)
        self.kitchen.phone.textChanged.connect(lambda _t: self.on_form_edited("support_phone"))

    def _lockable(self, key: str, control: QWidget, theme: Theme) -> Lockable:
        box = Lockable(control, theme)
        self.locks[key] = box
        return box

    @property
    def managed(self) -> frozenset[str]:
        return managed_keys(self._config)

    @property
    def opened(self) -> Config:
        """The config the page was loaded with (Save applies only what changed since)."""
        return self._config

    def load(self, config: Config, *, key_stored: bool | None = None) -> None:
        self._config = config
        self._check += 1
        self.save_button.setEnabled(True)
        self.form.load(config, key_stored=key_stored)
        self.poll.set_value(config.poll_interval_seconds)
        self.reminder.set_value(config.ui.forgotten_pause_minutes)
        for reason, stepper in self.reason_steppers.items():
            stepper.set_value(config.ui.reason_minutes.get(reason))
        language = config.ui.language
        self.language.set_value(language if language in LANGUAGES else "system")
        self.fullscreen.setChecked(config.ui.fullscreen)
        self.kitchen.load(config)
        managed = self.managed
        for key, box in self.locks.items():
            box.set_locked(is_locked(key, managed))
        self.kitchen.lock(managed)
        self.keypad.hide()
        self.hide_error()

    def show_error(self, message: str, field: str | None = None) -> None:
        """A message that stays until its field is fixed (or the next Save); one message at a
        time, so the keypad and the field still fit a small screen."""
        self.form.clear_result()
        self._error_field = field
        self.error.setText(message)
        self.error.show()

    def changed_outside(self) -> None:
        """The config files changed while the page is open (IT, ``kiosk pin set``): say so.
        The page keeps what it shows; Save applies only what the manager changed here."""
        self.show_error(
            _(
                "The settings were changed outside this page (by IT or a script). Saving keeps "
                "those changes, except where you changed the same setting here."
            )
        )
        self.error.setObjectName("Hint")
        restyle(self.error)

    def hide_error(self) -> None:
        self._error_field = None
        if self.error.objectName() != "Error":
            self.error.setObjectName("Error")
            restyle(self.error)
        self.error.setText("")
        self.error.hide()

    @Slot(str)
    def on_form_edited(self, field: str) -> None:
        """A field changed: an old test result is stale, and the error about this field goes
        once the field passes its check."""
        self.form.clear_result()
        if self._error_field is None or field != self._error_field:
            return
        try:
            self.collect()
        except FormError as exc:
            if exc.field == field:
                return
        self.hide_error()

    @Slot()
    def on_cancel_clicked(self) -> None:
        self._check += 1  # a check still under way saves nothing
        self.save_button.setEnabled(True)
        self.keypad.hide()
        self.cancelled.emit()

    def collect(self) -> Config:
        """The config the page shows (IT's managed values kept); raises FormError."""
        old = self._config
        config = self.form.apply(old)
        try:
            config = self.kitchen.apply(config)
        except ConfigError:
            text = _("The support phone is not a phone number: write it like {example}")
            raise FormError(text.format(example=ltr("+44 20 7946 0000")), "support_phone") from None
        ui = replace(
            config.ui,
            fullscreen=self.fullscreen.isChecked(),
            forgotten_pause_minutes=self.reminder.value(),
            reason_minutes={r: s.value() for r, s in self.reason_steppers.items()},
            language=self.language.value(),
        )
        config = replace(config, poll_interval_seconds=self.poll.value(), ui=ui)
        return keep_managed(config, old, self.managed)

    @Slot()
    def on_save_clicked(self) -> None:
        try:
            config = self.collect()
        except FormError as exc:
            self.show_error(str(exc), exc.field)
            return
        key = self.form.new_key()
        old = self._config
        old_ids = {s.id for s in old.stores}
        if key is not None or config.api_url != old.api_url:
            to_check: tuple[Store, ...] = config.stores
        else:
            to_check = tuple(s for s in config.stores if s.id not in old_ids)
        self.hide_error()
        if not to_check:
            self.save_requested.emit(config, key)
            return
        self._check += 1
        check, keystore, tester, url = self._check, self._keystore, self._tester, config.api_url
        self.save_button.setEnabled(False)
        self.show_error(_("Checking the new settings with Gett…"))
        self.error.setObjectName("Hint")
        restyle(self.error)

        def work() -> CheckResult:
            return check_all(tester, keystore, url, key, to_check)

        def done(result: object, error: BaseException | None) -> None:
            if check != self._check:
                return  # cancelled, or the page was loaded again
            self.save_button.setEnabled(True)
            self.error.setObjectName("Error")
            restyle(self.error)
            if not isinstance(result, CheckResult):
                log.error("settings check failed: %s", type(error).__name__)
                result = CheckResult(False, _("The check could not run."), Problem.OTHER)
            if not result.ok:
                field = "api_key" if result.problem is Problem.KEY else None
                self.show_error(refusal(result), field)
                return
            self.hide_error()
            self.save_requested.emit(config, key)

        self._tasks.run(work, done)
