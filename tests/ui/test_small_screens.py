"""Item 9: four stores at 800x480 stay readable (nothing below 20 px, no badge over the words),
and a portrait screen gives its height to big reason buttons. Real windows, real taps."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config
from kiosk.simulator.server import Simulator
from kiosk.ui.main_window import MainWindow
from kiosk.ui.store_bar import StoreButton
from kiosk.ui.theme import MIN_TEXT_PX
from kiosk.ui.view_model import short_words
from tests.ui.conftest import STORES, MakeWindow, tap


@pytest.fixture
def sim_store_ids() -> tuple[str, ...]:
    return tuple(s.id for s in STORES)


def painted(button: StoreButton) -> StoreButton:
    button.grab()  # paint now, as the screen would
    return button


def check_bar(window: MainWindow) -> None:
    bar = window.home.store_bar
    for button in (*bar.buttons.values(), bar.all_button):
        painted(button)
        _name, word, word_px, name_px = button.shown_texts
        assert name_px >= MIN_TEXT_PX and word_px >= MIN_TEXT_PX, button.accessibleName()
        assert word in short_words(button.word), (word, button.word)
        rects = button.shown_rects
        for badge in ("check", "warning"):
            if badge in rects:
                assert not rects[badge].intersects(rects["word"]), button.accessibleName()
                assert not rects[badge].intersects(rects["name"]), button.accessibleName()
        assert button.rect().toRectF().contains(rects["word"]), button.accessibleName()


def test_four_stores_at_800x480_nothing_below_20px_and_no_badge_over_words(
    make_window: MakeWindow, qtbot: QtBot, config: Config, sim: Simulator
) -> None:
    window = make_window(replace(config, stores=STORES), size=(800, 480))
    check_bar(window)
    tap(qtbot, window, "Store: Pizza Nonna")
    tap(qtbot, window, "Pause: Too busy")
    tap(qtbot, window, "Pause until I resume")
    pizza = window.home.store_bar.buttons[STORES[1].id]
    qtbot.waitUntil(lambda: pizza.word in ("PAUSING…", "PAUSED"), timeout=10_000)
    assert pizza.selected
    check_bar(window)
    assert "check" in pizza.shown_rects  # the selected one is marked, beside the words
    tap(qtbot, window, "All stores")
    check_bar(window)
    panel = window.home.status_panel
    shown = panel.details.text()
    assert all(store.name in shown for store in STORES), shown  # every store's line, not one
    assert panel.details.isVisible() and min(panel._sizes) >= MIN_TEXT_PX
    box = panel.details.geometry()
    assert panel.rect().contains(box), (box, panel.rect())  # inside the panel, not cut off
    big = [window.resize(1920, 1080), painted(pizza).shown_texts][1]
    assert big[2] > MIN_TEXT_PX and big[3] > MIN_TEXT_PX  # a big screen: bigger words


def reason_sizes(window: MainWindow) -> tuple[int, int]:
    button = window.home.reasons.buttons[next(iter(window.home.reasons.buttons))]
    assert isinstance(button, QToolButton)
    return button.height(), button.font().pixelSize()


def test_portrait_gives_the_reason_buttons_height_and_bigger_words(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(size=(800, 480))
    _low_height, low_px = reason_sizes(window)
    window.resize(800, 1280)
    qtbot.waitUntil(lambda: reason_sizes(window)[0] > 150, timeout=5_000)
    height, px = reason_sizes(window)
    panel = window.home.status_panel.height()
    assert px > low_px >= MIN_TEXT_PX
    assert height >= 150 and panel < 1280 * 0.6, (height, panel)
    tap(qtbot, window, "Pause: Too busy")  # still a working button
    qtbot.waitUntil(lambda: window.current_page().value != "Home", timeout=5_000)
