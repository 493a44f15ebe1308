"""``python -m kiosk.simulator``: the simulator on its own, without the kiosk's CLI."""

from __future__ import annotations

import argparse
import sys

from kiosk.simulator.cli import add_arguments, run


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.simulator",
        description="Serve a simulated Gett Store Status API on loopback.",
    )
    add_arguments(parser)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
