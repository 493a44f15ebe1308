"""Whether a kiosk works, judged from its heartbeat: the monitoring-plugins verdict.

Shared by `kiosk health` (which adds whether the process is alive) and the running app (which
logs a change of its own verdict to the journal). Each finding is one whole sentence, kept as
its English template and arguments so the text line is translated and ``--json`` stays English.

The codes follow the monitoring-plugins convention that Nagios, Icinga and Zabbix read: 0 OK,
1 WARNING, 2 CRITICAL, 3 UNKNOWN.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from kiosk.core import heartbeat as hb
from kiosk.core import lease
from kiosk.core.clock import NOTICEABLE_OFFSET
from kiosk.core.i18n import N_, _, isolate, ltr, ngettext, strip_isolates

#: A heartbeat older than this many intervals means the app no longer answers.
MISSED_BEATS = 3
#: A change waiting longer than this is CRITICAL (config ``monitoring.critical_wait_minutes``).
DEFAULT_MAX_WAIT_S = 600.0
#: A store status older than this many poll intervals (and at least STALE_MIN_S) is stale.
STALE_POLLS = 4
STALE_MIN_S = 120.0


class Code(IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


@dataclass(frozen=True, slots=True)
class Age:
    """A duration inside a sentence: words in the reader's language, or English for JSON."""

    seconds: float

    def words(self, *, translate: bool) -> str:
        s = max(0, round(self.seconds))
        if s >= 2 * 86400:
            n, unit = s // 86400, "day"
        elif s >= 2 * 3600:
            n, unit = s // 3600, "hour"
        elif s >= 120:
            n, unit = s // 60, "minute"
        else:
            n, unit = s, "second"
        if not translate:
            return f"{n} {unit}" + ("" if n == 1 else "s")
        if unit == "day":
            text = ngettext("{n} day", "{n} days", n)
        elif unit == "hour":
            text = ngettext("{n} hour", "{n} hours", n)
        elif unit == "minute":
            text = ngettext("{n} minute", "{n} minutes", n)
        else:
            text = ngettext("{n} second", "{n} seconds", n)
        return text.format(n=ltr(n))


@dataclass(frozen=True, slots=True)
class Clock:
    """A time of day inside a sentence (this PC's local time)."""

    epoch: float

    def words(self, *, translate: bool) -> str:
        text = datetime.fromtimestamp(self.epoch).strftime("%H:%M")
        return ltr(text) if translate else text


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence inside a finding (a cause), kept as its English template and values like the
    finding itself: translated on the line a person reads, English in ``--json``."""

    template: str
    args: dict[str, object] = field(default_factory=dict)

    def words(self, *, translate: bool, clean: Callable[[str], str] = str) -> str:
        return _render(self.template, self.args, translate=translate, clean=clean)


@dataclass(frozen=True, slots=True)
class Said:
    """A sentence already in the reader's language (an exception's message, made in the
    language of the moment): its own marks are not escaped, text from outside in it still is."""

    text: str

    def words(self, *, translate: bool, clean: Callable[[str], str] = str) -> str:
        return clean(strip_isolates(self.text)) if translate else self.text


def _render(
    template: str, args: dict[str, object], *, translate: bool, clean: Callable[[str], str]
) -> str:
    values: dict[str, str] = {}
    for name, value in args.items():
        if isinstance(value, Age | Clock):
            values[name] = value.words(translate=translate)
        elif isinstance(value, Sentence | Said):
            values[name] = value.words(translate=translate, clean=clean)
        elif translate and name in ("store", "problem", "error", "folder"):
            values[name] = isolate(clean(str(value)))
        elif translate:
            values[name] = ltr(clean(str(value)))
        else:
            values[name] = str(value)
    return (_(template) if translate else template).format(**values)


@dataclass(frozen=True, slots=True)
class Finding:
    code: Code
    kind: str
    template: str  # English, marked for translation where it is written
    args: dict[str, object] = field(default_factory=dict)
    store_id: str | None = None

    def text(self, *, translate: bool, clean: Callable[[str], str] = str) -> str:
        """``clean``: how text from outside (a store name, a path, an error) is made safe for
        where it goes (the CLI escapes control characters for a terminal)."""
        return _render(self.template, self.args, translate=translate, clean=clean)


@dataclass(frozen=True, slots=True)
class Report:
    findings: tuple[Finding, ...]
    perfdata: tuple[tuple[str, str], ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> Code:
        return max((f.code for f in self.findings), default=Code.UNKNOWN)

    def line(self, clean: Callable[[str], str] = str) -> str:
        """The one line monitoring tools show: ``KIOSK WARNING - sentence. sentence. | perf``."""
        ordered = sorted(self.findings, key=lambda f: -f.code)
        text = " ".join(f.text(translate=True, clean=clean) for f in ordered)
        line = f"KIOSK {self.code.name} - {text}"
        line = " ".join(line.split())  # one line, whatever a store name holds
        if self.perfdata:
            line += " | " + " ".join(f"{k}={v}" for k, v in self.perfdata)
        return line

    def to_json(self) -> dict[str, Any]:
        ordered = sorted(self.findings, key=lambda f: -f.code)
        return {
            "status": self.code.name,
            "exit_code": int(self.code),
            "summary": " ".join(f.text(translate=False) for f in ordered),
            **self.facts,
            "findings": [
                {
                    "status": f.code.name,
                    "kind": f.kind,
                    "store_id": f.store_id,
                    "message": f.text(translate=False),
                }
                for f in ordered
            ],
        }


def unreadable(folder: Path, why: str | Sentence) -> Report:
    """UNKNOWN: the data folder or the heartbeat cannot be read, so nothing can be told."""
    return Report(
        (
            Finding(
                Code.UNKNOWN,
                "unreadable",
                N_("Cannot tell whether the kiosk works: {folder} cannot be read ({error})."),
                {"folder": str(folder), "error": why},
            ),
        ),
        facts={"running": None},
    )


@dataclass(frozen=True, slots=True)
class Limits:
    max_wait_s: float = DEFAULT_MAX_WAIT_S


def alive(data_dir: Path, beat: hb.Heartbeat) -> bool | None:
    """Is the process that wrote ``beat`` alive? The owner lock says for sure; where the file
    system cannot lock, whether its pid exists (weaker: pids are reused); None: cannot tell."""
    liveness, _holder = lease.probe(data_dir, beat.token)
    if liveness is lease.Liveness.ALIVE:
        return True
    if liveness is lease.Liveness.DEAD:
        return False
    if os.name == "posix":
        try:
            os.kill(beat.pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            return True  # exists, someone else's
        return True
    return None


def verdict(
    data_dir: Path,
    *,
    installed_version: str,
    limits: Limits = Limits(),
    config_problem: Said | None = None,
    store_id: str | None = None,
) -> Report:
    """`kiosk health`'s verdict on a data folder now: its heartbeat read and judged, with
    whether the process that wrote it is alive (an unreadable one is UNKNOWN)."""
    try:
        beat = hb.read(data_dir)
    except hb.HeartbeatError as exc:
        return unreadable(hb.path_in(data_dir), Sentence(exc.template, dict(exc.values)))
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or type(exc).__name__
        return unreadable(data_dir, str(why))
    return evaluate(
        beat,
        data_dir=data_dir,
        now=time.time(),
        is_alive=lambda b: alive(data_dir, b),
        installed_version=installed_version,
        limits=limits,
        boot_id=hb.boot_id(),
        config_problem=config_problem,
        store_id=store_id,
    )


def evaluate(
    beat: hb.Heartbeat | None,
    *,
    data_dir: Path,
    now: float,
    is_alive: Callable[[hb.Heartbeat], bool | None],
    installed_version: str,
    limits: Limits = Limits(),
    boot_id: str | None = None,
    config_problem: str | Said | None = None,
    store_id: str | None = None,
) -> Report:
    """The verdict on one heartbeat (None: there is none)."""
    findings: list[Finding] = []
    perf: list[tuple[str, str]] = []
    if config_problem:
        findings.append(
            Finding(
                Code.WARNING,
                "config",
                N_("The configuration has a problem: {error}"),
                {"error": config_problem},
            )
        )
    if beat is None:
        findings.append(
            Finding(
                Code.CRITICAL,
                "not_running",
                N_("The kiosk app is not running: it has never written a heartbeat in {folder}."),
                {"folder": str(data_dir)},
            )
        )
        return Report(tuple(findings), facts={"running": False, "heartbeat": None})
    age = now - beat.written_at
    live = is_alive(beat)
    stale_after = beat.interval_seconds * MISSED_BEATS
    facts: dict[str, Any] = {
        "running": None,
        "state": beat.state.value,
        "pid": beat.pid,
        "running_version": beat.version,
        "installed_version": installed_version,
        "started_at": _iso(beat.started_at),
        "heartbeat_at": _iso(beat.written_at),
        "heartbeat_age_seconds": round(age, 1),
        "clock_offset_seconds": beat.clock_offset_seconds,
        "keyring": beat.keyring.value,
    }
    perf.append(("heartbeat_age", f"{max(0.0, age):.0f}s;{stale_after:.0f};{stale_after:.0f}"))
    same_boot = boot_id is None or beat.boot_id is None or boot_id == beat.boot_id
    ended = beat.state is not hb.AppState.RUNNING
    if beat.state is hb.AppState.CLOSED_BY_MANAGER and same_boot and live is not True:
        facts["running"] = False
        findings.append(
            Finding(
                Code.WARNING,
                "closed_by_manager",
                N_(
                    "A manager closed the kiosk app on purpose at {time}; it starts again "
                    "at the next login."
                ),
                {"time": Clock(beat.state_at)},
            )
        )
        return Report(tuple(findings), tuple(perf), facts)
    if ended and live is not True:
        facts["running"] = False
        findings.append(
            Finding(
                Code.CRITICAL,
                "stopped",
                N_("The kiosk app is not running: it stopped at {time}."),
                {"time": Clock(beat.state_at)},
            )
        )
        return Report(tuple(findings), tuple(perf), facts)
    if live is False:
        facts["running"] = False
        findings.append(
            Finding(
                Code.CRITICAL,
                "ended",
                N_("The kiosk app is not running: it ended without stopping cleanly after {time}."),
                {"time": Clock(beat.written_at)},
            )
        )
        return Report(tuple(findings), tuple(perf), facts)
    if age > stale_after:
        facts["running"] = live
        findings.append(
            Finding(
                Code.CRITICAL,
                "not_responding",
                N_("The kiosk app is not responding: its last heartbeat is {age} old."),
                {"age": Age(age)},
            )
        )
        return Report(tuple(findings), tuple(perf), facts)
    facts["running"] = True
    if age < -stale_after:
        findings.append(
            Finding(
                Code.WARNING,
                "future_heartbeat",
                N_("The heartbeat is dated {age} in the future: this PC's clock was turned back."),
                {"age": Age(-age)},
            )
        )
    findings.append(
        Finding(
            Code.OK,
            "running",
            N_("The kiosk app {version} is running (pid {pid})."),
            {"version": beat.version, "pid": beat.pid},
        )
    )
    if beat.version != installed_version:
        findings.append(
            Finding(
                Code.WARNING,
                "upgrade_pending",
                N_(
                    "Version {installed} is installed, but the app still runs {version}: it "
                    "needs a restart."
                ),
                {"installed": installed_version, "version": beat.version},
            )
        )
    if not beat.stores:
        findings.append(
            Finding(
                Code.WARNING,
                "no_store",
                N_("No store is configured: the app shows its set-up screen."),
            )
        )
    findings += _keyring(beat)
    findings += _clock(beat, perf)
    findings += _stores(beat, age, limits, store_id, perf)
    if beat.managed_last_good:
        findings.append(
            Finding(
                Code.WARNING,
                "managed_last_good",
                N_("IT's managed config has an error; the app runs on its last good copy."),
            )
        )
    if beat.problem:
        findings.append(
            Finding(
                Code.WARNING,
                "app_problem",
                N_("The app shows a problem: {problem}"),
                {"problem": beat.problem},
            )
        )
    facts["stores"] = [
        {
            "id": s.id,
            "name": s.name,
            "status": s.status,
            "confirmed_age_seconds": _plus(s.confirmed_age_seconds, age),
            "waiting": None
            if s.waiting is None
            else {"state": s.waiting.state, "age_seconds": _plus(s.waiting.age_seconds, age)},
            "problem": s.problem,
        }
        for s in beat.stores
        if store_id is None or s.id == store_id
    ]
    return Report(tuple(findings), tuple(perf), facts)


_KEYRING_WORDS = {
    hb.KeyringState.MISSING: N_("No API key is stored: run `kiosk key set`."),
    hb.KeyringState.UNAVAILABLE: N_("The app cannot read the OS keyring (locked, or none)."),
    hb.KeyringState.REJECTED: N_("Gett rejected the API key: store a valid one."),
}


def _keyring(beat: hb.Heartbeat) -> list[Finding]:
    template = _KEYRING_WORDS.get(beat.keyring)
    if template is None:
        return []
    return [Finding(Code.WARNING, f"keyring_{beat.keyring.value}", template)]


def _clock(beat: hb.Heartbeat, perf: list[tuple[str, str]]) -> list[Finding]:
    offset = beat.clock_offset_seconds
    if offset is None:
        return []
    perf.append(("clock_offset", f"{round(offset)}s;{NOTICEABLE_OFFSET:.0f}"))
    if abs(offset) <= NOTICEABLE_OFFSET:
        return []
    # offset = Gett's clock minus this PC's: positive means this PC is behind.
    template = (
        N_("This PC's clock is {age} behind Gett's.")
        if offset > 0
        else N_("This PC's clock is {age} ahead of Gett's.")
    )
    return [Finding(Code.WARNING, "clock_offset", template, {"age": Age(abs(offset))})]


def _stores(
    beat: hb.Heartbeat,
    age: float,
    limits: Limits,
    store_id: str | None,
    perf: list[tuple[str, str]],
) -> list[Finding]:
    found: list[Finding] = []
    stale_s = max(STALE_MIN_S, STALE_POLLS * beat.poll_interval_seconds)
    up_for = max(0.0, beat.written_at - beat.started_at) + max(0.0, age)
    waiting_count = 0
    oldest = 0.0
    for store in beat.stores:
        if store_id is not None and store.id != store_id:
            continue
        name = store.name
        confirmed = _plus(store.confirmed_age_seconds, age)
        if confirmed is None:
            code = Code.WARNING if up_for > stale_s else Code.OK
            found.append(
                Finding(
                    code,
                    "no_status",
                    N_("{store}: no status from Gett yet."),
                    {"store": name},
                    store.id,
                )
            )
        elif confirmed > stale_s:
            found.append(
                Finding(
                    Code.WARNING,
                    "stale_status",
                    N_("{store}: Gett has not confirmed its status for {age}."),
                    {"store": name, "age": Age(confirmed)},
                    store.id,
                )
            )
        else:
            template = (
                N_("{store}: paused, confirmed by Gett {age} ago.")
                if store.status == "paused"
                else N_("{store}: online, confirmed by Gett {age} ago.")
            )
            found.append(
                Finding(
                    Code.OK, "confirmed", template, {"store": name, "age": Age(confirmed)}, store.id
                )
            )
        if store.waiting is not None:
            waited = store.waiting.age_seconds + max(0.0, age)
            waiting_count += 1
            oldest = max(oldest, waited)
            code = Code.CRITICAL if waited > limits.max_wait_s else Code.OK
            found.append(
                Finding(
                    code,
                    "waiting",
                    N_("{store}: a change has waited {age} to reach Gett."),
                    {"store": name, "age": Age(waited)},
                    store.id,
                )
            )
        if store.problem:
            found.append(
                Finding(
                    Code.WARNING,
                    "store_problem",
                    N_("{store}: needs a manager ({problem})."),
                    {"store": name, "problem": store.problem},
                    store.id,
                )
            )
    perf.append(("waiting", str(waiting_count)))
    perf.append(("oldest_wait", f"{oldest:.0f}s;;{limits.max_wait_s:.0f}"))
    return found


def _plus(seconds: float | None, more: float) -> float | None:
    return None if seconds is None else round(seconds + max(0.0, more), 1)


def _iso(epoch: float) -> str | None:
    with contextlib.suppress(OverflowError, OSError, ValueError):
        return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")
    return None
