"""Does every visible word fit its widget? Measured on the laid-out window, as drawn.

Used by the language tests: every gallery state in every language at the small and the common
screen. A finding is one sentence naming the widget, its text and the two sizes.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QToolButton,
    QWidget,
)

#: What Qt's AutoText takes for rich text (Qt.mightBeRichText is not in PySide6).
_TAG = re.compile(r"<[A-Za-z/!][^>]*>")
#: Siblings may share their borders when squeezed (a few px, the words still clear); more
#: than this share of the smaller one hides words.
OVERLAP_SHARE = 0.15
#: Pixels of slack (anti-aliasing and rounding between metrics and layout).
SLACK = 2


def _name(widget: QWidget) -> str:
    return widget.accessibleName() or widget.objectName() or type(widget).__name__


def _rich(label: QLabel) -> bool:
    fmt = label.textFormat()
    return fmt == Qt.TextFormat.RichText or (
        fmt == Qt.TextFormat.AutoText and _TAG.search(label.text()) is not None
    )


def _label_width_needed(label: QLabel) -> int:
    if _rich(label):
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setDocumentMargin(0)
        doc.setHtml(label.text())
        return int(doc.idealWidth() + 0.999)
    metrics = QFontMetrics(label.font())
    return max(metrics.horizontalAdvance(line) for line in label.text().split("\n"))


def label_problem(label: QLabel) -> str | None:
    """A label's words wider than it (one line) or taller than it (wrapped)."""
    text = label.text()
    if not text.strip():
        return None
    inner = label.contentsRect()
    margin = label.margin() * 2
    room_w = inner.width() - margin
    if label.wordWrap():
        needed_h = label.heightForWidth(label.width())
        if needed_h > label.height() + SLACK:
            return (
                f"{_name(label)}: {text!r} needs {needed_h} px of height, "
                f"has {label.height()} (wrapped at {label.width()} px)"
            )
        return None
    needed_w = _label_width_needed(label)
    if needed_w > room_w + SLACK:
        return f"{_name(label)}: {text!r} needs {needed_w} px, has {room_w}"
    lines = text.count("\n") + 1
    needed_h = QFontMetrics(label.font()).height() * lines
    if not _rich(label) and needed_h > inner.height() + SLACK:
        return f"{_name(label)}: {text!r} needs {needed_h} px of height, has {inner.height()}"
    return None


def button_problem(button: QAbstractButton) -> str | None:
    """A button narrower than its words, icon and padding (the style's own sum: what it would
    draw unclipped), or lower than its lines of words."""
    if not button.text().strip() or not isinstance(button, (QPushButton, QToolButton)):
        return None
    if type(button).paintEvent not in (QPushButton.paintEvent, QToolButton.paintEvent):
        return None  # it fits its own words (the store bar's buttons: tested on their own)
    needed_w = button.sizeHint().width()
    if needed_w > button.width() + SLACK:
        return f"{_name(button)}: {button.text()!r} needs {needed_w} px, has {button.width()}"
    lines = button.text().count("\n") + 1
    needed_h = QFontMetrics(button.font()).height() * lines
    if needed_h > button.height() + SLACK:
        return (
            f"{_name(button)}: {button.text()!r} needs {needed_h} px of height, "
            f"has {button.height()}"
        )
    return None


#: QLineEdit's own margin each side of its text (qlineedit_p.h: horizontalMargin).
_EDIT_MARGIN = 2


def placeholder_problem(edit: QLineEdit) -> str | None:
    """An empty field's hint wider than the room for text (Qt elides it: "...`kiosk ke…")."""
    hint = edit.placeholderText()
    if edit.text() or not hint.strip():
        return None
    frame = edit.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, edit)
    margins = edit.textMargins()
    # A trailing or leading action (the key's show/hide eye) takes an icon's room and more.
    actions = [a for a in edit.actions() if a.isVisible()]
    icon = edit.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, edit)
    room = (
        edit.contentsRect().width()
        - margins.left()
        - margins.right()
        - 2 * (frame if edit.hasFrame() else 0)
        - 2 * _EDIT_MARGIN
        - len(actions) * (icon + 2 * _EDIT_MARGIN)
    )
    needed = QFontMetrics(edit.font()).horizontalAdvance(hint)
    if needed > room + SLACK:
        return f"{_name(edit)}: hint {hint!r} needs {needed} px, has {room}"
    return None


def _area(widget: QWidget) -> int:
    return max(1, widget.width() * widget.height())


def overlaps(window: QWidget) -> list[str]:
    """Buttons drawn over one another: a layout given less room than it needs squeezes its
    rows together (prompts over the page are overlays, not siblings, and are not counted)."""
    found: list[str] = []
    by_parent: dict[int, list[QAbstractButton]] = {}
    for button in window.findChildren(QAbstractButton):
        parent = button.parentWidget()
        if button.isVisible() and parent is not None:
            by_parent.setdefault(id(parent), []).append(button)
    for buttons in by_parent.values():
        for i, first in enumerate(buttons):
            for second in buttons[i + 1 :]:
                shared = first.geometry().intersected(second.geometry())
                smaller = min(_area(first), _area(second))
                if shared.width() * shared.height() > OVERLAP_SHARE * smaller:
                    found.append(f"{_name(first)} and {_name(second)} are drawn over each other")
    return found


def clipped(window: QWidget) -> list[str]:
    """Buttons hanging out of the widget that holds them (what is outside is not drawn): a
    size the stylesheet overrides, a row mirrored right to left past its end."""
    found: list[str] = []
    for button in window.findChildren(QAbstractButton):
        parent = button.parentWidget()
        if not button.isVisible() or parent is None:
            continue
        # Sideways only: rows squeezed a few px in height at 800x480 with several stores
        # (the reason buttons lose their bottom border) are known and leave the words whole.
        box = button.geometry()
        if box.left() < -SLACK or box.right() > parent.width() - 1 + SLACK:
            found.append(
                f"{_name(button)} ({box.x()},{box.y()} {box.width()}x{box.height()}) hangs out "
                f"of {_name(parent)} ({parent.width()}x{parent.height()})"
            )
    return found


def problems(window: QWidget) -> list[str]:
    """Every visible label, button and empty field's hint of ``window`` whose words do not
    fit, and buttons
    squeezed over one another or out of their row."""
    found: list[str] = overlaps(window) + clipped(window)
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.width() <= 0:
            continue
        if isinstance(widget, QLabel):
            problem = label_problem(widget)
        elif isinstance(widget, QAbstractButton):
            problem = button_problem(widget)
        elif isinstance(widget, QLineEdit):
            problem = placeholder_problem(widget)
        else:
            continue
        if problem:
            found.append(problem)
    return found
