"""The manager PIN: a salted slow hash (scrypt) and a lockout that slows down guessing.

Qt-free, so the settings screen and any future CLI share one policy. A PIN is short, so the hash
alone cannot make guessing hard: the backoff is what stops someone trying all 10,000 four-digit
PINs at the kitchen tablet.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.clock import Clock, SystemClock
from kiosk.core.i18n import _
from kiosk.core.logs import EVENT
from kiosk.core.private import private_dir, write_private

log = logging.getLogger(__name__)

SCHEME = "scrypt"
#: scrypt cost: ~50 ms on a store PC. That keeps the PIN out of plain sight and makes the on-screen
#: lockout the real guard, but a 4-digit PIN falls to an offline search of a copied config file
#: in minutes: the config file is therefore written readable by its owner only (0600).
DEFAULT_N = 2**14
DEFAULT_R = 8
DEFAULT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
#: Wrong PINs older than this are forgotten (a lockout never outlives its own delay anyway).
FORGET_AFTER_SECONDS = 24 * 3600
#: The wrong-PIN count, in the data folder (a restart must not lift a lockout).
LOCKOUT_FILENAME = "pin-lockout.json"
MIN_LENGTH = 4
MAX_LENGTH = 12


class PinError(ValueError):
    """A PIN or stored hash cannot be used; the message says why."""


def check_pin_shape(pin: str) -> None:
    """Digits only, 4 to 12 of them (a pad has only digits; shorter is too easy to guess)."""
    if not pin.isdigit() or not pin.isascii():
        raise PinError("A PIN is made of digits only.")
    if not MIN_LENGTH <= len(pin) <= MAX_LENGTH:
        raise PinError(f"A PIN has {MIN_LENGTH} to {MAX_LENGTH} digits.")


#: The most used 4-digit PINs (DataGenetics' study of 3.4 million PINs, the top 20), the
#: keypad's middle column (2580, 0852), and their usual longer forms. A thief tries these first.
COMMON_PINS = frozenset(
    {
        "1234", "1111", "0000", "1212", "7777", "1004", "2000", "4444", "2222", "6969",
        "9999", "3333", "5555", "6666", "1122", "1313", "8888", "4321", "2001", "1010",
        "2580", "0852", "1342", "123123", "121212", "112233", "159753", "147258", "258369",
        "696969", "111222", "123321", "0987654321",
    }
)  # fmt: skip


def common_pin(pin: str) -> bool:
    """A PIN someone would guess first: a listed one, one digit over and over, a run up or down
    the digits (1234..., 9876..., 0123...), or a two-digit block repeated (1212, 474747)."""
    if pin in COMMON_PINS or len(set(pin)) == 1:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {9}):  # 1234, 7890, 4321, 3210
        return True
    return len(pin) % 2 == 0 and pin == pin[:2] * (len(pin) // 2)


def check_new_pin(pin: str) -> None:
    """A PIN a manager may choose (on screen or with ``kiosk pin set``): the right shape, and
    not one of the first a thief would try."""
    check_pin_shape(pin)
    if common_pin(pin):
        raise PinError(_("That PIN is one of the first anyone would guess. Choose another."))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_pin(
    pin: str,
    *,
    salt: bytes | None = None,
    n: int = DEFAULT_N,
    r: int = DEFAULT_R,
    p: int = DEFAULT_P,
) -> str:
    """``scrypt$n$r$p$salt$hash``: self-describing, so the cost can be raised later."""
    check_pin_shape(pin)
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = hashlib.scrypt(
        pin.encode("ascii"), salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES, maxmem=64 * 1024 * 1024
    )
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def check_pin_hash(stored: str) -> None:
    """Raise PinError if ``stored`` is not a usable hash (checked when the config is loaded)."""
    _parse(stored)


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes]:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise PinError("The stored PIN hash is not in a known format. Set a new PIN.")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, expected = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        raise PinError("The stored PIN hash is damaged. Set a new PIN.") from None
    if not (2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        raise PinError("The stored PIN hash has unusable parameters. Set a new PIN.")
    if not expected or not salt:
        raise PinError("The stored PIN hash is damaged. Set a new PIN.")
    return n, r, p, salt, expected


def verify_pin(pin: str, stored: str) -> bool:
    """Constant-time comparison against a stored hash; a malformed hash raises PinError."""
    n, r, p, salt, expected = _parse(stored)
    if not pin.isdigit() or not pin.isascii():
        return False
    digest = hashlib.scrypt(
        pin.encode("ascii"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=len(expected) or HASH_BYTES,
        maxmem=256 * 1024 * 1024,
    )
    return hmac.compare_digest(digest, expected)


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """After ``free_attempts`` wrong PINs, wait ``base_seconds``, doubling up to ``cap_seconds``."""

    free_attempts: int = 3
    base_seconds: float = 30.0
    cap_seconds: float = 15 * 60.0

    def delay_after(self, failures: int) -> float:
        if failures < self.free_attempts:
            return 0.0
        return min(self.cap_seconds, self.base_seconds * 2.0 ** (failures - self.free_attempts))


class PinGuard:
    """Counts wrong attempts and says how long to wait; time comes from an injected clock.

    Uses the monotonic clock, so changing the PC's time does not lift a lockout.
    """

    def __init__(
        self,
        clock: Clock | None = None,
        policy: LockoutPolicy | None = None,
        state_path: Path | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        self._policy = policy or LockoutPolicy()
        self._state_path = state_path
        self._failures = 0
        self._locked_until = float("-inf")
        self._restore()

    @property
    def state_path(self) -> Path | None:
        """Where the wrong-attempt count is kept (None: in memory only)."""
        return self._state_path

    def _restore(self) -> None:
        """A restart must not be a way round the lockout: the count and the end of the lockout
        survive it. The end is wall time (monotonic time does not survive a restart); if the
        clock was turned back past the save, the full delay applies again."""
        if self._state_path is None:
            return
        try:
            data = json.loads(self._state_path.read_text(encoding="utf-8"))
            failures = max(0, min(int(data["failures"]), 1000))
            locked_until, saved_at = float(data["locked_until"]), float(data["saved_at"])
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):
            # Unreadable: assume the worst allowed start (locked once), never "no failures".
            self._failures = self._policy.free_attempts
            delay = self._policy.delay_after(self._failures)
            self._locked_until = self._clock.monotonic() + delay
            return
        now = self._clock.now().timestamp()
        if now - saved_at > FORGET_AFTER_SECONDS:
            return  # old mistakes are forgiven: the count starts again
        full = self._policy.delay_after(failures)
        remaining = full if now < saved_at else min(full, max(0.0, locked_until - now))
        self._failures = failures
        if remaining > 0:
            self._locked_until = self._clock.monotonic() + remaining

    def _save(self, delay: float) -> None:
        if self._state_path is None:
            return
        now = self._clock.now().timestamp()
        state = {"failures": self._failures, "locked_until": now + delay, "saved_at": now}
        try:
            private_dir(self._state_path.parent)
            write_private(self._state_path, json.dumps(state))  # 0600, replaced atomically
        except OSError:
            pass  # the in-memory lockout still holds for this run

    @property
    def failures(self) -> int:
        return self._failures

    def reset(self) -> None:
        """A new PIN (set by IT or in Settings): the old one's wrong guesses no longer count."""
        if self._failures or self._locked_until > float("-inf"):
            self._failures = 0
            self._locked_until = float("-inf")
            self._save(0.0)

    def seconds_locked(self) -> float:
        """Seconds until the next attempt is allowed (0 if allowed now)."""
        return max(0.0, self._locked_until - self._clock.monotonic())

    def check(self, pin: str, stored: str) -> bool:
        """Verify ``pin`` unless locked out; a wrong one extends the lockout.

        Raises :class:`PinLocked` while locked, so a caller cannot forget to check.
        """
        wait = self.seconds_locked()
        if wait > 0:
            raise PinLocked(wait)
        if verify_pin(pin, stored):
            if self._failures:
                log.info("manager PIN accepted after %d wrong one(s)", self._failures, extra=EVENT)
                self._failures = 0
                self._save(0.0)
            self._locked_until = float("-inf")
            return True
        self._failures += 1
        delay = self._policy.delay_after(self._failures)
        # How many and the lockout, never the digits tried.
        log.warning(
            "wrong manager PIN (%d in a row; next try in %.0f s)",
            self._failures,
            delay,
            extra=EVENT,
        )
        if delay > 0:
            self._locked_until = self._clock.monotonic() + delay
        self._save(delay)
        return False


class PinLocked(Exception):
    """Too many wrong PINs: wait ``seconds`` before trying again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"Too many wrong PINs. Try again in {format_wait(seconds)}.")
        self.seconds = seconds


def format_wait(seconds: float) -> str:
    whole = max(1, int(seconds + 0.999))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"
