"""The PIN hash and the lockout policy."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.core.pin import (
    LockoutPolicy,
    PinError,
    PinGuard,
    PinLocked,
    check_new_pin,
    common_pin,
    format_wait,
    hash_pin,
    verify_pin,
)
from tests.helpers.fakes import FakeClock

CHEAP = 16  # scrypt n for tests: the format is real, the cost is not


def test_hash_is_salted_and_verifies() -> None:
    a, b = hash_pin("2468", n=CHEAP), hash_pin("2468", n=CHEAP)
    assert a != b  # a fresh salt every time
    assert a.startswith("scrypt$16$8$1$")
    assert "2468" not in a
    assert verify_pin("2468", a)
    assert not verify_pin("2469", a)
    assert not verify_pin("", a)


def test_default_cost_is_slow_enough() -> None:
    stored = hash_pin("2468")
    assert stored.startswith("scrypt$16384$8$1$")
    assert verify_pin("2468", stored)


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", "", "١٢٣٤"])
def test_bad_pins_are_refused(pin: str) -> None:
    with pytest.raises(PinError):
        hash_pin(pin, n=CHEAP)


@pytest.mark.parametrize(
    "stored", ["plain", "scrypt$x$8$1$aa$bb", "bcrypt$1$2$3$4$5", "scrypt$3$8$1$aa$bb"]
)
def test_damaged_hashes_say_so(stored: str) -> None:
    with pytest.raises(PinError):
        verify_pin("2468", stored)


def test_policy_backs_off_exponentially_with_a_cap() -> None:
    policy = LockoutPolicy(free_attempts=3, base_seconds=30, cap_seconds=300)
    assert [policy.delay_after(n) for n in range(1, 9)] == [0, 0, 30, 60, 120, 240, 300, 300]


def test_guard_locks_and_unlocks_on_the_monotonic_clock() -> None:
    clock = FakeClock()
    guard = PinGuard(clock)
    stored = hash_pin("2468", n=CHEAP)
    assert not guard.check("1111", stored)
    assert not guard.check("1111", stored)
    assert guard.seconds_locked() == 0
    assert not guard.check("1111", stored)
    assert guard.seconds_locked() == 30
    with pytest.raises(PinLocked) as info:
        guard.check("2468", stored)  # even the right PIN waits
    assert "30 s" in str(info.value)
    clock.set_wall(clock.now().replace(year=2030))  # moving the wall clock does not help
    assert guard.seconds_locked() == 30
    clock.advance(30)
    assert guard.check("2468", stored)
    assert guard.failures == 0


def test_format_wait() -> None:
    assert format_wait(0.2) == "1 s"
    assert format_wait(30) == "30 s"
    assert format_wait(60) == "1 min"
    assert format_wait(95) == "1 min 35 s"


def test_restarting_the_kiosk_does_not_lift_a_lockout(tmp_path: Path) -> None:
    stored = hash_pin("2468", n=16)
    state = tmp_path / "data" / "pin-lockout.json"
    clock = FakeClock()
    guard = PinGuard(clock, state_path=state)
    for _ in range(3):
        assert guard.check("0000", stored) is False
    assert guard.seconds_locked() == 30
    # Power cycle: a new guard (a new process), fresh monotonic clock.
    again = PinGuard(FakeClock(), state_path=state)
    assert again.failures == 3
    assert again.seconds_locked() == 30
    with pytest.raises(PinLocked):
        again.check("2468", stored)


def test_a_right_pin_clears_the_saved_count(tmp_path: Path) -> None:
    stored = hash_pin("2468", n=16)
    state = tmp_path / "pin-lockout.json"
    clock = FakeClock()
    guard = PinGuard(clock, state_path=state)
    guard.check("0000", stored)
    assert guard.check("2468", stored) is True
    assert PinGuard(FakeClock(), state_path=state).failures == 0


def test_an_unreadable_lockout_file_counts_as_locked_not_as_clean(tmp_path: Path) -> None:
    state = tmp_path / "pin-lockout.json"
    state.write_text("{not json")
    guard = PinGuard(FakeClock(), state_path=state)
    assert guard.seconds_locked() > 0


def _lock_three_times(state: Path, clock: FakeClock) -> None:
    stored = hash_pin("2468", n=16)
    guard = PinGuard(clock, state_path=state)
    for _ in range(3):
        guard.check("0000", stored)


def test_a_saved_lockout_wears_off_with_the_time_that_passed(tmp_path: Path) -> None:
    state = tmp_path / "pin-lockout.json"
    clock = FakeClock()
    _lock_three_times(state, clock)
    later = FakeClock(clock.now() + timedelta(seconds=20))  # restarted 20 s later
    assert PinGuard(later, state_path=state).seconds_locked() == pytest.approx(10)
    much_later = FakeClock(clock.now() + timedelta(seconds=31))
    assert PinGuard(much_later, state_path=state).seconds_locked() == 0


def test_turning_the_clock_back_does_not_shorten_a_lockout(tmp_path: Path) -> None:
    state = tmp_path / "pin-lockout.json"
    clock = FakeClock()
    _lock_three_times(state, clock)
    earlier = FakeClock(clock.now() - timedelta(hours=1))
    assert PinGuard(earlier, state_path=state).seconds_locked() == 30


def test_wrong_pins_are_forgotten_after_a_day(tmp_path: Path) -> None:
    state = tmp_path / "pin-lockout.json"
    clock = FakeClock()
    _lock_three_times(state, clock)
    next_day = FakeClock(clock.now() + timedelta(hours=25))
    guard = PinGuard(next_day, state_path=state)
    assert guard.failures == 0 and guard.seconds_locked() == 0


@pytest.mark.parametrize(
    "pin",
    ["1234", "0000", "1111", "1212", "7777", "4321", "2580", "0852", "1004", "2000", "6969",
     "9999", "12345678", "87654321", "7890", "3210", "474747", "123123", "888888888888"],
)  # fmt: skip
def test_common_pins_are_refused_in_one_sentence(pin: str) -> None:
    assert common_pin(pin)
    with pytest.raises(PinError) as caught:
        check_new_pin(pin)
    assert str(caught.value) == "That PIN is one of the first anyone would guess. Choose another."


@pytest.mark.parametrize("pin", ["4826", "9051", "2468", "1357", "73915", "20261127"])
def test_ordinary_pins_are_allowed(pin: str) -> None:
    assert not common_pin(pin)
    check_new_pin(pin)  # raises nothing


def test_a_new_pin_is_checked_for_shape_before_guessability() -> None:
    with pytest.raises(PinError, match="digits only"):
        check_new_pin("12a4")
    with pytest.raises(PinError, match="4 to 12"):
        check_new_pin("11")


def test_reset_lifts_a_lockout_and_saves_it(tmp_path: Path) -> None:
    clock = FakeClock()
    stored = hash_pin("2468", n=CHEAP)
    state = tmp_path / "lockout.json"
    guard = PinGuard(clock, state_path=state)
    for _ in range(3):
        guard.check("1111", stored)
    assert guard.seconds_locked() > 0
    guard.reset()
    assert guard.seconds_locked() == 0 and guard.failures == 0
    assert PinGuard(clock, state_path=state).seconds_locked() == 0  # after a restart too
    assert guard.check("2468", stored)


def test_wrong_pins_are_logged_counted_never_the_digits(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    clock = FakeClock()
    guard = PinGuard(clock=clock)
    stored = hash_pin("4826", n=2**4)
    assert not guard.check("9137", stored)
    clock.advance(60)
    assert not guard.check("9138", stored)
    clock.advance(60)
    assert guard.check("4826", stored)
    lines = [r.getMessage() for r in caplog.records if getattr(r, "kiosk_event", False)]
    assert lines[0].startswith("wrong manager PIN (1 in a row") and "2 in a row" in lines[1]
    assert "accepted after 2 wrong" in lines[2]
    assert not any(pin in caplog.text for pin in ("9137", "9138", "4826"))
