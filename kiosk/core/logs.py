"""Logging to rotating files in the data dir, with the API key scrubbed as a last line of defence.

Two files: ``kiosk.log`` has everything at INFO and above (every poll, every request), so it
covers days; ``events.log`` has only what IT asks about weeks later (start and stop with the
versions, settings saved, wrong PINs, a config that stopped the kiosk, the connection going and
coming back with what failed, changes saved and confirmed, every error), so it covers months.
A line is marked for it with ``extra=EVENT``. Nothing should ever log the key in the first place;
the filter on every handler makes a slip harmless, and it runs last.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import logging.handlers
import os
import platform
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.core.private import FILE_MODE, private_dir, tighten
from kiosk.core.redact import Scrubber

#: ``log.info("...", extra=EVENT)`` also writes the line to ``events.log``.
EVENT: dict[str, Any] = {"kiosk_event": True}
LOG_NAME = "kiosk.log"
EVENTS_NAME = "events.log"
#: kiosk.log: 5 x 1 MB. At 30 s polling one store writes ~100 bytes a poll (~290 KB a day).
LOG_BYTES, LOG_BACKUPS = 1_000_000, 5
#: events.log: up to 31 x 1 MB. A normal day writes a few KB; even a connection that drops and
#: comes back at every poll (two lines a poll) fills it in no less than ~40 days.
EVENTS_BYTES, EVENTS_BACKUPS = 1_000_000, 30

_started_at: list[float] = []


class RedactingFilter(logging.Filter):
    """Replace known secrets and any ``Bearer <token>`` in a record's final message."""

    def __init__(self) -> None:
        super().__init__()
        self.scrubber = Scrubber()

    def add_secret(self, secret: str | None) -> None:
        self.scrubber.add_secret(secret)

    def scrub(self, text: str) -> str:
        return self.scrubber.scrub(text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self.scrub(message)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if scrubbed != message or record.args:
            record.msg, record.args = scrubbed, None
        return True


class EventFilter(logging.Filter):
    """Lets through the lines worth keeping for months: marked ``EVENT``, or an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR or bool(getattr(record, "kiosk_event", False))


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are 0600 from creation, and tightened if they exist looser."""

    def _open(self) -> io.TextIOWrapper:
        path = Path(self.baseFilename)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        tighten(path)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


REDACTOR = RedactingFilter()
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
_EVENT_FORMAT = "%(asctime)s %(levelname)s %(message)s"


def setup_logging(
    log_dir: Path | None, *, verbose: bool = False, stderr_level: int = logging.WARNING
) -> Path | None:
    """Log INFO+ to ``log_dir/kiosk.log`` (rotating, 5 x 1 MB), the events to
    ``log_dir/events.log`` (31 x 1 MB), and ``stderr_level``+ (or all, with ``verbose``) to
    stderr.

    A log dir that cannot be written is not fatal: the kiosk must keep working, so the file is
    skipped and the reason goes to stderr.
    """
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
            handler.close()
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.DEBUG if verbose else stderr_level)
    handlers: list[logging.Handler] = [stderr]
    path: Path | None = None
    problem: str | None = None
    if log_dir is not None:
        try:
            private_dir(log_dir.parent)  # the data folder: 0700 (the queue lives there too)
            private_dir(log_dir)
            path = log_dir / LOG_NAME
            for pattern in (f"{LOG_NAME}*", f"{EVENTS_NAME}*"):  # from a looser version
                for old in log_dir.glob(pattern):
                    tighten(old)
            handlers.append(
                PrivateRotatingFileHandler(
                    path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
                )
            )
            events = PrivateRotatingFileHandler(
                log_dir / EVENTS_NAME,
                maxBytes=EVENTS_BYTES,
                backupCount=EVENTS_BACKUPS,
                encoding="utf-8",
            )
            events.setLevel(logging.INFO)
            events.addFilter(EventFilter())
            events.setFormatter(logging.Formatter(_EVENT_FORMAT))
            handlers.append(events)
        except OSError as exc:
            path = None
            problem = f"not logging to {log_dir}: {exc.strerror or exc}"
    for handler in handlers:
        handler._kiosk = True  # type: ignore[attr-defined]
        handler.addFilter(REDACTOR)  # added last: it runs after every other filter
        if handler.formatter is None:
            handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
    if problem:  # said once the handlers are in place (it goes through the scrubbing filter)
        logging.getLogger(__name__).warning("%s", problem)
    # httpx logs every request at INFO with the URL only, and the client logs each request
    # itself (with its time and the kind of failure): one line per poll, not two.
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return path


def versions(qt: str | None = None) -> dict[str, str]:
    """What is running: IT compares it with what was installed (an upgrade not restarted)."""
    found = {
        "kiosk": __version__,
        "python": platform.python_version(),
        "os": platform.platform(terse=False),
    }
    if qt is not None:
        found["qt"] = qt
    return found


def log_started(what: str, *, qt: str | None = None) -> None:
    """One line when the app (or a long command) starts: the versions actually running."""
    _started_at[:] = [time.monotonic()]
    figures = ", ".join(f"{k} {v}" for k, v in versions(qt).items())
    logging.getLogger("kiosk").info(
        "%s started (pid %d): %s", what, os.getpid(), figures, extra=EVENT
    )


def log_stopped(what: str, code: int, reason: str = "") -> None:
    """One line when it stops, with the exit code, why (a manager, the window, SIGTERM, an
    upgrade's SIGUSR1) and how long it ran."""
    ran = f" after {time.monotonic() - _started_at[0]:.0f} s" if _started_at else ""
    why = f": {reason}" if reason else ""
    logging.getLogger("kiosk").info(
        "%s stopped (pid %d, exit code %d)%s%s", what, os.getpid(), code, ran, why, extra=EVENT
    )


def changed_settings(old: object, new: object, prefix: str = "") -> list[str]:
    """The names of the settings that differ between two configs (dataclasses), never their
    values: ``["poll_interval_seconds", "ui.pin_hash", "stores"]``."""
    if not (dataclasses.is_dataclass(old) and dataclasses.is_dataclass(new)):
        return [prefix.rstrip(".")] if old != new else []
    names: list[str] = []
    for item in dataclasses.fields(old):
        if item.name == "env_overrides":
            continue  # where a value came from, not a setting
        a, b = getattr(old, item.name, None), getattr(new, item.name, None)
        if a == b:
            continue
        if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
            names.extend(changed_settings(a, b, f"{prefix}{item.name}."))
        else:
            names.append(f"{prefix}{item.name}")
    return names


def log_settings_saved(old: object, new: object, *, key_changed: bool) -> None:
    """Settings saved on the screen: which keys changed (never a value, nor the key)."""
    names = changed_settings(old, new)
    if key_changed:
        names.append("API key (in the keyring)")
    logging.getLogger("kiosk.settings").info(
        "settings saved: %s", ", ".join(names) if names else "nothing changed", extra=EVENT
    )


def log_config_error(message: str, env: Mapping[str, str]) -> None:
    """A config that stops the app: its one sentence goes to the events log too. The config
    names no data folder we can trust then, so ``KIOSK_DATA_DIR`` or the platform's own."""
    from kiosk.core.config import default_data_dir  # config imports pin, which logs here

    root = logging.getLogger()
    if not any(isinstance(h, PrivateRotatingFileHandler) for h in root.handlers):
        data_dir = env.get("KIOSK_DATA_DIR") or ""
        folder = Path(data_dir) if data_dir and os.path.isabs(data_dir) else default_data_dir()
        if "\0" in str(folder):
            return
        setup_logging(folder / "logs", stderr_level=logging.CRITICAL + 1)
    logging.getLogger("kiosk.config").error(
        "the kiosk cannot start: %s", REDACTOR.scrub(message), extra=EVENT
    )
