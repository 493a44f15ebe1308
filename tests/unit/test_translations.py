"""Every sentence a person sees exists in every shipped language, and no translation can crash.

The words are extracted from the source exactly as ``make translations-update`` does (Babel,
``resources/locale/babel.cfg``), so a new ``_()`` sentence without translations fails here.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kiosk.cli import argparse_words
from kiosk.core import i18n

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "resources" / "locale"
TRANSLATED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]


def _source_messages() -> dict[str | tuple[str, ...], set[str]]:
    """msgid (or (singular, plural)) -> the files it is in."""
    config = LOCALE / "babel.cfg"
    from babel.messages.frontend import parse_mapping_cfg

    with config.open(encoding="utf-8") as stream:
        method_map, options_map = parse_mapping_cfg(stream)
    found: dict[str | tuple[str, ...], set[str]] = {}
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT / "kiosk"), method_map, options_map
    ):
        key = message if isinstance(message, str) else tuple(message)
        if context:
            key = (f"{context}\x04{key}",) if isinstance(key, str) else (context, *key)
        found.setdefault(key, set()).add(filename)
    return found


SOURCE = _source_messages()
ARGPARSE = frozenset(argparse_words.MESSAGES)


def _catalog(code: str) -> Catalog:
    with (LOCALE / code / "LC_MESSAGES" / "kiosk.po").open("rb") as stream:
        return read_po(stream, locale=code)


def _placeholders(text: str) -> set[str]:
    try:
        return {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field}
    except ValueError as exc:
        raise AssertionError(f"not a valid template: {text!r} ({exc})") from exc


#: argparse's %-format fields (``%s``, ``%(name)s``, ``%r``): its msgids are in our catalog.
_PERCENT = re.compile(r"%(?:\([^)]*\))?[sdr%]")


def _percent_fields(text: str) -> list[str]:
    return sorted(_PERCENT.findall(text))


def _key(message: Message) -> str | tuple[str, ...]:
    msgid = message.id
    key: str | tuple[str, ...] = msgid if isinstance(msgid, str) else tuple(msgid)
    if message.context:
        key = (f"{message.context}\x04{key}",) if isinstance(key, str) else (message.context, *key)
    return key


def test_the_source_has_sentences_to_translate() -> None:
    assert "{day} {time}" in SOURCE


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_sentence_is_translated(code: str) -> None:
    catalog = _catalog(code)
    by_key = {_key(m): m for m in catalog if m.id}
    missing = []
    for key, files in sorted(SOURCE.items(), key=lambda item: str(item[0])):
        message = by_key.get(key)
        strings = (
            []
            if message is None
            else ([message.string] if isinstance(message.string, str) else list(message.string))
        )
        if message is None or message.fuzzy or not strings or not all(strings):
            missing.append(f"{key!r} (in {', '.join(sorted(files))})")
    assert not missing, (
        f"{len(missing)} sentence(s) have no {code} translation; run `make translations-update` "
        "and translate them:\n" + "\n".join(missing[:40])
    )


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_their_placeholders(code: str) -> None:
    """A translation that names another placeholder would raise KeyError on the screen."""
    catalog = _catalog(code)
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        if isinstance(message.id, str):
            if message.id in ARGPARSE:  # argparse fills these with %, not .format()
                if _percent_fields(message.id) != _percent_fields(str(message.string)):
                    wrong.append(message.id)
                continue
            source = _placeholders(message.id)
            if _placeholders(str(message.string)) != source:
                wrong.append(message.id)
            continue
        allowed = _placeholders(message.id[0]) | _placeholders(message.id[1])
        for form in message.string:
            # A form may leave the count out ("one minute"), never add a field of its own.
            if not _placeholders(form) <= allowed:
                wrong.append(message.id[0])
    assert not wrong, f"{code}: placeholders differ from the English: {wrong}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_plural_entries_have_every_form_of_the_language(code: str) -> None:
    catalog = _catalog(code)
    for message in catalog:
        if message.id and not isinstance(message.id, str) and message.string:
            assert len(message.string) == catalog.num_plurals, (code, message.id)
    # The header's rule is CLDR's (Babel wrote it), so Arabic has all six forms.
    assert catalog.num_plurals == {"he": 3, "ar": 6, "ru": 3}[code]


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalog_is_the_one_in_git(code: str) -> None:
    """`make` compiles .po to .mo; a stale .mo would show yesterday's words."""
    po = LOCALE / code / "LC_MESSAGES" / "kiosk.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make translations`"
    assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older than its .po: run make"


def test_no_sentence_is_glued_from_pieces() -> None:
    """A sentence ending or starting in a space was made to be glued to another one."""
    glued = [
        key
        for key in SOURCE
        if isinstance(key, str)
        and key != key.strip()
        and not re.fullmatch(r"\s*", key)
        and key not in ARGPARSE  # argparse's "usage: " is its own prefix
    ]
    assert not glued, f"build whole sentences with placeholders instead: {glued}"
