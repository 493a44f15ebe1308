"""The set-up keypad by real taps: the kiosk in a real X window (Xvfb, the xcb plugin), tapped
with xdotool's pointer (real X events, as a touch screen's driver sends them), at 800x480."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
KEY = "sk_Live#9x"  # a shifted letter, a symbol, a digit and the underscore
WIDTH, HEIGHT = 800, 480


class Kiosk:
    """The child kiosk and the X server it runs on (both ours, stopped by their PIDs)."""

    def __init__(self, tmp_path: Path) -> None:
        xvfb, xdotool = shutil.which("Xvfb"), shutil.which("xdotool")
        assert xvfb, "Xvfb is missing: `make test` installs it (.ci/system-deps.sh x11)"
        assert xdotool, "xdotool is missing: `make test` installs it (.ci/system-deps.sh x11)"
        self.xdotool = xdotool
        read, write = os.pipe()
        self.xvfb = subprocess.Popen(
            [xvfb, "-displayfd", str(write), "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten",
             "tcp"],
            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(write)
        display = b""
        while not display.endswith(b"\n"):
            ready, _, _ = select.select([read], [], [], 20)
            assert ready, "Xvfb did not start"
            chunk = os.read(read, 16)
            assert chunk, "Xvfb stopped before giving its display"
            display += chunk
        os.close(read)
        self.env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM",)}
        self.env.update(
            DISPLAY=f":{display.decode().strip()}", QT_QPA_PLATFORM="xcb", KIOSK_LANGUAGE="en"
        )
        self.child = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.keypad_x11_child", str(WIDTH), str(HEIGHT),
             str(tmp_path / "data")],
            cwd=ROOT, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.read_line(30) == "ready", self.child.stderr

    def read_line(self, timeout: float = 10) -> str:
        assert self.child.stdout is not None
        ready, _, _ = select.select([self.child.stdout], [], [], timeout)
        assert ready, "the kiosk did not answer"
        return self.child.stdout.readline().strip()

    def ask(self, line: str) -> str:
        assert self.child.stdin is not None
        self.child.stdin.write(line + "\n")
        self.child.stdin.flush()
        return self.read_line()

    def state(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.ask("state"))
        return value

    def tap(self, name: str) -> None:
        where = self.ask(f"where {name}")
        assert where != "none", f"no visible control named {name!r}"
        x, y = where.split()
        subprocess.run(
            [self.xdotool, "mousemove", "--sync", x, y, "click", "1"],
            env=self.env, check=True, timeout=10,
        )  # fmt: skip

    def wait_for(self, check: Callable[[dict[str, Any]], bool], timeout: float = 10) -> None:
        """Poll the kiosk's state with a deadline (X events arrive on their own time)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if check(state):
                return
            assert time.monotonic() < deadline, f"not reached: {state}"

    def stop(self) -> None:
        if self.child.poll() is None:
            try:
                self.ask("quit")
                self.child.wait(timeout=15)
            except (AssertionError, OSError, subprocess.TimeoutExpired):
                self.child.kill()
                self.child.wait()
        for stream in (self.child.stdin, self.child.stdout, self.child.stderr):
            if stream is not None:
                stream.close()
        if self.xvfb.poll() is None:
            self.xvfb.terminate()
            self.xvfb.wait(timeout=10)


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    running = Kiosk(tmp_path)
    yield running
    running.stop()
    assert running.child.returncode == 0


def key(char: str) -> str:
    return "Key space" if char == " " else f"Key {char}"


@pytest.mark.slow
def test_store_id_and_key_typed_by_real_taps_at_800x480(kiosk: Kiosk) -> None:
    state = kiosk.state()
    assert state["page"] == "setup" and state["window"] == [WIDTH, HEIGHT]
    assert not state["keypad"]
    kiosk.tap("Store id")  # the field: the hex keypad comes up
    kiosk.wait_for(lambda s: s["keypad"])
    for char in STORE:
        kiosk.tap(key(char))
    kiosk.wait_for(lambda s: s["store_id"] == STORE)
    kiosk.tap("Key backspace")
    kiosk.wait_for(lambda s: s["store_id"] == STORE[:-1])
    kiosk.tap(key(STORE[-1]))
    kiosk.wait_for(lambda s: s["store_id"] == STORE)
    state = kiosk.state()
    assert state["test_in_window"] and state["next_in_window"] and state["keypad_in_window"]

    kiosk.tap("Hide the keyboard")  # the page grows back: the next field is in reach
    kiosk.wait_for(lambda s: not s["keypad"])
    kiosk.tap("API key")  # the full keyboard
    kiosk.wait_for(lambda s: s["keypad"])
    for char in KEY:
        if char.isupper():
            kiosk.tap("Key shift")
            kiosk.tap(key(char))
            kiosk.tap("Key shift")
        elif char == "#":
            kiosk.tap("Key symbols")
            kiosk.tap(key(char))
            kiosk.tap("Key symbols")
        else:
            kiosk.tap(key(char))
    kiosk.wait_for(lambda s: s["api_key"] == KEY)
    state = kiosk.state()
    assert not state["key_shown"] and KEY not in state["key_display"]  # masked
    assert state["test_in_window"] and state["keypad_in_window"]
    kiosk.tap("Show the key")
    kiosk.wait_for(lambda s: s["key_shown"] and s["key_display"] == KEY)
    kiosk.tap("Hide the key")
    kiosk.wait_for(lambda s: not s["key_shown"])

    kiosk.tap("Hide the keyboard")
    kiosk.wait_for(lambda s: not s["keypad"])
    kiosk.tap("Store name")
    kiosk.wait_for(lambda s: s["keypad"])
    for char in "Main St":
        if char.isupper():
            kiosk.tap("Key shift")
            kiosk.tap(key(char))
            kiosk.tap("Key shift")
        else:
            kiosk.tap(key(char))
    kiosk.wait_for(lambda s: s["store_name"] == "Main St")
    kiosk.tap("Hide the keyboard")
    kiosk.wait_for(lambda s: not s["keypad"])
