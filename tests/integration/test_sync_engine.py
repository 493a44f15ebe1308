"""The fault matrix against the Qt-free sync engine: real simulator, real SQLite, fake clock.

Every test runs twice: with changes coming in through ``SyncEngine.request`` and through the way
the app's tap writer and the CLI bring them in (the shared intake function on a connection of
its own, then the engine adopts them). Both go through :func:`kiosk.core.intake.record_changes`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from kiosk.core.client import GettClient
from kiosk.core.config import Store
from kiosk.core.intake import record_changes
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState, Outbox
from kiosk.core.sync import (
    Attention,
    AttentionKind,
    Backoff,
    Connectivity,
    Link,
    StoreView,
    SyncEngine,
)
from kiosk.simulator.server import Simulator
from tests.helpers.fakes import FakeClock
from tests.integration.conftest import KEY, STORE

PAUSE = StoreStatusUpdate.pause(PauseReason.TOO_BUSY)
RESUME = StoreStatusUpdate.resume()


class Recorder:
    def __init__(self) -> None:
        self.views: list[StoreView] = []
        self.links: list[Connectivity] = []
        self.attention: list[Attention] = []

    def on_store_view(self, view: StoreView) -> None:
        self.views.append(view)

    def on_connectivity(self, connectivity: Connectivity) -> None:
        self.links.append(connectivity)

    def on_attention(self, attention: Attention) -> None:
        self.attention.append(attention)


class TapWriterEngine(SyncEngine):
    """Changes come in as the app's tap writer saves them: the intake function on a separate
    connection (the writer's), then the sync worker adopts them."""

    writer: Outbox

    def request_many(
        self, changes: Sequence[tuple[str, StoreStatusUpdate]], *, origin: str
    ) -> list[Intent]:
        intents = record_changes(self.writer, changes, origin=origin, now=self.clock.now())
        self.adopt(intents)
        return [self.outbox.get(intent.id) for intent in intents]


class Rig:
    """An engine wired to the simulator, with helpers to read what happened."""

    def __init__(
        self, api: Simulator, clock: FakeClock, data_dir: Path, entry: str = "engine"
    ) -> None:
        self.api = api
        self.clock = clock
        self.outbox = Outbox(data_dir, clock=clock, owner="engine")
        self.writer = Outbox(data_dir, clock=clock, owner="gui-taps")
        self.client = self.make_client(KEY)
        self.events = Recorder()
        engine_class = TapWriterEngine if entry == "tap_writer" else SyncEngine
        self.engine = engine_class(
            self.outbox,
            self.client,
            [Store(STORE, "Main Street")],
            clock=clock,
            listener=self.events,
            backoff=Backoff(base=1, cap=60, floor=1),
            rng=random.Random(7),
        )
        if isinstance(self.engine, TapWriterEngine):
            self.engine.writer = self.writer

    def make_client(self, key: str) -> GettClient:
        return GettClient(
            self.api.base_url, key, clock=self.clock, timeout=httpx.Timeout(0.5, connect=0.5)
        )

    def posts(self) -> list[dict[str, object]]:
        return [r.body for r in self.api.requests if r.method == "POST" and r.status == 200]

    def view(self) -> StoreView:
        return self.engine.views()[0]

    def wait_out_backoff(self) -> None:
        """Move the fake clock to when the waiting intent is due, then run."""
        due = self.outbox.next_due_at()
        assert due is not None
        self.clock.advance(max(0.0, (due - self.clock.now()).total_seconds()))
        self.engine.step()

    def close(self) -> None:
        self.client.close()
        self.writer.close()
        self.outbox.close()


@pytest.fixture(params=["engine", "tap_writer"])
def rig(
    api: Simulator, clock: FakeClock, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Rig]:
    r = Rig(api, clock, tmp_path, entry=request.param)
    yield r
    r.close()


def test_tap_is_delivered_and_confirmed(rig: Rig) -> None:
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    assert intent.state is IntentState.DELIVERED
    assert rig.api.state(STORE).is_paused
    view = rig.view()
    assert view.pending is None
    assert view.confirmed is not None and view.confirmed.reason is PauseReason.TOO_BUSY
    assert view.confirmed_at == rig.clock.now()
    assert rig.engine.connectivity.link is Link.ONLINE
    assert rig.posts() == [{"status": "paused", "reason": "too_busy"}]


def test_first_attempt_does_not_read_first(rig: Rig) -> None:
    rig.engine.request(STORE, PAUSE, origin="test")
    assert [r.method for r in rig.api.requests] == ["POST"]


def test_connection_refused_queues_then_delivers_after_backoff(rig: Rig) -> None:
    rig.api.go_down()
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    assert intent.state is IntentState.PENDING and intent.attempts == 1
    assert intent.last_error and "connect" in intent.last_error.lower()
    assert rig.engine.connectivity.link is Link.OFFLINE
    assert rig.view().pending is not None  # the screen knows it is waiting
    rig.wait_out_backoff()  # still down: another failure, longer backoff
    assert rig.outbox.get(intent.id).attempts == 2
    rig.api.come_back()
    rig.wait_out_backoff()
    done = rig.outbox.get(intent.id)
    assert done.state is IntentState.DELIVERED
    assert rig.api.state(STORE).is_paused
    assert rig.view().pending is None
    assert rig.engine.connectivity.link is Link.ONLINE


def test_reachability_hint_retries_at_once(rig: Rig) -> None:
    rig.api.go_down()
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    rig.api.come_back()
    assert rig.outbox.next_due_at() > rig.clock.now()  # type: ignore[operator]
    rig.engine.poke()
    rig.engine.step()  # no clock movement
    assert rig.outbox.get(intent.id).state is IntentState.DELIVERED


def test_dropped_connection_is_retried(rig: Rig) -> None:
    rig.api.faults.drop()
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    assert intent.state is IntentState.PENDING
    rig.wait_out_backoff()
    assert rig.outbox.get(intent.id).state is IntentState.DELIVERED


def test_503_burst_backs_off_with_growing_jittered_waits(rig: Rig) -> None:
    rig.engine.poll_interval = 3600
    rig.engine.step()  # the first status read, so only delivery attempts meet the faults
    rig.api.faults.fail(503, count=4)
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    waits = []
    for _ in range(10):
        current = rig.outbox.get(intent.id)
        if current.state is not IntentState.PENDING:
            break
        waits.append((current.next_attempt_at - rig.clock.now()).total_seconds())
        assert rig.engine.connectivity.link is Link.DEGRADED
        rig.wait_out_backoff()
    assert rig.outbox.get(intent.id).state is IntentState.DELIVERED
    assert len(waits) == 4
    # full jitter: each wait within [1, 2^attempt]
    for attempt, wait in enumerate(waits):
        assert 1.0 <= wait <= max(1.0, 2.0**attempt) + 1e-6


@pytest.mark.parametrize("http_date", [False, True])
def test_429_retry_after_is_the_minimum_wait(rig: Rig, http_date: bool) -> None:
    rig.api.faults.rate_limit(retry_after=40, http_date=http_date)
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    waiting = rig.outbox.get(intent.id)
    wait = (waiting.next_attempt_at - rig.clock.now()).total_seconds()
    assert 39.0 <= wait <= 41.0
    rig.clock.advance(30)
    rig.engine.step()
    assert rig.outbox.get(intent.id).state is IntentState.PENDING  # not before Retry-After
    rig.wait_out_backoff()
    assert rig.outbox.get(intent.id).state is IntentState.DELIVERED


def test_hung_server_ambiguous_post_is_not_sent_twice(rig: Rig) -> None:
    rig.api.faults.apply_then_hang(seconds=5)
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    assert intent.state is IntentState.PENDING  # timed out: we do not know
    assert rig.api.state(STORE).is_paused  # ...but it landed
    rig.wait_out_backoff()
    assert rig.outbox.get(intent.id).state is IntentState.DELIVERED
    methods = [r.method for r in rig.api.requests]
    assert methods[:2] == ["POST", "GET"]  # the retry read first and found it already done
    assert methods.count("POST") == 1


def test_401_in_the_middle_holds_the_intent_until_the_key_changes(rig: Rig) -> None:
    rig.engine.request(STORE, PAUSE, origin="test")
    rig.api.set_api_key("rotated-key")
    intent = rig.engine.request(STORE, RESUME, origin="test")
    assert intent.state is IntentState.HELD
    assert rig.events.attention[-1].kind is AttentionKind.KEY_REJECTED
    assert rig.view().attention is not None
    # Retrying does not help and is not done.
    before = len(rig.api.requests)
    rig.clock.advance(3600)
    rig.engine.run_due()
    assert len(rig.api.requests) == before
    # A manager stores the new key: the held tap goes out.
    new_client = rig.make_client("rotated-key")
    try:
        rig.engine.set_client(new_client)
        rig.engine.run_due()
        assert rig.outbox.get(intent.id).state is IntentState.DELIVERED
        assert rig.api.state(STORE).is_online
        assert rig.view().attention is None
    finally:
        new_client.close()


def test_a_key_gett_accepts_again_releases_what_it_held(rig: Rig) -> None:
    """A gateway's passing 401, or a key re-enabled in the portal: the next successful read
    with the same key lets the held change go, with no one touching the kiosk."""
    rig.api.faults.fail(401, count=1, method="POST")
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    assert intent.state is IntentState.HELD
    assert rig.view().attention is not None
    rig.clock.advance(31)
    assert rig.engine.step() < 0.1  # the poll reads fine with the very same key: due at once
    rig.engine.step()
    assert rig.outbox.get(intent.id).state is IntentState.DELIVERED
    assert rig.api.state(STORE).is_paused
    assert rig.view().attention is None and rig.view().pending is None


def test_a_key_that_may_read_but_not_write_does_not_loop(rig: Rig) -> None:
    """403 on every write, reads fine: the change stays held (no POST at every poll)."""
    rig.api.faults.fail(403, count=1000, method="POST")
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    assert intent.state is IntentState.HELD
    for _ in range(5):
        rig.clock.advance(31)
        rig.engine.step()
        rig.engine.step()
    assert rig.outbox.get(intent.id).state is IntentState.HELD
    assert [r.method for r in rig.api.requests].count("POST") == 1


def test_a_key_still_rejected_keeps_holding_without_retrying_the_write(rig: Rig) -> None:
    rig.api.set_api_key("rotated-key")
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    for _ in range(5):
        rig.clock.advance(31)
        rig.engine.step()
    assert rig.outbox.get(intent.id).state is IntentState.HELD
    assert [r.method for r in rig.api.requests].count("POST") == 1


def test_offline_toggling_ends_in_one_request_for_the_last_intent(rig: Rig) -> None:
    rig.api.go_down()
    for update in (PAUSE, RESUME, PAUSE, RESUME, PAUSE):
        rig.engine.request(STORE, update, origin="test")
    assert len(rig.outbox.open_intents()) == 1
    rig.api.come_back()
    rig.wait_out_backoff()
    assert rig.posts() == [{"status": "paused", "reason": "too_busy"}]
    assert rig.api.state(STORE).is_paused


def test_offline_toggling_back_to_where_the_server_is_sends_nothing(rig: Rig) -> None:
    rig.api.go_down()
    for update in (PAUSE, RESUME, PAUSE, RESUME):
        rig.engine.request(STORE, update, origin="test")
    rig.api.come_back()
    rig.wait_out_backoff()
    assert rig.posts() == []
    assert rig.outbox.open_intents() == []


def test_stale_pause_is_never_sent(rig: Rig) -> None:
    rig.api.go_down()
    until = rig.clock.now() + timedelta(minutes=10)
    intent = rig.engine.request(
        STORE, StoreStatusUpdate.pause(PauseReason.OTHER, until), origin="test"
    )
    rig.clock.advance(11 * 60)
    rig.api.come_back()
    rig.engine.poke()
    rig.engine.step()
    assert rig.outbox.get(intent.id).state is IntentState.EXPIRED
    assert rig.posts() == []
    assert any(a.kind is AttentionKind.PAUSE_EXPIRED for a in rig.events.attention)
    assert rig.api.state(STORE).is_online


def test_change_made_elsewhere_is_not_overwritten(rig: Rig) -> None:
    rig.engine.request(STORE, PAUSE, origin="test")
    rig.api.go_down()
    intent = rig.engine.request(STORE, RESUME, origin="test")
    rig.clock.advance(60)
    elsewhere = StoreStatus(StoreState.PAUSED, PauseReason.MAINTENANCE, rig.clock.now(), None)
    rig.api.set_state(STORE, elsewhere)
    rig.api.come_back()
    rig.wait_out_backoff()
    assert rig.outbox.get(intent.id).state is IntentState.CONFLICT
    assert rig.api.state(STORE).reason is PauseReason.MAINTENANCE  # untouched
    assert rig.view().attention is not None
    assert rig.view().attention.kind is AttentionKind.CONFLICT  # type: ignore[union-attr]
    # The person chooses "apply mine".
    rig.engine.resolve_conflict(STORE, apply_mine=True)
    assert rig.outbox.get(intent.id).state is IntentState.DELIVERED
    assert rig.api.state(STORE).is_online


def test_conflict_keep_servers_state(rig: Rig) -> None:
    rig.api.go_down()
    intent = rig.engine.request(STORE, PAUSE, origin="test")  # before any status read
    rig.clock.advance(5 * 60)  # clearly after the tap, beyond any clock-skew allowance
    rig.api.set_state(
        STORE, StoreStatus(StoreState.PAUSED, PauseReason.STAFF_SHORTAGE, rig.clock.now(), None)
    )
    rig.api.come_back()
    rig.wait_out_backoff()
    assert rig.outbox.get(intent.id).state is IntentState.CONFLICT
    rig.engine.resolve_conflict(STORE, apply_mine=False)
    assert rig.outbox.get(intent.id).state is IntentState.DISMISSED
    assert rig.posts() == []
    assert rig.view().pending is None


def test_auto_resume_is_reflected_without_a_tap(rig: Rig) -> None:
    until = rig.clock.now() + timedelta(minutes=15)
    rig.engine.request(STORE, StoreStatusUpdate.pause(PauseReason.TOO_BUSY, until), origin="test")
    assert rig.view().confirmed.is_paused  # type: ignore[union-attr]
    rig.engine.poll_interval = 3600
    rig.engine.step()
    wait = rig.engine.seconds_until_next()
    assert 15 * 60 <= wait <= 15 * 60 + 2  # wakes right at resumeAt
    rig.clock.advance(wait)
    rig.engine.step()
    assert rig.view().confirmed.is_online  # type: ignore[union-attr]


def test_periodic_poll_sees_changes_made_elsewhere(rig: Rig) -> None:
    rig.engine.step()
    assert rig.view().confirmed.is_online  # type: ignore[union-attr]
    rig.api.set_state(STORE, StoreStatus(StoreState.PAUSED, PauseReason.OTHER, rig.clock.now()))
    rig.clock.advance(29)
    rig.engine.step()
    assert rig.view().confirmed.is_online  # type: ignore[union-attr]
    rig.clock.advance(1)
    rig.engine.step()
    assert rig.view().confirmed.is_paused  # type: ignore[union-attr]


def test_unknown_store_fails_and_says_so(rig: Rig) -> None:
    rig.api.remove_store(STORE)
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    assert intent.state is IntentState.FAILED
    assert rig.events.attention[-1].kind is AttentionKind.STORE_UNKNOWN


def test_malformed_answer_is_retried(rig: Rig) -> None:
    rig.api.faults.malformed()
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    assert intent.state is IntentState.PENDING
    assert rig.engine.connectivity.link is Link.DEGRADED
    rig.wait_out_backoff()
    assert rig.outbox.get(intent.id).state is IntentState.DELIVERED


def test_missing_key_holds_taps_and_asks_for_it(
    api: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    with Outbox(tmp_path, clock=clock) as outbox:
        events = Recorder()
        engine = SyncEngine(outbox, None, [Store(STORE, "x")], clock=clock, listener=events)
        intent = engine.request(STORE, PAUSE, origin="test")
        assert intent.state is IntentState.HELD
        assert events.attention[-1].kind is AttentionKind.KEY_MISSING
        assert len(api.requests) == 0


def test_pending_intent_survives_a_restart(
    api: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    api.go_down()
    first = Rig(api, clock, tmp_path)
    intent = first.engine.request(STORE, PAUSE, origin="test")
    first.close()
    api.come_back()
    second = Rig(api, clock, tmp_path)
    try:
        assert second.view().pending is not None
        second.wait_out_backoff()
        assert second.outbox.get(intent.id).state is IntentState.DELIVERED
    finally:
        second.close()


def test_history_older_than_30_days_is_pruned_daily(rig: Rig) -> None:
    first = rig.engine.request(STORE, PAUSE, origin="test")
    rig.engine.step()
    rig.clock.advance(31 * 86400)
    second = rig.engine.request(STORE, RESUME, origin="test")
    rig.engine.step()
    history = {i.id for i in rig.outbox.history(limit=10)}
    assert first.id not in history and second.id in history


def test_a_superseded_tap_that_never_left_does_not_hide_a_change_elsewhere(rig: Rig) -> None:
    rig.engine.step()  # Gett says online
    rig.api.go_down()
    rig.engine.request(STORE, PAUSE, origin="test")  # tried and failed: never reached Gett
    rig.engine.request(STORE, RESUME, origin="test")
    intent = rig.engine.request(STORE, StoreStatusUpdate.pause(PauseReason.OTHER), origin="test")
    rig.clock.advance(120)
    # Gett support pauses the store for a reason of its own, matching none of our taps...
    rig.api.set_state(
        STORE, StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, rig.clock.now(), None)
    )
    rig.api.come_back()
    rig.wait_out_backoff()
    # ...which equals the first tap that never left, yet it is someone else's change.
    assert rig.outbox.get(intent.id).state is IntentState.CONFLICT
    assert rig.posts() == []


def test_a_superseded_tap_that_landed_late_is_recognised_as_ours(rig: Rig) -> None:
    rig.engine.step()
    rig.api.faults.apply_then_hang(seconds=5)  # the POST lands; its answer never comes
    first = rig.engine.request(STORE, PAUSE, origin="test")
    assert rig.outbox.get(first.id).sent
    rig.api.go_down()
    second = rig.engine.request(STORE, StoreStatusUpdate.pause(PauseReason.OTHER), origin="test")
    rig.api.come_back()
    rig.wait_out_backoff()
    assert rig.outbox.get(second.id).state is IntentState.DELIVERED  # not a conflict
    assert rig.api.state(STORE).reason is PauseReason.OTHER


class SlowReads:
    """The real client, but every read takes 10 s of (fake) time, like a congested network."""

    def __init__(self, client: GettClient, clock: FakeClock) -> None:
        self.client, self.clock = client, clock

    def get_status(self, store_id: str) -> StoreStatus:
        self.clock.advance(10)
        return self.client.get_status(store_id)

    def set_status(self, store_id: str, update: StoreStatusUpdate) -> StoreStatus:
        return self.client.set_status(store_id, update)


def test_a_pause_that_ends_during_the_check_is_not_sent(rig: Rig) -> None:
    rig.api.go_down()
    until = rig.clock.now() + timedelta(seconds=30)
    intent = rig.engine.request(
        STORE, StoreStatusUpdate.pause(PauseReason.OTHER, until), origin="test"
    )
    rig.api.come_back()
    rig.clock.advance(16)  # due, and 14 s before its end: worth trying
    rig.engine.client = SlowReads(rig.client, rig.clock)
    rig.engine.run_due()  # the read takes 10 s: only 4 s would be left, inside the margin
    assert rig.outbox.get(intent.id).state is IntentState.EXPIRED
    assert rig.posts() == []


def test_wall_clock_stepping_back_does_not_strand_a_queued_tap(rig: Rig) -> None:
    rig.api.go_down()
    intent = rig.engine.request(STORE, PAUSE, origin="test")
    rig.clock.set_wall(rig.clock.now() - timedelta(hours=2))  # NTP fixes a fast clock
    wait = rig.engine.seconds_until_next()
    assert wait <= 60
    rig.api.come_back()
    rig.engine.step()
    assert rig.outbox.get(intent.id).state is IntentState.DELIVERED


def test_a_change_settled_by_another_process_stops_showing_as_waiting(
    rig: Rig, tmp_path: Path
) -> None:
    rig.api.go_down()
    rig.engine.request(STORE, PAUSE, origin="test")
    assert rig.view().pending is not None
    rig.api.come_back()
    # `kiosk resume` in another process replaces and delivers the waiting change.
    with Outbox(tmp_path, clock=rig.clock, owner="cli") as cli_box:
        cli = SyncEngine(cli_box, rig.client, [Store(STORE, "x")], clock=rig.clock)
        assert cli.request(STORE, RESUME, origin="cli").state is IntentState.DELIVERED
    rig.engine.poll(STORE)
    assert rig.view().pending is None
    assert rig.view().confirmed is not None and rig.view().confirmed.is_online


def test_pause_all_saves_every_store_before_sending_any(clock: FakeClock, tmp_path: Path) -> None:
    second = "9b2d4c6e-1a3f-4e5d-8c7b-0a1b2c3d4e5f"
    with Simulator([STORE, second], KEY, clock=clock) as api:
        rig = Rig(api, clock, tmp_path)
        seen_open: list[bool] = []

        class Watching:
            """The real client; notes, at the first send, whether the other tap is saved."""

            def get_status(self, store_id: str) -> StoreStatus:
                return rig.client.get_status(store_id)

            def set_status(self, store_id: str, update: StoreStatusUpdate) -> StoreStatus:
                seen_open.append(rig.outbox.open_intent(second) is not None)
                return rig.client.set_status(store_id, update)

        rig.engine.client = Watching()
        try:
            api.go_down()
            intents = rig.engine.request_many([(STORE, PAUSE), (second, PAUSE)], origin="test")
            assert seen_open and seen_open[0]  # saved before the first request went out
            assert [i.store_id for i in intents] == [STORE, second]
            assert all(i.state is IntentState.PENDING for i in intents)
            api.come_back()
            rig.engine.poke()
            rig.engine.run_due()
            assert all(rig.outbox.get(i.id).state is IntentState.DELIVERED for i in intents)
            assert api.state(STORE).is_paused and api.state(second).is_paused
        finally:
            rig.close()


def test_a_status_is_confirmed_as_of_when_it_was_asked_for(rig: Rig) -> None:
    rig.engine.client = SlowReads(rig.client, rig.clock)  # each read takes 10 s
    asked = rig.clock.now()
    rig.engine.poll(STORE)
    assert rig.clock.now() == asked + timedelta(seconds=10)
    assert rig.view().confirmed_at == asked  # a slow answer never looks fresher than it is


def test_last_confirmed_is_saved_on_unchanged_polls_too_at_most_once_a_minute(
    rig: Rig, tmp_path: Path
) -> None:
    """After a restart "last confirmed at" is the last confirmation, not the first sighting."""
    rig.engine.poll(STORE)
    first = rig.clock.now()
    saved = rig.outbox.last_status(STORE)
    assert saved is not None and saved[1] == first
    rig.clock.advance(30)
    rig.engine.poll(STORE)  # the same status, 30 s later: not written again yet
    assert rig.outbox.last_status(STORE) == saved
    rig.clock.advance(30)
    rig.engine.poll(STORE)  # a minute after the last write: written with its new time
    saved = rig.outbox.last_status(STORE)
    assert saved is not None and saved[1] == rig.clock.now()
    with Outbox(tmp_path, clock=rig.clock, owner="restarted") as again:
        restarted = SyncEngine(again, None, [Store(STORE, "Main Street")], clock=rig.clock)
        assert restarted.views()[0].confirmed_at == rig.clock.now()
