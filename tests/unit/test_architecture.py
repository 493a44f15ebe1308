"""The core stays Qt-free, so it runs in the CLI, the tests and the worker alike."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QT_FREE = ["kiosk/core", "kiosk/simulator", "kiosk/cli"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_simulator_and_cli_never_import_qt() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if "PySide6" in m)
        for folder in QT_FREE
        for path in (ROOT / folder).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_never_imports_the_ui_or_cli() -> None:
    for path in (ROOT / "kiosk/core").rglob("*.py"):
        for module in imported_modules(path):
            assert not module.startswith(("kiosk.ui", "kiosk.cli")), f"{path}: {module}"


@pytest.mark.parametrize(
    "modules",
    [
        "kiosk.cli.main, kiosk.core.sync, kiosk.simulator.server",  # the scripting commands
        "kiosk.ui.screen_state, kiosk.ui.view_model",  # what the screen shows: plain Python
    ],
)
def test_loads_without_qt(modules: str) -> None:
    code = f"import sys, {modules};print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_only_the_entry_module_knows_both_the_cli_and_the_ui() -> None:
    """Scripts running `kiosk status` never load the UI; the app is reached via kiosk.entry."""
    for path in (ROOT / "kiosk/cli").rglob("*.py"):
        for module in imported_modules(path):
            assert not module.startswith(("kiosk.ui", "kiosk.entry")), f"{path}: {module}"
    assert "kiosk.entry" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "kiosk.entry" in imported_modules(ROOT / "kiosk/__main__.py")
