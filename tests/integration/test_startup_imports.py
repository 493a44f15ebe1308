"""What a ``kiosk`` command loads to start: scripts run ``kiosk status`` on every kiosk of a fleet,
so a command must not pay for Qt, and no command may start programs to find the keyring.

Each case is the real command as a process (this test process has Qt loaded already), against
the simulator over loopback and the private test keyring. ~1 s in all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.simulator.server import Simulator
from tests.integration.conftest import STORE

ROOT = Path(__file__).resolve().parents[2]

# Runs the command in-process, then reports what it loaded and every program it started.
PROBE = """
import json, sys
started = []
def hook(event, args):
    if event == "subprocess.Popen":
        started.append(str(args[1]))
sys.addaudithook(hook)
from kiosk.entry import main
code = main(sys.argv[1:])
qt = sorted(m for m in sys.modules if m.split(".")[0] in {"PySide6", "shiboken6"})
http = sorted(m for m in sys.modules if m.split(".")[0] in {"httpx", "httpcore"})
print(json.dumps({"code": code, "qt": qt, "http": http, "started": started}), file=sys.stderr)
"""


def probe(sim: Simulator, tmp_path: Path, *argv: str) -> dict[str, object]:
    env = {
        **os.environ,
        "KIOSK_CONFIG": str(tmp_path / "absent.toml"),
        "KIOSK_DATA_DIR": str(tmp_path / "data"),
        "KIOSK_API_URL": sim.base_url,
        "KIOSK_STORE_ID": STORE,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PYTHON_KEYRING_BACKEND", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    report["stdout"] = done.stdout
    return report


def test_version_loads_neither_qt_nor_httpx(sim: Simulator, tmp_path: Path) -> None:
    report = probe(sim, tmp_path, "--version")
    assert report["code"] == 0
    assert "kiosk" in str(report["stdout"])
    assert report["qt"] == []
    assert report["http"] == []
    assert report["started"] == []


def test_status_reads_gett_without_qt_or_starting_programs(sim: Simulator, tmp_path: Path) -> None:
    report = probe(sim, tmp_path, "status", "--json")
    assert report["code"] == 0
    assert json.loads(str(report["stdout"]))["status"] == "online"
    assert report["qt"] == []
    # The keyring backend is named for the OS: keyring's discovery ran ldconfig and gcc here.
    assert report["started"] == []


def test_key_status_names_the_secret_service_without_starting_programs(
    sim: Simulator, tmp_path: Path
) -> None:
    report = probe(sim, tmp_path, "key", "status")
    assert report["code"] == 0
    assert "SecretService" in str(report["stdout"])
    assert report["qt"] == []
    assert report["started"] == []
