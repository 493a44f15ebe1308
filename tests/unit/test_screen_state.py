"""The screen's one source of truth, without Qt: taps by id, the replaced-tap race, prompts.

Intents come from a real queue file (the tap writer's and another process's connections), so
ids and states are the ones the app would see.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.config import Store
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState, Outbox
from kiosk.core.sync import Attention, AttentionKind, Connectivity, Link, StoreView
from kiosk.ui.screen_state import ALL_STORES, REPLACED_NOTE_SECONDS, ScreenState
from kiosk.ui.view_model import LocalTime, StateKind
from tests.helpers.fakes import FakeClock

MAIN = Store("3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c", "Main Street")
PIZZA = Store("8d2e4b1a-0c3f-4e5d-9b6a-7f1e2d3c4b5a", "Pizza Nonna")
ONLINE = StoreStatus(StoreState.ONLINE)
PAUSE = StoreStatusUpdate.pause(PauseReason.TOO_BUSY, None)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def writer(tmp_path: Path, clock: FakeClock) -> Iterator[Outbox]:
    """The tap writer's connection to the queue file."""
    with Outbox(tmp_path, clock=clock, owner="gui-taps") as box:
        yield box


@pytest.fixture
def other(tmp_path: Path, clock: FakeClock, writer: Outbox) -> Iterator[Outbox]:
    """Another process on the same file (`kiosk resume`)."""
    with Outbox(tmp_path, clock=clock, owner="cli") as box:
        yield box


def state_for(*stores: Store, clock: FakeClock) -> ScreenState:
    state = ScreenState(stores, lt=LocalTime(UTC), ready=True)
    now = clock.now()
    for store in stores:
        state.on_view(StoreView(store, ONLINE, now), now)
    state.on_connectivity(Connectivity(Link.ONLINE, now))
    return state


def save(writer: Outbox, changes: list[tuple[str, StoreStatusUpdate]]) -> list[int]:
    """What the tap writer does with a tap: commit it, answer with the intent ids."""
    return [i.id for i in writer.enqueue_many([(s, u, ONLINE) for s, u in changes], origin="ui")]


def adopt(state: ScreenState, outbox: Outbox, ids: list[int], now: datetime) -> None:
    """What the worker does with saved ids: a view per store as the queue has it, then the
    intents themselves as they are now."""
    intents: list[Intent] = [outbox.get(i) for i in ids]
    for intent in intents:
        view = state.views[intent.store_id]
        state.on_view(
            StoreView(
                view.store, view.confirmed, view.confirmed_at, outbox.open_intent(intent.store_id)
            ),
            now,
        )
    state.taps_adopted([outbox.get(i) for i in ids], now)


def test_a_tap_shows_at_once_and_is_cleared_by_its_own_intent(
    clock: FakeClock, writer: Outbox
) -> None:
    state = state_for(MAIN, clock=clock)
    tap_id = state.tap([(MAIN.id, PAUSE)])
    now = clock.now()
    shown = state.indicator(now)
    assert shown.kind is StateKind.PAUSING
    assert "Saving your change…" in shown.lines
    ids = save(writer, [(MAIN.id, PAUSE)])
    state.tap_saved(tap_id, ids, now)
    adopt(state, writer, ids, now)
    assert state.local_taps == {}
    assert state.indicator(now).kind is StateKind.PAUSING  # now from the worker's view
    assert "Saving your change…" not in state.indicator(now).lines


def test_a_tap_replaced_elsewhere_before_the_worker_adopts_it_is_shown_as_replaced(
    clock: FakeClock, writer: Outbox, other: Outbox
) -> None:
    """The race: saved, then `kiosk resume` replaces the change, then the worker adopts."""
    state = state_for(MAIN, clock=clock)
    tap_id = state.tap([(MAIN.id, PAUSE)])
    ids = save(writer, [(MAIN.id, PAUSE)])
    now = clock.now()
    state.tap_saved(tap_id, ids, now)
    other.enqueue(MAIN.id, StoreStatusUpdate.resume(), origin="cli", base=ONLINE)
    adopt(state, writer, ids, now)
    ind = state.indicator(now)
    assert not any("Saving your change" in line for line in ind.lines)  # never spinning
    assert ind.lines[0].startswith("Your change was replaced by a newer change")
    assert "Pause: Too busy" in ind.lines[0]
    assert ind.kind is StateKind.RESUMING  # the other process's change, waiting


def test_a_tap_replaced_and_settled_elsewhere_is_not_left_spinning(
    clock: FakeClock, writer: Outbox, other: Outbox
) -> None:
    """The other process already delivered its change: nothing is open when the worker looks."""
    state = state_for(MAIN, clock=clock)
    tap_id = state.tap([(MAIN.id, PAUSE)])
    ids = save(writer, [(MAIN.id, PAUSE)])
    now = clock.now()
    state.tap_saved(tap_id, ids, now)
    replacement = other.enqueue(MAIN.id, StoreStatusUpdate.resume(), origin="cli")
    claimed = other.claim_due()
    assert claimed is not None and claimed.id == replacement.id
    other.mark_delivered(replacement.id, ONLINE)
    adopt(state, writer, ids, now)
    ind = state.indicator(now)
    assert state.local_taps == {}
    assert ind.kind is StateKind.ONLINE
    assert ind.lines[0].startswith("Your change was replaced")
    clock.advance(REPLACED_NOTE_SECONDS)
    state.tick(clock.now(), on_home=True)
    assert not state.indicator(clock.now()).lines[0].startswith("Your change")


def test_a_view_with_a_newer_intent_clears_the_tap_even_before_the_writer_answers_late(
    clock: FakeClock, writer: Outbox, other: Outbox
) -> None:
    """The worker's poll saw the replacement first; the writer's answer comes after it."""
    state = state_for(MAIN, clock=clock)
    tap_id = state.tap([(MAIN.id, PAUSE)])
    ids = save(writer, [(MAIN.id, PAUSE)])
    newer = other.enqueue(MAIN.id, StoreStatusUpdate.resume(), origin="cli")
    now = clock.now()
    state.on_view(StoreView(MAIN, ONLINE, now, newer), now)
    assert MAIN.id in state.local_taps  # no id yet: it may be the view from before the save
    state.tap_saved(tap_id, ids, now)
    assert state.local_taps == {}
    assert state.replaced[MAIN.id].update == PAUSE


def test_a_view_from_before_the_save_does_not_clear_the_tap(
    clock: FakeClock, writer: Outbox
) -> None:
    state = state_for(MAIN, clock=clock)
    tap_id = state.tap([(MAIN.id, PAUSE)])
    ids = save(writer, [(MAIN.id, PAUSE)])
    state.tap_saved(tap_id, ids, clock.now())
    state.on_view(StoreView(MAIN, ONLINE, clock.now()), clock.now())  # a poll from before
    assert state.indicator(clock.now()).kind is StateKind.PAUSING


def test_a_newer_tap_wins_over_the_answer_for_an_older_one(
    clock: FakeClock, writer: Outbox
) -> None:
    state = state_for(MAIN, clock=clock)
    first = state.tap([(MAIN.id, PAUSE)])
    second = state.tap([(MAIN.id, StoreStatusUpdate.resume())])
    state.tap_saved(first, save(writer, [(MAIN.id, PAUSE)]), clock.now())
    assert state.local_taps[MAIN.id].tap_id == second
    assert state.local_taps[MAIN.id].intent_id is None
    assert state.indicator(clock.now()).kind is StateKind.RESUMING


def test_a_tap_that_was_not_saved_is_taken_back_loudly(clock: FakeClock) -> None:
    state = state_for(MAIN, PIZZA, clock=clock)
    tap_id = state.tap([(MAIN.id, PAUSE), (PIZZA.id, PAUSE)])
    state.tap_failed(tap_id, "The change was NOT saved. The disk is full.")
    assert state.local_taps == {}
    assert state.indicator(clock.now()).kind is StateKind.ONLINE
    banner = state.screen(clock.now()).banner
    assert banner is not None and banner.title == "Pizza Nonna: Your change was NOT saved"
    assert "disk is full" in banner.message


def test_pause_all_skips_a_store_paused_while_the_person_chose(clock: FakeClock) -> None:
    state = state_for(MAIN, PIZZA, clock=clock)
    state.select(ALL_STORES)
    now = clock.now()
    state.flow_targets = state.pause_targets(now)
    assert state.flow_targets == (MAIN.id, PIZZA.id)
    paused = StoreStatus(StoreState.PAUSED, PauseReason.OTHER, now, None)
    state.on_view(StoreView(PIZZA, paused, now), now)
    assert state.flow_changes(PAUSE, now) == [(MAIN.id, PAUSE)]
    assert state.flow_targets == ()


def test_banner_attentions_are_routed_by_kind_not_by_words(clock: FakeClock) -> None:
    state = state_for(MAIN, PIZZA, clock=clock)
    state.on_attention(Attention(AttentionKind.KEY_MISSING, "No API key is stored."))
    assert state.banner is None  # shown on the big panel, not as a banner
    state.on_attention(Attention(AttentionKind.KEYRING_UNAVAILABLE, "The keyring is locked."))
    assert state.banner is not None and state.banner.title == "The API key cannot be read"
    state.on_attention(Attention(AttentionKind.REQUEST_REJECTED, "Gett said no.", PIZZA.id))
    assert state.banner.title == "Pizza Nonna: Gett refused a change"
    buttons = {b.store.id: b.alert for b in state.screen(clock.now()).store_buttons}
    assert buttons[PIZZA.id] == "Pizza Nonna: Gett refused a change"
    state.dismiss_banner()
    assert state.banner is None
    assert {b.store.id: b.alert for b in state.screen(clock.now()).store_buttons}[PIZZA.id] is None


def test_the_heads_up_opens_once_per_pause_and_closes_on_a_resume_tap(clock: FakeClock) -> None:
    state = state_for(MAIN, clock=clock)
    now = clock.now()
    pause = StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, now, now + timedelta(minutes=2))
    state.on_view(StoreView(MAIN, pause, now), now)
    state.tick(now, on_home=False)
    assert state.heads_up is None  # only on the home page
    state.tick(now, on_home=True)
    assert state.heads_up is not None
    assert state.heads_up.text.startswith("Gett puts the store back online at 12:02 (in 2 min)")
    state.tap([(MAIN.id, StoreStatusUpdate.resume())])
    assert state.heads_up is None
    state.local_taps.clear()
    state.tick(now, on_home=True)
    assert state.heads_up is None  # asked once for this pause


def test_the_forgotten_pause_reminder_snoozes_then_comes_back(clock: FakeClock) -> None:
    state = state_for(MAIN, clock=clock)
    start = clock.now()
    state.on_view(
        StoreView(MAIN, StoreStatus(StoreState.PAUSED, PauseReason.OTHER, start), start), start
    )
    clock.advance(31 * 60)
    now = clock.now()
    state.on_view(StoreView(MAIN, state.views[MAIN.id].confirmed, now), now)
    state.tick(now, on_home=True)
    assert state.reminder is not None and "31 min" in state.reminder.text
    assert state.close_reminder(snooze_at=now) == MAIN.id
    state.tick(now, on_home=True)
    assert state.reminder is None
    clock.advance(10 * 60)
    now = clock.now()
    state.on_view(StoreView(MAIN, state.views[MAIN.id].confirmed, now), now)
    state.tick(now, on_home=True)
    assert state.reminder is not None


def test_a_conflict_choice_waits_until_that_conflict_is_settled_not_the_next_poll(
    clock: FakeClock, writer: Outbox
) -> None:
    state = state_for(MAIN, clock=clock)
    mine = writer.enqueue(MAIN.id, PAUSE, origin="ui", base=ONLINE)
    assert writer.claim_due() is not None  # the engine's lease, as when it found the conflict
    writer.mark_terminal(mine.id, IntentState.CONFLICT, "Changed elsewhere.", "conflict")
    now = clock.now()
    conflict = StoreView(MAIN, ONLINE, now, writer.get(mine.id))
    state.on_view(conflict, now)
    assert state.screen(now).actions.conflict_choice is not None
    assert state.screen(now).actions.conflict_enabled
    state.conflict_resolving(MAIN.id)
    assert not state.screen(now).actions.conflict_enabled
    state.on_view(conflict, now)  # an unrelated poll: still that conflict, still waiting
    assert not state.screen(now).actions.conflict_enabled
    writer.resolve_conflict(MAIN.id, apply_mine=True)
    state.on_view(StoreView(MAIN, ONLINE, now, writer.open_intent(MAIN.id)), now)
    assert MAIN.id not in state.conflict_sent
