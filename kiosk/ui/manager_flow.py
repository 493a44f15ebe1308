"""The manager's way in: the PIN (to open Settings, to close the kiosk, to set a new one),
Settings and first-run set-up, and saving what they changed off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Slot

from kiosk.core.config import Config, save_config, without_env, without_managed
from kiosk.core.config_rebase import read_own, rebase
from kiosk.core.i18n import _, isolate
from kiosk.core.keystore import KeyStore
from kiosk.core.logs import log_settings_saved
from kiosk.core.pin import hash_pin
from kiosk.ui.pages import Page
from kiosk.ui.pin_pad import PinPad
from kiosk.ui.settings_dialog import SettingsPage
from kiosk.ui.setup_screen import SetupPage
from kiosk.ui.tasks import TaskRunner


class PinPurpose(StrEnum):
    SETTINGS = "settings"  # verify, then Settings
    EXIT = "exit"  # verify, then close the app
    CHANGE = "change"  # set a new PIN from Settings
    SETUP = "setup"  # set the first PIN at first run


class FlowHost(Protocol):
    """What the flow needs of the window."""

    @property
    def config(self) -> Config: ...

    def show_page(self, page: Page) -> None: ...

    def go_home(self) -> None: ...

    def close_for_good(self) -> None: ...

    def confirm_close(self) -> None: ...

    def close_by_manager(self) -> None: ...

    def apply_config(self, config: Config, *, key_changed: bool) -> None: ...

    def notify(self, title: str, message: str) -> None: ...

    def key_missing(self) -> bool: ...


class ManagerFlow(QObject):
    """Wires the PIN pad, Settings and set-up pages; holds only what the flow is for."""

    def __init__(
        self,
        host: FlowHost,
        pin_pad: PinPad,
        settings_page: SettingsPage,
        setup_page: SetupPage,
        keystore: KeyStore,
        tasks: TaskRunner,
        save_path: Path | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._host = host
        self.pin_pad = pin_pad
        self.settings_page = settings_page
        self.setup_page = setup_page
        self._keystore = keystore
        self._tasks = tasks
        self._save_path = save_path
        self.purpose = PinPurpose.SETTINGS
        self._pending_setup: tuple[Config, str | None] | None = None
        pin_pad.accepted.connect(self.on_pin_pad_accepted)
        pin_pad.cancelled.connect(self.on_pin_pad_cancelled)
        settings_page.save_requested.connect(self.on_settings_page_save_requested)
        settings_page.cancelled.connect(host.go_home)
        settings_page.change_pin_requested.connect(self.on_settings_page_change_pin_requested)
        settings_page.quit_requested.connect(host.confirm_close)
        setup_page.completed.connect(self.on_setup_page_completed)
        setup_page.cancelled.connect(host.go_home)
        # Leaving set-up is on purpose: closed like a manager's close (the autostart keeps it
        # closed this session, health says so) rather than started again at once.
        setup_page.quit_requested.connect(host.close_by_manager)

    @Slot()
    def on_manager_requested(self) -> None:
        if self._host.config.ui.pin_hash:
            self.ask_pin(PinPurpose.SETTINGS)
        else:
            self.purpose = PinPurpose.CHANGE
            self.pin_pad.start_set(_("Choose a manager PIN first"))
            self._host.show_page(Page.PIN)

    def ask_pin(self, purpose: PinPurpose) -> None:
        pin_hash = self._host.config.ui.pin_hash
        assert pin_hash is not None
        self.purpose = purpose
        title = (
            _("Manager PIN to close the kiosk") if purpose is PinPurpose.EXIT else _("Manager PIN")
        )
        # Checked against the config at the time of OK (a `kiosk pin set` may apply meanwhile).
        self.pin_pad.start_verify(lambda: self._host.config.ui.pin_hash, title)
        self._host.show_page(Page.PIN)

    @Slot()
    def on_pin_pad_cancelled(self) -> None:
        if self.purpose is PinPurpose.SETUP:
            self._host.show_page(Page.SETUP)
        elif self.purpose is PinPurpose.CHANGE and self._host.config.ui.pin_hash:
            self._host.show_page(Page.SETTINGS)
        else:
            self._host.go_home()

    @Slot(str)
    def on_pin_pad_accepted(self, pin: str) -> None:
        purpose = self.purpose
        if purpose is PinPurpose.EXIT:
            self._host.close_by_manager()  # the PIN asked for closing is the confirmation
            return
        if purpose is PinPurpose.SETTINGS:
            self.open_settings()
            return
        pin_hash = hash_pin(pin)
        if purpose is PinPurpose.SETUP:
            assert self._pending_setup is not None
            config, key = self._pending_setup
            self._pending_setup = None
            config = replace(config, ui=replace(config.ui, pin_hash=pin_hash))
            self._save(config, key, after=self._host.go_home)
            return
        opened = self._host.config
        config = replace(opened, ui=replace(opened.ui, pin_hash=pin_hash))
        self._save(config, None, opened=opened, after=self.open_settings)

    def open_settings(self) -> None:
        self.settings_page.load(self._host.config, key_stored=not self._host.key_missing())
        self._host.show_page(Page.SETTINGS)

    @Slot()
    def on_settings_page_change_pin_requested(self) -> None:
        if "ui.pin_hash" in self._host.config.managed:
            # A PIN chosen here would never be saved: IT's managed file sets it.
            self.settings_page.show_error(_("The manager PIN is set by IT; ask IT to change it."))
            return
        self.purpose = PinPurpose.CHANGE
        self.pin_pad.start_set(_("Choose a new manager PIN"))
        self._host.show_page(Page.PIN)

    @Slot(object, object)
    def on_settings_page_save_requested(self, config: Config, key: str | None) -> None:
        self._save(
            config,
            key,
            opened=self.settings_page.opened,
            after=self._host.go_home,
            on_error=self.settings_page.show_error,
        )

    @Slot(object, object)
    def on_setup_page_completed(self, config: Config, key: str | None) -> None:
        self._pending_setup = (config, key)
        self.purpose = PinPurpose.SETUP
        self.pin_pad.start_set()
        self._host.show_page(Page.PIN)

    def _save(
        self,
        config: Config,
        key: str | None,
        *,
        after: Callable[[], None],
        on_error: Callable[[str], None] | None = None,
        opened: Config | None = None,
    ) -> None:
        """Write the config file and the key off the UI thread, then apply the new config.

        With ``opened`` (the config the page started from), only the fields changed since then
        are saved, on top of the user's file as it is now: a ``kiosk pin set`` or another edit
        made while the page was open survives the Save.
        """
        path, keystore = self._save_path, self._keystore
        fallback = self._host.config.own or without_managed(without_env(self._host.config))

        def work() -> None:
            if key:
                keystore.set(key)
            if path is None:
                return
            to_write = config
            if opened is not None:
                to_write = rebase(
                    without_managed(without_env(config)),
                    without_managed(without_env(opened)),
                    read_own(path, fallback),
                )
            save_config(to_write, path)

        def done(_result: object, error: BaseException | None) -> None:
            nonlocal config
            if error is not None:
                if on_error is not None:
                    on_error(_("Not saved: {error}").format(error=isolate(str(error))))
                else:
                    self._host.notify(_("Settings were not saved"), str(error))
                return
            if opened is not None:
                config = rebase(config, opened, self._host.config)
            log_settings_saved(self._host.config, config, key_changed=bool(key))
            self._host.apply_config(config, key_changed=bool(key))
            after()

        self._tasks.run(work, done)
