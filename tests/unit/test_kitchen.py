"""Kitchen-proof rules without Qt: the double-tap guard, an unconfirmed pause that gets louder,
"Cancel pause" and "Undo", what "+15 min" did, the idle return, a resume made elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.core.config import Store
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.sync import Connectivity, Link, StoreView
from kiosk.ui.pages import Page
from kiosk.ui.screen_state import TOAST_SECONDS, UNDO_SECONDS, ScreenState
from kiosk.ui.tap_guard import GUARD_SECONDS, TapGuard
from kiosk.ui.view_model import (
    ESCALATE_AFTER_SECONDS,
    ESCALATE_STEP_SECONDS,
    ICONS,
    MAX_ALARM,
    LocalTime,
    Snapshot,
    StateKind,
    alarm_level,
    describe,
)

MAIN = Store("3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c", "Main Street")
NOW = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)
LT = LocalTime(UTC)
ONLINE = StoreStatus(StoreState.ONLINE)
OFFLINE = Connectivity(Link.OFFLINE, NOW, "Could not connect to Gett")
PAUSE_30 = StoreStatusUpdate.pause(PauseReason.TOO_BUSY, NOW + timedelta(minutes=30))


class Mono:
    """A monotonic clock a test moves."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


# -- item 1: the guard ---------------------------------------------------------------------


def test_new_controls_refuse_a_tap_for_the_guard_time_only() -> None:
    mono = Mono()
    guard = TapGuard(GUARD_SECONDS, mono)
    assert guard.accepts()  # nothing new yet
    guard.opened()
    mono.t += 0.150  # the recorded double tap
    assert not guard.accepts()
    mono.t += GUARD_SECONDS - 0.150
    assert guard.accepts()


def test_the_same_action_twice_within_the_guard_counts_once() -> None:
    mono = Mono()
    guard = TapGuard(GUARD_SECONDS, mono)
    assert guard.once("extend:a")
    mono.t += 0.1
    assert not guard.once("extend:a")
    assert guard.once("extend:b")  # another store's "+15 min" is its own action
    mono.t += GUARD_SECONDS
    assert guard.once("extend:a")  # a deliberate second "+15 min" counts


def test_guard_time_sits_between_a_double_tap_and_a_deliberate_tap() -> None:
    assert 0.25 < GUARD_SECONDS <= 0.4


# -- item 2: an unconfirmed pause gets louder --------------------------------------------------


def test_a_pause_unconfirmed_for_30_s_says_orders_can_still_come_in() -> None:
    quiet = describe(
        Snapshot(
            StoreView(MAIN, ONLINE, NOW),
            OFFLINE,
            NOW + timedelta(seconds=29),
            local_tap=PAUSE_30,
            time=LT,
            local_tap_at=NOW,
        )
    )
    assert (quiet.alarm, quiet.subheadline) == (0, "Not confirmed yet")
    loud = describe(
        Snapshot(
            StoreView(MAIN, ONLINE, NOW),
            OFFLINE,
            NOW + timedelta(seconds=31),
            local_tap=PAUSE_30,
            time=LT,
            local_tap_at=NOW,
            support_phone="+44 20 7946 0000",
        )
    )
    assert loud.kind is StateKind.PAUSING
    assert loud.alarm == 1
    assert loud.subheadline == "NOT CONFIRMED: orders can still come in"
    assert loud.lines[0] == (
        "Not confirmed for 31 s: call Gett support on +44 20 7946 0000, "
        "or pause the store in the Gett partner portal."
    )


def test_the_alarm_grows_each_minute_up_to_a_cap() -> None:
    levels = [alarm_level(s) for s in (0, 29.9, 30, 89.9, 90, 150, 210, 3600)]
    assert levels == [0, 0, 1, 1, 2, 3, MAX_ALARM, MAX_ALARM]
    assert ESCALATE_AFTER_SECONDS == 30 and ESCALATE_STEP_SECONDS == 60


def test_a_waiting_resume_does_not_escalate() -> None:
    ind = describe(
        Snapshot(
            StoreView(MAIN, StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, NOW, None), NOW),
            OFFLINE,
            NOW + timedelta(minutes=5),
            local_tap=StoreStatusUpdate.resume(),
            time=LT,
            local_tap_at=NOW,
        )
    )
    assert (ind.kind, ind.alarm) == (StateKind.RESUMING, 0)


# -- item 6: the right words -------------------------------------------------------------------


def state() -> ScreenState:
    st = ScreenState((MAIN,), lt=LT, ready=True)
    st.on_view(StoreView(MAIN, ONLINE, NOW), NOW)
    st.on_connectivity(Connectivity(Link.ONLINE, NOW))
    return st


def test_an_unconfirmed_pause_offers_cancel_pause_not_resume_now() -> None:
    st = state()
    st.tap([(MAIN.id, PAUSE_30)], NOW)
    actions = st.screen(NOW).actions
    assert (actions.cancel_pause, actions.resume) == (True, False)
    st.tap([(MAIN.id, StoreStatusUpdate.resume())], NOW)
    ind = st.screen(NOW).indicator
    assert ind.headline == "CANCELLING…"  # never "RESUMING…": the store was never paused
    assert ind.lines[0] == "Cancel the pause: the store stays online"


def test_a_confirmed_pause_offers_resume_now() -> None:
    st = state()
    paused = StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, NOW, NOW + timedelta(hours=1))
    st.on_view(StoreView(MAIN, paused, NOW), NOW)
    actions = st.screen(NOW).actions
    assert (actions.resume, actions.cancel_pause) == (True, False)


def test_resume_can_be_undone_for_a_few_seconds() -> None:
    st = state()
    end = NOW + timedelta(hours=1)
    st.on_view(
        StoreView(MAIN, StoreStatus(StoreState.PAUSED, PauseReason.STAFF_SHORTAGE, NOW, end), NOW),
        NOW,
    )
    st.tap([(MAIN.id, StoreStatusUpdate.resume())], NOW)
    assert st.screen(NOW).actions.undo
    later = NOW + timedelta(seconds=3)
    assert st.take_undo(later) == [
        (MAIN.id, StoreStatusUpdate.pause(PauseReason.STAFF_SHORTAGE, end))
    ]
    assert not st.screen(later).actions.undo  # once


def test_undo_goes_away_after_its_time() -> None:
    st = state()
    st.on_view(
        StoreView(MAIN, StoreStatus(StoreState.PAUSED, PauseReason.OTHER, NOW, None), NOW), NOW
    )
    st.tap([(MAIN.id, StoreStatusUpdate.resume())], NOW)
    gone = NOW + timedelta(seconds=UNDO_SECONDS)
    st.tick(gone, on_home=True)
    assert not st.screen(gone).actions.undo
    assert st.take_undo(gone) == []


def test_no_undo_for_cancelling_a_pause_that_never_took() -> None:
    st = state()
    st.tap([(MAIN.id, PAUSE_30)], NOW)
    st.tap([(MAIN.id, StoreStatusUpdate.resume())], NOW)
    assert not st.screen(NOW).actions.undo


def test_extend_says_what_it_did_for_a_few_seconds() -> None:
    st = state()
    st.extended(
        MAIN.id, StoreStatusUpdate.pause(PauseReason.TOO_BUSY, NOW + timedelta(minutes=45)), NOW
    )
    assert st.screen(NOW).toast == "✓ Pause now until 14:45 (in 45 min)"
    end = NOW + timedelta(seconds=TOAST_SECONDS)
    st.tick(end, on_home=True)
    assert st.screen(end).toast is None


def test_each_state_has_its_own_icon() -> None:
    assert len(set(ICONS.values())) == len(ICONS)


# -- item 4: back to the status screen ---------------------------------------------------------


@pytest.mark.parametrize("page", [Page.REASONS, Page.RESUME, Page.CUSTOM, Page.PIN])
def test_a_menu_left_alone_returns_home(page: Page) -> None:
    st = state()
    st.touched(NOW)
    assert not st.idle_return_due(page, NOW + timedelta(seconds=29))
    assert st.idle_return_due(page, NOW + timedelta(seconds=30))
    st.touched(NOW + timedelta(seconds=29))  # a touch starts the wait again
    assert not st.idle_return_due(page, NOW + timedelta(seconds=30))


@pytest.mark.parametrize("page", [Page.HOME, Page.SETTINGS, Page.SETUP])
def test_home_settings_and_setup_never_return(page: Page) -> None:
    st = state()
    st.touched(NOW)
    assert not st.idle_return_due(page, NOW + timedelta(hours=1))


def test_idle_return_can_be_switched_off() -> None:
    st = state()
    st.idle_return_seconds = 0
    st.touched(NOW)
    assert not st.idle_return_due(Page.REASONS, NOW + timedelta(hours=1))


# -- item 5: a resume made elsewhere is announced -------------------------------------------


def test_a_pause_ended_elsewhere_is_announced() -> None:
    st = state()
    paused = StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, NOW, None)
    st.on_view(StoreView(MAIN, paused, NOW), NOW)
    later = NOW + timedelta(minutes=2)
    st.on_view(StoreView(MAIN, ONLINE, later), later)
    assert st.banner is not None
    assert st.banner.title == "Resumed outside this kiosk at 14:02"
    assert "ONLINE and taking orders again" in st.banner.message


def test_a_pause_that_ran_out_or_our_own_resume_is_not_announced() -> None:
    st = state()
    end = NOW + timedelta(minutes=1)
    st.on_view(
        StoreView(MAIN, StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, NOW, end), NOW), NOW
    )
    after = end + timedelta(seconds=5)
    st.on_view(StoreView(MAIN, ONLINE, after), after)
    assert st.banner is None
    st.on_view(
        StoreView(MAIN, StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, NOW, None), after),
        after,
    )
    st.tap([(MAIN.id, StoreStatusUpdate.resume())], after)
    st.on_view(StoreView(MAIN, ONLINE, after), after)
    assert st.banner is None


def test_a_conflict_leads_with_what_gett_says_and_whether_orders_come_in() -> None:
    mine = Intent(
        1,
        MAIN.id,
        PAUSE_30,
        NOW,
        "ui",
        IntentState.CONFLICT,
        1,
        NOW,
        False,
        None,
        None,
        None,
        None,
        None,
    )
    ind = describe(Snapshot(StoreView(MAIN, ONLINE, NOW, mine), OFFLINE, NOW, time=LT))
    assert ind.subheadline == "Gett says: ONLINE, taking orders"


def test_kitchen_settings_are_checked_in_the_config() -> None:
    from kiosk.core.config import ConfigError, parse_config, to_toml

    store = {"id": MAIN.id, "name": "Main Street", "closing": "02:00"}
    ui = {"idle_return_seconds": 45, "support_phone": "+44 20 7946 0000"}
    config = parse_config({"stores": [store], "ui": ui})
    assert config.stores[0].closing == "02:00"
    assert (config.ui.idle_return_seconds, config.ui.support_phone) == (45, "+44 20 7946 0000")
    import tomllib

    again = parse_config(tomllib.loads(to_toml(config)))
    assert again.stores == config.stores and again.ui == config.ui  # saved as read
    for bad_store, bad_ui in (
        ({"closing": "25:00"}, {}),
        ({"closing": "2am"}, {}),
        ({}, {"idle_return_seconds": 2}),
        ({}, {"support_phone": "call\x1b[2J"}),
    ):
        with pytest.raises(ConfigError):
            parse_config({"stores": [store | bad_store], "ui": bad_ui})


def test_the_screen_carries_a_clock_on_getts_time() -> None:
    st = state()
    assert st.screen(NOW + timedelta(minutes=5, seconds=59)).clock == "14:05"


def test_a_pause_tapped_here_says_so_and_one_from_elsewhere_claims_nothing() -> None:
    st = state()
    st.tap([(MAIN.id, PAUSE_30)], NOW)
    paused = StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, NOW, PAUSE_30.resume_at)
    st.local_taps.clear()  # (the worker took it in)
    st.on_view(StoreView(MAIN, paused, NOW), NOW)
    assert st.store_indicator(MAIN.id, NOW).lines[-1] == "Paused from this kiosk"
    other = StoreStatus(StoreState.PAUSED, PauseReason.OTHER, NOW, None)  # changed in the portal
    st.on_view(StoreView(MAIN, other, NOW), NOW)
    assert "Paused from this kiosk" not in st.store_indicator(MAIN.id, NOW).lines


def test_changing_an_unconfirmed_pause_keeps_the_alarm_counting() -> None:
    """+15 min (or Change pause) on a pause Gett never confirmed is a new change, not a new
    wait: orders may have been coming in since the first tap, and the screen keeps saying so."""
    st = state()
    st.tap([(MAIN.id, PAUSE_30)], NOW)
    later = NOW + timedelta(seconds=100)
    assert st.screen(later).indicator.alarm >= 1
    longer = StoreStatusUpdate.pause(PauseReason.TOO_BUSY, NOW + timedelta(minutes=45))
    st.tap([(MAIN.id, longer)], later)
    ind = st.screen(later).indicator
    assert ind.kind is StateKind.PAUSING and ind.alarm >= 1
    assert ind.subheadline == "NOT CONFIRMED: orders can still come in"
    # Given up (cancelled), then asked again: a new wait starts.
    st.tap([(MAIN.id, StoreStatusUpdate.resume())], later)
    st.screen(later)
    st.tap([(MAIN.id, PAUSE_30)], later)
    assert st.screen(later + timedelta(seconds=5)).indicator.alarm == 0
