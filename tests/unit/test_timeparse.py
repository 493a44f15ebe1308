from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.timeparse import TimeInputError, parse_duration, parse_until


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m", timedelta(minutes=15)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("90s", timedelta(seconds=90)),
        ("2h", timedelta(hours=2)),
        ("1h 5m 3s", timedelta(hours=1, minutes=5, seconds=3)),
        ("45", timedelta(minutes=45)),
        ("1H30M", timedelta(hours=1, minutes=30)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "m", "15x", "1.5h", "-5m", "0m", "30m1h", "8d", "200h"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(TimeInputError):
        parse_duration(text)


LONDON = ZoneInfo("Europe/London")


def test_until_hhmm_later_today() -> None:
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert parse_until("14:30", now, LONDON) == datetime(2026, 1, 15, 14, 30, tzinfo=LONDON)


def test_until_hhmm_already_past_means_tomorrow() -> None:
    now = datetime(2026, 1, 15, 23, 50, tzinfo=UTC)
    assert parse_until("00:10", now, LONDON) == datetime(2026, 1, 16, 0, 10, tzinfo=LONDON)
    assert parse_until("23:50", now, LONDON) == datetime(2026, 1, 16, 23, 50, tzinfo=LONDON)


def test_until_hhmm_uses_local_zone_not_utc() -> None:
    tz = timezone(timedelta(hours=5, minutes=30))
    now = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)  # 01:30 next day in tz
    result = parse_until("02:00", now, tz)
    assert result == datetime(2026, 1, 16, 2, 0, tzinfo=tz)
    assert result - now == timedelta(minutes=30)


def test_until_hhmm_across_dst_change() -> None:
    # Clocks go forward in London at 01:00 UTC on 2026-03-29.
    now = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    result = parse_until("09:00", now, LONDON)
    assert result.astimezone(UTC) == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


def test_until_rfc3339() -> None:
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert parse_until("2026-01-15T14:00:00Z", now) == datetime(2026, 1, 15, 14, tzinfo=UTC)
    with pytest.raises(TimeInputError, match="already passed"):
        parse_until("2026-01-15T11:00:00Z", now)


@pytest.mark.parametrize("text", ["24:00", "7pm", "14:5", "tomorrow", "14:60"])
def test_until_rejects(text: str) -> None:
    with pytest.raises(TimeInputError):
        parse_until(text, datetime(2026, 1, 15, 12, 0, tzinfo=UTC), LONDON)


NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["99999999999999h", "9" * 5000 + "m", "99999999999999999999s", "10000000", "169h"]
)
def test_a_huge_duration_is_too_long_not_an_overflow(text: str) -> None:
    with pytest.raises(TimeInputError, match="longer than 7 days"):
        parse_duration(text)


def test_leading_zeros_are_not_mistaken_for_a_huge_number() -> None:
    assert parse_duration("0000000000000000000015m") == timedelta(minutes=15)
    assert parse_duration("168h") == timedelta(days=7)


@pytest.mark.parametrize("text", ["", " ", "\t"])
def test_an_empty_value_is_an_error_not_no_value(text: str) -> None:
    with pytest.raises(TimeInputError, match="empty"):
        parse_duration(text)
    with pytest.raises(TimeInputError, match="empty"):
        parse_until(text, NOW, LONDON)


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31T23:59:59-05:00",  # past the end of the calendar once in UTC
        "9999-12-31T23:59:59Z",
        "2026-01-22T12:00:01Z",  # 7 days and a second
        "2027-01-15T12:00:00+14:00",
    ],
)
def test_until_is_capped_at_7_days_like_for(text: str) -> None:
    with pytest.raises(TimeInputError, match="more than 7 days ahead"):
        parse_until(text, NOW)


def test_until_exactly_7_days_ahead_is_allowed() -> None:
    assert parse_until("2026-01-22T12:00:00Z", NOW) == NOW + timedelta(days=7)


def test_until_at_the_start_of_the_calendar_has_passed() -> None:
    with pytest.raises(TimeInputError, match="already passed"):
        parse_until("0001-01-01T00:00:00+05:00", NOW)
