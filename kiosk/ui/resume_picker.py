"""The second tap: how long. Presets, end of day, until I resume, or a custom time on steppers.

The reason's default duration is marked "suggested", so a rushed person taps the marked button.
Every preset button says the clock time it means ("until 14:30"), so nobody does sums.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.clock import Clock
from kiosk.core.i18n import N_, _, isolate, ltr, ngettext
from kiosk.core.models import PauseReason
from kiosk.core.words import format_duration, reason_text
from kiosk.ui.theme import Theme
from kiosk.ui.view_model import LocalTime
from kiosk.ui.widgets import big_button, label, regrid, restyle

PRESET_MINUTES = (15, 30, 45, 60, 90)
END_OF_DAY = "end_of_day"
UNTIL_RESUME = "until_resume"
CUSTOM = "custom"


def minute_ceiling(when: datetime) -> datetime:
    """Round up to a whole minute, so "30 min" from 14:07:20 reads as 14:38 and stays there."""
    if when.second or when.microsecond:
        return when.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return when


def preset_text(minutes: int) -> str:
    """A preset's big words: ``15 min``, ``1 hour``, ``1 h 30 min``."""
    if minutes < 60:
        return ngettext("{n} min", "{n} min", minutes).format(n=ltr(minutes))
    hours, rest = divmod(minutes, 60)
    if not rest:
        return ngettext("{n} hour", "{n} hours", hours).format(n=ltr(hours))
    return _("{hours} h {minutes} min").format(hours=ltr(hours), minutes=ltr(rest))


class ResumePicker(QWidget):
    """Picks when the pause ends.

    Signals:
        pause_chosen(object, object): the PauseReason and the resume time (None = until I resume).
        custom_requested(object): the person wants a custom time for this PauseReason.
        back_requested(): go back without pausing.
    """

    pause_chosen = Signal(object, object)
    custom_requested = Signal(object)
    back_requested = Signal()
    reason_requested = Signal()

    def __init__(
        self,
        theme: Theme,
        clock: Clock,
        local_time: LocalTime,
        reason_minutes: Callable[[PauseReason], int | None],
        parent: QWidget | None = None,
        closing: Callable[[], str | None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("page", True)
        self._clock = clock
        self._lt = local_time
        self._reason_minutes = reason_minutes
        self._closing = closing
        self.reason: PauseReason = PauseReason.OTHER
        self.title = label("", "Title", name=N_("Pause title"))
        self.hint = label(
            _("Tap how long. The marked one is the usual for this reason."), "Subtitle"
        )
        self.back = big_button(
            _("Back"), N_("Back"), role="quiet", theme=theme, icon="back", icon_px=28
        )
        self.back.setMaximumWidth(220)
        self.back.clicked.connect(self.back_requested)
        # "Change pause" comes straight here: the reason is kept, and changed only if asked.
        self.change_reason = big_button(
            _("Other reason"), N_("Change the reason"), role="quiet", theme=theme, icon="dots"
        )
        self.change_reason.setMaximumWidth(260)
        self.change_reason.clicked.connect(self.reason_requested)
        self.change_reason.hide()
        head = QHBoxLayout()
        head.addWidget(self.back)
        head.addSpacing(12)
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.hint)
        head.addLayout(titles, 1)
        head.addWidget(self.change_reason)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setSpacing(10)
        self._grid = grid
        # (key, English name: the button's id, icon); the words are set in refresh().
        choices: list[tuple[str, str, str | None]] = [
            (str(m), f"Pause for {m} minutes", "clock") for m in PRESET_MINUTES
        ]
        choices += [
            (END_OF_DAY, N_("Pause until end of day"), "moon"),
            (UNTIL_RESUME, N_("Pause until I resume"), "infinity"),
            (CUSTOM, N_("Pick a custom time"), "clock"),
        ]
        for key, name, icon in choices:
            button = big_button("", name, theme=theme, icon=icon, icon_px=30)
            if key.isdigit():
                m = int(key)
                button.setAccessibleName(
                    ngettext("Pause for {n} minute", "Pause for {n} minutes", m).format(n=ltr(m))
                )
            button.setProperty("role", "pause" if key != CUSTOM else None)
            button.setMinimumHeight(76)
            button.clicked.connect(lambda _=False, k=key: self.on_choice_button_clicked(k))
            self.buttons[key] = button
        self.set_columns(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(12)
        layout.addLayout(head)
        layout.addLayout(grid, 1)

    def set_columns(self, columns: int) -> None:
        if columns == getattr(self, "_columns", None):
            return
        self._columns = columns
        regrid(self._grid, list(self.buttons.values()), columns)

    def start(self, reason: PauseReason, who: str | None = None, *, change: bool = False) -> None:
        """``who``: with several stores, the store(s) this pause is for, named in the title;
        ``change``: a pause is on already and only its end changes (the reason stays)."""
        self.reason = reason
        self.change_reason.setVisible(change)
        words = {"reason": reason_text(reason), "who": isolate(who or "")}
        if change:
            title = (
                _("New end for the pause of {who} ({reason})")
                if who
                else _("New end for the pause ({reason})")
            )
            self.title.setText(title.format(**words))
            self.hint.setText(_("Tap the new end. The reason stays, unless you change it."))
        else:
            title = (
                _("Pause {who}: {reason}. For how long?")
                if who
                else _("Pause: {reason}. For how long?")
            )
            self.title.setText(title.format(**words))
            self.hint.setText(_("Tap how long. The marked one is the usual for this reason."))
        self.refresh()

    def suggested_key(self) -> str:
        minutes = self._reason_minutes(self.reason)
        if minutes is None:
            return UNTIL_RESUME
        return str(minutes) if minutes in PRESET_MINUTES else CUSTOM

    def resume_at_for(self, key: str) -> datetime | None:
        now = self._clock.now()
        if key == UNTIL_RESUME:
            return None
        if key == END_OF_DAY:
            closing = self._closing()
            if closing is None:
                return self._lt.end_of_day(now)
            hour, minute = (int(part) for part in closing.split(":"))
            return self._lt.at(now, hour, minute)
        return minute_ceiling(now + timedelta(minutes=int(key)))

    def refresh(self) -> None:
        """Re-label the buttons with the clock times they mean now."""
        now = self._clock.now()
        suggested = self.suggested_key()
        for key, button in self.buttons.items():
            if key == CUSTOM:
                minutes = self._reason_minutes(self.reason)
                text = _("Custom time…")
                if suggested == CUSTOM and minutes is not None:
                    text = _("Custom time…\nusual: {duration}").format(
                        duration=format_duration(minutes * 60)
                    )
            elif key == UNTIL_RESUME:
                text = _("Until I resume")
            else:
                when = self.resume_at_for(key)
                assert when is not None
                time = self._lt.clock_on(when, now)
                if key != END_OF_DAY:
                    text = _("{duration}\nuntil {time}").format(
                        duration=preset_text(int(key)), time=time
                    )
                elif self._closing() is None:
                    # No closing time set: say it is midnight, rather than pass it off.
                    text = _("Until midnight\nno closing time set")
                else:
                    text = _("Until closing\nuntil {time}").format(time=time)
            if key == suggested:
                text = _("★ {choice}").format(choice=text)
            button.setText(text)
            if (button.property("suggested") is True) != (key == suggested):
                button.setProperty("suggested", key == suggested)
                restyle(button)
            desc = _("Suggested for this reason") if key == suggested else ""
            button.setAccessibleDescription(desc)

    @Slot(str)
    def on_choice_button_clicked(self, key: str) -> None:
        if key == CUSTOM:
            self.custom_requested.emit(self.reason)
            return
        self.pause_chosen.emit(self.reason, self.resume_at_for(key))


class CustomTimePicker(QWidget):
    """A resume time on big steppers: no spin boxes, no keyboard.

    Signals:
        pause_chosen(object, object): the PauseReason and the chosen resume time.
        back_requested(): back to the presets.
    """

    pause_chosen = Signal(object, object)
    back_requested = Signal()

    def __init__(
        self,
        theme: Theme,
        clock: Clock,
        local_time: LocalTime,
        reason_minutes: Callable[[PauseReason], int | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("page", True)
        self._clock = clock
        self._lt = local_time
        self._reason_minutes = reason_minutes
        self.reason = PauseReason.OTHER
        self.hour = 0
        self.minute = 0
        self.title = label("", "Title", name=N_("Custom time title"))
        back = big_button(
            _("Back"), N_("Back to durations"), role="quiet", theme=theme, icon="back"
        )
        back.setMaximumWidth(220)
        back.clicked.connect(self.back_requested)
        head = QHBoxLayout()
        head.addWidget(back)
        head.addSpacing(12)
        head.addWidget(self.title, 1)

        self.hour_label = label("", "BigValue", wrap=False, name=N_("Hour"))
        self.minute_label = label("", "BigValue", wrap=False, name=N_("Minute"))
        steppers = QHBoxLayout()
        steppers.setSpacing(16)
        if self.isRightToLeft():  # a time reads 15:10 in every language: hours on the left
            steppers.setDirection(QHBoxLayout.Direction.RightToLeft)  # (mirrored back)
        for value_label, unit, step_minus, step_plus in (
            (self.hour_label, "hour", -60, 60),
            (self.minute_label, "minutes", -5, 5),
        ):
            column = QVBoxLayout()
            if unit == "hour":
                plus = big_button(_("+ 1 h"), N_("Later by 1 hour"), theme=theme)
                minus = big_button(_("− 1 h"), N_("Earlier by 1 hour"), theme=theme)
            else:
                plus = big_button(_("+ 5 min"), N_("Later by 5 minutes"), theme=theme)
                minus = big_button(_("− 5 min"), N_("Earlier by 5 minutes"), theme=theme)
            for button in (plus, minus):
                button.setProperty("role", "digit")
                button.setMinimumSize(120, 72)
                button.setMaximumHeight(150)  # in portrait, room goes to the time, not the keys
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            plus.clicked.connect(lambda _=False, s=step_plus: self.on_stepper_clicked(s))
            minus.clicked.connect(lambda _=False, s=step_minus: self.on_stepper_clicked(s))
            value_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            column.addWidget(plus)
            column.addWidget(value_label)
            column.addWidget(minus)
            steppers.addLayout(column)
            if unit == "hour":
                colon = label(":", "BigValue", wrap=False)
                steppers.addWidget(colon)
        self.preview = label("", "Preview", name=N_("Custom time preview"))
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.confirm = big_button("", N_("Pause until custom time"), role="pause")
        self.confirm.setMinimumHeight(80)
        self.confirm.clicked.connect(self.on_confirm_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(10)
        layout.addLayout(head)
        layout.addStretch(1)
        layout.addLayout(steppers, 6)
        layout.addStretch(1)
        layout.addWidget(self.preview)
        layout.addWidget(self.confirm)

    def start(self, reason: PauseReason, who: str | None = None) -> None:
        """``who``: with several stores, the store(s) this pause is for, named in the title."""
        self.reason = reason
        title = (
            _("Pause {who}: {reason}. Until when?") if who else _("Pause: {reason}. Until when?")
        )
        self.title.setText(title.format(reason=reason_text(reason), who=isolate(who or "")))
        minutes = self._reason_minutes(reason) or 60
        start = minute_ceiling(self._clock.now() + timedelta(minutes=minutes))
        local = self._lt.local(start)
        total = local.hour * 60 + local.minute
        total = -(-total // 5) * 5  # up to the next 5 minutes
        self.hour, self.minute = divmod(total % (24 * 60), 60)
        self.refresh()

    def resume_at(self) -> datetime:
        return self._lt.at(self._clock.now(), self.hour, self.minute)

    def refresh(self) -> None:
        now = self._clock.now()
        when = self.resume_at()
        self.hour_label.setText(f"{self.hour:02d}")
        self.minute_label.setText(f"{self.minute:02d}")
        left = (when - now).total_seconds()
        time = self._lt.clock_on(when, now)
        self.preview.setText(
            _("Resumes {time}, in {duration}").format(time=time, duration=format_duration(left))
        )
        self.confirm.setText(_("Pause until {time}").format(time=time))

    @Slot(int)
    def on_stepper_clicked(self, minutes: int) -> None:
        total = (self.hour * 60 + self.minute + minutes) % (24 * 60)
        self.hour, self.minute = divmod(total, 60)
        self.refresh()

    @Slot()
    def on_confirm_clicked(self) -> None:
        self.pause_chosen.emit(self.reason, self.resume_at())
