"""Property-based fuzz of everything a PC can hand the ``kiosk`` command: config files (TOML text,
structured documents, raw bytes), ``KIOSK_*`` overrides and argument vectors.

Each example runs the real :class:`Cli` in-process against the simulator over loopback HTTP, with a
real SQLite queue and log folder in a temporary directory. What must hold for every input: no
exception escapes, the exit code is a documented one, stderr is at most two plain sentences (plus
argparse's usage text) with no traceback, human output carries no raw control characters, and
``--json`` output is valid JSON.

A failing input is recorded rather than raised, so one run counts every crash it finds (the issue
asked for the count); the test then fails listing the first few. About 5,600 examples in all.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.cli.main import Cli, ExitCode
from kiosk.core.client import GettClient
from kiosk.core.keystore import MemoryKeyStore
from kiosk.core.models import PauseReason
from kiosk.simulator.server import Simulator
from tests.helpers.fakes import FakeClock
from tests.integration.conftest import KEY, STORE

#: Every exit code the CLI's commands may return (the README's table; the simulator and the app's
#: start are not fuzzed here: they would serve or open a window instead of returning).
DOCUMENTED = {0, 2, 3, 4, 74, 75}
OTHER_STORE = "80570ca0-21aa-4143-95e4-257b97084d2c"
DEAD_URL = "http://127.0.0.1:9"  # the discard port: nothing listens, connecting fails at once
#: Control characters a terminal acts on (C0 but newline, DEL, C1, bidi overrides, lone surrogates).
_RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)

HOSTILE = [
    "",
    " ",
    "\t",
    "\x00",
    "a\x00b",
    "\n",
    "\r\n",
    "\x1b[2J\x1b[HMain St: ONLINE, accepting orders",
    "\x9b31m",
    "\u202eenilno",
    "\u2066x\u2069",
    "\x7f",
    "\udcff",
    "x" * 5000,
    "9" * 40,
    "-1",
    "0",
    "nan",
    "inf",
    "-inf",
    "1e309",
    "٣",
    "²",
    "99999999999999h",
    "9999-12-31T23:59:59-05:00",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+05:00",
    "2026-01-15T12:00:00Z",
    "2026-01-16T12:00:00+99:00",
    "23:59",
    "15m",
    "--json",
    "-",
    "--",
    "~",
    "../..",
    STORE,
    STORE.upper(),
    OTHER_STORE,
    "Main St",
]
text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=24))
# Lone surrogates are what a non-UTF-8 byte in argv or the environment turns into on POSIX.
odd_text = st.one_of(text, st.text(st.characters(codec=None), max_size=12))

durations = st.one_of(
    st.from_regex(r"\A-?\d{0,20}[hms]?(\d{0,20}[hms])?\Z"),
    st.integers(-(10**20), 10**20).map(str),
    text,
)
untils = st.one_of(
    st.builds(
        "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}".format,
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.integers(0, 61),
        st.sampled_from(["Z", "+00:00", "-05:00", "+14:00", "-23:59", "+99:99", ""]),
    ),
    st.builds("{:02d}:{:02d}".format, st.integers(0, 30), st.integers(0, 70)),
    text,
)
limits = st.one_of(st.integers(-5, 10**30).map(str), text)
stores = st.one_of(st.sampled_from([STORE, STORE.upper(), OTHER_STORE, "Main St", "main st"]), text)
reasons = st.one_of(
    st.sampled_from([r.value for r in PauseReason] + ["too-busy", "Too Busy"]), text
)

OPTIONS: dict[str, list[tuple[str, st.SearchStrategy[str] | None]]] = {
    "status": [("--store", stores), ("--json", None)],
    "pause": [
        ("--reason", reasons),
        ("--reason", reasons),
        ("--for", durations),
        ("--until", untils),
        ("--store", stores),
        ("--json", None),
    ],
    "resume": [("--store", stores), ("--json", None)],
    "sync": [("--json", None), ("--force", None)],
    "history": [("--store", stores), ("--limit", limits), ("--json", None)],
    "key": [],
}


@dataclass
class World:
    base: Path
    sim: Simulator
    clock: FakeClock
    config: Path
    runs: int = 0
    failures: list[str] = field(default_factory=list)

    def paths(self) -> st.SearchStrategy[str]:
        """Paths under the test's folder, and the awkward ones: a folder, a file, NUL, empty."""
        inside = (
            st.text(max_size=16).filter(lambda s: ".." not in s).map(lambda s: f"{self.base}/{s}")
        )
        return st.one_of(
            st.just(str(self.base / "data")),
            st.just(str(self.base / "data")),
            inside,
            st.sampled_from(
                [
                    "",
                    "\x00",
                    f"{self.base}/a\x00b",
                    str(self.base),
                    str(self.config),
                    f"{self.config}/below",
                    "relative/dir",
                    f"{self.base}/\udcff",
                ]
            ),
        )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("fuzz")
    clock = FakeClock()
    sim = Simulator([STORE, OTHER_STORE], KEY, clock=clock)
    sim.start()
    cwd = os.getcwd()
    # A relative path in a fuzzed config lands in the test's folder, and the platform's default
    # config and data folders (used when a KIOSK_* variable is dropped) are the test's too.
    saved = {name: os.environ.get(name) for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")}
    os.environ["XDG_CONFIG_HOME"] = str(base / "xdg-config")
    os.environ["XDG_DATA_HOME"] = str(base / "xdg-data")
    os.chdir(base)
    try:
        yield World(base, sim, clock, base / "config.toml")
    finally:
        os.chdir(cwd)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        sim.stop()


class _ClosedStdin(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.close()


class _BinaryStdin(io.TextIOWrapper):
    """A stdin whose bytes are not text in its encoding."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")


def _stdin(kind: str, data: str) -> io.TextIOBase:
    if kind == "closed":
        return _ClosedStdin()
    if kind == "binary":
        return _BinaryStdin(b"\xff\xfe" + data.encode("utf-8", "surrogatepass"))
    return io.StringIO(data)


def _client_factory(world: World) -> Callable[[str, str], GettClient]:
    """The real client for the configured URL (its construction is part of what is fuzzed), but
    only loopback requests leave: anything else goes to a port where nothing listens."""

    def make(url: str, key: str) -> GettClient:
        GettClient(url, key, clock=world.clock).close()
        target = url if url == world.sim.base_url else DEAD_URL
        return GettClient(target, key, clock=world.clock, timeout=httpx.Timeout(0.5))

    return make


def _check(
    world: World,
    argv: list[str],
    env: dict[str, str],
    stdin: io.TextIOBase,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world.runs += 1
    capsys.readouterr()
    out, err = io.StringIO(), io.StringIO()
    cli = Cli(
        keystore=MemoryKeyStore(KEY),
        clock=world.clock,
        env=env,
        stdin=stdin,  # type: ignore[arg-type]
        stdout=out,
        stderr=err,
        client_factory=_client_factory(world),
    )
    problems: list[str] = []
    try:
        code: int | None = cli.run(argv)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        code = None
        problems.append(f"{type(exc).__name__}: {str(exc)[:120]}")
    captured = capsys.readouterr()
    stdout, stderr = out.getvalue(), err.getvalue()
    if code is not None and code not in DOCUMENTED:
        problems.append(f"exit code {code}")
    for where, value in (("stderr", stderr), ("sys.stderr", captured.err)):
        if "Traceback" in value:
            problems.append(f"traceback on {where}")
    if "-v" not in argv and "--verbose" not in argv and captured.err.strip():
        problems.append(f"log noise on stderr: {captured.err[:120]!r}")
    sentences = [
        line for line in stderr.splitlines() if line and not line.startswith(("usage:", " "))
    ]
    if len(sentences) > 2:
        problems.append(f"{len(sentences)} lines on stderr")
    json_mode = "--json" in argv and code != ExitCode.USAGE
    human = stderr + ("" if json_mode else stdout)
    if _RAW_CONTROL.search(human):
        problems.append(f"raw control character in output: {human[:160]!r}")
    if json_mode and stdout.strip():
        try:
            json.loads(stdout)
        except ValueError:
            problems.append(f"--json printed invalid JSON: {stdout[:120]!r}")
    if problems:
        world.failures.append(f"{problems} for argv={argv!r} env={env!r}")


def _report(world: World, at_least: int) -> None:
    assert world.runs >= at_least, world.runs
    kinds = Counter(failure.split(" for argv=")[0][:60] for failure in world.failures)
    shown = "\n".join(world.failures[:8])
    assert not world.failures, (
        f"{len(world.failures)} of {world.runs} inputs failed:\n{shown}\nby kind: {kinds}"
    )


# -- config files ---------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        body = "".join(
            c
            if c.isprintable() and c not in '"\\'
            else f"\\u{ord(c):04x}"
            if ord(c) <= 0xFFFF
            else f"\\U{ord(c):08x}"
            for c in value
        )
        return f'"{body}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def _to_toml(doc: dict[str, Any]) -> str:
    return "\n".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in doc.items()) + "\n"


scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
)
HOSTS = [
    "127.0.0.1",
    "localhost",
    "[::1]",
    "[::1",
    "[%]",
    "api.gett-tech.com",
    "exa mple.com",
    "ex\tample.com",
    "",
    "%41.com",
    "xn--zz.com",
    "b\u00fccher.de",
    "a..b",
    "\x00",
]
PORTS = ["", ":0", ":8787", ":65535", ":65536", ":99999", ":-1", ":abc", ":+80", ":"]
urls = st.one_of(
    st.builds(
        "{}://{}{}{}{}".format,
        st.sampled_from(["https", "http", "ftp", "", "HTTPS"]),
        st.sampled_from(["", "user:pass@", "u@", ":@"]),
        st.sampled_from(HOSTS),
        st.sampled_from(PORTS),
        st.sampled_from(["", "/", "/v1", "?q=1", "#f", "/ a", "/\x1b[2J"]),
    ),
    text,
)


@st.composite
def config_docs(draw: st.DrawFn, world: World) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if draw(st.booleans()):
        doc["api_url"] = draw(st.one_of(urls, st.just(world.sim.base_url), scalars))
    if draw(st.booleans()):
        doc["poll_interval_seconds"] = draw(
            st.one_of(st.floats(), st.integers(-(2**63), 2**63 - 1), scalars)
        )
    if draw(st.booleans()):
        doc["data_dir"] = draw(st.one_of(world.paths(), scalars))
    if draw(st.booleans()):
        store = st.fixed_dictionaries(
            {}, optional={"id": st.one_of(stores, scalars), "name": st.one_of(odd_text, scalars),
                          "extra": scalars}
        )  # fmt: skip
        doc["stores"] = draw(st.one_of(st.lists(store, max_size=3), scalars))
    if draw(st.booleans()):
        doc["ui"] = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "fullscreen": scalars,
                    "forgotten_pause_minutes": scalars,
                    "pin_hash": scalars,
                    "reason_minutes": st.dictionaries(
                        st.one_of(reasons, text), scalars, max_size=3
                    ),
                    "theme": scalars,
                },
            )
        )
    if draw(st.integers(0, 9)) == 0:
        doc[draw(text)] = draw(scalars)
    return doc


def _argv(world: World) -> st.SearchStrategy[list[str]]:
    @st.composite
    def build(draw: st.DrawFn) -> list[str]:
        argv: list[str] = []
        if draw(st.integers(0, 7)) == 0:
            argv += ["--config", draw(world.paths())]
        command = draw(st.sampled_from(sorted(OPTIONS)))
        argv.append(command)
        if command == "key":
            argv.append(draw(st.sampled_from(["set", "set", "status", "clear", "bogus"])))
        options = OPTIONS[command]
        for _ in range(draw(st.integers(0, 4))):
            if not options:
                break
            name, values = draw(st.sampled_from(options))
            argv.append(name)
            if values is not None:
                argv.append(draw(values))
        if draw(st.integers(0, 5)) == 0:
            argv += draw(st.lists(odd_text, max_size=3))
        return argv

    return build()


def _env(world: World) -> st.SearchStrategy[dict[str, str]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, str]:
        env = {
            "KIOSK_CONFIG": str(world.config),
            "KIOSK_API_URL": world.sim.base_url,
            "KIOSK_STORE_ID": STORE,
            "KIOSK_DATA_DIR": str(world.base / "data"),
        }
        for name in list(env):
            choice = draw(st.integers(0, 5))
            if choice == 0:
                del env[name]
            elif choice == 1:
                env[name] = draw(
                    {
                        "KIOSK_CONFIG": world.paths(),
                        "KIOSK_API_URL": urls,
                        "KIOSK_STORE_ID": st.one_of(
                            stores, st.lists(stores, max_size=3).map(",".join)
                        ),
                        "KIOSK_DATA_DIR": world.paths(),
                    }[name]
                )
        return env

    return build()


stdins = st.tuples(st.sampled_from(["text", "text", "closed", "binary"]), odd_text)

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _write_config(world: World, content: bytes | None) -> None:
    if world.config.is_dir():
        shutil.rmtree(world.config)
    if content is None:
        world.config.unlink(missing_ok=True)
    else:
        world.config.write_bytes(content)


def test_fuzz_config_files(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    """Structured documents with hostile values, arbitrary text, arbitrary bytes."""
    world.runs, world.failures = 0, []

    @settings(FUZZ, max_examples=2600)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(["doc", "doc", "doc", "text", "bytes", "dir"]))
        if kind == "doc":
            body: bytes | None = _to_toml(data.draw(config_docs(world))).encode(
                "utf-8", "surrogatepass"
            )
        elif kind == "text":
            body = data.draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")
        elif kind == "bytes":
            body = data.draw(st.binary(max_size=200))
        else:
            body = None
        _write_config(world, body)
        if kind == "dir":
            world.config.mkdir()
        env = {"KIOSK_CONFIG": str(world.config)}
        argv = data.draw(
            st.sampled_from(
                [["status"], ["status", "--json"], ["pause", "--reason", "other", "--for", "5m"],
                 ["resume", "--json"], ["sync"], ["history"], ["history", "--json"]]
            )
        )  # fmt: skip
        _check(world, argv, env, io.StringIO(""), capsys)

    run()
    _write_config(world, None)
    _report(world, 2600)


def test_fuzz_environment(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    """``KIOSK_*`` overrides, each kept, dropped or replaced by a hostile value."""
    world.runs, world.failures = 0, []
    _write_config(world, None)

    @settings(FUZZ, max_examples=1000)
    @given(env=_env(world), argv=st.sampled_from([["status"], ["resume", "--json"], ["history"]]))
    def run(env: dict[str, str], argv: list[str]) -> None:
        _check(world, argv, env, io.StringIO(""), capsys)

    run()
    _report(world, 1000)


def test_fuzz_arguments(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    """Argument vectors built from each command's options with hostile values, plus stray tokens;
    ``key set`` gets text, binary or closed stdin."""
    world.runs, world.failures = 0, []
    _write_config(world, None)

    @settings(FUZZ, max_examples=2000)
    @given(argv=_argv(world), env=_env(world), stdin=stdins)
    def run(argv: list[str], env: dict[str, str], stdin: tuple[str, str]) -> None:
        _check(world, argv, env, _stdin(*stdin), capsys)

    run()
    _report(world, 2000)
