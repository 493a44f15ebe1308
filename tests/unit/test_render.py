"""Human output shows text from outside (store names, server messages, paths) without obeying it."""

from __future__ import annotations

import io

import pytest

from kiosk.cli.render import TerminalWriter, terminal_safe


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
