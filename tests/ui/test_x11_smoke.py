"""The real app in a real X window (Xvfb), as a store PC runs it: the xcb platform plugin and its
system libraries load, the demo reaches its first status, and the screen renders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_demo_runs_in_a_real_x_window(tmp_path: Path) -> None:
    xvfb_run = shutil.which("xvfb-run")
    assert xvfb_run, "xvfb-run is missing: `make test` installs it (.ci/system-deps.sh x11)"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"
    shot = tmp_path / "x11.png"
    outputs = []
    for extra in (["--smoke"], ["--screenshot", str(shot)]):
        result = subprocess.run(
            [xvfb_run, "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-m", "kiosk",
             "--demo", *extra],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=90,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert "first paint:" in outputs[0] and "first status:" in outputs[0]
    assert shot.stat().st_size > 10_000  # a real render, not an empty image
