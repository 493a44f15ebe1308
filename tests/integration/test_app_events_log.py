"""The real app (``kiosk --smoke``, offscreen) writes its start and stop, with the versions it
runs, to the events log in the data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk import __version__
from kiosk.simulator.server import Simulator
from tests.integration.conftest import STORE

ROOT = Path(__file__).resolve().parents[2]


def test_the_app_logs_its_start_and_stop_with_the_versions(sim: Simulator, tmp_path: Path) -> None:
    env = os.environ | {
        "QT_QPA_PLATFORM": "offscreen",
        "KIOSK_CONFIG": str(tmp_path / "config.toml"),
        "KIOSK_API_URL": sim.base_url,
        "KIOSK_STORE_ID": STORE,
        "KIOSK_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--smoke"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    events = (tmp_path / "data" / "logs" / "events.log").read_text(encoding="utf-8")
    started = next(line for line in events.splitlines() if "kiosk app started" in line)
    assert f"kiosk {__version__}" in started and "python 3." in started
    assert "qt 6." in started and "PySide6" in started and "os " in started
    assert "kiosk app stopped" in events and "exit code 0" in events
    assert "connection to Gett: online" in events
