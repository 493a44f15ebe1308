"""The real ``kiosk`` command as a process, where only a process can be hurt: a disk that is really
full or read-only (a small tmpfs), a log that cannot be written, closed standard streams, a reader
that stops reading. Against the simulator over loopback. A change that could not be saved says so
with exit 74, reading commands do not claim a change was lost, and nothing prints a traceback.

Mounting needs root (CI containers run as root); elsewhere those two tests are skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.simulator.server import Simulator
from tests.integration.conftest import STORE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs of our own; unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def kiosk(
    sim: Simulator, data: Path, *argv: str, closing: str = "", **popen: Any
) -> subprocess.CompletedProcess[str]:
    """``python -m kiosk ARGV``; ``closing`` ("<&-", ">&-") starts it with that stream closed."""
    env = {
        **os.environ,
        "KIOSK_CONFIG": str(data.parent / "absent.toml"),
        "KIOSK_DATA_DIR": str(data),
        "KIOSK_API_URL": sim.base_url,
        "KIOSK_STORE_ID": STORE,
        "PYTHONPATH": str(ROOT),
    }
    popen.setdefault("stdout", subprocess.PIPE)
    command = [sys.executable, "-m", "kiosk", *argv]
    if closing:
        command = ["sh", "-c", f'exec "$@" {closing}', "sh", *command]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
        **popen,
    )


def fill(mount: Path) -> None:
    with (mount / "filler").open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass


def test_a_full_disk_is_named_and_the_change_is_not_saved(sim: Simulator, tmpfs: Path) -> None:
    data = tmpfs / "data"
    assert kiosk(sim, data, "pause", "--reason", "too_busy").returncode == 0
    fill(tmpfs)
    pause = kiosk(sim, data, "resume")
    assert pause.returncode == 74, pause.stderr
    assert pause.stderr.count("\n") == 1 and "Traceback" not in pause.stderr
    assert "NOT saved" in pause.stderr and f"The disk holding {data} is full" in pause.stderr
    assert sim.state(STORE).is_paused  # nothing was sent
    for command in ("status", "history", "sync"):
        result = kiosk(sim, data, command)
        assert "Traceback" not in result.stderr and "Logging error" not in result.stderr
        assert result.stderr.count("\n") <= 1, result.stderr  # 95 lines of logging tracebacks once
        assert "NOT saved" not in result.stderr
        assert result.returncode in (0, 74)
    status = kiosk(sim, data, "status")
    assert "PAUSED" in status.stdout  # the live state is still shown


def test_a_read_only_folder_is_not_saved_exit_74(sim: Simulator, tmpfs: Path) -> None:
    data = tmpfs / "data"
    assert kiosk(sim, data, "pause", "--reason", "other").returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    result = kiosk(sim, data, "resume")
    assert result.returncode == 74, result.stderr
    assert "NOT saved" in result.stderr and "Traceback" not in result.stderr
    assert f"The data folder {data} is read-only" in result.stderr
    assert result.stderr.count("\n") == 1
    assert sim.state(STORE).is_paused


def test_a_log_file_on_a_full_disk_prints_no_logging_tracebacks(
    sim: Simulator, tmp_path: Path
) -> None:
    """Every write to the log fails with ENOSPC (the log is /dev/full): logging reports each
    failure as a traceback on stderr unless told not to; a plain ``kiosk status`` once printed
    95 such lines. Needs no root."""
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    (data / "logs" / "kiosk.log").symlink_to("/dev/full")
    sim.go_down()  # a failing status logs the most
    for argv in (("status",), ("pause", "--reason", "other"), ("sync",), ("history",)):
        result = kiosk(sim, data, *argv)
        assert "Logging error" not in result.stderr and "Traceback" not in result.stderr, argv
        assert result.stderr.count("\n") <= 1, (argv, result.stderr)
        assert result.returncode in (0, 75), (argv, result.returncode, result.stderr)


def test_closed_standard_streams_end_in_a_sentence(sim: Simulator, tmp_path: Path) -> None:
    data = tmp_path / "data"
    no_stdin = kiosk(sim, data, "key", "set", closing="<&-")
    assert no_stdin.returncode == 2, no_stdin.stderr
    assert "Standard input is closed; nothing was stored" in no_stdin.stderr
    assert "Traceback" not in no_stdin.stderr
    for argv in (("key", "status"), ("history",), ("status",)):
        no_stdout = kiosk(sim, data, *argv, closing=">&-")
        assert no_stdout.returncode == 0, (argv, no_stdout.stderr)
        assert no_stdout.stderr == ""


def test_a_reader_that_stops_reading_ends_quietly(sim: Simulator, tmp_path: Path) -> None:
    data = tmp_path / "data"
    for _ in range(3):
        assert kiosk(sim, data, "pause", "--reason", "other").returncode == 0
    reader, writer = os.pipe()
    os.close(reader)  # like `kiosk history | head -0`
    try:
        result = kiosk(sim, data, "history", stdout=writer)
    finally:
        os.close(writer)
    assert result.returncode == 141
    assert result.stderr == ""
