"""Entry point of the frozen (PyInstaller) build: the same ``kiosk`` command as the console script.

Without arguments it starts the touchscreen app; with a sub-command it is the CLI.
"""

import os
import sys

# A windowed build (Windows/macOS) starts with no console, so sys.stdout/sys.stderr are None and
# the first print() would crash. Send them nowhere instead; the console build (kiosk.exe) and
# Linux builds always have real streams and are left alone.
for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115

from kiosk.entry import main  # noqa: E402

sys.exit(main())
