"""Child for the two-process test: claim and finish intents until none is left; print each id."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kiosk.core.models import StoreState, StoreStatus
from kiosk.core.outbox import Outbox


def main() -> None:
    data_dir, owner = sys.argv[1:3]
    sys.stdin.readline()  # wait for the parent's "go", so both start together
    with Outbox(Path(data_dir), owner=owner, busy_timeout_ms=30_000) as outbox:
        while (intent := outbox.claim_due()) is not None:
            print(intent.id, flush=True)
            time.sleep(0.002)  # stands in for the POST to Gett
            assert outbox.mark_delivered(intent.id, StoreStatus(StoreState.ONLINE))


if __name__ == "__main__":
    main()
