"""``kiosk health``: does the kiosk on this PC work? For Nagios, Icinga, Zabbix and the like.

The monitoring-plugins convention, which differs from the other commands' exit codes on purpose
(fleet tools read these): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, and ONE line of text with
perfdata after ``|``. It reads only the app's heartbeat file and the config: it never asks Gett
or the keyring (over ssh a keyring may hang), so it answers at once.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from kiosk import __version__
from kiosk.cli.render import TerminalWriter, terminal_safe
from kiosk.core import health, i18n
from kiosk.core.config import Config, ConfigError, fallback_data_dir, load_config
from kiosk.core.i18n import N_, _
from kiosk.core.timeparse import TimeInputError, parse_duration

log = logging.getLogger(__name__)

#: A command line that does not parse is UNKNOWN in this convention (not 2, which is CRITICAL).
USAGE_EXIT = int(health.Code.UNKNOWN)


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "health",
        help=_("is the kiosk app running and working? (monitoring-plugins exit codes 0-3)"),
    )
    # (not dest "store": an empty --store is UNKNOWN here, not the other commands' exit 2)
    p.add_argument(
        "--store", dest="health_store", metavar="ID", help=_("only this store (id or name)")
    )
    p.add_argument("--json", action="store_true", help=_("print one JSON object on stdout"))
    p.add_argument(
        "--max-wait",
        metavar="DURATION",
        help=_(
            "CRITICAL when a change has waited longer (e.g. 10m; default: "
            "monitoring.critical_wait_minutes, 10 min)"
        ),
    )


#: The global options placed before the command that take a value (``--config PATH``).
_GLOBAL_WITH_VALUE = frozenset({"--config", "--screenshot"})


def usage_exit(argv: Sequence[str], default: int) -> int:
    """A command line that does not parse: UNKNOWN for `kiosk health` (2 would read CRITICAL).

    Only when ``health`` is the command itself: ``kiosk pause --store health`` is a pause."""
    return USAGE_EXIT if command_of(argv) == "health" else default


def command_of(argv: Sequence[str]) -> str | None:
    """The command word: the first argument that is neither an option nor a global option's
    value (argparse's own rule for the words before the sub-command)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--":
            continue
        if arg.startswith("-"):
            skip = arg in _GLOBAL_WITH_VALUE  # (--config=PATH holds its value)
            continue
        return arg
    return None


def run(args: argparse.Namespace, env: Mapping[str, str], stdout: TextIO) -> int:
    """Print the verdict; returns 0-3 whatever happens (a bug is UNKNOWN, never 70)."""
    try:
        report = _report(args, env)
    except Exception as exc:  # the last line of defence: a monitor must get 0-3
        log.error("kiosk health failed", exc_info=True)
        report = health.Report(
            (
                health.Finding(
                    health.Code.UNKNOWN,
                    "bug",
                    N_("Cannot tell whether the kiosk works: {error}"),
                    {"error": f"unexpected {type(exc).__name__}."},
                ),
            )
        )
    if args.json:
        print(json.dumps(report.to_json()), file=stdout)
    else:
        # Names and errors from outside with control characters escaped (render.py's rule);
        # the writer drops our bidi marks, which a terminal would only show as codes.
        print(report.line(clean=terminal_safe), file=TerminalWriter(stdout))
    return int(report.code)


def _report(args: argparse.Namespace, env: Mapping[str, str]) -> health.Report:
    config_problem: health.Said | None = None
    try:
        config = load_config(args.config, env)
    except ConfigError as exc:
        # The app may still run on the file as it was when it started: say so, and look for it
        # where it keeps its data.
        config_problem = health.Said(str(exc))
        config = Config(data_dir=fallback_data_dir(args.config, env))
    # The line in the PC's language (a monitoring agent usually runs with LANG=C: English);
    # --json always in English (the command runs in English then: its errors are too).
    i18n.use(i18n.DEFAULT if args.json else i18n.choose(config.ui.language, environ=env))
    limits = health.Limits(max_wait_s=config.monitoring.critical_wait_minutes * 60.0)
    if args.max_wait is not None:
        try:
            limits = health.Limits(max_wait_s=parse_duration(args.max_wait).total_seconds())
        except TimeInputError as exc:
            return _unknown(
                health.Sentence(N_("--max-wait: {error}"), {"error": health.Said(str(exc))})
            )
    store_id: str | None = None
    if args.health_store is not None:
        try:
            store_id = config.store(args.health_store).id
        except ConfigError as exc:
            return _unknown(health.Said(str(exc)))
    return health.verdict(
        config.data_dir,
        installed_version=__version__,
        limits=limits,
        config_problem=config_problem,
        store_id=store_id,
    )


def _unknown(message: health.Sentence | health.Said) -> health.Report:
    return health.Report(
        (
            health.Finding(
                health.Code.UNKNOWN,
                "usage",
                N_("Cannot tell whether the kiosk works: {error}"),
                {"error": message},
            ),
        )
    )
