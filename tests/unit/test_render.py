"""Human output shows text from outside (store names, server messages, paths) without obeying it."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

import pytest

from kiosk.cli.render import (
    TerminalWriter,
    describe_update,
    local_time,
    status_line,
    terminal_safe,
)
from kiosk.core.config import Store
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J\x1b[HONLINE", "\\x1b[2J\\x1b[HONLINE"),  # clear screen, cursor home
        ("Main\nSt", "Main\\nSt"),
        ("a\rb\tc", "a\\rb\\tc"),
        ("\x9b31m", "\\x9b31m"),  # C1 CSI
        ("del\x7f", "del\\x7f"),
        ("\u202eenilno\u202c", "\\u202eenilno\\u202c"),  # right-to-left override
        ("\u2066x\u2069", "\\u2066x\\u2069"),  # bidi isolates
        ("line\u2028sep", "line\\u2028sep"),
        ("\udcff", "\\udcff"),  # a non-UTF-8 byte from argv, as Python decodes it
        ("\x00", "\\x00"),
    ],
)
def test_control_characters_are_escaped(raw: str, shown: str) -> None:
    assert terminal_safe(raw) == shown


@pytest.mark.parametrize(
    "text",
    ["Main Street", "Café Olé", "שלום עולם", "مطعم", "👨\u200d🍳 Kitchen", "می\u200cخواهم", ""],
)
def test_ordinary_text_in_any_script_is_left_alone(text: str) -> None:
    assert terminal_safe(text) == text


def test_the_writer_lets_only_prints_own_line_end_through() -> None:
    raw = io.StringIO()
    out = TerminalWriter(raw)
    print("Main\nSt: ONLINE", file=out)
    print("second", file=out)
    assert raw.getvalue() == "Main\\nSt: ONLINE\nsecond\n"


def test_times_at_the_edge_of_the_calendar_are_shown_not_crashed_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server may say resumeAt 9999-12-31T23:59:59Z; east of UTC that has no local time."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        far = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
        now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
        assert local_time(far, now) == "9999-12-31 23:59 UTC"
        update = StoreStatusUpdate.pause(PauseReason.OTHER, far)
        assert describe_update(update) == "pause (other) until 9999-12-31 23:59 UTC"
        assert "9999-12-31" in status_line(Store(id="s", name="Main"), StoreStatus(
            StoreState.PAUSED, PauseReason.OTHER, now, far), now)  # fmt: skip
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
