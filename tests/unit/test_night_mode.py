"""Night mode's decision, without Qt: when the status screen may dim, and what keeps it lit."""

from __future__ import annotations

from datetime import UTC, timedelta

from kiosk.core.config import Store
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.sync import Attention, AttentionKind, Connectivity, Link, StoreView
from kiosk.ui.pages import Page
from kiosk.ui.screen_state import ScreenState
from kiosk.ui.view_model import LocalTime
from tests.helpers.fakes import FakeClock

MAIN = Store("3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c", "Main Street")
ONLINE = StoreStatus(StoreState.ONLINE)


def lit_state(clock: FakeClock) -> ScreenState:
    state = ScreenState((MAIN,), lt=LocalTime(UTC), ready=True)
    now = clock.now()
    state.on_view(StoreView(MAIN, ONLINE, now), now)
    state.on_connectivity(Connectivity(Link.ONLINE, now))
    state.dim_after_seconds = 600
    state.touched(now)
    return state


def polled(state: ScreenState, clock: FakeClock) -> None:
    """What the worker does every poll: Gett confirmed the store's state just now."""
    now = clock.now()
    view = state.views[MAIN.id]
    state.on_view(StoreView(MAIN, view.confirmed, now, view.pending), now)
    if state.connectivity.link is Link.ONLINE:
        state.on_connectivity(Connectivity(Link.ONLINE, now))


def due(state: ScreenState, clock: FakeClock, page: Page = Page.HOME) -> bool:
    polled(state, clock)
    now = clock.now()
    return state.dim_due(page, now, state.screen(now))


def test_the_status_screen_dims_after_the_idle_time_and_a_touch_wakes_it() -> None:
    clock = FakeClock()
    state = lit_state(clock)
    assert state.dim_deadline() == clock.now() + timedelta(seconds=600)
    clock.advance(599)
    assert not due(state, clock)
    clock.advance(1)
    assert due(state, clock)
    assert not due(state, clock, Page.SETTINGS)  # a manager reading settings is never dimmed
    state.touched(clock.now())
    assert not due(state, clock)


def test_a_stale_status_keeps_it_lit() -> None:
    clock = FakeClock()
    state = lit_state(clock)
    clock.advance(700)  # no poll for 700 s: the screen says the status is old
    now = clock.now()
    assert not state.dim_due(Page.HOME, now, state.screen(now))


def test_zero_means_never() -> None:
    clock = FakeClock()
    state = lit_state(clock)
    state.dim_after_seconds = 0
    clock.advance(86_400)
    assert not due(state, clock)
    assert state.dim_deadline() is None


def test_an_unconfirmed_pause_keeps_the_screen_lit() -> None:
    clock = FakeClock()
    state = lit_state(clock)
    state.tap([(MAIN.id, StoreStatusUpdate.pause(PauseReason.TOO_BUSY, None))], clock.now())
    clock.advance(3600)
    assert not due(state, clock)


def test_an_alert_or_lost_connection_wakes_it() -> None:
    clock = FakeClock()
    state = lit_state(clock)
    clock.advance(700)
    assert due(state, clock)
    state.on_attention(Attention(AttentionKind.REQUEST_REJECTED, "Gett refused it", MAIN.id))
    assert not due(state, clock)
    state.dismiss_banner()
    assert due(state, clock)
    state.on_connectivity(Connectivity(Link.OFFLINE, clock.now() - timedelta(minutes=5), "down"))
    assert not due(state, clock)


def test_changed_elsewhere_keeps_it_lit() -> None:
    clock = FakeClock()
    state = lit_state(clock)
    clock.advance(700)
    paused = StoreStatus(StoreState.PAUSED, PauseReason.OTHER, clock.now(), None)
    state.on_view(StoreView(MAIN, paused, clock.now()), clock.now())
    # a pause made in the portal is shown; whether it is announced or not, the screen is
    # allowed to dim only if nothing on it asks for a look
    screen = state.screen(clock.now())
    assert due(state, clock) == (screen.banner is None and screen.toast is None)


def test_night_dim_minutes_is_checked_in_the_config_and_saved_as_read() -> None:
    import tomllib

    import pytest

    from kiosk.core.config import ConfigError, parse_config, to_toml

    store = {"id": MAIN.id, "name": "Main Street"}
    assert parse_config({"stores": [store]}).ui.night_dim_minutes == 10  # the default
    config = parse_config({"stores": [store], "ui": {"night_dim_minutes": 0}})
    assert config.ui.night_dim_minutes == 0
    assert parse_config(tomllib.loads(to_toml(config))).ui == config.ui
    for bad in (-1, 241, True, "10", 1.5):
        with pytest.raises(ConfigError):
            parse_config({"stores": [store], "ui": {"night_dim_minutes": bad}})
