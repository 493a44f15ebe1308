"""The screen's sentence templates format in every language, whatever goes into them.

A translation that names a placeholder the code does not pass, or a stray brace, would raise on
the kiosk in the middle of a shift; store names and server text may hold braces, bidi marks or
anything else. Every template of the touchscreen's own files (``kiosk/ui`` but the settings,
setup, app, theme and gallery modules, which other parts of issue 11 cover) is formatted here
with Hypothesis' values, in every shipped language and for counts across each plural rule.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core import i18n
from kiosk.core.config import Store
from kiosk.core.models import StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.sync import Connectivity, Link, StoreView
from kiosk.ui.view_model import LocalTime, describe_connection, short_words, some_paused

ROOT = Path(__file__).resolve().parents[2]
NOT_OURS = {
    "settings_dialog.py",
    "kitchen_settings.py",
    "setup_screen.py",
    "app.py",
    "gallery.py",
    "theme.py",
}
FILES = sorted(p for p in (ROOT / "kiosk" / "ui").glob("*.py") if p.name not in NOT_OURS)


def _templates() -> tuple[list[str | tuple[str, str]], list[tuple[str, str]]]:
    """(templates, (context, word) pairs of the words that have a context)."""
    found: dict[str | tuple[str, str], None] = {}
    contexts: dict[tuple[str, str], None] = {}
    for path in FILES:
        for _line, message, _comments, context in extract_from_file("python", str(path)):
            if context:
                assert isinstance(message, str)
                contexts[(context, message)] = None
                continue
            key = message if isinstance(message, str) else (message[0], message[1])
            found[key] = None
    return list(found), list(contexts)


TEMPLATES, IN_CONTEXT = _templates()
#: Counts that reach every plural form of Hebrew, Arabic and Russian (0, 1, 2, 3-10, 11-99,
#: 100+, 21, 101...).
COUNTS = (0, 1, 2, 3, 5, 11, 21, 22, 25, 99, 100, 101, 111, 1_000_000)


def _fields(text: str) -> set[str]:
    return {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field}


@pytest.fixture(params=i18n.LANGUAGES)
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    i18n.use(request.param)
    yield request.param
    i18n.use("en")


def test_the_screen_has_templates() -> None:
    assert len(TEMPLATES) > 250
    assert ("reason button", "Too busy") in IN_CONTEXT
    assert ("{n} store", "{n} stores") in TEMPLATES
    assert "until {time} (in {duration})" in TEMPLATES


@pytest.mark.parametrize("code", i18n.LANGUAGES)
@settings(max_examples=40, deadline=None)
@given(value=st.text(max_size=40), number=st.integers(min_value=0, max_value=10**9))
def test_every_template_formats_for_any_value(code: str, value: str, number: int) -> None:
    i18n.use(code)
    try:
        _format_all(code, value, number)
    finally:
        i18n.use("en")


def _format_all(language: str, value: str, number: int) -> None:
    for template in TEMPLATES:
        if isinstance(template, str):
            shown = i18n._(template)
            fields = _fields(template)
            values = {f: value for f in fields}
            out = shown.format(**values)
            if value and "{" not in value and "}" not in value:
                # A single-template sentence keeps everything it is given.
                assert all(out.count(value) >= 1 for _f in fields), (language, template)
            continue
        singular, plural = template
        fields = _fields(singular) | _fields(plural)
        for n in (*COUNTS, number):
            shown = i18n.ngettext(singular, plural, n)
            values = {f: (i18n.ltr(n) if f in {"n", "count"} else value) for f in fields}
            shown.format(**values)  # raises on a field the code does not pass


def _words(template: str) -> set[str]:
    """The Latin words of a template outside its placeholders, but Gett, API and PIN."""
    literal = " ".join(lit for lit, _f, _s, _c in string.Formatter().parse(template))
    return set(re.findall(r"[A-Za-z]+", literal)) - {"Gett", "API", "PIN"}


def test_every_sentence_with_words_is_translated(language: str) -> None:
    """Not English in disguise: a template with words reads differently in the others."""
    if language == "en":
        return
    same = [t for t in TEMPLATES if isinstance(t, str) and _words(t) and i18n._(t) == t]
    same += [w for c, w in IN_CONTEXT if i18n.pgettext(c, w) == w and _words(w)]
    assert not same, f"{language}: shown in English: {same[:10]}"


def test_a_state_word_long_in_one_language_gets_a_shorter_form_there() -> None:
    """ "PAUSED" is short in English but "متوقف مؤقتًا" in Arabic: a narrow store button there
    falls back to "متوقف"; English keeps its one form (and the summary's "2 OF 4 PAUSED" its
    own short form in every language)."""

    assert short_words("PAUSED") == ("PAUSED",)
    i18n.use("ar")
    try:
        paused = i18n._("PAUSED")
        assert short_words(paused) == (paused, "متوقف")
        forms = short_words(some_paused(2, 4))
        assert len(forms) == 2 and len(forms[1]) < len(forms[0])
    finally:
        i18n.use("en")


def test_times_follow_the_language_and_stay_left_to_right() -> None:
    """ "tomorrow 09:00" is one template, a later day is in the language's own words, and the
    clock keeps its digits left to right inside right-to-left text."""

    lt, now = LocalTime(UTC), datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    tomorrow, later = (
        datetime(2026, 1, 16, 9, 0, tzinfo=UTC),
        datetime(2026, 1, 17, 9, 0, tzinfo=UTC),
    )
    assert lt.clock_on(tomorrow, now) == "tomorrow 09:00"
    assert "Jan" in lt.clock_on(later, now) and "09:00" in lt.clock_on(later, now)
    i18n.use("he")
    try:
        assert lt.clock_on(now, now) == f"{i18n.LRI}12:00{i18n.PDI}"
        assert lt.clock_on(tomorrow, now) == f"מחר {i18n.LRI}09:00{i18n.PDI}"
        day = lt.clock_on(later, now)
        assert "בינו׳" in day or "ינואר" in day, day  # CLDR's Hebrew month, not "Jan"
        assert f"{i18n.LRI}09:00{i18n.PDI}" in day
    finally:
        i18n.use("en")


@pytest.mark.parametrize(
    ("waiting", "words"),
    [(1, "1 изменение ожидает"), (3, "3 изменения ожидают"), (5, "5 изменений ожидают"),
     (21, "21 изменение ожидает")],
)  # fmt: skip
def test_the_offline_banner_counts_in_russian_plural_forms(waiting: int, words: str) -> None:

    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def pending(n: int) -> StoreView:
        update = StoreStatusUpdate.resume()
        intent = Intent(
            id=n, store_id=f"s{n}", update=update, created_at=now, origin="ui",
            state=IntentState.PENDING, attempts=1, next_attempt_at=now + timedelta(seconds=20),
            verify_first=False, last_error=None, last_error_kind=None, finished_at=None,
            base=None, confirmed=None,
        )  # fmt: skip
        return StoreView(Store(f"s{n}", f"Store {n}"), None, None, intent, None)

    i18n.use("ru")
    try:
        info = describe_connection(
            Connectivity(Link.OFFLINE, now, "refused"), [pending(n) for n in range(waiting)], now
        )
        assert info.banner is not None and words in info.banner, info.banner
        assert info.line.startswith("Нет связи · ")
    finally:
        i18n.use("en")


def test_the_short_fraction_stays_one_left_to_right_run_in_hebrew() -> None:
    """ "2/4" with each number isolated on its own reads "4/2" in a right-to-left line."""
    i18n.use("he")
    try:
        short = short_words(some_paused(2, 4))[1]
        assert i18n.ltr("2/4") in short
    finally:
        i18n.use("en")
