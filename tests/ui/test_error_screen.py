from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.ui.error_screen import TITLE, build_error_window, display_available


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


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, "linux", False),
        ({"QT_QPA_PLATFORM": "minimal"}, "linux", False),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({}, "linux", False),
        ({}, "win32", True),
    ],
)
def test_the_error_screen_is_shown_only_where_someone_can_see_it(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], platform: str, expected: bool
) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.platform", platform)
    assert display_available() is expected
