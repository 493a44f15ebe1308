"""Who is sending: a lease on an intent belongs to a live process, and the OS says which are live.

Every open :class:`~kiosk.core.outbox.Outbox` holds an exclusive lock on a file of its own,
``<data dir>/owners/<token>.lock``, for as long as it is open; its leases carry that token. The OS
drops the lock the moment the process ends, however it ends (SIGKILL, a crash, a power cut), so a
lease whose owner's lock can be taken is stale and is taken over at once, while a live owner keeps
its lease however long its request takes (each request has its own total deadline).

Tokens are random, never a pid: a pid reused by an unrelated process cannot keep a dead owner's
lease alive. The file also holds the owner's pid and role, only to tell a person who is sending.
Two owners in one process (the GUI's sync worker and tap writer) have tokens and files of their
own; a token held in this process is known to be live without asking the OS (``fcntl`` locks
emulated on a network file system do not conflict within one process).

Where the file system cannot lock at all, :func:`probe` answers UNKNOWN and the caller falls back
to the lease's time limit, the old rule: better late than sending one change twice at once.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import IO

from kiosk.core.i18n import N_, _, ltr
from kiosk.core.private import FILE_MODE, private_dir

log = logging.getLogger(__name__)

OWNERS_DIR = "owners"
#: A lock file older than this whose lock can be taken belongs to a dead owner: remove it.
STALE_FILE_AGE_S = 60.0
#: Windows locks are mandatory byte ranges: lock a byte far past the metadata, so a reader can
#: still read who holds it.
_LOCK_OFFSET = 1 << 20
_TOKEN = re.compile(r"^[A-Za-z0-9_.-]{1,120}$")
_ROLE_WORDS = {
    "app": N_("the kiosk app"),
    "cli": N_("another `kiosk` command"),
}
_ANOTHER_PROCESS = N_("another kiosk process")

_held_lock = threading.Lock()
_held_here: set[str] = set()  # tokens whose lock this process holds


class Liveness(Enum):
    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"  # the file system cannot lock: fall back to the lease's time limit


@dataclass(frozen=True, slots=True)
class Holder:
    """The process holding a lease, as far as its lock file says."""

    pid: int | None
    role: str  # "app", "cli" or "other"

    def describe(self) -> str:
        """E.g. "the kiosk app (pid 4242)", for "... is sending an earlier change"."""
        who = _(_ROLE_WORDS.get(self.role, _ANOTHER_PROCESS))
        return _("{who} (pid {pid})").format(who=who, pid=ltr(self.pid)) if self.pid else who


def role_of(label: str) -> str:
    """The role an owner label stands for: ``gui-...`` is the app, ``cli-...`` a command."""
    if label.startswith("gui"):
        return "app"
    if label.startswith("cli"):
        return "cli"
    return "other"


def _lock_nb(handle: IO[bytes]) -> None:
    """Take the owner lock without waiting; OSError (EWOULDBLOCK/EACCES) if someone holds it."""
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        handle.seek(_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(handle: IO[bytes]) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        handle.seek(_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _is_contention(exc: OSError) -> bool:
    return exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES, errno.EDEADLK)


class OwnerLock:
    """This owner's proof of life: held from construction until :meth:`close`."""

    def __init__(self, data_dir: Path, label: str) -> None:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", label)[:60] or "owner"
        self.token = f"{safe}.{uuid.uuid4().hex[:16]}"
        self.role = role_of(label)
        self.locked = False
        self._dir = data_dir / OWNERS_DIR
        self._path = self._dir / f"{self.token}.lock"
        self._handle: IO[bytes] | None = None
        try:
            private_dir(self._dir)
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE)
            self._handle = os.fdopen(fd, "r+b", buffering=0)
            _lock_nb(self._handle)
            self.locked = True
            # Only for telling people who is sending; the lock alone is the proof of life, so
            # a full disk here must not cost the lock.
            meta = {"pid": os.getpid(), "role": self.role, "since": time.time()}
            with contextlib.suppress(OSError):
                self._handle.seek(0)
                self._handle.write(json.dumps(meta).encode())
        except OSError as exc:
            # No lock here (a file system without locks, a read-only folder): leases of this
            # owner then expire by time only, as other processes cannot see it is alive.
            log.warning(
                "no owner lock in %s (%s); leases fall back to a time limit", self._dir, exc
            )
        with _held_lock:
            _held_here.add(self.token)
        self._sweep()

    def close(self) -> None:
        with _held_lock:
            _held_here.discard(self.token)
        handle, self._handle = self._handle, None
        if handle is None:
            return
        if os.name != "nt":
            with contextlib.suppress(OSError):
                self._path.unlink()  # while locked: a missing file then always means "gone"
        with contextlib.suppress(OSError):
            if self.locked:
                _unlock(handle)
        with contextlib.suppress(OSError):
            handle.close()
        if os.name == "nt":  # pragma: no cover - Windows cannot remove a file still open
            with contextlib.suppress(OSError):
                self._path.unlink()

    def _sweep(self) -> None:
        """Remove lock files dead owners left behind (their leases are taken over anyway)."""
        try:
            entries = list(self._dir.glob("*.lock"))
        except OSError:
            return
        now = time.time()
        for path in entries:
            token = path.name[: -len(".lock")]
            try:
                old = now - path.stat().st_mtime > STALE_FILE_AGE_S
            except OSError:
                continue
            if old and probe(self._dir.parent, token)[0] is Liveness.DEAD:
                forget(self._dir.parent, token)


def probe(data_dir: Path, token: str) -> tuple[Liveness, Holder | None]:
    """Is the owner ``token`` (read from the queue file: untrusted) alive, and who is it?"""
    if not _TOKEN.match(token) or token in (".", ".."):
        return Liveness.DEAD, None  # no owner of ours could have written it
    with _held_lock:
        if token in _held_here:
            return Liveness.ALIVE, Holder(os.getpid(), role_of(token))
    path = data_dir / OWNERS_DIR / f"{token}.lock"
    try:
        handle = open(path, "r+b", buffering=0)  # noqa: SIM115 - closed below on every path
    except FileNotFoundError:
        return Liveness.DEAD, None  # closed cleanly, swept, or an older version's lease
    except OSError:
        return Liveness.UNKNOWN, None
    try:
        holder = _read_holder(handle)
        try:
            _lock_nb(handle)
        except OSError as exc:
            if _is_contention(exc):
                return Liveness.ALIVE, holder
            return Liveness.UNKNOWN, holder  # e.g. ENOLCK: this file system cannot tell
        with contextlib.suppress(OSError):
            _unlock(handle)
        return Liveness.DEAD, holder
    finally:
        handle.close()


def others_alive(data_dir: Path, mine: str) -> list[Holder]:
    """Every other owner of this data folder's queue that is alive now (for: may the damaged
    file be moved aside, or does a live process still write to it?)."""
    try:
        tokens = [p.name[: -len(".lock")] for p in (data_dir / OWNERS_DIR).glob("*.lock")]
    except OSError:
        return []
    found = []
    for token in tokens:
        if token == mine:
            continue
        liveness, holder = probe(data_dir, token)
        if liveness is Liveness.ALIVE:
            found.append(holder or Holder(None, role_of(token)))
    return found


def forget(data_dir: Path, token: str) -> None:
    """Remove a dead owner's lock file (after :func:`probe` said DEAD)."""
    if _TOKEN.match(token) and token not in (".", ".."):
        with contextlib.suppress(OSError):
            (data_dir / OWNERS_DIR / f"{token}.lock").unlink()


def _read_holder(handle: IO[bytes]) -> Holder | None:
    try:
        handle.seek(0)
        data = json.loads(handle.read(512).decode("utf-8"))
        pid = data.get("pid")
        role = data.get("role")
        return Holder(
            pid if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0 else None,
            role if role in ("app", "cli") else "other",
        )
    except (OSError, ValueError, AttributeError):
        return None
