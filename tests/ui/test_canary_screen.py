"""The canary key on screen: a server that echoes the key back, in every way it can, never gets
it shown or announced. Real window, real worker thread, a hostile server on loopback; every
widget's text, accessible name, description and tooltip is read as a screen reader would, and
every file the kiosk wrote is read byte by byte."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config, Store, UiSettings
from kiosk.core.keystore import MemoryKeyStore
from kiosk.ui.main_window import MainWindow
from tests.helpers.hostile import HostileServer, Reply, echo_request
from tests.ui.conftest import PIN_HASH, STORE, MakeWindow, tap

CANARY = "sk_live_SCREEN_CANARY_5d1e7a3f9b"


def screen_text(window: QWidget) -> str:
    """Everything a person sees or a screen reader announces."""
    parts = [window.windowTitle(), window.accessibleName(), window.accessibleDescription()]
    for widget in window.findChildren(QWidget):
        parts += [widget.accessibleName(), widget.accessibleDescription(), widget.toolTip()]
        if isinstance(widget, QLabel | QAbstractButton):
            parts.append(widget.text())
    return "\n".join(p for p in parts if p)


def leaks(text: str | bytes) -> list[str]:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return [CANARY[i : i + 12] for i in range(len(CANARY) - 11) if CANARY[i : i + 12] in text]


@pytest.fixture
def window_on(
    make_window: MakeWindow, tmp_path: Path
) -> Iterator[tuple[HostileServer, MainWindow]]:
    with HostileServer(Reply.json(200, {"status": "online"})) as server:
        config = Config(
            api_url=server.base_url,
            stores=(Store(STORE, "Main Street"),),
            data_dir=tmp_path / "data",
            ui=UiSettings(fullscreen=False, pin_hash=PIN_HASH),
        )
        yield server, make_window(config, MemoryKeyStore(CANARY), start=False)
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert not leaks(path.read_bytes()), path


def _echo(status: int) -> Reply:
    reply = Reply(status=status, body=echo_request, reason="Echo")
    reply.headers.append(("zp-rid", f"rid-{CANARY}"))
    return reply


@pytest.mark.parametrize("status", [401, 403, 404, 503])
def test_an_echoed_key_never_reaches_the_screen_on_a_read(
    status: int, window_on: tuple[HostileServer, MainWindow], qtbot: QtBot
) -> None:
    server, window = window_on
    server.script(_echo(status))
    window.start()
    qtbot.waitUntil(lambda: "[redacted]" in screen_text(window), timeout=10_000)
    assert not leaks(screen_text(window))


def test_an_echoed_key_never_reaches_the_screen_on_a_pause(
    window_on: tuple[HostileServer, MainWindow], qtbot: QtBot
) -> None:
    server, window = window_on
    with qtbot.waitSignal(window.first_status, timeout=10_000):
        window.start()
    server.script(_echo(422))
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause for 30 minutes")
    qtbot.waitUntil(lambda: "[redacted]" in screen_text(window), timeout=10_000)
    assert not leaks(screen_text(window))


def test_a_key_in_a_success_body_never_reaches_the_screen(
    window_on: tuple[HostileServer, MainWindow], qtbot: QtBot
) -> None:
    server, window = window_on
    server.script(Reply.json(200, {"status": f"x{CANARY}", "reason": CANARY}))
    window.start()
    qtbot.waitUntil(lambda: "[redacted]" in screen_text(window), timeout=10_000)
    assert not leaks(screen_text(window))


def test_a_pause_answered_with_online_stays_unconfirmed_and_says_why(
    window_on: tuple[HostileServer, MainWindow], qtbot: QtBot
) -> None:
    _server, window = window_on
    with qtbot.waitSignal(window.first_status, timeout=10_000):
        window.start()
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause for 30 minutes")  # Gett keeps answering {"status": "online"}
    qtbot.waitUntil(lambda: "did not confirm" in screen_text(window), timeout=10_000)
    text = screen_text(window)
    assert "PAUSING" in text and "not confirmed" in text.lower()
    assert "PAUSED\n" not in text
