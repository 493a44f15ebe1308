"""The data folder is 0700 and every file the kiosk writes there 0600, even if it was looser."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core import lease, recovery
from kiosk.core.logs import setup_logging
from kiosk.core.models import PauseReason, StoreStatusUpdate
from kiosk.core.outbox import DB_FILENAME, Outbox
from kiosk.core.pin import LockoutPolicy, PinGuard, hash_pin
from tests.helpers.fakes import FakeClock

STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The worst umask a kiosk session could have: nothing masked."""
    old = os.umask(0)
    yield
    os.umask(old)


def everything_in(data_dir: Path) -> dict[str, int]:
    return {str(p.relative_to(data_dir)): mode(p) for p in [data_dir, *data_dir.rglob("*")]}


def test_new_files_are_private_even_with_an_open_umask(tmp_path: Path, open_umask: None) -> None:
    data = tmp_path / "data"
    clock = FakeClock()
    setup_logging(data / "logs")
    logging.getLogger("kiosk.test").warning("a line for the log file")
    with Outbox(data, clock=clock, owner="gui") as box:
        box.enqueue(STORE, StoreStatusUpdate.pause(PauseReason.TOO_BUSY), origin="ui")
        assert box.claim_due() is not None
        modes = everything_in(data)  # while open: -wal, -shm and the owner's lock file exist
    guard = PinGuard(clock, LockoutPolicy(free_attempts=0), state_path=data / "pin-lockout.json")
    assert not guard.check("0000", hash_pin("1234"))
    recovery.add_notice(data, recovery.Notice(moved_to="x", at="y"))
    modes.update(everything_in(data))
    assert {"outbox.db", "outbox.db-wal", "outbox.db-shm", "logs/kiosk.log"} <= set(modes)
    assert "logs/events.log" in modes
    assert any(name.startswith(f"{lease.OWNERS_DIR}/gui") for name in modes)
    assert {"pin-lockout.json", recovery.NOTICE_FILE} <= set(modes)
    loose = {
        name: oct(m)
        for name, m in modes.items()
        if m & 0o077 or (m != 0o700 and (data / name).is_dir())
    }
    assert loose == {}


def test_existing_loose_files_are_tightened_on_open(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Outbox(data, owner="gui") as box:
        box.enqueue(STORE, StoreStatusUpdate.resume(), origin="ui")
    setup_logging(data / "logs")
    logging.getLogger("kiosk.test").warning("a line")
    for handler in logging.getLogger().handlers:
        handler.close()
    (data / "logs" / "kiosk.log.1").write_text("an old rotated log\n")
    (data / "logs" / "events.log.7").write_text("an old rotated events log\n")
    for name in ("", "-wal", "-shm"):
        path = data / f"{DB_FILENAME}{name}"
        path.touch()
        path.chmod(0o666)
    names = ("kiosk.log", "kiosk.log.1", "events.log", "events.log.7")
    old_logs = [data / "logs" / n for n in names]
    for path in old_logs:
        path.chmod(0o644)
    data.chmod(0o777)
    (data / "logs").chmod(0o755)
    with Outbox(data, owner="cli"):
        setup_logging(data / "logs")
        assert everything_in(data)["."] == 0o700
        for name in ("", "-wal", "-shm"):
            assert mode(data / f"{DB_FILENAME}{name}") == 0o600
    assert mode(data / "logs") == 0o700
    for path in old_logs:
        assert mode(path) == 0o600, path
