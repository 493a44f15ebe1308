"""An on-screen keypad for the set-up and settings forms: a touch-only tablet has no keyboard.

A store id takes a hex keypad (0-9, a-f and the dash); the API key and a store name take a full
keyboard with every character a key may hold (printable ASCII, no spaces: the rule of
:func:`kiosk.core.keystore.api_key_problem`), and a space for names. The keys never take the
focus, so they type into the field that has it; Paste and Ctrl+V still work. Keys are touch
sized (the stylesheet's 64 px minimum for every button) and keep to 11 columns, which fit an
800 px wide screen.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedLayout,
    QWidget,
)

from kiosk.core.i18n import _

HEX_CHARS = "0123456789abcdef-"
#: What an API key may hold: printable ASCII, no spaces (checked again on save).
KEY_CHARS = frozenset(c for c in string.printable if not c.isspace())
SPACE = " "
#: The full keyboard's character keys, row by row (10 a row); the letters page and the symbols
#: page. A symbol page slot left empty ("") shows no key.
LETTER_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl-", "zxcvbnm_" + SPACE)
SYMBOL_ROWS = ("!@#$%^&*()", "=+[]{}\\|<>", ";:'\",./?`~", "")
KEY_HEIGHT = 64
#: The stylesheet's buttons pad their text 14 px a side (96 px wide at least); keys pad less so
#: 11 of them fit 800 px, and stay 64 px boxes (56 px inside a 2 px padding and a 2 px border).
KEYPAD_QSS = """
QPushButton#Key {
    min-width: 56px; min-height: 56px; padding: 2px; border-width: 2px;
    font-size: 26px; font-weight: 600;
}
QPushButton#Key[word="true"] { font-size: 20px; font-weight: 500; padding: 2px 0px; }
QPushButton#Key:checked { background: #1B4F9C; color: #FFFFFF; border-color: #0F2F60; }
"""


class KeyLayout(StrEnum):
    HEX = "hex"
    FULL = "full"


def hex_allowed(char: str) -> bool:
    return char in HEX_CHARS


def key_allowed(char: str) -> bool:
    return char in KEY_CHARS


def any_char(char: str) -> bool:
    return char.isprintable()


def _key(text: str, name: str) -> QPushButton:
    """A key that never takes the focus (so the field keeps it) and is at least touch sized."""
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setObjectName("Key")
    button.setProperty("role", "key")
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setAutoRepeat(False)
    button.setMinimumSize(64, KEY_HEIGHT)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return button


def key_name(char: str) -> str:
    """The screen reader's (and the tests') name of a character key."""
    return _("Key space") if char == SPACE else _("Key {char}").format(char=char)


class Keypad(QWidget):
    """Shows under a form while one of its attached fields has the focus, and types into it.

    A field is attached with its layout and the characters it accepts; keys it would refuse are
    disabled (a store id's keypad has no letter beyond f, the key's keyboard has no space).

    Signals:
        shown(): the keypad came up for a field (the page scrolls that field into view).
    """

    shown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Keypad")
        self.setAccessibleName(_("On-screen keyboard"))
        self.setStyleSheet(KEYPAD_QSS)
        # Keys stay where a keyboard has them in Hebrew and Arabic too (1 on the left).
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self._fields: dict[QLineEdit, tuple[KeyLayout, Callable[[str], bool]]] = {}
        self.target: QLineEdit | None = None
        self.shift = False
        self.symbols = False
        self._stack = QStackedLayout(self)
        self.hex_page = QWidget()
        self.full_page = QWidget()
        self._stack.addWidget(self.hex_page)
        self._stack.addWidget(self.full_page)
        self.hex_keys: dict[str, QPushButton] = {}
        self.full_keys: list[QPushButton] = []
        self._full_chars: list[str] = []
        self.action_keys: dict[str, dict[str, QPushButton]] = {}
        self._build_hex()
        self._build_full()
        self.hide()

    # -- building ---------------------------------------------------------------------------

    def _actions(self, grid: QGridLayout, column: int, rows: int, page: str) -> None:
        """Backspace, Paste and Hide, one per row, in the last column; the full keyboard adds
        Shift and the symbols switch."""
        back = _key("⌫", _("Key backspace"))
        back.setAutoRepeat(True)  # held down, it keeps deleting (a long wrong key)
        back.clicked.connect(self.on_backspace_clicked)
        paste = _key(_("Paste"), _("Key paste"))
        paste.clicked.connect(self.on_paste_clicked)
        hide = _key("⌄", _("Hide the keyboard"))
        hide.clicked.connect(self.on_hide_clicked)
        if page == "hex":
            clear = _key(_("Clear"), _("Key clear"))
            clear.clicked.connect(self.on_clear_clicked)
            actions: tuple[QPushButton, ...] = (back, paste, clear)
            grid.addWidget(hide, rows - 1, column - 1)
        else:
            self.shift_key = _key("⇧", _("Key shift"))
            self.shift_key.setCheckable(True)
            self.shift_key.toggled.connect(self.on_shift_key_toggled)
            self.symbols_key = _key("#+=", _("Key symbols"))
            self.symbols_key.setCheckable(True)
            self.symbols_key.toggled.connect(self.on_symbols_key_toggled)
            actions = (back, self.shift_key, self.symbols_key, paste)
            grid.addWidget(hide, rows - 1, 0)
        for row, button in enumerate(actions):
            grid.addWidget(button, row, column)
        for button in (paste, *actions[2:]):  # words, in the smallest readable size
            button.setProperty("word", True)
        grid.setColumnStretch(column, 3)
        self.action_keys[page] = {"backspace": back, "paste": paste, "hide": hide}

    def _grid(self, page: QWidget) -> QGridLayout:
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 2, 0, 0)
        grid.setSpacing(4)
        return grid

    def _build_hex(self) -> None:
        grid = self._grid(self.hex_page)
        for i, char in enumerate(HEX_CHARS):
            button = _key(char, key_name(char))
            button.clicked.connect(lambda _=False, c=char: self.type_char(c))
            grid.addWidget(button, i // 6, i % 6)
            self.hex_keys[char] = button
        for column in range(6):
            grid.setColumnStretch(column, 2)
        self._actions(grid, 6, 3, "hex")

    def _build_full(self) -> None:
        grid = self._grid(self.full_page)
        for row, chars in enumerate(LETTER_ROWS):
            start = 1 if row == 3 else 0  # the bottom row starts after Hide
            for col, _char in enumerate(chars):
                index = len(self.full_keys)
                button = _key("", "")
                button.clicked.connect(lambda _=False, i=index: self.type_char(self._full_chars[i]))
                grid.addWidget(button, row, start + col)
                self.full_keys.append(button)
        for column in range(10):
            grid.setColumnStretch(column, 2)
        self._actions(grid, 10, 4, "full")
        self._relabel()

    # -- which field ------------------------------------------------------------------------

    def attach(
        self, field: QLineEdit, layout: KeyLayout, allowed: Callable[[str], bool] = any_char
    ) -> None:
        """The keypad comes up when ``field`` takes the focus or is tapped."""
        self._fields[field] = (layout, allowed)
        field.installEventFilter(self)
        field.destroyed.connect(lambda _=None, f=field: self._forget(f))

    def _forget(self, field: QObject) -> None:
        self._fields.pop(field, None)  # type: ignore[call-overload]
        if self.target is field:
            self.target = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kinds = (QEvent.Type.FocusIn, QEvent.Type.MouseButtonPress)
        if event.type() in kinds and isinstance(watched, QLineEdit) and watched in self._fields:
            self.show_for(watched)
        return False

    def show_for(self, field: QLineEdit) -> None:
        if field not in self._fields or not field.isEnabled():
            return
        layout, _allowed = self._fields[field]
        self.target = field
        page = self.hex_page if layout is KeyLayout.HEX else self.full_page
        for other in (self.hex_page, self.full_page):  # the keypad is as tall as its page
            ignored = (
                QSizePolicy.Policy.Ignored if other is not page else QSizePolicy.Policy.Preferred
            )
            other.setSizePolicy(QSizePolicy.Policy.Preferred, ignored)
        self._stack.setCurrentWidget(page)
        self.updateGeometry()
        self._relabel()
        self.show()
        self.shown.emit()

    # -- typing -----------------------------------------------------------------------------

    def _allowed(self) -> Callable[[str], bool]:
        if self.target is None:
            return any_char
        return self._fields[self.target][1]

    def _relabel(self) -> None:
        rows = SYMBOL_ROWS if self.symbols else LETTER_ROWS
        chars = [c for row in rows for c in row]
        allowed = self._allowed()
        self._full_chars = []
        for i, button in enumerate(self.full_keys):
            char = chars[i] if i < len(chars) else ""
            if self.shift and not self.symbols:
                char = char.upper()
            self._full_chars.append(char)
            button.setText("␣" if char == SPACE else char.replace("&", "&&"))
            button.setAccessibleName(key_name(char) if char else "")
            button.setVisible(bool(char))
            button.setEnabled(bool(char) and allowed(char))
        for char, button in self.hex_keys.items():
            button.setEnabled(allowed(char))
        self.symbols_key.setText(_("abc") if self.symbols else "#+=")

    def type_char(self, char: str) -> None:
        field = self.target
        if field is None or not char or not field.isEnabled() or not self._allowed()(char):
            return
        field.insert(char)

    @Slot()
    def on_backspace_clicked(self) -> None:
        if self.target is not None and self.target.isEnabled():
            self.target.backspace()

    @Slot()
    def on_clear_clicked(self) -> None:
        if self.target is not None and self.target.isEnabled():
            self.target.clear()

    @Slot()
    def on_paste_clicked(self) -> None:
        if self.target is not None and self.target.isEnabled():
            self.target.paste()

    @Slot()
    def on_hide_clicked(self) -> None:
        self.hide()

    @Slot(bool)
    def on_shift_key_toggled(self, on: bool) -> None:
        self.shift = on
        self._relabel()

    @Slot(bool)
    def on_symbols_key_toggled(self, on: bool) -> None:
        self.symbols = on
        self.shift_key.setEnabled(not on)
        self._relabel()

    def visible_key(self, char: str) -> QPushButton:
        """The visible key that types ``char`` now (for tests and the X11 check)."""
        if self._stack.currentWidget() is self.hex_page:
            return self.hex_keys[char]
        return self.full_keys[self._full_chars.index(char)]
