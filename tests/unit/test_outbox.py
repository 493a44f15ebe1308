"""The outbox against a real SQLite file in tmp_path."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import SCHEMA_VERSION, IntentState, Outbox, OutboxError
from tests.helpers.fakes import FakeClock

STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
OTHER = "9b2d4c6e-1a3f-4e5d-8c7b-0a1b2c3d4e5f"
PAUSE = StoreStatusUpdate.pause(PauseReason.TOO_BUSY)
RESUME = StoreStatusUpdate.resume()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock) -> Outbox:
    box = Outbox(tmp_path, clock=clock, owner="gui")
    yield box  # type: ignore[misc]
    box.close()


def test_file_is_durable_wal_full_sync_versioned(outbox: Outbox) -> None:
    conn = outbox._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_enqueue_is_committed_and_visible_to_another_connection(
    outbox: Outbox, tmp_path: Path
) -> None:
    intent = outbox.enqueue(STORE, PAUSE, origin="ui")
    assert intent.state is IntentState.PENDING and intent.attempts == 0
    with sqlite3.connect(tmp_path / "outbox.db") as other:
        rows = other.execute("SELECT store_id, status, reason, state FROM intents").fetchall()
    other.close()
    assert rows == [(STORE, "paused", "too_busy", "pending")]


def test_newer_intent_supersedes_older(outbox: Outbox) -> None:
    first = outbox.enqueue(STORE, PAUSE, origin="ui")
    for _ in range(9):
        last = outbox.enqueue(STORE, RESUME if _ % 2 == 0 else PAUSE, origin="ui")
    assert [i.id for i in outbox.open_intents()] == [last.id]
    assert outbox.get(first.id).state is IntentState.SUPERSEDED
    assert outbox.get(last.id).verify_first  # it replaced another: read before writing
    states = [i.state for i in outbox.history(store_id=STORE)]
    assert states.count(IntentState.SUPERSEDED) == 9


def test_stores_are_independent(outbox: Outbox) -> None:
    outbox.enqueue(STORE, PAUSE, origin="ui")
    outbox.enqueue(OTHER, PAUSE, origin="ui")
    assert len(outbox.open_intents()) == 2


def test_one_open_intent_per_store_is_enforced_by_the_schema(outbox: Outbox) -> None:
    outbox.enqueue(STORE, PAUSE, origin="ui")
    with pytest.raises(sqlite3.IntegrityError):
        outbox._conn.execute(
            "INSERT INTO intents (store_id, status, created_at, origin, state, next_attempt_at) "
            "VALUES (?, 'online', '2026-01-01T00:00:00Z', 'x', 'pending', 0)",
            (STORE,),
        )


def test_claim_leases_so_a_second_process_cannot_send_it(tmp_path: Path, clock: FakeClock) -> None:
    gui = Outbox(tmp_path, clock=clock, owner="gui")
    cli = Outbox(tmp_path, clock=clock, owner="cli")
    try:
        intent = gui.enqueue(STORE, PAUSE, origin="ui")
        claimed = gui.claim_due()
        assert claimed is not None and claimed.id == intent.id
        assert cli.claim_due() is None
        # The CLI cannot finish what it does not hold.
        assert not cli.mark_delivered(intent.id, StoreStatus(StoreState.PAUSED))
        assert gui.mark_delivered(intent.id, StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY))
        assert cli.get(intent.id).state is IntentState.DELIVERED
    finally:
        gui.close()
        cli.close()


def test_a_live_owner_keeps_its_lease_however_long_it_takes(
    tmp_path: Path, clock: FakeClock
) -> None:
    slow = Outbox(tmp_path, clock=clock, owner="gui")
    other = Outbox(tmp_path, clock=clock, owner="cli")
    try:
        intent = slow.enqueue(STORE, PAUSE, origin="ui")
        assert slow.claim_due(lease_seconds=30) is not None
        clock.advance(3600)  # far past any time limit: the owner is alive, so it keeps it
        assert other.claim_due() is None
        assert slow.mark_delivered(intent.id, StoreStatus(StoreState.PAUSED))
    finally:
        slow.close()
        other.close()


def test_closing_an_owner_hands_its_lease_over_at_once(tmp_path: Path, clock: FakeClock) -> None:
    first = Outbox(tmp_path, clock=clock, owner="gui")
    other = Outbox(tmp_path, clock=clock, owner="cli")
    try:
        intent = first.enqueue(STORE, PAUSE, origin="ui")
        assert first.claim_due() is not None
        assert first.mark_sending(intent.id)
        first.close()  # e.g. the app quits while a request is open
        again = other.claim_due()
        assert again is not None and again.id == intent.id
        assert again.verify_first and again.sent  # its POST may have landed
    finally:
        other.close()


def test_newer_intent_waits_while_an_older_one_is_in_flight(outbox: Outbox) -> None:
    outbox.enqueue(STORE, PAUSE, origin="ui")
    in_flight = outbox.claim_due()
    assert in_flight is not None
    newer = outbox.enqueue(STORE, RESUME, origin="ui")
    assert outbox.get(in_flight.id).state is IntentState.SUPERSEDED
    assert outbox.claim_due() is None  # would race the in-flight POST
    # The in-flight request returns; its success does not revive the superseded intent.
    assert not outbox.mark_delivered(in_flight.id, StoreStatus(StoreState.PAUSED))
    assert outbox.get(in_flight.id).state is IntentState.SUPERSEDED
    claimed = outbox.claim_due()
    assert claimed is not None and claimed.id == newer.id


def test_retry_backs_off_and_records_the_error(outbox: Outbox, clock: FakeClock) -> None:
    intent = outbox.enqueue(STORE, PAUSE, origin="ui")
    assert outbox.claim_due() is not None
    assert outbox.mark_retry(intent.id, 8.0, "Could not connect", "ConnectionFailed")
    waiting = outbox.get(intent.id)
    assert waiting.attempts == 1 and waiting.verify_first
    assert waiting.last_error == "Could not connect"
    assert waiting.next_attempt_at == clock.now() + timedelta(seconds=8)
    assert outbox.claim_due() is None
    clock.advance(8)
    assert outbox.claim_due() is not None


def test_make_due_now_skips_the_backoff(outbox: Outbox) -> None:
    intent = outbox.enqueue(STORE, PAUSE, origin="ui")
    outbox.claim_due()
    outbox.mark_retry(intent.id, 60.0, "down", "ConnectionFailed")
    assert outbox.claim_due() is None
    assert outbox.make_due_now() == 1
    assert outbox.claim_due() is not None


def test_held_intents_are_released_when_the_key_changes(outbox: Outbox) -> None:
    intent = outbox.enqueue(STORE, PAUSE, origin="ui")
    outbox.claim_due()
    outbox.mark_terminal(intent.id, IntentState.HELD, "key rejected", "AuthRejected")
    assert outbox.claim_due() is None
    assert outbox.open_intent(STORE) is not None  # not lost
    assert outbox.release_held() == 1
    assert outbox.claim_due() is not None


def test_conflict_resolution(outbox: Outbox) -> None:
    intent = outbox.enqueue(STORE, PAUSE, origin="ui")
    outbox.claim_due()
    outbox.mark_terminal(intent.id, IntentState.CONFLICT, "changed elsewhere", "conflict")
    assert outbox.claim_due() is None
    applied = outbox.resolve_conflict(STORE, apply_mine=True)
    assert applied is not None and applied.state is IntentState.PENDING
    again = outbox.claim_due()
    assert again is not None and not again.verify_first
    outbox.mark_terminal(intent.id, IntentState.CONFLICT, "changed elsewhere", "conflict")
    kept = outbox.resolve_conflict(STORE, apply_mine=False)
    assert kept is not None and kept.state is IntentState.DISMISSED
    assert outbox.open_intent(STORE) is None


def test_history_is_pruned_after_30_days(outbox: Outbox, clock: FakeClock) -> None:
    old = outbox.enqueue(STORE, PAUSE, origin="ui")
    outbox.enqueue(STORE, RESUME, origin="ui")  # supersedes `old`, which is now history
    clock.advance(31 * 86400)
    assert outbox.prune_history() == 1
    with pytest.raises(KeyError):
        outbox.get(old.id)
    assert outbox.open_intent(STORE) is not None  # open intents are never pruned


def test_intent_round_trips_all_fields(outbox: Outbox) -> None:
    at = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
    base = StoreStatus(StoreState.ONLINE)
    intent = outbox.enqueue(
        STORE, StoreStatusUpdate.pause(PauseReason.MAINTENANCE, at), origin="cli", base=base
    )
    again = outbox.get(intent.id)
    assert again.update == StoreStatusUpdate.pause(PauseReason.MAINTENANCE, at)
    assert again.base == base and again.origin == "cli"
    assert again.to_json()["resumeAt"] == "2026-01-15T14:30:00Z"


def test_last_status_survives_reopen(tmp_path: Path, clock: FakeClock) -> None:
    status = StoreStatus(StoreState.PAUSED, PauseReason.OTHER, clock.now(), None)
    with Outbox(tmp_path, clock=clock) as box:
        box.save_last_status(STORE, status, clock.now())
    with Outbox(tmp_path, clock=clock) as box:
        assert box.last_status(STORE) == (status, clock.now())


def test_corrupt_file_is_moved_aside_and_a_fresh_one_made(tmp_path: Path) -> None:
    (tmp_path / "outbox.db").write_bytes(b"this is not a database" * 100)
    with Outbox(tmp_path) as box:
        assert box.recovered_from is not None and box.recovered_from.exists()
        assert "corrupt" in box.recovered_from.name
        assert box.integrity_ok()
        box.enqueue(STORE, PAUSE, origin="ui")


def test_damaged_pages_are_detected(tmp_path: Path, clock: FakeClock) -> None:
    with Outbox(tmp_path, clock=clock) as box:
        for i in range(300):
            box.enqueue(f"{i:08d}-0000-4000-8000-000000000000", PAUSE, origin="ui")
        box._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = tmp_path / "outbox.db"
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 3, len(data) - 4096, 4096):
        data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    with Outbox(tmp_path, clock=clock) as box:
        assert box.recovered_from is not None
        # What still parses is kept (here: rows on the few pages whose cells survived).
        assert box.integrity_ok()
        for intent in box.open_intents():
            assert intent.update == PAUSE and intent.verify_first


def test_newer_schema_is_refused_not_clobbered(tmp_path: Path) -> None:
    with Outbox(tmp_path) as box:
        box._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(OutboxError, match="newer kiosk version"):
        Outbox(tmp_path)


def test_full_disk_fails_loudly_and_saves_nothing(outbox: Outbox) -> None:
    outbox.enqueue(STORE, PAUSE, origin="ui")
    pages = outbox._conn.execute("PRAGMA page_count").fetchone()[0]
    outbox._conn.execute(f"PRAGMA max_page_count = {pages}")
    saved = []
    failure: OutboxError | None = None
    for i in range(500):
        try:
            saved.append(outbox.enqueue(f"{i:08d}-0000-4000-8000-000000000000", PAUSE, origin="ui"))
        except OutboxError as exc:
            failure = exc
            break
    assert failure is not None and "disk is full" in str(failure)
    # Every intent reported as saved is there; the one that failed left nothing behind.
    assert {i.id for i in outbox.open_intents()} == {1} | {i.id for i in saved}
    assert outbox.integrity_ok()


def test_unwritable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(OutboxError, match="KIOSK_DATA_DIR"):
        Outbox(blocker / "data")


def test_an_older_queue_file_is_migrated_with_its_intents(tmp_path: Path) -> None:
    from kiosk.core.outbox import MIGRATIONS

    db = sqlite3.connect(tmp_path / "outbox.db")
    for statement in MIGRATIONS[1].split(";"):  # a file written by schema v1
        if statement.strip():
            db.execute(statement)
    db.execute(
        "INSERT INTO intents (store_id, status, reason, created_at, origin, state, "
        "next_attempt_at, attempts) VALUES (?, 'paused', 'too_busy', '2026-01-15T12:00:00Z', "
        "'ui', 'pending', 0, 2)",
        (STORE,),
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Outbox(tmp_path) as box:
        assert box._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        intent = box.open_intent(STORE)
        assert intent is not None and intent.attempts == 2 and intent.update == PAUSE
        assert intent.sent is False
        indexes = {r[0] for r in box._conn.execute("SELECT name FROM sqlite_master")}
        assert "intents_leased" in indexes


def test_enqueue_many_saves_all_or_nothing(outbox: Outbox) -> None:
    both = outbox.enqueue_many([(STORE, PAUSE, None), (OTHER, PAUSE, None)], origin="ui")
    assert [i.store_id for i in both] == [STORE, OTHER]
    assert all(i.state is IntentState.PENDING for i in both)
    with pytest.raises(OutboxError):
        outbox.enqueue_many(
            [(STORE, RESUME, None), (None, RESUME, None)],  # type: ignore[list-item]
            origin="ui",
        )
    # The failed batch left nothing behind: the first store still waits on its pause.
    waiting = outbox.open_intent(STORE)
    assert waiting is not None and waiting.update == PAUSE


def test_a_second_connection_never_moves_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OutboxError, match="damaged"):
        Outbox(tmp_path, repair=False)
    assert path.exists() and not list(tmp_path.glob("*.corrupt-*"))  # left for the repairer
