"""Issue 11 on screen: every language's words fit, right-to-left mirrors, the script's fonts
render with no system font, and a language chosen in Settings applies at once.

The fit test runs on whatever the catalogs hold (re-run it after new translations land); its
own honesty is checked by lengthening real widgets' words until they cannot fit. Run time on
2 shared cores: ~14 s for the fit test (4 languages x every gallery state x 2 sizes, ~3.5 s a
language), ~3 s for the rest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.core import i18n
from kiosk.core.config import Config
from kiosk.core.models import PauseReason
from kiosk.ui import gallery, language
from kiosk.ui.main_window import MainWindow
from kiosk.ui.theme import Theme
from tests.ui.conftest import MakeWindow, with_ui
from tests.ui.fit import problems

FIT_SIZES = ((800, 480), (1280, 800))
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def back_to_english(qapp: QApplication) -> Iterator[None]:
    """Every test here changes the process's language: the next test starts in English."""
    yield
    language.activate("en")
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight


@pytest.mark.parametrize("code", i18n.LANGUAGES)
def test_every_gallery_state_fits_in_every_language(code: str) -> None:
    found: list[str] = []
    seen: list[str] = []

    def visit(name: str, width: int, height: int, window: MainWindow) -> None:
        seen.append(name)
        found.extend(f"{name} {width}x{height}: {p}" for p in problems(window))

    gallery.walk(visit, code, sizes=FIT_SIZES)
    assert len(set(seen)) >= 29, "the gallery lost its states"
    assert not found, f"words that do not fit in {code}:\n" + "\n".join(found)


def test_the_fit_check_finds_words_too_long_for_their_widget() -> None:
    """The check is not blind: a real screen's button and wrapped label, given words they
    cannot hold, are named; the same widgets with their own words pass."""
    results: dict[str, list[str]] = {}

    def visit(name: str, width: int, height: int, window: MainWindow) -> None:
        results["before"] = problems(window)
        resume = window.home.resume_button
        resume.setText("RESUME NOW AND TAKE ORDERS AGAIN FROM EVERY PLATFORM AT ONCE " * 2)
        status = next(
            w
            for w in window.findChildren(QLabel)
            if w.isVisible() and w.wordWrap() and w.text().startswith("Paused since")
        )
        status.setText(" ".join(["Paused since 13:26 by the manager of the kitchen"] * 12))
        results["after"] = problems(window)

    gallery.walk(visit, "en", sizes=((800, 480),), only=lambda name: name == "paused")
    assert results["before"] == []
    after = "\n".join(results["after"])
    assert "Resume now" in after or "RESUME NOW" in after, after
    assert "needs" in after and "of height" in after, after  # the wrapped label, too tall


def test_the_fit_check_finds_a_label_wider_than_itself(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(400, 200)
    label = QLabel("Resumes at 14:30 (in 23 min)", host)
    label.resize(120, 40)
    button = QPushButton("Pause until I resume", host)
    button.resize(90, 64)
    host.show()
    found = problems(host)
    assert len(found) == 2, found
    label.resize(label.sizeHint().width() + 4, 40)
    button.resize(button.sizeHint())
    assert problems(host) == []


def _geometry(code: str) -> dict[str, list[tuple[str, float]]]:
    """Where the home screen's top bar and reason buttons are, in window x (centres)."""
    out: dict[str, list[tuple[str, float]]] = {}

    def visit(name: str, width: int, height: int, window: MainWindow) -> None:
        home = window.home

        def centre(widget: QWidget) -> float:
            return float(widget.mapTo(window, widget.rect().center()).x())

        out["top"] = [
            (n, centre(w))
            for n, w in (
                ("store", home.store_name),
                ("connection", home.connection_line),
                ("clock", home.clock),
                ("log", home.log_button),
                ("manager", home.manager_button),
            )
        ]
        out["reasons"] = [(r.value, centre(b)) for r, b in home.reasons.buttons.items()]
        out["width"] = [("", float(width))]

    gallery.walk(visit, code, sizes=((1280, 800),), only=lambda name: name == "online")
    return out


def test_right_to_left_mirrors_the_top_bar_and_the_reason_buttons() -> None:
    en, he = _geometry("en"), _geometry("he")
    width = en["width"][0][1]
    for part in ("top", "reasons"):
        en_order = [n for n, _ in sorted(en[part], key=lambda item: item[1])]
        he_order = [n for n, _ in sorted(he[part], key=lambda item: item[1])]
        assert he_order == en_order[::-1], (part, en_order, he_order)
    # The same words in both (until the Hebrew arrives): each sits at the mirrored place.
    for (name, x_en), (_, x_he) in zip(en["reasons"], he["reasons"], strict=True):
        assert abs((width - x_en) - x_he) <= 2, (name, x_en, x_he)
    en_top, he_top = dict(en["top"]), dict(he["top"])
    assert en_top["store"] < width / 2 < he_top["store"]
    assert he_top["manager"] < width / 2 < en_top["manager"]


def test_a_time_keeps_hours_on_the_left_in_right_to_left() -> None:
    """The custom time's hour and minute columns: 15:10 in Hebrew too, never 10:15 (the page
    around them mirrors: the back button moves to the right)."""
    seen: dict[str, tuple[int, int, int]] = {}

    def visit(name: str, width: int, height: int, window: MainWindow) -> None:
        picker = window.custom_picker

        def x(widget: QWidget) -> int:
            return widget.mapTo(window, widget.rect().center()).x()

        back = next(b for b in picker.findChildren(QPushButton) if b.isVisible())
        seen[i18n.language()] = (x(picker.hour_label), x(picker.minute_label), x(back))

    for code in ("en", "he"):
        gallery.walk(visit, code, sizes=((800, 480),), only=lambda name: name == "custom-time")
    for code in ("en", "he"):
        hour, minute, _back = seen[code]
        assert hour < minute, (code, seen)
    assert seen["en"][2] < 400 < seen["he"][2]


def test_the_pin_pad_keeps_1_2_3_from_the_left_in_right_to_left() -> None:
    order: dict[str, list[str]] = {}

    def visit(name: str, width: int, height: int, window: MainWindow) -> None:
        buttons = window.pin_pad.digit_buttons[:3]  # the first row: 1, 2, 3
        xs = [b.mapTo(window, b.rect().center()).x() for b in buttons]
        order[i18n.language()] = [b.text() for _x, b in sorted(zip(xs, buttons, strict=True))]
        back = window.pin_pad.findChildren(QPushButton)[0]
        order[i18n.language() + "-back"] = [str(back.mapTo(window, back.rect().center()).x())]

    for code in ("en", "he"):
        gallery.walk(visit, code, sizes=((1280, 800),), only=lambda name: name == "pin-pad")
    assert order["en"] == order["he"] == ["1", "2", "3"]
    assert int(order["en-back"][0]) < 640 < int(order["he-back"][0])  # the page still mirrors


def test_all_stores_two_columns_read_right_to_left_in_hebrew() -> None:
    """ "All stores" on a small screen: each store's line in a table cell; a cell starting
    with a (Latin) store name would read left to right, so each starts with a RLM."""
    cells: dict[str, list[str]] = {}

    def visit(name: str, width: int, height: int, window: MainWindow) -> None:
        text = window.home.status_panel.details.text()
        cells[i18n.language()] = text.split("<td width='50%'>")[1:]

    for code in ("en", "he"):
        gallery.walk(visit, code, sizes=((800, 480),), only=lambda n: n == "multi-store-all")
    assert len(cells["he"]) == len(cells["en"]) == 4, cells
    assert all(cell.startswith("\u200f") for cell in cells["he"])
    assert not any(cell.startswith("\u200f") for cell in cells["en"])


def _ink_centre(theme: Theme, name: str) -> float:
    """The x of an icon's ink (alpha-weighted), in pixels from its left edge."""
    image = theme.pixmap(name, 48).toImage()
    total = weighted = 0.0
    for x in range(image.width()):
        for y in range(image.height()):
            alpha = image.pixelColor(x, y).alphaF()
            total += alpha
            weighted += alpha * (x + 0.5)
    return weighted / total


def test_pointing_icons_mirror_in_right_to_left_and_clocks_do_not() -> None:
    theme = Theme()
    en = {name: _ink_centre(theme, name) for name in ("back", "play", "resuming", "clock")}
    language.activate("he")
    he = {name: _ink_centre(Theme(), name) for name in en}
    for name in ("back", "resuming"):  # (play's ring outweighs its small triangle)
        assert abs(en[name] - 24) > 0.5, name  # (an icon that points has its ink off centre)
        assert abs((48 - en[name]) - he[name]) < 0.25, (name, en[name], he[name])
    assert he["clock"] == en["clock"]
    # One theme across a language change: its cache keeps the two directions apart.
    assert abs(_ink_centre(theme, "back") - he["back"]) < 0.01


def test_a_language_chosen_in_settings_applies_at_once_and_keeps_the_worker(
    make_window: MakeWindow, qtbot: QtBot, config: Config
) -> None:
    window = make_window(config)
    extra = QLabel("trainer")  # (the demo's controls in the top bar)
    window.add_top_bar_widget(extra)
    window.confirm_close()  # a prompt built on the old pages...
    assert window._close_prompt is not None
    window._close_prompt.hide()
    session, host, old_home = window.session, window.host, window.home
    window.apply_config(with_ui(config, language="he"), key_changed=False)
    window.confirm_close()  # ...is built again on the new ones
    root = window.centralWidget()
    assert window._close_prompt is not None and root is not None
    assert window._close_prompt.isVisible() and root.isAncestorOf(window._close_prompt)
    window._close_prompt.hide()
    assert i18n.language() == "he"
    assert window.isRightToLeft() and window.home.widget.isRightToLeft()
    assert window.home is not old_home  # the pages were built again, in Hebrew
    assert window.session is session and window.host is host  # the worker carried on
    assert extra.isVisible() and window.home.widget.isAncestorOf(extra)
    # Qt's own words (standard buttons, the text field's menu) in Hebrew too.
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") not in ("", "Cancel")
    # The new pages work (their buttons' names are Hebrew now: tapped by the reason).
    button = window.home.reasons.buttons[PauseReason.TOO_BUSY]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.current_page().value == "resume"
    window.apply_config(with_ui(config, language="en"), key_changed=False)
    assert i18n.language() == "en" and not window.isRightToLeft()
    assert window.current_page().value == "home"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


def test_kiosk_language_beats_the_config(
    monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> None:
    monkeypatch.setenv("KIOSK_LANGUAGE", "ar")
    assert language.apply("he") == "ar"
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    monkeypatch.delenv("KIOSK_LANGUAGE")
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    assert language.apply("system") == "ru"
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_hebrew_and_arabic_render_from_the_shipped_fonts_on_a_pc_without_any(
    tmp_path: Path,
) -> None:
    """A child with a font configuration that knows no fonts at all: the script's letters
    still come out as real glyphs, from the bundled Noto fonts."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    child = textwrap.dedent(
        """
        from PySide6.QtGui import QTextLayout
        from PySide6.QtWidgets import QApplication, QLabel
        app = QApplication([])
        from kiosk.ui import language
        from kiosk.ui.theme import Theme
        for code, text in (("he", "השהה את החנות"), ("ar", "أوقف المتجر مؤقتاً")):
            language.activate(code)
            label = QLabel(text)
            label.setStyleSheet(Theme().stylesheet())
            label.ensurePolished()
            layout = QTextLayout(text, label.font())
            layout.beginLayout(); layout.createLine(); layout.endLayout()
            for run in layout.glyphRuns():
                glyphs = list(run.glyphIndexes())
                print(code, run.rawFont().familyName(), min(glyphs), len(glyphs))
        """
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", child],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = [line.split() for line in done.stdout.splitlines()]
    assert {row[0] for row in rows} == {"he", "ar"}, done.stdout + done.stderr
    for row in rows:
        family = " ".join(row[1:-2])
        assert family == language.FONT_FAMILIES[row[0]], row
        assert int(row[-2]) > 0, row  # glyph 0 is the empty box


def test_the_fit_check_finds_a_field_hint_wider_than_the_field(qtbot: QtBot) -> None:
    """Qt elides a placeholder that does not fit ("...`kiosk ke…"): the check sees it."""
    from PySide6.QtWidgets import QLineEdit

    from tests.ui.fit import placeholder_problem

    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.resize(240, 40)
    edit.setPlaceholderText("enter the API key (leave empty if `kiosk key set` already stored one)")
    assert placeholder_problem(edit) is not None
    edit.setPlaceholderText("the key")
    assert placeholder_problem(edit) is None
    edit.setText("typed")  # a field with text shows no hint
    edit.setPlaceholderText("x" * 200)
    assert placeholder_problem(edit) is None
