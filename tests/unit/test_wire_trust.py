"""The small pieces that make the wire safe: scrubbing, proxies, Gett's clock, confirmations."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.clock import (
    MAX_OFFSET,
    OFFSET_FILENAME,
    GettClock,
    saved_gett_clock,
)
from kiosk.core.models import (
    ModelError,
    PauseReason,
    StoreStatus,
    StoreStatusUpdate,
    parse_datetime,
    unconfirmed_because,
)
from kiosk.core.redact import REDACTED, Scrubber, outside_text, printable
from kiosk.core.transport import ProxyUnusable, proxy_for
from kiosk.core.words import describe_offset
from tests.helpers.fakes import FakeClock

KEY = "sk_live_0123456789abcdefghij"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
URL = "https://api.gett-tech.com"


# -- scrubbing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"bad key {KEY}",
        f"Authorization: Bearer {KEY}",
        f"prefix{KEY[3:20]}suffix",  # a long piece of it
        f"api_key={KEY[:10]}",  # a short piece, but said to be a key
        f"token: {KEY[-8:]}",
    ],
)
def test_scrubber_takes_out_the_key_and_its_pieces(text: str) -> None:
    scrubbed = Scrubber([KEY]).scrub(text)
    assert REDACTED in scrubbed
    for i in range(len(KEY) - 7):
        assert KEY[i : i + 8] not in scrubbed


@pytest.mark.parametrize(
    "rewrite",
    [
        str.upper,
        lambda k: "-".join(k[i : i + 8] for i in range(0, len(k), 8)),
        lambda k: "\u200b".join(k[i : i + 5] for i in range(0, len(k), 5)),
        lambda k: " ".join(k),
    ],
    ids=["capitals", "dash-groups", "zero-width-split", "spaced"],
)
def test_scrubber_finds_the_key_rewritten(rewrite: Callable[[str], str]) -> None:
    hexkey = "9f8e7d6c5b4a39281706f5e4d3c2b1a0" * 2
    shown = outside_text(f"bad key: {rewrite(hexkey)} (check it)", Scrubber([hexkey]))
    assert REDACTED in shown and shown.endswith("(check it)")
    letters = "".join(c for c in shown.lower() if c.isalnum())
    assert all(hexkey[i : i + 12] not in letters for i in range(len(hexkey) - 11)), shown


def test_scrubber_leaves_ordinary_words_alone() -> None:
    text = "Your token expired. Basic plan: the store is paused until 14:30"
    assert Scrubber([KEY]).scrub(text) == text


@settings(max_examples=500, deadline=None)
@given(before=st.text(max_size=30), after=st.text(max_size=30), cut=st.integers(12, len(KEY)))
def test_no_piece_of_twelve_survives(before: str, after: str, cut: int) -> None:
    scrubbed = outside_text(before + KEY[:cut] + after, Scrubber([KEY]), limit=1000)
    assert all(KEY[i : i + 12] not in scrubbed for i in range(len(KEY) - 11))


def test_printable_makes_one_bounded_line() -> None:
    text = "\x1b[2Jfake\r\nONLINE\u202e\x00" + "x" * 1000
    line = printable(text, limit=50)
    assert len(line) <= 50 and line.endswith("…")
    assert all(c.isprintable() for c in line)


# -- proxies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "env", "expected"),
    [
        (URL, {"HTTPS_PROXY": "http://proxy.corp:3128"}, "http://proxy.corp:3128"),
        (URL, {"https_proxy": "proxy.corp:3128"}, "http://proxy.corp:3128"),
        (URL, {"ALL_PROXY": "http://proxy.corp:8080"}, "http://proxy.corp:8080"),
        (URL, {"HTTP_PROXY": "http://proxy.corp:3128"}, None),  # http_proxy is for http URLs
        (URL, {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "gett-tech.com"}, None),
        (URL, {"HTTPS_PROXY": "http://p:1", "no_proxy": ".gett-tech.com"}, None),
        (URL, {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, None),
        (URL, {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "other.com,gett-tech.com:443"}, None),
        (URL, {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "tech.com"}, "http://p:1"),
        ("http://127.0.0.1:8787", {"HTTP_PROXY": "http://p:1", "ALL_PROXY": "http://p:1"}, None),
        ("https://localhost:8787", {"HTTPS_PROXY": "http://p:1"}, None),
        ("https://[::1]:8787", {"HTTPS_PROXY": "http://p:1"}, None),
        ("https://127.0.0.2", {"HTTPS_PROXY": "http://p:1"}, None),
    ],
)
def test_proxy_choice(url: str, env: dict[str, str], expected: str | None) -> None:
    assert proxy_for(url, env) == expected


@pytest.mark.parametrize("proxy", ["socks5://p:1080", "http://", "http://p:99999", "http://[::1"])
def test_unusable_proxies_are_named(proxy: str) -> None:
    with pytest.raises(ProxyUnusable, match="HTTPS_PROXY"):
        proxy_for(URL, {"HTTPS_PROXY": proxy})


# -- Gett's clock -------------------------------------------------------------------------------


def test_gett_clock_learns_the_offset_and_ignores_noise() -> None:
    pc = FakeClock(NOW)
    clock = GettClock(pc)
    assert not clock.measured and clock.now() == NOW
    day = timedelta(days=1)
    assert clock.observe(NOW - day, NOW, NOW + timedelta(seconds=0.2))  # the PC is a day ahead
    assert clock.measured and abs(clock.offset + day.total_seconds()) < 1.5
    before = clock.offset
    assert not clock.observe(NOW - day + timedelta(seconds=1), NOW, NOW)  # within noise
    assert clock.offset == before
    assert clock.observe(NOW, NOW, NOW)  # the PC clock was fixed: follow at once
    assert abs(clock.offset) < 1.5


def test_gett_clock_refuses_dates_beyond_any_real_clock_error() -> None:
    clock = GettClock(FakeClock(NOW))
    assert not clock.observe(NOW + MAX_OFFSET + timedelta(days=1), NOW, NOW)
    assert not clock.measured and clock.offset == 0.0


def test_the_offset_is_kept_for_the_next_run(tmp_path: Path) -> None:
    first = saved_gett_clock(tmp_path, FakeClock(NOW))
    first.observe(NOW + timedelta(hours=3), NOW, NOW)
    path = tmp_path / OFFSET_FILENAME
    assert path.exists() and (os.stat(path).st_mode & 0o077) == 0
    second = saved_gett_clock(tmp_path, FakeClock(NOW))
    assert abs(second.offset - 3 * 3600) < 1  # the next run starts from it...
    assert not second.measured  # ...as a guess: the PC's clock may have been fixed since
    assert second.observe(NOW, NOW, NOW)  # and the first answer replaces it whole
    assert abs(second.offset) < 1.5


@pytest.mark.parametrize(
    "content",
    ["", "not json", "[]", '{"offset_seconds": "3"}', '{"offset_seconds": 1e308}',
     '{"offset_seconds": NaN}', '{"offset_seconds": true}', "[" * 10000],
)  # fmt: skip
def test_a_damaged_offset_file_counts_as_never_measured(tmp_path: Path, content: str) -> None:
    (tmp_path / OFFSET_FILENAME).write_text(content)
    clock = saved_gett_clock(tmp_path, FakeClock(NOW))
    assert not clock.measured and clock.offset == 0.0 and clock.now() == NOW


def test_offset_in_words() -> None:
    assert describe_offset(30) is None
    assert describe_offset(-86400) == (
        "This PC's clock is 1 d ahead of Gett's; the kiosk uses Gett's time."
    )
    assert "3 h 5 min behind" in (describe_offset(3 * 3600 + 300) or "")


# -- what counts as a confirmation ----------------------------------------------------------------

END = NOW + timedelta(minutes=15)
PAUSE = StoreStatusUpdate.pause(PauseReason.TOO_BUSY, END)


@pytest.mark.parametrize(
    ("answer", "confirms"),
    [
        (StoreStatus("paused", PauseReason.TOO_BUSY, NOW, END), True),
        (StoreStatus("paused", None, NOW, END + timedelta(seconds=40)), True),
        (StoreStatus("paused", PauseReason.TOO_BUSY, NOW, END + timedelta(minutes=5)), False),
        (StoreStatus("paused", PauseReason.OTHER, NOW, END), False),
        (StoreStatus("paused", PauseReason.TOO_BUSY, NOW, None), False),
        (StoreStatus("online"), False),
        (StoreStatus("closed"), False),
    ],
)
def test_only_the_asked_for_state_confirms(answer: StoreStatus, confirms: bool) -> None:
    assert (unconfirmed_because(PAUSE, answer, NOW) is None) is confirms


def test_an_end_already_past_never_confirms() -> None:
    late = NOW + timedelta(minutes=20)
    assert unconfirmed_because(PAUSE, StoreStatus("paused", None, NOW, END), late) is not None


def test_resume_is_confirmed_by_online_only() -> None:
    resume = StoreStatusUpdate.resume()
    assert unconfirmed_because(resume, StoreStatus("online"), NOW) is None
    assert unconfirmed_because(resume, StoreStatus("paused", PauseReason.OTHER), NOW) is not None


@pytest.mark.parametrize(
    "text",
    ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00", "1969-12-31T23:59:59Z",
     "9000-01-01T00:00:00Z", "2026-01-15T14:00:00" + "0" * 100],
)  # fmt: skip
def test_dates_at_the_calendars_edges_are_refused(text: str) -> None:
    with pytest.raises(ModelError):
        parse_datetime(text)


def test_parsed_dates_are_utc() -> None:
    parsed = parse_datetime("2026-01-15T14:00:00+02:00")
    assert parsed.tzinfo is UTC and parsed == datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert json.dumps(StoreStatus("paused", None, parsed, None).to_json())
