"""The ``kiosk`` command: the touchscreen app, and a CLI that deployment and monitoring scripts use.

Exit codes are a contract (the README's table lists them all): 0 done and confirmed by Gett; 2 usage
or configuration error; 3 API key missing or rejected; 4 request rejected (unknown store,
validation, changed elsewhere); 5 Gett's certificate could not be verified (IT
must act); 74 the local queue could not be written or read (a change was NOT
saved); 75 saved but not confirmed yet (it will be sent); 1 the simulator cannot listen; 70 a bug;
130 interrupted; 141 the reader of stdout went away.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import io
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from kiosk import __version__
from kiosk.cli import argparse_words, health
from kiosk.cli.render import (
    TerminalWriter,
    describe_update,
    history_outcome,
    local_time,
    pending_line,
    status_json,
    status_line,
)
from kiosk.core import i18n, last_good, recovery
from kiosk.core import outbox as outbox_module
from kiosk.core.clock import Clock, GettClock, SystemClock, saved_gett_clock
from kiosk.core.config import Config, ConfigError, Store, clip, load_config, save_config
from kiosk.core.errors import (
    ApiError,
    AuthRejected,
    CertificateRejected,
    NeedsAttention,
    TransientError,
)
from kiosk.core.i18n import N_, _, isolate, ltr, ngettext
from kiosk.core.intake import record_changes
from kiosk.core.keystore import KeyStore, KeyStoreError, OsKeyStore, api_key_problem
from kiosk.core.logs import EVENT, REDACTOR, log_config_error, setup_logging
from kiosk.core.models import PauseReason, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import DB_FILENAME, Intent, IntentState, Outbox, OutboxError
from kiosk.core.pin import LOCKOUT_FILENAME, PinError, check_new_pin, hash_pin
from kiosk.core.sync import SyncEngine
from kiosk.core.timeparse import TimeInputError, parse_duration, parse_until
from kiosk.core.words import describe_offset

if TYPE_CHECKING:  # httpx is imported only by commands that talk to Gett (not --version, the app)
    from _typeshed import SupportsWrite

    from kiosk.core.client import GettClient

log = logging.getLogger(__name__)


class ExitCode(IntEnum):
    OK = 0
    USAGE = 2
    KEY = 3
    REJECTED = 4
    CERTIFICATE = 5  # Gett's TLS certificate could not be verified: IT must act
    KEYRING = 6  # no keyring in this session, or it is locked or not answering
    BUG = 70  # EX_SOFTWARE: an error nobody foresaw (Cli.run's last line of defence)
    # EX_IOERR: the queue file could not be written or read. Apart from 75 so a script can tell
    # "saved, will be sent" from "NOT saved: fix the disk or folder, then run it again".
    QUEUE = 74
    NOT_CONFIRMED = 75  # EX_TEMPFAIL: saved, will be sent
    INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
    BROKEN_PIPE = 141  # 128 + SIGPIPE: whoever read the output stopped reading


class CliError(Exception):
    """A failure already phrased for the person at the terminal, with its exit code."""

    def __init__(self, message: str, code: ExitCode, *, kind: str = "error") -> None:
        super().__init__(message)
        self.code = code
        self.kind = kind


def _reason(text: str) -> PauseReason:
    try:
        return PauseReason(text.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        valid = ", ".join(r.value for r in PauseReason)
        raise argparse.ArgumentTypeError(
            _("unknown reason {reason}; use one of: {valid}").format(
                reason=isolate(repr(text)), valid=valid
            )
        ) from None


class UsageError(Exception):
    """A command line that does not parse; carries the usage text of the (sub)command."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


#: Options whose empty value would otherwise quietly mean "not given" (a pause until resumed, all
#: stores, the default config): an empty value is a usage error.
_NOT_EMPTY = {"config": "--config", "store": "--store", "duration": "--for", "until": "--until"}
#: The most rows SQLite's LIMIT takes; a larger --limit means "all of them".
_MAX_LIMIT = 2**63 - 1


class _Parser(argparse.ArgumentParser):
    """Raises instead of exiting, so the CLI decides where messages go and what it returns."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.format_usage())

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        # --help and --version print straight to the stream, not through TerminalWriter: a
        # terminal runs no bidi algorithm, so our marks and isolates would only show as junk.
        super()._print_message(i18n.strip_isolates(message), file)


def build_parser() -> argparse.ArgumentParser:
    # Built after the command's language is chosen, so its help speaks it; argparse's own few
    # words ("usage:", "options:", its errors) come from our catalog too (argparse_words).
    argparse_words.install()
    parser = _Parser(
        prog="kiosk",
        description=_(
            "Gett Store Kiosk: pause and resume your store on Gett. "
            "Without a command, starts the touchscreen app."
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=_("show the version and exit"),
    )
    parser.add_argument(
        "--config", metavar="PATH", help=_("config file (default: platform config dir)")
    )
    parser.add_argument(
        "--demo", action="store_true", help=_("run the app against the built-in simulator")
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=_(
            "start the app, wait for the first status, print timings and exit (for packaging/CI)"
        ),
    )
    parser.add_argument(
        "--screenshot",
        metavar="FILE",
        help=_("render the main screen to a PNG once the first status is in, then exit"),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help=_("log details to stderr"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def store_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--store", metavar="ID", help=_("store id or name (optional with one store)")
        )
        p.add_argument("--json", action="store_true", help=_("print one JSON object on stdout"))

    p_status = sub.add_parser("status", help=_("show the store's live status"))
    store_opts(p_status)

    p_pause = sub.add_parser("pause", help=_("pause the store"))
    p_pause.add_argument(
        "--reason",
        required=True,
        type=_reason,
        metavar="REASON",
        help=_("one of: {reasons}").format(reasons=", ".join(r.value for r in PauseReason)),
    )
    when = p_pause.add_mutually_exclusive_group()
    when.add_argument("--for", dest="duration", metavar="DURATION", help=_("e.g. 15m, 1h30m, 90s"))
    when.add_argument("--until", metavar="TIME", help=_("local HH:MM or an RFC 3339 date-time"))
    store_opts(p_pause)

    p_resume = sub.add_parser("resume", help=_("put the store back online now"))
    store_opts(p_resume)

    p_sync = sub.add_parser("sync", help=_("send waiting changes now and report each outcome"))
    p_sync.add_argument("--json", action="store_true", help=_("print one JSON object on stdout"))
    p_sync.add_argument(
        "--force", action="store_true", help=_("also re-apply changes held back or in conflict")
    )

    p_history = sub.add_parser(
        "history", help=_("the changes made from this PC (last 30 days) and what became of each")
    )
    p_history.add_argument("--store", metavar="ID", help=_("only this store (id or name)"))
    p_history.add_argument(
        "--limit", type=int, default=20, metavar="N", help=_("newest N entries (default 20)")
    )
    p_history.add_argument("--json", action="store_true", help=_("print one JSON object on stdout"))

    p_key = sub.add_parser("key", help=_("manage the API key in the OS keyring"))
    key_sub = p_key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    p_key_set = key_sub.add_parser(
        "set", help=_("store the key, read from standard input (never an argument)")
    )
    p_key_set.add_argument(
        "--unattended",
        action="store_true",
        help=_(
            "Linux: keep it in a keyring of its own that opens with no password at every "
            "login (automatic login; see packaging/README.md)"
        ),
    )
    key_sub.add_parser("status", help=_("say whether a key is stored (never prints it)"))
    key_sub.add_parser("clear", help=_("remove the stored key"))

    p_pin = sub.add_parser("pin", help=_("set or clear the manager PIN (for IT's scripts)"))
    pin_sub = p_pin.add_subparsers(dest="pin_command", metavar="ACTION", required=True)
    pin_sub.add_parser("set", help=_("set the PIN, read from standard input (never an argument)"))
    pin_sub.add_parser(
        "clear", help=_("remove the PIN (a forgotten PIN: the manager sets a new one)")
    )

    p_queue = sub.add_parser("queue", help=_("the local queue file"))
    queue_sub = p_queue.add_subparsers(dest="queue_command", metavar="ACTION", required=True)
    queue_sub.add_parser(
        "ack", help=_("acknowledge that a damaged queue file was recovered (stops the warning)")
    )

    health.add_parser(sub)
    from kiosk.cli import diagnose

    diagnose.add_arguments(sub)
    p_sim = sub.add_parser("simulator", help=_("run the local Gett API simulator"))
    from kiosk.simulator import cli as simulator_cli

    simulator_cli.add_arguments(p_sim)
    return parser


class Cli:
    """Runs one command; collaborators are injected so tests drive it in-process."""

    def __init__(
        self,
        *,
        keystore: KeyStore | None = None,
        clock: Clock | None = None,
        env: dict[str, str] | None = None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        client_factory: Callable[[str, str], GettClient] | None = None,
        show_error: Callable[[str], None] | None = None,
        run_app: Callable[..., int] | None = None,
    ) -> None:
        self.keystore = keystore or OsKeyStore()
        self.clock: Clock = clock or SystemClock()
        self._own_clock = clock is None  # then Gett's time, once the data folder is known
        self.env = dict(os.environ) if env is None else env
        # A process started with a standard stream closed (`kiosk key set <&-`) has None here.
        self.stdin: TextIO | None = stdin or sys.stdin
        self.stdout: TextIO = stdout or sys.stdout or _Nowhere()
        self.stderr: TextIO = stderr or sys.stderr or _Nowhere()
        # Human output goes through these (control characters escaped); JSON goes to stdout as is.
        self.out = TerminalWriter(self.stdout)
        self.err = TerminalWriter(self.stderr)
        # Only the entry module (kiosk.entry) passes these: the CLI itself never imports the UI.
        self.show_error = show_error
        self.run_app = run_app
        self.client_factory = client_factory or self._gett_client

    def _gett_client(self, url: str, key: str) -> GettClient:
        from kiosk.core.client import GettClient

        return GettClient(url, key, clock=self.clock, env=self.env)

    def run(self, argv: Sequence[str]) -> int:
        # A full disk or a closed stderr makes logging's handlers fail; logging would print each
        # failure as a traceback on stderr (and, before its handlers exist, warnings too). A
        # command speaks only in its own sentences, so neither may reach the terminal.
        raise_exceptions, last_resort = logging.raiseExceptions, logging.lastResort
        logging.raiseExceptions, logging.lastResort = False, None
        before = i18n.language()
        i18n.use(self.language(argv))
        try:
            return self._run(argv)
        except (KeyboardInterrupt, BrokenPipeError):
            raise  # main() ends these quietly, with their own codes
        except Exception as exc:
            # The last line of defence: an error nobody foresaw still ends in one sentence. The
            # traceback goes to the log file (never to stderr: its handler takes only CRITICAL).
            log.error("unexpected error", exc_info=True)
            with contextlib.suppress(Exception):
                print(
                    _(
                        "kiosk: an unexpected error stopped the command ({error}). "
                        "Please report it, with the kiosk's log file."
                    ).format(error=type(exc).__name__),
                    file=self.err,
                )
            return int(ExitCode.BUG)
        finally:
            logging.raiseExceptions, logging.lastResort = raise_exceptions, last_resort
            i18n.use(before)

    def language(self, argv: Sequence[str]) -> str:
        """The session's language (``KIOSK_LANGUAGE``, then ``LANGUAGE``/``LC_ALL``/
        ``LC_MESSAGES``/``LANG``), not the config file's: a command speaks as its terminal does.
        With ``--json`` everything, error sentences included, stays English: scripts read it."""
        if any(arg == "--json" for arg in argv):
            return i18n.DEFAULT
        return i18n.choose(None, environ=self.env)

    def _run(self, argv: Sequence[str]) -> int:
        try:
            with contextlib.redirect_stdout(self.stdout):  # --help and --version print there
                args = build_parser().parse_args(argv)
        except UsageError as exc:
            print(exc.usage.rstrip(), file=self.err)  # (in the language: "usage:")
            print(_("kiosk: {message}").format(message=exc), file=self.err)
            return health.usage_exit(argv, int(ExitCode.USAGE))
        except SystemExit as exc:  # --help, --version: printed; argparse wants to exit
            return exc.code if isinstance(exc.code, int) else int(ExitCode.OK)
        json_mode = bool(getattr(args, "json", False))
        try:
            _check_not_empty(args)
            return int(self._dispatch(args))
        except CliError as exc:
            return self._fail(exc, json_mode, args)
        except ConfigError as exc:
            code = self._fail(CliError(str(exc), ExitCode.USAGE, kind="config"), json_mode, args)
            if self._starts_the_app(args):
                log_config_error(str(exc), self.env)
            if self._starts_the_app(args) and self.show_error is not None:
                self.show_error(
                    REDACTOR.scrub(
                        _("The configuration has a problem: {problem}").format(problem=exc)
                    )
                )
            return code
        except TimeInputError as exc:
            return self._fail(CliError(str(exc), ExitCode.USAGE, kind="usage"), json_mode, args)
        except KeyStoreError as exc:
            return self._fail(CliError(str(exc), ExitCode.KEYRING, kind=exc.kind), json_mode, args)

    @staticmethod
    def _starts_the_app(args: argparse.Namespace) -> bool:
        """`kiosk` with no command, as autostart runs it: nobody reads its stderr. (`--demo`
        does not use the config, and `--smoke`/`--screenshot` are read by scripts.)"""
        return args.command is None and not (args.smoke or args.screenshot or args.demo)

    def _fail(self, exc: CliError, json_mode: bool, args: argparse.Namespace) -> int:
        message = REDACTOR.scrub(str(exc))
        print(_("kiosk: {message}").format(message=message), file=self.err)
        if json_mode:
            error = {"kind": exc.kind, "message": message, "exit_code": int(exc.code)}
            self._print_json({"store_id": getattr(args, "store_id_resolved", None), "error": error})
        return int(exc.code)

    def _print_json(self, obj: dict[str, Any]) -> None:
        print(json.dumps(obj, sort_keys=False), file=self.stdout)

    def _dispatch(self, args: argparse.Namespace) -> int:
        if args.command == "health":
            return health.run(args, self.env, self.stdout)
        if args.command == "diagnose":  # before the config: it must work with a broken one
            from kiosk.cli import diagnose

            return diagnose.run(self, args)
        if args.command == "simulator":
            from kiosk.simulator import cli as simulator_cli

            return simulator_cli.run(args)  # 0, or 1 when it cannot listen
        if args.command == "key":
            return self._key(
                args.key_command, args.config, unattended=getattr(args, "unattended", False)
            )
        if args.command is None and args.demo:
            # The demo keeps apart from the real kiosk: not its config, queue, key or logs.
            config = Config()
            setup_logging(None, verbose=args.verbose)
        else:
            if self._starts_the_app(args):  # a pushed typo must not stop the kiosk at autostart
                config = last_good.load_for_app(args.config, self.env)
            else:
                config = load_config(args.config, self.env)
            if self._own_clock and args.command is not None:
                self.clock = saved_gett_clock(config.data_dir)
            # Commands speak in their own one or two sentences; details go to the log file.
            quiet = logging.WARNING if args.command is None else logging.CRITICAL
            setup_logging(config.data_dir / "logs", verbose=args.verbose, stderr_level=quiet)
            last_good.remember(config, self.env)
        if args.command is None:
            if self.run_app is None:
                raise CliError(_("The touchscreen app is started with `kiosk`."), ExitCode.USAGE)
            return int(
                self.run_app(
                    config,
                    demo=args.demo,
                    keystore=self.keystore,
                    smoke=args.smoke,
                    screenshot=args.screenshot,
                )
            )
        if args.command == "queue":
            return self._queue_ack(config)
        if args.command == "pin":
            return self._pin(config, args.pin_command)
        try:
            return self._command(config, args)
        finally:
            self._warn_recovered(config)

    def _warn_recovered(self, config: Config) -> None:
        """A damaged queue file was recovered and nobody has acknowledged it yet: say so after
        every command, on stderr (stdout stays what scripts parse)."""
        notice = recovery.summary(config.data_dir)
        if notice is not None:
            print(_("kiosk: warning: {notice}").format(notice=notice), file=self.err)

    def _queue_ack(self, config: Config) -> ExitCode:
        notices = recovery.acknowledge(config.data_dir)
        if not notices:
            print(_("Nothing to acknowledge: the queue file has not been damaged."), file=self.out)
            return ExitCode.OK
        for notice in notices:
            print(
                _("Acknowledged: the damaged file kept at {path}.").format(
                    path=isolate(notice.moved_to)
                ),
                file=self.out,
            )
        return ExitCode.OK

    def _command(self, config: Config, args: argparse.Namespace) -> ExitCode:
        if args.command == "sync":
            return self._sync(config, args)
        if args.command == "history":
            return self._history(config, args)
        if args.command == "status" and args.store is None and len(config.stores) > 1:
            return self._status_all(config, args)
        store = config.store(args.store)
        args.store_id_resolved = store.id
        if args.command == "status":
            return self._status(config, store, args)
        if args.command == "resume":
            update = StoreStatusUpdate.resume()
        else:
            update = StoreStatusUpdate.pause(args.reason, self._resume_at(args))
        return self._change(config, store, update, args)

    def _resume_at(self, args: argparse.Namespace) -> datetime | None:
        now = self.clock.now()
        if args.duration is not None:
            return now + parse_duration(args.duration)
        if args.until is not None:
            return parse_until(args.until, now)
        return None

    def _api_key(self) -> str:
        key = self.keystore.get()
        if not key:
            raise CliError(
                _(
                    "No API key is stored. Store one with `kiosk key set` (it reads the key from "
                    "standard input)."
                ),
                ExitCode.KEY,
                kind="key_missing",
            )
        REDACTOR.add_secret(key)
        return key

    def _outbox(self, config: Config) -> Outbox:
        return Outbox(config.data_dir, clock=self.clock, owner=f"cli-{os.getpid()}")

    @contextlib.contextmanager
    def _queue(
        self, config: Config, doing: str, *, reading_rows: str | None = None
    ) -> Iterator[None]:
        """The queue failing, worded for what was being done (``_SAVING`` a change, ``_SAVED``
        one, or ``_READING``): an OutboxError, or a row it cannot read (an unknown state, a
        date that does not parse), becomes one sentence and exit 74, never a traceback.
        ``reading_rows`` words an unreadable row differently from an OutboxError."""
        try:
            yield
        except OutboxError as exc:
            raise _queue_error(config.data_dir, str(exc), doing, cause=exc.cause) from None
        except (ValueError, TypeError, OverflowError, KeyError) as exc:
            if not _raised_reading_the_queue(exc):
                raise
            detail = _(
                "The queue file {path} holds an entry this kiosk version cannot read ({error}). "
                "Update the kiosk, or move the file aside to start a fresh queue."
            ).format(
                path=isolate(config.data_dir / DB_FILENAME),
                error=isolate(clip(f"{type(exc).__name__}: {exc}", 90)),
            )
            raise _queue_error(
                config.data_dir, detail, reading_rows or doing, cause="an entry it cannot read"
            ) from None

    def _change(
        self, config: Config, store: Store, update: StoreStatusUpdate, args: argparse.Namespace
    ) -> ExitCode:
        """Commit the intent, try to deliver it once, and say honestly where it stands."""
        key = self._api_key()
        with self._queue(config, _SAVING):
            outbox = self._outbox(config)
        with outbox, self.client_factory(config.api_url, key) as client:
            with self._queue(config, _SAVING):
                engine = SyncEngine(outbox, client, [store], clock=self.clock)
                # Sending may reach any waiting change: each must be readable before this one
                # joins them, or the command would save it and then stop half-way.
                outbox.open_intents()
            if args.command == "pause" and args.duration:
                update = self._on_gett_time(update, engine, store)
            with self._queue(config, _SAVING):
                saved = record_changes(outbox, [(store.id, update)], origin="cli")
            # Saved: from here a queue error or an unreadable row is worded as such.
            with self._queue(config, _SAVED, reading_rows=_SAVED):
                intent, sender = _settle(engine, outbox, saved[0])
        if intent.state is IntentState.DELIVERED and intent.confirmed is not None:
            return self._show(args, store, intent.confirmed, None)
        code, message = _outcome(intent, sender)
        print(_("kiosk: {message}").format(message=message), file=self.err)
        if args.json:
            self._print_json(
                {
                    "store_id": store.id,
                    **_UNKNOWN_STATUS,
                    "pending": intent.to_json() if intent.is_open else None,
                    "error": {"kind": intent.state.value, "message": message,
                              "exit_code": int(code)},
                }
            )  # fmt: skip
        return code

    def _on_gett_time(
        self, update: StoreStatusUpdate, engine: SyncEngine, store: Store
    ) -> StoreStatusUpdate:
        """ "--for 15m" is 15 minutes on Gett's clock. Never measured on this PC yet: read the
        status once first (its Date header gives Gett's time), and move the end by what it
        taught."""
        clock = self.clock
        if update.resume_at is None or not isinstance(clock, GettClock) or clock.measured:
            return update
        before = clock.offset
        engine.poll(store.id)
        return replace(
            update, resume_at=update.resume_at + timedelta(seconds=clock.offset - before)
        )

    def _status(self, config: Config, store: Store, args: argparse.Namespace) -> ExitCode:
        """The live status from Gett, plus any change of ours still waiting (never mixed)."""
        pending: Intent | None = None
        queue_problem: CliError | None = None
        try:
            with self._queue(config, _READING), self._outbox(config) as outbox:
                pending = outbox.open_intent(store.id)
        except CliError as exc:
            # The live status is still worth showing; the exit code says a change we may be
            # waiting to send could not be seen.
            log.warning("could not read the queue: %s", exc)
            queue_problem = exc
        key = self._api_key()
        try:
            with self.client_factory(config.api_url, key) as client:
                live = client.get_status(store.id)
        except ApiError as exc:
            error = _cli_error(exc, store)
            if args.json:
                print(_("kiosk: {message}").format(message=error), file=self.err)
                self._print_json(
                    {
                        "store_id": store.id,
                        **_UNKNOWN_STATUS,
                        "pending": pending.to_json() if pending else None,
                        "error": {"kind": error.kind, "message": str(error),
                                  "exit_code": int(error.code)},
                    }
                )  # fmt: skip
                return error.code
            if pending is not None:
                print(pending_line(pending, self.clock.now()), file=self.out)
            raise error from None
        return self._show(args, store, live, pending, with_pending=True, problem=queue_problem)

    def _status_all(self, config: Config, args: argparse.Namespace) -> ExitCode:
        """Every configured store, one block each (``--json``: ``{"stores": [...]}``, each the
        one-store object, and the worst exit code); a store Gett does not answer for does not
        hide the others."""
        pending: dict[str, Intent | None] = {}
        queue_problem: CliError | None = None
        try:
            with self._queue(config, _READING), self._outbox(config) as outbox:
                pending = {s.id: outbox.open_intent(s.id) for s in config.stores}
        except CliError as exc:
            log.warning("could not read the queue: %s", exc)
            queue_problem = exc
        key = self._api_key()
        answers: list[tuple[Store, StoreStatus | None, CliError | None]] = []
        with self.client_factory(config.api_url, key) as client:
            for store in config.stores:
                try:
                    answers.append((store, client.get_status(store.id), None))
                except ApiError as exc:
                    answers.append((store, None, _cli_error(exc, store)))
        worst = queue_problem.code if queue_problem is not None else ExitCode.OK
        now = self.clock.now()
        offset = self.clock.offset if isinstance(self.clock, GettClock) else None
        if queue_problem is not None:
            print(f"kiosk: {REDACTOR.scrub(str(queue_problem))}", file=self.err)
        blocks: list[dict[str, Any]] = []
        failed: list[tuple[str, str]] = []
        for store, live, error in answers:
            waiting = pending.get(store.id)
            body = status_json(store, live) if live is not None else {
                "store_id": store.id, **_UNKNOWN_STATUS
            }  # fmt: skip
            body["pending"] = waiting.to_json() if waiting else None
            if error is not None:
                worst = max(worst, error.code, key=_severity)
                message = REDACTOR.scrub(str(error))
                body["error"] = {"kind": error.kind, "message": message,
                                 "exit_code": int(error.code)}  # fmt: skip
                failed.append((store.name, message))
            blocks.append(body)
            if not args.json:
                if live is not None:
                    print(status_line(store, live, now), file=self.out)
                else:  # (every store has its status or the error that kept it unknown)
                    print(
                        _("{store}: status unknown: {error}").format(
                            store=isolate(store.name), error=REDACTOR.scrub(str(error))
                        ),
                        file=self.out,
                    )
                if waiting is not None:
                    print(pending_line(waiting, now), file=self.out)
        # One sentence on stderr however many stores failed (each store's own words are in its
        # block): the same failure for every store is said once.
        if len(failed) == 1:
            print(f"kiosk: {failed[0][0]}: {failed[0][1]}", file=self.err)
        elif len({message for _store, message in failed}) == 1:
            print(f"kiosk: {failed[0][1]}", file=self.err)
        elif failed:
            print(
                ngettext(
                    "kiosk: {n} store could not be read from Gett; see each store above.",
                    "kiosk: {n} stores could not be read from Gett; see each store above.",
                    len(failed),
                ).format(n=ltr(len(failed))),
                file=self.err,
            )
        if args.json:
            clock = None if offset is None else round(offset, 1) + 0.0
            self._print_json(
                {"stores": blocks, "clock_offset_seconds": clock, "exit_code": int(worst)}
            )
        elif offset is not None and (note := describe_offset(offset)):
            print(note, file=self.out)
        return worst

    def _sync(self, config: Config, args: argparse.Namespace) -> ExitCode:
        """Deliver every waiting change now and report each one's outcome."""
        key = self._api_key()
        with self._queue(config, _READING):
            outbox = self._outbox(config)
        with (
            outbox,
            self.client_factory(config.api_url, key) as client,
            self._queue(config, _READING),
        ):
            engine = SyncEngine(outbox, client, config.stores, clock=self.clock)
            if args.force:
                engine.force()
            else:
                engine.recheck_held()  # a key Gett accepts again releases what it held
            waiting = outbox.open_intents()
            engine.poke()  # a person asked: try now, not after the backoff
            engine.run_due()
            results = []
            for intent in waiting:
                current = outbox.get(intent.id)
                results.append((current, _sender(outbox, current)))
        names = {s.id: s.name for s in config.stores}
        worst = ExitCode.OK
        lines = []
        for intent, sender in results:
            code, message = _outcome(intent, sender)
            worst = max(worst, code, key=_severity)
            lines.append((intent, code, message))
        if args.json:
            self._print_json(
                {
                    "intents": [
                        {"store_id": i.store_id, **i.to_json(), "outcome": m, "exit_code": int(c)}
                        for i, c, m in lines
                    ],
                    "exit_code": int(worst),
                }
            )
        elif not lines:
            print(_("Nothing is waiting to be sent."), file=self.out)
        for intent, _code, message in lines:
            if not args.json:
                name = isolate(names.get(intent.store_id, intent.store_id))
                print(
                    _("{store}: {change}: {outcome}").format(
                        store=name, change=describe_update(intent.update), outcome=message
                    ),
                    file=self.out,
                )
        return worst

    def _history(self, config: Config, args: argparse.Namespace) -> ExitCode:
        """The pause log: what was tapped here, when, and whether Gett confirmed it."""
        if args.limit < 1:
            raise CliError(_("--limit must be at least 1."), ExitCode.USAGE, kind="usage")
        store_id = config.store(args.store).id if args.store is not None else None
        with self._queue(config, _READING), self._outbox(config) as outbox:
            intents = outbox.history(limit=min(args.limit, _MAX_LIMIT), store_id=store_id)
        names = {s.id: s.name for s in config.stores}
        if args.json:
            self._print_json(
                {"history": [{"store_id": i.store_id, **i.to_json()} for i in intents]}
            )
            return ExitCode.OK
        if not intents:
            print(_("No changes were made from this PC in the last 30 days."), file=self.out)
        now = self.clock.now()
        for intent in intents:
            when = local_time(intent.created_at, now)
            name = isolate(names.get(intent.store_id, intent.store_id))
            print(
                _("{time}  {store}: {change} ({origin}): {outcome}").format(
                    time=when,
                    store=name,
                    change=describe_update(intent.update),
                    origin=_origin(intent.origin),
                    outcome=history_outcome(intent),
                ),
                file=self.out,
            )
        return ExitCode.OK

    def _show(
        self,
        args: argparse.Namespace,
        store: Store,
        status: StoreStatus,
        pending: Intent | None,
        *,
        with_pending: bool = False,
        problem: CliError | None = None,
    ) -> ExitCode:
        offset = self.clock.offset if isinstance(self.clock, GettClock) else None
        if problem is not None:
            print(_("kiosk: {message}").format(message=REDACTOR.scrub(str(problem))), file=self.err)
        if args.json:
            body = status_json(store, status)
            if with_pending:
                body["pending"] = pending.to_json() if pending else None
                body["clock_offset_seconds"] = None if offset is None else round(offset, 1) + 0.0
            if problem is not None:
                body["error"] = {"kind": problem.kind, "message": REDACTOR.scrub(str(problem)),
                                 "exit_code": int(problem.code)}  # fmt: skip
            self._print_json(body)
        else:
            print(status_line(store, status, self.clock.now()), file=self.out)
            if pending is not None:
                print(pending_line(pending, self.clock.now()), file=self.out)
            note = describe_offset(offset) if offset is not None else None
            if note:
                print(note, file=self.out)
        return ExitCode.OK if problem is None else problem.code

    def _key(self, action: str, config_path: str | None, *, unattended: bool = False) -> ExitCode:
        if action == "status":
            backend = self.keystore.backend_name()
            if self.keystore.get():
                print(
                    _("An API key is stored (keyring backend: {backend}).").format(
                        backend=ltr(backend)
                    ),
                    file=self.out,
                )
                return ExitCode.OK
            print(
                _("No API key is stored (keyring backend: {backend}).").format(
                    backend=ltr(backend)
                ),
                file=self.out,
            )
            return ExitCode.KEY
        if action == "clear":
            removed = self.keystore.clear()
            print(_("API key removed.") if removed else _("No API key was stored."), file=self.out)
            return ExitCode.OK
        key = self._read_key()
        if (
            unattended
            and isinstance(self.keystore, OsKeyStore)
            and self.keystore.prepare_unattended()
        ):
            print(
                _(
                    "The key's keyring now opens by itself at every login "
                    "(the 'Gett Store Kiosk' keyring, no password)."
                ),
                file=self.out,
            )
        self.keystore.set(key)
        print(
            _("API key stored in {backend}.").format(backend=ltr(self.keystore.backend_name())),
            file=self.out,
        )
        self._release_held(config_path)
        return ExitCode.OK

    def _release_held(self, config_path: str | None) -> None:
        """Changes held back by a rejected key may go out with the new one."""
        try:
            config = load_config(config_path, self.env)
            # Due "now" on Gett's clock, as the app reads the queue (not the PC's, which may be
            # half an hour ahead and would make the app wait that long).
            clock = saved_gett_clock(config.data_dir) if self._own_clock else self.clock
            with Outbox(config.data_dir, clock=clock) as outbox:
                released = outbox.release_held()
        except (ConfigError, OutboxError) as exc:
            log.info("could not release held changes: %s", exc)
            return
        if released:
            print(
                ngettext(
                    "{count} waiting change will be sent with the new key "
                    "(by the kiosk app, or run `kiosk sync`).",
                    "{count} waiting changes will be sent with the new key "
                    "(by the kiosk app, or run `kiosk sync`).",
                    released,
                ).format(count=ltr(released)),
                file=self.out,
            )

    def _read_key(self) -> str:
        if self.stdin is None:
            raise CliError(
                _(
                    "Standard input is closed; nothing was stored. Pipe the key in, e.g. {example}."
                ).format(example=_KEY_EXAMPLE),
                ExitCode.USAGE,
                kind="usage",
            )
        try:
            if self.stdin.isatty():
                key = getpass.getpass(i18n.strip_isolates(_("Gett API key (input hidden):")) + " ")
            else:
                key = self.stdin.readline()
        except EOFError:
            key = ""  # Ctrl-D at the prompt
        except (OSError, ValueError) as exc:  # closed, not text (UnicodeDecodeError), unreadable
            if isinstance(exc, UnicodeError):
                template = _(
                    "Standard input is not text; nothing was stored. Pipe the key in as text, "
                    "e.g. {example}."
                )
            else:
                template = _(
                    "Standard input could not be read; nothing was stored. Pipe the key in as "
                    "text, e.g. {example}."
                )
            raise CliError(
                template.format(example=_KEY_EXAMPLE),
                ExitCode.USAGE,
                kind="usage",
            ) from None
        key = key.strip()
        if not key:
            raise CliError(
                _("No key was given on standard input; nothing was stored."), ExitCode.USAGE
            )
        problem = api_key_problem(key)
        if problem:
            raise CliError(
                _("That does not look like an API key: {problem} Nothing was stored.").format(
                    problem=problem
                ),
                ExitCode.USAGE,
            )
        return key

    def _pin(self, config: Config, action: str) -> ExitCode:
        """The manager PIN for IT's scripts: written to the user's file (the running app picks
        it up), unless IT's managed file sets it (then that file is the place to change it)."""
        if "ui.pin_hash" in config.managed:
            raise CliError(
                _(
                    "The manager PIN is set by IT's managed config {path}; change or remove "
                    "pin_hash there. Nothing was changed."
                ).format(path=config.managed_source),
                ExitCode.USAGE,
                kind="managed",
            )
        path = config.source
        assert path is not None  # load_config always says which file it read
        if action == "clear":
            if config.ui.pin_hash is None:
                print(_("No manager PIN was set."), file=self.out)
                return ExitCode.OK
            save_config(replace(config, ui=replace(config.ui, pin_hash=None)), path)
            self._forget_wrong_pins(config)
            log.info("manager PIN cleared by `kiosk pin clear` in %s", path, extra=EVENT)
            print(
                _("Manager PIN removed: the next person to tap Manager on the kiosk chooses one."),
                file=self.out,
            )
            return ExitCode.OK
        pin = self._read_pin()
        try:
            check_new_pin(pin)
        except PinError as exc:
            raise CliError(
                _("{problem} Nothing was changed.").format(problem=exc), ExitCode.USAGE
            ) from None
        save_config(replace(config, ui=replace(config.ui, pin_hash=hash_pin(pin))), path)
        self._forget_wrong_pins(config)
        log.info("manager PIN set by `kiosk pin set` in %s", path, extra=EVENT)
        print(_("Manager PIN set in {path}.").format(path=path), file=self.out)
        return ExitCode.OK

    @staticmethod
    def _forget_wrong_pins(config: Config) -> None:
        """A PIN set or cleared by IT starts with no lockout from the forgotten one's guesses."""
        with contextlib.suppress(OSError):
            (config.data_dir / LOCKOUT_FILENAME).unlink(missing_ok=True)

    def _read_pin(self) -> str:
        """One line from standard input; on a terminal, asked twice with no echo."""
        closed = _(
            "Standard input gave no PIN; nothing was changed. Pipe it in, e.g. {example}."
        ).format(example="printf '%s\\n' \"$PIN\" | kiosk pin set")
        if self.stdin is None:
            raise CliError(closed, ExitCode.USAGE, kind="usage")
        try:
            if self.stdin.isatty():
                # getpass writes to the terminal itself: without our bidi marks (junk there).
                pin = getpass.getpass(
                    i18n.strip_isolates(_("New manager PIN (input hidden):")) + " "
                )
                again = getpass.getpass(i18n.strip_isolates(_("The same PIN again:")) + " ")
                if again != pin:
                    raise CliError(
                        _("The two PINs were different; nothing was changed."), ExitCode.USAGE
                    )
            else:
                pin = self.stdin.readline(64)
        except EOFError:
            pin = ""
        except (OSError, ValueError):
            raise CliError(closed, ExitCode.USAGE, kind="usage") from None
        pin = pin.strip()
        if not pin:
            raise CliError(closed, ExitCode.USAGE, kind="usage")
        return pin


class _Nowhere(io.StringIO):
    """Where output goes when the process was started with that stream closed."""

    def write(self, text: str) -> int:
        return len(text)


_SAVING, _SAVED, _READING = "saving", "saved", "reading"
#: What became of the change (or the reading) when the queue fails (translated when used).
_QUEUE_WORDS = {
    _SAVING: N_("The change was NOT saved and NOT sent. {detail}"),
    _SAVED: N_(
        "The change was saved, but then the queue could not be read, so whether it was sent "
        "is not known. {detail}"
    ),
    _READING: N_("Could not read the queue of waiting changes. {detail}"),
}
#: How to pipe a key in (a shell line: the same in every language).
_KEY_EXAMPLE = "printf '%s\\n' \"$KEY\" | kiosk key set"
#: Where a change in the pause log was made (``Intent.origin``), translated when used.
_ORIGINS = {
    # TRANSLATORS: where a change was made: with the `kiosk` command on a terminal.
    "cli": N_("cli"),
    # TRANSLATORS: where a change was made: on the kiosk's touchscreen.
    "ui": N_("ui"),
}


def _origin(origin: str) -> str:
    words = _ORIGINS.get(origin)
    return isolate(origin) if words is None else _(words)


#: With an I/O error and less free space than this, the disk is what is full.
_NEARLY_FULL = 1 << 20


def _queue_error(data_dir: Path, detail: str, doing: str, *, cause: str | None = None) -> CliError:
    """One sentence on what became of the change (or the reading), then the cause: a full disk
    named as such, with where it is, however SQLite phrased it (``cause``: its own English
    words, read to tell which; ``detail`` is in the person's language)."""
    free = _free_bytes(data_dir)
    lowered = (detail if cause is None else cause).lower()
    if free is not None and free < _NEARLY_FULL and ("full" in lowered or "i/o" in lowered):
        detail = _("The disk holding {folder} is full ({free} KB free). Free some space.").format(
            folder=isolate(data_dir), free=ltr(free // 1024)
        )
    elif any(word in lowered for word in ("read", "open", "creat", "writ")) and _read_only(
        data_dir
    ):
        detail = _(
            "The data folder {folder} is read-only. Make it writable, or set KIOSK_DATA_DIR "
            "to a writable folder."
        ).format(folder=isolate(data_dir))
    return CliError(
        _(_QUEUE_WORDS[doing]).format(detail=detail), ExitCode.QUEUE, kind="queue_error"
    )


def _read_only(folder: Path) -> bool:
    """The folder exists but this process cannot write there (read-only mount or permissions)."""
    try:
        if not folder.is_dir():
            return False
        if hasattr(os, "statvfs") and os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
        return not os.access(folder, os.W_OK)
    except (OSError, ValueError):
        return False


def _free_bytes(path: Path) -> int | None:
    """Free space on the disk holding ``path`` (or its nearest existing parent), if known."""
    for folder in (path, *path.parents):
        try:
            return shutil.disk_usage(folder).free
        except (OSError, ValueError):
            continue
    return None


def _raised_reading_the_queue(exc: BaseException) -> bool:
    """True if ``exc`` came from inside the queue's code (turning a row into an intent): the
    queue holds data it cannot read. An error anywhere else is a bug and must not be renamed."""
    outbox_file = Path(outbox_module.__file__).resolve()
    tb = exc.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == outbox_file:
            return True
        tb = tb.tb_next
    return False


def _check_not_empty(args: argparse.Namespace) -> None:
    for attr, option in _NOT_EMPTY.items():
        value = getattr(args, attr, None)
        if value is not None and not value.strip():
            raise CliError(
                _("{option} is empty. Give a value, or leave {option} out.").format(option=option),
                ExitCode.USAGE,
                kind="usage",
            )


_UNKNOWN_STATUS: dict[str, Any] = {
    "status": None,
    "reason": None,
    "pausedAt": None,
    "resumeAt": None,
}


def _severity(code: ExitCode) -> int:
    return {ExitCode.OK: 0, ExitCode.NOT_CONFIRMED: 1, ExitCode.REJECTED: 2}.get(code, 3)


def _sender(outbox: Outbox, intent: Intent) -> str | None:
    """Who else is sending a change for the intent's store right now (only if it waits)."""
    if intent.state is not IntentState.PENDING or intent.attempts > 0:
        return None
    holder = outbox.lease_holder(intent.store_id)
    return None if holder is None else holder.describe()


def _settle(engine: SyncEngine, outbox: Outbox, saved: Intent) -> tuple[Intent, str | None]:
    """Try to deliver a saved change now. If another live process is sending an earlier change
    for the store, say which; if it finished meanwhile (nobody holds the store), go now."""
    engine.adopt([saved])
    for _attempt in range(2):
        intent = outbox.get(saved.id)
        sender = _sender(outbox, intent)
        if sender is not None or intent.state is not IntentState.PENDING or intent.attempts:
            return intent, sender
        engine.run_due()  # the other sender let go between our attempt and the check
    return outbox.get(saved.id), None


def _outcome(intent: Intent, sender: str | None = None) -> tuple[ExitCode, str]:
    """What became of an intent, for the exit code and one honest sentence. ``sender``: who
    else is sending an earlier change for the store right now (e.g. "the kiosk app (pid 42)")."""
    state = intent.state
    error = isolate(intent.last_error) if intent.last_error else None
    automatic = _("The kiosk app sends it automatically, or run `kiosk sync`.")
    if state is IntentState.DELIVERED:
        return ExitCode.OK, _("confirmed by Gett.")
    if state is IntentState.PENDING and intent.attempts == 0 and sender is not None:
        return (
            ExitCode.NOT_CONFIRMED,
            _(
                "queued: {sender} is sending an earlier change for this store right now; "
                "this one goes out right after it."
            ).format(sender=sender),
        )
    if state is IntentState.PENDING and intent.attempts == 0:
        return ExitCode.NOT_CONFIRMED, _("queued: not sent yet. {automatic}").format(
            automatic=automatic
        )
    if state is IntentState.PENDING:
        if error:
            text = _("queued: will be sent when the connection is back ({error}). {automatic}")
        else:
            text = _("queued: will be sent when the connection is back. {automatic}")
        return ExitCode.NOT_CONFIRMED, text.format(error=error, automatic=automatic)
    if state is IntentState.HELD and intent.last_error_kind == CertificateRejected.__name__:
        if error:
            text = _(
                "not sent ({error}). The change is kept and goes out once the certificate can "
                "be verified."
            )
        else:
            text = _(
                "not sent. The change is kept and goes out once the certificate can be verified."
            )
        return ExitCode.CERTIFICATE, text.format(error=error)
    if state is IntentState.HELD:
        if error:
            text = _(
                "not sent: the API key is missing or was rejected ({error}). The change is kept "
                "and goes out once a valid key is stored with `kiosk key set`."
            )
        else:
            text = _(
                "not sent: the API key is missing or was rejected. The change is kept and goes "
                "out once a valid key is stored with `kiosk key set`."
            )
        return ExitCode.KEY, text.format(error=error)
    if state is IntentState.CONFLICT:
        return (
            ExitCode.REJECTED,
            _(
                "not sent: the store was changed elsewhere after this change was made. "
                "Run `kiosk sync --force` to apply it anyway."
            ),
        )
    if state is IntentState.SUPERSEDED:
        return ExitCode.NOT_CONFIRMED, _("{outcome}.").format(outcome=history_outcome(intent))
    if state is IntentState.DISMISSED:
        return ExitCode.OK, _("dropped: Gett's state was kept.")
    detail = (intent.last_error or state.value).rstrip(".")
    return ExitCode.REJECTED, _("not sent: {error}.").format(error=isolate(detail))


def _cli_error(exc: ApiError, store: Store) -> CliError:
    kind = type(exc).__name__
    if exc.request_id:
        error = _("{error} (Gett request id {request_id})").format(
            error=exc, request_id=ltr(exc.request_id)
        )
    else:
        error = str(exc)
    if isinstance(exc, AuthRejected):
        return CliError(
            _("{error} Store a valid key with `kiosk key set`.").format(error=error),
            ExitCode.KEY,
            kind=kind,
        )
    if isinstance(exc, CertificateRejected):
        return CliError(str(exc), ExitCode.CERTIFICATE, kind=kind)
    if isinstance(exc, NeedsAttention):
        if exc.status_code == 404:
            error = _("{error} Check the store id {store_id} in the config.").format(
                error=error, store_id=ltr(store.id)
            )
        return CliError(error, ExitCode.REJECTED, kind=kind)
    assert isinstance(exc, TransientError)
    return CliError(
        _("{error} Nothing was confirmed; try again.").format(error=error),
        ExitCode.NOT_CONFIRMED,
        kind=kind,
    )


def main(
    argv: Sequence[str] | None = None,
    *,
    run_app: Callable[..., int] | None = None,
    show_error: Callable[[str], None] | None = None,
) -> int:
    """The ``kiosk`` command (:mod:`kiosk.entry` hands in the app and the on-screen error). The
    last line of defence: whatever escapes ends in one sentence and a documented code; the
    details go to the log file, never a traceback to the terminal."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            # A name or message the terminal's encoding cannot show must not stop the command.
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    args = list(sys.argv[1:] if argv is None else argv)
    cli: Cli | None = None
    try:
        cli = Cli(run_app=run_app, show_error=show_error)
        code = cli.run(args)
        if sys.stdout is not None:
            sys.stdout.flush()  # a reader that went away shows here, not as noise at exit
        return code
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):
            if cli is not None:
                i18n.use(cli.language(args))  # the command's own language had been undone
            print(i18n.strip_isolates(_("kiosk: interrupted.")), file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # `kiosk history | head -1`: the reader stopped reading. Say nothing (there is nobody
        # to say it to on stdout) and exit as a shell reports a command ended by SIGPIPE.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(ExitCode.BROKEN_PIPE)


if __name__ == "__main__":
    sys.exit(main())
