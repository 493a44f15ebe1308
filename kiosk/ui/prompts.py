"""The timed prompts over the whole window: the heads-up before an auto-resume and the
forgotten-pause reminder. Whether one is open, and what it says, comes with the screen."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from kiosk.core.clock import Clock
from kiosk.ui.heads_up import HeadsUp
from kiosk.ui.overlay import Overlay
from kiosk.ui.pause_flow import PauseFlow
from kiosk.ui.reminder import ForgottenPauseReminder
from kiosk.ui.screen_state import Prompt, Screen, ScreenState
from kiosk.ui.theme import Theme


class Prompts(QObject):
    """Draws the prompts of a screen and turns their answers into state changes and taps."""

    def __init__(
        self,
        theme: Theme,
        root: QWidget,
        state: ScreenState,
        flow: PauseFlow,
        clock: Clock,
    ) -> None:
        super().__init__(root)
        self._state = state
        self._flow = flow
        self._clock = clock
        self.heads_up = HeadsUp(theme, root)
        self.reminder = ForgottenPauseReminder(theme, root)
        self.heads_up.keep_paused_requested.connect(self.on_heads_up_keep_paused_requested)
        self.heads_up.resume_now_requested.connect(self.on_heads_up_resume_now_requested)
        self.heads_up.dismissed.connect(self.on_heads_up_dismissed)
        self.reminder.resume_now_requested.connect(self.on_reminder_resume_now_requested)
        self.reminder.keep_paused.connect(self.on_reminder_keep_paused)

    def show(self, screen: Screen) -> None:
        _show(self.heads_up, screen.heads_up)
        _show(self.reminder, screen.reminder)

    def hide(self) -> None:
        self.heads_up.hide()
        self.reminder.hide()

    @Slot()
    def on_heads_up_keep_paused_requested(self) -> None:
        prompt, self._state.heads_up = self._state.heads_up, None
        if prompt is not None:
            self._flow.extend(prompt.store_id)

    @Slot()
    def on_heads_up_resume_now_requested(self) -> None:
        prompt, self._state.heads_up = self._state.heads_up, None
        if prompt is not None:
            self._flow.resume(prompt.store_id)

    @Slot()
    def on_heads_up_dismissed(self) -> None:
        self._state.close_heads_up()

    @Slot()
    def on_reminder_resume_now_requested(self) -> None:
        store_id = self._state.close_reminder()
        if store_id is not None:
            self._flow.resume(store_id)

    @Slot()
    def on_reminder_keep_paused(self) -> None:
        self._state.close_reminder(snooze_at=self._clock.now())


def _show(widget: Overlay, prompt: Prompt | None) -> None:
    if prompt is None:
        if not widget.isHidden():
            widget.hide()
        return
    widget.title.setText(prompt.title)
    widget.body.setText(prompt.text)
    if widget.isHidden():
        widget.popup()
