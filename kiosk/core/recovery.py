"""A damaged queue file is never replaced in silence.

The outbox moves the damaged file aside and starts a fresh one; :func:`salvage` then copies into
the fresh file every row that can still be read from the damaged one (the waiting change first
of all: it is what a person expects to go out), and :func:`add_notice` leaves a notice in the
data folder. Every ``kiosk`` command prints the notice on stderr and the app shows it on screen
at every start until a person runs ``kiosk queue ack`` (:func:`acknowledge`).

Reading a damaged SQLite file is best effort: a forward scan, a backward scan, then one lookup
per id (each lookup touches only the pages on its own path, so rows beyond a broken page are
still found), all on a private copy so the damaged file stays as it was for support.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from kiosk.core.i18n import _, isolate, ltr, ngettext
from kiosk.core.models import StoreStatus
from kiosk.core.private import write_private

log = logging.getLogger(__name__)

NOTICE_FILE = "queue-recovered.json"
#: One lookup per id stops after this many ids or seconds (a 30-day history is far smaller).
MAX_PROBES = 100_000
PROBE_SECONDS = 5.0
_OPEN = ("pending", "held", "conflict")
_DEFAULTS: dict[str, object] = {"sent": 0, "verify_first": 0, "attempts": 0}


class _Decoded(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def store_id(self) -> str: ...

    @property
    def is_open(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Salvaged:
    waiting: int  # open changes recovered (still to be sent)
    history: int  # finished or replaced changes recovered
    unreadable: int  # rows found but not readable
    statuses: int  # last confirmed statuses recovered


def salvage(
    damaged: Path,
    fresh: sqlite3.Connection,
    *,
    columns: Sequence[str],
    decode: Callable[[tuple[Any, ...]], _Decoded],
    now: float,
) -> Salvaged:
    """Copy what can be read from ``damaged`` into the empty, current-schema ``fresh`` file."""
    try:
        with tempfile.TemporaryDirectory(prefix="kiosk-salvage-") as tmp:
            copy = Path(tmp) / "damaged.db"
            shutil.copyfile(damaged, copy)
            wal = Path(f"{damaged}-wal")
            if wal.exists():
                shutil.copyfile(wal, Path(f"{copy}-wal"))
            intents, statuses = _read_all(copy)
            if not intents and wal.exists():  # a broken WAL can hide a readable main file
                Path(f"{copy}-wal").unlink(missing_ok=True)
                Path(f"{copy}-shm").unlink(missing_ok=True)
                intents, statuses = _read_all(copy)
    except (OSError, sqlite3.Error) as exc:
        log.error("nothing could be read from the damaged queue file %s: %s", damaged, exc)
        return Salvaged(0, 0, 0, 0)
    try:
        return _write(fresh, intents, statuses, columns, decode, now)
    except sqlite3.Error as exc:
        with contextlib.suppress(sqlite3.Error):
            fresh.execute("ROLLBACK")
        log.error("could not copy the recovered rows into the fresh queue file: %s", exc)
        return Salvaged(0, 0, len(intents), 0)


def _read_all(path: Path) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]:
    try:
        conn = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error:
        return {}, []
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        with contextlib.suppress(sqlite3.Error):
            # A truncated file's header claims more pages than there are; SQLite refuses it
            # unless the schema is "writable" (nothing is written: query_only).
            conn.execute("PRAGMA writable_schema = ON")
            conn.execute("PRAGMA query_only = ON")
        intents = _read_intents(conn)
        statuses = list(_scan(conn, "SELECT rowid AS kiosk_rid, * FROM last_status").values())
        statuses += list(
            _scan(
                conn, "SELECT rowid AS kiosk_rid, * FROM last_status ORDER BY rowid DESC"
            ).values()
        )
        return intents, statuses
    finally:
        conn.close()


def _scan(conn: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> dict[int, Any]:
    """Rows by rowid until the first error (a damaged page ends the scan, not the salvage)."""
    found: dict[int, dict[str, Any]] = {}
    try:
        cursor = conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            record = dict(zip(names, row, strict=True))
            rid = record.pop("kiosk_rid")
            if isinstance(rid, int):
                found[rid] = record
    except (sqlite3.Error, ValueError, OverflowError, MemoryError):
        pass  # UnicodeDecodeError is a ValueError
    return found


def _read_intents(conn: sqlite3.Connection) -> dict[int, dict[str, Any]]:
    rows = _scan(conn, "SELECT rowid AS kiosk_rid, * FROM intents")
    rows.update(_scan(conn, "SELECT rowid AS kiosk_rid, * FROM intents ORDER BY rowid DESC"))
    highest = max(rows, default=0)
    with contextlib.suppress(sqlite3.Error, TypeError, ValueError):
        seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'intents'").fetchone()
        if seq is not None:
            highest = max(highest, int(seq[0]))
    deadline = time.monotonic() + PROBE_SECONDS
    for rid in range(max(1, highest - MAX_PROBES), highest + 17):
        if rid in rows:
            continue
        if time.monotonic() > deadline:
            log.warning("stopped looking for rows in the damaged queue file at id %d", rid)
            break
        rows.update(
            _scan(conn, "SELECT rowid AS kiosk_rid, * FROM intents WHERE rowid = ?", (rid,))
        )
    return rows


def _write(
    fresh: sqlite3.Connection,
    intents: dict[int, dict[str, Any]],
    statuses: list[dict[str, Any]],
    columns: Sequence[str],
    decode: Callable[[tuple[Any, ...]], _Decoded],
    now: float,
) -> Salvaged:
    readable: list[tuple[dict[str, Any], _Decoded]] = []
    unreadable = 0
    for rid in sorted(intents):
        record = {c: intents[rid].get(c, _DEFAULTS.get(c)) for c in columns}
        try:
            readable.append((record, decode(tuple(record[c] for c in columns))))
        except Exception as exc:
            unreadable += 1
            log.warning("recovery: skipped row %s (%s)", rid, type(exc).__name__)
    newest_open: dict[str, int] = {}
    for _record, intent in readable:
        if intent.is_open:
            newest_open[intent.store_id] = max(newest_open.get(intent.store_id, 0), intent.id)
    waiting = history = saved_statuses = 0
    fresh.execute("BEGIN IMMEDIATE")
    for record, intent in readable:
        if intent.is_open and newest_open[intent.store_id] == intent.id:
            # It may have been in flight when the file broke: read Gett's state before sending.
            record.update(next_attempt_at=now, verify_first=1)
            waiting += 1
        else:
            if intent.is_open:
                record.update(state="superseded", finished_at=now)
            history += 1
        if isinstance(record.get("sent"), int) and record["sent"] & 2:
            record["sent"] = 1
        names = ", ".join(columns)
        fresh.execute(
            f"INSERT OR IGNORE INTO intents ({names}) "  # noqa: S608 - our own column names
            f"VALUES ({', '.join('?' * len(columns))})",
            tuple(record[c] for c in columns),
        )
    seen: set[str] = set()
    for status in statuses:
        store_id, text, at = (
            status.get("store_id"),
            status.get("status"),
            status.get("confirmed_at"),
        )
        if not isinstance(store_id, str) or store_id in seen:
            continue
        try:
            StoreStatus.from_json(json.loads(str(text)))
            float(at)  # type: ignore[arg-type]
        except Exception:  # noqa: S112 - an unreadable status is simply not recovered
            continue
        seen.add(store_id)
        fresh.execute(
            "INSERT OR IGNORE INTO last_status (store_id, status, confirmed_at) VALUES (?, ?, ?)",
            (store_id, text, float(at)),  # type: ignore[arg-type]
        )
        saved_statuses += 1
    fresh.execute("COMMIT")
    return Salvaged(waiting, history, unreadable, saved_statuses)


# -- the notice ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    """One damaged queue file: where it went and what came back from it."""

    moved_to: str
    at: str
    cause: str = ""
    waiting: int = 0
    history: int = 0
    unreadable: int = 0

    def message(self) -> str:
        moved = _("The queue file was damaged and was moved to {path} ({when}).").format(
            path=isolate(self.moved_to), when=ltr(self.at)
        )
        waiting = ngettext("{count} waiting change", "{count} waiting changes", self.waiting)
        history = ngettext("{count} earlier entry", "{count} earlier entries", self.history)
        values = {
            "waiting": waiting.format(count=ltr(self.waiting)),
            "history": history.format(count=ltr(self.history)),
        }
        if self.unreadable:
            recovered = ngettext(
                "Recovered from it: {waiting} and {history} ({count} entry could not be read).",
                "Recovered from it: {waiting} and {history} ({count} entries could not be read).",
                self.unreadable,
            ).format(count=ltr(self.unreadable), **values)
        else:
            recovered = _("Recovered from it: {waiting} and {history}.").format(**values)
        parts = [moved, recovered]
        if self.waiting == 0:
            parts.append(_("If a change was waiting to be sent, it was lost: make it again."))
        parts.append(
            _("Check the store's status, then run `kiosk queue ack` to stop this warning.")
        )
        return " ".join(parts)


def _notice_path(data_dir: Path) -> Path:
    return data_dir / NOTICE_FILE


def add_notice(data_dir: Path, notice: Notice) -> None:
    """Remember a recovery until a person acknowledges it (0600, replaced atomically)."""
    notices = [*read_notices(data_dir), notice]
    write_private(_notice_path(data_dir), json.dumps([asdict(n) for n in notices[-20:]]))


def read_notices(data_dir: Path) -> list[Notice]:
    """The recoveries not yet acknowledged; a notice file that cannot be read still counts."""
    path = _notice_path(data_dir)
    try:
        raw = path.read_bytes()[:1_000_000]
    except FileNotFoundError:
        return []
    except OSError:
        return [Notice(moved_to="(see the data folder)", at="(unknown)")]
    try:
        items = json.loads(raw.decode("utf-8"))
        if not isinstance(items, list):
            raise TypeError
        notices = []
        for item in items:
            if not isinstance(item, dict):
                raise TypeError
            fields = {k: item[k] for k in Notice.__dataclass_fields__ if k in item}
            for key in ("waiting", "history", "unreadable"):
                if not isinstance(fields.get(key, 0), int):
                    raise TypeError
            for key in ("moved_to", "at", "cause"):
                if not isinstance(fields.get(key, ""), str):
                    raise TypeError
            notices.append(Notice(**fields))
        return notices
    except (ValueError, TypeError, UnicodeDecodeError):
        return [Notice(moved_to="(see the data folder)", at="(unknown)")]


def summary(data_dir: Path) -> str | None:
    """One warning for every command and the screen, or None when all was acknowledged."""
    notices = read_notices(data_dir)
    if not notices:
        return None
    text = notices[-1].message()
    if len(notices) > 1:
        text += " " + ngettext(
            "(The queue file was damaged {count} time since the last `ack`.)",
            "(The queue file was damaged {count} times since the last `ack`.)",
            len(notices),
        ).format(count=ltr(len(notices)))
    return text


def acknowledge(data_dir: Path) -> list[Notice]:
    """A person has seen it: stop warning. Returns what was acknowledged."""
    notices = read_notices(data_dir)
    with contextlib.suppress(FileNotFoundError):
        _notice_path(data_dir).unlink()
    return notices
