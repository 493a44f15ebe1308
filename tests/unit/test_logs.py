from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

import pytest

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


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_important_lines_go_to_the_events_log_too(tmp_path: Path) -> None:
    from kiosk.core.logs import EVENT, log_started, log_stopped

    path = setup_logging(tmp_path / "logs")
    assert path is not None
    REDACTOR.add_secret("sk_live_EVENTSECRET")
    log = logging.getLogger("kiosk.test")
    log.info("GET /v1/commerce/stores/x/status -> 200 in 12 ms")  # every poll: kiosk.log only
    log.info("connection to Gett: offline, refused (was online)", extra=EVENT)
    log.error("something broke with sk_live_EVENTSECRET")  # errors always
    log_started("kiosk app", qt="6.9.0")
    log_stopped("kiosk app", 0, "a manager closed it")
    _flush()
    events = (tmp_path / "logs" / "events.log").read_text()
    assert "200 in 12 ms" not in events
    assert "offline, refused" in events and "something broke" in events
    assert "sk_live_EVENTSECRET" not in events and "[redacted]" in events  # scrubbed last
    assert "kiosk app started" in events and "qt 6.9.0" in events and "python 3." in events
    assert "kiosk app stopped" in events and "exit code 0" in events
    assert events.rstrip().endswith(": a manager closed it")  # why it stopped
    assert "200 in 12 ms" in path.read_text()  # everything stays in kiosk.log
    if os.name == "posix":
        assert ((tmp_path / "logs" / "events.log").stat().st_mode & 0o777) == 0o600


def test_settings_changes_name_keys_never_values() -> None:
    from dataclasses import replace

    from kiosk.core.config import Config, UiSettings
    from kiosk.core.logs import changed_settings

    old = Config(ui=UiSettings(pin_hash=None))
    new = replace(old, poll_interval_seconds=60.0, ui=replace(old.ui, pin_hash="scrypt$x$y"))
    assert changed_settings(old, new) == ["poll_interval_seconds", "ui.pin_hash"]
    assert changed_settings(old, old) == []


def simulate_month(log_dir: Path, days: int = 30) -> dict[str, float]:
    """Thirty days of one store polled every 30 s, as the real loggers write it: the poll's
    line, a ten-minute outage a day (refused, one line a poll, two connection events), ten
    taps a day (saved and confirmed) and a restart a day. Returns how many days back the
    oldest line of each log reaches, once the month is over."""
    from kiosk.core.logs import EVENT

    setup_logging(log_dir)
    start = 1_780_000_000.0
    client = logging.getLogger("kiosk.core.client")
    sync = logging.getLogger("kiosk.core.sync")
    app = logging.getLogger("kiosk")
    path = "/v1/commerce/stores/3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c/status"

    def emit(logger: logging.Logger, when: float, level: int, msg: str, *args: object,
             event: bool = False) -> None:  # fmt: skip
        record = logger.makeRecord(
            logger.name, level, __file__, 0, msg, args, None, extra=EVENT if event else None
        )
        record.created, record.msecs = when, 0.0
        logger.handle(record)

    polls = 24 * 120
    for day in range(days):
        for poll in range(polls):
            now = start + day * 86400 + poll * 30
            if 600 <= poll < 620:  # ten minutes offline
                if poll == 600:
                    emit(sync, now, logging.INFO, "connection to Gett: offline, refused "
                         "(was online)", event=True)  # fmt: skip
                emit(client, now, logging.INFO, "GET %s failed: refused (ConnectError)", path)
                continue
            if poll == 620:
                emit(sync, now, logging.INFO, "connection to Gett: online (was offline)",
                     event=True)  # fmt: skip
            emit(client, now, logging.INFO, "GET %s -> 200 in %.0f ms", path, 42.0)
            if poll % 288 == 0:  # ten taps a day
                emit(client, now, logging.INFO, "POST %s -> 200 in %.0f ms", path, 80.0)
                emit(sync, now, logging.INFO, "intent %d delivered: %s", day * 10 + poll,
                     {"status": "paused", "reason": "too_busy"}, event=True)  # fmt: skip
            if poll == 100:
                emit(app, now, logging.INFO, "kiosk app stopped (pid 1, exit code 0)",
                     event=True)  # fmt: skip
                started = "kiosk app started (pid 2): kiosk 1.0, python 3.11.9, os Linux-6.1"
                emit(app, now, logging.INFO, started + ", qt 6.9.0 (PySide6 6.9.0)", event=True)
    _flush()
    end = start + days * 86400

    def reach(name: str) -> float:
        oldest = end
        for file in log_dir.glob(f"{name}*"):
            first = file.read_text(encoding="utf-8").split("\n", 1)[0]
            stamp = datetime.strptime(first[:19], "%Y-%m-%d %H:%M:%S").timestamp()
            oldest = min(oldest, stamp)
        return (end - oldest) / 86400

    return {"kiosk.log": reach("kiosk.log"), "events.log": reach("events.log")}


@pytest.mark.slow
def test_a_month_of_polling_keeps_every_important_line(tmp_path: Path) -> None:
    """Runs 86,400 polls' lines through the real handlers (5 s alone, ~9 s under the full suite)."""
    kept = simulate_month(tmp_path / "logs")
    assert kept["events.log"] >= 30  # the first day's events are all still there
    assert kept["kiosk.log"] >= 7  # and a week of every poll
    events = "".join(p.read_text() for p in (tmp_path / "logs").glob("events.log*"))
    assert events.count("kiosk app started") == 30
    assert events.count("connection to Gett: offline, refused") == 30
