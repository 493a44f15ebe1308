"""Benchmarks: figures printed, not asserted (run with `make bench`; BENCH_ARGS="--only idle").

- Start-up: the kiosk (`--demo --smoke`) against the floor, a bare PySide6 window, each in its
  own processes, alternating, medians: first paint and first status from spawn, the whole
  process, peak RSS, with ratios. ``--before DIR`` adds another checkout's kiosk.
- Idle: CPU clock ticks per minute, UI thread and the others, of each left alone for 60 s.
- Tap -> repaint p50/p99: XTest clicks on the real window under Xvfb while Gett takes 2 s.
- Catch-up: from the simulator coming back to the queued intent confirmed by Gett, with the
  reachability hint and with backoff alone; through the engine and through the Qt worker.
- Outbox enqueue throughput (durable commits) on an empty file and with 100,000 history rows.
- Sizes: the bundle and the .deb as `make package` left them; the frozen `--demo --smoke`
  against a frozen bare window built by the same PyInstaller.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.client import GettClient
from kiosk.core.config import Config, Store
from kiosk.core.keystore import MemoryKeyStore
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import IntentState, Outbox
from kiosk.core.sync import SyncEngine
from kiosk.simulator.server import Simulator

STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
KEY = "bench-key"
PAUSE = StoreStatusUpdate.pause(PauseReason.TOO_BUSY)


def reconnect_engine(runs: int = 12) -> None:
    """Sim down, tap, sim back; time until the intent is confirmed."""
    hinted, backoff_only = [], []
    with (
        Simulator([STORE], KEY) as sim,
        tempfile.TemporaryDirectory() as tmp,
        Outbox(Path(tmp)) as outbox,
        GettClient(sim.base_url, KEY) as client,
    ):
        engine = SyncEngine(outbox, client, [Store(STORE, "bench")])  # production backoff
        for i in range(runs):
            update = PAUSE if i % 2 == 0 else StoreStatusUpdate.resume()
            sim.go_down()
            intent = engine.request(STORE, update, origin="bench")
            assert outbox.get(intent.id).state is IntentState.PENDING
            sim.come_back()
            started = time.perf_counter()
            if i % 4 < 2:
                engine.poke()
                engine.run_due()
                hinted.append(time.perf_counter() - started)
            else:
                while outbox.get(intent.id).state is IntentState.PENDING:
                    time.sleep(min(engine.seconds_until_next(), 0.5))
                    engine.step()
                backoff_only.append(time.perf_counter() - started)
            assert outbox.get(intent.id).state is IntentState.DELIVERED
    print("reconnect -> confirmed (engine, loopback simulator):")
    print(
        f"  with reachability hint: median {ms(hinted)}, max {ms([max(hinted)])} "
        f"({len(hinted)} runs)"
    )
    print(
        f"  backoff only (production backoff, 1 failed attempt): median {ms(backoff_only)}, "
        f"max {ms([max(backoff_only)])} ({len(backoff_only)} runs)"
    )


def reconnect_worker(runs: int = 10) -> None:
    """The same through the Qt worker thread: UI signal in, confirmed StoreView out."""
    from PySide6.QtCore import QEventLoop, QObject, QTimer, Slot
    from PySide6.QtWidgets import QApplication

    from kiosk.core.sync import StoreView
    from kiosk.ui.worker import SyncWorker, WorkerHost

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert app is not None

    class Probe(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.view: StoreView | None = None
            self.loop = QEventLoop()
            self.want: str | None = None

        @Slot(object)
        def on_worker_store_view_changed(self, view: StoreView) -> None:
            self.view = view
            settled = view.pending is None and view.confirmed is not None
            if self.want and settled and view.confirmed.status == self.want:  # type: ignore[union-attr]
                self.loop.quit()

    times = []
    with Simulator([STORE], KEY) as sim, tempfile.TemporaryDirectory() as tmp:
        config = Config(api_url=sim.base_url, stores=(Store(STORE, "b"),), data_dir=Path(tmp))
        worker = SyncWorker(config, MemoryKeyStore(KEY))
        probe = Probe()
        worker.store_view_changed.connect(probe.on_worker_store_view_changed)
        host = WorkerHost(worker)
        guard = QTimer()
        guard.setSingleShot(True)
        guard.timeout.connect(probe.loop.quit)
        host.start()
        for i in range(runs):
            sim.go_down()
            paused = i % 2 == 0
            probe.want = None
            update = (
                StoreStatusUpdate.pause(PauseReason.OTHER, None)
                if paused
                else StoreStatusUpdate.resume()
            )
            host.send_changes(i + 1, [(STORE, update)])
            wait_until(app, lambda: probe.view is not None and probe.view.pending is not None
                       and probe.view.pending.attempts >= 1)  # fmt: skip
            sim.come_back()
            probe.want = "paused" if paused else "online"
            started = time.perf_counter()
            host.network_hint.emit()
            guard.start(10_000)
            probe.loop.exec()
            guard.stop()
            times.append(time.perf_counter() - started)
        host.stop()
        worker.store_view_changed.disconnect(probe.on_worker_store_view_changed)
        del host, worker
    print(f"reconnect -> confirmed (Qt worker, hint): median {ms(times)}, max {ms([max(times)])}")


def wait_until(app: object, condition: object, timeout: float = 10.0) -> None:
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        QCoreApplication.processEvents()
        time.sleep(0.001)


def queue_cycle(history_rows: int, n: int = 300) -> tuple[float, float]:
    """Per-tap cost, in ms, of a durable enqueue and of claim + mark-delivered, on a file with
    ``history_rows`` finished intents (the 30 days of history a busy kiosk keeps)."""
    with tempfile.TemporaryDirectory() as tmp:
        with Outbox(Path(tmp)):
            pass
        if history_rows:
            db = sqlite3.connect(Path(tmp) / "outbox.db")
            with db:
                db.executemany(
                    "INSERT INTO intents (store_id, status, reason, created_at, origin, state, "
                    "next_attempt_at, finished_at) VALUES (?, 'paused', 'too_busy', "
                    "'2026-01-01T00:00:00Z', 'bench', 'delivered', 0, ?)",
                    (
                        (f"{i % 50:08d}-0000-4000-8000-000000000000", time.time())
                        for i in range(history_rows)
                    ),
                )
            db.close()
        with Outbox(Path(tmp)) as outbox:
            rng = random.Random(1)
            enqueue = claim = 0.0
            for i in range(n):
                store = f"{rng.randrange(50):08d}-0000-4000-8000-000000000000"
                update = PAUSE if i % 2 else StoreStatusUpdate.resume()
                started = time.perf_counter()
                intent = outbox.enqueue(store, update, origin="bench")
                enqueue += time.perf_counter() - started
                started = time.perf_counter()
                claimed = outbox.claim_due()
                assert claimed is not None and claimed.id == intent.id
                outbox.mark_delivered(claimed.id, StoreStatus(StoreState.ONLINE))
                claim += time.perf_counter() - started
    return enqueue / n * 1000, claim / n * 1000


def queue_scaling() -> None:
    print("outbox per tap (WAL, synchronous=FULL; median of 3 alternating runs of 300 taps):")
    results: dict[int, list[tuple[float, float]]] = {0: [], 100_000: []}
    for _ in range(3):
        for rows in results:
            results[rows].append(queue_cycle(rows))
    medians = {
        rows: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        for rows, runs in results.items()
    }
    for rows, (enq, claim) in medians.items():
        print(
            f"  {rows:>7,} history rows: enqueue {enq:.2f} ms ({1000 / enq:,.0f}/s), "
            f"claim + deliver {claim:.2f} ms"
        )
    (e0, c0), (e1, c1) = medians[0], medians[100_000]
    print(f"  ratio 100k history / empty: enqueue x{e1 / e0:.2f}, claim + deliver x{c1 / c0:.2f}")


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms"


# -- the floor and the kiosk, each in processes of their own (tests/bench_child.py) ------------

ROOT = Path(__file__).resolve().parents[1]
CHILD = ROOT / "tests" / "bench_child.py"
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: Children start here, so `python -c` finds the kiosk of its venv, not this checkout's source.
NEUTRAL = Path(tempfile.gettempdir())


@dataclass
class Run:
    """One process: its marks (ms from spawn), wall time to exit (ms), CPU time (user +
    system, all threads, ms: less disturbed by other load than wall time) and peak RSS (MB)."""

    marks: dict[str, float]
    whole_ms: float
    peak_mb: float
    cpu_ms: float


def spawn(argv: list[str], env: dict[str, str], *, timeout: float = 120.0) -> Run:
    """Run a process to its end; time it from spawn; its own peak RSS from wait4."""
    spawned = time.monotonic()
    proc = subprocess.Popen(
        argv,
        env={**env, "BENCH_SPAWNED_AT": repr(spawned)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=NEUTRAL,
    )
    deadline = spawned + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"bench: {argv} took more than {timeout:.0f} s")
        time.sleep(0.002)
    whole = (time.monotonic() - spawned) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"bench: {argv} exited {proc.returncode}: {err.strip()[-600:]}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    marks = json.loads(lines[-1]) if lines else {}
    return Run(marks, whole, usage.ru_maxrss / 1024, (usage.ru_utime + usage.ru_stime) * 1000)


@dataclass(frozen=True)
class Checkout:
    """How to run one checkout's kiosk: its Python, and PYTHONPATH (only for --venv dev)."""

    python: str
    pythonpath: str | None = None

    def env(self, platform: str = "offscreen") -> dict[str, str]:
        env = {**os.environ, "QT_QPA_PLATFORM": platform}
        env.pop("PYTHONPATH", None)
        if self.pythonpath is not None:
            env["PYTHONPATH"] = self.pythonpath
        return env

    def child(self, *args: str) -> list[str]:
        return [self.python, str(CHILD), *args]

    def kiosk(self, *args: str) -> list[str]:
        return [self.python, "-c", "import sys; from kiosk.entry import main; sys.exit(main())",
                *args]  # fmt: skip


def installed(source: Path, name: str) -> Checkout:
    """A venv with the runtime dependencies only and the kiosk installed as a wheel, all
    byte-compiled: what a PC gets from `pip install` (no dev tools: httpx loads rich and click
    when they are there, +40 ms and +18 MB)."""
    venv = ROOT / "build" / name
    uv = shutil.which("uv")
    command = [uv] if uv else [sys.executable, "-m", "uv"]
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run(
        [*command, "sync", "--locked", "--no-dev", "--no-editable", "--compile-bytecode",
         "--reinstall-package", "gett-store-kiosk", "--quiet"],
        cwd=source, env={**env, "UV_PROJECT_ENVIRONMENT": str(venv)}, check=True,
    )  # fmt: skip
    return Checkout(str(venv / "bin" / "python"))


def startup(runs: int, now: Checkout, before: Checkout | None) -> None:
    """The floor, the kiosk (and the kiosk before these changes), alternating, medians."""
    kinds: dict[str, tuple[list[str], dict[str, str]]] = {
        "bare PySide6 window": (now.child("bare"), now.env()),
        "kiosk --demo --smoke": (now.child("kiosk"), now.env()),
    }
    if before is not None:
        kinds["kiosk, before"] = (before.child("kiosk"), before.env())
    results: dict[str, list[Run]] = {name: [] for name in kinds}
    for argv, env in kinds.values():  # one warm-up each: the page cache, not the code
        spawn(argv, env)
    for _ in range(runs):
        for name, (argv, env) in kinds.items():
            results[name].append(spawn(argv, env))

    def med(name: str, pick: Callable[[Run], float | None]) -> float | None:
        values = [v for v in (pick(r) for r in results[name]) if v is not None]
        return statistics.median(values) if values else None

    floor = {
        "paint": med("bare PySide6 window", lambda r: r.marks.get("paint")),
        "whole": med("bare PySide6 window", lambda r: r.whole_ms),
        "rss": med("bare PySide6 window", lambda r: r.peak_mb),
        "cpu": med("bare PySide6 window", lambda r: r.cpu_ms),
    }
    assert floor["paint"] and floor["whole"] and floor["rss"] and floor["cpu"]
    print(
        f"start-up, from spawn (offscreen, {runs} alternating runs each after a warm-up, median; "
        "first paint = the end of the first frame):"
    )
    print(
        f"  {'':24}{'first paint':>14}{'first status':>16}{'whole process':>16}"
        f"{'its CPU':>11}{'peak RSS':>11}"
    )
    for name in kinds:
        paint = med(name, lambda r: r.marks.get("paint"))
        status = med(name, lambda r: r.marks.get("status"))
        whole = med(name, lambda r: r.whole_ms)
        rss = med(name, lambda r: r.peak_mb)
        cpu = med(name, lambda r: r.cpu_ms)
        assert paint is not None and whole is not None and rss is not None and cpu is not None
        status_text = f"{status:>13.0f} ms" if status is not None else f"{'-':>16}"
        print(
            f"  {name:24}{paint:>11.0f} ms{status_text}{whole:>13.0f} ms{cpu:>8.0f} ms"
            f"{rss:>8.0f} MB"
        )
        if name != "bare PySide6 window":
            gap = f"bare + {status - floor['paint']:.0f} ms" if status is not None else "-"
            print(
                f"  {'  ratio to the floor':24}{paint / floor['paint']:>13.2f}x"
                f"{gap:>16}{whole / floor['whole']:>15.2f}x{cpu / floor['cpu']:>10.2f}x"
                f"{rss / floor['rss']:>10.2f}x"
            )


def thread_ticks(pid: int) -> tuple[int, int, int]:
    """CPU clock ticks (user + system) of the main (UI) thread and of the other threads, and
    the UI thread's voluntary context switches (how often it went to sleep: its wake-ups)."""
    ui = other = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            ticks = int(fields[11]) + int(fields[12])  # utime, stime
            if task.name == str(pid):
                ui += ticks
            else:
                other += ticks
    wakes = 0
    for line in Path(f"/proc/{pid}/task/{pid}/status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches"):
            wakes = int(line.split()[1])
    return ui, other, wakes


def idle(seconds: float, now: Checkout, before: Checkout | None) -> None:
    """Each left alone for ``seconds`` after it settled (all at once: CPU time, not wall time,
    is measured, so they barely disturb each other)."""
    kinds = {
        "bare PySide6 window": (now.child("bare-idle"), now.env()),
        "kiosk --demo": (now.kiosk("--demo"), now.env()),
        "kiosk, polling hourly": (now.child("kiosk-nopoll"), now.env()),
    }
    if before is not None:
        kinds["kiosk --demo, before"] = (before.kiosk("--demo"), before.env())
    procs = {
        name: subprocess.Popen(
            argv,
            env=env,
            cwd=NEUTRAL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, (argv, env) in kinds.items()
    }
    try:
        time.sleep(8.0)  # started, first status read, first frames drawn
        first = {name: thread_ticks(p.pid) for name, p in procs.items()}
        time.sleep(seconds)
        last = {name: thread_ticks(p.pid) for name, p in procs.items()}
    finally:
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            p.wait(10)
    per_min = 60.0 / seconds
    print(
        f"idle, left alone for {seconds:.0f} s after start-up (CPU clock ticks of "
        f"1/{CLK_TCK} s per minute; the demo polls Gett every 10 s on its worker thread):"
    )
    print(f"  {'':24}{'all threads':>12}{'UI thread':>11}{'others':>9}{'UI wake-ups':>13}")
    for name in kinds:
        (u0, o0, w0), (u1, o1, w1) = first[name], last[name]
        ui, other, wakes = (u1 - u0) * per_min, (o1 - o0) * per_min, (w1 - w0) * per_min
        print(f"  {name:24}{ui + other:>12.1f}{ui:>11.1f}{other:>9.1f}{wakes:>10.0f}/min")


def taps(count: int, now: Checkout, before: Checkout | None) -> None:
    for name, checkout in (("", now), (", before", before)):
        if checkout is not None:
            taps_of(count, checkout, name)


def taps_of(count: int, now: Checkout, name: str) -> None:
    """Tap -> repaint on the real window on a real X server while Gett takes 2 s to answer."""
    if shutil.which("Xvfb") is None:
        print("tap -> repaint: skipped (no Xvfb; `.ci/system-deps.sh x11` installs it)")
        return
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            display = pipe.readline().strip()
        run = spawn(
            now.child("taps", str(count)),
            {**now.env(platform="xcb"), "DISPLAY": f":{display}"},
            timeout=300,
        )
    finally:
        xvfb.terminate()
        xvfb.wait(10)
    m = run.marks
    print(
        f"tap -> repaint{name} (Xvfb, XTest clicks through the X server to the real window, "
        f"{m['taps']} taps of pause/resume while Gett takes 2 s to answer; "
        f"{m['requests']} requests reached it):"
    )
    print(
        f"  p50 {m['p50']:.1f} ms, p99 {m['p99']:.1f} ms, max {m['max']:.1f} ms "
        f"(goal: p99 within one 60 Hz frame, 16.7 ms)"
    )
    print("  median by button: " + ", ".join(f"{k} {v:.1f} ms" for k, v in m["by_button"].items()))


def sizes(before_bundle: Path | None) -> None:
    """The frozen bundle and the .deb, as `make package` left them (not built here)."""
    bundle = ROOT / "dist" / "gett-store-kiosk"
    if not bundle.is_dir():
        print("bundle: not built (make package builds it, ~5 min on 2 cores)")
        return
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    total = sum(p.stat().st_size for p in files)
    print(
        f"bundle: dist/gett-store-kiosk {total / 1e6:.0f} MB ({total / 2**20:.0f} MiB), "
        f"{len(files)} files"
    )
    for deb in sorted((ROOT / "dist").glob("gett-store-kiosk_*.deb")):
        print(f"  {deb.name}: {deb.stat().st_size / 1e6:.1f} MB")
    if before_bundle is not None:
        files = [p for p in before_bundle.rglob("*") if p.is_file() and not p.is_symlink()]
        total = sum(p.stat().st_size for p in files)
        print(f"  before: {before_bundle} {total / 1e6:.0f} MB, {len(files)} files")
    frozen_vs_hello(bundle, before_bundle)


HELLO = """import sys, time
import bench_child
bench_child.bare(idle=False)
"""


def frozen_vs_hello(bundle: Path, before_bundle: Path | None, runs: int = 5) -> None:
    """The frozen `--demo --smoke` against a frozen bare window built by the same PyInstaller
    (build/venv, as packaging/build.sh made it), whole processes, alternating."""
    pyinstaller = ROOT / "build" / "venv" / "bin" / "pyinstaller"
    hello_dir = ROOT / "build" / "bench-hello"
    hello = hello_dir / "dist" / "hello" / "hello"
    if not hello.exists():
        if not pyinstaller.exists():
            print("  frozen hello: not built (needs build/venv from make package)")
            return
        hello_dir.mkdir(parents=True, exist_ok=True)
        (hello_dir / "hello.py").write_text(HELLO)
        print("  building the frozen hello (once; build/bench-hello)...", flush=True)
        subprocess.run(
            [
                str(pyinstaller),
                "--noconfirm",
                "--log-level",
                "WARN",
                "--onedir",
                "--strip",
                "--name",
                "hello",
                "--paths",
                str(ROOT / "tests"),
                "--exclude-module",
                "kiosk",
                "--distpath",
                str(hello_dir / "dist"),
                "--workpath",
                str(hello_dir / "work"),
                "--specpath",
                str(hello_dir),
                str(hello_dir / "hello.py"),
            ],
            check=True,
            capture_output=True,
        )
    app = bundle / "gett-store-kiosk"
    kinds = {"frozen hello": [str(hello)], "frozen --demo --smoke": [str(app), "--demo", "--smoke"]}
    if before_bundle is not None:
        kinds["before"] = [str(before_bundle / "gett-store-kiosk"), "--demo", "--smoke"]
    results: dict[str, list[Run]] = {name: [] for name in kinds}
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for argv in kinds.values():
        spawn(argv, env)
    for _ in range(runs):
        for name, argv in kinds.items():
            results[name].append(spawn(argv, env))
    whole = {n: statistics.median(r.whole_ms for r in rs) for n, rs in results.items()}
    rss = {n: statistics.median(r.peak_mb for r in rs) for n, rs in results.items()}
    print(
        f"  frozen, whole process ({runs} alternating runs, median): hello "
        f"{whole['frozen hello']:.0f} ms / {rss['frozen hello']:.0f} MB, --demo --smoke "
        f"{whole['frozen --demo --smoke']:.0f} ms / {rss['frozen --demo --smoke']:.0f} MB: "
        f"x{whole['frozen --demo --smoke'] / whole['frozen hello']:.2f}"
    )
    if before_bundle is not None:
        print(
            f"  before: --demo --smoke {whole['before']:.0f} ms / {rss['before']:.0f} MB: "
            f"x{whole['before'] / whole['frozen hello']:.2f}"
        )


def machine(runs: int) -> None:
    import platform

    import PySide6

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} cores ({cpu}), load average {load}; Python "
        f"{platform.python_version()}, PySide6 {PySide6.__version__}; {runs} runs per figure"
    )


def bytecode_state() -> str:
    """Whether the kiosk and its dependencies start from up-to-date .pyc files."""
    import importlib.util

    import httpx

    stale = []
    for path in [*(ROOT / "kiosk").rglob("*.py"), Path(httpx.__file__)]:
        cached = Path(importlib.util.cache_from_source(str(path)))
        if not cached.exists() or cached.stat().st_mtime < path.stat().st_mtime:
            stale.append(path.name)
    if stale:
        return (
            f"NOT compiled for {len(stale)} files (e.g. {stale[0]}): these runs include "
            "compiling them; run `make compile`"
        )
    return (
        "compiled (uv sync --compile-bytecode for site-packages, compileall for the "
        "editable kiosk package; PYTHONDONTWRITEBYTECODE=1 is set here, so nothing is "
        "recompiled or written during the runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="processes per start-up figure")
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--taps", type=int, default=120, help="taps for tap -> repaint")
    parser.add_argument("--before", type=Path, help="a checkout of the kiosk to compare against")
    parser.add_argument("--before-bundle", type=Path, help="a bundle built from --before")
    parser.add_argument(
        "--venv",
        choices=["installed", "dev"],
        default="installed",
        help="installed: runtime dependencies only, the kiosk as a wheel (build/bench-venv); "
        "dev: this .venv (with the dev tools), the editable checkout",
    )
    sections = ["startup", "idle", "taps", "catchup", "queue", "sizes"]
    parser.add_argument("--only", nargs="*", default=None, choices=sections)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the worker's catch-up runs here
    source = args.before.resolve() if args.before else None
    only = set(args.only or sections)
    if args.venv == "installed":
        now = installed(ROOT, "bench-venv")
        before = installed(source, "bench-venv-before") if source else None
        print("venv: installed (runtime dependencies only, the kiosk built and installed as a "
              "wheel, uv sync --compile-bytecode; build/bench-venv)")  # fmt: skip
    else:
        now = Checkout(sys.executable)
        before = Checkout(sys.executable, str(source)) if source else None
        if source is not None:
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(source / "kiosk")],
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        print(f"venv: dev ({sys.prefix}, with the dev tools; bytecode: {bytecode_state()})")
    machine(args.runs)
    gc.collect()
    if "startup" in only:
        startup(args.runs, now, before)
    if "idle" in only:
        idle(args.idle_seconds, now, before)
    if "taps" in only:
        taps(args.taps, now, before)
    if "catchup" in only:
        print("(catch-up and queue run in this process, in the dev venv)")
        reconnect_engine()
        reconnect_worker()
    if "queue" in only:
        queue_scaling()
    if "sizes" in only:
        sizes(args.before_bundle)
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
