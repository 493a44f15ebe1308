"""Choosing the language: whatever the environment or config holds, a shipped one is picked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core import i18n
from kiosk.core.config import ConfigError, load_config, parse_config, save_config


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    i18n.use("en")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("he_IL.UTF-8", "he"),
        ("he", "he"),
        ("iw_IL", "he"),
        ("ar_IL.utf8", "ar"),
        ("ar-EG", "ar"),
        ("ru_RU.UTF-8@euro", "ru"),
        ("Hebrew_Israel", "he"),
        ("en_GB", "en"),
        ("C.UTF-8", "en"),
        ("POSIX", "en"),
        ("fr_FR.UTF-8", None),
        ("", None),
        (None, None),
        ("he" * 40, None),
    ],
)
def test_normalise(value: str | None, code: str | None) -> None:
    assert i18n.normalise(value) == code


@pytest.mark.parametrize(
    ("env", "configured", "code"),
    [
        ({}, None, "en"),
        ({"LANG": "he_IL.UTF-8"}, None, "he"),
        ({"LANG": "he_IL.UTF-8", "LC_MESSAGES": "ru_RU.UTF-8"}, None, "ru"),
        ({"LANG": "he_IL.UTF-8", "LC_ALL": "ar_IL.UTF-8"}, None, "ar"),
        ({"LANGUAGE": "fr:ru:he", "LANG": "he_IL.UTF-8"}, None, "ru"),
        ({"LANG": "he_IL.UTF-8"}, "ar", "ar"),
        ({"LANG": "he_IL.UTF-8"}, "system", "he"),
        ({"KIOSK_LANGUAGE": "ru", "LANG": "he_IL.UTF-8"}, "ar", "ru"),
        ({"KIOSK_LANGUAGE": "klingon", "LANG": "he_IL.UTF-8"}, None, "he"),
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "he_IL.UTF-8"}, None, "en"),
    ],
)
def test_choose(env: dict[str, str], configured: str | None, code: str) -> None:
    assert i18n.choose(configured, environ=env, system=None) == code


@given(
    st.dictionaries(st.sampled_from(i18n.LANGUAGE_VARIABLES), st.text(max_size=80)),
    st.one_of(st.none(), st.text(max_size=80)),
)
def test_choose_always_gives_a_shipped_language(
    env: dict[str, str], configured: str | None
) -> None:
    assert i18n.choose(configured, environ=env) in i18n.LANGUAGES


def test_use_switches_every_later_call_and_keeps_english_for_anything_else() -> None:
    assert i18n.use("he_IL.UTF-8") == "he"
    assert i18n.language() == "he"
    assert i18n.is_rtl()
    assert i18n.use("xx") == "en"
    assert not i18n.is_rtl()


def test_numbers_are_isolated_only_in_right_to_left_languages() -> None:
    when = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
    assert i18n.clock(when) == "14:30"
    i18n.use("ar")
    assert i18n.clock(when) == "\u206614:30\u2069"
    assert i18n.strip_isolates(i18n.clock(when)) == "14:30"


def test_a_date_is_in_the_languages_own_words() -> None:
    when = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
    assert i18n.day_and_clock(when).startswith("Fri")
    i18n.use("ru")
    assert "нояб" in i18n.day_and_clock(when)
    i18n.use("he")
    assert "נוב" in i18n.day_and_clock(when)


def test_the_config_names_the_language_and_refuses_one_not_shipped(tmp_path: Path) -> None:
    config = parse_config({"ui": {"language": " HE "}})
    assert config.ui.language == "he"
    path = tmp_path / "config.toml"
    save_config(config, path)
    assert load_config(path, env={}).ui.language == "he"
    assert parse_config({}).ui.language == "system"
    with pytest.raises(ConfigError, match=r"ui\.language"):
        parse_config({"ui": {"language": "fr"}})
    with pytest.raises(ConfigError, match=r"ui\.language"):
        parse_config({"ui": {"language": 7}})


def test_a_right_to_left_line_that_starts_with_a_latin_word_still_reads_right_to_left() -> None:
    """ "Gett לא קיבלו את מפתח ה-API" would be laid out left to right (its first strong letter is
    Latin): the catalog leads such lines with a right-to-left mark; English is untouched."""
    assert i18n._("Gett did not accept the API key") == "Gett did not accept the API key"
    i18n.use("he")
    text = i18n._("Gett did not accept the API key")
    assert text.startswith(i18n.RLM + "Gett")
    assert i18n.strip_isolates(text).startswith("Gett")
    assert not i18n._("PAUSED").startswith(i18n.RLM)  # a Hebrew word leads already
