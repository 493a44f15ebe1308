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

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QHBoxLayout,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.clock import Clock, SystemClock
from kiosk.core.config import Config, Store, save_config
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
from kiosk.ui.store_bar import ALL_STORES, StoreBar
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
    needs_choice,
    pause_all_targets,
    reason_text,
    resume_all_targets,
    summarise,
)
from kiosk.ui.widgets import big_button, label, restyle
from kiosk.ui.worker import SyncWorker, WorkerHost

log = logging.getLogger(__name__)

WorkerFactory = Callable[[Config], SyncWorker]
Tester = Callable[[KeyStore, str, str | None, str], CheckResult]

#: With several stores, a window lower than this gets lower reason buttons (room for the bar).
COMPACT_BELOW_HEIGHT = 600
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
        # The wrong-PIN count lives beside the queue, so a restart does not reset a lockout.
        self._guard = pin_guard or PinGuard(
            self._clock, state_path=config.data_dir / "pin-lockout.json"
        )
        self.host: WorkerHost | None = None
        self._retiring: list[WorkerHost] = []
        self._shutdown_result: bool | None = None
        # The latest tap per store, kept while the worker restarts (new settings).
        # Taps made while the worker restarts: each store's latest, handed over as one batch.
        self._deferred_taps: dict[str, StoreStatusUpdate] = {}
        self._views: dict[str, StoreView] = {}
        self._connectivity = Connectivity()
        # Tapped, not yet acknowledged by the worker: per store, so switching stores never
        # shows one store's tap on another.
        self._local_taps: dict[str, StoreStatusUpdate] = {}
        self._conflict_sent: set[str] = set()
        # The store (or ALL_STORES) the big panel and the actions are about.
        self._selected = config.stores[0].id if config.stores else ALL_STORES
        # Who the pause flow on the reason and duration pages is for (taken at the first tap).
        self._flow_targets: tuple[str, ...] = ()
        # Attentions about a store that the banner announced, marked on its bar button.
        self._store_alerts: dict[str, str] = {}
        self._banner_store: str | None = None
        self._heads_up_shown: set[tuple[str, str]] = set()
        self._heads_up_store: str | None = None
        self._heads_up_key: str | None = None
        self._reminder_store: str | None = None
        self._reminder_keys: dict[str, str] = {}
        self._reminder_snoozed_until: dict[str, datetime] = {}
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
        self._show_stores()
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

        self.store_bar = StoreBar(self._theme)
        self.store_bar.hide()
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
        self.resume_all_button = big_button(
            "RESUME ALL",
            "Resume all stores",
            role="primary",
            theme=self._theme,
            icon="play",
            icon_colour="#FFFFFF",
        )
        self.resume_all_button.hide()
        self.resume_button.setMinimumHeight(96)
        self.resume_all_button.setMinimumHeight(96)
        row = QHBoxLayout()
        row.setSpacing(10)
        row.addWidget(self.resume_button, 3)
        row.addWidget(self.resume_all_button, 3)
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
        layout.addWidget(self.store_bar)
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
        self.reasons_title = label("Pause the store. Why?", "Title", wrap=False)
        head.addWidget(self.reasons_title, 1)
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
        self.resume_all_button.clicked.connect(self.on_resume_all_button_clicked)
        self.extend_button.clicked.connect(self.on_extend_button_clicked)
        self.change_button.clicked.connect(self.on_change_button_clicked)
        self.store_bar.store_selected.connect(self.on_store_bar_store_selected)
        self.keep_theirs_button.clicked.connect(lambda: self._resolve_conflict(False))
        self.apply_mine_button.clicked.connect(lambda: self._resolve_conflict(True))
        self.settings_button.clicked.connect(self.on_manager_button_clicked)
        self.manager_button.clicked.connect(self.on_manager_button_clicked)
        self.attention_banner.settings_requested.connect(self.on_manager_button_clicked)
        self.attention_banner.dismissed.connect(self.on_attention_banner_dismissed)
        self.connection_line.refresh_requested.connect(self.on_connection_line_refresh_requested)
        self.heads_up.keep_paused_requested.connect(self.on_heads_up_keep_paused_requested)
        self.heads_up.resume_now_requested.connect(self.on_heads_up_resume_now_requested)
        self.reminder.resume_now_requested.connect(self.on_reminder_resume_now_requested)
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
        """The store the big panel shows (None: "All stores", or no store configured)."""
        return None if self._selected == ALL_STORES else self._selected

    @property
    def multi_store(self) -> bool:
        return len(self._config.stores) > 1

    def _store(self, store_id: str) -> Store | None:
        return next((s for s in self._config.stores if s.id == store_id), None)

    def _store_name(self, store_id: str) -> str:
        store = self._store(store_id)
        return store.name if store is not None else "this store"

    def select_store(self, store_id: str) -> None:
        """Show ``store_id`` (or ``ALL_STORES``) on the big panel; every action follows."""
        if store_id != ALL_STORES and self._store(store_id) is None:
            return
        self._selected = store_id
        self._store_alerts.pop(store_id, None)
        self._show_stores()
        self._render()

    def _show_stores(self) -> None:
        """The top bar's name and the store bar (only with several stores), as configured."""
        stores = self._config.stores
        if self._selected != ALL_STORES and self._store(self._selected) is None:
            self._selected = stores[0].id if stores else ALL_STORES
        if self._selected == ALL_STORES and len(stores) == 1:
            self._selected = stores[0].id
        if len(stores) > 1:
            self.store_bar.set_stores(stores)
            self.store_bar.set_selected(self._selected)
            self.store_bar.show()
            name = (
                "All stores" if self._selected == ALL_STORES else self._store_name(self._selected)
            )
        else:
            self.store_bar.hide()
            name = stores[0].name if stores else ""
        self.store_name.setText(name)
        self._apply_compact()

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
        if self._shutdown_result is not None:
            return self._shutdown_result  # asked twice (close, then exit): same answer
        self.tick_timer.stop()
        clean = True
        host, self.host = self.host, None
        if host is not None:
            self._disconnect(host)
            if not host.stop():
                log.error("the sync worker did not stop in time")
                clean = False
        for old in self._retiring:
            clean = old.stop() and clean
        self._retiring.clear()
        self._shutdown_result = self.tasks.wait() and clean
        return self._shutdown_result

    def _start_worker(self) -> None:
        self._show_stores()
        worker = self._worker_factory(self._config)
        host = WorkerHost(worker, self)
        worker.store_view_changed.connect(self.on_worker_store_view_changed)
        worker.connectivity_changed.connect(self.on_worker_connectivity_changed)
        worker.attention_raised.connect(self.on_worker_attention_raised)
        # Straight from the writer, and kept while a replaced worker retires: a tap handed to
        # it just before a restart still reports its failure.
        host.tap_writer.failed.connect(self.on_tap_writer_failed)
        self.host = host
        host.start()
        deferred, self._deferred_taps = self._deferred_taps, {}
        if deferred:
            host.send_changes(list(deferred.items()))  # saved before its first poll

    def _disconnect(self, host: WorkerHost) -> None:
        worker = host.worker
        for signal, slot in (
            (worker.store_view_changed, self.on_worker_store_view_changed),
            (worker.connectivity_changed, self.on_worker_connectivity_changed),
            (worker.attention_raised, self.on_worker_attention_raised),
        ):
            signal.disconnect(slot)

    def _restart_worker(self) -> None:
        """A new store, URL or poll interval: stop the worker without waiting, then start anew."""
        old, self.host = self.host, None
        self._views.clear()
        self._connectivity = Connectivity()
        # Local taps stay: ones handed to the old worker are saved by its writer and show as
        # waiting until the new worker reports them.
        self._had_status = False
        if old is None or not old.sync_thread.isRunning():
            self._start_worker()
            return
        self._disconnect(old)
        self._retiring.append(old)
        old.sync_thread.finished.connect(self.on_retiring_thread_finished)
        old.tap_thread.finished.connect(self.on_retiring_thread_finished)
        old.stop_soon()  # the request in flight finishes, taps already sent are saved

    @Slot()
    def on_retiring_thread_finished(self) -> None:
        for old in [h for h in self._retiring if h.is_stopped()]:
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
        self.store_bar.set_scale(scale, height)
        self._apply_compact()
        layout = self.layout()
        if layout is not None:
            layout.activate()

    def _apply_compact(self) -> None:
        """A short screen with the store bar: lower reason buttons (still >= 64 px), so the
        big panel keeps room. One store: the screen stays exactly as it always was."""
        compact = self.multi_store and self.height() < COMPACT_BELOW_HEIGHT
        if self.status_panel.allow_tight != self.multi_store:
            self.status_panel.allow_tight = self.multi_store
            self.status_panel.update_fit()
        for button in self.home_reasons.buttons.values():
            if bool(button.property("compact")) != compact:
                button.setProperty("compact", compact)
                restyle(button)

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

    @Slot(str)
    def on_store_bar_store_selected(self, store_id: str) -> None:
        self.select_store(store_id)

    @Slot(object)
    def on_reason_picker_reason_chosen(self, reason: PauseReason) -> None:
        if self.current_page() is Page.HOME:  # "Change pause" already chose who
            self._flow_targets = self._pause_targets()
        self.resume_picker.start(reason, self._flow_label())
        self.show_page(Page.RESUME)

    @Slot()
    def on_change_button_clicked(self) -> None:
        self._flow_targets = (self.store_id,) if self.store_id else ()
        self.reasons_title.setText(self._pause_question())
        self.show_page(Page.REASONS)

    @Slot(object)
    def on_resume_picker_custom_requested(self, reason: PauseReason) -> None:
        self.custom_picker.start(reason, self._flow_label())
        self.show_page(Page.CUSTOM)

    @Slot(object, object)
    def on_picker_pause_chosen(self, reason: PauseReason, resume_at: datetime | None) -> None:
        if len(self._flow_targets) == 1:
            self.request_pause(reason, resume_at, self._flow_targets[0])
        else:
            # Pause all: the stores to pause are those still pausable *now* (one may have been
            # paused elsewhere, or fallen into a conflict, while the person chose how long).
            still = {s.id for s in pause_all_targets(self._indicators())}
            update = StoreStatusUpdate.pause(reason, resume_at)
            self._request_many([(sid, update) for sid in self._flow_targets if sid in still])
        self._flow_targets = ()
        self.go_home()

    def _request_many(self, changes: list[tuple[str, StoreStatusUpdate]]) -> None:
        """Every tap goes out here, as one batch (pause all: every store's tap is saved before
        any is sent). Feedback shows in the next frame; while the worker restarts (new
        settings), each store's latest tap is kept and handed to the new worker: never dropped.
        """
        if not changes:
            return
        for store_id, update in changes:
            self._local_taps[store_id] = update
            if update.status is StoreState.ONLINE:
                if self._heads_up_store == store_id:
                    self.heads_up.hide()
                if self._reminder_store == store_id:
                    self.reminder.hide()
        self._render()
        if self.host is None:  # restarting: each store's latest tap goes to the new worker
            for store_id, update in changes:
                self._deferred_taps.pop(store_id, None)
                self._deferred_taps[store_id] = update
            return
        self.host.send_changes(changes)

    @Slot()
    def on_resume_button_clicked(self) -> None:
        self.request_resume()

    @Slot()
    def on_resume_all_button_clicked(self) -> None:
        targets = [store.id for store in resume_all_targets(self._indicators())]
        self._request_many([(sid, StoreStatusUpdate.resume()) for sid in targets])

    @Slot()
    def on_extend_button_clicked(self) -> None:
        if self.store_id is not None:
            self._extend(self.store_id)

    def _extend(self, store_id: str) -> None:
        update = extension(self._views.get(store_id), self._clock.now())
        if update is not None and update.reason is not None:
            self.request_pause(update.reason, update.resume_at, store_id)

    @Slot()
    def on_heads_up_keep_paused_requested(self) -> None:
        if self._heads_up_store is not None:
            self._extend(self._heads_up_store)

    @Slot()
    def on_heads_up_resume_now_requested(self) -> None:
        if self._heads_up_store is not None:
            self.request_resume(self._heads_up_store)

    @Slot()
    def on_reminder_resume_now_requested(self) -> None:
        if self._reminder_store is not None:
            self.request_resume(self._reminder_store)

    @Slot()
    def on_reminder_keep_paused(self) -> None:
        if self._reminder_store is None:
            return
        now = self._clock.now()
        self._reminder_snoozed_until[self._reminder_store] = now + timedelta(
            minutes=REMIND_AGAIN_MINUTES
        )

    def poke(self) -> None:
        """The network may be back: ask the worker to retry now (a hint, not a judgement)."""
        if self.host is not None:
            self.host.network_hint.emit()

    @Slot()
    def on_connection_line_refresh_requested(self) -> None:
        if self.host is not None:
            self.host.refresh_requested.emit()

    def request_pause(
        self, reason: PauseReason, resume_at: datetime | None, store_id: str | None = None
    ) -> None:
        """Pause ``store_id`` (default: the store shown)."""
        store_id = store_id or self.store_id
        if store_id is None:
            return
        # Shown as "Pausing… not confirmed yet" in the next frame.
        self._request_many([(store_id, StoreStatusUpdate.pause(reason, resume_at))])

    def request_resume(self, store_id: str | None = None) -> None:
        """Resume ``store_id`` (default: the store shown)."""
        store_id = store_id or self.store_id
        if store_id is None:
            return
        self._request_many([(store_id, StoreStatusUpdate.resume())])

    def _resolve_conflict(self, apply_mine: bool) -> None:
        store_id = self.store_id
        if store_id is None or self.host is None:
            return
        self._conflict_sent.add(store_id)
        self.keep_theirs_button.setEnabled(False)
        self.apply_mine_button.setEnabled(False)
        self.host.conflict_resolved.emit(store_id, apply_mine)

    # -- who a pause is for ----------------------------------------------------------------

    def _pause_targets(self) -> tuple[str, ...]:
        if self.store_id is not None:
            return (self.store_id,)
        return tuple(s.id for s in pause_all_targets(self._indicators()))

    def _flow_label(self) -> str | None:
        """Who the pause pages name: None with one store (the screen stays as it always was)."""
        if not self.multi_store:
            return None
        targets = self._flow_targets
        if len(targets) == 1:
            return self._store_name(targets[0])
        if len(targets) == len(self._config.stores):
            return f"all {len(targets)} stores"
        return f"{len(targets)} stores"

    def _pause_question(self) -> str:
        if not self.multi_store:
            return "Pause the store. Why?"
        if self.store_id is not None:
            return f"Pause {self._store_name(self.store_id)}. Why?"
        targets = pause_all_targets(self._indicators())
        if len(targets) == len(self._config.stores):
            return f"Pause all {len(targets)} stores. Why?"
        if len(targets) == 1:
            return f"Pause {targets[0].name} too (not paused yet). Why?"
        return f"Pause the other {len(targets)} stores too (not paused yet). Why?"

    # -- the worker's reports --------------------------------------------------------------

    def _view(self) -> StoreView | None:
        sid = self.store_id
        return self._views.get(sid) if sid else None

    @Slot(object)
    def on_worker_store_view_changed(self, view: StoreView) -> None:
        sid = view.store.id
        self._views[sid] = view
        tap = self._local_taps.get(sid)
        if tap is not None and (
            (view.pending is not None and view.pending.update == tap)
            or (view.pending is None and view.confirmed is not None and tap.matches(view.confirmed))
        ):
            del self._local_taps[sid]
        self._conflict_sent.discard(sid)
        if (
            not self._had_status
            and (sid == self.store_id or self.store_id is None)
            and (view.confirmed is not None or view.attention is not None)
        ):
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
            store = self._store(attention.store_id) if attention.store_id else None
            if store is not None and self.multi_store:
                self.attention_banner.show_attention(attention, store.name)
                self._banner_store = store.id
                self._store_alerts[store.id] = self.attention_banner.title
                self._render()
            else:
                self.attention_banner.show_attention(attention)
                self._banner_store = None

    @Slot()
    def on_attention_banner_dismissed(self) -> None:
        if self._banner_store is not None:
            self._store_alerts.pop(self._banner_store, None)
            self._banner_store = None
            self._render()

    @Slot(object, str)
    def on_tap_writer_failed(self, store_ids: list[str], message: str) -> None:
        """A tap could NOT be saved: take back its feedback and say so loudly."""
        for store_id in store_ids:
            self._local_taps.pop(store_id, None)
            title = "Your change was NOT saved"
            if self.multi_store and self._store(store_id) is not None:
                title = f"{self._store_name(store_id)}: {title}"
            self.attention_banner.show_message(title, message)
        self._render()

    def show_preview(self, view: StoreView | None, connectivity: Connectivity) -> None:
        """Show a made-up state without a worker (the screenshot gallery uses it)."""
        self.show_preview_stores([view] if view is not None else [], connectivity)

    def show_preview_stores(
        self,
        views: list[StoreView],
        connectivity: Connectivity,
        selected: str | None = None,
        local_taps: dict[str, StoreStatusUpdate] | None = None,
    ) -> None:
        """Several made-up stores at once (the gallery); ``selected``: a store id or "all"."""
        self._preview = True
        self._views = {view.store.id: view for view in views}
        self._local_taps = dict(local_taps or {})
        self._connectivity = connectivity
        stores = tuple(view.store for view in views)
        if stores and stores != self._config.stores:
            self._config = replace(self._config, stores=stores)
        if selected is not None:
            self._selected = selected
        self._show_stores()
        self._render()

    # -- rendering -------------------------------------------------------------------------

    def store_indicator(self, store_id: str) -> Indicator:
        """What the panel (and the store's bar button) says about one store."""
        return describe(
            Snapshot(
                self._views.get(store_id),
                self._connectivity,
                self._clock.now(),
                self._config.poll_interval_seconds,
                self._local_taps.get(store_id),
                self._lt,
            )
        )

    def _indicators(self) -> list[tuple[Store, Indicator]]:
        return [(s, self.store_indicator(s.id)) for s in self._config.stores]

    def indicator(self) -> Indicator:
        """What the big panel says: the selected store, or the summary of all stores."""
        if self.store_id is not None:
            return self.store_indicator(self.store_id)
        if not self._config.stores:
            return describe(Snapshot(None, self._connectivity, self._clock.now()))
        return summarise(self._indicators())

    def _render(self) -> None:
        indicators = self._indicators()
        if self.store_id is not None:
            indicator = self.store_indicator(self.store_id)
        elif indicators:
            indicator = summarise(indicators)
        else:
            indicator = self.indicator()
        self._indicator = indicator
        self.status_panel.set_indicator(indicator)
        self._update_actions(indicator, indicators)
        if self.multi_store:
            self._update_store_bar(indicators)
        info = describe_connection(
            self._connectivity, list(self._views.values()), self._clock.now(), self._lt
        )
        self.connection_line.set_info(info)
        self.offline_banner.set_info(info)

    def _update_store_bar(self, indicators: list[tuple[Store, Indicator]]) -> None:
        for store, ind in indicators:
            button = self.store_bar.buttons.get(store.id)
            if button is None:
                continue
            view = self._views.get(store.id)
            alert = self._store_alerts.get(store.id)
            if alert is None and view is not None and view.attention is not None:
                alert = view.attention.message or view.attention.kind.value
            button.set_state(ind, alert=alert)
        self.store_bar.all_button.set_state(summarise(indicators), neutral=True)

    def _update_actions(self, ind: Indicator, indicators: list[tuple[Store, Indicator]]) -> None:
        ready = self.host is not None or self._preview
        all_stores = self.store_id is None and bool(indicators)
        self.resume_all_button.setVisible(False)
        if all_stores:
            show_pause = bool(pause_all_targets(indicators))
            show_resume = bool(resume_all_targets(indicators))
            self.pause_prompt.setVisible(show_pause)
            self.home_reasons.setVisible(show_pause)
            self.resume_button.setVisible(False)
            self.resume_all_button.setVisible(show_resume)
            for button in (
                self.extend_button,
                self.change_button,
                self.keep_theirs_button,
                self.apply_mine_button,
            ):
                button.setVisible(False)
            self.settings_button.setVisible(any(i.manager_action for _, i in indicators))
        else:
            conflict = ind.conflict_choice is not None
            # A key or store problem: taps would only be held, so the way out is the only action.
            blocked = needs_choice(ind)
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
                sent = self.store_id in self._conflict_sent
                self.keep_theirs_button.setText(ind.conflict_choice[0])
                self.apply_mine_button.setText(ind.conflict_choice[1])
                self.keep_theirs_button.setEnabled(not sent)
                self.apply_mine_button.setEnabled(not sent)
            self.settings_button.setVisible(ind.manager_action)
        self.pause_prompt.setText(self._pause_question())
        taps: list[QAbstractButton] = [
            self.resume_button,
            self.resume_all_button,
            self.extend_button,
            *self.home_reasons.buttons.values(),
        ]
        for tap in taps:
            tap.setEnabled(ready)

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

    # -- timed prompts, for every store (the one shown first) ------------------------------

    def _prompt_order(self) -> list[Store]:
        stores = list(self._config.stores)
        stores.sort(key=lambda s: s.id != self.store_id)  # stable: the shown store first
        return stores

    def _prompt_view(self, store_id: str) -> StoreView | None:
        """The store's view if its status is fresh and nobody just tapped it; else None."""
        if store_id in self._local_taps:
            return None
        if self.store_indicator(store_id).kind is StateKind.UNKNOWN:
            return None
        return self._views.get(store_id)

    def _whose(self, store_id: str, fallback: str = "the store") -> str:
        """How a prompt names the store: "the store" with one, by name with several."""
        return self._store_name(store_id) if self.multi_store else fallback

    def _check_prompts(self, page: Page) -> None:
        now = self._clock.now()
        self._check_heads_up(page, now)
        self._check_reminder(page, now)

    def _check_heads_up(self, page: Page, now: datetime) -> None:
        if self.heads_up.isVisible() and self._heads_up_store is not None:
            key = heads_up_key(self._prompt_view(self._heads_up_store), now)
            if key != self._heads_up_key:
                self.heads_up.hide()
        if self.heads_up.isVisible() or self.reminder.isVisible() or page is not Page.HOME:
            return
        for store in self._prompt_order():
            view = self._prompt_view(store.id)
            key = heads_up_key(view, now)
            if key is None or (store.id, key) in self._heads_up_shown:
                continue
            assert view is not None and view.confirmed is not None
            resume_at = view.confirmed.resume_at
            assert resume_at is not None
            self._heads_up_shown.add((store.id, key))
            self._heads_up_store, self._heads_up_key = store.id, key
            self.heads_up.title.setText(
                f"{store.name}: back online soon" if self.multi_store else "Back online soon"
            )
            self.heads_up.set_text(
                f"Gett puts {self._whose(store.id)} back online at {self._lt.clock(resume_at)} "
                f"(in {format_duration((resume_at - now).total_seconds())}).\n"
                f"Paused for: {reason_text(view.confirmed.reason)}."
            )
            self.heads_up.popup()
            return

    def _check_reminder(self, page: Page, now: datetime) -> None:
        minutes = self._config.ui.forgotten_pause_minutes
        due: list[tuple[Store, datetime]] = []
        for store in self._prompt_order():
            since = forgotten_pause_since(self._prompt_view(store.id), now, minutes)
            if since is None:
                self._reminder_keys.pop(store.id, None)
                self._reminder_snoozed_until.pop(store.id, None)
                if self._reminder_store == store.id:
                    self.reminder.hide()
                continue
            key = since.isoformat()
            if self._reminder_keys.get(store.id) != key:  # a new pause: no snooze carried over
                self._reminder_keys[store.id] = key
                self._reminder_snoozed_until.pop(store.id, None)
            snoozed = self._reminder_snoozed_until.get(store.id)
            if snoozed is None or now >= snoozed:
                due.append((store, since))
        if (
            not due
            or self.reminder.isVisible()
            or self.heads_up.isVisible()
            or page is not Page.HOME
        ):
            return
        store, since = due[0]
        view = self._views[store.id]
        assert view.confirmed is not None
        self._reminder_store = store.id
        self.reminder.title.setText(
            f"{store.name} is still paused" if self.multi_store else "The store is still paused"
        )
        self.reminder.set_text(
            f"Paused since {self._lt.clock_on(since, now)} "
            f"({format_duration((now - since).total_seconds())}) with no end time. "
            f"Reason: {reason_text(view.confirmed.reason)}.\nCustomers cannot order"
            + (f" from {store.name}." if self.multi_store else ".")
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
        missing = any(
            v.attention is not None and v.attention.kind is AttentionKind.KEY_MISSING
            for v in self._views.values()
        )
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
        self._show_stores()
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
