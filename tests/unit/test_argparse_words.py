"""argparse's own words ("usage:", its errors) come from the kiosk's catalog, in-process."""

from __future__ import annotations

import argparse
import inspect
import io

import pytest

from kiosk.cli import argparse_words
from kiosk.cli.main import Cli
from kiosk.core import i18n


def _run(*argv: str, language: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {"KIOSK_LANGUAGE": language, "KIOSK_CONFIG": "/nonexistent/kiosk.toml"}
    code = Cli(env=env, stdout=out, stderr=err).run(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_every_msgid_is_argparse_own_in_this_python() -> None:
    """A Python that renamed one would leave it English: the table must follow argparse."""
    source = inspect.getsource(argparse)
    missing = [m for m in argparse_words.MESSAGES if repr(m) not in source]
    assert not missing


@pytest.mark.parametrize("language", ["he", "ar", "ru"])
def test_help_and_usage_errors_speak_the_language(language: str) -> None:
    before = i18n.language()
    i18n.use(language)
    try:
        usage = i18n._("usage: ")
        required = i18n._("the following arguments are required: %s") % "--reason"
        helps = i18n._("show this help message and exit")
        invalid = i18n._("invalid choice: %(value)r (choose from %(choices)s)")
    finally:
        i18n.use(before)
    assert usage != "usage: " and helps != "show this help message and exit"
    code, out, _err = _run("--help", language=language)
    assert code == 0 and out.startswith(usage.strip()) and helps in out
    code, _out, err = _run("pause", "--for", "15m", language=language)
    assert code == 2 and usage.strip() in err and required in err
    code, _out, err = _run("frobnicate", language=language)
    assert code == 2 and invalid.split("%")[0].strip() in err
    assert not any(mark in out + err for mark in ("\u200f", "\u2066", "\u2068", "\u2069"))


def test_english_stays_argparse_english() -> None:
    code, out, _err = _run("--help", language="en")
    assert code == 0 and out.startswith("usage: kiosk") and "show this help message" in out
    code, _out, err = _run("pause", "--for", "15m", language="en")
    assert "usage: kiosk pause" in err
    assert "the following arguments are required: --reason" in err
