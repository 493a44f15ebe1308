"""A `kiosk pause`/`resume` SIGKILLed in the middle of its request, over and over: after each kill
the next command delivers within a second, and Gett ends in the newest change.

Each round: command A (a pause or a resume) is killed while its POST hangs at the simulator, one
of three ways: the change landed and the answer never came (apply-then-hang), the request was
held before it landed and lands after the kill (latency), or at a random moment (latency on every
request, killed after 0-300 ms: before saving, while reading, while sending, or after it ended).
Then command B (the other change) runs and is timed.

Commands are the real CLI (`Cli.run` with the real keyring, queue file and HTTP client) in
processes forked from a preloaded fork server, so a start costs milliseconds and the second
measured is the kiosk's, not the interpreter's start-up. `test_a_real_kiosk_process_...` below
does the same once with `python -m kiosk` itself.

The default run does KILLS rounds (20); CI also runs 200: `KIOSK_CRASH_KILLS=200` (see .ci/run).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.core.keystore import OsKeyStore
from kiosk.core.models import PauseReason
from kiosk.simulator.server import Simulator
from tests.integration import crash_child
from tests.integration.conftest import KEY, STORE

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("KIOSK_CRASH_KILLS", "20"))
NEXT_DELIVERY_LIMIT_S = 1.0
_PRELOAD = [
    "kiosk.cli.main",
    "kiosk.core.sync",
    "keyring",
    "httpx",
    "tests.integration.crash_child",
]


@dataclass
class Figures:
    kills: int = 0  # SIGKILLs that hit a live command (the rounds counted)
    finished_before_kill: int = 0  # the random moment came after the command ended
    changes: int = 0  # commands run (each one a change)
    lost: int = 0  # rounds where Gett did not end in the newest change
    duplicated: int = 0  # changes POSTed to Gett more than once
    next_delivery: list[float] = field(default_factory=list)
    modes: Counter[str] = field(default_factory=Counter)

    def report(self) -> str:
        times = sorted(self.next_delivery)
        return (
            f"kills={self.kills} (+{self.finished_before_kill} ended before their kill) "
            f"changes={self.changes} lost={self.lost} duplicated={self.duplicated} "
            f"next delivery: median {statistics.median(times) * 1000:.0f} ms, "
            f"max {times[-1] * 1000:.0f} ms; modes {dict(self.modes)}"
        )


class Commands:
    """Runs `kiosk ...` commands as our own child processes."""

    def __init__(self, tmp_path: Path, sim: Simulator, service: str) -> None:
        self.ctx: ForkServerContext = multiprocessing.get_context("forkserver")  # type: ignore[assignment]
        self.ctx.set_forkserver_preload(_PRELOAD)
        self.tmp_path, self.service = tmp_path, service
        self.env = {
            "KIOSK_CONFIG": str(tmp_path / "none.toml"),
            "KIOSK_API_URL": sim.base_url,
            "KIOSK_STORE_ID": STORE,
            "KIOSK_DATA_DIR": str(tmp_path / "data"),
        }
        self.count = 0

    def start(self, argv: list[str]) -> tuple[Any, Path]:
        self.count += 1
        err = self.tmp_path / f"cmd-{self.count}.err"
        proc = self.ctx.Process(
            target=crash_child.run_cli, args=(argv, self.env, self.service, str(err))
        )
        proc.start()
        # A handle on this very process (not its number): the fork server reaps our commands,
        # so by kill time the pid could be gone, or in theory someone else's.
        try:
            proc.pidfd = os.pidfd_open(proc.pid)
        except ProcessLookupError:  # it has already ended
            proc.pidfd = None
        return proc, err


def argv_for(change: str) -> list[str]:
    return ["resume"] if change == "online" else ["pause", "--reason", change]


def matches(sim: Simulator, change: str) -> bool:
    state = sim.state(STORE)
    if change == "online":
        return state.is_online
    return state.is_paused and state.reason == PauseReason(change)


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        threading.Event().wait(0.002)


def quiesce(sim: Simulator) -> None:
    """Every request a killed command left behind has been handled: our own probe connection
    is accepted after any of its connections, then all of them have ended."""
    httpx.get(f"{sim.base_url}/_sim/faults", timeout=5.0).raise_for_status()

    def idle() -> bool:
        with sim._conn_lock:
            return not sim._connections

    wait_until(idle, 5.0, "the simulator's connections to end")


def kill_our_child(proc: Any) -> bool:
    """SIGKILL a command we started, through the pidfd taken when it started (so never a
    process that merely reuses its pid), only while it is still running."""
    pidfd = getattr(proc, "pidfd", None)
    if pidfd is None:
        return False
    try:
        if not proc.is_alive():
            return False
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    except ProcessLookupError:  # it ended between the check and the kill
        return False
    finally:
        forget_pidfd(proc)
    proc.join(10)
    return bool(proc.exitcode == -signal.SIGKILL)


def forget_pidfd(proc: Any) -> None:
    pidfd, proc.pidfd = getattr(proc, "pidfd", None), None
    if pidfd is not None:
        os.close(pidfd)


def posts(sim: Simulator) -> list[Any]:
    return [r.body for r in sim.requests if r.method == "POST"]


@pytest.fixture
def service(real_keyring_backend: str) -> Iterator[str]:
    """A keyring service of the test's own holding the simulator's key."""
    name = f"gett-store-kiosk-crash-{uuid.uuid4().hex[:8]}"
    store = OsKeyStore(service=name)
    store.set(KEY)
    yield name
    store.clear()


@pytest.mark.timeout(60 + KILLS * 3)  # about 0.5 s a round; room for a loaded CI machine
def test_sigkill_mid_request_then_the_next_command_delivers_within_a_second(
    tmp_path: Path, service: str
) -> None:
    rng = random.Random(20261127)
    figures = Figures()
    reasons = [r.value for r in PauseReason]
    with Simulator([STORE], KEY) as sim:
        commands = Commands(tmp_path, sim, service)
        current = "online"
        round_no = 0
        while figures.kills < KILLS:  # rounds whose command ended before its kill do not count
            round_no += 1
            assert round_no <= 2 * KILLS, figures.report()
            first = rng.choice([c for c in ["online", *reasons] if c != current])
            newest = rng.choice([c for c in ["online", *reasons] if c != first])
            mode = rng.choice(["apply_then_hang", "held_then_lands", "random_moment"])
            figures.modes[mode] += 1
            sim.requests.clear()
            if mode == "apply_then_hang":
                sim.faults.apply_then_hang(method="POST", seconds=None)
            elif mode == "held_then_lands":
                sim.faults.latency(60.0, count=1, method="POST")
            else:
                sim.faults.latency(rng.uniform(0.005, 0.05))
            proc, _err = commands.start(argv_for(first))
            figures.changes += 1
            if mode == "random_moment":
                threading.Event().wait(rng.uniform(0.0, 0.3))  # a random kill moment
            else:
                assert sim.wait_for_held(1, timeout=10), f"round {round_no}: no request hung"
            if kill_our_child(proc):
                figures.kills += 1
            else:
                figures.finished_before_kill += 1
            sim.faults.clear()  # a held request goes on now (and may land): before B starts
            quiesce(sim)

            started = time.monotonic()
            proc, err = commands.start(argv_for(newest))
            proc.join(30)
            forget_pidfd(proc)
            took = time.monotonic() - started
            figures.changes += 1
            message = err.read_text(encoding="utf-8") if err.exists() else "(no output)"
            assert proc.exitcode == 0, f"round {round_no} ({mode}): {message}"
            figures.next_delivery.append(took)
            if not matches(sim, newest):
                figures.lost += 1
            sent = Counter(str(sorted(body.items())) for body in posts(sim) if body)
            figures.duplicated += sum(n - 1 for n in sent.values() if n > 1)
            current = newest
    print(f"\nSIGKILL mid-request: {figures.report()}")
    assert figures.lost == 0 and figures.duplicated == 0, figures.report()
    assert max(figures.next_delivery) < NEXT_DELIVERY_LIMIT_S, figures.report()


def test_a_real_kiosk_process_killed_mid_request_does_not_hold_the_store(
    tmp_path: Path, service: str
) -> None:
    """The report's case with `python -m kiosk` itself: pause hangs, SIGKILL, then `sync`."""
    with Simulator([STORE], KEY) as sim:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "KIOSK_CONFIG": str(tmp_path / "none.toml"),
            "KIOSK_API_URL": sim.base_url,
            "KIOSK_STORE_ID": STORE,
            "KIOSK_DATA_DIR": str(tmp_path / "data"),
        }
        sim.faults.apply_then_hang(method="POST", seconds=None)
        # The real keyring, under the test's service name (the kiosk's own is never touched).
        code = (
            "import sys; from kiosk.cli.main import Cli; from kiosk.core.keystore import "
            f"OsKeyStore; sys.exit(Cli(keystore=OsKeyStore(service={service!r})).run(sys.argv[1:]))"
        )
        pause = subprocess.Popen(
            [sys.executable, "-c", code, "pause", "--reason", "too_busy"], cwd=ROOT, env=env
        )
        try:
            assert sim.wait_for_held(1, timeout=30)
        finally:
            if pause.poll() is None:  # still ours: not reaped, so the pid is not reused
                os.kill(pause.pid, signal.SIGKILL)
            assert pause.wait(10) == -signal.SIGKILL
        sim.faults.clear()
        quiesce(sim)
        resume = subprocess.run(
            [sys.executable, "-c", code, "resume"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert resume.returncode == 0, resume.stderr
        assert "is sending an earlier change" not in resume.stderr
        assert sim.state(STORE).is_online
        assert [b for b in posts(sim) if b] == [
            {"status": "paused", "reason": "too_busy"},
            {"status": "online"},
        ]
