"""The bundle's smaller ICU data (packaging/icu_filter.py) must not change what any language
gets: the same Qt answers (case mapping, collation, dates, numbers, time zones) for a dozen
languages, and the same pixels for the demo's screen in Hebrew and Thai, as with PySide6's full
data. The filtered library is built here as the bundle builds it, and loaded in place of the
full one with LD_LIBRARY_PATH (searched before the Qt libraries' RUNPATH). ~10 s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

from icu_filter import dropped, filtered_icudata  # noqa: E402

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not (shutil.which("icupkg") and shutil.which("gcc")),
    reason="needs Linux, icupkg and gcc (.ci/system-deps.sh icu)",
)

LANGUAGES = ["en_US", "de_DE", "tr_TR", "sv_SE", "he_IL", "ar_EG", "ru_RU", "ja_JP", "th_TH",
             "zh_CN", "fr_FR", "el_GR"]  # fmt: skip

PROBE = """
import json, sys
from PySide6.QtCore import QCollator, QDateTime, QLocale, QTimeZone
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
maps = open("/proc/self/maps").read()
loaded = sorted({l.split()[-1] for l in maps.splitlines() if "libicudata" in l})
answers = {}
for name in sys.argv[1:]:
    locale = QLocale(name)
    collator = QCollator(locale)
    words = ["zebra", "\\u00e4pple", "\\u00f6l", "apple", "\\u0130stanbul", "istanbul", "\\u05d0"]
    answers[name] = [
        locale.toUpper("istanbul stra\\u00dfe \\u03c3\\u03bf\\u03c6\\u03b9\\u03b1"),
        locale.toLower("ISTANBUL \\u039f\\u0394\\u039f\\u03a3"),
        sorted(words, key=lambda w: [collator.compare(w, o) for o in words]),
        locale.toString(1234567.25, "f", 2),
        locale.toString(QDateTime.fromSecsSinceEpoch(86400 * 40), "dddd d MMMM yyyy"),
        locale.nativeLanguageName(),
    ]
zone = QTimeZone(b"Asia/Jerusalem")
answers["zone"] = [zone.isValid(), zone.offsetFromUtc(QDateTime.fromSecsSinceEpoch(0))]
print(json.dumps({"loaded": loaded, "answers": answers}))
"""


@pytest.fixture(scope="module")
def small_icu(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import PySide6

    full = Path(PySide6.__file__).parent / "Qt" / "lib"
    library = next(full.glob("libicudata.so.*"))
    out = tmp_path_factory.mktemp("icu")
    built = filtered_icudata(library, out)
    assert built.stat().st_size < library.stat().st_size * 0.5
    return out


def run(args: list[str], icu: Path | None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}
    if icu is not None:
        environ["LD_LIBRARY_PATH"] = str(icu)
    return subprocess.run(
        args, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120, check=True
    )


def test_every_language_gets_the_same_answers(small_icu: Path) -> None:
    full = json.loads(run([sys.executable, "-c", PROBE, *LANGUAGES], None).stdout)
    small = json.loads(run([sys.executable, "-c", PROBE, *LANGUAGES], small_icu).stdout)
    assert small["loaded"] and all(p.startswith(str(small_icu)) for p in small["loaded"])
    assert full["loaded"] != small["loaded"]
    assert small["answers"] == full["answers"]
    # The answers are real ones (Turkish dotted I, German sharp s, Swedish ö after z).
    assert small["answers"]["tr_TR"][0].startswith("\u0130STANBUL")
    assert "STRASSE" in small["answers"]["de_DE"][0]
    sv = small["answers"]["sv_SE"][2]
    assert sv.index("zebra") < sv.index("\u00f6l")


@pytest.mark.parametrize("lang", ["he_IL.UTF-8", "th_TH.UTF-8"])
def test_the_demo_screen_is_pixel_identical(small_icu: Path, tmp_path: Path, lang: str) -> None:
    """The screen shows the wall clock and ages in seconds, so two shots a second apart can
    differ for that alone: a pair is taken up to three times (a clock tick cannot fall between
    every pair; a difference the small ICU makes would be in every one)."""
    from PySide6.QtGui import QImage

    for _attempt in range(3):
        shots = {}
        for name, icu in (("full", None), ("small", small_icu)):
            target = tmp_path / f"{name}.png"
            command = [sys.executable, "-m", "kiosk", "--demo", "--screenshot", str(target)]
            run(command, icu, LANG=lang, LC_ALL=lang)
            shots[name] = QImage(str(target))
        assert not shots["full"].isNull()
        if shots["small"] == shots["full"]:
            return
    raise AssertionError(f"the demo screen differs with the small ICU data in {lang}")


def test_what_goes_and_what_stays() -> None:
    assert dropped("curr/de.res") and dropped("zone/he.res") and dropped("ibm-1390_P110-2003.cnv")
    assert not dropped("coll/sv.res")  # sorting in every language
    assert not dropped("brkitr/thaidict.dict")  # Thai line breaking
    assert not dropped("he.res") and not dropped("uprops.icu") and not dropped("pool.res")
