"""The store bar: one big button per store, and "All stores", when a kiosk runs several brands.

Each button says the store's name and its state in the same words and icon as the big panel
(the colour only repeats them); a change Gett has not confirmed yet is striped with a dashed
outline, as on the panel. The selected button is marked by a thick black frame and a check
badge, not by colour alone. Buttons wrap into two rows when one row would make them too narrow,
and beyond that the stores scroll sideways while "All stores" stays put.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import reduce

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QWidget,
)

from kiosk.core import i18n
from kiosk.core.config import Store
from kiosk.core.i18n import _, isolate
from kiosk.ui.screen_state import ALL_STORES
from kiosk.ui.theme import FOCUS_COLOUR, MIN_TEXT_PX, Theme
from kiosk.ui.view_model import STRIPE_COLOURS, Fill, Indicator, Palette, short_words

#: Never narrower than this: below it the buttons wrap into a second row, then scroll.
MIN_BUTTON_WIDTH = 136
MAX_BUTTON_WIDTH = 360
#: Touch targets are never scaled below this.
MIN_BUTTON_HEIGHT = 72  # (a 20 px name over a 20 px word, inside a selected frame)
SPACING = 8
#: Two rows only when the window is tall enough; a short screen scrolls one row instead.
TWO_ROWS_MIN_HEIGHT = 700
SELECTED_FRAME = "#111111"
ALL_PALETTE = Palette("#FFFFFF", "#111111", "#3A3A3A")
RADIUS = 12.0
STRIPE = 16.0


def name_px(scale: float) -> int:
    """The store's name: never below MIN_TEXT_PX, larger on big screens."""
    return max(MIN_TEXT_PX, round(20 * scale))


def fit_word(
    word: str, base: QFont, scale: float, width: float, room: float, *, inline_icon: bool
) -> tuple[str, QFont, int]:
    """The state word on one line: the full word as large as fits (down to MIN_TEXT_PX), with
    the icon in front if it fits too, else a shorter word ("CHANGED"), else elided. Returns
    the text, its font and the icon's side (0: no icon)."""
    font = QFont(base)
    font.setWeight(QFont.Weight.Black)
    start = max(MIN_TEXT_PX, round(24 * scale))
    forms = short_words(word)
    for text in forms:
        # A longer form may shrink to the name's size, the shortest down to MIN_TEXT_PX: on a
        # big screen "CHANGED" at full size reads better than a small "CHANGED ELSEWHERE".
        floor = MIN_TEXT_PX if text == forms[-1] else name_px(scale)
        for with_icon in (True, False) if inline_icon else (False,):
            for size in range(start, floor - 1, -1):
                font.setPixelSize(size)
                metrics = QFontMetrics(font)
                icon = metrics.height() + 2 if with_icon else 0
                free = width - (icon + 4 if with_icon else 0)
                if metrics.horizontalAdvance(text) <= free and metrics.height() <= max(
                    room, MIN_TEXT_PX * 1.2
                ):
                    return text, QFont(font), icon
    font.setPixelSize(MIN_TEXT_PX)
    shortest = forms[-1]
    return QFontMetrics(font).elidedText(shortest, Qt.TextElideMode.ElideRight, int(width)), font, 0


class StoreButton(QAbstractButton):
    """Paints a store's name, state icon and state word; a check badge when selected."""

    def __init__(self, theme: Theme, name: str, accessible: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = theme
        self._name = name
        self._word = ""
        self._icon = "question"
        self._palette = ALL_PALETTE
        self._fill = Fill.SOLID
        self._stripe = "#E4E4E4"
        self._selected = False
        self._alert: str | None = None
        self._scale = 1.0
        #: What the last paint showed: (name, word, word line px, name px); tests read it.
        self.shown_texts: tuple[str, str, int, int] = ("", "", 0, 0)
        #: Where the last paint put the name's and word's ink and each badge; tests read it.
        self.shown_rects: dict[str, QRectF] = {}
        self.setAccessibleName(accessible)
        self.setObjectName(accessible.replace(" ", "_").replace(":", ""))
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # keyboard, not taps
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumSize(MIN_BUTTON_WIDTH, MIN_BUTTON_HEIGHT)
        self.setMaximumWidth(MAX_BUTTON_WIDTH)
        self.setFixedHeight(self.bar_height(self._scale))
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    # -- state -----------------------------------------------------------------------------

    @property
    def word(self) -> str:
        return self._word

    @property
    def selected(self) -> bool:
        return self._selected

    @property
    def alert(self) -> str | None:
        return self._alert

    def set_state(
        self, indicator: Indicator, *, alert: str | None = None, neutral: bool = False
    ) -> None:
        """``neutral``: drawn white with the "stores" icon (the "All stores" button)."""
        palette = ALL_PALETTE if neutral else indicator.palette
        icon = "stores" if neutral else indicator.icon
        changed = (indicator.headline, icon, palette, indicator.fill, alert) != (
            self._word,
            self._icon,
            self._palette,
            self._fill,
            self._alert,
        )
        self._word, self._icon, self._palette = indicator.headline, icon, palette
        self._fill, self._alert = indicator.fill, alert
        self._stripe = (
            "#E4E4E4" if neutral else STRIPE_COLOURS.get(indicator.kind, palette.background)
        )
        words = [indicator.headline, indicator.subheadline]
        if alert:
            words.append(_("Needs attention: {alert}").format(alert=isolate(alert)))
        if self._selected:
            words.append(_("Shown now"))
        self.setAccessibleDescription(
            reduce(lambda a, b: _("{first}. {second}").format(first=a, second=b), words)
        )
        if changed:
            self.update()

    def set_selected(self, selected: bool) -> None:
        if selected != self._selected:
            self._selected = selected
            self.update()

    def set_scale(self, scale: float) -> None:
        if scale != self._scale:
            self._scale = scale
            self.setFixedHeight(self.bar_height(scale))
            self.updateGeometry()
            self.update()

    @staticmethod
    def bar_height(scale: float) -> int:
        return max(MIN_BUTTON_HEIGHT, round(84 * scale))

    def sizeHint(self) -> QSize:
        return QSize(round(220 * self._scale), self.bar_height(self._scale))

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_BUTTON_WIDTH, MIN_BUTTON_HEIGHT)

    # -- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self._palette
        frame = 7.0 if self._selected else 2.0
        rect = QRectF(self.rect()).adjusted(frame / 2, frame / 2, -frame / 2, -frame / 2)
        path = QPainterPath()
        path.addRoundedRect(rect, RADIUS, RADIUS)
        background = QColor(palette.background)
        if self.isDown():
            background = background.darker(115)
        painter.fillPath(path, background)
        striped = self._fill is Fill.STRIPED
        if striped:
            painter.save()
            painter.setClipPath(path)
            stripe = QColor(self._stripe)
            painter.setPen(QPen(stripe, STRIPE / 2))
            x = -rect.height()
            while x < rect.width() + rect.height():
                painter.drawLine(
                    QPointF(rect.left() + x, rect.bottom()),
                    QPointF(rect.left() + x + rect.height(), rect.top()),
                )
                x += STRIPE * 1.5
            painter.restore()
        if self._selected:
            painter.setPen(QPen(QColor(SELECTED_FRAME), frame))
            painter.drawPath(path)
            if striped:  # keep "not confirmed" visible inside the selection frame
                dashed = QPainterPath()
                dashed.addRoundedRect(rect.adjusted(6, 6, -6, -6), RADIUS - 4, RADIUS - 4)
                painter.setPen(QPen(QColor(palette.accent), 2.5, Qt.PenStyle.DashLine))
                painter.drawPath(dashed)
        else:
            style = Qt.PenStyle.DashLine if striped else Qt.PenStyle.SolidLine
            painter.setPen(QPen(QColor(palette.accent), 3 if striped else frame, style))
            painter.drawPath(path)
        if self.hasFocus() and self.window().property(
            "keyboard"
        ):  # the keyboard's place, as the stylesheet marks other buttons
            painter.setPen(QPen(QColor(FOCUS_COLOUR), 5))
            painter.drawPath(path)

        pad = 6.0 + (4.0 if self._selected else 0.0)
        inner = rect.adjusted(pad, pad * 0.5, -pad, -pad * 0.5)
        badge = round(max(22.0, min(28.0, 26 * self._scale)))
        badges = [b for b, on in (("check", self._selected), ("warning", bool(self._alert))) if on]
        dpr = self.devicePixelRatioF()
        if inner.width() >= 200:
            # Wide: the state icon big on the left, the name over the state word beside it.
            side = int(min(inner.height() * 0.6, 40 * self._scale + 4))
            pixmap = self._theme.pixmap(self._icon, side, palette.foreground, dpr)
            at = self._mirror(QRectF(inner.left(), inner.center().y() - side / 2, side, side))
            painter.drawPixmap(at.topLeft(), pixmap)
            left = inner.left() + side + 8
            text_rect = QRectF(left, inner.top(), inner.right() - left, inner.height())
            self._paint_texts(painter, text_rect, palette, badges, badge, inline_icon=False)
        else:
            # Narrow: the name gets the whole width; the icon goes in front of the word.
            self._paint_texts(painter, inner, palette, badges, badge, inline_icon=True)

    def _paint_texts(
        self, painter: QPainter, rect: QRectF, palette: Palette, badges: list[str],
        badge: int, *, inline_icon: bool,
    ) -> None:  # fmt: skip
        """Badges (check, warning) sit at the right of the name's line, or of the word's line
        when the name needs the width and the word does not: never over the words."""
        name_font = QFont(self.font())
        name_font.setPixelSize(name_px(self._scale))
        name_font.setWeight(QFont.Weight.DemiBold)
        name_metrics = QFontMetrics(name_font)
        badge_room = len(badges) * (badge + 4)
        room = rect.height() - name_metrics.height()
        width = rect.width()
        on_word_line = False
        if badges and name_metrics.horizontalAdvance(self._name) > width - badge_room:
            text, _size, _icon = fit_word(
                self._word, self.font(), self._scale, width - badge_room, room,
                inline_icon=inline_icon,
            )  # fmt: skip
            on_word_line = text == self._word
        name_width = width - (0 if on_word_line else badge_room)
        word_width = width - (badge_room if on_word_line else 0)
        name = name_metrics.elidedText(self._name, Qt.TextElideMode.ElideRight, int(name_width))
        word, word_font, icon_side = fit_word(
            self._word, self.font(), self._scale, word_width, room, inline_icon=inline_icon
        )
        self.shown_texts = (name, word, word_font.pixelSize(), name_font.pixelSize())
        word_height = min(room, float(QFontMetrics(word_font).height()))
        top = rect.top() + max(0.0, (rect.height() - name_metrics.height() - word_height) / 2)
        painter.setPen(QColor(palette.foreground))
        painter.setFont(name_font)
        start = self._start()
        painter.drawText(
            self._mirror(QRectF(rect.left(), top, name_width, name_metrics.height())),
            int(start | Qt.AlignmentFlag.AlignVCenter),
            i18n.isolate(name),  # a Latin name keeps its "…" at its own end in right-to-left
        )
        word_top = top + name_metrics.height()
        word_left = rect.left()
        if icon_side:
            pixmap = self._theme.pixmap(
                self._icon, icon_side, palette.foreground, self.devicePixelRatioF()
            )
            painter.drawPixmap(
                self._mirror(QRectF(rect.left(), word_top, icon_side, icon_side)).topLeft(),
                pixmap,
            )
            word_left += icon_side + 4
        painter.setFont(word_font)
        painter.drawText(
            self._mirror(QRectF(word_left, word_top, rect.right() - word_left, room)),
            int(start | Qt.AlignmentFlag.AlignTop),
            word,
        )
        self.shown_rects = {
            "name": self._mirror(
                QRectF(
                    rect.left(), top, name_metrics.horizontalAdvance(name), name_metrics.height()
                )
            ),
            "word": self._mirror(
                QRectF(
                    word_left,
                    word_top,
                    QFontMetrics(word_font).horizontalAdvance(word),
                    word_height,
                )
            ),
        }
        x = rect.right() - badge
        line_top = word_top if on_word_line else top
        line_height = word_height if on_word_line else name_metrics.height()
        y = line_top + max(0.0, (line_height - badge) / 2)
        for icon in badges:
            place = self._mirror(QRectF(x, y, badge, badge))
            self._paint_badge(painter, place.left(), y, badge, icon, icon == "warning")
            self.shown_rects[icon] = place
            x -= badge + 4

    def _mirror(self, rect: QRectF) -> QRectF:
        """A place worked out left to right, on the other side in a right-to-left language
        (the icon before the words, the badges after them, as the reader reads)."""
        if not self.isRightToLeft():
            return rect
        return QRectF(self.width() - rect.right(), rect.top(), rect.width(), rect.height())

    def _start(self) -> Qt.AlignmentFlag:
        """The side the words start from (absolute: the rects are already mirrored)."""
        side = Qt.AlignmentFlag.AlignRight if self.isRightToLeft() else Qt.AlignmentFlag.AlignLeft
        return side | Qt.AlignmentFlag.AlignAbsolute

    def _paint_badge(
        self, painter: QPainter, x: float, y: float, side: float, icon: str, alert: bool = False
    ) -> None:
        """A white-on-black check (selected) or a white-on-rust warning (needs attention)."""
        painter.setPen(QPen(QColor("#FFFFFF"), 1.5))
        painter.setBrush(QColor("#B43C00" if alert else "#111111"))
        painter.drawEllipse(QRectF(x, y, side, side))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = side * (0.2 if alert else 0.0)
        glyph = self._theme.pixmap(
            icon, max(8, int(side - 2 * inset)), "#FFFFFF", self.devicePixelRatioF()
        )
        painter.drawPixmap(QPointF(x + inset, y + inset), glyph)


def store_name(store: Store) -> str:
    """A store button's accessible name ("Store: Main Street")."""
    return _("Store: {store}").format(store=isolate(store.name))


class StoreBar(QFrame):
    """A button per store plus "All stores" (set apart on the right).

    Signals:
        store_selected(str): a store id, or ``ALL_STORES``.
    """

    store_selected = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._scale = 1.0
        self._rows = 1
        self._max_rows = 2
        self.setObjectName("StoreBar")
        self.setAccessibleName(_("Stores"))
        self.buttons: dict[str, StoreButton] = {}
        self.all_button = StoreButton(theme, _("All stores"), _("All stores"))
        self.all_button.clicked.connect(self.on_all_button_clicked)
        self._grid_host = QWidget()
        self._grid_host.setObjectName("StoreBarStores")
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(SPACING)
        self.stores_area = QScrollArea()
        self.stores_area.setObjectName("StoreBarScroll")
        self.stores_area.setWidget(self._grid_host)
        self.stores_area.setWidgetResizable(True)
        self.stores_area.setFrameShape(QFrame.Shape.NoFrame)
        self.stores_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stores_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._swipe = False  # the swipe gesture is set up with the second store (~20 ms)
        divider = QFrame()
        divider.setObjectName("StoreBarDivider")
        divider.setFrameShape(QFrame.Shape.VLine)
        divider.setFixedWidth(3)
        layout = QHBoxLayout(self)
        self._layout = layout
        layout.setContentsMargins(12, 8, 12, 0)
        layout.setSpacing(12)
        layout.addWidget(self.stores_area, 1)
        layout.addWidget(divider)
        layout.addWidget(self.all_button, 0, Qt.AlignmentFlag.AlignTop)
        self.all_button.setFixedWidth(200)

    # -- content ---------------------------------------------------------------------------

    def set_stores(self, stores: Sequence[Store]) -> None:
        if [s.id for s in stores] == list(self.buttons) and all(
            self.buttons[s.id].accessibleName() == store_name(s) for s in stores
        ):
            return
        for button in self.buttons.values():
            self._grid.removeWidget(button)
            button.hide()  # now: the deferred delete may come only after the next paint
            button.deleteLater()
        self.buttons = {}
        if len(stores) > 1 and not self._swipe:
            self._swipe = True
            QScroller.grabGesture(
                self.stores_area.viewport(), QScroller.ScrollerGestureType.TouchGesture
            )
        for store in stores:
            button = StoreButton(self._theme, store.name, store_name(store))
            button.set_scale(self._scale)
            button.clicked.connect(lambda _=False, sid=store.id: self.on_store_button_clicked(sid))
            self.buttons[store.id] = button
        self._rows = 0  # force a re-flow
        self._reflow()

    def set_selected(self, store_id: str) -> None:
        for sid, button in self.buttons.items():
            button.set_selected(sid == store_id)
        self.all_button.set_selected(store_id == ALL_STORES)

    def set_scale(self, scale: float, window_height: int) -> None:
        max_rows = 2 if window_height >= TWO_ROWS_MIN_HEIGHT else 1
        if (scale, max_rows) == (self._scale, self._max_rows):
            return
        self._scale, self._max_rows = scale, max_rows
        for button in (*self.buttons.values(), self.all_button):
            button.set_scale(scale)
        self.all_button.setFixedWidth(max(MIN_BUTTON_WIDTH + 16, round(200 * scale)))
        self._rows = 0
        self._reflow()

    # -- layout: one row, else two, else scroll sideways -----------------------------------

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._reflow()

    def rows_for(self, width: int) -> int:
        count = len(self.buttons)
        for rows in range(1, self._max_rows + 1):
            columns = math.ceil(count / rows)
            if columns * MIN_BUTTON_WIDTH + (columns - 1) * SPACING <= width:
                return rows
        return self._max_rows

    def _reflow(self) -> None:
        if not self.buttons:
            return
        margins = self._layout.contentsMargins()
        room = (
            self.width()
            - margins.left()
            - margins.right()
            - self.all_button.width()
            - 3
            - 2 * self._layout.spacing()
        )
        rows = self.rows_for(room)
        if rows != self._rows:
            self._rows = rows
            columns = math.ceil(len(self.buttons) / rows)
            for button in self.buttons.values():
                self._grid.removeWidget(button)
            for i, button in enumerate(self.buttons.values()):
                self._grid.addWidget(button, i // columns, i % columns)
            for column in range(self._grid.columnCount()):
                self._grid.setColumnStretch(column, 0)
            self._grid.setColumnStretch(columns, 1)  # short rows stay left, buttons not huge
        height = StoreButton.bar_height(self._scale)
        content = rows * height + (rows - 1) * SPACING
        columns = math.ceil(len(self.buttons) / rows)
        needed = columns * MIN_BUTTON_WIDTH + (columns - 1) * SPACING
        each = (room - (columns - 1) * SPACING) // columns
        each = max(MIN_BUTTON_WIDTH, min(MAX_BUTTON_WIDTH, each))
        for button in self.buttons.values():
            if button.width() != each or button.minimumWidth() != each:
                button.setFixedWidth(each)
        scrollbar = (
            self.stores_area.horizontalScrollBar().sizeHint().height() if needed > room else 0
        )
        self._grid_host.setMinimumWidth(needed)
        self.stores_area.setFixedHeight(content + scrollbar)
        self.setFixedHeight(content + scrollbar + self._layout.contentsMargins().top())

    # -- taps ------------------------------------------------------------------------------

    @Slot(str)
    def on_store_button_clicked(self, store_id: str) -> None:
        self.store_selected.emit(store_id)

    @Slot()
    def on_all_button_clicked(self) -> None:
        self.store_selected.emit(ALL_STORES)
