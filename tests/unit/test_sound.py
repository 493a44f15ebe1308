"""Sounds: when they play (decided from two frames, no Qt), and that they really play (the
miniaudio null backend pulls every sample at playback speed; we keep what it was handed)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import miniaudio
import pytest

from kiosk.core.config import ConfigError, Store, parse_config
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.sync import Connectivity, Link, StoreView
from kiosk.ui.cues import Cue, SoundSettings, cues, sound_settings, volume_for
from kiosk.ui.screen_state import Screen, ScreenState
from kiosk.ui.sound import SoundPlayer
from kiosk.ui.view_model import LocalTime

MAIN = Store("3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c", "Main Street")
NOW = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)
ONLINE = StoreStatus(StoreState.ONLINE)
PAUSE = StoreStatusUpdate.pause(PauseReason.TOO_BUSY, NOW + timedelta(minutes=30))


def frame(view: StoreView, now: datetime = NOW, link: Link = Link.ONLINE) -> Screen:
    st = ScreenState((MAIN,), lt=LocalTime(UTC), ready=True)
    st.on_view(view, now)
    st.on_connectivity(Connectivity(link, now))
    return st.screen(now)


def waiting(state: IntentState, created: datetime = NOW) -> Intent:
    return Intent(
        1, MAIN.id, PAUSE, created, "ui", state, 1, NOW, False, None, None, None, None, None
    )


def test_a_conflict_sounds_once_when_it_appears() -> None:
    calm = frame(StoreView(MAIN, ONLINE, NOW))
    conflict = frame(StoreView(MAIN, ONLINE, NOW, waiting(IntentState.CONFLICT)))
    assert cues(calm, conflict) == [Cue.CONFLICT]
    assert cues(conflict, conflict) == []  # a redraw is silent


def test_an_unconfirmed_pause_sounds_at_each_step_up() -> None:
    view = StoreView(MAIN, ONLINE, NOW, waiting(IntentState.PENDING))
    quiet = frame(view, NOW + timedelta(seconds=10), Link.OFFLINE)
    one = frame(view, NOW + timedelta(seconds=31), Link.OFFLINE)
    one_later = frame(view, NOW + timedelta(seconds=60), Link.OFFLINE)
    two = frame(view, NOW + timedelta(seconds=91), Link.OFFLINE)
    assert cues(quiet, one) == [Cue.UNCONFIRMED]
    assert cues(one, one_later) == []
    assert cues(one_later, two) == [Cue.UNCONFIRMED]


def test_heads_up_reminder_and_manager_have_their_own_sounds() -> None:
    st = ScreenState((MAIN,), lt=LocalTime(UTC), ready=True)
    paused = StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, NOW, NOW + timedelta(minutes=2))
    st.on_view(StoreView(MAIN, paused, NOW), NOW)
    st.on_connectivity(Connectivity(Link.ONLINE, NOW))
    before = st.screen(NOW)
    st.tick(NOW, on_home=True)
    assert cues(before, st.screen(NOW)) == [Cue.HEADS_UP]
    assert len({c.value for c in Cue}) == 5


def test_quiet_hours_hush_all_but_an_unconfirmed_pause() -> None:
    night = sound_settings(True, 80, "23:00-07:00")
    assert night.is_quiet(clock_time(2, 0)) and not night.is_quiet(clock_time(12, 0))
    assert volume_for(Cue.CONFLICT, night, clock_time(2, 0)) == 0.0
    assert volume_for(Cue.CONFLICT, night, clock_time(12, 0)) == pytest.approx(0.8)
    assert volume_for(Cue.UNCONFIRMED, night, clock_time(2, 0), alarm=1) > 0
    louder = [
        volume_for(Cue.UNCONFIRMED, SoundSettings(volume=60), clock_time(12), alarm=a)
        for a in (1, 2, 3)
    ]
    assert louder == sorted(louder) and louder[0] < louder[-1]
    assert volume_for(Cue.UNCONFIRMED, SoundSettings(enabled=False), clock_time(12), 3) == 0.0


def test_sound_settings_are_checked_in_the_config() -> None:
    config = parse_config(
        {"ui": {"sound": False, "sound_volume": 30, "quiet_hours": "22:30-06:00"}}
    )
    assert (config.ui.sound, config.ui.sound_volume, config.ui.quiet_hours) == (
        False,
        30,
        "22:30-06:00",
    )
    for bad in ({"sound_volume": 101}, {"quiet_hours": "late"}, {"sound": "yes"}):
        with pytest.raises(ConfigError):
            parse_config({"ui": bad})


@pytest.mark.parametrize("cue", list(Cue))
def test_each_sound_really_plays_into_a_null_device(cue: Cue) -> None:
    player = SoundPlayer([miniaudio.Backend.NULL])
    try:
        assert player.play(cue, 0.5)
        source = player.samples(cue)
        assert 0.2 < len(source) / 22_050 < 1.5  # short
        played = player.played[-1][1]
        deadline = time.monotonic() + 10
        while len(played) < len(source) and time.monotonic() < deadline:
            time.sleep(0.02)  # (polling the device thread's progress, with a deadline)
        assert len(played) == len(source)  # every sample went to the device
        assert max(played) == pytest.approx(max(source) * 0.5, abs=2)  # at the volume asked
    finally:
        player.close()


def test_muted_plays_nothing() -> None:
    player = SoundPlayer([miniaudio.Backend.NULL])
    assert not player.play(Cue.CONFLICT, 0.0)
    assert not player.played
    player.close()
