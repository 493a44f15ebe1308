"""The screen's language: which one, its direction, Qt's own words and the fonts it needs.

The words come from :mod:`kiosk.core.i18n` (gettext, shared with the CLI). Around them the app
needs three things a language brings with it: the layout direction (Hebrew and Arabic mirror the
whole window), Qt's translations of its own words (standard buttons, the text field's menu:
``qtbase_<lang>.qm``, shipped with Qt), and fonts with the script's letters (a store PC may have
none: Noto Sans Hebrew and Arabic ship in ``kiosk.resources/fonts``).
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QFontDatabase, QGuiApplication

from kiosk.core import i18n

log = logging.getLogger(__name__)
RESOURCE_PACKAGE = "kiosk.resources"
#: The font files each script needs (Regular and Bold: the stylesheet uses both weights).
FONT_FILES: dict[str, tuple[str, ...]] = {
    "he": ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    # The UI cut: Arabic's tall marks fitted into a Latin UI's line height (the plain cut's
    # lines are 1.6 times as tall, which buttons and labels measured for Latin cannot take).
    "ar": ("NotoSansArabicUI-Regular.ttf", "NotoSansArabicUI-Bold.ttf"),
}
#: The family those files register, the stylesheet's fallback for the script's letters.
FONT_FAMILIES: dict[str, str] = {"he": "Noto Sans Hebrew", "ar": "Noto Sans Arabic UI"}

_translator: list[QTranslator] = []
_fonts_loaded: set[str] = set()


def system_language() -> str | None:
    """The OS's language through Qt (on Windows it reads the user's UI language, which no
    environment variable carries)."""
    return i18n.normalise(QLocale.system().name())


def qt_translations_dir() -> Path:
    """Where Qt's own ``.qm`` files are: Qt's answer, or the wheel's folder beside it."""
    found = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    if found.is_dir():
        return found
    import PySide6

    return Path(PySide6.__file__).parent / "Qt" / "translations"


def _install_qt_translator(code: str) -> bool:
    """Qt's own words in ``code`` (none for English); True if a catalog was installed."""
    app = QCoreApplication.instance()
    for old in _translator:
        if app is not None:
            QCoreApplication.removeTranslator(old)
    _translator.clear()
    if code == i18n.DEFAULT or app is None:
        return False
    translator = QTranslator()
    if not translator.load(f"qtbase_{code}", str(qt_translations_dir())):
        # Only Qt's few standard words stay English; the kiosk's own are unaffected.
        log.warning("Qt's own words for %r are missing; its standard buttons stay English", code)
        return False
    QCoreApplication.installTranslator(translator)
    _translator.append(translator)
    return True


def load_fonts(code: str) -> str | None:
    """Registers the fonts ``code``'s script needs (once); returns their family, or None.

    Only the language's own script: the Arabic pair is ~0.5 MB to parse, which an English or
    Hebrew start need not pay.
    """
    family = FONT_FAMILIES.get(code)
    if family is None:
        return None
    if code in _fonts_loaded:
        return family
    folder = resources.files(RESOURCE_PACKAGE).joinpath("fonts")
    loaded = 0
    for name in FONT_FILES[code]:
        try:
            data = folder.joinpath(name).read_bytes()
        except OSError as exc:
            log.error("font %s missing (%s); the PC's own fonts are used", name, exc)
            continue
        if QFontDatabase.addApplicationFontFromData(data) < 0:
            log.error("font %s cannot be read; the PC's own fonts are used", name)
        else:
            loaded += 1
    _fonts_loaded.add(code)
    return family if loaded else None


def apply(configured: str | None) -> str:
    """Chooses the language (``KIOSK_LANGUAGE`` > ``[ui] language`` > the system) and makes
    the running app speak it: words, direction, Qt's words and fonts. Returns the code."""
    return activate(i18n.choose(configured, system=system_language()))


def activate(code: str) -> str:
    """Makes the running app speak ``code`` (English for anything not shipped)."""
    code = i18n.use(code)
    app = QCoreApplication.instance()
    if isinstance(app, QGuiApplication):
        direction = (
            Qt.LayoutDirection.RightToLeft
            if i18n.is_rtl(code)
            else (Qt.LayoutDirection.LeftToRight)
        )
        QGuiApplication.setLayoutDirection(direction)
        _install_qt_translator(code)
        load_fonts(code)
    return code


def font_families() -> tuple[str, ...]:
    """The families the stylesheet puts first for the current language's script."""
    family = FONT_FAMILIES.get(i18n.language())
    return (family,) if family and i18n.language() in _fonts_loaded else ()


def self_check() -> str:
    """One line for ``--smoke``: each language's date words (Babel's data in the bundle), Qt's
    own words and the script's fonts, so a bundle trimmed too far fails its smoke test."""
    from datetime import UTC, datetime

    when = datetime(2026, 1, 15, 14, 7, tzinfo=UTC)
    current = i18n.language()
    parts: list[str] = []
    failed = False
    try:
        for code in i18n.LANGUAGES:
            i18n.use(code)
            try:
                day = i18n.strip_isolates(i18n.day_and_clock(when))
            except Exception as exc:
                day, failed = f"error {type(exc).__name__}", True
            qt = "-"
            if code != i18n.DEFAULT:
                qt = (
                    "yes"
                    if QTranslator().load(f"qtbase_{code}", str(qt_translations_dir()))
                    else "no"
                )
                failed |= qt == "no"
            font = "-"
            if code in FONT_FAMILIES:
                font = "yes" if load_fonts(code) else "no"
                failed |= font == "no"
            parts.append(f"{code} {day!r} qt={qt} font={font}")
    finally:
        i18n.use(current)
    return f"languages: {'FAILED' if failed else 'ok'}: " + "; ".join(parts)
