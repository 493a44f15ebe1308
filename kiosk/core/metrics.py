"""The heartbeat's figures as a Prometheus textfile, for node_exporter's textfile collector.

Written (optional, ``monitoring.prometheus_textfile``) each time the heartbeat is: atomically
(a temporary file in the same folder, then a rename), so the collector never reads half a file.
The file is 0644: node_exporter runs as its own user, and it holds no secret (store ids and
names, states and ages). node_exporter also exports the file's modification time
(``node_textfile_mtime_seconds``), so a kiosk that stopped writing shows as stale.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from kiosk.core import heartbeat as hb

TEXTFILE_MODE = 0o644


def _label(value: str) -> str:
    """A label value in the exposition format: backslash, quote and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    """Full precision (a Unix time needs 13 digits), whole numbers without ".0"."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def render(beat: hb.Heartbeat, health_code: int) -> str:
    """Gauges (the exposition format 0.0.4 that the textfile collector reads)."""
    out: list[str] = []

    def gauge(name: str, help_text: str, samples: list[tuple[str, float]]) -> None:
        out.append(f"# HELP kiosk_{name} {help_text}")
        out.append(f"# TYPE kiosk_{name} gauge")
        for labels, value in samples:
            out.append(f"kiosk_{name}{labels} {_number(value)}")

    running = beat.state is hb.AppState.RUNNING
    gauge("up", "1 while the kiosk app runs, 0 once it stopped.", [("", 1 if running else 0)])
    gauge(
        "closed_by_manager",
        "1 if a manager closed the app on purpose (until the next login).",
        [("", 1 if beat.state is hb.AppState.CLOSED_BY_MANAGER else 0)],
    )
    gauge("info", "The running version.", [(f'{{version="{_label(beat.version)}"}}', 1)])
    gauge("start_time_seconds", "When the app started (Unix time).", [("", beat.started_at)])
    gauge("heartbeat_time_seconds", "When these figures were written.", [("", beat.written_at)])
    gauge("health_status", "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.", [("", health_code)])
    gauge(
        "keyring_ok",
        "1 if the API key could be read from the keyring and was not rejected.",
        [("", 1 if beat.keyring is hb.KeyringState.OK else 0)],
    )
    if beat.clock_offset_seconds is not None:
        gauge(
            "clock_offset_seconds",
            "Gett's clock minus this PC's.",
            [("", beat.clock_offset_seconds)],
        )
    stores = [(f'{{store="{_label(s.id)}",name="{_label(s.name)}"}}', s) for s in beat.stores]
    gauge(
        "store_paused",
        "1 if Gett last confirmed the store paused, 0 online, -1 not known yet.",
        [(lb, {"paused": 1, "online": 0}.get(s.status or "", -1)) for lb, s in stores],
    )
    gauge(
        "store_confirmed_age_seconds",
        "How old Gett's last confirmation of the store's status was.",
        [(lb, s.confirmed_age_seconds) for lb, s in stores if s.confirmed_age_seconds is not None],
    )
    gauge(
        "store_waiting_changes",
        "Changes made here that Gett has not confirmed yet.",
        [(lb, 0 if s.waiting is None else 1) for lb, s in stores],
    )
    gauge(
        "store_oldest_waiting_seconds",
        "How long the oldest waiting change has waited (0: none).",
        [(lb, 0 if s.waiting is None else s.waiting.age_seconds) for lb, s in stores],
    )
    return "\n".join(out) + "\n"


def write(path: Path, text: str) -> None:
    """Replace ``path`` atomically (raises OSError: the caller logs it and carries on)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # not *.prom: never collected
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, TEXTFILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, TEXTFILE_MODE)  # whatever the umask
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
