"""Child process for the crash-safety test: taps as fast as it can until it is SIGKILLed.

Each line it prints ("<intent id> <status> <reason>") is printed only after the intent was
committed, so the parent knows exactly what must survive the kill.
Usage: python -m tests.integration.crash_child DATA_DIR BASE_URL STORE_ID SEED  (key on stdin)
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import httpx

from kiosk.core.client import GettClient
from kiosk.core.config import Store
from kiosk.core.models import PauseReason, StoreStatusUpdate
from kiosk.core.outbox import Outbox
from kiosk.core.sync import SyncEngine


def main() -> None:
    data_dir, base_url, store_id, seed = sys.argv[1:5]
    key = sys.stdin.readline().strip()
    rng = random.Random(int(seed))
    with (
        Outbox(Path(data_dir), owner=f"child-{seed}") as outbox,
        GettClient(base_url, key, timeout=httpx.Timeout(2.0)) as client,
    ):
        engine = SyncEngine(outbox, client, [Store(store_id, "crash")], rng=rng)
        print("ready", flush=True)
        for _ in range(1000):
            if rng.random() < 0.4:
                update = StoreStatusUpdate.resume()
            else:
                update = StoreStatusUpdate.pause(rng.choice(list(PauseReason)))
            intent = engine.request(store_id, update, origin="crash-test")
            print(intent.id, update.status.value, update.reason or "-", flush=True)
            engine.step()


if __name__ == "__main__":
    main()


def run_cli(argv: list[str], env: dict[str, str], service: str, err_path: str) -> None:
    """A `kiosk` command, run by the crash test in a process forked from a preloaded server
    (so starting one costs milliseconds, not the interpreter's start-up): the real CLI, the
    real OS keyring, the real queue file; only how the process starts differs."""
    import io

    from kiosk.cli.main import Cli
    from kiosk.core.keystore import OsKeyStore

    err = io.StringIO()
    try:
        code = Cli(keystore=OsKeyStore(service=service), env=env, stderr=err, stdout=err).run(argv)
    finally:
        Path(err_path).write_text(err.getvalue(), encoding="utf-8")
    sys.exit(code)
