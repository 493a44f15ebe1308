"""The worker session at exit: a worker still retiring (settings just changed) when the app shuts
down starts no new one after it (a thread started then is destroyed running: Qt aborts)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.ui.conftest import MakeWindow


def test_a_worker_that_finishes_retiring_after_shutdown_starts_no_new_one(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    session = window.session
    assert session.shutdown()
    # A retiring worker's "finished", queued to the UI thread, arriving after the shutdown
    # (settings changed a moment before the app closed).
    session.on_retiring_thread_finished()
    assert session.host is None
    assert not session.hosts
