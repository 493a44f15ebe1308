from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kiosk.core.models import (
    ModelError,
    PauseReason,
    StoreState,
    StoreStatus,
    StoreStatusUpdate,
    format_datetime,
    parse_datetime,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-15T14:00:00Z", datetime(2026, 1, 15, 14, 0, tzinfo=UTC)),
        ("2026-01-15t14:00:00z", datetime(2026, 1, 15, 14, 0, tzinfo=UTC)),
        ("2026-01-15T16:00:00+02:00", datetime(2026, 1, 15, 14, 0, tzinfo=UTC)),
        ("2026-01-15T09:30:00-04:30", datetime(2026, 1, 15, 14, 0, tzinfo=UTC)),
        ("2026-01-15T14:00:00.5Z", datetime(2026, 1, 15, 14, 0, 0, 500000, tzinfo=UTC)),
        ("2026-01-15T14:00:00.123456789Z", datetime(2026, 1, 15, 14, 0, 0, 123456, tzinfo=UTC)),
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_parse_datetime_accepts_any_rfc3339_offset(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text", ["2026-01-15T14:00:00", "2026-01-15", "yesterday", "2026-02-30T10:00:00Z", ""]
)
def test_parse_datetime_rejects_ambiguous_or_invalid(text: str) -> None:
    with pytest.raises(ModelError):
        parse_datetime(text)


def test_format_datetime_is_utc_with_z() -> None:
    local = datetime(2026, 1, 15, 16, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_datetime(local) == "2026-01-15T14:00:00Z"
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2026, 1, 15, 14, 0))


def test_status_reads_paused_with_all_fields() -> None:
    status = StoreStatus.from_json(
        {
            "status": "paused",
            "reason": "too_busy",
            "pausedAt": "2026-01-15T13:00:00Z",
            "resumeAt": "2026-01-15T14:00:00+00:00",
        }
    )
    assert status.is_paused and status.reason is PauseReason.TOO_BUSY
    assert status.paused_at == datetime(2026, 1, 15, 13, tzinfo=UTC)
    assert status.resume_at == datetime(2026, 1, 15, 14, tzinfo=UTC)


def test_status_online_ignores_leftover_pause_fields() -> None:
    # The reference's own example answers "online" with a reason and times filled in.
    status = StoreStatus.from_json(
        {
            "status": "online",
            "reason": "operational_issues",
            "pausedAt": "2024-08-25T15:00:00Z",
            "resumeAt": "2024-08-25T15:00:00Z",
        }
    )
    assert status == StoreStatus(StoreState.ONLINE)


@pytest.mark.parametrize(
    "body",
    [
        {"status": "paused"},
        {"status": "paused", "reason": None, "pausedAt": None, "resumeAt": None},
        {"status": "paused", "reason": "other", "pausedAt": "", "extra": {"x": 1}},
    ],
)
def test_status_tolerates_missing_and_null_fields(body: dict[str, object]) -> None:
    status = StoreStatus.from_json(body)
    assert status.is_paused and status.resume_at is None


def test_unknown_enum_values_are_kept_not_crashed_on() -> None:
    status = StoreStatus.from_json({"status": "busy_mode", "reason": "alien_invasion"})
    assert status.status == "busy_mode" and not status.status_known
    assert not status.is_online and not status.is_paused
    paused = StoreStatus.from_json({"status": "paused", "reason": "alien_invasion"})
    assert paused.reason == "alien_invasion" and not paused.reason_known
    assert paused.to_json()["reason"] == "alien_invasion"


@pytest.mark.parametrize(
    "body",
    [[], "online", None, {}, {"status": 3}, {"status": "paused", "pausedAt": 17}],
)
def test_status_rejects_bodies_that_are_not_a_status(body: object) -> None:
    with pytest.raises(ModelError):
        StoreStatus.from_json(body)


def test_update_wire_format() -> None:
    resume_at = datetime(2026, 1, 15, 16, 0, tzinfo=timezone(timedelta(hours=2)))
    assert StoreStatusUpdate.pause(PauseReason.TOO_BUSY, resume_at).to_json() == {
        "status": "paused",
        "reason": "too_busy",
        "resumeAt": "2026-01-15T14:00:00Z",
    }
    assert StoreStatusUpdate.pause(PauseReason.OTHER).to_json() == {
        "status": "paused",
        "reason": "other",
    }
    assert StoreStatusUpdate.resume().to_json() == {"status": "online"}


def test_update_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="reason"):
        StoreStatusUpdate(StoreState.PAUSED)
    with pytest.raises(ValueError, match="resuming"):
        StoreStatusUpdate(StoreState.ONLINE, PauseReason.OTHER)
    with pytest.raises(ValueError, match="aware"):
        StoreStatusUpdate.pause(PauseReason.OTHER, datetime(2026, 1, 1, 12, 0))


def test_update_matches_live_state() -> None:
    at = datetime(2026, 1, 15, 14, tzinfo=UTC)
    pause = StoreStatusUpdate.pause(PauseReason.TOO_BUSY, at)
    assert pause.matches(StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, None, at))
    assert not pause.matches(StoreStatus(StoreState.PAUSED, PauseReason.OTHER, None, at))
    assert not pause.matches(StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, None, None))
    assert not pause.matches(StoreStatus(StoreState.ONLINE))
    assert StoreStatusUpdate.resume().matches(StoreStatus(StoreState.ONLINE))
    assert not StoreStatusUpdate.resume().matches(StoreStatus("mystery"))
