"""The running kiosk follows its config files: the user's and IT's managed one.

IT pushes a new managed file (or a script runs ``kiosk pin set``) while the kiosk runs; the
kiosk notices within seconds and applies it through the same path as Settings' Save. A file that
does not parse (or was caught half-written) changes nothing: the kiosk keeps its last good
settings, says so on screen for the manager, and logs it once.

Polling, not a file-system watcher: a managed file is replaced by rename and its folder may not
exist yet, which inotify-style watchers handle badly; two ``stat`` calls every few seconds cost
nothing measurable.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from kiosk.core import last_good
from kiosk.core.config import Config, ConfigError, ManagedConfigError, load_config
from kiosk.core.i18n import _, ltr
from kiosk.core.logs import EVENT
from kiosk.core.managed import managed_config_path
from kiosk.ui.pages import Page
from kiosk.ui.screen_state import Notice, ScreenState

log = logging.getLogger(__name__)

#: How often the files are looked at, and how long a change must stay still before it is read
#: (a file copied in place arrives in pieces).
CHECK_MS = 3_000
SETTLE_MS = 400

Signature = tuple[tuple[int, int, int] | None, ...]


class WatchHost(Protocol):
    """What the watcher needs of the window."""

    @property
    def config(self) -> Config: ...

    @property
    def state(self) -> ScreenState: ...

    def apply_config(self, config: Config, *, key_changed: bool) -> None: ...

    def notify(self, title: str, message: str) -> None: ...

    def redraw(self) -> None: ...

    def current_page(self) -> Page: ...

    def go_home(self) -> None: ...

    def config_changed_outside(self, config: Config) -> None: ...


def reload_config(source: Path, env: Mapping[str, str]) -> Config:
    """The config as the app would read it at start: the same user file (``--config`` or the
    default) and IT's managed file."""
    if source.exists():
        return load_config(source, env)
    return load_config(None, {**env, "KIOSK_CONFIG": os.fspath(source)})


class ConfigWatcher(QObject):
    """Looks at the config files' size and time every few seconds; applies what changed.

    Signals:
        applied(Config): a changed config was applied.
        refused(str): a changed config was not applied (the sentence shown and logged).
    """

    applied = Signal(object)
    refused = Signal(str)

    def __init__(
        self,
        host: WatchHost,
        paths: Sequence[Path],
        load: Callable[[], Config],
        *,
        check_ms: int = CHECK_MS,
        settle_ms: int = SETTLE_MS,
        keep: Callable[[Config], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._host = host
        self._paths = tuple(paths)
        self._load = load
        self._keep = keep  # keeps a good managed file's copy (kiosk.core.last_good)
        self._check_ms, self._settle_ms = check_ms, settle_ms
        self._seen = self._signature()
        self._problem: Notice | None = None
        self._last_error = ""
        self._pending_data_dir: Path | None = None
        self.timer = QTimer(self)
        self.timer.setObjectName("config watch")
        self.timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._settling = False
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.on_timer_timeout)

    def start(self) -> None:
        self.timer.start(self._check_ms)

    def stop(self) -> None:
        self.timer.stop()

    def _signature(self) -> Signature:
        def one(path: Path) -> tuple[int, int, int] | None:
            try:
                st = path.stat()
            except OSError:
                return None
            return (st.st_mtime_ns, st.st_size, st.st_ino)

        return tuple(one(p) for p in self._paths)

    @Slot()
    def on_timer_timeout(self) -> None:
        now = self._signature()
        if now != self._seen:
            self._seen = now  # changed: read it once it has stayed still for a moment
            self._settling = True
            self.timer.start(self._settle_ms)
            return
        if self._settling:
            self._settling = False
            self.reload()
        self.timer.start(self._check_ms)

    def reload(self) -> None:
        """Read both files now; apply them, or keep the last good config and say why."""
        try:
            config = self._load()
            if not config.stores and self._host.config.stores:
                raise ConfigError(
                    _("no store is configured any more. Add the [[stores]] back."),
                    source=os.fspath(config.source) if config.source else None,
                )
        except ConfigError as exc:
            self._refuse(exc)
            return
        if self._keep is not None:
            self._keep(config)
        self._clear_problem()
        current = self._host.config
        config = self._start_only(config, current)
        if config == current and config.own == current.own:
            return
        log.info(
            "config files changed: applied (managed keys: %s)",
            ", ".join(sorted(config.managed)) or "none",
            extra=EVENT,
        )
        # The key lives in the keyring, not in these files: it did not change.
        self._host.apply_config(config, key_changed=False)
        if self._host.current_page() is Page.SETUP and config.stores:
            self._host.go_home()  # IT pushed the stores: first-run set-up is done
        self.applied.emit(config)

    def _start_only(self, config: Config, current: Config) -> Config:
        """``config`` with what applies only at the next start put back as it runs now.

        The data folder holds the queue, the heartbeat, the owner lock and the logs; moving
        only some of them while running would split the kiosk in two (health would look in the
        new folder while the app beats in the old). So a new ``data_dir`` waits for a restart.
        """
        if config.data_dir == current.data_dir:
            self._pending_data_dir = None
            return config
        if config.data_dir != self._pending_data_dir:
            self._pending_data_dir = config.data_dir
            log.warning(
                "config: data_dir changed to %s; it applies at the next start (the kiosk keeps "
                "using %s until then)",
                config.data_dir,
                current.data_dir,
                extra=EVENT,
            )
            self._host.notify(
                _("A setting applies at the next start"),
                _(
                    "The kiosk keeps its data in {old} until it starts again; then it uses {new}."
                ).format(old=ltr(str(current.data_dir)), new=ltr(str(config.data_dir))),
            )
        return replace(config, data_dir=current.data_dir)

    def started_on_last_good(self, exc: ManagedConfigError) -> None:
        """The app started on the managed file's last good copy (or without it): the manager
        sees it as a broken push, and the events log keeps it."""
        log.error(
            "managed config not usable at start; the kiosk runs on its last good copy: %s",
            exc,
            extra=EVENT,
        )
        self._last_error = str(exc)  # logged: the same error is not logged again
        # Read afresh: the banner in the screen's language (the start read it in the
        # terminal's), and a file fixed meanwhile applies at once.
        self.reload()

    def _refuse(self, exc: ConfigError) -> None:
        sentence = str(exc)  # the whole sentence, with the file's full path: for the log
        managed = isinstance(exc, ManagedConfigError)
        if managed:
            title = _("Settings from IT have an error")
        else:
            title = _("The settings file has an error")
        # On screen the file's name is enough (the title says whose it is); 800x480 is small.
        path = self._paths[1 if managed else 0]
        short = str(ConfigError(exc.detail, source=path.name, field=exc.field))
        message = _("The kiosk keeps its last good settings. {problem}").format(problem=short)
        if sentence != self._last_error:
            log.error("config not applied, keeping the last good one: %s", sentence)
            self._last_error = sentence
        self._problem = Notice(title, message)
        self._host.notify(title, message)
        self.refused.emit(sentence)

    def _clear_problem(self) -> None:
        """The files are good again: the warning goes (if it is still the one on screen)."""
        problem, self._problem = self._problem, None
        self._last_error = ""
        if problem is not None and self._host.state.banner == problem:
            self._host.state.dismiss_banner()
            self._host.redraw()


def watch_config(
    host: WatchHost,
    env: Mapping[str, str] | None = None,
    *,
    check_ms: int = CHECK_MS,
    settle_ms: int = SETTLE_MS,
) -> ConfigWatcher | None:
    """The app's watcher: the user's file the app was started with, and IT's managed file."""
    source = host.config.source
    if source is None:
        return None  # a config made in memory (the demo): no file to follow
    env = dict(os.environ if env is None else env)
    paths = (source, managed_config_path(env))
    watcher = ConfigWatcher(
        host,
        paths,
        lambda: reload_config(source, env),
        check_ms=check_ms,
        settle_ms=settle_ms,
        keep=lambda config: last_good.remember(config, env),
    )
    watcher.applied.connect(host.config_changed_outside)
    if host.config.managed_problem is not None:
        watcher.started_on_last_good(host.config.managed_problem)
    watcher.start()
    return watcher
