"""On screen: a damaged queue file is said at every start, naming where it went, until acked."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.core import recovery
from kiosk.core.config import Config
from kiosk.core.outbox import DB_FILENAME
from tests.ui.conftest import MakeWindow


def test_the_screen_says_the_queue_was_recovered_until_acknowledged(
    make_window: MakeWindow, config: Config, qtbot: QtBot
) -> None:
    config.data_dir.mkdir(parents=True)
    (config.data_dir / DB_FILENAME).write_bytes(b"garbage, not SQLite" * 500)
    shown = []
    for _start in range(2):  # the kiosk restarts (autostart): it says it again
        window = make_window()
        qtbot.waitUntil(window.home.attention_banner.isVisible, timeout=10_000)
        shown.append(window.home.attention_banner.text.text())
        window.shutdown()
    [moved] = config.data_dir.glob(f"{DB_FILENAME}.corrupt-*[0-9a-f]")
    for text in shown:
        assert str(moved) in text and "kiosk queue ack" in text
    recovery.acknowledge(config.data_dir)
    window = make_window()
    assert not window.home.attention_banner.isVisible()
