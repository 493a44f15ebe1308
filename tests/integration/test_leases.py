"""A lease belongs to a live process: real child processes, real SIGKILLs, a real SQLite file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk.core import lease
from kiosk.core.client import GettClient
from kiosk.core.config import Store
from kiosk.core.keystore import OsKeyStore
from kiosk.core.models import PauseReason, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import IntentState, Outbox
from kiosk.core.sync import SyncEngine
from kiosk.simulator.server import Simulator
from tests.helpers.fakes import FakeClock
from tests.integration.conftest import KEY, STORE
from tests.integration.test_cli import Runner

ROOT = Path(__file__).resolve().parents[2]
PAUSE = StoreStatusUpdate.pause(PauseReason.TOO_BUSY)
RESUME = StoreStatusUpdate.resume()


class Holder:
    """A child process that holds a lease on STORE's change until it is killed."""

    def __init__(self, data_dir: Path, label: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.lease_child", str(data_dir), label, STORE],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.proc.stdout is not None
        words = self.proc.stdout.readline().split()
        assert words[:1] == ["claimed"], f"child did not claim: {words}"
        self.intent_id, self.pid = int(words[1]), int(words[2])
        assert self.pid == self.proc.pid

    def kill(self) -> None:
        """SIGKILL our own child, by its pid, only while it is still ours (not yet reaped)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(timeout=10) in (-signal.SIGKILL, 0)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


@pytest.fixture
def holders() -> Iterator[list[Holder]]:
    started: list[Holder] = []
    yield started
    for holder in started:
        holder.kill()


def test_a_killed_senders_lease_is_taken_over_at_once(
    tmp_path: Path, clock: FakeClock, holders: list[Holder]
) -> None:
    holder = Holder(tmp_path, "cli-child")
    holders.append(holder)
    with Outbox(tmp_path, clock=clock, owner="gui") as box:
        assert box.claim_due() is None  # alive: its request may still land
        who = box.lease_holder(STORE)
        assert who is not None and who.pid == holder.pid and who.role == "cli"
        holder.kill()
        assert box.lease_holder(STORE) is None
        again = box.claim_due()  # no clock moved: the lock says the owner is gone
        assert again is not None and again.id == holder.intent_id
        assert again.verify_first and again.sent  # it died in flight: read before writing
    # The dead owner's lock file went with its lease.
    assert list((tmp_path / lease.OWNERS_DIR).glob("cli-child*")) == []


def test_a_reused_pid_does_not_keep_a_dead_owners_lease(tmp_path: Path, clock: FakeClock) -> None:
    """The pid in a lock file is only for people; a live process with that pid proves nothing."""
    with Outbox(tmp_path, clock=clock, owner="gui") as box:
        intent = box.enqueue(STORE, PAUSE, origin="ui")
        token = "cli-1.0123456789abcdef"
        owners = tmp_path / lease.OWNERS_DIR
        (owners / f"{token}.lock").write_text(json.dumps({"pid": os.getpid(), "role": "cli"}))
        box._conn.execute(
            "UPDATE intents SET lease_owner = ?, lease_until = ? WHERE id = ?",
            (token, clock.now().timestamp() + 60, intent.id),
        )
        claimed = box.claim_due()
        assert claimed is not None and claimed.id == intent.id


def test_a_lease_left_by_an_older_version_is_taken_over(tmp_path: Path, clock: FakeClock) -> None:
    with Outbox(tmp_path, clock=clock, owner="gui") as box:
        intent = box.enqueue(STORE, PAUSE, origin="ui")
        box._conn.execute(
            "UPDATE intents SET lease_owner = 'cli-4242', lease_until = ? WHERE id = ?",
            (clock.now().timestamp() + 60, intent.id),
        )
        assert box.claim_due() is not None


def test_two_owners_in_one_process_respect_each_other(tmp_path: Path, clock: FakeClock) -> None:
    """The app's sync worker and tap writer: separate connections, one process."""
    worker = Outbox(tmp_path, clock=clock, owner="gui-worker")
    writer = Outbox(tmp_path, clock=clock, owner="gui-taps")
    try:
        writer.enqueue(STORE, PAUSE, origin="ui")
        assert worker.claim_due() is not None
        assert writer.claim_due() is None
        who = writer.lease_holder(STORE)
        assert who is not None and who.describe() == f"the kiosk app (pid {os.getpid()})"
    finally:
        worker.close()
        writer.close()


def test_where_locks_cannot_be_told_the_time_limit_still_applies(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file system without locks (some network shares) cannot be made here: stand it in."""
    owner = Outbox(tmp_path, clock=clock, owner="gui")
    other = Outbox(tmp_path, clock=clock, owner="cli")
    try:
        intent = owner.enqueue(STORE, PAUSE, origin="ui")
        assert owner.claim_due(lease_seconds=30) is not None
        monkeypatch.setattr(lease, "probe", lambda d, t: (lease.Liveness.UNKNOWN, None))
        clock.advance(29)
        assert other.claim_due() is None
        clock.advance(2)
        again = other.claim_due()
        assert again is not None and again.id == intent.id and again.verify_first
    finally:
        owner.close()
        other.close()


def test_lock_files_of_dead_owners_are_swept(tmp_path: Path, holders: list[Holder]) -> None:
    holder = Holder(tmp_path, "gui-old")
    holders.append(holder)
    holder.kill()
    [leftover] = (tmp_path / lease.OWNERS_DIR).glob("gui-old*")
    os.utime(leftover, (0, 0))  # older than the sweep's minimum age
    with Outbox(tmp_path, owner="cli"):
        assert not leftover.exists()


# -- the sync engine ----------------------------------------------------------------------------


class ReplacedDuringCheck:
    """The real client; while the engine reads before writing, another process replaces the
    change (a `kiosk resume` run at that moment)."""

    def __init__(self, client: GettClient, data_dir: Path, clock: FakeClock) -> None:
        self.client, self.data_dir, self.clock = client, data_dir, clock
        self.replaced = False

    def get_status(self, store_id: str) -> StoreStatus:
        live = self.client.get_status(store_id)
        if not self.replaced:
            self.replaced = True
            with Outbox(self.data_dir, clock=self.clock, owner="cli") as cli:
                cli.enqueue(store_id, RESUME, origin="cli")
        return live

    def set_status(self, store_id: str, update: StoreStatusUpdate) -> StoreStatus:
        return self.client.set_status(store_id, update)


def test_a_change_replaced_during_the_check_does_not_stall_the_newer_one(
    api: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    with (
        Outbox(tmp_path, clock=clock, owner="gui") as box,
        GettClient(api.base_url, KEY, clock=clock, timeout=httpx.Timeout(2.0)) as client,
    ):
        engine = SyncEngine(box, client, [Store(STORE, "Main")], clock=clock)
        api.go_down()
        first = engine.request(STORE, PAUSE, origin="ui")  # waits, will read first
        api.come_back()
        engine.client = ReplacedDuringCheck(client, tmp_path, clock)
        engine.poke()
        engine.run_due()  # no clock moves: the newer change must go out in this same round
        assert box.get(first.id).state is IntentState.SUPERSEDED
        newest = box.history(limit=1)[0]
        assert newest.update == RESUME and newest.state is IntentState.DELIVERED
        assert box._conn.execute(
            "SELECT COUNT(*) FROM intents WHERE lease_owner IS NOT NULL"
        ).fetchone() == (0,)
    assert api.state(STORE).is_online


class Exploding:
    """A client with a bug: an error no one expected, in the middle of an attempt."""

    def get_status(self, store_id: str) -> StoreStatus:
        raise RecursionError("a bug")

    def set_status(self, store_id: str, update: StoreStatusUpdate) -> StoreStatus:
        raise RecursionError("a bug")


def test_an_unexpected_error_never_leaves_a_live_owners_lease_behind(
    tmp_path: Path, clock: FakeClock
) -> None:
    with Outbox(tmp_path, clock=clock, owner="gui") as box:
        engine = SyncEngine(box, Exploding(), [Store(STORE, "Main")], clock=clock)
        with pytest.raises(RecursionError):
            engine.request(STORE, PAUSE, origin="ui")
        with Outbox(tmp_path, clock=clock, owner="cli") as other:
            assert other.claim_due() is not None  # the app lives on, the store is not held


# -- what the CLI says --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "who"), [("gui-worker", "the kiosk app"), ("cli-1", "another `kiosk` command")]
)
def test_the_cli_says_who_is_sending_and_goes_right_after_a_crash(
    api: Simulator,
    clock: FakeClock,
    keystore: OsKeyStore,
    tmp_path: Path,
    holders: list[Holder],
    label: str,
    who: str,
) -> None:
    keystore.set(KEY)
    kiosk = Runner(api, clock, keystore, tmp_path)
    holder = Holder(tmp_path / "data", label)
    holders.append(holder)
    waiting = kiosk("resume")
    assert waiting.code == 75
    assert f"{who} (pid {holder.pid}) is sending an earlier change" in waiting.err
    assert "goes out right after it" in waiting.err
    holder.kill()  # the sender crashed mid-request
    done = kiosk("sync")  # no minute-long wait: it goes now
    assert done.code == 0, done.err
    assert "confirmed" in done.out
    assert api.state(STORE).is_online
