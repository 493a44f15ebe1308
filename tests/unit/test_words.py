"""The CLI and the screen say the same thing about the same fact (one module of words)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from kiosk.cli.render import history_outcome, status_line
from kiosk.core.config import Store
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.sync import AttentionKind, Connectivity, Link, StoreView
from kiosk.core.words import MANAGER_WORDS, attention_title, outcome
from kiosk.ui.view_model import LocalTime, Snapshot, describe

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
STORE = Store("3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c", "Main Street")


def test_the_cli_and_the_screen_count_down_alike() -> None:
    """22.5 minutes left: both say 23 (rounded up: never "0 min" while still paused)."""
    pause = StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, NOW, NOW + timedelta(minutes=22.5))
    assert "(in 23 min)" in status_line(STORE, pause, NOW)
    screen = describe(
        Snapshot(
            StoreView(STORE, pause, NOW), Connectivity(Link.ONLINE, NOW), NOW, time=LocalTime(UTC)
        )
    )
    assert any("(in 23 min)" in line for line in screen.lines)


def test_the_pause_log_and_the_screen_name_a_replaced_change_alike() -> None:
    intent = Intent(
        1, STORE.id, StoreStatusUpdate.resume(), NOW, "ui", IntentState.SUPERSEDED, 0, NOW,
        False, None, None, NOW, None, None,
    )  # fmt: skip
    assert history_outcome(intent) == outcome(IntentState.SUPERSEDED)
    assert history_outcome(replace(intent, sent=True)) == outcome(IntentState.SUPERSEDED, sent=True)
    assert "may have reached Gett" in outcome(IntentState.SUPERSEDED, sent=True)


def test_every_kind_a_manager_must_fix_has_its_words_and_a_banner_title() -> None:
    """One answer to "is this a key problem?" (AttentionKind), words for each answer."""
    manager = {kind for kind in AttentionKind if kind.needs_manager}
    assert set(MANAGER_WORDS) == manager
    assert {k for k in AttentionKind if k.is_key_problem} < manager
    assert all(attention_title(kind) != "Needs attention" for kind in manager)
