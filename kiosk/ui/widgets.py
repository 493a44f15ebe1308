"""Small building blocks every screen uses: big buttons with a name, labels with a role.

Every control gets an accessible name: screen readers read it, and tests find buttons by it.
Names are passed in English marked with ``N_`` and translated here (a screen-reader user hears
them in the language shown); a button's ``objectName`` keeps the English, a stable id.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QWidget

from kiosk.core.i18n import _
from kiosk.ui.theme import Theme, icon_size


def big_button(
    text: str,
    name: str,
    *,
    role: str | None = None,
    theme: Theme | None = None,
    icon: str | None = None,
    icon_colour: str = "#111111",
    icon_px: int = 40,
    parent: QWidget | None = None,
) -> QPushButton:
    """A touch button (>= 64 px) named for assistive tech and for tests.

    ``text`` is shown as given (translated by the caller); ``name`` is English (``N_``).
    """
    button = QPushButton(text, parent)
    button.setAccessibleName(_(name))
    button.setObjectName(name.replace(" ", "_"))
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # keyboard, not taps: no frame after a touch
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    button.setMinimumSize(64, 64)
    if role:
        button.setProperty("role", role)
    if icon and theme is not None:
        button.setIcon(theme.icon(icon, icon_colour, icon_px))
        button.setIconSize(icon_size(icon_px))
    return button


def label(
    text: str = "", object_name: str | None = None, *, wrap: bool = True, name: str | None = None
) -> QLabel:
    widget = QLabel(text)
    if object_name:
        widget.setObjectName(object_name)
    widget.setWordWrap(wrap)
    if name:
        widget.setAccessibleName(_(name))  # (English, marked with N_ by the caller)
    return widget


def restyle(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def regrid(grid: QGridLayout, buttons: Sequence[QWidget], columns: int) -> None:
    """Lay ``buttons`` out again in ``columns`` and make the parent re-layout now: more rows
    need more height, and a later pass would first draw them overlapping."""
    for button in buttons:
        grid.removeWidget(button)
    for i, button in enumerate(buttons):
        grid.addWidget(button, i // columns, i % columns)
    grid.invalidate()
    parent = grid.parentWidget()
    if parent is not None:
        parent.updateGeometry()
