"""What the screen says, without widgets: every state, every honest in-between."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.config import Store
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.sync import Attention, AttentionKind, Connectivity, Link, StoreView
from kiosk.core.words import format_duration
from kiosk.ui.view_model import (
    PALETTES,
    STRIPE_COLOURS,
    Fill,
    Indicator,
    LocalTime,
    Snapshot,
    StateKind,
    contrast_ratio,
    describe,
    describe_connection,
    extension,
    forgotten_pause_since,
    heads_up_key,
    pause_all_targets,
    resume_all_targets,
    summarise,
)

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
STORE = Store("3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c", "Main Street")
ONLINE = Connectivity(Link.ONLINE, NOW, None)
OFFLINE = Connectivity(Link.OFFLINE, NOW - timedelta(minutes=5), "connection refused")
LT = LocalTime(UTC)
IS_ONLINE = StoreStatus(StoreState.ONLINE)


def paused(
    resume_in: float | None = 30, since: float = 10, reason: object = PauseReason.TOO_BUSY
) -> StoreStatus:
    return StoreStatus(
        StoreState.PAUSED,
        reason,  # type: ignore[arg-type]
        NOW - timedelta(minutes=since),
        None if resume_in is None else NOW + timedelta(minutes=resume_in),
    )


def intent(
    update: StoreStatusUpdate, state: IntentState = IntentState.PENDING, attempts: int = 0
) -> Intent:
    return Intent(
        id=1,
        store_id=STORE.id,
        update=update,
        created_at=NOW,
        origin="ui",
        state=state,
        attempts=attempts,
        next_attempt_at=NOW + timedelta(seconds=20),
        verify_first=False,
        last_error="Could not connect to Gett" if attempts else None,
        last_error_kind=None,
        finished_at=None,
        base=None,
        confirmed=None,
    )


def snap(view: StoreView | None, conn: Connectivity = ONLINE, **kw: object) -> Snapshot:
    return Snapshot(view, conn, kw.pop("now", NOW), time=LT, **kw)  # type: ignore[arg-type]


def view(
    confirmed: StoreStatus | None = IS_ONLINE,
    at: datetime | None = NOW,
    pending: Intent | None = None,
    attention: Attention | None = None,
) -> StoreView:
    return StoreView(STORE, confirmed, at if confirmed else None, pending, attention)


def test_online() -> None:
    ind = describe(snap(view()))
    assert (ind.kind, ind.headline, ind.icon, ind.fill) == (
        StateKind.ONLINE,
        "ONLINE",
        "check",
        Fill.SOLID,
    )
    assert ind.target is StoreState.ONLINE


def test_paused_with_countdown() -> None:
    ind = describe(snap(view(paused(23, since=7))))
    assert ind.kind is StateKind.PAUSED
    assert ind.subheadline == "Too busy"
    assert ind.lines == ("Paused since 11:53 (7 min)", "Resumes at 12:23 (in 23 min)")
    assert ind.can_extend
    assert ind.icon == "pause"


def test_paused_until_resumed() -> None:
    ind = describe(snap(view(paused(None))))
    assert "Until you resume" in ind.lines
    assert not ind.can_extend


def test_paused_with_a_reason_we_do_not_know() -> None:
    ind = describe(snap(view(paused(reason="alien_invasion"))))
    assert ind.kind is StateKind.PAUSED
    assert "alien_invasion" in ind.subheadline and "does not know" in ind.subheadline


def test_an_unknown_status_is_shown_as_it_came() -> None:
    ind = describe(snap(view(StoreStatus("closed_forever"))))
    assert ind.kind is StateKind.UNKNOWN
    assert "closed_forever" in ind.subheadline


def test_no_answer_yet_is_unknown() -> None:
    assert describe(snap(None)).kind is StateKind.UNKNOWN
    ind = describe(snap(view(None), OFFLINE))
    assert ind.kind is StateKind.UNKNOWN
    assert ind.headline == "STATUS UNKNOWN"
    assert ind.lines == ("No connection to Gett right now.",)


def test_an_old_confirmation_is_unknown_with_the_last_known() -> None:
    ind = describe(snap(view(paused(None), at=NOW - timedelta(minutes=4)), OFFLINE))
    assert ind.kind is StateKind.UNKNOWN
    assert ind.lines[0] == "Last known: PAUSED as of 11:56"
    assert ind.subheadline == "No answer from Gett for 4 min"
    fresh = describe(snap(view(paused(None), at=NOW - timedelta(seconds=80)), OFFLINE))
    assert fresh.kind is StateKind.PAUSED


def test_pausing_offline_is_not_shown_as_paused() -> None:
    waiting = intent(
        StoreStatusUpdate.pause(PauseReason.TOO_BUSY, NOW + timedelta(minutes=30)), attempts=2
    )
    ind = describe(snap(view(pending=waiting), OFFLINE))
    assert ind.kind is StateKind.PAUSING
    assert ind.fill is Fill.STRIPED
    assert ind.icon == "pausing"
    assert (ind.headline, ind.subheadline) == ("PAUSING…", "Not confirmed yet")
    assert ind.lines[0] == "Pause: Too busy, until 12:30 (in 30 min)"
    assert "No connection to Gett" in ind.lines[1]
    assert ind.lines[2] == "Last confirmed by Gett: ONLINE at 12:00"


def test_pending_says_why_it_waits() -> None:
    resume = intent(StoreStatusUpdate.resume())
    assert describe(snap(view(paused(), pending=resume))).lines[1] == "Sending to Gett now…"
    failing = intent(StoreStatusUpdate.resume(), attempts=1)
    degraded = Connectivity(Link.DEGRADED, NOW, "503")
    ind = describe(snap(view(paused(), pending=failing), degraded))
    assert ind.kind is StateKind.RESUMING
    assert "Could not connect to Gett" in ind.lines[1] and "Trying again in 20 s" in ind.lines[1]


def test_a_local_tap_shows_before_the_worker_acknowledges() -> None:
    ind = describe(snap(view(), local_tap=StoreStatusUpdate.pause(PauseReason.OTHER)))
    assert ind.kind is StateKind.PAUSING
    assert ind.lines[1] == "Saving your change…"


def test_auto_resume_time_passed_is_resuming_until_gett_confirms() -> None:
    ind = describe(snap(view(paused(resume_in=-0.5))))
    assert ind.kind is StateKind.RESUMING
    assert ind.fill is Fill.STRIPED


def test_conflict_offers_both_choices() -> None:
    mine = intent(StoreStatusUpdate.pause(PauseReason.TOO_BUSY), IntentState.CONFLICT)
    ind = describe(snap(view(StoreStatus(StoreState.ONLINE), pending=mine)))
    assert ind.kind is StateKind.CONFLICT
    assert ind.icon == "warning"
    assert ind.conflict_choice == ("Keep Gett's: ONLINE", "Apply mine: PAUSE")
    assert ind.subheadline == "Gett says: ONLINE, taking orders"
    assert ind.lines == (
        "Changed outside this kiosk (the Gett partner portal or Gett support)",
        "This kiosk wanted: Pause: Too busy, until you resume",
    )


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (AttentionKind.KEY_REJECTED, "Gett did not accept the API key"),
        (AttentionKind.KEY_MISSING, "No API key is stored"),
        (AttentionKind.STORE_UNKNOWN, "Gett does not know this store"),
    ],
)
def test_needs_a_manager(kind: AttentionKind, words: str) -> None:
    attention = Attention(kind, "Gett rejected the API key (401 Unauthorized).", STORE.id)
    ind = describe(snap(view(attention=attention)))
    assert ind.kind is StateKind.NEEDS_MANAGER
    assert ind.subheadline == words
    assert ind.manager_action
    assert ind.lines[-1] == "A manager can fix this in Settings."


def test_held_intent_needs_a_manager_and_says_what_waits() -> None:
    held = intent(StoreStatusUpdate.pause(PauseReason.OTHER), IntentState.HELD)
    ind = describe(snap(view(pending=held)))
    assert ind.kind is StateKind.NEEDS_MANAGER
    assert "Waiting to be sent: Pause: Other, until you resume" in ind.lines


def test_connection_line_and_banner() -> None:
    waiting = intent(StoreStatusUpdate.resume())
    info = describe_connection(OFFLINE, [view(pending=waiting)], NOW, LT)
    assert info.line == "No connection · last confirmed 12:00"
    assert info.banner == (
        "No connection to Gett. 1 change is waiting and will be sent when the connection is back."
    )
    calm = describe_connection(ONLINE, [view()], NOW, LT)
    assert calm.banner is None
    assert calm.line == "Connected to Gett · last confirmed 12:00"


def test_heads_up_window() -> None:
    assert heads_up_key(view(paused(resume_in=3)), NOW) is None
    assert heads_up_key(view(paused(resume_in=1.5)), NOW) is not None
    assert heads_up_key(view(paused(resume_in=None)), NOW) is None
    waiting = intent(StoreStatusUpdate.resume())
    assert heads_up_key(view(paused(resume_in=1.5), pending=waiting), NOW) is None


def test_forgotten_pause() -> None:
    assert forgotten_pause_since(view(paused(None, since=29)), NOW, 30) is None
    assert forgotten_pause_since(view(paused(None, since=31)), NOW, 30) == NOW - timedelta(
        minutes=31
    )
    assert forgotten_pause_since(view(paused(60, since=120)), NOW, 30) is None


def test_extension_pushes_the_resume_time_and_keeps_the_reason() -> None:
    update = extension(view(paused(resume_in=10)), NOW)
    assert update == StoreStatusUpdate.pause(PauseReason.TOO_BUSY, NOW + timedelta(minutes=25))
    unknown_reason = extension(view(paused(resume_in=10, reason="mystery")), NOW)
    assert unknown_reason is not None and unknown_reason.reason is PauseReason.OTHER
    assert extension(view(paused(None)), NOW) is None
    assert extension(view(), NOW) is None


def test_durations_round_up() -> None:
    assert format_duration(30) == "less than a minute"
    assert format_duration(61) == "2 min"
    assert format_duration(3600) == "1 h"
    assert format_duration(3900) == "1 h 05 min"


def test_countdown_is_right_across_a_dst_change() -> None:
    london = LocalTime(ZoneInfo("Europe/London"))
    now = datetime(2026, 3, 29, 0, 50, tzinfo=UTC)  # 00:50 GMT; clocks go to 02:00 at 01:00
    pause = StoreStatus(StoreState.PAUSED, PauseReason.OTHER, now, now + timedelta(minutes=30))
    ind = describe(Snapshot(view(pause, at=now), ONLINE, now, time=london))
    assert "Resumes at 02:20 (in 30 min)" in ind.lines
    assert london.end_of_day(now) == datetime(2026, 3, 29, 23, 0, tzinfo=UTC)


def test_local_time_picks_the_next_occurrence() -> None:
    assert LT.at(NOW, 13, 0) == NOW + timedelta(hours=1)
    assert LT.at(NOW, 11, 0) == NOW + timedelta(hours=23)
    assert LT.clock_on(NOW + timedelta(days=1), NOW) == "tomorrow 12:00"


@pytest.mark.parametrize("kind", list(StateKind))
def test_indicator_text_contrast_is_at_least_7_to_1(kind: StateKind) -> None:
    palette = PALETTES[kind]
    assert contrast_ratio(palette.foreground, palette.background) >= 7.0
    if kind in STRIPE_COLOURS:
        assert contrast_ratio(palette.foreground, STRIPE_COLOURS[kind]) >= 7.0


def test_contrast_maths() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)


# -- several stores: the "All stores" summary and who "all" taps are for --------------------

PIZZA = Store("8d2e4b1a-0c3f-4e5d-9b6a-7f1e2d3c4b5a", "Pizza Nonna")
BOWL = Store("1b7c9d2e-4f6a-4b8c-8d0e-2f4a6b8c0d1e", "Green Bowl")


def of(store: Store, **kw: object) -> tuple[Store, Indicator]:
    return store, describe(snap(replace(view(**kw), store=store)))  # type: ignore[arg-type]


def test_summary_counts_in_words_and_lists_every_store() -> None:
    all_online = summarise([of(STORE), of(PIZZA)])
    assert (all_online.kind, all_online.headline) == (StateKind.ONLINE, "ALL ONLINE")
    assert all_online.subheadline == "2 of 2 stores taking orders"
    mixed = summarise([of(STORE), of(PIZZA, confirmed=paused()), of(BOWL)])
    assert (mixed.kind, mixed.headline) == (StateKind.PAUSED, "1 OF 3 PAUSED")
    assert mixed.subheadline == "1 of 3 stores paused, 2 stores taking orders"
    assert mixed.lines[0] == "Pizza Nonna: PAUSED (Too busy)"  # what is not online first
    assert len(mixed.lines) == 3
    all_paused = summarise([of(STORE, confirmed=paused()), of(PIZZA, confirmed=paused())])
    assert all_paused.headline == "ALL PAUSED"
    # marked as a summary (a short panel sets its one-line-per-store in two columns); a
    # store's own panel never is
    assert all_online.summary and mixed.summary and all_paused.summary
    assert not of(STORE)[1].summary


def test_summary_is_never_rounder_than_its_stores() -> None:
    waiting = intent(StoreStatusUpdate.pause(PauseReason.TOO_BUSY, None))
    pausing = summarise([of(STORE, confirmed=paused()), of(PIZZA, pending=waiting)])
    assert (pausing.kind, pausing.fill, pausing.headline) == (
        StateKind.PAUSING,
        Fill.STRIPED,
        "PAUSING…",
    )
    assert pausing.subheadline == "Not confirmed yet for 1 of 2 stores"
    unknown = summarise([of(STORE), of(PIZZA, confirmed=None)])
    assert unknown.kind is StateKind.UNKNOWN
    conflict = intent(StoreStatusUpdate.resume(), IntentState.CONFLICT)
    changed = summarise([of(STORE), of(PIZZA, confirmed=paused(), pending=conflict)])
    assert changed.kind is StateKind.CONFLICT
    assert changed.subheadline.startswith("Pizza Nonna: changed outside this kiosk")
    rejected = Attention(AttentionKind.KEY_REJECTED, "401", PIZZA.id)
    manager = summarise([of(STORE), of(PIZZA, attention=rejected)])
    assert manager.kind is StateKind.NEEDS_MANAGER
    assert manager.subheadline == "Pizza Nonna: Gett did not accept the API key"


def test_all_taps_skip_stores_already_there_and_stores_with_their_own_choice() -> None:
    conflict = intent(StoreStatusUpdate.resume(), IntentState.CONFLICT)
    indicators = [
        of(STORE),
        of(PIZZA, confirmed=paused(None, reason=PauseReason.MAINTENANCE)),
        of(BOWL, confirmed=paused(), pending=conflict),
    ]
    assert pause_all_targets(indicators) == (STORE,)  # Pizza keeps its own pause
    assert resume_all_targets(indicators) == (PIZZA,)  # Green Bowl needs its choice first
