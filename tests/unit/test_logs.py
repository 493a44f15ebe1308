from __future__ import annotations

import logging
from pathlib import Path

from kiosk.core.logs import REDACTOR, setup_logging


def test_key_and_bearer_tokens_never_reach_the_log_file(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "logs")
    assert path is not None
    REDACTOR.add_secret("sk_live_TOPSECRET")
    log = logging.getLogger("kiosk.test")
    log.warning("header was %s", "Authorization: Bearer abc.def-ghi")
    log.warning("oops the key sk_live_TOPSECRET slipped")
    try:
        raise RuntimeError("failed with key sk_live_TOPSECRET")
    except RuntimeError:
        log.exception("crash")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "sk_live_TOPSECRET" not in text
    assert "abc.def-ghi" not in text
    assert text.count("[redacted]") >= 3
    assert "RuntimeError" in text  # the traceback is kept, scrubbed


def test_unwritable_log_dir_is_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert setup_logging(blocker / "logs") is None


def test_exceptions_escaping_qt_slots_are_logged_scrubbed(tmp_path: Path) -> None:
    import sys

    from kiosk.ui.app import install_excepthook

    path = setup_logging(tmp_path / "logs")
    assert path is not None
    REDACTOR.add_secret("sk_live_SLOTSECRET")
    before = sys.excepthook
    undo = install_excepthook()
    assert sys.excepthook is not before
    try:
        try:
            raise ValueError("bad thing with sk_live_SLOTSECRET")
        except ValueError:
            sys.excepthook(*sys.exc_info())  # what PySide6 does for an exception in a slot
    finally:
        undo()
    assert sys.excepthook is before
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "unexpected error in the app" in text and "ValueError" in text
    assert "sk_live_SLOTSECRET" not in text
