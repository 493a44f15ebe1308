"""Closing the app from Settings: asked on screen, logged, and the heartbeat says a manager
closed it on purpose (`kiosk health`: WARNING, not the CRITICAL of a crash)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk import __version__
from kiosk.core import health
from kiosk.core import heartbeat as hb
from kiosk.core.config import Config
from kiosk.ui.app import _monitoring
from kiosk.ui.main_window import Page
from tests.helpers.fakes import FakeClock
from tests.ui.conftest import PIN, STORE, MakeWindow, find, tap


def _verdict(data_dir: Path) -> health.Report:
    return health.verdict(data_dir, installed_version=__version__)


def test_close_asks_first_then_marks_the_heartbeat_closed_on_purpose(
    make_window: MakeWindow,
    qtbot: QtBot,
    clock: FakeClock,
    config: Config,
    caplog: pytest.LogCaptureFixture,
) -> None:
    window = make_window()
    writer = _monitoring(window, clock)
    beat = hb.read(config.data_dir)
    assert beat is not None and beat.state is hb.AppState.RUNNING
    assert beat.stores[0].id == STORE and beat.stores[0].status == "online"
    assert _verdict(config.data_dir).code is health.Code.OK

    tap(qtbot, window, "Manager")
    for digit in PIN:
        tap(qtbot, window, f"PIN digit {digit}")
    tap(qtbot, window, "PIN OK")
    assert window.current_page() is Page.SETTINGS
    assert window.settings_page.version.text() == f"Running version {__version__}"
    tap(qtbot, window, "Close the kiosk app")
    assert window.isVisible(), "one tap must not close it"
    keep = find(window, "Keep the app running")
    assert keep.height() >= 64 and find(window, "Close the app (confirm)").height() >= 64
    tap(qtbot, window, "Keep the app running")
    assert window.isVisible() and window.current_page() is Page.SETTINGS
    assert hb.read(config.data_dir).state is hb.AppState.RUNNING  # type: ignore[union-attr]

    tap(qtbot, window, "Close the kiosk app")
    with caplog.at_level(logging.INFO):
        tap(qtbot, window, "Close the app (confirm)")
        assert not window.isVisible()
        writer.finish("test")  # as the app does on its way out (the lock goes with it)
    assert "a manager closed the kiosk app on purpose" in caplog.text
    beat = hb.read(config.data_dir)
    assert beat is not None and beat.state is hb.AppState.CLOSED_BY_MANAGER
    report = _verdict(config.data_dir)
    assert report.code is health.Code.WARNING
    assert "A manager closed the kiosk app on purpose at " in report.line()


def test_the_heartbeat_is_not_rewritten_when_nothing_changed(
    make_window: MakeWindow, clock: FakeClock, config: Config
) -> None:
    window = make_window()
    writer = _monitoring(window, clock)
    path = hb.path_in(config.data_dir)
    first = path.stat().st_mtime_ns
    for _ in range(5):
        writer.on_changed()  # a poll that only moved the ages
    assert path.stat().st_mtime_ns == first
    writer.on_closed_by_manager()  # what it says changed: written at once
    beat = hb.read(config.data_dir)
    assert beat is not None and beat.state is hb.AppState.CLOSED_BY_MANAGER
    writer.finish("test")


def test_start_stop_and_health_changes_go_to_the_journal(
    make_window: MakeWindow, clock: FakeClock, config: Config, tmp_path: Path
) -> None:
    import socket
    from dataclasses import replace

    from kiosk.core.config import MonitoringSettings
    from kiosk.ui.heartbeat_writer import HeartbeatWriter

    window = make_window()
    monitored = replace(config, monitoring=MonitoringSettings(journal=True))
    path = str(tmp_path / "journal.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as journal:
        journal.bind(path)
        journal.settimeout(10)
        writer = HeartbeatWriter(
            lambda: monitored, window.state, clock, journal_path=path, parent=window
        )
        writer.start()
        assert f"MESSAGE=Gett Store Kiosk {__version__} started\n".encode() in journal.recv(65536)
        writer.on_closed_by_manager()
        writer.finish("test")
        lines = []
        while b"closed by a manager" not in b"".join(lines):
            lines.append(journal.recv(65536))
    assert all(b"SYSLOG_IDENTIFIER=gett-store-kiosk\n" in line for line in lines)


def test_a_window_closed_with_no_pin_asked_is_closed_on_purpose(
    make_window: MakeWindow, qtbot: QtBot, clock: FakeClock, config: Config
) -> None:
    """No PIN set (or not in kiosk mode): the window manager's close is a person's close on
    purpose, like a manager's: the heartbeat and the log say so (and the autostart, exit 0,
    keeps it closed this session)."""
    from dataclasses import replace

    window = make_window(replace(config, ui=replace(config.ui, pin_hash=None)))
    writer = _monitoring(window, clock)
    with qtbot.waitSignal(window.closed_by_manager, timeout=1_000):
        window.close()  # Alt+F4, the title bar's X
    assert not window.isVisible() and window.closed_on_purpose
    writer.finish("test")
    beat = hb.read(config.data_dir)
    assert beat is not None and beat.state is hb.AppState.CLOSED_BY_MANAGER


def test_a_moved_or_cleared_prometheus_textfile_leaves_no_stale_file(
    make_window: MakeWindow, clock: FakeClock, config: Config, tmp_path: Path
) -> None:
    """node_exporter would keep serving a file the kiosk no longer writes as if it were live."""
    from dataclasses import replace

    first, second = tmp_path / "a.prom", tmp_path / "b.prom"

    def with_textfile(path: Path | None) -> Config:
        return replace(config, monitoring=replace(config.monitoring, prometheus_textfile=path))

    window = make_window(with_textfile(first))
    writer = _monitoring(window, clock)
    assert first.exists()
    window.apply_config(with_textfile(second), key_changed=False)
    writer.beat(force=True)
    assert second.exists() and not first.exists()
    window.apply_config(with_textfile(None), key_changed=False)
    writer.beat(force=True)
    assert not second.exists()
    writer.finish("test")
