"""The home page: the top bar, the store bar, the banners, the big status and the actions.

It draws a :class:`~kiosk.ui.screen_state.Screen` and decides nothing: which buttons show and
what they say come with the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QHBoxLayout,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.config import Store
from kiosk.core.i18n import N_, _, ltr
from kiosk.ui.banners import AttentionBanner, ConnectionLine, OfflineBanner
from kiosk.ui.reason_picker import ReasonPicker
from kiosk.ui.screen_state import Screen
from kiosk.ui.status_panel import StatusPanel
from kiosk.ui.store_bar import StoreBar
from kiosk.ui.theme import Theme
from kiosk.ui.view_model import EXTEND_MINUTES, REASON_ICONS
from kiosk.ui.widgets import big_button, label, restyle

#: With several stores, a window lower than this gets lower reason buttons (room for the bar).
COMPACT_BELOW_HEIGHT = 600


class HomePage:
    """Builds the page's widgets (``widget`` goes in the page stack) and renders screens."""

    def __init__(self, theme: Theme) -> None:
        self._theme = theme
        home = QWidget()
        home.setProperty("page", True)
        self.widget = home
        top = QWidget()
        top.setObjectName("TopBar")
        top.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.store_name = label("", "StoreName", wrap=False, name=N_("Store name"))
        self.connection_line = ConnectionLine()
        self.clock = label("", "BigClock", wrap=False, name=N_("Clock"))
        self.manager_button = big_button(
            _("Manager"), N_("Manager"), role="quiet", theme=theme, icon="lock", icon_px=26
        )
        self.manager_button.setMaximumWidth(200)
        # The pause log and shift summary: one tap, read-only, no PIN.
        self.log_button = big_button(
            _("Log"), N_("Pause log"), role="quiet", theme=theme, icon="clock", icon_px=26
        )
        self.log_button.setMaximumWidth(160)
        bar = QHBoxLayout(top)
        bar.setContentsMargins(12, 4, 8, 4)
        bar.setSpacing(12)
        bar.addWidget(self.store_name)
        bar.addWidget(self.connection_line, 1)
        bar.addWidget(self.clock)
        bar.addWidget(self.log_button)
        bar.addWidget(self.manager_button)
        self._top_bar = bar

        self.store_bar = StoreBar(theme)
        self.store_bar.hide()
        self.offline_banner = OfflineBanner(theme)
        self.attention_banner = AttentionBanner(theme)
        self.status_panel = StatusPanel(theme)

        actions = QWidget()
        actions.setAccessibleName(_("Actions"))
        self.pause_prompt = label(_("Pause the store. Why?"), "Subtitle", wrap=False)
        self.reasons = ReasonPicker(theme, columns=5)
        self.resume_button = big_button(
            _("RESUME NOW"),
            N_("Resume now"),
            role="primary",
            theme=theme,
            icon="play",
            icon_colour="#FFFFFF",
        )
        self.cancel_pause_button = big_button(
            _("CANCEL PAUSE"),
            N_("Cancel pause"),
            role="primary",
            theme=theme,
            icon="play",
            icon_colour="#FFFFFF",
        )
        self.undo_button = big_button(
            _("UNDO"), N_("Undo resume"), role="pause", theme=theme, icon="back"
        )
        self.extend_button = big_button(  # (no icon: "+15 min" must fit at 800x480)
            # TRANSLATORS: {amount} is "+15", kept whole and left to right in any language.
            _("{amount} min").format(amount=ltr(f"+{EXTEND_MINUTES}")),
            N_("Extend pause by 15 minutes"),
            role="pause",
        )
        self.change_button = big_button(
            _("Change\npause"), N_("Change pause"), role="quiet", theme=theme, icon="clock"
        )
        self.keep_theirs_button = big_button("", N_("Keep Gett's state"))
        self.apply_mine_button = big_button("", N_("Apply my change"), role="pause")
        self.settings_button = big_button(
            _("Open settings"),
            N_("Open settings"),
            role="danger",
            theme=theme,
            icon="key",
            icon_colour="#FFFFFF",
        )
        for button in (
            self.resume_button,
            self.cancel_pause_button,
            self.undo_button,
            self.extend_button,
            self.change_button,
            self.keep_theirs_button,
            self.apply_mine_button,
            self.settings_button,
        ):
            button.setMinimumHeight(84)
        self.resume_all_button = big_button(
            _("RESUME ALL"),
            N_("Resume all stores"),
            role="primary",
            theme=theme,
            icon="play",
            icon_colour="#FFFFFF",
        )
        self.resume_all_button.hide()
        self.resume_button.setMinimumHeight(96)
        self.cancel_pause_button.setMinimumHeight(96)
        self.resume_all_button.setMinimumHeight(96)
        # What a tap did ("✓ Pause now until 16:30"), for a few seconds.
        self.toast = label("", "Toast", wrap=True, name=N_("Done message"))
        self.toast.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.toast.hide()
        row = QHBoxLayout()
        row.setSpacing(10)
        row.addWidget(self.resume_button, 3)
        row.addWidget(self.cancel_pause_button, 3)
        row.addWidget(self.resume_all_button, 3)
        # Undo sits on the question's line: no extra row, and not where RESUME NOW was.
        self.undo_button.setMaximumWidth(260)
        self.undo_button.setMinimumHeight(64)
        self.undo_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        prompt_row = QHBoxLayout()
        prompt_row.addWidget(self.pause_prompt, 1)
        prompt_row.addWidget(self.undo_button)
        row.addWidget(self.extend_button, 1)
        row.addWidget(self.change_button, 1)
        row.addWidget(self.keep_theirs_button, 1)
        row.addWidget(self.apply_mine_button, 1)
        row.addWidget(self.settings_button, 1)
        action_layout = QVBoxLayout(actions)
        action_layout.setContentsMargins(0, 0, 0, 0)
        action_layout.setSpacing(6)
        action_layout.addWidget(self.toast)
        action_layout.addLayout(prompt_row)
        action_layout.addWidget(self.reasons)
        action_layout.addLayout(row)

        body = QVBoxLayout()
        body.setContentsMargins(12, 10, 12, 12)
        body.setSpacing(10)
        body.addWidget(self.offline_banner)
        body.addWidget(self.attention_banner)
        body.addWidget(self.status_panel, 1)
        body.addWidget(actions)
        self._body = body
        self._actions = actions
        self._portrait = False
        layout = QVBoxLayout(home)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(top)
        layout.addWidget(self.store_bar)
        layout.addLayout(body, 1)
        self._shown: tuple[tuple[Store, ...], str] | None = None

    def add_top_bar_widget(self, widget: QWidget) -> None:
        """Extra controls beside the Manager button (the demo's trainer controls)."""
        self._top_bar.insertWidget(self._top_bar.count() - 1, widget)

    def show_screen(self, screen: Screen) -> None:
        if (screen.stores, screen.selected) != self._shown:  # as configured or chosen
            self._shown = (screen.stores, screen.selected)
            if screen.multi_store:
                self.store_bar.set_stores(screen.stores)
                self.store_bar.set_selected(screen.selected)
                self.store_bar.show()
            else:
                self.store_bar.hide()
            self.store_name.setText(screen.title)
        self.status_panel.set_indicator(screen.indicator)
        self._show_actions(screen)
        for entry in screen.store_buttons:
            button = self.store_bar.buttons.get(entry.store.id)
            if button is not None:
                button.set_state(entry.indicator, alert=entry.alert)
        if screen.all_stores is not None:
            self.store_bar.all_button.set_state(screen.all_stores, neutral=True)
        self.connection_line.set_info(screen.connection)
        self.clock.setText(screen.clock)
        self.offline_banner.set_info(screen.connection)
        banner = screen.banner
        if banner is None:
            self.attention_banner.hide()
        elif self.attention_banner.isHidden() or self.attention_banner.text.text() != (
            _("{title}. {message}").format(title=banner.title, message=banner.message)
        ):
            self.attention_banner.show_message(banner.title, banner.message)

    def _show_actions(self, screen: Screen) -> None:
        act = screen.actions
        self.pause_prompt.setVisible(act.pause)
        self.reasons.setVisible(act.pause)
        self.resume_button.setVisible(act.resume)
        self.cancel_pause_button.setVisible(act.cancel_pause)
        self.undo_button.setVisible(act.undo)
        self.resume_all_button.setVisible(act.resume_all)
        self.extend_button.setVisible(act.extend)
        self.change_button.setVisible(act.change)
        conflict = act.conflict_choice is not None
        self.keep_theirs_button.setVisible(conflict)
        self.apply_mine_button.setVisible(conflict)
        if act.conflict_choice is not None:
            self.keep_theirs_button.setText(act.conflict_choice[0])
            self.apply_mine_button.setText(act.conflict_choice[1])
            self.keep_theirs_button.setEnabled(act.conflict_enabled)
            self.apply_mine_button.setEnabled(act.conflict_enabled)
        self.settings_button.setVisible(act.settings)
        self.pause_prompt.setText(act.pause_question)
        self.toast.setText(screen.toast or "")
        self.toast.setVisible(screen.toast is not None)
        taps: list[QAbstractButton] = [
            self.resume_button,
            self.cancel_pause_button,
            self.undo_button,
            self.resume_all_button,
            self.extend_button,
            *self.reasons.buttons.values(),
        ]
        for tap in taps:
            tap.setEnabled(act.taps_enabled)

    def action_signature(self) -> tuple[bool, ...]:
        """Which tap targets show: when it changes, new buttons may be under a finger."""
        buttons = (
            self.reasons,
            self.resume_button,
            self.cancel_pause_button,
            self.undo_button,
            self.resume_all_button,
            self.extend_button,
            self.change_button,
            self.keep_theirs_button,
            self.settings_button,
        )
        return tuple(not b.isHidden() for b in buttons)

    def apply_portrait(self, portrait: bool) -> None:
        """A tall screen: the actions share the height with the panel (2:3) instead of
        staying 110 px tall under a mostly empty panel; the reason buttons grow with it."""
        if portrait == self._portrait:
            return
        self._portrait = portrait
        self._body.setStretchFactor(self.status_panel, 3 if portrait else 1)
        self._body.setStretchFactor(self._actions, 2 if portrait else 0)
        side = 56 if portrait else 32
        for reason, button in self.reasons.buttons.items():
            button.setProperty("tall", portrait)
            button.setIcon(self._theme.icon(REASON_ICONS[reason], "#111111", side))
            button.setIconSize(QSize(side, side))
            button.setMaximumHeight(200 if portrait else 16777215)
            restyle(button)

    def apply_compact(self, multi_store: bool, height: int) -> None:
        """A short screen with the store bar: lower reason buttons (still >= 64 px), so the
        big panel keeps room. One store: the screen stays exactly as it always was."""
        compact = multi_store and height < COMPACT_BELOW_HEIGHT
        if not self.status_panel.allow_tight:
            # A banner over one store's panel on a small screen squeezes it as much as the
            # store bar does: the tight layout keeps the headline from overlapping its line.
            self.status_panel.allow_tight = True
            self.status_panel.update_fit()
        for button in self.reasons.buttons.values():
            if bool(button.property("compact")) != compact:
                button.setProperty("compact", compact)
                # Words only when low: the icon's room goes to 20 px words.
                style = (
                    Qt.ToolButtonStyle.ToolButtonTextOnly
                    if compact
                    else (Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
                )
                if isinstance(button, QToolButton):
                    button.setToolButtonStyle(style)
                restyle(button)
