"""IT's managed config: one machine-wide file whose settings win over the user's, like a
browser's policies.

A chain's IT pushes ``/etc/gett-store-kiosk/managed.toml`` (``%ProgramData%`` on Windows) with
its configuration tool; the kiosk user's own file and the Settings screen cannot undo it. It has
the same keys and checks as the user's file. This module knows only where the file is and how
its keys lay over the user's; :mod:`kiosk.core.config` reads and checks both.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MANAGED_FILENAME = "managed.toml"
#: The folder under /etc or %ProgramData% (the package's name, as the user's config folder).
MANAGED_DIRNAME = "gett-store-kiosk"
#: Tests and unusual installs point at another file with this variable.
MANAGED_VARIABLE = "KIOSK_MANAGED_CONFIG"


def managed_config_path(env: Mapping[str, str], *, platform: str | None = None) -> Path:
    """``KIOSK_MANAGED_CONFIG``, else the platform's machine-wide place.

    A missing file means "nothing managed"; the caller decides that.
    """
    explicit = env.get(MANAGED_VARIABLE)
    if explicit:
        return Path(explicit)
    if (platform or sys.platform) == "win32":
        base = env.get("ProgramData") or env.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(base, MANAGED_DIRNAME, MANAGED_FILENAME)
    return Path("/etc", MANAGED_DIRNAME, MANAGED_FILENAME)


def managed_keys(data: Mapping[str, Any]) -> frozenset[str]:
    """The dotted keys a managed document sets: ``api_url``, ``stores``, ``ui.pin_hash``...

    ``[ui.reason_minutes]`` counts as one key: IT sets the whole table (reasons it leaves out
    take the built-in defaults), so a pause's length never mixes two people's choices.
    """
    keys = {key for key in data if key != "ui"}
    ui = data.get("ui")
    if isinstance(ui, Mapping):
        keys |= {f"ui.{key}" for key in ui}
    return frozenset(keys)


def merge(user: Mapping[str, Any], managed: Mapping[str, Any]) -> dict[str, Any]:
    """The user's document with every managed key laid over it (``[ui]`` key by key)."""
    merged = dict(user)
    for key, value in managed.items():
        if key == "ui" and isinstance(value, Mapping) and isinstance(merged.get("ui"), Mapping):
            merged["ui"] = {**merged["ui"], **value}
        else:
            merged[key] = value
    return merged


def describe(path: Path) -> str:
    """How an error names the managed file (so IT knows it is theirs, not the user's)."""
    text = os.fspath(path)
    if len(text) > 120:  # a path from a variable can be any length: the message stays one line
        text = f"{text[:57]}...{text[-60:]}"
    return f"{text} (the managed config from IT)"
