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
from kiosk.core.words import format_duration
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


def _never(value: int, unit: str) -> str:
    if value == 0:
        return "never"
    return format_duration(value * (60 if unit == "min" else 1)) if value >= 60 else f"{value} s"


class KitchenSettings(QWidget):
    """Built by the settings page with its stepper class (so this module needs no import of the
    page); ``load`` and ``apply`` mirror the page's."""

    def __init__(self, stepper: Stepper) -> None:
        super().__init__()
        self._stepper = stepper
        self.sound = big_button("Alert sounds on", "Alert sounds", role="toggle")
        self.sound.setCheckable(True)
        self.sound.toggled.connect(
            lambda on: self.sound.setText("Alert sounds on" if on else "Alert sounds off")
        )
        self.volume = stepper("Sound volume", VOLUME_CHOICES, lambda v: f"{v} %", 80)
        self.quiet = stepper(
            "Quiet hours", QUIET_CHOICES, lambda q: q.replace("-", " to ") or "none", ""
        )
        self.idle = stepper("Back to the status after", IDLE_CHOICES, lambda s: _never(s, "s"), 30)
        self.dim = stepper(
            "Dim the screen after",
            DIM_CHOICES,
            lambda m: "never" if m == 0 else format_duration(m * 60),
            10,
        )
        self.phone = QLineEdit()
        self.phone.setAccessibleName("Gett support phone")
        self.phone.setPlaceholderText("+44 20 7946 0000")
        self.phone.setMinimumHeight(64)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        rows: list[tuple[str, QWidget]] = [
            ("Sounds", self.sound),
            ("Volume", self.volume),
            ("Quiet hours (only an unconfirmed pause sounds)", self.quiet),
            ("Back to the status screen after", self.idle),
            ("Night mode: dim the screen after", self.dim),
            ("Gett support phone (shown when a pause is not confirmed)", self.phone),
        ]
        for row, (text, widget) in enumerate(rows):
            self._grid.addWidget(label(text, "FormLabel"), row, 0)
            self._grid.addWidget(widget, row, 1)
        self._first_store_row = len(rows)
        self.closing: dict[str, ChoiceStepper[Any]] = {}
        self._closing_labels: list[QWidget] = []

    def load(self, config: Config) -> None:
        ui = config.ui
        self.sound.setChecked(ui.sound)
        self.sound.setText("Alert sounds on" if ui.sound else "Alert sounds off")
        self.volume.set_value(ui.sound_volume)
        self.quiet.set_value(ui.quiet_hours)
        self.idle.set_value(ui.idle_return_seconds)
        self.dim.set_value(ui.night_dim_minutes)
        self.phone.setText(ui.support_phone)
        for widget in (*self.closing.values(), *self._closing_labels):
            self._grid.removeWidget(widget)
            widget.deleteLater()
        self.closing, self._closing_labels = {}, []
        for n, store in enumerate(config.stores):
            stepper = self._stepper(
                f"Closing time of {store.name}",
                CLOSING_CHOICES,
                lambda c: c or "not set",
                store.closing,
            )
            text = label(f"{store.name} closes at (for 'until closing')", "FormLabel")
            self._grid.addWidget(text, self._first_store_row + n, 0)
            self._grid.addWidget(stepper, self._first_store_row + n, 1)
            self.closing[store.id] = stepper
            self._closing_labels.append(text)

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
