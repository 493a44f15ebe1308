"""One way in for a change: the CLI, the app's tap writer and the engine record the same context."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk.core.config import Config, Store
from kiosk.core.intake import record_changes
from kiosk.core.keystore import OsKeyStore
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Outbox
from kiosk.core.sync import SyncEngine
from kiosk.simulator.server import Simulator
from kiosk.ui.worker import TapWriter
from tests.helpers.fakes import FakeClock
from tests.integration.conftest import KEY, STORE
from tests.integration.test_cli import Runner

ROOT = Path(__file__).resolve().parents[2]
RESUME = StoreStatusUpdate.resume()


def test_only_the_intake_function_puts_changes_in_the_queue() -> None:
    callers = []
    for path in (ROOT / "kiosk").rglob("*.py"):
        if path.name == "outbox.py":
            continue  # where they are defined (enqueue calls enqueue_many)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("enqueue", "enqueue_many"):
                callers.append(str(path.relative_to(ROOT)))
    assert sorted(set(callers)) == ["kiosk/core/intake.py"]


def test_the_context_is_the_last_confirmed_state_moved_on_to_now(
    tmp_path: Path, clock: FakeClock
) -> None:
    ends = clock.now() + timedelta(minutes=10)
    paused = StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, clock.now(), ends)
    with Outbox(tmp_path, clock=clock) as box:
        [before] = record_changes(box, [(STORE, RESUME)], origin="ui")
        assert before.base is None  # never read: no context, and none is invented
        box.save_last_status(STORE, paused, clock.now())
        [during] = record_changes(box, [(STORE, RESUME)], origin="ui")
        assert during.base == paused
        clock.advance(11 * 60)  # Gett has resumed it by itself by now
        [after] = record_changes(box, [(STORE, RESUME)], origin="ui")
        assert after.base == StoreStatus(StoreState.ONLINE)


def test_cli_tap_writer_and_engine_record_the_same_context(
    api: Simulator, clock: FakeClock, keystore: OsKeyStore, tmp_path: Path, qtbot: QtBot
) -> None:
    """The same tap, the same moment, the same last-known state: the same saved intent."""
    paused = StoreStatus(
        StoreState.PAUSED, PauseReason.OTHER, clock.now(), clock.now() + timedelta(minutes=5)
    )
    data = tmp_path / "data"
    with Outbox(data, clock=clock) as box:
        box.save_last_status(STORE, paused, clock.now())
    clock.advance(60)
    api.go_down()  # nothing is sent: each change stays as it was recorded

    keystore.set(KEY)
    cli = Runner(api, clock, keystore, tmp_path)
    assert cli("resume").code == 75

    writer = TapWriter(Config(data_dir=data, stores=(Store(STORE, "Main"),)), clock)
    writer.start_work()
    with qtbot.waitSignal(writer.saved, timeout=5000) as saved:
        writer.save(1, [(STORE, RESUME)])
    writer._outbox.close()  # type: ignore[union-attr]  # (stop_work would quit this thread)

    with Outbox(data, clock=clock) as box:
        engine = SyncEngine(box, None, [Store(STORE, "Main")], clock=clock)
        engine.request(STORE, RESUME, origin="engine")
        by_origin = {i.origin: i for i in box.history()}
    assert saved.args is not None and saved.args[0] == 1  # the tap id comes back
    assert set(by_origin) == {"cli", "ui", "engine"}
    bases = {origin: intent.base for origin, intent in by_origin.items()}
    assert bases == {"cli": paused, "ui": paused, "engine": paused}
