"""The pages of the window's stack (one enum, shared by the window and its flows)."""

from __future__ import annotations

from enum import StrEnum

from kiosk.core.i18n import N_


class Page(StrEnum):
    HOME = "home"
    REASONS = "reasons"
    RESUME = "resume"
    CUSTOM = "custom"
    PIN = "pin"
    SETTINGS = "settings"
    SETUP = "setup"
    LOG = "log"


#: Each page's accessible name (English here, translated when set).
PAGE_NAMES: dict[Page, str] = {
    Page.HOME: N_("home page"),
    Page.REASONS: N_("reasons page"),
    Page.RESUME: N_("resume page"),
    Page.CUSTOM: N_("custom page"),
    Page.PIN: N_("pin page"),
    Page.SETTINGS: N_("settings page"),
    Page.SETUP: N_("setup page"),
    Page.LOG: N_("log page"),
}
