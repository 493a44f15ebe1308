"""The bundle's trimming rules (packaging/trim_rules.py) against the real PySide6 wheels' file
lists for Linux and Windows (packaging/qt-files/, listed from the locked version's wheels)."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
LISTS = ROOT / "packaging" / "qt-files"


def _load_rules() -> ModuleType:
    spec = importlib.util.spec_from_file_location("trim_rules", ROOT / "packaging/trim_rules.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rules = _load_rules()


def _locked_pyside_version() -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return next(p["version"] for p in lock["package"] if p["name"] == "pyside6-essentials")


def _files(platform: str) -> list[str]:
    path = LISTS / f"pyside6-essentials-{_locked_pyside_version()}-{platform}.txt"
    assert path.exists(), (
        f"{path.name} is missing: PySide6 was updated in uv.lock; list the new wheel's files "
        "(see the first line of the old list) so the trimming rules are checked against it"
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def windows() -> list[str]:
    return _files("win_amd64")


@pytest.fixture(scope="module")
def linux() -> list[str]:
    return _files("linux_x86_64")


def test_every_rule_matches_a_file_on_windows_or_linux(
    windows: list[str], linux: list[str]
) -> None:
    unmatched = [
        rule for rule in rules.rules() if not any(rules.matches(rule, f) for f in windows + linux)
    ]
    assert unmatched == []


def test_rules_that_exist_on_both_platforms_match_on_both(
    windows: list[str], linux: list[str]
) -> None:
    """A plugin Qt ships on both platforms must be dropped on both (the old rules named the
    Linux spelling, libqNAME.so, and never matched Windows' qNAME.dll)."""

    def plugin_names(files: list[str]) -> set[str]:
        names = set()
        for f in files:
            rel = rules.qt_relative(f)
            if rel and re.fullmatch(r"plugins/[^/]+/[^/]+\.(so|dll)", rel):
                folder, filename = rel.split("/")[1:]
                names.add(f"{folder}/{rules._plugin_name(filename)}")
        return names

    on_both = plugin_names(windows) & plugin_names(linux)
    for rule in rules.rules():
        if not rule.startswith("plugins/") or rule.endswith("/"):
            continue
        folder, name = rule.split("/")[1:]
        shared = [p for p in on_both if p.startswith(f"{folder}/{name}")]
        for plugin in shared:
            assert any(rules.matches(rule, f) for f in windows), (rule, plugin)
            assert any(rules.matches(rule, f) for f in linux), (rule, plugin)


def test_windows_drops_the_big_unused_files(windows: list[str]) -> None:
    dropped = {f for f in windows if rules.is_dropped(f)}
    assert "PySide6/opengl32sw.dll" in dropped
    assert "PySide6/plugins/platforms/qdirect2d.dll" in dropped
    assert "PySide6/plugins/tls/qschannelbackend.dll" in dropped
    assert "PySide6/plugins/imageformats/qtiff.dll" in dropped
    qms = {f for f in windows if f.startswith("PySide6/translations/")}
    kept = {f"PySide6/translations/qtbase_{code}.qm" for code in ("he", "ar", "ru")}
    assert kept <= qms and not kept & dropped
    assert qms - kept <= dropped


@pytest.mark.parametrize("platform", ["windows", "linux"])
def test_qt_keeps_its_own_words_in_the_kiosk_languages_only(
    platform: str, request: pytest.FixtureRequest
) -> None:
    from kiosk.core.i18n import LANGUAGES

    assert set(rules.LANGUAGES) == set(LANGUAGES) - {"en"}
    files: list[str] = request.getfixturevalue(platform)
    qms = [f for f in files if "/translations/" in f and f.endswith(".qm")]
    kept = sorted(f.rsplit("/", 1)[1] for f in qms if not rules.is_dropped(f))
    assert kept == sorted(f"qtbase_{code}.qm" for code in rules.LANGUAGES)


def test_babel_keeps_the_kiosk_languages_and_their_root() -> None:
    for name in ("root", "en", "he", "ar", "ru"):
        assert not rules.is_dropped_data(f"babel/locale-data/{name}.dat")
    for name in ("de", "en_GB", "he_IL", "fr", "zh_Hant"):
        assert rules.is_dropped_data(f"babel/locale-data/{name}.dat")
    assert not rules.is_dropped_data("babel/global.dat")
    assert not rules.is_dropped_data("kiosk/resources/locale/he/LC_MESSAGES/kiosk.mo")


@pytest.mark.parametrize(
    "kept",
    [
        "PySide6/plugins/platforms/qwindows.dll",  # the Windows platform itself
        "PySide6/plugins/platforms/qoffscreen.dll",  # --screenshot
        "PySide6/plugins/imageformats/qsvg.dll",  # the icons
        "PySide6/plugins/imageformats/qico.dll",
        "PySide6/plugins/iconengines/qsvgicon.dll",
        "PySide6/plugins/networkinformation/qnetworklistmanager.dll",  # network back at once
        "PySide6/Qt6Core.dll",
        "PySide6/Qt6Gui.dll",
        "PySide6/Qt6Widgets.dll",
        "PySide6/Qt6Svg.dll",
    ],
)
def test_windows_keeps_what_the_kiosk_needs(windows: list[str], kept: str) -> None:
    assert kept in windows
    assert not rules.is_dropped(kept)


@pytest.mark.parametrize(
    "kept",
    [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/lib/libQt6Core.so.6",
    ],
)
def test_linux_keeps_what_the_kiosk_needs(linux: list[str], kept: str) -> None:
    assert kept in linux
    assert not rules.is_dropped(kept)


def test_files_outside_qt_are_never_dropped() -> None:
    assert not rules.is_dropped("kiosk/resources/kiosk.qss")
    assert not rules.is_dropped("translations/x.qm")
    assert rules.is_dropped("PySide6\\plugins\\tls\\qopensslbackend.dll")  # Windows separators
