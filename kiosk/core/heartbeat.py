"""The running app's heartbeat: a small JSON file in the data folder that `kiosk health` reads.

The app rewrites it (atomically, 0600) every :data:`INTERVAL_S` seconds and on every change of
what it says, so a monitoring script can tell a kiosk that works from one that is closed, hung
or dead without asking the app anything. Liveness does not rest on the file's age alone: the
app holds an owner lock (:mod:`kiosk.core.lease`) whose token is in the file, and the OS drops
that lock the moment the process ends, however it ends.

The reader trusts nothing: the file may be garbage, huge, of another version, hand-edited, or
dated in the future (a PC clock set back); every field is checked and anything wrong makes the
whole file "unreadable", never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from kiosk.core.i18n import N_
from kiosk.core.private import FILE_MODE, read_regular, tighten

FILENAME = "heartbeat.json"
FORMAT = 1
#: How often the running app rewrites the file when nothing changes.
INTERVAL_S = 30.0
#: The most the reader reads: a real heartbeat with ten stores is about 3 KB.
MAX_BYTES = 64 * 1024
_MAX_TEXT = 200
_MAX_STORES = 100
#: Seconds values further than this from zero (about 30 years) are not believed.
_MAX_SECONDS = 1e9


class AppState(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"  # ended on its own, by a signal (logout, upgrade) or a window close
    CLOSED_BY_MANAGER = "closed_by_manager"  # a manager closed it on purpose (PIN, confirmed)


class KeyringState(StrEnum):
    OK = "ok"
    MISSING = "missing"  # no API key stored
    UNAVAILABLE = "unavailable"  # the OS keyring could not be read (locked, none in session)
    REJECTED = "rejected"  # Gett rejected the key
    UNKNOWN = "unknown"  # not asked yet


@dataclass(frozen=True, slots=True)
class Waiting:
    """A change of ours Gett has not confirmed yet."""

    state: str  # the intent's state: pending, held, conflict
    age_seconds: float  # how long it had waited when the heartbeat was written


@dataclass(frozen=True, slots=True)
class StoreBeat:
    id: str
    name: str
    status: str | None  # the last status Gett confirmed ("online"/"paused"), None: none yet
    confirmed_age_seconds: float | None  # how old that confirmation was at writing
    waiting: Waiting | None = None
    problem: str | None = None  # an attention kind (key_rejected, store_unknown...)


@dataclass(frozen=True, slots=True)
class Heartbeat:
    pid: int
    token: str  # the app's owner-lock token (lease.probe says whether it is alive)
    version: str  # kiosk.__version__ as loaded by the running process
    started_at: float  # epoch seconds, this PC's clock
    written_at: float
    state: AppState
    state_at: float
    stores: tuple[StoreBeat, ...] = ()
    clock_offset_seconds: float | None = None  # Gett's clock minus this PC's
    keyring: KeyringState = KeyringState.UNKNOWN
    poll_interval_seconds: float = 30.0
    interval_seconds: float = INTERVAL_S
    boot_id: str | None = None  # the OS boot it was written in (Linux), to spot a reboot
    problem: str | None = None  # a banner the app shows (queue error...), English
    #: IT's managed file had an error at start: the app runs on its last good copy.
    managed_last_good: bool = False

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["state"] = self.state.value
        body["keyring"] = self.keyring.value
        body["stores"] = [asdict(s) for s in self.stores]
        return {"format": FORMAT, **body}


class HeartbeatError(Exception):
    """The heartbeat file exists but cannot be used; the message says why (English).

    The English template and its values are kept too, so the line a person reads can say it in
    their language (``--json`` and the log keep the English)."""

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template.format(**values))
        self.template = template
        self.values = values


def path_in(data_dir: Path) -> Path:
    return data_dir / FILENAME


def write(data_dir: Path, beat: Heartbeat) -> None:
    """Replace the file atomically (a reader sees the old one or the new one, never half).

    Not fsync'ed, unlike the queue: it is on the UI thread every 30 s, where an fsync costs
    10 ms and more on a slow SD card; after a power cut the app writes a new one at start (a
    torn file in between reads as "cannot tell", never as a verdict).
    """
    path = path_in(data_dir)
    tmp = path.with_name(FILENAME + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(beat.to_json(), separators=(",", ":")) + "\n")
        tighten(tmp)  # an old .tmp left looser
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def boot_id() -> str | None:
    """This boot's id on Linux (changes at every reboot), else None."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            text = handle.read(100).strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if _short_text(text) else None


def read(data_dir: Path) -> Heartbeat | None:
    """The heartbeat, or None if there is no file. Raises HeartbeatError if it cannot be used
    and OSError if the folder or file cannot be read."""
    path = path_in(data_dir)
    try:
        raw = read_regular(path, MAX_BYTES + 1)  # (a FIFO put there would block `kiosk health`)
    except FileNotFoundError:
        return None
    if len(raw) > MAX_BYTES:
        raise HeartbeatError(N_("it is larger than {size} KB"), size=MAX_BYTES // 1024)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise HeartbeatError(N_("it is not JSON")) from None
    return parse(data)


def parse(data: object) -> Heartbeat:
    """Check every field of a decoded heartbeat (from outside: anything may be there)."""
    if not isinstance(data, dict):
        raise HeartbeatError(N_("it is not a JSON object"))
    if data.get("format") != FORMAT:
        raise HeartbeatError(
            N_("its format is {found}, not {expected}"),
            found=_shown(data.get("format")),
            expected=FORMAT,
        )
    try:
        state = AppState(_text(data, "state"))
        keyring = KeyringState(_text(data, "keyring"))
    except ValueError:
        raise HeartbeatError(
            N_("'state' or 'keyring' holds a value the app does not write")
        ) from None
    stores_raw = data.get("stores")
    if not isinstance(stores_raw, list) or len(stores_raw) > _MAX_STORES:
        raise HeartbeatError(N_("'stores' is not a list of stores"))
    pid = data.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or not 0 < pid < 2**31:
        raise HeartbeatError(N_("'pid' is not a process id"))
    return Heartbeat(
        pid=pid,
        token=_text(data, "token"),
        version=_text(data, "version"),
        started_at=_seconds(data, "started_at", epoch=True),
        written_at=_seconds(data, "written_at", epoch=True),
        state=state,
        state_at=_seconds(data, "state_at", epoch=True),
        stores=tuple(_store(s) for s in stores_raw),
        clock_offset_seconds=_seconds(data, "clock_offset_seconds", optional=True),
        keyring=keyring,
        poll_interval_seconds=_positive(data, "poll_interval_seconds"),
        interval_seconds=_positive(data, "interval_seconds"),
        boot_id=_text(data, "boot_id", optional=True),
        problem=_text(data, "problem", optional=True),
        managed_last_good=_flag(data, "managed_last_good"),
    )


def _store(raw: object) -> StoreBeat:
    if not isinstance(raw, dict):
        raise HeartbeatError(N_("a store is not a JSON object"))
    waiting_raw = raw.get("waiting")
    waiting = None
    if waiting_raw is not None:
        if not isinstance(waiting_raw, dict):
            raise HeartbeatError(N_("a store's 'waiting' is not a JSON object"))
        waiting = Waiting(
            state=_text(waiting_raw, "state"),
            age_seconds=_seconds(waiting_raw, "age_seconds", non_negative=True),
        )
    return StoreBeat(
        id=_text(raw, "id"),
        name=_text(raw, "name"),
        status=_text(raw, "status", optional=True),
        confirmed_age_seconds=_seconds(
            raw, "confirmed_age_seconds", optional=True, non_negative=True
        ),
        waiting=waiting,
        problem=_text(raw, "problem", optional=True),
    )


def _flag(data: dict[str, Any], key: str) -> bool:
    """A true/false field; absent (an older app) is false."""
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise HeartbeatError(N_("{key} is not true or false"), key=repr(key))
    return value


def _short_text(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _MAX_TEXT and "\x00" not in value


def _text(data: dict[str, Any], key: str, *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if not _short_text(value):
        raise HeartbeatError(N_("{key} is not a short text"), key=repr(key))
    return value


def _seconds(
    data: dict[str, Any],
    key: str,
    *,
    optional: bool = False,
    epoch: bool = False,
    non_negative: bool = False,
) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise HeartbeatError(N_("{key} is not a number of seconds"), key=repr(key))
    try:
        number = float(value)
    except OverflowError:  # a huge integer
        raise HeartbeatError(N_("{key} is not a number of seconds"), key=repr(key)) from None
    ok = math.isfinite(number) and abs(number) <= (4e9 if epoch else _MAX_SECONDS)
    if not ok or ((epoch or non_negative) and number < 0):
        raise HeartbeatError(N_("{key} is not a number of seconds"), key=repr(key))
    return number


def _positive(data: dict[str, Any], key: str) -> float:
    value: float = _seconds(data, key)
    if not 1 <= value <= 86400:
        raise HeartbeatError(N_("{key} is out of range"), key=repr(key))
    return value


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(slots=True)
class Throttle:
    """Decides when the app writes: at once when what it says changed, else every interval.

    No more disk writes than that: a poll that only moves the ages does not write.
    """

    interval: float = INTERVAL_S
    _last_key: object = field(default=None)
    _last_at: float = field(default=-math.inf)

    def due(self, key: object, now: float) -> bool:
        return key != self._last_key or now - self._last_at >= self.interval or now < self._last_at

    def written(self, key: object, now: float) -> None:
        self._last_key, self._last_at = key, now


def remove_stale_tmp(data_dir: Path) -> None:
    """A ``.tmp`` left by a power cut mid-write (never read; tidied at start)."""
    with contextlib.suppress(OSError):
        os.unlink(path_in(data_dir).with_name(FILENAME + ".tmp"))
