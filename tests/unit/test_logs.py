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
