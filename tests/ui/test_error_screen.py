from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.ui.error_screen import TITLE, build_error_window


def test_error_screen_says_why_and_closes(qtbot: QtBot) -> None:
    window = build_error_window("config.toml, field 'api_url': uses plain http.")
    qtbot.addWidget(window)
    window.show()
    texts = [label.text() for label in window.findChildren(QLabel)]
    assert any(TITLE in t for t in texts)
    assert any("field 'api_url'" in t for t in texts)
    close = next(b for b in window.findChildren(QPushButton) if b.accessibleName() == "Close")
    assert close.height() >= 64
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not window.isVisible()
