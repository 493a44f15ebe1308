"""The worker session at exit: a worker still retiring (settings just changed) when the app shuts
down starts no new one after it (a thread started then is destroyed running: Qt aborts)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.conftest import MakeWindow


def test_a_worker_retiring_at_shutdown_starts_no_new_one(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    session = window.session
    session.apply(replace(window.config, poll_interval_seconds=90), key_changed=False)
    assert session.host is None  # the old worker is stopping; the new one waits for it
    assert window.shutdown()
    QApplication.processEvents()  # the old threads' "finished", queued to this thread
    QApplication.processEvents()
    assert session.host is None
    assert not session.hosts
