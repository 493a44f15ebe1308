"""Logging to a rotating file in the data dir, with the API key scrubbed as a last line of defence.

Nothing should ever log the key in the first place; the filter makes a slip harmless.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
from pathlib import Path

from kiosk.core.private import FILE_MODE, private_dir, tighten
from kiosk.core.redact import Scrubber


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


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are 0600 from creation, and tightened if they exist looser."""

    def _open(self) -> io.TextIOWrapper:
        path = Path(self.baseFilename)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        tighten(path)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


REDACTOR = RedactingFilter()
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def setup_logging(
    log_dir: Path | None, *, verbose: bool = False, stderr_level: int = logging.WARNING
) -> Path | None:
    """Log INFO+ to ``log_dir/kiosk.log`` (rotating, 5 x 1 MB) and ``stderr_level``+ (or all,
    with ``verbose``) to stderr.

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
            path = log_dir / "kiosk.log"
            for old in log_dir.glob("kiosk.log*"):  # rotated files from a looser version
                tighten(old)
            handlers.append(
                PrivateRotatingFileHandler(
                    path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
                )
            )
        except OSError as exc:
            path = None
            problem = f"not logging to {log_dir}: {exc.strerror or exc}"
    for handler in handlers:
        handler._kiosk = True  # type: ignore[attr-defined]
        handler.addFilter(REDACTOR)
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
    if problem:  # said once the handlers are in place (it goes through the scrubbing filter)
        logging.getLogger(__name__).warning("%s", problem)
    # httpx logs every request at INFO with the URL only; keep it, its headers are never logged.
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
