"""The pages of the window's stack (one enum, shared by the window and its flows)."""

from __future__ import annotations

from enum import StrEnum


class Page(StrEnum):
    HOME = "home"
    REASONS = "reasons"
    RESUME = "resume"
    CUSTOM = "custom"
    PIN = "pin"
    SETTINGS = "settings"
    SETUP = "setup"
    LOG = "log"
