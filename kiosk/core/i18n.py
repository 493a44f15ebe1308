"""The kiosk's words in the kitchen's language: GNU gettext catalogs, chosen once per process.

Why gettext and not Qt Linguist: the words live in the Qt-free core (``words``, errors, config
sentences) and the CLI as much as in the widgets, and the CLI must not load Qt. One catalog per
language serves all three layers; the catalogs are ``.po`` files in ``resources/locale``
(extracted and compiled with Babel, the Python ecosystem's gettext toolchain, which also knows
CLDR's plural rules for Hebrew, Arabic and Russian). Qt's own few words (standard buttons, the
text field's menu) come from Qt's shipped ``qtbase_*.qm`` through a QTranslator in the app.

Rules for callers:
- Whole sentences only: numbers, times and names go into ``{named}`` placeholders, and counts
  use :func:`ngettext` so each language picks its own plural form.
- Module-level tables mark their words with :func:`N_` and translate them when used, so a
  language chosen after import (the app's settings) still applies.
- :func:`ltr` wraps numbers and times so they stay left to right inside right-to-left text.
"""

from __future__ import annotations

import gettext
import locale
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from importlib import resources

DOMAIN = "kiosk"
#: The languages the kiosk ships, in the order the settings list them.
LANGUAGES: tuple[str, ...] = ("en", "he", "ar", "ru")
#: Each language's own name, as its readers look for it in a list (never translated).
NATIVE_NAMES: dict[str, str] = {
    "en": "English",
    "he": "עברית",
    "ar": "العربية",
    "ru": "Русский",
}
RIGHT_TO_LEFT = frozenset({"he", "ar"})
DEFAULT = "en"
#: Environment variables read for the language, strongest first (the POSIX order, with ours
#: ahead of all: IT sets it per PC without touching the session's locale).
LANGUAGE_VARIABLES = ("KIOSK_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
#: Old or other names for the same languages (``iw`` is Java's and old glibc's Hebrew; Windows'
#: ``locale.getlocale()`` gives English names such as ``Hebrew_Israel``).
_ALIASES = {
    "iw": "he",
    "hebrew": "he",
    "arabic": "ar",
    "russian": "ru",
    "english": "en",
    "c": "en",
    "posix": "en",
}
#: Left-to-right isolate ... pop directional isolate (Unicode bidi, UAX #9).
LRI = "\u2066"
FSI = "\u2068"
PDI = "\u2069"
#: Right-to-left mark: starts a Hebrew or Arabic line that opens with a Latin word ("Gett ...")
#: as right-to-left text (a paragraph takes its direction from its first strong letter).
RLM = "\u200f"
_FIELD = re.compile(r"\{[^{}]*\}")

log = logging.getLogger(__name__)
_lock = threading.Lock()
_catalogs: dict[str, gettext.NullTranslations] = {}
_current: list[tuple[str, gettext.NullTranslations]] = [(DEFAULT, gettext.NullTranslations())]


def N_(message: str) -> str:
    """Marks a module-level word for extraction; translate it with :func:`_` where it is used."""
    return message


def _(message: str) -> str:
    return _current[0][1].gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current[0][1].ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A short word whose translation depends on where it stands (a button vs a state)."""
    return _current[0][1].pgettext(context, message)


def language() -> str:
    return _current[0][0]


def is_rtl(code: str | None = None) -> bool:
    return (code or language()) in RIGHT_TO_LEFT


def normalise(value: str | None) -> str | None:
    """A shipped language code for a locale name (``he_IL.UTF-8`` -> ``he``), or None.

    Anything else (a language we do not ship, garbage, a very long value) is None: the caller
    falls back to the next source, and finally English.
    """
    if not value or len(value) > 64:
        return None
    base = value.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    base = _ALIASES.get(base, base)
    return base if base in LANGUAGES else None


def from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the session asks for, by the POSIX rules, or None when it names none we ship.

    ``LANGUAGE`` is a colon-separated preference list; the first shipped one wins. A set but
    unsupported ``LC_ALL`` stops the search (it overrides the rest), as gettext does.
    """
    env = os.environ if environ is None else environ
    for name in LANGUAGE_VARIABLES:
        value = env.get(name, "")
        if not value:
            continue
        if name == "LANGUAGE":
            for part in value.split(":"):
                if code := normalise(part):
                    return code
            continue
        code = normalise(value)
        if code or name != "KIOSK_LANGUAGE":
            return code
    return None


def system_language() -> str | None:
    """The OS's language when no variable names one (Windows sets none; its locale does)."""
    try:
        name = locale.getlocale(locale.LC_MESSAGES if hasattr(locale, "LC_MESSAGES") else 0)[0]
    except (ValueError, TypeError, AttributeError):
        name = None
    return normalise(name)


def choose(
    configured: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    system: str | None = None,
) -> str:
    """``KIOSK_LANGUAGE``, then the config's ``[ui] language``, then the session, then English.

    ``configured`` of ``"system"`` or None means "follow the system".
    """
    env = os.environ if environ is None else environ
    if code := normalise(env.get("KIOSK_LANGUAGE")):
        return code
    if configured and configured != "system" and (code := normalise(configured)):
        return code
    return from_environment({k: v for k, v in env.items() if k != "KIOSK_LANGUAGE"}) or (
        system or DEFAULT
    )


def _catalog(code: str) -> gettext.NullTranslations:
    with _lock:
        found = _catalogs.get(code)
        if found is not None:
            return found
        found = gettext.NullTranslations()
        if code != DEFAULT:
            path = resources.files("kiosk.resources").joinpath(
                "locale", code, "LC_MESSAGES", f"{DOMAIN}.mo"
            )
            try:
                with path.open("rb") as stream:
                    found = gettext.GNUTranslations(stream)
                if code in RIGHT_TO_LEFT:
                    _lead_right_to_left(found)
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                # A missing or damaged catalog must not stop the kiosk: English still works.
                log.error("translations for %r cannot be read (%s); showing English", code, exc)
        _catalogs[code] = found
        return found


def _lead_right_to_left(catalog: gettext.NullTranslations) -> None:
    """Every line of a right-to-left translation reads right to left, even one that starts with
    "Gett" or "API": the screen would otherwise lay that line out left to right."""
    table = getattr(catalog, "_catalog", None)
    if not isinstance(table, dict):
        return
    for key, text in table.items():
        if key and isinstance(text, str):
            table[key] = "\n".join(
                RLM + line if _starts_left_to_right(line) else line for line in text.split("\n")
            )


def _starts_left_to_right(line: str) -> bool:
    """Whether the line's first strong letter (placeholders aside) is a left-to-right one."""
    for char in _FIELD.sub("", line):
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return True
        if kind in ("R", "AL"):
            return False
    return False


def use(code: str | None) -> str:
    """Makes ``code`` (or English, for anything not shipped) the language of ``_()``."""
    chosen = normalise(code) or DEFAULT
    _current[0] = (chosen, _catalog(chosen))
    return chosen


def ltr(text: object) -> str:
    """A number, time or id kept left to right inside right-to-left text (no-op in English)."""
    return f"{LRI}{text}{PDI}" if is_rtl() else str(text)


def isolate(text: object) -> str:
    """A name (a store's, a person's words) that takes its own direction from its first letter."""
    return f"{FSI}{text}{PDI}" if is_rtl() else str(text)


def strip_isolates(text: str) -> str:
    """Text for a terminal, which runs no bidi algorithm: isolates and marks only get in the way."""
    return text.translate(
        {0x200E: None, 0x200F: None, 0x2066: None, 0x2067: None, 0x2068: None, 0x2069: None}
    )


def clock(when: datetime) -> str:
    """``14:30``: a 24-hour clock in every shipped language (what kitchens in Israel read)."""
    return ltr(when.strftime("%H:%M"))


def day_and_clock(when: datetime) -> str:
    """``Sat 16 Jan 14:30`` in the language's own words and order (CLDR, through Babel)."""
    from babel.dates import format_skeleton  # ~70 ms the first time: only for a date not today

    day = format_skeleton("MMMEd", when, locale=language())
    return _("{day} {time}").format(day=day, time=clock(when))
