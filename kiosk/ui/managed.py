"""Settings IT set in the machine-wide managed file: shown locked, and never changed by Save.

``config.managed`` holds the dotted keys IT set ("poll_interval_seconds", "ui.sound",
"stores", ...). A key is locked when it or a parent of it is managed ("ui" locks every
``ui.*``), or when a part of it is ("ui.reason_minutes.too_busy" locks the reason minutes).
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.core.config import Config
from kiosk.core.i18n import _
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import label


def managed_keys(config: Config) -> frozenset[str]:
    """What IT set (the attribute arrives with the managed config; older configs have none)."""
    value: object = getattr(config, "managed", frozenset())
    if not isinstance(value, frozenset | set | tuple | list):
        return frozenset()
    return frozenset(v for v in value if isinstance(v, str))


def covers(key: str, managed: frozenset[str]) -> bool:
    """``key`` itself, or a parent of it, is managed."""
    return any(key == m or key.startswith(m + ".") for m in managed)


def is_locked(key: str, managed: frozenset[str]) -> bool:
    """The control for ``key`` is locked: it, a parent or a part of it is managed."""
    return covers(key, managed) or any(m.startswith(key + ".") for m in managed)


def keep_managed(new: Config, old: Config, managed: frozenset[str]) -> Config:
    """``new`` with every managed value put back as ``old`` had it: Save never changes them."""
    if not managed:
        return new
    top = {
        f.name: getattr(old, f.name)
        for f in fields(Config)
        if f.name not in ("ui", "managed") and covers(f.name, managed)
    }
    ui: dict[str, Any] = {}
    for f in fields(type(new.ui)):
        if covers(f"ui.{f.name}", managed):
            ui[f.name] = getattr(old.ui, f.name)
    if "reason_minutes" not in ui:
        merged = dict(new.ui.reason_minutes)
        for reason in set(old.ui.reason_minutes) | set(merged):
            if covers(f"ui.reason_minutes.{reason.value}", managed):
                if reason in old.ui.reason_minutes:
                    merged[reason] = old.ui.reason_minutes[reason]
                else:
                    merged.pop(reason, None)
        ui["reason_minutes"] = merged
    return replace(new, ui=replace(new.ui, **ui), **top)


class LockNote(QWidget):
    """ "Set by your IT department", with the lock icon: under a control IT has locked."""

    def __init__(self, theme: Theme | None = None) -> None:
        super().__init__()
        self.setObjectName("LockNote")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        if theme is not None:
            icon = QLabel()
            icon.setPixmap(theme.pixmap("lock", 24))
            row.addWidget(icon, 0, Qt.AlignmentFlag.AlignVCenter)
        words = _("Set by your IT department")
        self.text = label(words, "Hint", name=words)
        row.addWidget(self.text, 1)
        self.hide()


class Lockable(QWidget):
    """A control with the note under it that shows when IT has locked it."""

    def __init__(self, control: QWidget, theme: Theme | None = None) -> None:
        super().__init__()
        self.control = control
        self.note = LockNote(theme)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(control)
        box.addWidget(self.note)

    def set_locked(self, locked: bool) -> None:
        self.control.setEnabled(not locked)
        self.note.setVisible(locked)

    @property
    def locked(self) -> bool:
        return self.note.isVisibleTo(self)
