"""Several stores on one kiosk (a ghost kitchen): the store bar, "All stores", prompts for
every store; by tapping the real buttons against a simulator that knows all four stores."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QAbstractButton, QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config, load_config
from kiosk.core.models import PauseReason, StoreState, StoreStatus
from kiosk.core.outbox import Outbox
from kiosk.simulator.server import Simulator
from kiosk.ui.main_window import MainWindow, Page
from kiosk.ui.store_bar import StoreButton
from kiosk.ui.view_model import Fill, StateKind
from tests.helpers.fakes import FakeClock
from tests.ui.conftest import PIN, STORE, STORES, MakeWindow, find, tap, with_ui
from tests.ui.test_honesty import go_offline

NOON = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
MAIN, PIZZA = STORES[0], STORES[1]
SIZES = [(1280, 800), (800, 480), (800, 1280), (1920, 1080)]


@pytest.fixture
def sim_store_ids() -> tuple[str, ...]:
    return tuple(s.id for s in STORES)


@pytest.fixture
def two(config: Config) -> Config:
    return replace(config, stores=STORES[:2])


@pytest.fixture
def four(config: Config) -> Config:
    return replace(config, stores=STORES)


def button(window: MainWindow, store_id: str) -> StoreButton:
    return window.home.store_bar.buttons[store_id]


def pause(qtbot: QtBot, window: MainWindow, reason: str, how_long: str) -> None:
    tap(qtbot, window, f"Pause: {reason}")
    tap(qtbot, window, how_long)


def settle_all(window: MainWindow, qtbot: QtBot, clock: FakeClock, seconds: float) -> None:
    """Move time on, have the worker re-read every store, and tick the window's clock."""
    clock.advance(seconds)
    assert window.host is not None
    window.host.refresh_requested.emit()
    qtbot.waitUntil(
        lambda: all(
            (view := window.store_view(s.id)) is not None and view.confirmed_at == clock.now()
            for s in window.config.stores
        ),
        timeout=10_000,
    )
    window.on_tick_timer_timeout()


def test_one_store_shows_no_store_bar(make_window: MakeWindow) -> None:
    window = make_window()  # one store configured (the simulator knows four)
    assert not window.home.store_bar.isVisible()
    visible = [b.accessibleName() for b in window.findChildren(QAbstractButton) if b.isVisible()]
    assert not [n for n in visible if n.startswith("Store:") or n == "All stores"]
    assert window.home.store_name.text() == "Main Street"
    assert window.home.pause_prompt.text() == "Pause the store. Why?"


def test_switch_stores_and_pause_only_the_second(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, two: Config
) -> None:
    window = make_window(two)
    assert window.home.store_bar.isVisible()
    assert button(window, MAIN.id).selected and not button(window, PIZZA.id).selected
    tap(qtbot, window, "Store: Pizza Nonna")
    assert button(window, PIZZA.id).selected and not button(window, MAIN.id).selected
    assert window.home.store_name.text() == "Pizza Nonna"
    assert window.home.pause_prompt.text() == "Pause Pizza Nonna. Why?"
    tap(qtbot, window, "Pause: Too busy")
    assert window.resume_picker.title.text() == "Pause Pizza Nonna: Too busy. For how long?"
    tap(qtbot, window, "Pause for 30 minutes")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)
    assert sim.state(PIZZA.id).is_paused
    assert sim.state(PIZZA.id).resume_at == NOON + timedelta(minutes=30)
    assert sim.state(MAIN.id).is_online
    assert button(window, PIZZA.id).word == "PAUSED"
    assert button(window, MAIN.id).word == "ONLINE"
    # Resume and +15 act on the store shown, too.
    tap(qtbot, window, "Extend pause by 15 minutes")
    qtbot.waitUntil(
        lambda: sim.state(PIZZA.id).resume_at == NOON + timedelta(minutes=45), timeout=10_000
    )
    tap(qtbot, window, "Store: Main Street")
    assert window.indicator().kind is StateKind.ONLINE
    tap(qtbot, window, "Store: Pizza Nonna")
    tap(qtbot, window, "Resume now")
    qtbot.waitUntil(lambda: sim.state(PIZZA.id).is_online, timeout=10_000)
    assert sim.state(MAIN.id).is_online


def test_pause_all_then_resume_all_keeps_a_pause_set_on_purpose(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, four: Config
) -> None:
    window = make_window(four)
    tap(qtbot, window, "Store: Pizza Nonna")
    pause(qtbot, window, "Maintenance", "Pause until I resume")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)

    tap(qtbot, window, "All stores")
    assert window.home.store_name.text() == "All stores"
    assert window.home.store_bar.all_button.selected
    # Every store's status read at least once (the tap above may have cut the first round short).
    panel = window.home.status_panel
    qtbot.waitUntil(lambda: panel.headline.text() == "1 OF 4 PAUSED", timeout=10_000)
    assert window.home.pause_prompt.text() == "Pause the other 3 stores too (not paused yet). Why?"
    tap(qtbot, window, "Pause: Too busy")
    assert window.resume_picker.title.text() == "Pause 3 stores: Too busy. For how long?"
    tap(qtbot, window, "Pause for 30 minutes")
    # One tap, one intent per store: at once every store's button says it is not confirmed.
    for store in STORES:
        assert button(window, store.id).word in ("PAUSING…", "PAUSED")
    qtbot.waitUntil(lambda: all(sim.state(s.id).is_paused for s in STORES), timeout=10_000)
    qtbot.waitUntil(
        lambda: window.home.status_panel.headline.text() == "ALL PAUSED", timeout=10_000
    )
    assert sim.state(PIZZA.id).reason == PauseReason.MAINTENANCE  # its own pause, untouched
    assert sim.state(PIZZA.id).resume_at is None
    assert sim.state(STORES[3].id).reason == PauseReason.TOO_BUSY
    assert not window.home.reasons.isVisible()  # nothing left to pause
    tap(qtbot, window, "Resume all stores")
    qtbot.waitUntil(lambda: all(sim.state(s.id).is_online for s in STORES), timeout=10_000)
    qtbot.waitUntil(
        lambda: window.home.status_panel.headline.text() == "ALL ONLINE", timeout=10_000
    )
    assert not find(window, "All stores").isHidden()


def test_heads_up_for_a_store_not_shown_names_it_and_acts_on_it(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock, two: Config
) -> None:
    window = make_window(two)
    tap(qtbot, window, "Store: Pizza Nonna")
    pause(qtbot, window, "Too busy", "Pause for 15 minutes")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)
    tap(qtbot, window, "Store: Main Street")
    settle_all(window, qtbot, clock, 12 * 60)
    assert not window.heads_up.isVisible()
    settle_all(window, qtbot, clock, 90)
    assert window.heads_up.isVisible()
    assert window.heads_up.title.text() == "Pizza Nonna: back online soon"
    assert "Gett puts Pizza Nonna back online at 12:15" in window.heads_up.body.text()
    tap(qtbot, window, "Keep paused 15 more minutes")
    qtbot.waitUntil(
        lambda: sim.state(PIZZA.id).resume_at == NOON + timedelta(minutes=30), timeout=10_000
    )
    assert sim.state(MAIN.id).is_online
    assert window.store_id == MAIN.id  # the screen stays on the store it showed


def test_reminder_for_a_store_not_shown_resumes_that_store(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock, two: Config
) -> None:
    window = make_window(with_ui(two, forgotten_pause_minutes=30))
    tap(qtbot, window, "Store: Pizza Nonna")
    pause(qtbot, window, "Other", "Pause until I resume")
    qtbot.waitUntil(lambda: window.indicator().kind is StateKind.PAUSED, timeout=10_000)
    tap(qtbot, window, "Store: Main Street")
    settle_all(window, qtbot, clock, 31 * 60)
    assert window.reminder.isVisible()
    assert window.reminder.title.text() == "Pizza Nonna is still paused"
    assert "Customers cannot order from Pizza Nonna." in window.reminder.body.text()
    tap(qtbot, window, "Resume now (reminder)")
    qtbot.waitUntil(lambda: sim.state(PIZZA.id).is_online, timeout=10_000)
    assert window.store_id == MAIN.id


def test_offline_banner_counts_the_changes_of_every_store(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, two: Config
) -> None:
    window = make_window(two)
    go_offline(window, qtbot, sim)
    pause(qtbot, window, "Too busy", "Pause for 30 minutes")
    tap(qtbot, window, "Store: Pizza Nonna")
    pause(qtbot, window, "Staff shortage", "Pause for 60 minutes")

    def waiting() -> bool:
        views = [window.store_view(s.id) for s in two.stores]
        return all(v is not None and v.pending is not None for v in views)

    qtbot.waitUntil(waiting, timeout=10_000)
    window.on_tick_timer_timeout()
    assert "2 changes are waiting" in window.home.offline_banner.text.text()
    for store in two.stores:
        assert button(window, store.id).word == "PAUSING…"  # not confirmed, on every button
    sim.come_back()
    window.session.poke()
    qtbot.waitUntil(lambda: all(sim.state(s.id).is_paused for s in two.stores), timeout=10_000)
    qtbot.waitUntil(lambda: not window.home.offline_banner.isVisible(), timeout=10_000)


def test_a_tap_shows_only_on_its_own_store(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, two: Config
) -> None:
    window = make_window(two)
    qtbot.waitUntil(lambda: button(window, PIZZA.id).word == "ONLINE", timeout=10_000)
    pause(qtbot, window, "Other", "Pause for 30 minutes")
    # No event loop turn yet: the local tap alone changes Main Street, and only Main Street.
    assert window.indicator().kind is StateKind.PAUSING
    assert window.indicator().fill is Fill.STRIPED
    assert button(window, MAIN.id).word == "PAUSING…"
    assert button(window, PIZZA.id).word == "ONLINE"
    tap(qtbot, window, "Store: Pizza Nonna")
    assert window.home.status_panel.headline.text() == "ONLINE"
    assert window.store_indicator(MAIN.id).kind in (StateKind.PAUSING, StateKind.PAUSED)
    qtbot.waitUntil(lambda: sim.state(MAIN.id).is_paused, timeout=10_000)
    qtbot.waitUntil(lambda: button(window, MAIN.id).word == "PAUSED", timeout=10_000)
    assert window.home.status_panel.headline.text() == "ONLINE"
    assert sim.state(PIZZA.id).is_online


def test_an_attention_about_a_store_not_shown_names_it_and_marks_its_button(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock, two: Config
) -> None:
    window = make_window(two)
    go_offline(window, qtbot, sim)
    tap(qtbot, window, "Store: Pizza Nonna")
    pause(qtbot, window, "Too busy", "Pause for 15 minutes")
    qtbot.waitUntil(
        lambda: (
            (v := window.store_view(PIZZA.id)) is not None
            and v.pending is not None
            and v.pending.attempts > 0
        ),
        timeout=10_000,
    )
    tap(qtbot, window, "Store: Main Street")
    clock.advance(16 * 60)
    sim.come_back()
    window.session.poke()
    qtbot.waitUntil(window.home.attention_banner.isVisible, timeout=10_000)
    assert window.home.attention_banner.text.text().startswith("Pizza Nonna: A pause was not sent")
    assert button(window, PIZZA.id).alert is not None
    assert "Needs attention" in button(window, PIZZA.id).accessibleDescription()
    assert button(window, MAIN.id).alert is None
    tap(qtbot, window, "Store: Pizza Nonna")  # looked at: the mark goes
    assert button(window, PIZZA.id).alert is None


@pytest.mark.parametrize("size", SIZES)
def test_store_bar_fits_with_big_named_targets(
    make_window: MakeWindow, qtbot: QtBot, four: Config, size: tuple[int, int]
) -> None:
    window = make_window(four, size=size)
    for selected in ("Store: Taco Loco", "All stores"):
        tap(qtbot, window, selected)
        for _ in range(3):
            qtbot.wait(0)  # let the layout settle (no timed wait)
        visible = [b for b in window.findChildren(QAbstractButton) if b.isVisible()]
        small = [
            f"{b.accessibleName()} {b.size().toTuple()}"
            for b in visible
            if min(b.width(), b.height()) < 64
        ]
        assert not small, "\n".join(small)
        names = {b.accessibleName() for b in visible}
        assert {f"Store: {s.name}" for s in STORES} | {"All stores"} <= names
        for store_button in [
            *window.home.store_bar.buttons.values(),
            window.home.store_bar.all_button,
        ]:
            top_left = store_button.mapTo(window, QPoint(0, 0))
            assert top_left.x() >= 0 and top_left.x() + store_button.width() <= size[0], (
                f"{store_button.accessibleName()} is cut off at {size}"
            )
        assert window.home.status_panel.height() >= 80, f"the panel is squeezed at {size}"
    for widget in [*window.findChildren(QAbstractButton), *window.findChildren(QLineEdit)]:
        assert widget.accessibleName(), f"unnamed control: {widget!r}"


def open_settings(qtbot: QtBot, window: MainWindow) -> None:
    tap(qtbot, window, "Manager")
    for digit in PIN:
        tap(qtbot, window, f"PIN digit {digit}")
    tap(qtbot, window, "PIN OK")
    assert window.current_page() is Page.SETTINGS


def test_settings_edit_every_store_behind_the_one_pin(
    make_window: MakeWindow, qtbot: QtBot, two: Config, tmp_path: Path
) -> None:
    window = make_window(two)
    open_settings(qtbot, window)
    form = window.settings_page.form
    assert [(r.id.text(), r.name.text()) for r in form.rows] == [
        (MAIN.id, "Main Street"),
        (PIZZA.id, "Pizza Nonna"),
    ]
    form.rows[0].name.setText("Main Street Burgers")
    form.rows[1].name.setText("Nonna's Pizza")
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: window.current_page() is Page.HOME, timeout=10_000)
    assert [s.name for s in window.config.stores] == ["Main Street Burgers", "Nonna's Pizza"]
    saved = load_config(tmp_path / "config.toml", env={})
    assert [(s.id, s.name) for s in saved.stores] == [
        (STORE, "Main Street Burgers"),
        (PIZZA.id, "Nonna's Pizza"),
    ]
    qtbot.waitUntil(lambda: window.host is not None, timeout=10_000)
    assert find(window, "Store: Nonna's Pizza").isVisible()


def test_settings_add_and_remove_stores(
    make_window: MakeWindow, qtbot: QtBot, two: Config, tmp_path: Path
) -> None:
    window = make_window(two)
    open_settings(qtbot, window)
    form = window.settings_page.form
    tap(qtbot, window, "Add a store")
    assert len(form.rows) == 3
    green = STORES[2]
    form.rows[2].id.setText(green.id.upper())  # ids are kept in their canonical form
    form.rows[2].name.setText("  Green Bowl ")
    tap(qtbot, window, "Remove store 1")  # Main Street goes; the others move up
    assert [r.name.text() for r in form.rows] == ["Pizza Nonna", "  Green Bowl "]
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: window.current_page() is Page.HOME, timeout=10_000)
    saved = load_config(tmp_path / "config.toml", env={})
    assert [(s.id, s.name) for s in saved.stores] == [
        (PIZZA.id, "Pizza Nonna"),
        (green.id, "Green Bowl"),
    ]


def test_settings_refuse_a_bad_or_repeated_store_id_and_name_the_row(
    make_window: MakeWindow, qtbot: QtBot, two: Config, tmp_path: Path
) -> None:
    window = make_window(two)
    open_settings(qtbot, window)
    form = window.settings_page.form
    form.rows[1].id.setText(MAIN.id)
    tap(qtbot, window, "Save settings")
    assert window.current_page() is Page.SETTINGS
    assert "Store 2 has the same id as another store" in window.settings_page.error.text()
    form.rows[1].id.setText("not-a-uuid")
    tap(qtbot, window, "Save settings")
    assert window.current_page() is Page.SETTINGS
    assert "Store 2 id" in window.settings_page.error.text()
    assert "is not a store id" in window.settings_page.error.text()
    tap(qtbot, window, "Add a store")  # an added row left empty is not a store
    form.rows[1].id.setText(PIZZA.id)
    tap(qtbot, window, "Save settings")
    qtbot.waitUntil(lambda: window.current_page() is Page.HOME, timeout=10_000)
    assert [s.id for s in window.config.stores] == [MAIN.id, PIZZA.id]
    assert [s.id for s in load_config(tmp_path / "config.toml", env={}).stores] == [
        MAIN.id,
        PIZZA.id,
    ]


def test_settings_test_connection_checks_every_store(
    make_window: MakeWindow, qtbot: QtBot, two: Config
) -> None:
    window = make_window(two)
    open_settings(qtbot, window)
    form = window.settings_page.form
    tap(qtbot, window, "Add a store")
    form.rows[2].id.setText("00000000-0000-4000-8000-000000000000")  # not a store Gett knows
    form.rows[2].name.setText("Nowhere")
    tap(qtbot, window, "Test connection")
    qtbot.waitUntil(lambda: "Nowhere:" in form.test_result.text(), timeout=15_000)
    lines = form.test_result.text().splitlines()
    assert lines[0].startswith("Main Street: Connected.")
    assert lines[1].startswith("Pizza Nonna: Connected.")
    assert lines[2].startswith("Nowhere:") and "Connected" not in lines[2]
    assert form.test_result.objectName() == "Error"


def posts_for(sim: Simulator, store_id: str) -> list[object]:
    return [r.body for r in sim.requests if r.method == "POST" and store_id in r.path]


def test_pause_all_leaves_out_a_store_whose_state_is_not_known(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock, two: Config
) -> None:
    # The kiosk last saw Main Street online; it never saw Pizza, which was paused in the
    # portal. It starts offline.
    with Outbox(two.data_dir, clock=clock) as outbox:
        outbox.save_last_status(MAIN.id, StoreStatus(StoreState.ONLINE), clock.now())
    sim.set_state(
        PIZZA.id, StoreStatus(StoreState.PAUSED, PauseReason.MAINTENANCE, clock.now(), None)
    )
    sim.go_down()
    window = make_window(two, wait_status=False)
    qtbot.waitUntil(
        lambda: (view := window.store_view(MAIN.id)) is not None and view.confirmed is not None,
        timeout=5000,
    )
    tap(qtbot, window, "All stores")
    pause(qtbot, window, "Too busy", "Pause for 30 minutes")
    sim.come_back()
    window.session.poke()
    qtbot.waitUntil(lambda: sim.state(MAIN.id).is_paused, timeout=10_000)
    view = window.store_view(PIZZA.id)
    assert view is None or view.pending is None  # nothing was queued for Pizza
    assert posts_for(sim, PIZZA.id) == []
    assert sim.state(PIZZA.id).reason is PauseReason.MAINTENANCE


def test_pause_all_asks_again_who_is_still_pausable_at_the_second_tap(
    make_window: MakeWindow, qtbot: QtBot, sim: Simulator, clock: FakeClock, two: Config
) -> None:
    window = make_window(two)
    tap(qtbot, window, "All stores")
    tap(qtbot, window, "Pause: Too busy")  # both stores online at this moment
    sim.set_state(
        PIZZA.id, StoreStatus(StoreState.PAUSED, PauseReason.MAINTENANCE, clock.now(), None)
    )
    assert window.host is not None
    window.host.refresh_requested.emit()
    qtbot.waitUntil(
        lambda: window.store_indicator(PIZZA.id).kind is StateKind.PAUSED, timeout=10_000
    )
    tap(qtbot, window, "Pause for 30 minutes")
    qtbot.waitUntil(
        lambda: (
            sim.state(MAIN.id).is_paused
            and (v := window.store_view(MAIN.id)) is not None
            and v.pending is None
        ),
        timeout=10_000,
    )
    assert posts_for(sim, PIZZA.id) == []  # the pause set elsewhere meanwhile is kept
    assert sim.state(PIZZA.id).reason is PauseReason.MAINTENANCE
