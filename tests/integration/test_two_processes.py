"""The GUI's worker and a `kiosk` CLI process share one queue file: no intent is sent twice."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from kiosk.core.models import PauseReason, StoreStatusUpdate
from kiosk.core.outbox import Outbox

ROOT = Path(__file__).resolve().parents[2]


def test_two_processes_never_claim_the_same_intent(tmp_path: Path) -> None:
    with Outbox(tmp_path) as outbox:
        ids = {
            outbox.enqueue(
                f"{i:08d}-0000-4000-8000-000000000000",
                StoreStatusUpdate.pause(PauseReason.TOO_BUSY),
                origin="test",
            ).id
            for i in range(400)
        }
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integration.race_child", str(tmp_path), owner],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for owner in ("gui", "cli")
    ]
    for child in children:  # both are up and waiting; release them together
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outputs = [child.communicate(timeout=120)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0]
    claimed = [[int(line) for line in out.split()] for out in outputs]
    assert all(claimed), "both processes should have won some claims"
    assert set(claimed[0]).isdisjoint(claimed[1])
    assert sorted(claimed[0] + claimed[1]) == sorted(ids)
    db = sqlite3.connect(tmp_path / "outbox.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        states = db.execute("SELECT state, COUNT(*) FROM intents GROUP BY state").fetchall()
    finally:
        db.close()
    assert states == [("delivered", 400)]
