"""Settings' Save keeps what changed outside the page while it was open.

A manager opens Settings; meanwhile IT runs ``kiosk pin clear`` or pushes a file. Writing back the
config the page opened with would undo that. So Save applies only the fields the manager changed
(the page's result compared with what it opened with) on top of the config as it is now.
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

from kiosk.core.config import Config, ConfigError, UiSettings, parse_config, read_toml

#: The top-level fields Settings can change (``ui`` is compared field by field).
_TOP = ("api_url", "stores", "poll_interval_seconds", "data_dir", "monitoring")


def rebase(edited: Config, opened: Config, current: Config) -> Config:
    """``current`` with each field that differs between ``edited`` and ``opened`` taken from
    ``edited``; a key IT manages now keeps ``current``'s value (the page may not have shown it
    locked)."""
    managed = current.managed
    changes: dict[str, object] = {
        name: getattr(edited, name)
        for name in _TOP
        if getattr(edited, name) != getattr(opened, name) and name not in managed
    }
    ui = current.ui
    for f in fields(UiSettings):
        name = f.name
        if f"ui.{name}" in managed:
            continue
        new, old = getattr(edited.ui, name), getattr(opened.ui, name)
        if name == "reason_minutes":
            merged = dict(ui.reason_minutes)
            for reason, minutes in new.items():
                key = f"ui.reason_minutes.{reason.value}"
                if minutes != old.get(reason) and key not in managed:
                    merged[reason] = minutes
            ui = replace(ui, reason_minutes=merged)
        elif new != old:
            ui = replace(ui, **{name: new})
    return replace(current, ui=ui, **changes)  # type: ignore[arg-type]


def read_own(path: Path | None, fallback: Config) -> Config:
    """The user's own file as it is on disk now (no managed values, no ``KIOSK_*``); the
    ``fallback`` (what the app runs with) when there is no such file or it cannot be used (the
    watcher says why): a file deleted meanwhile must not make Save write empty settings."""
    if path is None:
        return fallback
    try:
        if not path.is_file():
            return fallback
        return replace(parse_config(read_toml(path, str(path)), source=str(path)), source=path)
    except (ConfigError, OSError):
        return fallback
