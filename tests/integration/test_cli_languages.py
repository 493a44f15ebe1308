"""The real ``kiosk`` command speaks the terminal's language (``LANG``), and ``--json`` never does.

Each test runs ``python -m kiosk`` as a process against the simulator over loopback, with the real
(private) keyring, exactly as a script or a person at a store PC would. The words asserted are
the glossary's (resources/locale/GLOSSARY.md), read from the real catalogs. About 12 processes,
roughly 10 s in all on one core.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from kiosk.simulator.server import Simulator
from tests.integration.conftest import STORE

ROOT = Path(__file__).resolve().parents[2]
#: Our bidi isolates: they help a screen, but a terminal would show them as junk.
ISOLATES = ("\u2066", "\u2067", "\u2068", "\u2069", "\\u2066", "\\u2068", "\\u2069")
#: Every variable that names a language, cleared so only the test's choice counts.
LANGUAGE_VARIABLES = ("KIOSK_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
REQUEST_ID = re.compile(r"request id [0-9a-f-]{36}")


def kiosk(
    sim: Simulator, data: Path, *argv: str, lang: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    env.update(
        {
            "KIOSK_CONFIG": str(data.parent / "config.toml"),
            "KIOSK_DATA_DIR": str(data),
            "KIOSK_API_URL": sim.base_url,
            "KIOSK_STORE_ID": STORE,
            "PYTHONPATH": str(ROOT),
            "LANG": lang,
            "PYTHONIOENCODING": "utf-8",
            **extra,
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream
        assert not any(mark in stream for mark in ISOLATES), stream
    return done


def test_hebrew_status_pause_history_resume_and_key(sim: Simulator, tmp_path: Path) -> None:
    data = tmp_path / "data"
    he = "he_IL.UTF-8"

    status = kiosk(sim, data, "status", lang=he)
    assert status.returncode == 0, status.stderr
    assert "פתוח" in status.stdout and "מקבל הזמנות" in status.stdout  # ONLINE, taking orders
    assert "ONLINE" not in status.stdout

    pause = kiosk(sim, data, "pause", "--reason", "too_busy", "--for", "15m", lang=he)
    assert pause.returncode == 0, pause.stderr
    # "PAUSED (too busy) since HH:MM, resumes at HH:MM (in 15 min)", in Hebrew, digits kept.
    assert "מושהה (עומס)" in pause.stdout
    assert "חוזר לקבל הזמנות ב-" in pause.stdout and "15 דק׳" in pause.stdout

    history = kiosk(sim, data, "history", lang=he)
    assert history.returncode == 0, history.stderr
    assert "השהיה (עומס) עד" in history.stdout  # "pause (too busy) until"
    assert "(שורת פקודה)" in history.stdout  # made on the command line
    assert "אושר על ידי Gett" in history.stdout  # the glossary's "Confirmed by Gett"

    resume = kiosk(sim, data, "resume", lang=he)
    assert resume.returncode == 0, resume.stderr
    assert "פתוח" in resume.stdout

    key = kiosk(sim, data, "key", "status", lang=he)
    assert key.returncode == 0, key.stderr
    assert key.stdout.startswith("מפתח API שמור")  # "An API key is stored"


def test_hebrew_errors_are_translated_sentences(sim: Simulator, tmp_path: Path) -> None:
    data = tmp_path / "data"
    he = "he_IL.UTF-8"

    usage = kiosk(sim, data, "pause", "--reason", "nope", lang=he)
    assert usage.returncode == 2
    assert "סיבה לא מוכרת 'nope'" in usage.stderr  # our sentence inside argparse's line

    store = kiosk(sim, data, "status", "--store", "Elsewhere", lang=he)
    assert store.returncode == 2
    assert "אינו שם של סניף מוגדר" in store.stderr  # "is not a configured store name"

    duration = kiosk(sim, data, "pause", "--reason", "other", "--for", "0m", lang=he)
    assert duration.returncode == 2
    assert "להשהיה צריך משך זמן חיובי" in duration.stderr  # "a pause needs a positive duration"

    helped = kiosk(sim, data, "pause", "--help", lang=he)
    assert helped.returncode == 0
    assert "למשל 15m, 1h30m, 90s" in helped.stdout  # our help, in Hebrew ("e.g. 15m, ...")

    unknown = kiosk(sim, data, "status", "--store", "00000000-0000-4000-8000-000000000000", lang=he)
    assert unknown.returncode == 4
    assert "הסניף הזה לא מוכר ב-Gett" in unknown.stderr  # "Gett does not know this store"
    assert "צריך לבדוק את מזהה הסניף" in unknown.stderr


def _steady(text: str) -> str:
    """The output with what moves between two runs blanked (the PC clock's measured offset, in
    tenths of a second, and Gett's request id); keys, their order and every other byte stay."""
    text = REQUEST_ID.sub("request id (id)", text)
    if not text.startswith("{"):
        return text
    body = json.loads(text)
    if "clock_offset_seconds" in body:
        body["clock_offset_seconds"] = "(measured)"
    return json.dumps(body)


def test_json_under_hebrew_is_exactly_what_it_is_under_c(sim: Simulator, tmp_path: Path) -> None:
    """Scripts read --json: the same bytes whatever the terminal's language, errors included."""
    data = tmp_path / "data"
    for argv in (
        ("status", "--json"),
        ("history", "--json"),
        ("status", "--json", "--store", "00000000-0000-4000-8000-000000000000"),
        ("status", "--json", "--store", "Elsewhere"),
    ):
        english = kiosk(sim, data, *argv, lang="C")
        hebrew = kiosk(sim, data, *argv, lang="he_IL.UTF-8")
        assert hebrew.returncode == english.returncode
        assert _steady(hebrew.stdout) == _steady(english.stdout), argv
        assert _steady(hebrew.stderr) == _steady(english.stderr), argv
        assert hebrew.stdout.isascii(), hebrew.stdout
    assert json.loads(english.stdout)["error"]["message"].startswith("configuration: --store")


def test_arabic_and_russian(sim: Simulator, tmp_path: Path) -> None:
    data = tmp_path / "data"
    arabic = kiosk(sim, data, "pause", "--reason", "staff_shortage", lang="ar_EG.UTF-8")
    assert arabic.returncode == 0, arabic.stderr
    assert "متوقف مؤقتًا (نقص في الموظفين)" in arabic.stdout  # PAUSED (staff shortage)
    assert "حتى تستأنف" in arabic.stdout  # until you resume

    russian = kiosk(sim, data, "status", lang="ru_RU.UTF-8")
    assert russian.returncode == 0, russian.stderr
    assert "НА ПАУЗЕ (не хватает персонала)" in russian.stdout
    assert "пока не возобновите" in russian.stdout


def test_kiosk_language_wins_over_lang_and_the_config_file_does_not_count(
    sim: Simulator, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    (tmp_path / "config.toml").write_text('[ui]\nlanguage = "ar"\n', encoding="utf-8")
    by_lang = kiosk(sim, data, "status", lang="ru_RU.UTF-8")
    assert "ОТКРЫТО" in by_lang.stdout, by_lang.stderr  # the terminal's, not the config's
    chosen = kiosk(sim, data, "status", lang="ru_RU.UTF-8", KIOSK_LANGUAGE="he")
    assert "פתוח" in chosen.stdout, chosen.stderr
    plain = kiosk(sim, data, "status", lang="C")
    assert "ONLINE, accepting orders" in plain.stdout
