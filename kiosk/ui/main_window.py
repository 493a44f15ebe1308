"""The kiosk window: the big status, the two-tap pause, and the manager's way in.

It owns no network or disk work: taps go to the sync worker as signals, keyring and config
writes go to a thread pool, and everything shown is computed by :mod:`kiosk.ui.view_model` from
what the worker reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QMetaObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.clock import Clock, SystemClock
from kiosk.core.config import Config, save_config
from kiosk.core.keystore import KeyStore
from kiosk.core.models import PauseReason, StoreState, StoreStatusUpdate
from kiosk.core.pin import PinGuard, hash_pin
from kiosk.core.sync import Attention, AttentionKind, Connectivity, StoreView
from kiosk.ui.banners import AttentionBanner, ConnectionLine, OfflineBanner
from kiosk.ui.heads_up import HeadsUp
from kiosk.ui.pin_pad import PinPad
from kiosk.ui.reason_picker import ReasonPicker
from kiosk.ui.reminder import ForgottenPauseReminder
from kiosk.ui.resume_picker import CustomTimePicker, ResumePicker
from kiosk.ui.settings_dialog import CheckResult, SettingsPage, check_connection
from kiosk.ui.setup_screen import SetupPage
from kiosk.ui.status_panel import StatusPanel
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.theme import Theme
from kiosk.ui.view_model import (
    EXTEND_MINUTES,
    Indicator,
    LocalTime,
    Snapshot,
    StateKind,
    describe,
    describe_connection,
    extension,
    forgotten_pause_since,
    format_duration,
    heads_up_key,
    reason_text,
)
from kiosk.ui.widgets import big_button, label
from kiosk.ui.worker import STOP_TIMEOUT_MS, SyncWorker, WorkerHost

log = logging.getLogger(__name__)

WorkerFactory = Callable[[Config], SyncWorker]
Tester = Callable[[KeyStore, str, str | None, str], CheckResult]

#: How long "Keep paused" silences the forgotten-pause reminder.
REMIND_AGAIN_MINUTES = 10
#: Attention kinds shown as a banner (the others are part of the big indicator).
BANNER_KINDS = frozenset(
    {
        AttentionKind.PAUSE_EXPIRED,
        AttentionKind.REQUEST_REJECTED,
        AttentionKind.QUEUE_ERROR,
        AttentionKind.QUEUE_RECOVERED,
    }
)


class Page(StrEnum):
    HOME = "home"
    REASONS = "reasons"
    RESUME = "resume"
    CUSTOM = "custom"
    PIN = "pin"
    SETTINGS = "settings"
    SETUP = "setup"


class PinPurpose(StrEnum):
    SETTINGS = "settings"  # verify, then Settings
    EXIT = "exit"  # verify, then close the app
    CHANGE = "change"  # set a new PIN from Settings
    SETUP = "setup"  # set the first PIN at first run


class MainWindow(QMainWindow):
    """The whole app on one window; pages in a stack, prompts as overlays.

    Signals:
        first_painted(): the window was painted for the first time (``--smoke``).
        first_status(): the first status (or a needs-a-manager state) arrived from the worker.
        rendered(): the screen was updated from new worker data (tests wait on it).
    """

    first_painted = Signal()
    first_status = Signal()
    rendered = Signal()

    def __init__(
        self,
        config: Config,
        keystore: KeyStore,
        *,
        clock: Clock | None = None,
        theme: Theme | None = None,
        tasks: TaskRunner | None = None,
        local_time: LocalTime | None = None,
        worker_factory: WorkerFactory | None = None,
        save_path: Path | None = None,
        pin_guard: PinGuard | None = None,
        tester: Tester = check_connection,
        demo_controls: QWidget | None = None,
        tick_ms: int = 1000,
    ) -> None:
        super().__init__()
        self._config = config
        self._keystore = keystore
        self._clock = clock or SystemClock()
        self._theme = theme or Theme()
        self.tasks = tasks or TaskRunner(parent=self)
        self._lt = local_time or LocalTime()
        self._worker_factory: WorkerFactory = worker_factory or (
            lambda c: SyncWorker(c, self._keystore, clock=self._clock)
        )
        self._save_path = save_path
        self._guard = pin_guard or PinGuard(self._clock)
        self.host: WorkerHost | None = None
        self._retiring: list[WorkerHost] = []
        self._deferred_tap: Callable[[WorkerHost], None] | None = None
        self._views: dict[str, StoreView] = {}
        self._connectivity = Connectivity()
        self._local_tap: StoreStatusUpdate | None = None
        self._conflict_sent = False
        self._heads_up_shown: set[str] = set()
        self._reminder_key: str | None = None
        self._reminder_snoozed_until: datetime | None = None
        self._pin_purpose = PinPurpose.SETTINGS
        self._pending_setup: tuple[Config, str | None] | None = None
        self._allow_close = False
        self._painted = False
        self._had_status = False
        self._scale = 0.0
        self._indicator: Indicator | None = None
        self._preview = False

        self.setWindowTitle("Gett Store Kiosk")
        self.setAccessibleName("Gett Store Kiosk")
        self.setMinimumSize(640, 400)
        root = QWidget()
        root.setObjectName("Root")
        self.setCentralWidget(root)
        self.pages = QStackedWidget()
        self.pages.setObjectName("Pages")
        outer = QVBoxLayout(root)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        self._page_widgets: dict[Page, QWidget] = {}
        self._build_home(demo_controls)
        self.reasons_page = self._build_reasons_page()
        self.resume_picker = ResumePicker(self._theme, self._clock, self._lt, self._reason_minutes)
        self.custom_picker = CustomTimePicker(
            self._theme, self._clock, self._lt, self._reason_minutes
        )
        self.pin_pad = PinPad(self._theme, self._guard)
        self.settings_page = SettingsPage(self._theme, keystore, self.tasks, tester)
        self.setup_page = SetupPage(self._theme, keystore, self.tasks, tester)
        for page, widget in (
            (Page.REASONS, self.reasons_page),
            (Page.RESUME, self.resume_picker),
            (Page.CUSTOM, self.custom_picker),
            (Page.PIN, self.pin_pad),
            (Page.SETTINGS, self.settings_page),
            (Page.SETUP, self.setup_page),
        ):
            self._add_page(page, widget)

        self.heads_up = HeadsUp(self._theme, root)
        self.reminder = ForgottenPauseReminder(self._theme, root)
        self.store_name.setText(config.stores[0].name if config.stores else "")
        self._wire()
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(tick_ms)
        self.tick_timer.timeout.connect(self.on_tick_timer_timeout)
        self._apply_scale()
        self._render()

    # -- building --------------------------------------------------------------------------

    def _add_page(self, page: Page, widget: QWidget) -> None:
        widget.setAccessibleName(f"{page.value} page")
        self._page_widgets[page] = widget
        self.pages.addWidget(widget)

    def _build_home(self, demo_controls: QWidget | None) -> None:
        home = QWidget()
        home.setProperty("page", True)
        top = QWidget()
        top.setObjectName("TopBar")
        top.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.store_name = label("", "StoreName", wrap=False, name="Store name")
        self.connection_line = ConnectionLine()
        self.manager_button = big_button(
            "Manager", "Manager", role="quiet", theme=self._theme, icon="lock", icon_px=26
        )
        self.manager_button.setMaximumWidth(200)
        bar = QHBoxLayout(top)
        bar.setContentsMargins(12, 4, 8, 4)
        bar.setSpacing(12)
        bar.addWidget(self.store_name)
        bar.addWidget(self.connection_line, 1)
        if demo_controls is not None:
            bar.addWidget(demo_controls)
        bar.addWidget(self.manager_button)
        self._top_bar = bar

        self.offline_banner = OfflineBanner(self._theme)
        self.attention_banner = AttentionBanner(self._theme)
        self.status_panel = StatusPanel(self._theme)

        actions = QWidget()
        actions.setAccessibleName("Actions")
        self.pause_prompt = label("Pause the store. Why?", "Subtitle", wrap=False)
        self.home_reasons = ReasonPicker(self._theme, columns=5)
        self.resume_button = big_button(
            "RESUME NOW",
            "Resume now",
            role="primary",
            theme=self._theme,
            icon="play",
            icon_colour="#FFFFFF",
        )
        self.extend_button = big_button(
            f"+{EXTEND_MINUTES} min",
            f"Extend pause by {EXTEND_MINUTES} minutes",
            role="pause",
            theme=self._theme,
            icon="plus",
        )
        self.change_button = big_button(
            "Change\npause", "Change pause", role="quiet", theme=self._theme, icon="clock"
        )
        self.keep_theirs_button = big_button("", "Keep Gett's state")
        self.apply_mine_button = big_button("", "Apply my change", role="pause")
        self.settings_button = big_button(
            "Open settings",
            "Open settings",
            role="danger",
            theme=self._theme,
            icon="key",
            icon_colour="#FFFFFF",
        )
        for button in (
            self.resume_button,
            self.extend_button,
            self.change_button,
            self.keep_theirs_button,
            self.apply_mine_button,
            self.settings_button,
        ):
            button.setMinimumHeight(84)
        self.resume_button.setMinimumHeight(96)
        row = QHBoxLayout()
        row.setSpacing(10)
        row.addWidget(self.resume_button, 3)
        row.addWidget(self.extend_button, 1)
        row.addWidget(self.change_button, 1)
        row.addWidget(self.keep_theirs_button, 1)
        row.addWidget(self.apply_mine_button, 1)
        row.addWidget(self.settings_button, 1)
        action_layout = QVBoxLayout(actions)
        action_layout.setContentsMargins(0, 0, 0, 0)
        action_layout.setSpacing(6)
        action_layout.addWidget(self.pause_prompt)
        action_layout.addWidget(self.home_reasons)
        action_layout.addLayout(row)

        body = QVBoxLayout()
        body.setContentsMargins(12, 10, 12, 12)
        body.setSpacing(10)
        body.addWidget(self.offline_banner)
        body.addWidget(self.attention_banner)
        body.addWidget(self.status_panel, 1)
        body.addWidget(actions)
        layout = QVBoxLayout(home)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(top)
        layout.addLayout(body, 1)
        self._add_page(Page.HOME, home)

    def add_top_bar_widget(self, widget: QWidget) -> None:
        """Extra controls beside the Manager button (the demo's trainer controls)."""
        self._top_bar.insertWidget(self._top_bar.count() - 1, widget)

    def _build_reasons_page(self) -> QWidget:
        page = QWidget()
        page.setProperty("page", True)
        back = big_button("Back", "Back from reasons", role="quiet", theme=self._theme, icon="back")
        back.setMaximumWidth(220)
        back.clicked.connect(self.go_home)
        head = QHBoxLayout()
        head.addWidget(back)
        head.addWidget(label("Pause the store. Why?", "Title", wrap=False), 1)
        self.page_reasons = ReasonPicker(self._theme, columns=3)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.addLayout(head)
        layout.addWidget(self.page_reasons, 1)
        return page

    def _wire(self) -> None:
        self.home_reasons.reason_chosen.connect(self.on_reason_picker_reason_chosen)
        self.page_reasons.reason_chosen.connect(self.on_reason_picker_reason_chosen)
        self.resume_picker.pause_chosen.connect(self.on_picker_pause_chosen)
        self.resume_picker.custom_requested.connect(self.on_resume_picker_custom_requested)
        self.resume_picker.back_requested.connect(self.go_home)
        self.custom_picker.pause_chosen.connect(self.on_picker_pause_chosen)
        self.custom_picker.back_requested.connect(lambda: self.show_page(Page.RESUME))
        self.resume_button.clicked.connect(self.on_resume_button_clicked)
        self.extend_button.clicked.connect(self.on_extend_button_clicked)
        self.change_button.clicked.connect(lambda: self.show_page(Page.REASONS))
        self.keep_theirs_button.clicked.connect(lambda: self._resolve_conflict(False))
        self.apply_mine_button.clicked.connect(lambda: self._resolve_conflict(True))
        self.settings_button.clicked.connect(self.on_manager_button_clicked)
        self.manager_button.clicked.connect(self.on_manager_button_clicked)
        self.attention_banner.settings_requested.connect(self.on_manager_button_clicked)
        self.connection_line.refresh_requested.connect(self.on_connection_line_refresh_requested)
        self.heads_up.keep_paused_requested.connect(self.on_heads_up_keep_paused_requested)
        self.heads_up.resume_now_requested.connect(self.on_resume_button_clicked)
        self.reminder.resume_now_requested.connect(self.on_resume_button_clicked)
        self.reminder.keep_paused.connect(self.on_reminder_keep_paused)
        self.pin_pad.accepted.connect(self.on_pin_pad_accepted)
        self.pin_pad.cancelled.connect(self.on_pin_pad_cancelled)
        self.settings_page.save_requested.connect(self.on_settings_page_save_requested)
        self.settings_page.cancelled.connect(self.go_home)
        self.settings_page.change_pin_requested.connect(self.on_settings_page_change_pin_requested)
        self.settings_page.quit_requested.connect(self.on_settings_page_quit_requested)
        self.setup_page.completed.connect(self.on_setup_page_completed)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def config(self) -> Config:
        return self._config

    @property
    def store_id(self) -> str | None:
        return self._config.stores[0].id if self._config.stores else None

    def start(self) -> None:
        """Start the worker (or show first-run setup) and the one-second clock."""
        self.tick_timer.start()
        if not self._config.stores:
            self.setup_page.load(self._config)
            self.show_page(Page.SETUP)
            return
        self._start_worker()
        self.show_page(Page.HOME)

    def shutdown(self) -> bool:
        """Stop timers, the worker thread and background tasks (at exit).

        Returns False if a thread would not stop in time: the caller must then end the process
        without destroying it (everything that matters is already on disk).
        """
        self.tick_timer.stop()
        clean = True
        host, self.host = self.host, None
        if host is not None:
            self._disconnect(host)
            if not host.stop():
                log.error("the sync worker did not stop in time")
                clean = False
        for old in self._retiring:
            old.worker.request_stop()
            clean = bool(old.sync_thread.wait(STOP_TIMEOUT_MS)) and clean
        self._retiring.clear()
        return self.tasks.wait() and clean

    def _start_worker(self) -> None:
        self.store_name.setText(self._config.stores[0].name if self._config.stores else "")
        worker = self._worker_factory(self._config)
        host = WorkerHost(worker, self)
        worker.store_view_changed.connect(self.on_worker_store_view_changed)
        worker.connectivity_changed.connect(self.on_worker_connectivity_changed)
        worker.attention_raised.connect(self.on_worker_attention_raised)
        worker.request_failed.connect(self.on_worker_request_failed)
        self.host = host
        host.start()
        deferred, self._deferred_tap = self._deferred_tap, None
        if deferred is not None:
            deferred(host)  # queued behind the worker's start-up

    def _disconnect(self, host: WorkerHost) -> None:
        worker = host.worker
        for signal, slot in (
            (worker.store_view_changed, self.on_worker_store_view_changed),
            (worker.connectivity_changed, self.on_worker_connectivity_changed),
            (worker.attention_raised, self.on_worker_attention_raised),
            (worker.request_failed, self.on_worker_request_failed),
        ):
            signal.disconnect(slot)

    def _restart_worker(self) -> None:
        """A new store, URL or poll interval: stop the worker without waiting, then start anew."""
        old, self.host = self.host, None
        self._views.clear()
        self._connectivity = Connectivity()
        self._local_tap = None
        self._had_status = False
        if old is None or not old.sync_thread.isRunning():
            self._start_worker()
            return
        self._disconnect(old)
        self._retiring.append(old)
        old.worker.request_stop()  # no new requests; the one in flight finishes
        old.sync_thread.finished.connect(self.on_retiring_thread_finished)
        QMetaObject.invokeMethod(old.worker, "stop_work", Qt.ConnectionType.QueuedConnection)

    @Slot()
    def on_retiring_thread_finished(self) -> None:
        for old in [h for h in self._retiring if h.sync_thread.isFinished()]:
            self._retiring.remove(old)
            old.deleteLater()
        if self.host is None and self._config.stores:
            self._start_worker()
            self._render()

    def closeEvent(self, event: QCloseEvent) -> None:
        """In kiosk mode, closing (Alt+F4) needs the manager PIN."""
        if self._config.ui.fullscreen and not self._allow_close and self._config.ui.pin_hash:
            event.ignore()
            self._ask_pin(PinPurpose.EXIT)
            return
        self.shutdown()
        event.accept()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_scale()

    def _apply_scale(self) -> None:
        width, height = max(1, self.width()), max(1, self.height())
        scale = round(max(0.8, min(1.5, min(width / 1280, height / 800))), 1)
        portrait = height > width
        self.resume_picker.set_columns(2 if portrait or width < 900 else 4)
        self.page_reasons.set_columns(2 if portrait else 3)
        self.home_reasons.set_columns(3 if portrait or width < 760 else 5)
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(self._theme.stylesheet(scale))
        layout = self.layout()
        if layout is not None:
            layout.activate()

    def apply_window_mode(self) -> None:
        """Full screen (kiosk) or windowed, as configured."""
        if self._config.ui.fullscreen:
            self.showFullScreen()
        elif self.isFullScreen():
            self.showNormal()

    # -- pages -----------------------------------------------------------------------------

    def current_page(self) -> Page:
        widget = self.pages.currentWidget()
        for page, candidate in self._page_widgets.items():
            if candidate is widget:
                return page
        return Page.HOME

    def show_page(self, page: Page) -> None:
        self.pages.setCurrentWidget(self._page_widgets[page])
        if page is not Page.HOME:
            self.heads_up.hide()
            self.reminder.hide()

    @Slot()
    def go_home(self) -> None:
        self.show_page(Page.HOME)
        self._render()

    def _reason_minutes(self, reason: PauseReason) -> int | None:
        return self._config.ui.reason_minutes.get(reason)

    # -- taps ------------------------------------------------------------------------------

    @Slot(object)
    def on_reason_picker_reason_chosen(self, reason: PauseReason) -> None:
        self.resume_picker.start(reason)
        self.show_page(Page.RESUME)

    @Slot(object)
    def on_resume_picker_custom_requested(self, reason: PauseReason) -> None:
        self.custom_picker.start(reason)
        self.show_page(Page.CUSTOM)

    @Slot(object, object)
    def on_picker_pause_chosen(self, reason: PauseReason, resume_at: datetime | None) -> None:
        self.request_pause(reason, resume_at)
        self.go_home()

    @Slot()
    def on_resume_button_clicked(self) -> None:
        self.request_resume()

    @Slot()
    def on_extend_button_clicked(self) -> None:
        update = extension(self._view(), self._clock.now())
        if update is not None and update.reason is not None:
            self.request_pause(update.reason, update.resume_at)

    @Slot()
    def on_heads_up_keep_paused_requested(self) -> None:
        self.on_extend_button_clicked()

    @Slot()
    def on_reminder_keep_paused(self) -> None:
        now = self._clock.now()
        self._reminder_snoozed_until = now + timedelta(minutes=REMIND_AGAIN_MINUTES)

    def poke(self) -> None:
        """The network may be back: ask the worker to retry now (a hint, not a judgement)."""
        if self.host is not None:
            self.host.network_hint.emit()

    @Slot()
    def on_connection_line_refresh_requested(self) -> None:
        if self.host is not None:
            self.host.refresh_requested.emit()

    def request_pause(self, reason: PauseReason, resume_at: datetime | None) -> None:
        store_id = self.store_id
        if store_id is None:
            return
        update = StoreStatusUpdate.pause(reason, resume_at)
        self._local_tap = update  # shown as "Pausing… not confirmed yet" in the next frame
        self._render()
        self._send(lambda host: host.pause_requested.emit(store_id, reason, resume_at))

    def request_resume(self) -> None:
        store_id = self.store_id
        if store_id is None:
            return
        self._local_tap = StoreStatusUpdate.resume()
        self.heads_up.hide()
        self.reminder.hide()
        self._render()
        self._send(lambda host: host.resume_requested.emit(store_id))

    def _send(self, emit: Callable[[WorkerHost], None]) -> None:
        """Hand a tap to the worker; while it restarts (new settings), keep the latest tap and
        hand it over the moment the new worker is up: a tap is never dropped."""
        if self.host is None:
            self._deferred_tap = emit
            return
        emit(self.host)

    def _resolve_conflict(self, apply_mine: bool) -> None:
        store_id = self.store_id
        if store_id is None or self.host is None:
            return
        self._conflict_sent = True
        self.keep_theirs_button.setEnabled(False)
        self.apply_mine_button.setEnabled(False)
        self.host.conflict_resolved.emit(store_id, apply_mine)

    # -- the worker's reports --------------------------------------------------------------

    def _view(self) -> StoreView | None:
        sid = self.store_id
        return self._views.get(sid) if sid else None

    @Slot(object)
    def on_worker_store_view_changed(self, view: StoreView) -> None:
        self._views[view.store.id] = view
        if view.store.id == self.store_id:
            tap = self._local_tap
            if tap is not None and (
                (view.pending is not None and view.pending.update == tap)
                or (
                    view.pending is None
                    and view.confirmed is not None
                    and tap.matches(view.confirmed)
                )
            ):
                self._local_tap = None
            self._conflict_sent = False
            if not self._had_status and (view.confirmed is not None or view.attention is not None):
                self._had_status = True
                self.first_status.emit()
        self._render()
        self.rendered.emit()

    @Slot(object)
    def on_worker_connectivity_changed(self, connectivity: Connectivity) -> None:
        self._connectivity = connectivity
        self._render()
        self.rendered.emit()

    @Slot(object)
    def on_worker_attention_raised(self, attention: Attention) -> None:
        if attention.kind in BANNER_KINDS or (
            attention.kind is AttentionKind.KEY_MISSING
            and attention.store_id is None
            and not attention.message.startswith("No API key is stored")
        ):
            self.attention_banner.show_attention(attention)

    @Slot(str, str)
    def on_worker_request_failed(self, store_id: str, message: str) -> None:
        self._local_tap = None
        self.attention_banner.show_message("Your change was NOT saved", message)
        self._render()

    def show_preview(self, view: StoreView | None, connectivity: Connectivity) -> None:
        """Show a made-up state without a worker (the screenshot gallery uses it)."""
        self._preview = True
        self._views = {view.store.id: view} if view is not None else {}
        self._connectivity = connectivity
        if view is not None and view.store not in self._config.stores:
            self._config = replace(self._config, stores=(view.store,))
            self.store_name.setText(view.store.name)
        self._render()

    # -- rendering -------------------------------------------------------------------------

    def indicator(self) -> Indicator:
        return describe(
            Snapshot(
                self._view(),
                self._connectivity,
                self._clock.now(),
                self._config.poll_interval_seconds,
                self._local_tap,
                self._lt,
            )
        )

    def _render(self) -> None:
        indicator = self.indicator()
        self._indicator = indicator
        self.status_panel.set_indicator(indicator)
        self._update_actions(indicator)
        info = describe_connection(
            self._connectivity, list(self._views.values()), self._clock.now(), self._lt
        )
        self.connection_line.set_info(info)
        self.offline_banner.set_info(info)

    def _update_actions(self, ind: Indicator) -> None:
        conflict = ind.conflict_choice is not None
        # A key or store problem: taps would only be held, so the way out is the only action.
        blocked = conflict or ind.manager_action
        ready = self.host is not None or self._preview
        show_pause = not blocked and ind.target in (StoreState.ONLINE, None)
        show_resume = not blocked and ind.target in (StoreState.PAUSED, None)
        self.pause_prompt.setVisible(show_pause)
        self.home_reasons.setVisible(show_pause)
        self.resume_button.setVisible(show_resume)
        self.extend_button.setVisible(show_resume and ind.can_extend)
        self.change_button.setVisible(show_resume and ind.target is StoreState.PAUSED)
        self.keep_theirs_button.setVisible(conflict)
        self.apply_mine_button.setVisible(conflict)
        if ind.conflict_choice is not None:
            self.keep_theirs_button.setText(ind.conflict_choice[0])
            self.apply_mine_button.setText(ind.conflict_choice[1])
            self.keep_theirs_button.setEnabled(not self._conflict_sent)
            self.apply_mine_button.setEnabled(not self._conflict_sent)
        self.settings_button.setVisible(ind.manager_action)
        for button in (self.resume_button, self.extend_button, *self.home_reasons.buttons.values()):
            button.setEnabled(ready)

    @Slot()
    def on_tick_timer_timeout(self) -> None:
        """Once a second: countdowns, staleness, the heads-up, the reminder, the PIN lockout."""
        self._render()
        page = self.current_page()
        if page is Page.PIN:
            self.pin_pad.refresh()
        elif page is Page.RESUME:
            self.resume_picker.refresh()
        elif page is Page.CUSTOM:
            self.custom_picker.refresh()
        self._check_prompts(page)

    def _check_prompts(self, page: Page) -> None:
        now = self._clock.now()
        view = self._view()
        stale = self._indicator is not None and self._indicator.kind is StateKind.UNKNOWN
        key = None if stale or self._local_tap else heads_up_key(view, now)
        if key is None:
            self.heads_up.hide()
        elif (
            key not in self._heads_up_shown and page is Page.HOME and not self.reminder.isVisible()
        ):
            assert view is not None and view.confirmed is not None
            resume_at = view.confirmed.resume_at
            assert resume_at is not None
            self._heads_up_shown.add(key)
            self.heads_up.set_text(
                f"Gett puts the store back online at {self._lt.clock(resume_at)} "
                f"(in {format_duration((resume_at - now).total_seconds())}).\n"
                f"Paused for: {reason_text(view.confirmed.reason)}."
            )
            self.heads_up.popup()
        since = (
            None
            if stale or self._local_tap
            else forgotten_pause_since(view, now, self._config.ui.forgotten_pause_minutes)
        )
        if since is None:
            self.reminder.hide()
            return
        key = since.isoformat()
        if key != self._reminder_key:
            self._reminder_key, self._reminder_snoozed_until = key, None
        snoozed = self._reminder_snoozed_until is not None and now < self._reminder_snoozed_until
        if (
            snoozed
            or self.reminder.isVisible()
            or self.heads_up.isVisible()
            or page is not Page.HOME
        ):
            return
        assert view is not None and view.confirmed is not None
        self.reminder.set_text(
            f"Paused since {self._lt.clock_on(since, now)} "
            f"({format_duration((now - since).total_seconds())}) with no end time. "
            f"Reason: {reason_text(view.confirmed.reason)}.\nCustomers cannot order."
        )
        self.reminder.popup()

    # -- the manager's way in --------------------------------------------------------------

    @Slot()
    def on_manager_button_clicked(self) -> None:
        if self._config.ui.pin_hash:
            self._ask_pin(PinPurpose.SETTINGS)
        else:
            self._pin_purpose = PinPurpose.CHANGE
            self.pin_pad.start_set("Choose a manager PIN first")
            self.show_page(Page.PIN)

    def _ask_pin(self, purpose: PinPurpose) -> None:
        assert self._config.ui.pin_hash is not None
        self._pin_purpose = purpose
        title = "Manager PIN to close the kiosk" if purpose is PinPurpose.EXIT else "Manager PIN"
        self.pin_pad.start_verify(self._config.ui.pin_hash, title)
        self.show_page(Page.PIN)

    @Slot()
    def on_pin_pad_cancelled(self) -> None:
        if self._pin_purpose is PinPurpose.SETUP:
            self.show_page(Page.SETUP)
        elif self._pin_purpose is PinPurpose.CHANGE and self._config.ui.pin_hash:
            self.show_page(Page.SETTINGS)
        else:
            self.go_home()

    @Slot(str)
    def on_pin_pad_accepted(self, pin: str) -> None:
        purpose = self._pin_purpose
        if purpose is PinPurpose.EXIT:
            self._allow_close = True
            self.close()
            return
        if purpose is PinPurpose.SETTINGS:
            self._open_settings()
            return
        pin_hash = hash_pin(pin)
        if purpose is PinPurpose.SETUP:
            assert self._pending_setup is not None
            config, key = self._pending_setup
            self._pending_setup = None
            config = replace(config, ui=replace(config.ui, pin_hash=pin_hash))
            self._save(config, key, after=self.go_home)
            return
        config = replace(self._config, ui=replace(self._config.ui, pin_hash=pin_hash))
        self._save(config, None, after=self._open_settings)

    def _open_settings(self) -> None:
        view = self._view()
        attention = view.attention if view is not None else None
        missing = attention is not None and attention.kind is AttentionKind.KEY_MISSING
        self.settings_page.load(self._config, key_stored=not missing)
        self.show_page(Page.SETTINGS)

    @Slot()
    def on_settings_page_change_pin_requested(self) -> None:
        self._pin_purpose = PinPurpose.CHANGE
        self.pin_pad.start_set("Choose a new manager PIN")
        self.show_page(Page.PIN)

    @Slot()
    def on_settings_page_quit_requested(self) -> None:
        self._allow_close = True
        self.close()

    @Slot(object, object)
    def on_settings_page_save_requested(self, config: Config, key: str | None) -> None:
        self._save(config, key, after=self.go_home, on_error=self.settings_page.show_error)

    @Slot(object, object)
    def on_setup_page_completed(self, config: Config, key: str | None) -> None:
        self._pending_setup = (config, key)
        self._pin_purpose = PinPurpose.SETUP
        self.pin_pad.start_set()
        self.show_page(Page.PIN)

    def _save(
        self,
        config: Config,
        key: str | None,
        *,
        after: Callable[[], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Write the config file and the key off the UI thread, then apply the new config."""
        path, keystore = self._save_path, self._keystore

        def work() -> None:
            if key:
                keystore.set(key)
            if path is not None:
                save_config(config, path)

        def done(_: object, error: BaseException | None) -> None:
            if error is not None:
                message = f"Not saved: {error}"
                if on_error is not None:
                    on_error(message)
                else:
                    self.attention_banner.show_message("Settings were not saved", str(error))
                return
            self._apply_config(config, key_changed=bool(key))
            after()

        self.tasks.run(work, done)

    def _apply_config(self, config: Config, *, key_changed: bool) -> None:
        old, self._config = self._config, config
        self.store_name.setText(config.stores[0].name if config.stores else "")
        if config.ui.fullscreen != old.ui.fullscreen and self.isVisible():
            self.apply_window_mode()
        restart = (
            self.host is None
            or old.stores != config.stores
            or old.api_url != config.api_url
            or old.poll_interval_seconds != config.poll_interval_seconds
            or old.data_dir != config.data_dir
        )
        if restart and config.stores:
            self._restart_worker()
        elif key_changed and self.host is not None:
            self.host.key_changed.emit()
        self._render()
