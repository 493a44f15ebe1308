"""The settings page's "Kitchen" section: sound, quiet hours, support phone, idle return, night
mode, and each store's closing time (the [ui] keys that were config-only, and stores[].closing).

Its own module so the settings page only places it: steppers pick from short lists (no keyboard
needed); the one free text (the support phone) and the whole result are checked the way the
config file is, so the page can never save what the file would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QGridLayout, QLineEdit, QWidget

from kiosk.core.config import Config, parse_config
from kiosk.core.i18n import _, isolate, ltr
from kiosk.core.words import format_duration
from kiosk.ui.keypad import KeyLayout, Keypad
from kiosk.ui.managed import Lockable, is_locked
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import big_button, label

if TYPE_CHECKING:
    from kiosk.ui.settings_dialog import ChoiceStepper

    Stepper = Callable[..., ChoiceStepper[Any]]

VOLUME_CHOICES = (10, 20, 30, 40, 50, 60, 70, 80, 90, 100)
IDLE_CHOICES = (0, 15, 30, 45, 60, 120, 300)
DIM_CHOICES = (0, 5, 10, 15, 30, 60, 120)
QUIET_CHOICES = ("", "21:00-07:00", "22:00-07:00", "23:00-07:00", "00:00-07:00", "23:00-09:00")
#: A late-night kitchen closes after midnight: the list runs on past it.
CLOSING_CHOICES: tuple[str | None, ...] = (
    None,
    *(f"{h:02d}:{m:02d}" for h in (*range(17, 24), *range(0, 5)) for m in (0, 30)),
)


PHONE_CHARS = frozenset("0123456789+()-. ")


def _never(value: int, unit: str) -> str:
    if value == 0:
        return _("never")
    if value >= 60:
        return format_duration(value * (60 if unit == "min" else 1))
    return _("{n} s").format(n=ltr(value))


def _sound_text(on: bool) -> str:
    return _("Alert sounds on") if on else _("Alert sounds off")


class KitchenSettings(QWidget):
    """Built by the settings page with its stepper class (so this module needs no import of the
    page); ``load`` and ``apply`` mirror the page's."""

    def __init__(
        self, stepper: Stepper, *, theme: Theme | None = None, keypad: Keypad | None = None
    ) -> None:
        super().__init__()
        self._stepper = stepper
        self._theme = theme
        self.sound = big_button(_("Alert sounds on"), _("Alert sounds"), role="toggle")
        self.sound.setCheckable(True)
        self.sound.toggled.connect(lambda on: self.sound.setText(_sound_text(on)))
        self.volume = stepper(
            _("Sound volume"), VOLUME_CHOICES, lambda v: _("{n} %").format(n=ltr(v)), 80
        )
        self.quiet = stepper(
            _("Quiet hours"),
            QUIET_CHOICES,
            lambda q: (
                _("{start} to {end}").format(start=ltr(q.split("-")[0]), end=ltr(q.split("-")[1]))
                if q
                else _("none")
            ),
            "",
        )
        self.idle = stepper(
            _("Back to the status after"), IDLE_CHOICES, lambda s: _never(s, "s"), 30
        )
        self.dim = stepper(
            _("Dim the screen after"),
            DIM_CHOICES,
            lambda m: _("never") if m == 0 else format_duration(m * 60),
            10,
        )
        self.phone = QLineEdit()
        self.phone.setAccessibleName(_("Gett support phone"))
        self.phone.setPlaceholderText("+44 20 7946 0000")
        self.phone.setMinimumHeight(64)
        self.phone.setMaxLength(40)
        if keypad is not None:
            keypad.attach(self.phone, KeyLayout.FULL, lambda c: c in PHONE_CHARS)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        rows: list[tuple[str, str, QWidget]] = [
            (_("Sounds"), "ui.sound", self.sound),
            (_("Volume"), "ui.sound_volume", self.volume),
            (_("Quiet hours (only an unconfirmed pause sounds)"), "ui.quiet_hours", self.quiet),
            (_("Back to the status screen after"), "ui.idle_return_seconds", self.idle),
            (_("Night mode: dim the screen after"), "ui.night_dim_minutes", self.dim),
            (
                _("Gett support phone (shown when a pause is not confirmed)"),
                "ui.support_phone",
                self.phone,
            ),
        ]
        self.locks: dict[str, Lockable] = {}
        for row, (text, key, widget) in enumerate(rows):
            box = Lockable(widget, theme)
            self.locks[key] = box
            self._grid.addWidget(label(text, "FormLabel"), row, 0)
            self._grid.addWidget(box, row, 1)
        self._first_store_row = len(rows)
        self.closing: dict[str, ChoiceStepper[Any]] = {}
        self._closing_boxes: list[Lockable] = []
        self._closing_labels: list[QWidget] = []

    def load(self, config: Config) -> None:
        ui = config.ui
        self.sound.setChecked(ui.sound)
        self.sound.setText(_sound_text(ui.sound))
        self.volume.set_value(ui.sound_volume)
        self.quiet.set_value(ui.quiet_hours)
        self.idle.set_value(ui.idle_return_seconds)
        self.dim.set_value(ui.night_dim_minutes)
        self.phone.setText(ui.support_phone)
        for widget in (*self._closing_boxes, *self._closing_labels):
            self._grid.removeWidget(widget)
            widget.deleteLater()
        self.closing, self._closing_boxes, self._closing_labels = {}, [], []
        for n, store in enumerate(config.stores):
            stepper = self._stepper(
                _("Closing time of {store}").format(store=isolate(store.name)),
                CLOSING_CHOICES,
                lambda c: ltr(c) if c else _("not set"),
                store.closing,
            )
            text = label(
                _("{store} closes at (for “until closing”)").format(store=isolate(store.name)),
                "FormLabel",
            )
            box = Lockable(stepper, self._theme)
            self._grid.addWidget(text, self._first_store_row + n, 0)
            self._grid.addWidget(box, self._first_store_row + n, 1)
            self.closing[store.id] = stepper
            self._closing_boxes.append(box)
            self._closing_labels.append(text)

    def lock(self, managed: frozenset[str]) -> None:
        """What IT set shows locked (a store's closing time is part of "stores")."""
        for key, box in self.locks.items():
            box.set_locked(is_locked(key, managed))
        for box in self._closing_boxes:
            box.set_locked(is_locked("stores", managed))

    def apply(self, config: Config) -> Config:
        """The config with this section's values; ConfigError (in the file's words) if the
        file would refuse the free text (a support phone that is not a phone number)."""
        phone = self.phone.text().strip()
        parse_config({"ui": {"support_phone": phone}})  # checked as the file would be
        ui = replace(
            config.ui,
            sound=self.sound.isChecked(),
            sound_volume=self.volume.value(),
            quiet_hours=self.quiet.value(),
            idle_return_seconds=self.idle.value(),
            night_dim_minutes=self.dim.value(),
            support_phone=phone,
        )
        stores = tuple(
            replace(s, closing=self.closing[s.id].value()) if s.id in self.closing else s
            for s in config.stores
        )
        return replace(config, ui=ui, stores=stores)
