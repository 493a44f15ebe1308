"""Every touch and key on the window passes here first: the double-tap guard, the idle clock,
and a keyboard path (Enter, Escape, digits) for a store PC with a keypad or a switch user.

One application-wide event filter, because a press goes straight to the widget under the finger
and a window's own filter never sees it. It decides nothing itself: the guard
(:class:`~kiosk.ui.tap_guard.TapGuard`) says whether a press may land, the window says what
Escape and a digit mean on the page shown.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from kiosk.ui.tap_guard import TapGuard

_PRESSES = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.TouchBegin,
    }
)
_ACTIVATE_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space})


class InputFilter(QObject):
    """Installed on the application for one window; removed by :meth:`detach`."""

    def __init__(
        self,
        window: QWidget,
        guard: TapGuard,
        touched: Callable[[], bool],
        key: Callable[[QKeyEvent], bool],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._guard = guard
        self._touched = touched
        self._key = key
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def _ours(self, obj: QObject) -> bool:
        return isinstance(obj, QWidget) and (obj is self._window or self._window.isAncestorOf(obj))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _PRESSES:
            if not self._ours(obj):
                return False
            if self._touched():
                return True  # it woke a dimmed screen: the touch presses nothing
            # A press on controls that appeared a moment ago is the second half of a double tap.
            return not self._guard.accepts()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and self._ours(obj):
            # (Key events reach the focus widget and then its parents: act once, at the first.)
            if obj is not QApplication.focusWidget() and QApplication.focusWidget() is not None:
                return False
            if self._touched():
                return True  # it woke a dimmed screen
            if self._key(event):
                return True  # the page's own meaning (Escape, the PIN pad's keys)
            if event.key() in _ACTIVATE_KEYS and isinstance(obj, QAbstractButton):
                if event.isAutoRepeat() or not self._guard.accepts():
                    return True  # a held key or a key bounce is one press
                if obj.isEnabled() and obj.isVisible():
                    obj.click()
                return True
        return False
