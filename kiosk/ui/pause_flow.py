"""Pausing in two taps (a reason, then how long), resuming in one, "+15 min", and for several
stores "pause all" and "resume all". Every tap ends in :meth:`Session.tap`."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.clock import Clock
from kiosk.core.config import Config
from kiosk.core.i18n import N_, _
from kiosk.core.models import PauseReason, StoreStatusUpdate
from kiosk.ui.home_page import HomePage
from kiosk.ui.pages import Page
from kiosk.ui.reason_picker import ReasonPicker
from kiosk.ui.resume_picker import CustomTimePicker, ResumePicker
from kiosk.ui.screen_state import ScreenState
from kiosk.ui.session import Session
from kiosk.ui.tap_guard import TapGuard
from kiosk.ui.theme import Theme
from kiosk.ui.view_model import LocalTime, extend_update, extension
from kiosk.ui.widgets import big_button, label


class FlowHost(Protocol):
    """What the flow needs of the window."""

    home: HomePage

    @property
    def config(self) -> Config: ...

    def show_page(self, page: Page) -> None: ...

    def current_page(self) -> Page: ...

    def go_home(self) -> None: ...

    def redraw(self) -> None: ...


class PauseFlow(QObject):
    """The reason and duration pages, and the home page's tap buttons."""

    def __init__(
        self,
        host: FlowHost,
        theme: Theme,
        clock: Clock,
        lt: LocalTime,
        state: ScreenState,
        session: Session,
        guard: TapGuard | None = None,
    ) -> None:
        super().__init__()
        self.guard = guard or TapGuard()
        self._host = host
        self._clock = clock
        self._state = state
        self._session = session
        self.reasons_page = self._build_reasons_page(theme)
        self.resume_picker = ResumePicker(
            theme, clock, lt, self._reason_minutes, closing=self._closing_time
        )
        self.custom_picker = CustomTimePicker(theme, clock, lt, self._reason_minutes)
        home = host.home
        home.reasons.reason_chosen.connect(self.on_reason_picker_reason_chosen)
        self.page_reasons.reason_chosen.connect(self.on_reason_picker_reason_chosen)
        self.resume_picker.pause_chosen.connect(self.on_picker_pause_chosen)
        self.resume_picker.custom_requested.connect(self.on_resume_picker_custom_requested)
        self.resume_picker.back_requested.connect(host.go_home)
        self.resume_picker.reason_requested.connect(self.on_resume_picker_reason_requested)
        self.custom_picker.pause_chosen.connect(self.on_picker_pause_chosen)
        self.custom_picker.back_requested.connect(lambda: host.show_page(Page.RESUME))
        home.resume_button.clicked.connect(self.on_resume_button_clicked)
        home.cancel_pause_button.clicked.connect(self.on_resume_button_clicked)
        home.undo_button.clicked.connect(self.on_undo_button_clicked)
        home.resume_all_button.clicked.connect(self.on_resume_all_button_clicked)
        home.extend_button.clicked.connect(self.on_extend_button_clicked)
        home.change_button.clicked.connect(self.on_change_button_clicked)
        home.keep_theirs_button.clicked.connect(lambda: self.resolve_conflict(apply_mine=False))
        home.apply_mine_button.clicked.connect(lambda: self.resolve_conflict(apply_mine=True))

    def _build_reasons_page(self, theme: Theme) -> QWidget:
        page = QWidget()
        page.setProperty("page", True)
        back = big_button(
            _("Back"), N_("Back from reasons"), role="quiet", theme=theme, icon="back"
        )
        back.setMaximumWidth(220)
        back.clicked.connect(self._host.go_home)
        head = QHBoxLayout()
        head.addWidget(back)
        self.reasons_title = label(_("Pause the store. Why?"), "Title", wrap=False)
        head.addWidget(self.reasons_title, 1)
        self.page_reasons = ReasonPicker(theme, columns=3)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.addLayout(head)
        layout.addWidget(self.page_reasons, 1)
        return page

    def _reason_minutes(self, reason: PauseReason) -> int | None:
        return self._host.config.ui.reason_minutes.get(reason)

    def _closing_time(self) -> str | None:
        """The closing time of the store(s) being paused (one shared by all of them)."""
        return self._state.closing_time(
            self._state.flow_targets or self._state.pause_targets(self._clock.now())
        )

    # -- the two-tap pause -----------------------------------------------------------------

    @Slot(object)
    def on_reason_picker_reason_chosen(self, reason: PauseReason) -> None:
        if self._host.current_page() is Page.HOME:  # "Change pause" already chose who
            self._state.flow_targets = self._state.pause_targets(self._clock.now())
        self.resume_picker.start(reason, self._state.flow_label())
        self._host.show_page(Page.RESUME)

    @Slot()
    def on_change_button_clicked(self) -> None:
        """Straight to the new end time: the reason stays (one tap to change a pause)."""
        store_id = self._state.store_id
        self._state.flow_targets = (store_id,) if store_id else ()
        current = self._state.current_pause(store_id) if store_id else None
        if current is None or current.reason is None:
            self.on_resume_picker_reason_requested()
            return
        self.resume_picker.start(current.reason, self._state.flow_label(), change=True)
        self._host.show_page(Page.RESUME)

    @Slot()
    def on_resume_picker_reason_requested(self) -> None:
        self.reasons_title.setText(self._state.pause_question(self._clock.now()))
        self._host.show_page(Page.REASONS)

    @Slot(object)
    def on_resume_picker_custom_requested(self, reason: PauseReason) -> None:
        self.custom_picker.start(reason, self._state.flow_label())
        self._host.show_page(Page.CUSTOM)

    @Slot(object, object)
    def on_picker_pause_chosen(self, reason: PauseReason, resume_at: datetime | None) -> None:
        update = StoreStatusUpdate.pause(reason, resume_at)
        changes = self._state.flow_changes(update, self._clock.now())
        if changes:
            self._session.tap(changes)
        self._host.go_home()  # renders: the tap shows as "not confirmed yet" in this frame

    # -- one-tap actions -------------------------------------------------------------------

    @Slot()
    def on_resume_button_clicked(self) -> None:
        self.resume(self._state.store_id)

    @Slot()
    def on_resume_all_button_clicked(self) -> None:
        targets = self._state.resume_targets(self._clock.now())
        self._tap([(sid, StoreStatusUpdate.resume()) for sid in targets])

    @Slot()
    def on_extend_button_clicked(self) -> None:
        if self._state.store_id is not None:
            self.extend(self._state.store_id)

    def extend(self, store_id: str) -> None:
        """ "+15 min": a second tap within the guard time is the same tap (counts once)."""
        if not self.guard.once(f"extend:{store_id}"):
            return
        now = self._clock.now()
        local = self._state.local_taps.get(store_id)
        if local is not None:  # the tap on its way is what "+15 min" lengthens
            update = extend_update(local.update, now)
        else:
            update = extension(self._state.views.get(store_id), now)
        if update is not None and update.reason is not None:
            self.pause(update.reason, update.resume_at, store_id)
            self._state.extended(store_id, update, now)
            self._host.redraw()

    @Slot()
    def on_undo_button_clicked(self) -> None:
        self._tap(self._state.take_undo(self._clock.now()))

    def pause(self, reason: PauseReason, resume_at: datetime | None, store_id: str | None) -> None:
        if store_id is not None:
            self._tap([(store_id, StoreStatusUpdate.pause(reason, resume_at))])

    def resume(self, store_id: str | None) -> None:
        if store_id is not None:
            self._tap([(store_id, StoreStatusUpdate.resume())])

    def resolve_conflict(self, *, apply_mine: bool) -> None:
        """Changed elsewhere: keep Gett's state, or apply this kiosk's change."""
        if self._state.store_id is not None and self._session.host is not None:
            self._session.resolve_conflict(self._state.store_id, apply_mine)
            self._host.redraw()

    def _tap(self, changes: list[tuple[str, StoreStatusUpdate]]) -> None:
        """Shown as "not confirmed yet" in this frame, before anything is saved or sent."""
        if changes:
            self._session.tap(changes)
            self._host.redraw()
