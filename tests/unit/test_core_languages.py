"""The core's and the CLI's words in every shipped language, looked up through the real catalogs.

Tables (outcomes, attention titles, manager words, pause reasons) are translated when read, so a
language chosen after import applies; every translated template formats for any values; the
terminal drops our bidi isolates and still escapes everything else.
"""

from __future__ import annotations

import io
import string
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.cli.main import Cli
from kiosk.cli.render import TerminalWriter
from kiosk.core import i18n
from kiosk.core.keystore import MemoryKeyStore
from kiosk.core.lease import Holder
from kiosk.core.models import PauseReason
from kiosk.core.outbox import IntentState
from kiosk.core.pin import format_wait
from kiosk.core.recovery import Notice
from kiosk.core.sync import AttentionKind
from kiosk.core.words import (
    MANAGER_WORDS,
    attention_title,
    describe_offset,
    format_duration,
    manager_words,
    outcome,
    reason_text,
)

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    i18n.use("en")


def _table_words() -> list[str]:
    """Every table word the core shows, in the language in use."""
    return [
        *(outcome(state) for state in IntentState),
        outcome(IntentState.SUPERSEDED, sent=True),
        *(attention_title(kind) for kind in AttentionKind),
        *(manager_words(kind) or "" for kind in MANAGER_WORDS),
        *(reason.label for reason in PauseReason),
        reason_text(None),
        Holder(pid=None, role="app").describe(),
        Holder(pid=None, role="cli").describe(),
        Holder(pid=None, role="other").describe(),
    ]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_table_word_has_a_translation_chosen_after_import(code: str) -> None:
    i18n.use("en")
    english = _table_words()
    i18n.use(code)
    translated = _table_words()
    untranslated = [e for e, t in zip(english, translated, strict=True) if not t or t == e]
    assert not untranslated, f"{code}: {untranslated}"
    i18n.use("en")
    assert _table_words() == english  # switching back gives the English again


def test_the_glossary_words_are_the_ones_shown() -> None:
    i18n.use("he")
    assert outcome(IntentState.DELIVERED) == "אושר על ידי Gett"
    assert PauseReason.TOO_BUSY.label == "עומס"
    assert attention_title(AttentionKind.CONFLICT) == "שונה ממקום אחר"
    i18n.use("ar")
    assert outcome(IntentState.PENDING) == "بانتظار الإرسال"
    i18n.use("ru")
    assert PauseReason.STAFF_SHORTAGE.label == "Не хватает персонала"


def _templates() -> list[tuple[str, tuple[str, ...]]]:
    """(language, every translated form of one message) for the core's and CLI's messages."""
    found = []
    for code in TRANSLATED:
        path = ROOT / "resources" / "locale" / code / "LC_MESSAGES" / "kiosk.po"
        with path.open("rb") as stream:
            catalog = read_po(stream, locale=code)
        for message in catalog:
            if not message.id or not message.string:
                continue
            forms = (message.string,) if isinstance(message.string, str) else message.string
            found.append((code, tuple(forms)))
    return found


TEMPLATES = _templates()


def _fields(template: str) -> set[str]:
    return {name for _l, name, _s, _c in string.Formatter().parse(template) if name}


@settings(max_examples=25, deadline=None)
@given(value=st.text(max_size=30))
def test_every_translated_template_formats_for_any_value(value: str) -> None:
    assert len(TEMPLATES) > 200 * len(TRANSLATED) // 3
    for _code, forms in TEMPLATES:
        for form in forms:
            names = _fields(form)
            text = form.format(**dict.fromkeys(names, value))
            if value and names:
                assert value in text


@settings(max_examples=60, deadline=None)
@given(
    code=st.sampled_from(i18n.LANGUAGES),
    seconds=st.floats(min_value=0, max_value=8 * 86400, allow_nan=False),
    offset=st.floats(min_value=-30 * 86400, max_value=30 * 86400, allow_nan=False),
    count=st.integers(min_value=0, max_value=10**6),
)
def test_the_core_sentences_build_in_every_language(
    code: str, seconds: float, offset: float, count: int
) -> None:
    i18n.use(code)
    assert format_duration(seconds)
    assert format_wait(seconds)
    for short in (False, True):
        words = describe_offset(offset, short=short)
        assert words is None or "{" not in words
    notice = Notice(
        moved_to="/data/queue.db.damaged",
        at="2026-01-15 14:00",
        waiting=count,
        history=count // 3,
        unreadable=count % 4,
    ).message()
    assert "kiosk queue ack" in notice and "{" not in notice
    assert str(count) in notice


def test_the_terminal_drops_our_isolates_and_escapes_the_rest() -> None:
    stream = io.StringIO()
    writer = TerminalWriter(stream)
    i18n.use("he")
    writer.write(i18n.clock(datetime(2026, 1, 15, 14, 30, tzinfo=UTC)))
    writer.write(" " + i18n.isolate("Main St\x1b[2J\u202e"))
    assert stream.getvalue() == "14:30 Main St\\x1b[2J\\u202e"


def _cli(tmp_path: Path, lang: str, stdout: io.StringIO, stderr: io.StringIO) -> Cli:
    env = {
        "LANG": lang,
        "KIOSK_CONFIG": str(tmp_path / "absent.toml"),
        "KIOSK_DATA_DIR": str(tmp_path / "data"),
        "KIOSK_STORE_ID": "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c",
    }
    return Cli(keystore=MemoryKeyStore(), env=env, stdout=stdout, stderr=stderr)


def test_the_command_speaks_lang_json_stays_english_and_the_language_is_restored(
    tmp_path: Path,
) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert _cli(tmp_path, "ru_RU.UTF-8", out, err).run(["history", "--limit", "0"]) == 2
    assert err.getvalue() == "kiosk: --limit должен быть не меньше 1.\n"
    assert i18n.language() == "en"  # the command's language does not outlive it

    out, err = io.StringIO(), io.StringIO()
    assert _cli(tmp_path, "ru_RU.UTF-8", out, err).run(["history", "--limit", "0", "--json"]) == 2
    assert '"message": "--limit must be at least 1."' in out.getvalue()
    assert err.getvalue() == "kiosk: --limit must be at least 1.\n"

    i18n.use("he")  # a language already in use (the app's) comes back after a command
    _cli(tmp_path, "C", io.StringIO(), io.StringIO()).run(["history", "--limit", "0"])
    assert i18n.language() == "he"
