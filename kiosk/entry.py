"""The ``kiosk`` command: the touchscreen app, or a scripting command.

The CLI never imports the UI (scripts that run ``kiosk status`` load no Qt, and the layers stay
one-way); this module is the one place that knows both, and hands the CLI the two things only
the UI can do: run the app, and show a start-up error on screen at autostart.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from kiosk.cli.main import main as cli_main
from kiosk.core.config import Config
from kiosk.core.keystore import KeyStore


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, run_app=_run_app, show_error=_show_error)


def _run_app(
    config: Config,
    *,
    demo: bool,
    keystore: KeyStore,
    smoke: bool = False,
    screenshot: str | None = None,
) -> int:
    from kiosk.ui.app import run_app

    return run_app(config, demo=demo, keystore=keystore, smoke=smoke, screenshot=screenshot)


def _show_error(message: str) -> None:
    """Start-up errors on screen when there is one (imports Qt only then)."""
    from kiosk.ui.error_screen import display_available, run_error_screen

    if display_available():
        run_error_screen(message)


if __name__ == "__main__":
    sys.exit(main())
