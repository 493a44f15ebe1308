"""Kill a tapping process with SIGKILL at random moments; nothing committed may be lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.core.client import GettClient
from kiosk.core.config import Store
from kiosk.core.outbox import IntentState, Outbox
from kiosk.core.sync import SyncEngine
from kiosk.simulator.server import Simulator
from tests.integration.conftest import KEY, STORE

ROOT = Path(__file__).resolve().parents[2]
KILLS = 40


def run_child_until_killed(
    data_dir: Path, sim: Simulator, seed: int, rng: random.Random
) -> list[tuple[int, str, str]]:
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.crash_child",
            str(data_dir),
            sim.base_url,
            STORE,
            str(seed),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(KEY + "\n")
    child.stdin.close()
    assert child.stdout.readline().strip() == "ready"
    committed = []
    for _ in range(rng.randint(0, 8)):
        line = child.stdout.readline().split()
        assert line, "child died on its own"
        committed.append((int(line[0]), line[1], line[2]))
    child.send_signal(signal.SIGKILL)
    # Lines already written before the kill also count as committed.
    for line in child.stdout.read().splitlines():
        parts = line.split()
        if len(parts) == 3:
            committed.append((int(parts[0]), parts[1], parts[2]))
    child.stdout.close()
    assert child.wait(timeout=10) == -signal.SIGKILL
    return committed


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261126)
    data_dir = tmp_path / "data"
    committed: list[tuple[int, str, str]] = []
    with Simulator([STORE], KEY) as sim:
        for kill in range(KILLS):
            sim.faults.latency(rng.uniform(0.0, 0.02))
            committed += run_child_until_killed(data_dir, sim, seed=kill, rng=rng)
            db = sqlite3.connect(data_dir / "outbox.db")
            try:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                ids = {row[0] for row in db.execute("SELECT id FROM intents")}
                open_rows = db.execute(
                    "SELECT COUNT(*) FROM intents WHERE state IN ('pending', 'held', 'conflict')"
                ).fetchone()[0]
            finally:
                db.close()
            missing = [c for c in committed if c[0] not in ids]
            assert not missing, f"committed intents lost after kill {kill}: {missing}"
            assert open_rows <= 1
        sim.faults.clear()
        assert committed, "the children never committed anything"

        # Recovery: what the next start of the kiosk does, at once (no lease to wait out).
        with (
            Outbox(data_dir, owner="recovery") as outbox,
            GettClient(sim.base_url, KEY) as client,
        ):
            engine = SyncEngine(outbox, client, [Store(STORE, "crash")])
            engine.poke()
            engine.run_due()
            assert outbox.open_intents() == []
            # The last intent in the file is the last tap (a child may have committed one more
            # than it managed to print before the kill).
            last = outbox.history(limit=1)[0]
            assert last.id >= max(c[0] for c in committed)
            assert last.state is IntentState.DELIVERED, last
            assert outbox.integrity_ok()
        assert last.update.matches(sim.state(STORE))
