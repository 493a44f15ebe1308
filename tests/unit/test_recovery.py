"""A damaged queue file is never replaced in silence, and a bad row never crashes a reader.

Real SQLite files, damaged the ways disks and people damage them: truncated, overwritten with
random bytes, a page zeroed, a table dropped, a newer schema, rows no version of the kiosk wrote.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from kiosk.core import recovery
from kiosk.core.config import Store
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import DB_FILENAME, SCHEMA_VERSION, IntentState, Outbox, OutboxError
from kiosk.core.sync import AttentionKind, SyncEngine
from tests.helpers.fakes import FakeClock

STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
OTHER = "9b2d4c6e-1a3f-4e5d-8c7b-0a1b2c3d4e5f"
PAUSE = StoreStatusUpdate.pause(PauseReason.MAINTENANCE)
RESUME = StoreStatusUpdate.resume()
PAGE = 4096


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def filled(data_dir: Path, clock: FakeClock, history: int = 300) -> int:
    """A queue with a waiting change (on the first leaf page) behind a long history."""
    with Outbox(data_dir, clock=clock) as box:
        waiting = box.enqueue(STORE, PAUSE, origin="ui").id
        for i in range(history):
            box.enqueue(OTHER, RESUME if i % 2 else PAUSE, origin="ui")
        box.save_last_status(STORE, StoreStatus(StoreState.ONLINE), clock.now())
        box._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return waiting


def intents_leaves(path: Path) -> list[int]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute(
            "SELECT pageno FROM dbstat WHERE name = 'intents' AND pagetype = 'leaf' ORDER BY pageno"
        ).fetchall()
        return [int(r[0]) for r in rows]
    except sqlite3.Error:  # no dbstat in this SQLite build: late pages are leaves too
        pages = path.stat().st_size // PAGE
        return [pages - 2, pages - 1]
    finally:
        db.close()


def recovered(data_dir: Path, clock: FakeClock) -> tuple[Outbox, recovery.Notice]:
    box = Outbox(data_dir, clock=clock, owner="gui")
    assert box.recovered_from is not None and box.recovered_from.exists()
    assert box.integrity_ok()
    notices = recovery.read_notices(data_dir)
    assert notices and notices[-1].moved_to == str(box.recovered_from)
    return box, notices[-1]


def test_a_file_truncated_before_its_rows_says_the_change_was_lost(
    tmp_path: Path, clock: FakeClock
) -> None:
    filled(tmp_path, clock)
    first_leaf = intents_leaves(tmp_path / DB_FILENAME)[0]
    with (tmp_path / DB_FILENAME).open("r+b") as handle:
        handle.truncate((first_leaf - 1) * PAGE)  # every row of the intents table is gone
    box, notice = recovered(tmp_path, clock)
    try:
        assert box.open_intents() == [] and notice.waiting == 0 and notice.history == 0
        assert "If a change was waiting to be sent, it was lost" in notice.message()
        assert box.last_status(STORE) is not None  # the page before the rows survived
    finally:
        box.close()


@pytest.mark.parametrize("cut", [1, 3, 7])
def test_a_truncated_file_keeps_its_waiting_change(
    tmp_path: Path, clock: FakeClock, cut: int
) -> None:
    """The last ``cut`` pages are gone (a copy or a disk that stopped part way)."""
    waiting = filled(tmp_path, clock)
    path = tmp_path / DB_FILENAME
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size - cut * PAGE - 100)
    box, notice = recovered(tmp_path, clock)
    try:
        kept = box.open_intent(STORE)
        assert kept is not None and kept.id == waiting and kept.update == PAUSE
        assert kept.state is IntentState.PENDING and kept.verify_first  # read Gett first
        assert notice.waiting >= 1 and notice.history > 0
        assert str(box.recovered_from) in notice.message()
        # The fresh queue goes on: a new change gets a new id, never one the old file used.
        newer = box.enqueue(STORE, RESUME, origin="ui")
        assert newer.id > waiting
        assert box.get(waiting).state is IntentState.SUPERSEDED
    finally:
        box.close()


def test_a_zeroed_page_loses_only_its_own_rows(tmp_path: Path, clock: FakeClock) -> None:
    waiting = filled(tmp_path, clock)
    path = tmp_path / DB_FILENAME
    victim = intents_leaves(path)[-1]
    data = bytearray(path.read_bytes())
    data[(victim - 1) * PAGE : victim * PAGE] = bytes(PAGE)
    path.write_bytes(bytes(data))
    box, notice = recovered(tmp_path, clock)
    try:
        kept = box.open_intent(STORE)
        assert kept is not None and kept.id == waiting
        history = box.history(limit=1000)
        assert 200 < len(history) < 301  # most of the history, not the zeroed page's rows
        assert notice.history == len(history) - notice.waiting
        last = box.last_status(STORE)
        assert last is not None and last[0].is_online
    finally:
        box.close()


def test_random_bytes_are_moved_aside_and_said_to_be_lost(tmp_path: Path, clock: FakeClock) -> None:
    rng = random.Random(8)
    (tmp_path / DB_FILENAME).write_bytes(rng.randbytes(20 * PAGE))
    box, notice = recovered(tmp_path, clock)
    try:
        assert box.open_intents() == []
        assert notice.waiting == 0
        assert "it was lost: make it again" in notice.message()
        assert (tmp_path / DB_FILENAME).exists()
    finally:
        box.close()


def test_a_missing_table_is_damage_not_a_crash(tmp_path: Path, clock: FakeClock) -> None:
    waiting = filled(tmp_path, clock, history=20)
    db = sqlite3.connect(tmp_path / DB_FILENAME)
    db.execute("DROP TABLE last_status")  # passes quick_check; the kiosk cannot work with it
    db.commit()
    db.close()
    box, notice = recovered(tmp_path, clock)
    try:
        assert notice.waiting == 2 and notice.history == 19  # every intent came back
        kept = box.open_intent(STORE)
        assert kept is not None and kept.id == waiting
    finally:
        box.close()


def test_a_newer_schema_is_refused_and_left_alone(tmp_path: Path, clock: FakeClock) -> None:
    filled(tmp_path, clock, history=3)
    db = sqlite3.connect(tmp_path / DB_FILENAME)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = (tmp_path / DB_FILENAME).read_bytes()
    with pytest.raises(OutboxError, match="newer kiosk version"):
        Outbox(tmp_path, clock=clock)
    assert (tmp_path / DB_FILENAME).read_bytes() == before
    assert recovery.read_notices(tmp_path) == []
    assert not list(tmp_path.glob("*.corrupt-*"))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("state", "teleported"),
        ("reason", "alien_invasion"),
        ("status", "online"),  # fine on its own; paired below with a junk date
        ("created_at", "yesterday-ish"),
        ("resume_at", "9999-99-99T99:99:99Z"),
        ("base_status", "{not json"),
        ("confirmed", '{"status": 7}'),
        ("attempts", "many"),
        ("next_attempt_at", "soon"),
    ],
)
def test_rows_no_kiosk_wrote_are_skipped_with_a_reason(
    tmp_path: Path, clock: FakeClock, column: str, value: str
) -> None:
    with Outbox(tmp_path, clock=clock, owner="gui") as box:
        good = box.enqueue(OTHER, PAUSE, origin="ui")
        bad = box.enqueue(STORE, PAUSE, origin="ui")
        box._conn.execute(f"UPDATE intents SET {column} = ? WHERE id = ?", (value, bad.id))  # noqa: S608
        if column == "status":
            box._conn.execute("UPDATE intents SET created_at = 'x' WHERE id = ?", (bad.id,))
        box._conn.execute("UPDATE last_status SET status = 'garbage'")
        box.save_last_status(OTHER, StoreStatus(StoreState.ONLINE), clock.now())
        box._conn.execute("UPDATE last_status SET confirmed_at = 'then'")
        # Every reader goes on; the bad row is skipped and the reason is kept for the caller.
        assert [i.id for i in box.open_intents()] == [good.id]
        assert [i.id for i in box.history()] == [good.id]
        assert box.open_intent(STORE) is None
        box.next_due_at()
        assert box.last_status(OTHER) is None
        engine = SyncEngine(box, None, [Store(STORE, "a"), Store(OTHER, "b")], clock=clock)
        engine.run_due()  # no key: the good one is held; the bad one is never sent
        assert box.get(good.id).state is IntentState.HELD
        assert box.unreadable and all("cannot be read" in why for why in box.unreadable)
        with pytest.raises(OutboxError, match=f"change #{bad.id}"):
            box.get(bad.id)


def test_an_unreadable_due_change_is_quarantined_not_sent(tmp_path: Path, clock: FakeClock) -> None:
    with Outbox(tmp_path, clock=clock, owner="gui") as box:
        bad = box.enqueue(STORE, PAUSE, origin="ui")
        box._conn.execute("UPDATE intents SET reason = 'alien' WHERE id = ?", (bad.id,))
        assert box.claim_due() is None
        row = box._conn.execute(
            "SELECT state, last_error_kind, lease_owner FROM intents WHERE id = ?", (bad.id,)
        ).fetchone()
        assert row == ("failed", "unreadable", None)
        newer = box.enqueue(STORE, RESUME, origin="ui")  # the store is not blocked by it
        claimed = box.claim_due()
        assert claimed is not None and claimed.id == newer.id


def test_the_notice_stays_until_acknowledged(tmp_path: Path, clock: FakeClock) -> None:
    (tmp_path / DB_FILENAME).write_bytes(b"not a database at all" * 300)

    class Heard:
        def __init__(self) -> None:
            self.kinds: list[AttentionKind] = []

        def on_store_view(self, view: object) -> None: ...

        def on_connectivity(self, connectivity: object) -> None: ...

        def on_attention(self, attention: object) -> None:
            self.kinds.append(attention.kind)  # type: ignore[attr-defined]

    for _start in range(3):  # the app restarts: the screen says it every time
        heard = Heard()
        with Outbox(tmp_path, clock=clock, owner="gui") as box:
            SyncEngine(box, None, [Store(STORE, "a")], clock=clock, listener=heard)
        assert AttentionKind.QUEUE_RECOVERED in heard.kinds
    assert len(recovery.acknowledge(tmp_path)) == 1
    heard = Heard()
    with Outbox(tmp_path, clock=clock, owner="gui") as box:
        SyncEngine(box, None, [Store(STORE, "a")], clock=clock, listener=heard)
    assert AttentionKind.QUEUE_RECOVERED not in heard.kinds


def test_a_notice_file_that_cannot_be_read_still_warns(tmp_path: Path) -> None:
    (tmp_path / recovery.NOTICE_FILE).write_bytes(b"\xff\xfe[{")
    text = recovery.summary(tmp_path)
    assert text is not None and "kiosk queue ack" in text


def test_random_damage_never_crashes_a_reader(tmp_path: Path, clock: FakeClock) -> None:
    """150 files damaged at random (bytes flipped, ranges zeroed, tails cut): opening the queue
    either works or fails with an OutboxError sentence, and no reader ever raises."""
    healthy = tmp_path / "healthy"
    filled(healthy, clock, history=120)
    original = (healthy / DB_FILENAME).read_bytes()
    rng = random.Random(20261127)
    outcomes: dict[str, int] = {"opened": 0, "recovered": 0, "refused": 0}
    refusals: list[str] = []
    for case in range(150):
        data = bytearray(original)
        how = rng.choice(["flip", "zero", "cut"])
        if how == "flip":
            for _ in range(rng.randint(1, 40)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif how == "zero":
            start = rng.randrange(len(data))
            data[start : start + rng.randint(1, 3 * PAGE)] = bytes(
                len(data[start : start + rng.randint(1, 3 * PAGE)])
            )
        else:
            del data[rng.randrange(1, len(data)) :]
        folder = tmp_path / f"case-{case}"
        folder.mkdir()
        (folder / DB_FILENAME).write_bytes(bytes(data))
        try:
            box = Outbox(folder, clock=clock, owner="gui")
        except OutboxError as exc:
            refusals.append(str(exc))
            outcomes["refused"] += 1
            continue
        with box:
            outcomes["recovered" if box.recovered_from else "opened"] += 1
            box.open_intents()
            box.history(limit=500)
            box.open_intent(STORE)
            box.last_status(STORE)
            box.next_due_at()
            engine = SyncEngine(box, None, [Store(STORE, "a"), Store(OTHER, "b")], clock=clock)
            engine.run_due()
            box.enqueue(STORE, RESUME, origin="ui")
            assert box.integrity_ok()
    print(f"\nrandom damage: {outcomes}")
    assert outcomes["recovered"] > 0 and outcomes["opened"] > 0, outcomes
    assert all(why.endswith(".") and "Traceback" not in why for why in refusals), refusals


def test_a_damaged_file_is_not_moved_from_under_a_live_writer(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The running app still has the file open: a command that finds it damaged must not move
    it aside (the app's next tap would be saved into the moved copy and lost)."""
    with Outbox(tmp_path, clock=clock, owner="gui-sync") as app:
        for i in range(400):
            app.enqueue(OTHER, RESUME if i % 2 else PAUSE, origin="ui")
        app._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        with open(tmp_path / DB_FILENAME, "r+b") as f:
            f.seek(PAGE * 5)
            f.write(random.Random(3).randbytes(PAGE * 3))
        with pytest.raises(OutboxError, match=r"kiosk app .* still has it open"):
            Outbox(tmp_path, clock=clock, owner="cli-1")
        assert not list(tmp_path.glob(f"{DB_FILENAME}.corrupt-*"))  # still where the app is
    box, _notice = recovered(tmp_path, clock)  # once the app has closed it, it is repaired
    box.close()
