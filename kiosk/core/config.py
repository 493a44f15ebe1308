"""The kiosk's configuration: a small TOML file plus environment overrides for scripted installs.

A bad file never half-works: it stops with a message naming the file, the field and the fix.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from kiosk.core.i18n import LANGUAGES, N_, _, isolate, ltr
from kiosk.core.managed import describe, managed_config_path, managed_keys, merge
from kiosk.core.models import PauseReason
from kiosk.core.pin import PinError, check_pin_hash
from kiosk.core.private import read_regular

#: Gett's API (the client imports it from here: reading a config needs no HTTP library).
PRODUCTION_URL = "https://api.gett-tech.com"

APP_NAME = "gett-store-kiosk"
CONFIG_FILENAME = "config.toml"

#: Minutes a pause lasts when a person picks only the reason; None means "until I resume".
DEFAULT_REASON_MINUTES: dict[PauseReason, int | None] = {
    PauseReason.OPERATIONAL_ISSUES: 30,
    PauseReason.STAFF_SHORTAGE: 60,
    PauseReason.TOO_BUSY: 30,
    PauseReason.MAINTENANCE: None,
    PauseReason.OTHER: 30,
}


def clip(text: str, limit: int = 60) -> str:
    """A value from outside, short enough for a one-line message (a 5,000-character store id
    in the config must not become a 5,000-character error)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown(value: object) -> str:
    """``repr`` of a value from outside, clipped: quotes show where it starts and ends."""
    return clip(repr(value), 70)


class ConfigError(Exception):
    """The configuration cannot be used as it is; the message says where and how to fix it."""

    def __init__(
        self, message: str, *, source: str | None = None, field: str | None = None
    ) -> None:
        where = isolate(source) if source else _("configuration")
        if field:
            where = _("{source}, field {field}").format(
                source=where, field=isolate(repr(clip(field)))
            )
        super().__init__(_("{where}: {problem}").format(where=where, problem=message))
        self.detail = message
        self.source = source
        self.field = field


@dataclass(frozen=True, slots=True)
class Store:
    id: str
    name: str
    #: When the kitchen closes, local "HH:MM" ("02:00" is after midnight); None: not set.
    closing: str | None = None


@dataclass(frozen=True, slots=True)
class UiSettings:
    fullscreen: bool = True
    forgotten_pause_minutes: int = 30
    reason_minutes: Mapping[PauseReason, int | None] = field(
        default_factory=lambda: dict(DEFAULT_REASON_MINUTES)
    )
    pin_hash: str | None = None
    #: A menu left alone this long goes back to the status screen (0: never).
    idle_return_seconds: int = 30
    #: Gett support's phone number, shown when a pause cannot be confirmed ("" = not set).
    support_phone: str = ""
    #: Alert sounds: on/off, volume in percent, and quiet hours ("23:00-07:00", "" = none).
    sound: bool = True
    sound_volume: int = 80
    quiet_hours: str = ""
    #: Night mode: the screen dims after this many minutes without a touch (0: never). It never
    #: dims while something needs attention; a touch or an alert wakes it.
    night_dim_minutes: int = 10
    #: The screen's language: "system" (the PC's locale) or a shipped code ("en", "he", "ar",
    #: "ru"). ``KIOSK_LANGUAGE`` wins over it (see ``kiosk.core.i18n.choose``).
    language: str = "system"


@dataclass(frozen=True, slots=True)
class MonitoringSettings:
    """What the running app tells monitoring besides its heartbeat (issue 14)."""

    #: Also write the health figures here for node_exporter's textfile collector (None: no).
    prometheus_textfile: Path | None = None
    #: Log start, stop, version and health changes to the systemd journal (Linux).
    journal: bool = False
    #: `kiosk health` is CRITICAL when a change has waited longer than this.
    critical_wait_minutes: int = 10


@dataclass(frozen=True, slots=True)
class Config:
    api_url: str = PRODUCTION_URL
    stores: tuple[Store, ...] = ()
    poll_interval_seconds: float = 30.0
    data_dir: Path = field(default_factory=lambda: default_data_dir())
    ui: UiSettings = field(default_factory=UiSettings)
    monitoring: MonitoringSettings = field(default_factory=MonitoringSettings)
    source: Path | None = None
    #: Fields set by ``KIOSK_*`` variables: (name, value in the file, value from the variable).
    #: Saving writes the file's value back for those, so a scripted override never leaks into
    #: the file (unless someone changed that field on purpose).
    env_overrides: tuple[tuple[str, object, object], ...] = field(default=(), compare=False)
    #: Dotted keys IT's managed file sets ("api_url", "stores", "ui.pin_hash", ...): their values
    #: win over the user's file, Settings shows them locked, and Save never writes them.
    managed: frozenset[str] = frozenset()
    #: The managed file that was read (None: there is none).
    managed_source: Path | None = None
    #: The user's own file alone (no managed values, no ``KIOSK_*``): what Save keeps for a key
    #: IT manages, so the user's own choice is still there if IT stops managing it.
    own: Config | None = field(default=None, compare=False, repr=False)
    #: The managed file's text as read (None: none, or the values came from the last good copy):
    #: what :mod:`kiosk.core.last_good` keeps. Never shown (it may hold a PIN hash).
    managed_text: str | None = field(default=None, compare=False, repr=False)
    #: Why IT's managed file could not be used at start, when the app runs on the last good
    #: copy of it instead (None: it runs on the file itself).
    managed_problem: ManagedConfigError | None = field(default=None, repr=False)

    def store(self, wanted: str | None = None) -> Store:
        """The store a command acts on: ``wanted`` by id or name, or the only one configured."""
        if wanted is None:
            if len(self.stores) == 1:
                return self.stores[0]
            if not self.stores:
                raise ConfigError(
                    _(
                        "no store is configured. Add a [[stores]] entry with the store's id, "
                        "or set KIOSK_STORE_ID."
                    ),
                    source=str(self.source) if self.source else None,
                )
            names = ", ".join(f"{isolate(s.name)} ({ltr(s.id)})" for s in self.stores)
            raise ConfigError(
                _("several stores are configured; pick one with --store: {stores}").format(
                    stores=names
                )
            )
        for store in self.stores:
            if wanted.lower() in (store.id.lower(), store.name.lower()):
                return store
        if _is_uuid(wanted):
            return Store(id=str(uuid.UUID(wanted)), name=wanted)
        raise ConfigError(
            _("--store {value} is neither a configured store name nor a store id (a UUID).").format(
                value=isolate(shown(wanted))
            )
        )


def _store_name(number: int) -> str:
    """The name of a store the config names by id only."""
    return _("Store {number}").format(number=number)


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILENAME


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_path(explicit: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path:
    """``--config`` wins over ``KIOSK_CONFIG``, which wins over the platform default."""
    if explicit:
        return Path(_usable_path(os.fspath(explicit), "--config"))
    if env.get("KIOSK_CONFIG"):
        return Path(_usable_path(env["KIOSK_CONFIG"], "KIOSK_CONFIG"))
    return default_config_path()


def _usable_path(text: str, where: str) -> str:
    """A path the OS can open: with a NUL in it the OS would cut the name there."""
    if "\x00" in text:
        raise ConfigError(
            _("{value} is not a usable path: it holds a NUL character.").format(
                value=isolate(shown(text))
            ),
            source=where,
        )
    return text


def check_data_dir(text: str, fld: str, source: str | None) -> Path:
    """The folder for the queue and logs: an absolute path (a relative one would depend on where
    the kiosk happened to be started), with no NUL."""
    if not text.strip():
        raise ConfigError(
            _(
                "is empty. Give the full path of a writable folder, or leave it out for the "
                "default."
            ),
            source=source,
            field=fld,
        )
    if "\x00" in text:
        raise ConfigError(
            _("{value} is not a usable folder: it holds a NUL character.").format(
                value=isolate(shown(text))
            ),
            source=source,
            field=fld,
        )
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise ConfigError(
            _(
                "{value} is not a full path. Give the full path of a writable folder, "
                "e.g. {example}."
            ).format(value=isolate(shown(text)), example=ltr(repr(str(default_data_dir())))),
            source=source,
            field=fld,
        )
    return path


#: Reads IT's managed file: its checked table and text, or None when there is none.
ManagedReader = Callable[[Path], "tuple[dict[str, Any], str | None] | None"]


def load_config(
    explicit: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    managed: ManagedReader | None = None,
) -> Config:
    """Read the user's config file (missing is fine: defaults), lay IT's managed file over it,
    then apply ``KIOSK_*`` overrides (IT's scripts and tests still win over both).

    Each file is checked on its own first, so an error names the file it is in. ``managed``
    reads the managed file another way (the app's start on the last good copy).
    """
    env = os.environ if env is None else env
    path = config_path(explicit, env)
    if path.exists():
        data = read_toml(path, str(path))
    elif explicit:
        raise ConfigError(_("does not exist. Check the path given to --config."), source=str(path))
    else:
        data = {}
    own = replace(parse_config(data, source=str(path)), source=path)
    managed_path = Path(_usable_path(os.fspath(managed_config_path(env)), "KIOSK_MANAGED_CONFIG"))
    read = (managed or read_managed_text)(managed_path)
    config = own
    if read is not None:
        managed_data, managed_text = read
        config = parse_config(merge(data, managed_data), source=str(path))
        config = replace(
            config,
            source=path,
            managed=managed_keys(managed_data),
            managed_source=managed_path,
            managed_text=managed_text,
        )
    return apply_env(replace(config, own=own), env)


def fallback_data_dir(explicit: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path:
    """Where the app keeps its data when the whole config does not load (``kiosk health`` and
    ``diagnose`` must still find the heartbeat and logs): ``KIOSK_DATA_DIR``, else each file's
    own ``data_dir`` read alone (IT's first, as it wins), else the default."""
    text = env.get("KIOSK_DATA_DIR", "")
    if text and "\x00" not in text and os.path.isabs(text):
        return Path(text)
    try:
        managed = read_managed(
            Path(_usable_path(os.fspath(managed_config_path(env)), "KIOSK_MANAGED_CONFIG"))
        )
        if managed is not None and "data_dir" in managed:
            return parse_config(managed).data_dir
    except ConfigError:
        pass
    try:
        path = config_path(explicit, env)
        if path.is_file():
            return parse_config(read_toml(path, str(path))).data_dir
    except (ConfigError, OSError):
        pass
    return default_data_dir()


class ManagedConfigError(ConfigError):
    """IT's managed file cannot be used (the running app keeps its last good config)."""


def read_managed(path: Path) -> dict[str, Any] | None:
    """IT's managed file, checked on its own (None: there is none)."""
    read = read_managed_text(path)
    return None if read is None else read[0]


def read_managed_text(path: Path) -> tuple[dict[str, Any], str] | None:
    """IT's managed file, checked on its own, with its text (None: there is none)."""
    source = describe(path)
    try:
        try:
            if not path.exists():
                return None
        except OSError as exc:  # a name too long, a folder that cannot be searched
            raise ConfigError(
                _("cannot be read ({error}).").format(
                    error=isolate(exc.strerror or type(exc).__name__)
                ),
                source=source,
            ) from None
        text = read_text(path, source)
        data = parse_toml(text, source)
        parse_config(data, source=source)
    except ConfigError as exc:
        raise ManagedConfigError(
            exc.detail,
            source=exc.source,
            field=exc.field,
        ) from None
    return data, text


def read_toml(path: Path, source: str) -> dict[str, Any]:
    """One TOML file as a table; every way it can fail is one sentence naming the file."""
    return parse_toml(read_text(path, source), source)


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """TOML text as a table; a syntax error is one sentence naming the file."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("is not valid TOML ({error}). Fix the syntax.").format(error=isolate(exc)),
            source=source,
        ) from None


#: The largest config file read (the user's, IT's managed one, its last good copy).
MAX_FILE_BYTES = 1_000_000


def read_text(path: Path, source: str) -> str:
    """A config file's text; every way reading it fails is one sentence naming the file (a
    FIFO or a device, a link to ``/dev/zero``, is refused without blocking or reading it)."""
    try:
        data = read_regular(path, MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ConfigError(
                _("is larger than {size} KB; a config file is a few lines.").format(
                    size=ltr(MAX_FILE_BYTES // 1000)
                ),
                source=source,
            )
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            _("is not UTF-8 text (byte {byte} cannot be read). Save it as UTF-8.").format(
                byte=ltr(exc.start)
            ),
            source=source,
        ) from None
    except OSError as exc:
        raise ConfigError(
            _("cannot be read ({error}).").format(
                error=isolate(exc.strerror or type(exc).__name__)
            ),
            source=source,
        ) from None


def apply_env(config: Config, env: Mapping[str, str]) -> Config:
    """Overrides for scripted deployment and tests (remembered, so they are never saved)."""
    from_file = config
    config = _apply_env(config, env)
    overrides = tuple(
        (name, getattr(from_file, name), getattr(config, name))
        for name in ("api_url", "stores", "data_dir")
        if getattr(from_file, name) != getattr(config, name)
    )
    return replace(config, env_overrides=overrides)


def _apply_env(config: Config, env: Mapping[str, str]) -> Config:
    if env.get("KIOSK_API_URL"):
        config = replace(config, api_url=check_url(env["KIOSK_API_URL"], "KIOSK_API_URL", None))
    if env.get("KIOSK_STORE_ID"):
        ids = [s.strip() for s in env["KIOSK_STORE_ID"].split(",") if s.strip()]
        stores: list[Store] = []
        for sid in ids:
            check_uuid(sid, "KIOSK_STORE_ID", None)
            known = {s.id: s.name for s in config.stores}
            canonical = str(uuid.UUID(sid))
            if any(s.id == canonical for s in stores):
                continue  # the same store twice is one store (a script's list, not a typo)
            name = known.get(canonical, _store_name(len(stores) + 1))
            stores.append(Store(id=canonical, name=name))
        config = replace(config, stores=tuple(stores))
    if env.get("KIOSK_DATA_DIR"):
        config = replace(
            config, data_dir=check_data_dir(env["KIOSK_DATA_DIR"], "KIOSK_DATA_DIR", None)
        )
    return config


_TOP_KEYS = {"api_url", "poll_interval_seconds", "stores", "data_dir", "ui", "monitoring"}
_MONITORING_KEYS = {"prometheus_textfile", "journal", "critical_wait_minutes"}
_STORE_KEYS = {"id", "name", "closing"}
_UI_KEYS = {
    "fullscreen",
    "forgotten_pause_minutes",
    "reason_minutes",
    "pin_hash",
    "idle_return_seconds",
    "support_phone",
    "sound",
    "sound_volume",
    "quiet_hours",
    "night_dim_minutes",
    "language",
}
_CLOSING = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_QUIET = re.compile(r"(([01]\d|2[0-3]):[0-5]\d)-(([01]\d|2[0-3]):[0-5]\d)")
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{2,30}")


def parse_config(data: Mapping[str, Any], *, source: str | None = None) -> Config:
    """Validate a parsed TOML document strictly: unknown keys and wrong types are errors."""

    def fail(fld: str, message: str) -> ConfigError:
        return ConfigError(message, source=source, field=fld)

    _unknown(data, _TOP_KEYS, "", fail)
    config = Config()
    if "api_url" in data:
        config = replace(
            config, api_url=check_url(_typed(data, "api_url", str, fail), "api_url", source)
        )
    if "poll_interval_seconds" in data:
        raw = data["poll_interval_seconds"]
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise fail(
                "poll_interval_seconds",
                _("must be a number of seconds, got {value}.").format(value=isolate(shown(raw))),
            )
        if not 5 <= raw <= 3600:
            raise fail(
                "poll_interval_seconds",
                _("must be between 5 and 3600 seconds, got {value}.").format(
                    value=isolate(shown(raw))
                ),
            )
        config = replace(config, poll_interval_seconds=float(raw))
    if "data_dir" in data:
        data_dir = _typed(data, "data_dir", str, fail)
        config = replace(config, data_dir=check_data_dir(data_dir, "data_dir", source))
    if "stores" in data:
        config = replace(config, stores=_parse_stores(data["stores"], source, fail))
    if "ui" in data:
        config = replace(config, ui=_parse_ui(data["ui"], fail))
    if "monitoring" in data:
        config = replace(config, monitoring=_parse_monitoring(data["monitoring"], fail))
    return config


def _parse_monitoring(raw: Any, fail: Any) -> MonitoringSettings:
    if not isinstance(raw, dict):
        raise fail("monitoring", "must be a table ([monitoring]).")
    _unknown(raw, _MONITORING_KEYS, "monitoring.", fail)
    settings = MonitoringSettings()
    if "prometheus_textfile" in raw:
        fld = "monitoring.prometheus_textfile"
        text = _typed(raw, "prometheus_textfile", str, fail, fld)
        if text.strip():  # "" = none
            path = Path(text).expanduser()
            if "\x00" in text or not path.is_absolute() or path.suffix != ".prom":
                raise fail(
                    fld,
                    "must be a full path ending in .prom (node_exporter reads only *.prom "
                    'files), e.g. "/var/lib/prometheus/node-exporter/kiosk.prom".',
                )
            settings = replace(settings, prometheus_textfile=path)
    if "journal" in raw:
        settings = replace(
            settings, journal=_typed(raw, "journal", bool, fail, "monitoring.journal")
        )
    if "critical_wait_minutes" in raw:
        fld = "monitoring.critical_wait_minutes"
        minutes = _typed(raw, "critical_wait_minutes", int, fail, fld)
        if not 1 <= minutes <= 24 * 60:
            raise fail(fld, "must be between 1 and 1440 minutes.")
        settings = replace(settings, critical_wait_minutes=minutes)
    return settings


def _parse_stores(raw: Any, source: str | None, fail: Any) -> tuple[Store, ...]:
    if not isinstance(raw, list):
        raise fail("stores", _("must be a list of [[stores]] tables with 'id' and 'name'."))
    stores: list[Store] = []
    for i, entry in enumerate(raw):
        where = f"stores[{i}]"
        if not isinstance(entry, dict):
            raise fail(where, _("must be a table with 'id' and 'name'."))
        _unknown(entry, _STORE_KEYS, where + ".", fail)
        if "id" not in entry:
            raise fail(
                where + ".id", _("is missing. Add the store's id from the Gett partner portal.")
            )
        sid = _typed(entry, "id", str, fail, where + ".id")
        check_uuid(sid, where + ".id", source)
        name = entry.get("name", _store_name(i + 1))
        if not isinstance(name, str) or not name.strip():
            raise fail(where + ".name", _('must be a non-empty string, e.g. "Main Street".'))
        canonical = str(uuid.UUID(sid))
        if any(s.id == canonical for s in stores):
            raise fail(
                where + ".id",
                _("store {store_id} is listed twice. Remove one entry.").format(
                    store_id=ltr(canonical)
                ),
            )
        closing = None
        if "closing" in entry:
            closing = _typed(entry, "closing", str, fail, where + ".closing")
            if not _CLOSING.fullmatch(closing):
                raise fail(where + ".closing", _('must be a local time "HH:MM", e.g. "02:00".'))
        stores.append(Store(id=canonical, name=name.strip(), closing=closing))
    return tuple(stores)


#: The [ui] settings that are whole numbers: what each allows, and the sentence when it does not.
_UI_WHOLE_NUMBERS: dict[str, tuple[Callable[[int], bool], str]] = {
    "forgotten_pause_minutes": (
        lambda v: 1 <= v <= 24 * 60,
        N_("must be between 1 and 1440 minutes."),
    ),
    "idle_return_seconds": (
        lambda v: v == 0 or 5 <= v <= 600,
        N_("must be 0 (never) or 5 to 600 seconds."),
    ),
    "night_dim_minutes": (lambda v: 0 <= v <= 240, N_("must be 0 (never) or 1 to 240 minutes.")),
    "sound_volume": (lambda v: 0 <= v <= 100, N_("must be a percentage from 0 to 100.")),
}


def _parse_ui(raw: Any, fail: Any) -> UiSettings:
    if not isinstance(raw, dict):
        raise fail("ui", _("must be a table ([ui])."))
    _unknown(raw, _UI_KEYS, "ui.", fail)
    ui = UiSettings()
    for key, (allowed, why) in _UI_WHOLE_NUMBERS.items():
        if key in raw:
            value = _typed(raw, key, int, fail, f"ui.{key}")
            if not allowed(value):
                raise fail(f"ui.{key}", _(why))
            ui = replace(ui, **{key: value})
    if "fullscreen" in raw:
        ui = replace(ui, fullscreen=_typed(raw, "fullscreen", bool, fail, "ui.fullscreen"))
    if "pin_hash" in raw:
        pin_hash = _typed(raw, "pin_hash", str, fail, "ui.pin_hash")
        try:
            check_pin_hash(pin_hash)
        except PinError as exc:
            raise fail(
                "ui.pin_hash",
                _("{problem} Delete this line to choose a new PIN at the kiosk.").format(
                    problem=exc
                ),
            ) from None
        ui = replace(ui, pin_hash=pin_hash)
    if "support_phone" in raw:
        phone = _typed(raw, "support_phone", str, fail, "ui.support_phone").strip()
        if phone and not _PHONE.fullmatch(phone):
            raise fail(
                "ui.support_phone",
                _('must be a phone number, e.g. "{example}".').format(
                    example=ltr("+44 20 7946 0000")
                ),
            )
        ui = replace(ui, support_phone=phone)
    if "language" in raw:
        language = _typed(raw, "language", str, fail, "ui.language").strip().lower()
        if language != "system" and language not in LANGUAGES:
            raise fail(
                "ui.language",
                _('must be "system" or one of {languages}.').format(languages=", ".join(LANGUAGES)),
            )
        ui = replace(ui, language=language)
    if "sound" in raw:
        ui = replace(ui, sound=_typed(raw, "sound", bool, fail, "ui.sound"))
    if "quiet_hours" in raw:
        quiet = _typed(raw, "quiet_hours", str, fail, "ui.quiet_hours").strip()
        if quiet and not _QUIET.fullmatch(quiet):
            raise fail("ui.quiet_hours", _('must be "HH:MM-HH:MM", e.g. "23:00-07:00" (or "").'))
        ui = replace(ui, quiet_hours=quiet)
    if "reason_minutes" in raw:
        table = raw["reason_minutes"]
        if not isinstance(table, dict):
            raise fail("ui.reason_minutes", _("must be a table of reason = minutes."))
        minutes_by_reason = dict(DEFAULT_REASON_MINUTES)
        valid = ", ".join(r.value for r in PauseReason)
        for key, value in table.items():
            fld = f"ui.reason_minutes.{key}"
            try:
                reason = PauseReason(key)
            except ValueError:
                raise fail(
                    fld, _("is not a pause reason. Use one of: {reasons}.").format(reasons=valid)
                ) from None
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 24 * 60:
                raise fail(fld, _("must be minutes from 0 to 1440 (0 means until you resume)."))
            minutes_by_reason[reason] = value or None
        ui = replace(ui, reason_minutes=minutes_by_reason)
    return ui


def _unknown(table: Mapping[str, Any], allowed: set[str], prefix: str, fail: Any) -> None:
    for key in table:
        if key not in allowed:
            raise fail(
                prefix + key,
                _("is not a known setting. Known here: {settings}.").format(
                    settings=", ".join(sorted(allowed))
                ),
            )


#: A setting whose value may be a secret (the PIN hash, or the PIN typed in its place): an
#: error about it never repeats the value (it would reach the screen, the log and diagnose).
_SECRET_NAME = re.compile(r"pin|hash|key|token|secret|passw", re.IGNORECASE)


def is_secret_field(fld: str) -> bool:
    return bool(_SECRET_NAME.search(fld.rsplit(".", 1)[-1]))


def _typed(
    table: Mapping[str, Any], key: str, kind: type, fail: Any, fld: str | None = None
) -> Any:
    value = table[key]
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        templates = {
            str: _("must be a string, got {value}."),
            bool: _("must be true or false, got {value}."),
            int: _("must be a whole number, got {value}."),
        }
        template = templates.get(kind) or _("has the wrong type, got {value}.")
        # A secret (a PIN typed as a number) is never repeated: its type, not its value.
        got = type(value).__name__ if is_secret_field(fld or key) else shown(value)
        raise fail(fld or key, template.format(value=isolate(got)))
    return value


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def check_uuid(text: str, fld: str, source: str | None) -> str:
    if not _is_uuid(text):
        raise ConfigError(
            _(
                "{value} is not a store id. Store ids are UUIDs like {example}; copy it from "
                "the Gett partner portal."
            ).format(
                value=isolate(shown(text)),
                example=ltr("'3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c'"),
            ),
            source=source,
            field=fld,
        )
    return text


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_USERINFO = re.compile(r"^([^:/?#]*://)[^/?#]*@")
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")


def _host_ok(host: str) -> bool:
    """A DNS name (letters, digits, hyphens; international names in their IDNA form) or an IP."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    labels = ascii_host.removesuffix(".").split(".")
    return len(ascii_host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def check_url(url: str, fld: str, source: str | None) -> str:
    """https everywhere; plain http only to this machine (the simulator). The URL must be one the
    HTTP client can use as it is: no spaces or control characters, no user name or password (the
    key lives in the keyring), a real host name and, if given, a port from 1 to 65535."""

    def bad(why: str) -> ConfigError:
        # A user:password in the URL may be a secret (the key pasted there): never repeat it.
        safe = _USERINFO.sub(r"\1[redacted]@", url)
        return ConfigError(
            _("{value} {problem}").format(value=isolate(shown(safe)), problem=why),
            source=source,
            field=fld,
        )

    example = ltr(repr(PRODUCTION_URL))
    if any(c.isspace() or not c.isprintable() for c in url):
        raise bad(
            _("has spaces or control characters. Use e.g. {example}.").format(example=example)
        )
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        raise bad(
            _("is not a URL (its host part does not parse). Use e.g. {example}.").format(
                example=example
            )
        ) from None
    if parts.scheme not in ("https", "http") or not hostname:
        raise bad(_("is not a URL. Use e.g. {example}.").format(example=example))
    if parts.username is not None or parts.password is not None:
        raise bad(
            _(
                "must not hold a user name or password: the API key is kept in the OS keyring "
                "(`kiosk key set`)."
            )
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise bad(_("has a port that is not a number from 1 to 65535."))
    if parts.netloc.endswith(":"):
        raise bad(_("has a ':' after the host but no port."))
    if not _host_ok(hostname):
        raise bad(
            _("does not name a host ({host} is not a host name or IP address).").format(
                host=isolate(shown(hostname))
            )
        )
    if parts.scheme == "http" and not is_loopback_host(hostname):
        raise bad(
            _(
                "uses plain http. Use https (the API key must never travel unencrypted); "
                "http is allowed only for a simulator on this machine (127.0.0.1 or localhost)."
            )
        )
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise bad(_("must not have a query or fragment."))
    import httpx  # here, not at the top: `kiosk --version` and the app's start need no httpx

    try:
        httpx.URL(url).host  # noqa: B018 - reading the host decodes it: a bad IDNA label fails here
    except (httpx.InvalidURL, ValueError):
        raise bad(
            _("is not a URL the kiosk can use. Use e.g. {example}.").format(example=example)
        ) from None
    return url.rstrip("/")


def to_toml(config: Config) -> str:
    """Write the config back out (for the settings screen); the inverse of :func:`parse_config`."""
    lines = [
        "# Gett Store Kiosk configuration. Edit with care; `kiosk status` checks it.",
        f"api_url = {_toml_str(config.api_url)}",
        f"poll_interval_seconds = {config.poll_interval_seconds:g}",
    ]
    if config.data_dir != default_data_dir():
        lines.append(f"data_dir = {_toml_str(str(config.data_dir))}")
    for store in config.stores:
        lines += [
            "",
            "[[stores]]",
            f"id = {_toml_str(store.id)}",
            f"name = {_toml_str(store.name)}",
        ]
        if store.closing:
            lines.append(f"closing = {_toml_str(store.closing)}")
    ui = config.ui
    lines += [
        "",
        "[ui]",
        f"fullscreen = {'true' if ui.fullscreen else 'false'}",
        f"forgotten_pause_minutes = {ui.forgotten_pause_minutes}",
        f"idle_return_seconds = {ui.idle_return_seconds}",
        f"night_dim_minutes = {ui.night_dim_minutes}",
    ]
    if ui.support_phone:
        lines.append(f"support_phone = {_toml_str(ui.support_phone)}")
    if ui.language != "system":
        lines.append(f"language = {_toml_str(ui.language)}")
    lines.append(f"sound = {'true' if ui.sound else 'false'}")
    lines.append(f"sound_volume = {ui.sound_volume}")
    if ui.quiet_hours:
        lines.append(f"quiet_hours = {_toml_str(ui.quiet_hours)}")
    if ui.pin_hash:
        lines.append(f"pin_hash = {_toml_str(ui.pin_hash)}")
    lines += ["", "[ui.reason_minutes]  # 0 = until you resume"]
    for reason in PauseReason:
        lines.append(f"{reason.value} = {ui.reason_minutes.get(reason) or 0}")
    monitoring = config.monitoring
    if monitoring != MonitoringSettings():  # written back only when set (Settings never edit it)
        lines += ["", "[monitoring]"]
        if monitoring.prometheus_textfile is not None:
            lines.append(f"prometheus_textfile = {_toml_str(str(monitoring.prometheus_textfile))}")
        lines.append(f"journal = {'true' if monitoring.journal else 'false'}")
        lines.append(f"critical_wait_minutes = {monitoring.critical_wait_minutes}")
    return "\n".join(lines) + "\n"


def _toml_str(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def without_env(config: Config) -> Config:
    """The config as the file should hold it: values that came from ``KIOSK_*`` variables (and
    were not changed since) go back to what the file said."""
    changes: dict[str, Any] = {
        name: file_value
        for name, file_value, env_value in config.env_overrides
        if getattr(config, name) == env_value
    }
    return replace(config, env_overrides=(), **changes)


def without_managed(config: Config) -> Config:
    """The config as the user's file should hold it: every key IT manages goes back to what the
    user's own file said (or the default), so a Save neither copies IT's values into the user's
    file nor loses the user's own."""
    own = config.own or Config()
    for key in sorted(config.managed):
        if key.startswith("ui."):
            name = key.removeprefix("ui.")
            config = replace(config, ui=replace(config.ui, **{name: getattr(own.ui, name)}))
        else:
            config = replace(config, **{key: getattr(own, key)})
    return replace(config, managed=frozenset(), managed_source=None)


def save_config(config: Config, path: Path) -> None:
    """Write atomically, so a power cut leaves the old file or the new one, never half of each.

    Values that came from ``KIOSK_*`` variables or IT's managed file are not written (see
    :func:`without_env` and :func:`without_managed`).
    """
    config = without_managed(without_env(config))
    # Owner-only folder too (a new one; an existing one is the user's to set).
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(path.suffix + ".tmp")
    # Owner-only: the file holds the PIN hash (never the API key, which is in the keyring).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(to_toml(config))
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)  # an old .tmp may have had other bits
    os.replace(tmp, path)
