"""The durable outbox: every tap is committed to SQLite before any network call.

Durability follows SQLite's own rules: WAL journal, ``synchronous=FULL`` (a commit survives a power
cut), ``BEGIN IMMEDIATE`` for every write so two processes (the GUI's worker and a ``kiosk`` CLI)
serialise cleanly. One *open* intent per store, enforced by a partial unique index: a newer intent
supersedes the older one (kept in history, never sent). Delivery is claimed with a lease inside a
transaction, so two processes never send the same intent. A lease belongs to a live process, not to
a clock (:mod:`kiosk.core.lease`): a dead owner's lease is taken over at once.

Nothing read from the file is trusted: a row that cannot be read (an unknown state or reason, a
date that does not parse) is skipped by every reader with a logged reason, listed in
:attr:`Outbox.unreadable`, and quarantined (ended as failed) if it was due to be sent. A damaged
file is moved aside, what can still be read is recovered into a fresh one, and a notice stays in
the data folder until a person acknowledges it (:mod:`kiosk.core.recovery`).

Intent states::

    pending ──► delivered            confirmed by Gett (a 2xx, or a read showing it already is so)
       │  └──► superseded            a newer intent for the same store replaced it
       │  └──► expired               a pause whose resume time passed before it could be sent
       │  └──► failed                Gett refused it (404, 400, 422...): retrying never helps
       ├──► held ──► pending         the API key was rejected; released when the key changes
       └──► conflict ──► pending     the store was changed elsewhere after the tap; a person decides
                   └──► dismissed    ...and chose to keep the server's state
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from kiosk.core import lease, recovery
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.i18n import _, isolate, ltr
from kiosk.core.models import (
    PauseReason,
    StoreState,
    StoreStatus,
    StoreStatusUpdate,
    format_datetime,
    parse_datetime,
)
from kiosk.core.private import create_private, private_dir, tighten

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
DB_FILENAME = "outbox.db"
HISTORY_DAYS = 30
DEFAULT_LEASE_SECONDS = 60.0
#: The longest a retry is ever scheduled ahead (backoff cap or a Retry-After, whichever is more).
MAX_WAIT = 3700.0


class IntentState(StrEnum):
    PENDING = "pending"
    HELD = "held"
    CONFLICT = "conflict"
    DELIVERED = "delivered"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    FAILED = "failed"
    DISMISSED = "dismissed"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATES


OPEN_STATES = frozenset({IntentState.PENDING, IntentState.HELD, IntentState.CONFLICT})
_OPEN_SQL = "('pending', 'held', 'conflict')"
_QUARANTINED = (
    "This change could not be read from the queue file (a damaged or foreign row), so it was "
    "not sent. Check the store's status and make the change again if needed."
)


class OutboxError(Exception):
    """The outbox could not save or read; the message says what a person can do.

    ``cause`` is SQLite's or the OS's own words (English, not for people): callers that tell a
    full disk from a read-only folder read it, since the message is in the person's language."""

    def __init__(self, message: str, *, cause: str | None = None) -> None:
        super().__init__(message)
        self.cause = message if cause is None else cause


@dataclass(frozen=True, slots=True)
class Intent:
    """One decision a person made: make this store be like this."""

    id: int
    store_id: str
    update: StoreStatusUpdate
    created_at: datetime
    origin: str
    state: IntentState
    attempts: int
    next_attempt_at: datetime
    verify_first: bool
    last_error: str | None
    last_error_kind: str | None
    finished_at: datetime | None
    base: StoreStatus | None
    confirmed: StoreStatus | None
    sent: bool = False  # a POST for it may have reached Gett

    @property
    def is_open(self) -> bool:
        return self.state.is_open

    def to_json(self) -> dict[str, object]:
        """The shape ``kiosk status --json`` shows under ``pending``."""
        body = self.update.to_json()
        return {
            "id": self.id,
            "state": self.state.value,
            "status": body["status"],
            "reason": body.get("reason"),
            "resumeAt": body.get("resumeAt"),
            "createdAt": format_datetime(self.created_at),
            "origin": self.origin,
            "attempts": self.attempts,
            "nextAttemptAt": format_datetime(self.next_attempt_at)
            if self.state is IntentState.PENDING
            else None,
            "lastError": self.last_error,
            "sent": self.sent,
            "finishedAt": None if self.finished_at is None else format_datetime(self.finished_at),
        }


_SCHEMA_V1 = f"""
CREATE TABLE intents (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id        TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('online', 'paused')),
    reason          TEXT,
    resume_at       TEXT,
    created_at      TEXT    NOT NULL,
    origin          TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL    NOT NULL,
    verify_first    INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until     REAL,
    last_error      TEXT,
    last_error_kind TEXT,
    base_status     TEXT,
    confirmed       TEXT,
    finished_at     REAL
);
CREATE UNIQUE INDEX intents_one_open_per_store ON intents (store_id) WHERE state IN {_OPEN_SQL};
CREATE INDEX intents_due ON intents (next_attempt_at) WHERE state = 'pending';
CREATE INDEX intents_finished ON intents (finished_at) WHERE finished_at IS NOT NULL;
CREATE TABLE last_status (
    store_id     TEXT PRIMARY KEY,
    status       TEXT NOT NULL,
    confirmed_at REAL NOT NULL
);
"""

# v2: whether a request for the intent may have reached Gett (so a late landing is ours):
# bit 0 an earlier attempt may have, bit 1 an attempt is in flight (or died in flight).
_SCHEMA_V2 = "ALTER TABLE intents ADD COLUMN sent INTEGER NOT NULL DEFAULT 0"

# v3: the lease check in claim_due looked at every row; leased rows are few, index just them.
_SCHEMA_V3 = "CREATE INDEX intents_leased ON intents (store_id) WHERE lease_until IS NOT NULL"

#: Index = the version a migration produces. A new schema appends; old files upgrade in order.
MIGRATIONS: tuple[str, ...] = ("", _SCHEMA_V1, _SCHEMA_V2, _SCHEMA_V3)

_COLUMNS = (
    "id, store_id, status, reason, resume_at, created_at, origin, state, attempts, "
    "next_attempt_at, verify_first, last_error, last_error_kind, finished_at, base_status, "
    "confirmed, sent"
)


_COLUMN_NAMES = tuple(name.strip() for name in _COLUMNS.split(","))

# Ending a lease: an attempt cut short in flight may have reached Gett, so read before writing.
_RELEASE = (
    "lease_owner = NULL, lease_until = NULL, "
    "verify_first = CASE WHEN sent & 2 THEN 1 ELSE verify_first END, "
    "sent = CASE WHEN sent & 2 THEN 1 ELSE sent END"
)

#: What this version reads; a file at the current version without them is damaged.
_REQUIRED = {
    "intents": set(_COLUMN_NAMES) | {"lease_owner", "lease_until"},
    "last_status": {"store_id", "status", "confirmed_at"},
}


def _check_schema(conn: sqlite3.Connection) -> None:
    for table, needed in _REQUIRED.items():
        have = {str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")}
        missing = needed - have
        if missing:
            what = "is missing" if not have else f"lacks {', '.join(sorted(missing))}"
            raise sqlite3.DatabaseError(f"integrity check failed: table {table} {what}")


def _ts(value: datetime) -> float:
    return value.timestamp()


def _dt(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _status_json(status: StoreStatus | None) -> str | None:
    return None if status is None else json.dumps(status.to_json())


def _status_from(text: str | None) -> StoreStatus | None:
    return None if text is None else StoreStatus.from_json(json.loads(text))


def _row_to_intent(row: tuple[Any, ...]) -> Intent:
    (iid, store_id, status, reason, resume_at, created_at, origin, state, attempts,
     next_at, verify, last_error, last_kind, finished_at, base, confirmed, sent) = row  # fmt: skip
    update = StoreStatusUpdate(
        StoreState(str(status)),
        PauseReason(str(reason)) if reason else None,
        parse_datetime(str(resume_at)) if resume_at else None,
    )
    return Intent(
        id=int(iid),
        store_id=str(store_id),
        update=update,
        created_at=parse_datetime(str(created_at)),
        origin=str(origin),
        state=IntentState(str(state)),
        attempts=int(attempts),
        next_attempt_at=_dt(float(next_at)),
        verify_first=bool(verify),
        last_error=None if last_error is None else str(last_error),
        last_error_kind=None if last_kind is None else str(last_kind),
        finished_at=None if finished_at is None else _dt(float(finished_at)),
        base=_status_from(None if base is None else str(base)),
        confirmed=_status_from(None if confirmed is None else str(confirmed)),
        sent=int(sent) != 0,
    )


def _decode_error(row: tuple[Any, ...], exc: Exception) -> str:
    """One line on why a row could not be read (never the whole row: it may be huge)."""
    text = str(exc).replace("\n", " ")
    return f"change #{str(row[0])[:20]} cannot be read ({type(exc).__name__}: {text[:160]})"


def _lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


#: What a query on a damaged file can raise (SQLite's message may quote bytes that are not UTF-8).
_DB_ERRORS = (sqlite3.Error, UnicodeDecodeError)


def _explain(exc: sqlite3.Error | UnicodeDecodeError, path: Path) -> str:
    text = str(exc).lower()
    if "full" in text:
        return _("The disk is full: {path} cannot be written. Free some space.").format(
            path=isolate(path)
        )
    if "readonly" in text or "read-only" in text:
        return _("The data folder is read-only: {path} cannot be written.").format(
            path=isolate(path)
        )
    if "unable to open" in text:
        return _(
            "Cannot open the queue file {path}. Check that the data folder exists and is writable."
        ).format(path=isolate(path))
    if "locked" in text or "busy" in text:
        return _("Another kiosk process kept the queue busy for too long; try again.")
    return _("The queue file {path} could not be used ({error}).").format(
        path=isolate(path), error=isolate(exc)
    )


class Outbox:
    """The SQLite-backed queue of intents. One instance per thread (it owns its connection)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        clock: Clock | None = None,
        owner: str | None = None,
        busy_timeout_ms: int = 10_000,
        repair: bool = True,
    ) -> None:
        self.clock = clock or SystemClock()
        self.data_dir = data_dir
        self.path = data_dir / DB_FILENAME
        self.recovered_from: Path | None = None
        #: Why rows were skipped ("change #12 cannot be read (...)"), for a caller to show.
        self.unreadable: list[str] = []
        self._reported: set[str] = set()
        self._busy_timeout_ms = busy_timeout_ms
        # Only one party may move a damaged file aside (the sync worker); others just fail.
        self._repair = repair
        try:
            private_dir(data_dir)
        except OSError as exc:
            raise OutboxError(
                _(
                    "Cannot create the data folder {folder} ({error}). "
                    "Set KIOSK_DATA_DIR to a writable folder."
                ).format(folder=isolate(data_dir), error=isolate(exc.strerror)),
                cause=f"Cannot create the data folder ({exc.strerror})",
            ) from None
        # The lease token: this owner's lock file, held while it is open (proof it is alive).
        self._owner_lock = lease.OwnerLock(data_dir, owner or f"owner-{uuid.uuid4().hex[:8]}")
        self.owner = self._owner_lock.token
        try:
            self._conn = self._open_checked()
        except BaseException:
            self._owner_lock.close()
            raise

    # -- opening, checking, migrating ------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # 0600 from the first byte (SQLite gives the -wal and -shm files the same mode).
        with contextlib.suppress(OSError):
            create_private(self.path)
        conn = sqlite3.connect(
            self.path, timeout=self._busy_timeout_ms / 1000, isolation_level=None,
            check_same_thread=True,
        )  # fmt: skip
        # Text in a damaged file may not be UTF-8: read it with replacement characters (such a
        # row then fails to parse and is skipped) rather than fail every read of the table.
        conn.text_factory = _lenient_text
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
            raise
        for suffix in ("", "-wal", "-shm"):
            tighten(Path(str(self.path) + suffix))  # an older, looser file
        return conn

    def _open_checked(self) -> sqlite3.Connection:
        try:
            conn = self._connect()
            try:
                # integrity_check, not quick_check: it also finds indexes that disagree with
                # their table (a damaged file can pass quick_check); ~10 ms for 10,000 rows.
                ok = conn.execute("PRAGMA integrity_check(1)").fetchone()
                if ok is None or ok[0] != "ok":
                    raise sqlite3.DatabaseError(f"integrity check failed: {str(ok)[:200]}")
                self._migrate(conn)
                _check_schema(conn)
            except BaseException:
                conn.close()
                raise
            return conn
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            # SQLite's own message can quote damaged bytes that are not UTF-8.
            if isinstance(exc, sqlite3.OperationalError) and not _looks_corrupt(exc):
                raise OutboxError(_explain(exc, self.path), cause=str(exc)) from None
            if not self._repair:
                raise OutboxError(
                    _("The queue file {path} is damaged ({error}).").format(
                        path=isolate(self.path), error=isolate(exc)
                    ),
                    cause=str(exc),
                ) from None
            live = lease.others_alive(self.data_dir, self.owner)
            if live:
                # Moving the file from under a live writer would send its next tap into the
                # moved-aside copy: leave the repair to when it has closed the file.
                raise OutboxError(
                    _(
                        "The queue file {path} is damaged, and {who} still has it open. Close it "
                        "(restart the kiosk app), then try again: the file is repaired then."
                    ).format(path=isolate(self.path), who=live[0].describe()),
                    cause=str(exc),
                ) from None
            return self._recover(exc)

    def _recover(self, exc: sqlite3.Error | UnicodeDecodeError) -> sqlite3.Connection:
        """Move the damaged file aside, start a fresh one, copy into it what can still be read,
        and leave a notice that every command and the screen repeat until acknowledged."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{uuid.uuid4().hex[:6]}")
        log.error("queue file %s is unreadable (%s); moving it to %s", self.path, exc, aside)
        try:
            for suffix in ("", "-wal", "-shm"):
                src = Path(str(self.path) + suffix)
                if src.exists():
                    src.replace(Path(str(aside) + suffix))
                    tighten(Path(str(aside) + suffix))
        except OSError as move:
            raise OutboxError(
                _(
                    "The queue file {path} is damaged and could not be moved aside ({error}). "
                    "Check the data folder's permissions."
                ).format(path=isolate(self.path), error=isolate(move.strerror)),
                cause=f"moved aside: {move.strerror}",
            ) from None
        self.recovered_from = aside
        try:
            conn = self._connect()
            self._migrate(conn)
        except _DB_ERRORS as again:
            raise OutboxError(_explain(again, self.path), cause=str(again)) from None
        salvaged = recovery.salvage(
            aside, conn, columns=_COLUMN_NAMES, decode=_row_to_intent, now=_ts(self.clock.now())
        )
        notice = recovery.Notice(
            moved_to=str(aside),
            at=format_datetime(self.clock.now()),
            cause=str(exc)[:200],
            waiting=salvaged.waiting,
            history=salvaged.history,
            unreadable=salvaged.unreadable,
        )
        log.error("queue recovery: %s", notice.message())
        try:
            recovery.add_notice(self.data_dir, notice)
        except OSError as write:
            log.error("could not write the recovery notice: %s", write)
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise OutboxError(
                _(
                    "The queue file {path} was written by a newer kiosk version (schema "
                    "{version}, this one knows {known}). Update the kiosk."
                ).format(path=isolate(self.path), version=ltr(version), known=ltr(SCHEMA_VERSION)),
                cause="written by a newer kiosk version",
            )
        if version == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # a failed ROLLBACK must not hide the cause
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the file; leases still held go with this owner (taken over at once)."""
        try:
            self._release_all()
        except OutboxError as exc:
            log.warning("could not release leases on close: %s", exc)
        finally:
            self._conn.close()
            self._owner_lock.close()

    def _release_all(self) -> None:
        held = self._read(
            "SELECT 1 FROM intents WHERE lease_until IS NOT NULL AND lease_owner = ? LIMIT 1",
            (self.owner,),
        )
        if held:
            with self._write() as conn:
                conn.execute(
                    f"UPDATE intents SET {_RELEASE} WHERE lease_until IS NOT NULL "
                    "AND lease_owner = ?",
                    (self.owner,),
                )

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction; any SQLite failure becomes a clear OutboxError."""
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except _DB_ERRORS as exc:
            raise OutboxError(_explain(exc, self.path), cause=str(exc)) from None
        try:
            yield conn
            conn.execute("COMMIT")
        except _DB_ERRORS as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise OutboxError(_explain(exc, self.path), cause=str(exc)) from None
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return list(self._conn.execute(sql, params).fetchall())
        except _DB_ERRORS as exc:
            raise OutboxError(_explain(exc, self.path), cause=str(exc)) from None

    # -- writing intents --------------------------------------------------------------------

    def enqueue(
        self,
        store_id: str,
        update: StoreStatusUpdate,
        *,
        origin: str,
        base: StoreStatus | None = None,
    ) -> Intent:
        """Commit a new intent, superseding any open one for the store. Durable on return."""
        return self.enqueue_many([(store_id, update, base)], origin=origin)[0]

    def enqueue_many(
        self,
        changes: Sequence[tuple[str, StoreStatusUpdate, StoreStatus | None]],
        *,
        origin: str,
    ) -> list[Intent]:
        """Commit several intents (e.g. "pause all stores") in one transaction: all are saved
        before anything is sent, or none is. Each supersedes its store's open intent."""
        now = self.clock.now()
        ids: list[int] = []
        with self._write() as conn:
            for store_id, update, base in changes:
                superseded = conn.execute(
                    f"UPDATE intents SET state = 'superseded', finished_at = ? "
                    f"WHERE store_id = ? AND state IN {_OPEN_SQL}",
                    (_ts(now), store_id),
                ).rowcount
                body = update.to_json()
                cursor = conn.execute(
                    "INSERT INTO intents (store_id, status, reason, resume_at, created_at, "
                    "origin, state, next_attempt_at, verify_first, base_status) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                    (
                        store_id, body["status"], body.get("reason"), body.get("resumeAt"),
                        format_datetime(now), origin, _ts(now), int(superseded > 0),
                        _status_json(base),
                    ),
                )  # fmt: skip
                assert cursor.lastrowid is not None
                ids.append(cursor.lastrowid)
            # Read back inside the transaction: if this fails, nothing was saved, so "NOT
            # saved" is the truth; once COMMIT returns, the caller holds the saved intents.
            placeholders = ",".join("?" * len(ids))
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM intents WHERE id IN ({placeholders}) ORDER BY id", ids
            ).fetchall()
        by_id = {int(row[0]): _row_to_intent(row) for row in rows}
        return [by_id[i] for i in ids]

    def claim_due(self, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> Intent | None:
        """Lease the next due pending intent to this owner, or None.

        An intent is not claimable while any intent of the same store is leased by a live
        owner, so an older in-flight request can never land after a newer one. A lease whose
        owner is gone is taken over at once. A due row that cannot be read is quarantined.
        """
        now = _ts(self.clock.now())
        # Wall time can step back (NTP, a manager fixing the clock). No wait is ever longer
        # than MAX_WAIT, so anything further ahead than that was scheduled before the step:
        # treat it as due.
        dead: set[str] = set()
        try:
            with self._write() as conn:
                blocked = self._blocked_stores(conn, now, lease_seconds, dead)
                while True:
                    sql = (
                        f"SELECT {_COLUMNS} FROM intents WHERE state = 'pending' "
                        "AND (next_attempt_at <= ? OR next_attempt_at > ?)"
                    )
                    params: list[object] = [now, now + MAX_WAIT]
                    if blocked:
                        sql += f" AND store_id NOT IN ({','.join('?' * len(blocked))})"
                        params += sorted(blocked)
                    row = conn.execute(sql + " ORDER BY next_attempt_at LIMIT 1", params).fetchone()
                    if row is None:
                        return None
                    if self._decode(row) is None:
                        conn.execute(
                            "UPDATE intents SET state = 'failed', finished_at = ?, "
                            "last_error = ?, last_error_kind = 'unreadable', lease_owner = NULL, "
                            "lease_until = NULL WHERE id = ?",
                            (now, _QUARANTINED, row[0]),
                        )
                        continue
                    # An attempt that died in flight may have landed: read before writing.
                    conn.execute(
                        "UPDATE intents SET lease_owner = ?, lease_until = ?, "
                        "verify_first = CASE WHEN sent & 2 THEN 1 ELSE verify_first END "
                        "WHERE id = ?",
                        (self.owner, now + lease_seconds, row[0]),
                    )
                    claimed = conn.execute(
                        f"SELECT {_COLUMNS} FROM intents WHERE id = ?", (row[0],)
                    ).fetchone()
                    return _row_to_intent(claimed)
        finally:
            for token in dead:  # after the commit: its leases are already cleared
                lease.forget(self.data_dir, token)

    def _blocked_stores(
        self, conn: sqlite3.Connection, now: float, lease_seconds: float, dead: set[str]
    ) -> set[str]:
        """Stores with a live lease; leases of owners that are gone are cleared here."""
        rows = conn.execute(
            "SELECT id, store_id, lease_owner, lease_until FROM intents "
            "WHERE lease_until IS NOT NULL"
        ).fetchall()
        blocked: set[str] = set()
        liveness: dict[str, lease.Liveness] = {}
        for iid, store_id, owner, until in rows:
            token = str(owner)
            if token not in liveness:
                liveness[token] = lease.probe(self.data_dir, token)[0]
            alive = liveness[token]
            if alive is lease.Liveness.UNKNOWN:
                # This file system cannot say: the old rule, a lease lasts lease_seconds (a
                # lease further ahead than twice that was set before the clock stepped back).
                try:
                    when = float(until)
                except (TypeError, ValueError):
                    when = now
                alive = (
                    lease.Liveness.ALIVE
                    if now < when <= now + 2 * lease_seconds
                    else lease.Liveness.DEAD
                )
            if alive is lease.Liveness.ALIVE:
                blocked.add(str(store_id))
                continue
            log.warning(
                "intent %s: its sender (%s) is gone; taking its lease over", iid, token[:80]
            )
            conn.execute(f"UPDATE intents SET {_RELEASE}, verify_first = 1 WHERE id = ?", (iid,))
            if liveness[token] is lease.Liveness.DEAD:
                dead.add(token)
        return blocked

    def release(self, intent_id: int) -> None:
        """Give up this owner's lease on an intent without changing its state (it was replaced
        while it was being checked, or the attempt ended unexpectedly)."""
        if not self._read(
            "SELECT 1 FROM intents WHERE id = ? AND lease_owner = ?", (intent_id, self.owner)
        ):
            return  # nothing held: no write transaction
        with self._write() as conn:
            conn.execute(
                f"UPDATE intents SET {_RELEASE} WHERE id = ? AND lease_owner = ?",
                (intent_id, self.owner),
            )

    def lease_holder(self, store_id: str) -> lease.Holder | None:
        """Which other live process is sending a change for this store right now, if any."""
        rows = self._read(
            "SELECT DISTINCT lease_owner FROM intents WHERE lease_until IS NOT NULL "
            "AND store_id = ?",
            (store_id,),
        )
        for (owner,) in rows:
            token = str(owner)
            if token == self.owner:
                continue
            alive, holder = lease.probe(self.data_dir, token)
            if alive is lease.Liveness.ALIVE:
                return holder or lease.Holder(None, lease.role_of(token))
        return None

    def _finish_leased(
        self,
        intent_id: int,
        sets: str,
        params: tuple[object, ...],
        *,
        only_states: str = "('pending')",
    ) -> bool:
        """Apply ``sets`` to an intent this owner leased, and release the lease."""
        with self._write() as conn:
            changed = conn.execute(
                f"UPDATE intents SET {sets}, lease_owner = NULL, lease_until = NULL "
                f"WHERE id = ? AND lease_owner = ? AND state IN {only_states}",
                (*params, intent_id, self.owner),
            ).rowcount
            # A superseded intent still carries our lease while its request was in flight.
            conn.execute(
                "UPDATE intents SET lease_owner = NULL, lease_until = NULL "
                "WHERE id = ? AND lease_owner = ?",
                (intent_id, self.owner),
            )
        return changed > 0

    def mark_delivered(self, intent_id: int, confirmed: StoreStatus) -> bool:
        now = _ts(self.clock.now())
        return self._finish_leased(
            intent_id,
            "state = 'delivered', finished_at = ?, confirmed = ?, last_error = NULL",
            (now, _status_json(confirmed)),
        )

    def mark_retry(
        self, intent_id: int, delay: float, error: str, kind: str, *, request_left: bool = True
    ) -> bool:
        """A transient failure: try again after ``delay``. ``request_left`` is False only when
        the request certainly never reached Gett (e.g. the connection was refused)."""
        now = self.clock.now()
        return self._finish_leased(
            intent_id,
            "attempts = attempts + 1, verify_first = 1, next_attempt_at = ?, last_error = ?, "
            "last_error_kind = ?, sent = CASE WHEN ? THEN 1 ELSE (sent & 1) END",
            (round(_ts(now) + max(0.0, delay), 6), error, kind, int(request_left)),
        )

    def mark_sending(self, intent_id: int, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> bool:
        """Record, durably, that a POST is about to leave, and renew the lease for it.

        False if this owner no longer holds the intent (superseded meanwhile): do not send.
        """
        now = _ts(self.clock.now())
        with self._write() as conn:
            return (
                conn.execute(
                    "UPDATE intents SET sent = sent | 2, lease_until = ? "
                    "WHERE id = ? AND lease_owner = ? AND state = 'pending'",
                    (now + lease_seconds, intent_id, self.owner),
                ).rowcount
                > 0
            )

    def mark_terminal(
        self, intent_id: int, state: IntentState, error: str | None, kind: str | None
    ) -> bool:
        """End an intent as expired, failed or held/conflict (open, but not retried). Nothing
        is in flight then (Gett refused it, or it was never sent), so the in-flight mark goes."""
        now = _ts(self.clock.now())
        finished = None if state.is_open else now
        return self._finish_leased(
            intent_id,
            "state = ?, finished_at = ?, last_error = ?, last_error_kind = ?, sent = sent & 1",
            (state.value, finished, error, kind),
        )

    def release_held(self, store_id: str | None = None) -> int:
        """Make held intents (stopped by a rejected key) pending again: the key was changed, or
        a read with it succeeded again (then only that store's)."""
        now = _ts(self.clock.now())
        where = "state = 'held'" + (" AND store_id = ?" if store_id else "")
        with self._write() as conn:
            return conn.execute(
                f"UPDATE intents SET state = 'pending', next_attempt_at = ?, verify_first = 1 "
                f"WHERE {where}",
                (now, store_id) if store_id else (now,),
            ).rowcount

    def resolve_conflict(self, store_id: str, *, apply_mine: bool) -> Intent | None:
        """A person chose: re-apply the intent over the server's state, or keep the server's."""
        now = _ts(self.clock.now())
        with self._write() as conn:
            row = conn.execute(
                "SELECT id FROM intents WHERE store_id = ? AND state = 'conflict'", (store_id,)
            ).fetchone()
            if row is None:
                return None
            if apply_mine:
                # As if tapped again now: a later change elsewhere is still caught on retry.
                conn.execute(
                    "UPDATE intents SET state = 'pending', next_attempt_at = ?, verify_first = 0, "
                    "attempts = 0, created_at = ?, base_status = NULL WHERE id = ?",
                    (now, format_datetime(self.clock.now()), row[0]),
                )
            else:
                conn.execute(
                    "UPDATE intents SET state = 'dismissed', finished_at = ? WHERE id = ?",
                    (now, row[0]),
                )
        return self.get(int(row[0]))

    def force_all(self) -> int:
        """``kiosk sync --force``: re-apply held and conflicting intents, and make all due now."""
        now = _ts(self.clock.now())
        with self._write() as conn:
            conflicts = conn.execute(
                "UPDATE intents SET state = 'pending', next_attempt_at = ?, verify_first = 0, "
                "attempts = 0, created_at = ?, base_status = NULL WHERE state = 'conflict'",
                (now, format_datetime(self.clock.now())),
            ).rowcount
            others = conn.execute(
                "UPDATE intents SET state = 'pending', next_attempt_at = ? "
                "WHERE state IN ('pending', 'held')",
                (now,),
            ).rowcount
            return conflicts + others

    def make_due_now(self) -> int:
        """The connection seems back: retry waiting intents at once instead of after backoff."""
        now = _ts(self.clock.now())
        with self._write() as conn:
            return conn.execute(
                "UPDATE intents SET next_attempt_at = ? WHERE state = 'pending' "
                "AND next_attempt_at > ?",
                (now, now),
            ).rowcount

    def prune_history(self, days: int = HISTORY_DAYS) -> int:
        cutoff = _ts(self.clock.now() - timedelta(days=days))
        with self._write() as conn:
            return conn.execute(
                "DELETE FROM intents WHERE finished_at IS NOT NULL AND finished_at < ?", (cutoff,)
            ).rowcount

    # -- reading ----------------------------------------------------------------------------

    def _decode(self, row: tuple[Any, ...]) -> Intent | None:
        """The intent in a row, or None (logged once, listed in ``unreadable``) if it cannot be
        read: the file is outside data, a newer or damaged version may have written it."""
        try:
            return _row_to_intent(row)
        except Exception as exc:
            why = _decode_error(row, exc)
            if why not in self._reported:
                self._reported.add(why)
                self.unreadable.append(why)
                log.warning("queue file %s: %s; skipped", self.path, why)
            return None

    def _decoded(self, rows: list[tuple[Any, ...]]) -> list[Intent]:
        return [intent for row in rows if (intent := self._decode(row)) is not None]

    def get(self, intent_id: int) -> Intent:
        """The intent; KeyError if there is none, OutboxError if its row cannot be read."""
        rows = self._read(f"SELECT {_COLUMNS} FROM intents WHERE id = ?", (intent_id,))
        if not rows:
            raise KeyError(intent_id)
        intent = self._decode(rows[0])
        if intent is None:
            raise OutboxError(
                _(
                    "The queue file {path} holds change #{number}, which cannot be read; it is "
                    "skipped."
                ).format(path=isolate(self.path), number=ltr(intent_id)),
                cause="a change cannot be read",
            )
        return intent

    def open_intent(self, store_id: str) -> Intent | None:
        rows = self._read(
            f"SELECT {_COLUMNS} FROM intents WHERE store_id = ? AND state IN {_OPEN_SQL}",
            (store_id,),
        )
        found = self._decoded(rows)
        return found[0] if found else None

    def open_intents(self) -> list[Intent]:
        rows = self._read(f"SELECT {_COLUMNS} FROM intents WHERE state IN {_OPEN_SQL} ORDER BY id")
        return self._decoded(rows)

    def next_due_at(self) -> datetime | None:
        now = _ts(self.clock.now())
        rows = self._read(
            "SELECT MIN(CASE WHEN next_attempt_at > ? THEN ? ELSE next_attempt_at END) "
            "FROM intents WHERE state = 'pending' "
            "AND typeof(next_attempt_at) IN ('real', 'integer')",
            (now + MAX_WAIT, now),
        )
        value = rows[0][0] if rows else None
        try:
            return None if value is None else _dt(float(value))
        except (TypeError, ValueError, OverflowError, OSError):
            return _dt(now)  # a time that cannot be one: try now rather than never

    def history(self, limit: int = 50, store_id: str | None = None) -> list[Intent]:
        where = "WHERE store_id = ?" if store_id else ""
        params: tuple[object, ...] = (store_id, limit) if store_id else (limit,)
        rows = self._read(
            f"SELECT {_COLUMNS} FROM intents {where} ORDER BY id DESC LIMIT ?", params
        )
        return self._decoded(rows)

    # -- last confirmed status (so a restart can say "last known: paused, as of 14:02") ------

    def save_last_status(self, store_id: str, status: StoreStatus, at: datetime) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO last_status (store_id, status, confirmed_at) VALUES (?, ?, ?) "
                "ON CONFLICT (store_id) DO UPDATE SET status = excluded.status, "
                "confirmed_at = excluded.confirmed_at",
                (store_id, _status_json(status), _ts(at)),
            )

    def last_status(self, store_id: str) -> tuple[StoreStatus, datetime] | None:
        rows = self._read(
            "SELECT status, confirmed_at FROM last_status WHERE store_id = ?", (store_id,)
        )
        if not rows:
            return None
        try:
            status = _status_from(str(rows[0][0]))
            assert status is not None
            return status, _dt(float(rows[0][1]))
        except Exception as exc:
            why = f"the last status of {store_id} cannot be read ({type(exc).__name__})"
            if why not in self._reported:
                self._reported.add(why)
                self.unreadable.append(why)
                log.warning("queue file %s: %s; skipped", self.path, why)
            return None

    def integrity_ok(self) -> bool:
        return bool(self._read("PRAGMA integrity_check")[0][0] == "ok")


def _looks_corrupt(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return any(
        word in text for word in ("malformed", "not a database", "corrupt", "integrity check")
    )
