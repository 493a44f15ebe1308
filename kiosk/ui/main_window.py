"""The kiosk window: the page stack, its wiring, scaling and closing.

What the screen shows comes from one place, :class:`~kiosk.ui.screen_state.ScreenState`, fed by
the :class:`~kiosk.ui.session.Session` (the worker's reports) and by taps; the window renders
the :class:`~kiosk.ui.screen_state.Screen` it produces. The pause flow lives in
:mod:`kiosk.ui.pause_flow`, the manager's in :mod:`kiosk.ui.manager_flow`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QCloseEvent,
    QKeyEvent,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractButton, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from kiosk.core import i18n
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.config import Config
from kiosk.core.i18n import _
from kiosk.core.keystore import KeyStore
from kiosk.core.logs import EVENT
from kiosk.core.pin import LOCKOUT_FILENAME, PinGuard
from kiosk.core.sync import StoreView
from kiosk.ui import language
from kiosk.ui.cues import cues, sound_settings, volume_for
from kiosk.ui.home_page import HomePage
from kiosk.ui.input_filter import InputFilter
from kiosk.ui.log_page import READING, LogPage
from kiosk.ui.manager_flow import ManagerFlow, PinPurpose
from kiosk.ui.night_mode import NightVeil
from kiosk.ui.pages import PAGE_NAMES, Page
from kiosk.ui.pause_flow import PauseFlow
from kiosk.ui.pin_pad import PinPad
from kiosk.ui.prompts import Prompts
from kiosk.ui.screen_state import ALL_STORES, Screen, ScreenState
from kiosk.ui.session import Session, WorkerFactory
from kiosk.ui.settings_dialog import CheckResult, SettingsPage, check_connection
from kiosk.ui.setup_screen import SetupPage
from kiosk.ui.shift_log import shift_log
from kiosk.ui.sound import SoundPlayer
from kiosk.ui.state_strip import StateStrip
from kiosk.ui.tap_guard import GUARD_SECONDS, TapGuard
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.theme import Theme
from kiosk.ui.view_model import Indicator, LocalTime, screen_scale
from kiosk.ui.wake import SECOND_S, seconds_until_change
from kiosk.ui.worker import SyncWorker, WorkerHost

if TYPE_CHECKING:
    from kiosk.ui.close_prompt import ClosePrompt

log = logging.getLogger(__name__)
Tester = Callable[[KeyStore, str, str | None, str], CheckResult]
__all__ = ["MainWindow", "Page", "PinPurpose"]


class MainWindow(QMainWindow):
    """The whole app on one window; pages in a stack, prompts as overlays.

    Signals:
        first_painted(): the window was painted for the first time (``--smoke``).
        first_status(): the first status (or a needs-a-manager state) arrived from the worker.
        rendered(): the screen was updated from new worker data (tests wait on it).
        closed_by_manager(): a manager closed the app on purpose (the heartbeat says so).
        announced(str): a new state was announced to screen readers (these words).
    """

    first_painted = Signal()
    first_status = Signal()
    closed_by_manager = Signal()
    rendered = Signal()
    announced = Signal(str)

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
        tick_ms: int | None = None,
        size: tuple[int, int] | None = None,
        tap_guard_seconds: float = GUARD_SECONDS,
        sound: SoundPlayer | None = None,
    ) -> None:
        super().__init__()
        if size is not None:
            self.resize(*size)
        self._config = config
        self._clock = clock or SystemClock()
        self._theme = theme or Theme()
        self.tasks = tasks or TaskRunner(parent=self)
        lt = local_time or LocalTime()
        self.state = ScreenState(
            config.stores, config.poll_interval_seconds, config.ui.forgotten_pause_minutes, lt
        )
        self.state.idle_return_seconds = config.ui.idle_return_seconds
        self.state.dim_after_seconds = config.ui.night_dim_minutes * 60
        self.state.support_phone = config.ui.support_phone
        self.guard = TapGuard(tap_guard_seconds)
        self.sound = sound or SoundPlayer()
        self.session = Session(
            config,
            self.state,
            self._clock,
            worker_factory or (lambda c: SyncWorker(c, keystore, clock=self._clock)),
            self,
        )
        # The wrong-PIN count lives beside the queue, so a restart does not reset a lockout.
        guard = pin_guard or PinGuard(self._clock, state_path=config.data_dir / LOCKOUT_FILENAME)
        self._pin_guard = guard
        self._allow_close = False
        #: A manager closed the app (the reason its log line and the autostart give).
        self.closed_on_purpose = False
        self._close_prompt: ClosePrompt | None = None
        self._painted = False
        self._scale = 0.0
        self._shown: Screen | None = None
        self._language = i18n.language()
        self._top_bar_extras: list[QWidget] = []

        self.setWindowTitle(_("Gett Store Kiosk"))
        self.setAccessibleName(_("Gett Store Kiosk"))
        self.setMinimumSize(640, 400)
        self._manager_parts = (keystore, guard, tester, save_path)
        self._build_content()
        self.session.history_read.connect(self.on_history_read)
        self.session.changed.connect(self.on_session_changed)
        self.session.first_status.connect(self.first_status)
        self.input_filter = InputFilter(self, self.guard, self.on_touched, self.on_key)
        self._announced = ""
        self._keyboard = False  # a key was used: pages then put the focus on their first choice
        # The clock: None sleeps until the screen can next change (wake.py), so a kiosk left
        # alone costs nothing between polls; a number ticks at that fixed interval (tests).
        self._tick_ms = tick_ms
        self._ticking = False
        self.tick_timer = QTimer(self)
        self.tick_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.tick_timer.setSingleShot(tick_ms is None)
        self.tick_timer.setInterval(tick_ms or 1000)
        self.tick_timer.timeout.connect(self.on_tick_timer_timeout)
        self._apply_scale()
        self.redraw()

    def _build_content(self) -> None:
        """The pages and prompts, in the current language (built again when it changes; the
        session, its worker and the queue stay)."""
        lt = self.state.lt
        root = QWidget()
        root.setObjectName("Root")
        self.setCentralWidget(root)
        self.pages = QStackedWidget()
        self.pages.setObjectName("Pages")
        outer = QVBoxLayout(root)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        # Every page but home shows the store's state in a thin strip: a menu never hides it.
        self.state_strip = StateStrip(self._theme)
        self.state_strip.hide()
        outer.addWidget(self.state_strip)
        outer.addWidget(self.pages)

        self._page_widgets: dict[Page, QWidget] = {}
        self.home = HomePage(self._theme)
        self.flow = PauseFlow(
            self, self._theme, self._clock, lt, self.state, self.session, self.guard
        )
        self.resume_picker = self.flow.resume_picker
        self.custom_picker = self.flow.custom_picker
        self.page_reasons = self.flow.page_reasons
        self.log_page = LogPage(self._theme)  # (light: built with the window)
        for page, widget in (
            (Page.HOME, self.home.widget),
            (Page.REASONS, self.flow.reasons_page),
            (Page.RESUME, self.resume_picker),
            (Page.CUSTOM, self.custom_picker),
            (Page.LOG, self.log_page),
        ):
            self._add_page(page, widget)
        # The manager's pages (PIN, settings, first-run set-up) are built when first needed:
        # most starts never show them, and each widget built makes the stylesheet cost more.
        self._manager: ManagerFlow | None = None
        self.prompts = Prompts(self._theme, root, self.state, self.flow, self._clock)
        self.heads_up, self.reminder = self.prompts.heads_up, self.prompts.reminder
        self._wire()
        self.night = NightVeil(root)

    def _add_page(self, page: Page, widget: QWidget) -> None:
        widget.setAccessibleName(_(PAGE_NAMES[page]))
        self._page_widgets[page] = widget
        self.pages.addWidget(widget)

    @property
    def manager(self) -> ManagerFlow:
        """The manager's flow and its pages, built on first use."""
        if self._manager is None:
            keystore, guard, tester, save_path = self._manager_parts
            pin_pad = PinPad(self._theme, guard)
            settings_page = SettingsPage(self._theme, keystore, self.tasks, tester)
            setup_page = SetupPage(keystore, self.tasks, tester, theme=self._theme)
            for keypad in (settings_page.keypad, setup_page.keypad):
                keypad.shown.connect(self.guard.opened)  # keys came up under the finger
            self._add_page(Page.PIN, pin_pad)
            self._add_page(Page.SETTINGS, settings_page)
            self._add_page(Page.SETUP, setup_page)
            self._manager = ManagerFlow(
                self, pin_pad, settings_page, setup_page, keystore, self.tasks, save_path, self
            )
        return self._manager

    @property
    def pin_pad(self) -> PinPad:
        return self.manager.pin_pad

    @property
    def settings_page(self) -> SettingsPage:
        return self.manager.settings_page

    @property
    def setup_page(self) -> SetupPage:
        return self.manager.setup_page

    @Slot()
    def on_manager_requested(self) -> None:
        self.manager.on_manager_requested()

    def _wire(self) -> None:
        home = self.home
        home.store_bar.store_selected.connect(self.select_store)
        for button in (home.settings_button, home.manager_button):
            button.clicked.connect(self.on_manager_requested)
        home.attention_banner.settings_requested.connect(self.on_attention_banner_settings)
        home.attention_banner.dismissed.connect(self.on_attention_banner_dismissed)
        home.connection_line.refresh_requested.connect(self.session.refresh)
        home.log_button.clicked.connect(self.open_log)
        self.log_page.back_button.clicked.connect(self.go_home)

    # -- what tests and the app read -------------------------------------------------------

    @property
    def config(self) -> Config:
        return self._config

    @property
    def host(self) -> WorkerHost | None:
        """The running worker (None before start, while restarting and after shutdown)."""
        return self.session.host

    @property
    def store_id(self) -> str | None:
        """The store the big panel shows (None: "All stores", or no store configured)."""
        return self.state.store_id

    @property
    def multi_store(self) -> bool:
        return self.state.multi_store

    def store_view(self, store_id: str | None = None) -> StoreView | None:
        """What the worker last reported about a store (default: the store shown)."""
        store_id = store_id or self.store_id
        return self.state.views.get(store_id) if store_id else None

    def store_indicator(self, store_id: str) -> Indicator:
        return self.state.store_indicator(store_id, self._clock.now())

    def indicator(self) -> Indicator:
        """What the big panel says: the selected store, or the summary of all stores."""
        return self.state.indicator(self._clock.now())

    def current_screen(self) -> Screen:
        return self.state.screen(self._clock.now())

    def key_missing(self) -> bool:
        return self.state.key_missing()

    # -- rendering -------------------------------------------------------------------------

    def redraw(self) -> None:
        screen = self.current_screen()
        self.show_screen(screen)
        dim = self.state.dim_due(self.current_page(), self._clock.now(), screen)
        self.night.set_dimmed(dim)
        self._schedule_tick()

    def _schedule_tick(self) -> None:
        """Sleep until the home screen can next change by time alone (or dim); other pages
        count in seconds (the PIN lockout, the pickers' clock times, the idle return)."""
        if not self._ticking or self._tick_ms is not None:
            return
        now = self._clock.now()
        on_home = self.current_page() is Page.HOME
        seconds = seconds_until_change(self.state, now) if on_home else SECOND_S
        dim_at = self.state.dim_deadline()
        if on_home and dim_at is not None and dim_at > now:
            seconds = min(seconds, (dim_at - now).total_seconds() + 0.02)
        self.tick_timer.start(max(1, round(seconds * 1000)))

    def on_touched(self) -> bool:
        """Any touch or key: the idle clocks restart. True if it woke a dimmed screen (that
        touch then presses nothing)."""
        self.state.touched(self._clock.now())
        if not self.night.isVisible():
            return False
        self.redraw()
        # What the veil hid is now under the finger: a double tap's second press (on "Resume
        # now", say) must not land on it.
        self.guard.opened()
        return True

    def show_screen(self, screen: Screen) -> None:
        """Draw one frame (the gallery calls this with made-up screens); the same frame
        again draws nothing."""
        if screen == self._shown:
            return
        old, self._shown = self._shown, screen
        self.home.apply_compact(screen.multi_store, self.height())
        actions = self.home.action_signature()
        self.home.show_screen(screen)
        self.state_strip.show_screen(screen)
        self.prompts.show(screen)
        prompt_opened = old is not None and (
            (screen.heads_up is not None and old.heads_up is None)
            or (screen.reminder is not None and old.reminder is None)
        )
        if prompt_opened or self.home.action_signature() != actions:
            self.guard.opened()  # new buttons may have come up under a finger
        self._announce(screen)
        self._sound(old, screen)

    def _sound(self, old: Screen | None, screen: Screen) -> None:
        """The most urgent new thing makes its sound (a noisy kitchen hears, then looks)."""
        found = cues(old, screen)
        if not found:
            return
        ui = self._config.ui
        settings = sound_settings(ui.sound, ui.sound_volume, ui.quiet_hours)
        local = self.state.lt.local(self._clock.now()).time()
        volume = volume_for(found[0], settings, local, screen.indicator.alarm)
        self.sound.play(found[0], volume)

    def _announce(self, screen: Screen) -> None:
        """Say a new state to screen readers (once per change, not every countdown second)."""
        text = screen.announcement
        if text == self._announced:
            return
        self._announced = text
        panel = self.home.status_panel
        if QAccessible.isActive():
            event = QAccessibleAnnouncementEvent(panel, text)
            event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
            QAccessible.updateAccessibility(event)
        self.announced.emit(text)

    @Slot()
    def on_session_changed(self) -> None:
        self.redraw()
        self.rendered.emit()

    def notify(self, title: str, message: str) -> None:
        self.state.notify(title, message)
        self.redraw()

    @Slot()
    def on_tick_timer_timeout(self) -> None:
        """When something shown may have changed with time: countdowns, staleness, the
        heads-up, the reminder, the PIN lockout."""
        page = self.current_page()
        now = self._clock.now()
        if self._idle_returns(page) and self.state.idle_return_due(page, now):
            if page is Page.PIN:
                self.pin_pad.on_back_clicked()  # the PIN flow's own way out
            else:
                self.go_home()
            page = self.current_page()
        self.state.tick(now, on_home=page is Page.HOME)
        self.redraw()
        if page is Page.PIN:
            self.pin_pad.refresh()
        elif page is Page.RESUME:
            self.resume_picker.refresh()
        elif page is Page.CUSTOM:
            self.custom_picker.refresh()

    # -- lifecycle -------------------------------------------------------------------------

    def select_store(self, store_id: str) -> None:
        """Show ``store_id`` (or ``ALL_STORES``) on the big panel; every action follows."""
        if store_id in {s.id for s in self._config.stores} | {ALL_STORES}:
            self.state.select(store_id)
            self.redraw()

    def add_top_bar_widget(self, widget: QWidget) -> None:
        """Extra controls beside the Manager button (the demo's trainer controls)."""
        self._top_bar_extras.append(widget)
        self.home.add_top_bar_widget(widget)

    def start(self) -> None:
        """Start the worker (or show first-run setup) and the clock."""
        self._ticking = True
        if self._tick_ms is not None:
            self.tick_timer.start()
        if not self._config.stores:
            self.setup_page.load(self._config)
            self.show_page(Page.SETUP)
            return
        self.session.start()
        self.redraw()
        self.show_page(Page.HOME)

    def shutdown(self) -> bool:
        """Stop timers, the worker thread and background tasks (at exit).

        Returns False if a thread would not stop in time: the caller must then end the process
        without destroying it (everything that matters is already on disk).
        """
        self._ticking = False
        self.tick_timer.stop()
        self.input_filter.detach()
        self.sound.close()
        clean = self.session.shutdown()
        return self.tasks.wait() and clean

    def apply_config(self, config: Config, *, key_changed: bool) -> None:
        old, self._config = self._config, config
        minutes = config.ui.forgotten_pause_minutes
        self.state.configure(config.stores, config.poll_interval_seconds, minutes)
        self.state.idle_return_seconds = config.ui.idle_return_seconds
        self.state.dim_after_seconds = config.ui.night_dim_minutes * 60
        self.state.support_phone = config.ui.support_phone
        if config.ui.fullscreen != old.ui.fullscreen and self.isVisible():
            self.apply_window_mode()
        if config.ui.pin_hash != old.ui.pin_hash:
            self._pin_guard.reset()  # a new PIN starts with no lockout from the old one
        self.session.apply(config, key_changed=key_changed)
        if language.apply(config.ui.language) != self._language:
            self.apply_language()
        self.redraw()

    def apply_language(self) -> None:
        """Show the language :mod:`kiosk.ui.language` chose: the pages are built again in it
        (their fixed words, the direction, the fonts); the store, the worker and the queue
        carry on untouched. Leaves the window on home."""
        self._language = i18n.language()
        for extra in self._top_bar_extras:
            extra.setParent(None)  # kept: the old pages go, the demo's controls stay
        self._close_prompt = None  # (it sat on the old pages; built again when needed)
        self._build_content()
        for extra in self._top_bar_extras:
            self.home.add_top_bar_widget(extra)
        root = self.centralWidget()
        if root is not None and self.isVisible():
            root.show()  # (Qt would show it one turn of the event loop later)
        self._shown = None
        self._scale = 0.0  # the stylesheet again: the script's font goes into it
        self._apply_scale()
        self.redraw()
        self.show_page(Page.HOME)

    @Slot(object)
    def config_changed_outside(self, _config: Config) -> None:
        """The watcher applied a changed file: an open Settings page says so (its Save keeps
        those changes; see ``ManagerFlow._save``)."""
        if self._manager is not None and self.current_page() is Page.SETTINGS:
            self._manager.settings_page.changed_outside()

    def close_for_good(self) -> None:
        self._allow_close = True
        self.close()

    @Slot()
    def confirm_close(self) -> None:
        """Settings' "Close the kiosk app": asked once more on screen, then closed."""
        if self._close_prompt is None:
            from kiosk.ui.close_prompt import ClosePrompt

            root = self.centralWidget()
            assert root is not None
            self._close_prompt = ClosePrompt(self._theme, root)
            self._close_prompt.confirmed.connect(self.close_by_manager)
        self._close_prompt.popup()
        self.guard.opened()  # its buttons came up under the finger that tapped "Close"

    @Slot()
    def close_by_manager(self) -> None:
        log.warning("a manager closed the kiosk app on purpose", extra=EVENT)
        self.closed_on_purpose = True
        self.closed_by_manager.emit()
        self.close_for_good()

    def closeEvent(self, event: QCloseEvent) -> None:
        """In kiosk mode, closing (Alt+F4) needs the manager PIN."""
        if self._config.ui.fullscreen and not self._allow_close and self._config.ui.pin_hash:
            event.ignore()
            self.manager.ask_pin(PinPurpose.EXIT)
            return
        if not self._allow_close:
            # Closed by a person with no PIN asked (no PIN set, or not in kiosk mode): on
            # purpose, like a manager's close, so the heartbeat, health, the log and the
            # autostart (exit 0: stays closed this session) all say the same.
            log.warning("the kiosk window was closed on purpose (no PIN asked)", extra=EVENT)
            self.closed_on_purpose = True
            self.closed_by_manager.emit()
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
        portrait = height > width
        scale = screen_scale(width, height)
        self.resume_picker.set_columns(2 if portrait or width < 900 else 4)
        self.page_reasons.set_columns(2 if portrait else 3)
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(self._theme.stylesheet(scale, keyboard=self._keyboard))
        self.home.reasons.set_columns(3 if portrait or width < 760 else 5)
        for button in (self.home.log_button, self.home.manager_button):
            # The top bar's buttons keep their words; the connection line wraps instead.
            button.ensurePolished()
            button.setMinimumWidth(min(button.sizeHint().width(), button.maximumWidth()))
        self.home.store_bar.set_scale(scale, height)
        multi = self._shown.multi_store if self._shown is not None else self.multi_store
        self.home.apply_compact(multi, self.height())
        self.home.apply_portrait(portrait)
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
        shown = self.pages.currentWidget()
        return next((p for p, w in self._page_widgets.items() if w is shown), Page.HOME)

    def show_page(self, page: Page) -> None:
        if page not in self._page_widgets:
            self.manager  # noqa: B018 (the manager's pages are built on first use)
        widget = self._page_widgets[page]
        changed = self.pages.currentWidget() is not widget
        if changed:
            self.guard.opened()  # the new page's buttons are under the finger that got here
        self.pages.setCurrentWidget(widget)
        self.state.touched(self._clock.now())
        self.state_strip.setVisible(page not in (Page.HOME, Page.SETUP))
        if page is not Page.HOME:
            self.state.leave_home()
            self.prompts.hide()
        if changed:
            self._focus_first(page)
        self._schedule_tick()

    def _idle_returns(self, page: Page) -> bool:
        """A PIN pad on its way to Settings or close goes home; one from Settings stays."""
        if page is Page.PIN:
            return self.manager.purpose in (PinPurpose.SETTINGS, PinPurpose.EXIT)
        return True

    def _focus_first(self, page: Page) -> None:
        """Keyboard users start on the page's likely choice (the suggested length)."""
        if not self._keyboard:
            return
        widget = self._page_widgets[page]
        target: QWidget | None = None
        if page is Page.RESUME:
            target = self.resume_picker.buttons.get(self.resume_picker.suggested_key())
        else:
            buttons = [b for b in widget.findChildren(QAbstractButton) if b.isVisibleTo(widget)]
            target = buttons[0] if buttons else None
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- the keyboard ---------------------------------------------------------------------

    #: Escape presses the page's way back (found by objectName: the English name, not the
    #: translated accessible one).
    BACK_BUTTONS = (
        "Back from reasons",
        "Back",
        "Back to durations",
        "Cancel PIN",
        "Back from pause log",
    )

    def on_key(self, event: QKeyEvent) -> bool:
        """Escape goes back; on the PIN pad, digits, Backspace and Enter work as keys."""
        if not self._keyboard:  # from now on the focus is shown, and pages place it
            self._keyboard = True
            self.setProperty("keyboard", True)
            self.setStyleSheet(self._theme.stylesheet(self._scale, keyboard=True))
        page = self.current_page()
        widget = self._page_widgets[page]
        key = event.key()
        if key == Qt.Key.Key_Escape and page is not Page.HOME:
            back_ids = {name.replace(" ", "_") for name in self.BACK_BUTTONS}
            for button in widget.findChildren(QAbstractButton):
                if button.objectName() in back_ids and button.isVisible():
                    button.click()
                    return True
            return False
        if page is Page.PIN:
            text = event.text()
            if text.isdigit() and len(text) == 1:
                pad = self.pin_pad
                if pad.digit_buttons[0].isEnabled():  # (not while locked out)
                    pad.on_digit_clicked(text)
                return True
            if key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
                self.pin_pad.on_clear_clicked()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.pin_pad.ok_button.click()
                return True
        return False

    @Slot()
    def go_home(self) -> None:
        self.show_page(Page.HOME)
        # A heads-up or reminder that came due while a menu covered home opens now, not at the
        # sleeping clock's next minute.
        self.state.tick(self._clock.now(), on_home=True)
        self.redraw()

    # -- the pause log --------------------------------------------------------------------

    @Slot()
    def open_log(self) -> None:
        """The pause log and today's summary, read fresh by the worker each time."""
        self.show_page(Page.LOG)
        self.log_page.show_message(_(READING))
        if not self.session.request_history():
            self.log_page.show_message(_("The pause log can be read once the kiosk has started."))

    @Slot(object)
    def on_history_read(self, result: object) -> None:
        if isinstance(result, str):
            self.log_page.show_message(result)
            return
        if not isinstance(result, list):
            return
        names = {s.id: s.name for s in self._config.stores}
        self.log_page.show_log(shift_log(result, names, self._clock.now(), self.state.lt))

    # -- the banner -----------------------------------------------------------------------

    @Slot()
    def on_attention_banner_dismissed(self) -> None:
        self.state.dismiss_banner()
        self.redraw()

    @Slot()
    def on_attention_banner_settings(self) -> None:
        self.state.dismiss_banner(keep_alert=True)
        self.on_manager_requested()
