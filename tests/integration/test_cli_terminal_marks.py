"""What the real ``kiosk`` command writes outside TerminalWriter (argparse's help and usage
errors, getpass's prompt, ``kiosk health``) carries no bidi mark or isolate in Hebrew: a terminal
runs no bidi algorithm, so they would only show as junk. And ``health --json`` stays English.

Each case runs ``python -m kiosk`` as a process; ``pin set`` runs on a real pseudo-terminal
(getpass writes its prompt to the controlling terminal, not to stdout). About 6 processes, ~4 s.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Our marks and isolates, raw and as TerminalWriter's escapes would show them.
MARKS = ("\u200e", "\u200f", "\u2066", "\u2067", "\u2068", "\u2069")
ESCAPED = tuple(f"\\u{ord(c):04x}" for c in MARKS)
LANGUAGE_VARIABLES = ("KIOSK_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def _env(tmp_path: Path, language: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    env.update(
        {
            "KIOSK_CONFIG": str(tmp_path / "config.toml"),
            "KIOSK_DATA_DIR": str(tmp_path / "data"),
            "KIOSK_LANGUAGE": language,
            "PYTHONPATH": str(ROOT),
            "PYTHONIOENCODING": "utf-8",
        }
    )
    return env


def _kiosk(tmp_path: Path, *argv: str, language: str = "he") -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", *argv],
        cwd=ROOT,
        env=_env(tmp_path, language),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    _no_marks(done.stdout + done.stderr)
    return done


def _no_marks(text: str) -> None:
    assert "Traceback" not in text
    found = [m for m in MARKS + ESCAPED if m in text]
    assert not found, f"bidi marks {found!r} in {text!r}"


def _hebrew(text: str) -> bool:
    return any("\u0590" <= c <= "\u05ff" for c in text)


def test_help_usage_errors_and_health_have_no_bidi_marks_in_hebrew(tmp_path: Path) -> None:
    helped = _kiosk(tmp_path, "--help")
    assert helped.returncode == 0 and helped.stdout.startswith("שימוש: kiosk")
    assert "Gett Store Kiosk:" in helped.stdout  # the description that starts with a mark
    wrong = _kiosk(tmp_path, "pause", "--for", "15m")
    assert wrong.returncode == 2 and "שימוש: kiosk pause" in wrong.stderr
    assert "--reason" in wrong.stderr and _hebrew(wrong.stderr.splitlines()[-1])
    unknown = _kiosk(tmp_path, "status", "--frobnicate")
    assert unknown.returncode == 2 and _hebrew(unknown.stderr)
    for args in (("health",), ("health", "--max-wait", "zz"), ("health", "--store", "nope")):
        done = _kiosk(tmp_path, *args)
        assert done.returncode in (2, 3) and _hebrew(done.stdout), done.stdout


@pytest.mark.parametrize("args", [(), ("--max-wait", "zz"), ("--store", "nope")])
def test_health_json_is_english_under_hebrew(tmp_path: Path, args: tuple[str, ...]) -> None:
    he = _kiosk(tmp_path, "health", "--json", *args)
    body = json.loads(he.stdout)
    said = json.dumps(body, ensure_ascii=False)
    assert not _hebrew(said) and not any(m in said for m in MARKS), said
    assert body["summary"] and body["status"] in ("CRITICAL", "UNKNOWN")


class _Terminal:
    """``kiosk ARGS`` on a real pseudo-terminal (its controlling terminal, as at a store PC)."""

    def __init__(self, tmp_path: Path, *argv: str) -> None:
        import pty

        env = _env(tmp_path, "he")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.chdir(ROOT)
                os.execve(sys.executable, [sys.executable, "-m", "kiosk", *argv], env)  # noqa: S606
            finally:
                os._exit(127)
        self.seen = b""

    def until(self, needle: bytes) -> None:
        deadline = time.monotonic() + 30
        while needle not in self.seen:
            assert time.monotonic() < deadline, self.seen.decode("utf-8", "replace")
            ready, _w, _x = select.select([self.fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the child closed the terminal
                    return
                if not chunk:
                    return
                self.seen += chunk

    def end(self) -> tuple[int, str]:
        _pid, status = os.waitpid(self.pid, 0)
        self.until(b"\0")  # whatever is left (the child has gone: the read ends)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status), self.seen.decode("utf-8")


@pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal")
def test_pin_set_prompts_on_the_terminal_without_bidi_marks(tmp_path: Path) -> None:
    term = _Terminal(tmp_path, "pin", "set")
    term.until("(ההקלדה מוסתרת):".encode())
    os.write(term.fd, b"246810\n")
    term.until(b"\n" + "שוב".encode())  # "The same PIN again:" in Hebrew
    os.write(term.fd, b"246810\n")
    code, text = term.end()
    _no_marks(text)
    assert code == 0, text
    assert "pin_hash" in (tmp_path / "config.toml").read_text(encoding="utf-8")


@pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal and SIGINT")
def test_ctrl_c_at_the_prompt_says_interrupted_without_bidi_marks(tmp_path: Path) -> None:
    import signal

    term = _Terminal(tmp_path, "pin", "set")
    term.until("(ההקלדה מוסתרת):".encode())
    os.kill(term.pid, signal.SIGINT)  # our own child, still waiting at the prompt
    code, text = term.end()
    _no_marks(text)
    assert code == 130 and "kiosk: הופסק." in text, text
