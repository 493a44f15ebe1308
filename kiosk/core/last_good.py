"""The last good copy of IT's managed file, so a pushed typo never stops a kiosk at start.

Whenever the kiosk loads a managed file that parses, its text is kept in the data folder. When
the app starts and the managed file does not parse (or cannot be read), it starts on the user's
file with that copy laid over it, as a running app keeps its last good settings; the manager sees
the same banner as for a broken push while running. Scripts (``kiosk status``...) still fail on
a broken file: IT's scripts must notice.

The copy lives in the data folder the user's side names (``KIOSK_DATA_DIR``, the user's
``data_dir``, else the default), as that is the one that can be found while the managed file is
broken. It is outside input too: a damaged copy is logged and ignored.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from kiosk.core.config import (
    Config,
    ConfigError,
    ManagedConfigError,
    apply_env,
    load_config,
    parse_config,
    parse_toml,
    read_text,
)
from kiosk.core.private import private_dir, tighten, write_private

log = logging.getLogger(__name__)

FILENAME = "managed-last-good.toml"


def folder(config: Config, env: Mapping[str, str]) -> Path:
    """The data folder as the user's side names it (without the managed file)."""
    own = config.own if config.own is not None else config
    try:
        return apply_env(own, env).data_dir
    except ConfigError:
        return own.data_dir


def remember(config: Config, env: Mapping[str, str]) -> None:
    """Keep the managed file's text ``config`` was loaded from, if it changed.

    Never fails the caller: a folder that cannot be written is only logged (the kiosk works
    without the copy; it just has none to fall back on).
    """
    text = config.managed_text
    if text is None:
        return
    path = folder(config, env) / FILENAME
    try:
        if _read(path) == text:
            tighten(path)
            return
        private_dir(path.parent)
        write_private(path, text)
    except OSError as exc:
        log.warning("could not keep the managed config's last good copy in %s: %s", path, exc)
        return
    log.info("kept the managed config's last good copy in %s", path)


def _read(path: Path) -> str | None:
    try:
        return read_text(path, str(path))
    except ConfigError:  # none yet, too large, not a regular file, not UTF-8
        return None


def recall(data_dir: Path) -> dict[str, Any] | None:
    """The last good copy, checked as the managed file is (None: none, or it is damaged)."""
    path = data_dir / FILENAME
    try:
        if not path.exists():
            return None
        data = parse_toml(read_text(path, str(path)), str(path))
        parse_config(data, source=str(path))
    except (ConfigError, OSError, ValueError, RecursionError) as exc:
        log.warning("ignoring the managed config's last good copy (%s): %s", path, exc)
        return None
    return data


def load_for_app(explicit: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Config:
    """The config the app starts with: as :func:`load_config`, but a managed file that cannot
    be used gives way to its last good copy (or nothing managed) instead of stopping the app.

    The returned config's ``managed_problem`` says why (the app logs and shows it). A user's
    file that cannot be used still raises, as before. The caller keeps a good file's copy with
    :func:`remember` once its log is set up.
    """
    try:
        config = load_config(explicit, env)
    except ManagedConfigError as exc:
        problem = exc
    else:
        return config
    user = load_config(explicit, env, managed=lambda _path: None)
    copy = recall(folder(user, env))
    if copy is not None:
        try:
            user = load_config(explicit, env, managed=lambda _path: (copy, None))
        except ConfigError as exc:  # the copy and today's user file do not fit together
            log.warning("ignoring the managed config's last good copy: %s", exc)
    return replace(user, managed_problem=problem)
