"""``kiosk diagnose --output FILE``: one zip a store can email to IT when it calls about a kiosk.

It holds what IT asks for first: the logs, the config (the PIN hash and any password taken
out; the API key is never in it), the versions running, the queue's summary and recent history,
the keyring's state, a connectivity test against the configured ``api_url`` (DNS, TCP, TLS and
one status read per store, each timed) and the health report. It works with a broken config
too (that is when it is needed most): what cannot be read is said in the archive.

No secret leaves in it: every member passes the scrubber with the key (read from the keyring)
and the PIN hash, after each section already took them out. The archive is created 0600 and
never replaces an existing file: a store manager's typo must not overwrite a document.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import json
import os
import platform
import re
import socket
import ssl
import stat
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from kiosk import __version__
from kiosk.core import health, heartbeat
from kiosk.core.config import (
    Config,
    ConfigError,
    config_path,
    fallback_data_dir,
    load_config,
)
from kiosk.core.i18n import _
from kiosk.core.keystore import KeyStoreError
from kiosk.core.logs import EVENTS_NAME, LOG_NAME, REDACTOR
from kiosk.core.managed import managed_config_path
from kiosk.core.outbox import DB_FILENAME, Outbox, OutboxError
from kiosk.core.private import read_regular

if TYPE_CHECKING:
    from kiosk.cli.main import Cli

#: The folder every member sits in, so unzipping never scatters files.
ROOT = "kiosk-diagnose"
#: How much of one log file goes in (the newest part); the rotated files make up the rest.
MAX_LOG_BYTES = 4 * 1024 * 1024
#: The config file is a few KB; more than this is not a kiosk config.
MAX_CONFIG_BYTES = 256 * 1024
#: Each network step of the connectivity test.
STEP_TIMEOUT = 5.0
HISTORY_LIMIT = 50
_LOG_FILE = re.compile(rf"^({re.escape(LOG_NAME)}|{re.escape(EVENTS_NAME)})(\.[0-9]{{1,3}})?$")
#: A config line that sets a secret-looking key: its value is taken out, whatever it is.
_SECRET_SETTING = re.compile(
    r"""(?ix)
    (["']?[\w.-]*(?:pin|hash|key|secret|token|password|passwd|credential)[\w.-]*["']?\s*=\s*)
    ("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,}\]]+)
    """
)
#: ``scheme://user:password@host``: the credentials part of any URL.
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@\"']*@")
_REMOVED = "[removed]"


class DiagnoseError(Exception):
    """One sentence for the person, and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def add_arguments(sub: Any) -> None:
    """Registers ``diagnose`` on the CLI's subcommands."""
    parser = sub.add_parser(
        "diagnose",
        help=_("write one zip for IT: logs, config without secrets, versions, queue, connectivity"),
    )
    parser.add_argument(
        "--output",
        "-o",
        required=True,
        metavar="FILE",
        help=_("the zip to create (never replaces an existing file)"),
    )


def run(cli: Cli, args: argparse.Namespace) -> int:
    """The command: collect, write, say where. Exit 0 written; 2 a bad or taken path; 1 the
    file could not be written (permissions, a full disk)."""
    from kiosk.cli.main import ExitCode

    try:
        target = _check_target(args.output)
        members = collect(cli, getattr(args, "config", None))
        _write(target, members)
    except DiagnoseError as exc:
        print(f"kiosk: {exc}", file=cli.err)
        return exc.code
    print(
        _("Wrote {path}: send it to IT. It holds no API key and no PIN.").format(path=str(target)),
        file=cli.out,
    )
    return int(ExitCode.OK)


# -- the output file ---------------------------------------------------------------------------


def _check_target(text: str | None) -> Path:
    from kiosk.cli.main import ExitCode

    usage = int(ExitCode.USAGE)
    if text is None or not text.strip():
        raise DiagnoseError(_("--output is empty. Give the name of the zip to create."), usage)
    if "\0" in text:
        raise DiagnoseError(_("--output has a NUL character in it. Give a plain file name."), usage)
    path = Path(text)
    try:
        path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        pass  # not there: the folder is checked next
    except OSError as exc:
        raise DiagnoseError(_cannot_create(path, exc), _code_for(exc)) from None
    else:
        raise DiagnoseError(
            _("{path} already exists; nothing was written. Give a new file name.").format(
                path=str(path)
            ),
            usage,
        )
    parent = path.parent
    if not parent.is_dir():
        raise DiagnoseError(
            _("The folder {folder} does not exist; nothing was written.").format(
                folder=str(parent)
            ),
            usage,
        )
    return path


def _code_for(exc: OSError) -> int:
    from kiosk.cli.main import ExitCode

    if exc.errno in (errno.EEXIST, errno.ENAMETOOLONG, errno.ENOTDIR, errno.ELOOP, errno.EISDIR):
        return int(ExitCode.USAGE)
    return 1


def _cannot_create(path: Path, exc: OSError) -> str:
    if exc.errno == errno.EEXIST:
        return _("{path} already exists; nothing was written. Give a new file name.").format(
            path=str(path)
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _(
            "Cannot write to {path}: permission denied or a read-only disk. Choose a folder "
            "you can write to, such as your home folder."
        ).format(path=str(path))
    if exc.errno == errno.ENOSPC:
        return _("The disk is full; {path} was not written. Free some space.").format(
            path=str(path)
        )
    if exc.errno == errno.ENAMETOOLONG:
        return _("The file name is too long; nothing was written. Give a shorter one.")
    return _("Could not write {path} ({reason}); nothing was written.").format(
        path=str(path), reason=exc.strerror or type(exc).__name__
    )


def _write(path: Path, members: dict[str, bytes]) -> None:
    """Create the zip (0600 from the first byte, never following a link or replacing a file);
    on any failure nothing is left behind."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise DiagnoseError(_cannot_create(path, exc), _code_for(exc)) from None
    try:
        with (
            os.fdopen(fd, "wb") as handle,
            zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            for name, data in members.items():
                info = zipfile.ZipInfo(f"{ROOT}/{name}", time.localtime()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = (stat.S_IFREG | 0o600) << 16
                archive.writestr(info, data)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        if isinstance(exc, OSError):
            raise DiagnoseError(_cannot_create(path, exc), _code_for(exc)) from None
        raise


# -- what goes in ------------------------------------------------------------------------------


def collect(cli: Cli, config_arg: str | None) -> dict[str, bytes]:
    """Every member of the archive, already scrubbed of the key and the PIN hash."""
    env = cli.env
    notes: list[str] = []
    config: Config | None = None
    try:
        config = load_config(config_arg, env)
    except ConfigError as exc:
        notes.append(f"the config could not be loaded: {exc}")
    data_dir = config.data_dir if config is not None else fallback_data_dir(config_arg, env)
    path = _config_file(config, config_arg, env)
    raw_config = _read_bounded(path, MAX_CONFIG_BYTES) if path is not None else None
    managed_path = _managed_file(env)
    raw_managed = (
        _read_bounded(managed_path, MAX_CONFIG_BYTES) if managed_path is not None else None
    )

    key, keyring = _keyring_state(cli)
    # One scrubber for the last pass: the log's own (it knows the key now, see _keyring_state)
    # with the PIN hash and the raw file's secret-looking values added.
    scrubber = REDACTOR.scrubber
    scrubber.add_secret(config.ui.pin_hash if config is not None else None)
    for secret in (*_secrets_in(raw_config), *_secrets_in(raw_managed)):
        scrubber.add_secret(secret)

    members: dict[str, Any] = {
        "summary.json": {
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "versions": versions(),
            "config_file": str(path) if path is not None else None,
            "managed_file": str(managed_path) if managed_path is not None else None,
            "data_dir": str(data_dir),
            "keyring": keyring,
            "notes": notes,
        },
        "config.toml": _redact_config_text(raw_config)
        if raw_config is not None
        else "# no config file was found; the defaults and KIOSK_* variables apply\n",
        "managed.toml": _redact_config_text(raw_managed)
        if raw_managed is not None
        else "# no managed (IT) config file was found\n",
        "config-effective.json": _effective_config(config),
        "queue.json": _queue_section(data_dir, cli),
        "health.json": _health_section(data_dir),
        "connectivity.json": _connectivity(config, key, env, cli)
        if config is not None
        else {"skipped": "the config could not be loaded"},
    }
    members.update(_logs(data_dir / "logs"))
    members["README.txt"] = _readme(sorted(members))
    out: dict[str, bytes] = {}
    for name, value in members.items():
        text = value if isinstance(value, str) else json.dumps(value, indent=2, default=str)
        # The last line: whatever a section missed, the key and the PIN hash go here.
        out[name] = scrubber.scrub(text).encode("utf-8")
    return out


def versions() -> dict[str, str]:
    return {
        "kiosk": __version__,
        "python": f"{platform.python_version()} ({sys.executable})",
        "os": platform.platform(),
        "qt": _qt_version(),
    }


def _qt_version() -> str:
    """Qt's version if PySide6 loads without starting the UI (QtCore only), else not loaded."""
    try:
        pyside = importlib.import_module("PySide6")
        core = importlib.import_module("PySide6.QtCore")
        return f"{core.qVersion()} (PySide6 {pyside.__version__})"
    except Exception:  # a frozen build without it, a broken install: it is only a figure
        return "not loaded"


def _managed_file(env: dict[str, str]) -> Path | None:
    """IT's managed file, if there is one (it may hold the PIN hash: scrubbed like the user's)."""
    try:
        path = managed_config_path(env)
        return path if "\0" not in str(path) and path.is_file() else None
    except (OSError, ValueError):
        return None


def _config_file(config: Config | None, explicit: str | None, env: dict[str, str]) -> Path | None:
    if config is not None and config.source is not None:
        return config.source
    try:
        path = config_path(explicit, env)
    except (ConfigError, ValueError):
        return None
    return path if path.is_file() else None


def _read_bounded(path: Path, limit: int, *, tail: bool = False) -> str | None:
    """A regular file's text, at most ``limit`` bytes (with ``tail``: its newest, a log's end
    being what IT reads first). A link, a device or a FIFO is skipped: the paths come from the
    environment and the data folder, not from us."""
    try:
        return read_regular(path, limit, follow_links=False, tail=tail).decode("utf-8", "replace")
    except OSError:
        return None


def _secrets_in(raw: str | None) -> Iterator[str]:
    """Values of secret-looking settings in the raw file (a config too broken to load may
    still hold the PIN hash): they are scrubbed wherever else they appear."""
    if not raw:
        return
    for match in _SECRET_SETTING.finditer(raw):
        value = match.group(2).strip("\"'")
        if len(value) >= 4:  # a PIN typed where its hash belongs is 4+ digits
            yield value


def _redact_config_text(raw: str) -> str:
    """The config file as written (comments and all, as IT pushed it), with every secret-looking
    setting's value and any URL's user:password taken out."""
    text = _SECRET_SETTING.sub(lambda m: f'{m.group(1)}"{_REMOVED}"', raw)
    return _URL_USERINFO.sub(lambda m: f"{m.group(1)}{_REMOVED}@", text)


def _clean_url(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=f"{_REMOVED}@{parts.netloc.rsplit('@', 1)[1]}"))


def _effective_config(config: Config | None) -> dict[str, Any]:
    """What the kiosk runs with (the file and KIOSK_* together), the PIN hash left out."""
    if config is None:
        return {"loaded": False}
    ui = {name: value for name, value in vars_of(config.ui).items() if name != "pin_hash"}
    ui["pin_set"] = config.ui.pin_hash is not None
    return {
        "loaded": True,
        "api_url": _clean_url(config.api_url),
        "poll_interval_seconds": config.poll_interval_seconds,
        "data_dir": str(config.data_dir),
        "stores": [vars_of(store) for store in config.stores],
        "ui": ui,
        "monitoring": vars_of(config.monitoring),
        "managed": sorted(config.managed),
        "from_environment": [name for name, *_rest in config.env_overrides],
    }


def vars_of(obj: object) -> dict[str, Any]:
    import dataclasses

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    return {}


def _keyring_state(cli: Cli) -> tuple[str | None, dict[str, Any]]:
    """The key (only to scrub it out and for the status reads) and what to say about the
    keyring: its backend, whether a key is stored, or why it cannot be read."""
    try:
        key = cli.keystore.get()
        backend = cli.keystore.backend_name()
    except KeyStoreError as exc:
        return None, {"state": exc.kind, "message": str(exc)}
    if key:
        REDACTOR.add_secret(key)
    return key, {"state": "key_stored" if key else "no_key", "backend": backend}


def _queue_section(data_dir: Path, cli: Cli) -> dict[str, Any]:
    """Like ``kiosk history``: the waiting changes and the newest ones, read only."""
    if not (data_dir / DB_FILENAME).is_file():
        return {"queue_file": None, "note": "no queue file yet (nothing was tapped here)"}
    try:
        with Outbox(data_dir, clock=cli.clock, owner=f"diagnose-{os.getpid()}") as outbox:
            waiting = outbox.open_intents()
            recent = outbox.history(limit=HISTORY_LIMIT)
    except (OutboxError, ValueError, TypeError, KeyError, OverflowError) as exc:
        return {"error": f"the queue could not be read: {type(exc).__name__}: {exc}"}
    counts: dict[str, int] = {}
    for intent in recent:
        counts[intent.state.value] = counts.get(intent.state.value, 0) + 1
    return {
        "waiting": [{"store_id": i.store_id, **i.to_json()} for i in waiting],
        "recent_states": counts,
        "recent": [{"store_id": i.store_id, **i.to_json()} for i in recent],
    }


def _health_section(data_dir: Path) -> dict[str, Any]:
    """``kiosk health --json``'s report on this data folder, and the heartbeat file as it is.

    Both, because a support call is often about a heartbeat that reads wrong: IT sees the
    verdict and what it was made from.
    """
    section: dict[str, Any] = {}
    try:
        section["report"] = health.verdict(data_dir, installed_version=__version__).to_json()
    except Exception as exc:  # its own failures are a finding, not the end of diagnose
        section["error"] = f"the health report failed: {type(exc).__name__}"
    text = _read_bounded(heartbeat.path_in(data_dir), 64 * 1024)
    section["heartbeat_file"] = text if text is not None else "none"
    return section


def _logs(log_dir: Path) -> dict[str, str]:
    """The log files by their own names (ours only: a name the folder holds that is not one
    of the kiosk's is not taken), each its newest MAX_LOG_BYTES."""
    found: dict[str, str] = {}
    try:
        names = sorted(p.name for p in log_dir.iterdir())
    except OSError:
        return {"logs/NONE.txt": f"no log folder could be read at {log_dir}\n"}
    for name in names:
        if not _LOG_FILE.match(name):
            continue
        text = _read_bounded(log_dir / name, MAX_LOG_BYTES, tail=True)
        if text is not None:
            found[f"logs/{name}"] = text
    return found or {"logs/NONE.txt": f"no log files in {log_dir}\n"}


def _readme(names: list[str]) -> str:
    return (
        "Gett Store Kiosk: diagnostics for IT (written by `kiosk diagnose`).\n"
        "The API key and the PIN hash are not in it; passwords in URLs are removed.\n\n"
        + "\n".join(f"- {name}" for name in names)
        + "\n"
    )


# -- the connectivity test ---------------------------------------------------------------------


def _timed(step: Callable[[], Any], timeout: float = STEP_TIMEOUT) -> dict[str, Any]:
    """Run one network step on a daemon thread with a deadline; its time and outcome."""
    from kiosk.core.transport import connection_kind

    box: list[tuple[bool, Any]] = []
    done = threading.Event()

    def work() -> None:
        try:
            box.append((True, step()))
        except BaseException as exc:
            box.append((False, exc))
        finally:
            done.set()

    started = time.perf_counter()
    threading.Thread(target=work, name="diagnose-step", daemon=True).start()
    finished = done.wait(timeout)
    ms = round((time.perf_counter() - started) * 1000, 1)
    if not finished:
        return {"ok": False, "ms": ms, "kind": "timeout", "error": f"no answer in {timeout:g} s"}
    ok, value = box[0]
    if ok:
        return {"ok": True, "ms": ms, **(value if isinstance(value, dict) else {})}
    return {
        "ok": False,
        "ms": ms,
        "kind": connection_kind(value),
        "error": f"{type(value).__name__}: {value}",
    }


def _connectivity(config: Config, key: str | None, env: dict[str, str], cli: Cli) -> dict[str, Any]:
    from kiosk.core.transport import ProxyUnusable, proxy_for

    url = config.api_url
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    result: dict[str, Any] = {"api_url": _clean_url(url), "host": host, "port": port}
    try:
        proxy = proxy_for(url, env)
        result["proxy"] = _clean_url(proxy) if proxy else None
    except ProxyUnusable as exc:
        result["proxy"] = f"unusable: {exc}"
    if result.get("proxy"):
        result["note"] = "requests go through the proxy; direct DNS/TCP/TLS may fail where it works"
    addresses: list[Any] = []

    def dns() -> dict[str, Any]:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses.extend(info[4] for info in infos)
        return {"addresses": sorted({str(info[4][0]) for info in infos})}

    result["dns"] = _timed(dns)
    if addresses:
        first = addresses[0]

        def tcp() -> dict[str, Any]:
            with socket.create_connection((first[0], port), timeout=STEP_TIMEOUT):
                return {"address": str(first[0])}

        result["tcp"] = _timed(tcp)
        if parts.scheme != "https":
            result["tls"] = {"skipped": "plain http (allowed only to this PC)"}
        elif result["tcp"]["ok"]:

            def tls() -> dict[str, Any]:
                from kiosk.core.client import os_trust_context

                context = os_trust_context()
                with (
                    socket.create_connection((first[0], port), timeout=STEP_TIMEOUT) as raw,
                    context.wrap_socket(raw, server_hostname=host) as secure,
                ):
                    return {"version": secure.version(), "cipher": (secure.cipher() or ("",))[0]}

            result["tls"] = _timed(tls)
    result["status_reads"] = _status_reads(config, key, cli)
    return result


def _status_reads(config: Config, key: str | None, cli: Cli) -> list[dict[str, Any]]:
    """One GET of each store's status through the kiosk's own client, timed."""
    from kiosk.core.errors import ApiError

    if not key:
        return [{"skipped": "no API key could be read (see summary.json, keyring)"}]
    reads: list[dict[str, Any]] = []
    try:
        client = cli.client_factory(config.api_url, key)
    except ApiError as exc:
        return [{"skipped": f"the client could not be made: {exc}"}]
    with client:
        for store in config.stores:
            started = time.perf_counter()
            entry: dict[str, Any] = {"store_id": store.id, "name": store.name}
            try:
                status = client.get_status(store.id)
                entry |= {"ok": True, "status": status.to_json()}
            except ApiError as exc:
                entry |= {
                    "ok": False,
                    "error": type(exc).__name__,
                    "kind": getattr(exc, "kind", None),
                    "http_status": exc.status_code,
                    "message": str(exc),
                    "request_id": exc.request_id,
                }
            except (ssl.SSLError, OSError) as exc:  # the client maps these; never a traceback
                entry |= {"ok": False, "error": type(exc).__name__}
            entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
            reads.append(entry)
    return reads
