"""Through the real CLI: a damaged queue file is said on stderr, every time, until `queue ack`."""

from __future__ import annotations

from pathlib import Path

from kiosk.core.keystore import OsKeyStore
from kiosk.core.models import PauseReason, StoreStatusUpdate
from kiosk.core.outbox import DB_FILENAME, Outbox
from kiosk.simulator.server import Simulator
from tests.helpers.fakes import FakeClock
from tests.integration.conftest import KEY, STORE
from tests.integration.test_cli import Runner

OTHER = "9b2d4c6e-1a3f-4e5d-8c7b-0a1b2c3d4e5f"


def test_a_truncated_queue_is_said_every_time_until_acknowledged(
    api: Simulator, clock: FakeClock, keystore: OsKeyStore, tmp_path: Path
) -> None:
    keystore.set(KEY)
    kiosk = Runner(api, clock, keystore, tmp_path)
    data = tmp_path / "data"
    with Outbox(data, clock=clock) as box:  # a change waits (Gett was unreachable) ...
        box.enqueue(STORE, StoreStatusUpdate.pause(PauseReason.STAFF_SHORTAGE), origin="cli")
        for i in range(200):  # ... behind a month of history
            box.enqueue(OTHER, StoreStatusUpdate.pause(PauseReason.OTHER), origin="ui")
            if i % 50 == 0:
                box._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        box._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = data / DB_FILENAME
    with path.open("r+b") as handle:  # the disk stopped part way through the file
        handle.truncate(path.stat().st_size - 3 * 4096)

    first = kiosk("history", "--store", STORE)
    assert first.code == 0
    assert "No changes were made" not in first.out
    assert "pause (staff shortage) (cli): waiting to be sent" in first.out
    [moved] = list(data.glob(f"{DB_FILENAME}.corrupt-*[0-9a-f]"))
    assert "damaged" in first.err and str(moved) in first.err
    assert "1 waiting change" in first.err and "kiosk queue ack" in first.err

    for argv in (("status",), ("sync",), ("history",)):  # every command, until someone acks
        again = kiosk(*argv)
        assert str(moved) in again.err, argv
    # The recovered change goes out as it would have.
    assert kiosk("sync").code == 0
    assert api.state(STORE).is_paused

    ack = kiosk("queue", "ack")
    assert ack.code == 0 and str(moved) in ack.out
    after = kiosk("history")
    assert after.code == 0 and after.err == ""
    assert kiosk("queue", "ack").out.startswith("Nothing to acknowledge")


def test_random_bytes_say_the_waiting_change_was_lost(
    api: Simulator, clock: FakeClock, keystore: OsKeyStore, tmp_path: Path
) -> None:
    keystore.set(KEY)
    kiosk = Runner(api, clock, keystore, tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / DB_FILENAME).write_bytes(bytes(range(256)) * 64)
    result = kiosk("history")
    assert result.code == 0
    assert "lost: make it again" in result.err
    assert "Traceback" not in result.err + result.out
