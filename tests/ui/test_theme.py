"""A damaged install (a missing icon or stylesheet) degrades the looks, never the kiosk."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.ui.theme import Theme


def test_missing_icon_and_stylesheet_do_not_crash(
    tmp_path: Path, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "resources"
    shutil.copytree(str(resources.files("kiosk.resources")), root)
    (root / "icons" / "pause.svg").unlink()
    (root / "kiosk.qss").unlink()
    theme = Theme(root)
    assert theme.stylesheet() == ""
    assert not drawn(theme, "pause")  # a blank icon of the right size instead of a crash
    assert drawn(theme, "check")  # the icons that are there still load
    assert "pause missing" in caplog.text and "reinstall" in caplog.text


def drawn(theme: Theme, name: str) -> bool:
    image = theme.pixmap(name, 48).toImage()
    assert (image.width(), image.height()) == (48, 48)
    return any(image.pixelColor(x, y).alpha() for x in range(48) for y in range(48))
