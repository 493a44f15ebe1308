"""Child for the lease tests: hold a lease on a store's change, then wait to be killed.

Usage: python -m tests.integration.lease_child DATA_DIR OWNER_LABEL STORE_ID
Prints "claimed <intent id> <pid>" once it holds the lease, then blocks on stdin.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kiosk.core.models import PauseReason, StoreStatusUpdate
from kiosk.core.outbox import Outbox


def main() -> None:
    data_dir, label, store_id = sys.argv[1:4]
    with Outbox(Path(data_dir), owner=label) as outbox:
        outbox.enqueue(store_id, StoreStatusUpdate.pause(PauseReason.TOO_BUSY), origin="child")
        intent = outbox.claim_due()
        assert intent is not None
        assert outbox.mark_sending(intent.id)  # the POST is "in flight" from here on
        print("claimed", intent.id, os.getpid(), flush=True)
        sys.stdin.readline()  # a request that never ends, until the parent kills us


if __name__ == "__main__":
    main()
