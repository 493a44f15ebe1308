"""The manager PIN pad: big digits, masked entry, and a lockout that slows guessing.

Two modes: ``verify`` (before Settings or leaving full screen) checks against the stored scrypt
hash through a :class:`~kiosk.core.pin.PinGuard`; ``set`` asks for a new PIN twice.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.core.i18n import N_, _, ltr
from kiosk.core.pin import MIN_LENGTH, PinError, PinGuard, PinLocked, check_new_pin, format_wait
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import big_button, label


class PinMode(StrEnum):
    VERIFY = "verify"
    SET = "set"


class PinPad(QWidget):
    """Collects a PIN.

    Signals:
        accepted(str): verify mode: the PIN matched; set mode: the new PIN (entered twice).
        cancelled(): the person went back.
    """

    accepted = Signal(str)
    cancelled = Signal()

    def __init__(self, theme: Theme, guard: PinGuard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("page", True)
        self._guard = guard
        self._mode = PinMode.VERIFY
        self._stored: Callable[[], str | None] | None = None
        self._entry = ""
        self._first: str | None = None
        self.title = label("", "Title", name=N_("PIN title"))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots = label("", "PinDots", wrap=False, name=N_("PIN entered"))
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots.setMinimumWidth(200)
        self.message = label("", "Error", name=N_("PIN message"))
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        back = big_button(_("Back"), N_("Cancel PIN"), role="quiet", theme=theme, icon="back")
        back.setMaximumWidth(220)
        back.clicked.connect(self.on_back_clicked)
        head = QHBoxLayout()
        head.addWidget(back)
        head.addWidget(self.title, 1)
        head.addWidget(self.dots, 1)
        grid = QGridLayout()
        grid.setSpacing(10)
        self.digit_buttons: list[QPushButton] = []
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"]
        for i, key in enumerate(keys):
            if key == "clear":
                button = big_button(_("Clear"), N_("PIN clear"), role="quiet")
                button.clicked.connect(self.on_clear_clicked)
            elif key == "ok":
                button = big_button(_("OK"), N_("PIN OK"), role="primary")
                button.clicked.connect(self.on_ok_clicked)
                self.ok_button = button
            else:
                button = big_button(key, f"PIN digit {key}", role="digit")
                button.setAccessibleName(_("PIN digit {digit}").format(digit=ltr(key)))
                button.clicked.connect(lambda _=False, d=key: self.on_digit_clicked(d))
            self.digit_buttons.append(button)
            grid.addWidget(button, i // 3, i % 3)
        pad = QHBoxLayout()
        pad.addStretch(1)
        pad.addLayout(grid, 6)
        pad.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(8)
        layout.addLayout(head)
        layout.addWidget(self.message)
        layout.addLayout(pad, 1)
        if self.isRightToLeft():  # a keypad reads 1 2 3 from the left, as on every phone
            for i, button in enumerate(self.digit_buttons):
                grid.removeWidget(button)
                grid.addWidget(button, i // 3, 2 - i % 3)  # (the grid mirrors it back)

    @property
    def guard(self) -> PinGuard:
        return self._guard

    def start_verify(
        self, stored_hash: str | Callable[[], str | None], title: str | None = None
    ) -> None:
        """``stored_hash`` may be a function giving the hash at check time: a ``kiosk pin set``
        applied while the pad is up then counts at once (the old PIN stops working)."""
        if isinstance(stored_hash, str):
            fixed: str = stored_hash

            def stored() -> str | None:
                return fixed

        else:
            stored = stored_hash
        self._mode, self._stored, self._first = PinMode.VERIFY, stored, None
        self.title.setText(title or _("Manager PIN"))
        self._reset("")
        self.refresh()

    def start_set(self, title: str | None = None) -> None:
        self._mode, self._stored, self._first = PinMode.SET, None, None
        self.title.setText(title or _("Choose a manager PIN"))
        self._reset(
            _("{least} to {most} digits. Managers need it to open Settings.").format(
                least=ltr(MIN_LENGTH), most=ltr(12)
            )
        )

    def _reset(self, message: str) -> None:
        self._entry = ""
        self.dots.setText("–")
        self.message.setText(message)

    def refresh(self) -> None:
        """Called every second: show the lockout countdown and enable the pad when it ends."""
        if self._mode is not PinMode.VERIFY:
            return
        wait = self._guard.seconds_locked()
        locked = wait > 0
        for button in self.digit_buttons:
            button.setEnabled(not locked)
        if locked:
            self.message.setText(
                _("Too many wrong PINs. Try again in {wait}.").format(wait=format_wait(wait))
            )

    @Slot(str)
    def on_digit_clicked(self, digit: str) -> None:
        if len(self._entry) >= 12:
            return
        self._entry += digit
        self.dots.setText("●" * len(self._entry))

    @Slot()
    def on_clear_clicked(self) -> None:
        self._entry = ""
        self.dots.setText("–")

    @Slot()
    def on_back_clicked(self) -> None:
        self._entry = ""
        self.cancelled.emit()

    @Slot()
    def on_ok_clicked(self) -> None:
        entry, self._entry = self._entry, ""
        self.dots.setText("–")
        if self._mode is PinMode.VERIFY:
            self._verify(entry)
        else:
            self._set(entry)

    def _verify(self, entry: str) -> None:
        assert self._stored is not None
        stored = self._stored()
        if stored is None:  # IT cleared the PIN meanwhile: start over with what applies now
            self.cancelled.emit()
            return
        try:
            ok = self._guard.check(entry, stored)
        except PinLocked:
            self.refresh()
            return
        except PinError as exc:
            self.message.setText(str(exc))
            return
        if ok:
            self.message.setText("")
            self.accepted.emit(entry)
            return
        self.message.setText(_("Wrong PIN."))
        self.refresh()

    def _set(self, entry: str) -> None:
        try:
            check_new_pin(entry)
        except PinError as exc:
            self.message.setText(str(exc))
            return
        if self._first is None:
            self._first = entry
            self.title.setText(_("Enter the same PIN again"))
            self.message.setText("")
            return
        if entry != self._first:
            self._first = None
            self.title.setText(_("Choose a manager PIN"))
            self.message.setText(_("The two PINs were different. Start again."))
            return
        self.message.setText("")
        self.accepted.emit(entry)
