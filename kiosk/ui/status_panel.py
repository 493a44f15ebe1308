"""The big indicator: one glance from across the kitchen says what the store is doing.

Told apart by words and icon as well as colour; a change that Gett has not confirmed yet is
drawn striped with a dashed outline, never as a solid confirmed state.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.i18n import _
from kiosk.ui.theme import MIN_TEXT_PX, Theme
from kiosk.ui.view_model import STRIPE_COLOURS, Fill, Indicator, StateKind

RADIUS = 18.0
#: A panel lower than this (several stores on a small screen) is laid out tighter.
TIGHT_BELOW = 170
STRIPE = 28.0
#: An unconfirmed pause that escalates: a red outline and words (readable on the pale panel).
ALARM_TEXT = "#8B0000"


def _rows(lines: tuple[str, ...], px: int, weight: int, width: int) -> int:
    """How many rows ``lines`` take at ``px`` when wrapped to ``width``."""
    font = QFont()
    font.setPixelSize(max(1, px))
    font.setWeight(QFont.Weight(weight))
    metrics = QFontMetrics(font)
    return sum(max(1, -(-metrics.horizontalAdvance(line) // max(1, width))) for line in lines)


class StatusPanel(QFrame):
    """Paints the indicator and scales its text to the space it has."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._indicator: Indicator | None = None
        self._sizes = (48, 24, 18)
        self._sheet = ""
        self._tight = False  # a short panel (several stores on a small screen)
        self.allow_tight = False  # (the home page allows it: a short panel, by a bar or banner)
        self._shown_lines = 0
        self.setObjectName("StatusPanel")
        self.setAccessibleName(_("Store status"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.icon = QLabel()
        self.icon.setAccessibleName(_("Status icon"))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.headline = QLabel()
        self.headline.setObjectName("Headline")
        self.headline.setAccessibleName(_("Status"))
        self.subheadline = QLabel()
        self.subheadline.setObjectName("Subheadline")
        self.subheadline.setAccessibleName(_("Status detail"))
        self.subheadline.setWordWrap(True)
        self.details = QLabel()
        self.details.setObjectName("Details")
        self.details.setAccessibleName(_("Status lines"))
        self.details.setWordWrap(True)
        for widget in (self.headline, self.subheadline, self.details):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.icon)
        top.addSpacing(16)
        top.addWidget(self.headline)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(6)
        layout.addStretch(1)
        layout.addLayout(top)
        layout.addWidget(self.subheadline)
        layout.addSpacing(8)
        layout.addWidget(self.details)
        layout.addStretch(1)

    @property
    def indicator(self) -> Indicator | None:
        return self._indicator

    def set_indicator(self, indicator: Indicator) -> None:
        if indicator == self._indicator:
            return
        old_kind = self._indicator.kind if self._indicator else None
        self._indicator = indicator
        self.headline.setText(indicator.headline)
        self.subheadline.setText(indicator.subheadline)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setText("\n".join(indicator.lines))
        self._shown_lines = len(indicator.lines)
        self.details.setVisible(bool(indicator.lines))
        self.setAccessibleDescription(indicator.accessible_text)
        self.headline.setAccessibleDescription(indicator.accessible_text)
        self.setProperty("state", indicator.kind.value)
        if old_kind != indicator.kind:
            self._fit()
        else:
            self._fit_text()
        self.update()

    # -- sizing: the indicator fills the space it gets, at any resolution ----------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def update_fit(self) -> None:
        """Fit the text again (after ``allow_tight`` changed)."""
        self._fit()

    def _fit(self) -> None:
        self._fit_text()
        indicator = self._indicator
        if indicator is None:
            return
        side = max(28 if self._tight else 48, round(self._sizes[0] * 1.15))
        self.icon.setPixmap(
            self._theme.pixmap(
                indicator.icon, side, indicator.palette.foreground, self.devicePixelRatioF()
            )
        )
        if self.icon.size().width() != side:
            self.icon.setFixedSize(side, side)
            self._relayout()

    def _fit_text(self) -> None:
        indicator = self._indicator
        if indicator is None:
            return
        width = max(200, self.width() - 60)
        if self.allow_tight and self.height() < TIGHT_BELOW:
            self._fit_tight(indicator, width)
            return
        self._set_tight(False)
        self.subheadline.show()
        self._show_lines(len(indicator.lines))
        height = max(160, self.height())
        lines = max(1, len(indicator.lines))
        # Headline as big as it fits: a share of the height, capped by the width it needs.
        size = min(190, max(34, int(height * (0.26 if lines <= 2 else 0.2))))
        font = QFont(self.headline.font())
        font.setBold(True)
        font.setWeight(QFont.Weight.Black)
        icon_room = size * 1.15 + 16
        while size > 30:
            font.setPixelSize(size)
            if QFontMetrics(font).horizontalAdvance(indicator.headline) + icon_room <= width:
                break
            size -= 2
            icon_room = size * 1.15 + 16
        sub_px = max(22, min(72, int(size * 0.42)))
        detail_px = max(MIN_TEXT_PX, min(40, int(size * 0.24)))
        # A long headline is held back by the width; the lines below wrap, so in a tall
        # panel (portrait) they may still grow with the height.
        sub_px = max(sub_px, min(52, int(height * 0.045)))
        detail_px = max(detail_px, min(34, int(height * 0.03)))
        if indicator.alarm:
            sub_px = self._alarm_size(indicator, sub_px, width, height * 0.8 - size * 1.3 - 60)
        # Keep all lines inside the panel on small screens: smaller, then the last lines left
        # out (the accessible text keeps them); the first line (why, or what to do) stays.
        sub_rows = _rows((indicator.subheadline,), sub_px, 700, width)
        budget = height - size * 1.3 - sub_px * 1.5 * sub_rows - 60
        while detail_px > MIN_TEXT_PX and detail_px * 1.45 * lines * 1.3 > budget:
            detail_px -= 1
        shown = len(indicator.lines)
        while (
            shown > 1
            and detail_px * 1.45 * _rows(indicator.lines[:shown], detail_px, 600, width) > budget
        ):
            shown -= 1
        half = -(-len(indicator.lines) // 2)
        room = budget + sub_px * 1.5 * sub_rows  # without the count sentence
        if indicator.summary and shown < len(indicator.lines) and half * detail_px * 1.45 <= room:
            # "All stores": every store's line, in two columns in place of the count sentence
            # (the headline says the count; screen readers still get the sentence).
            self.subheadline.hide()
            self._two_columns(indicator.lines, width, detail_px)
        else:
            self._show_lines(shown)
        self._apply_sizes(indicator, size, sub_px, detail_px)

    def _alarm_size(self, indicator: Indicator, sub_px: int, width: int, room: float) -> int:
        """An unconfirmed pause: "orders can still come in" grows each minute: on one line
        first, then on two, and never past ``room`` px of height (the lines below stay)."""
        font = QFont(self.subheadline.font())
        font.setBold(True)
        lines = 1 if indicator.alarm == 1 else 2
        grown = round(sub_px * (1 + 0.25 * indicator.alarm))
        while grown > sub_px:
            font.setPixelSize(grown)
            text = QFontMetrics(font).horizontalAdvance(indicator.subheadline)
            needed = 1 if text <= width else 2
            if text <= width * lines * 0.85 and grown * 1.5 * needed <= room:
                break
            grown -= 1
        return grown

    def _fit_tight(self, indicator: Indicator, width: int) -> None:
        """Below TIGHT_BELOW px (the store bar on a small screen): smaller type and margins,
        and the last detail lines left out if they cannot fit (the accessible text keeps them).
        The headline and the first line (what waits, or why) always stay."""
        self._set_tight(True)
        height = self.height()
        size = max(26, int(height * 0.24))
        font = QFont(self.headline.font())
        font.setWeight(QFont.Weight.Black)
        while size > 22:
            font.setPixelSize(size)
            if QFontMetrics(font).horizontalAdvance(indicator.headline) + size * 1.2 <= width:
                break
            size -= 2
        sub_px = max(MIN_TEXT_PX, int(size * 0.6))
        detail_px = MIN_TEXT_PX
        budget = height - 8 - size * 1.3 - sub_px * 1.4
        shown = max(1, min(len(indicator.lines), int(budget // (detail_px * 1.4))))
        detail_font = QFont(self.details.font())
        detail_font.setPixelSize(detail_px)
        rows = int((height - 8 - size * 1.2) // QFontMetrics(detail_font).height())
        if indicator.summary and shown < len(indicator.lines) and 2 * rows >= len(indicator.lines):
            # "All stores": every store's line in two columns, in place of the count sentence
            # (the headline says the count; screen readers still get the sentence).
            self.subheadline.hide()
            self._two_columns(indicator.lines, width, detail_px)
        else:
            self.subheadline.show()
            self._show_lines(shown if indicator.lines else 0)
        self._apply_sizes(indicator, size, sub_px, detail_px)

    def _two_columns(self, lines: tuple[str, ...], width: int, px: int) -> None:
        """Each line elided to half the width, set in an escaped table (names are config)."""
        font = QFont(self.details.font())
        font.setPixelSize(px)
        font.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(font)
        column = max(60, (width - 24) // 2)
        # Rich text takes a cell's direction from its first letter and does not look past an
        # isolated store name: a right-to-left mark starts each cell in Hebrew and Arabic.
        start = "\u200f" if self.isRightToLeft() else ""
        cells = [
            start + html.escape(metrics.elidedText(line, Qt.TextElideMode.ElideRight, column))
            for line in lines
        ]
        half = -(-len(cells) // 2)
        rows = "".join(
            f"<tr><td width='50%'>{cells[i]}</td>"
            f"<td width='50%'>{cells[i + half] if i + half < len(cells) else ''}</td></tr>"
            for i in range(half)
        )
        self._shown_lines = -1  # (not a count of plain lines)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setText(f"<table width='100%' cellspacing='0' cellpadding='0'>{rows}</table>")

    def _set_tight(self, tight: bool) -> None:
        if tight == self._tight:
            return
        self._tight = tight
        layout = self.layout()
        if layout is not None:
            layout.setContentsMargins(*((16, 4, 16, 4) if tight else (24, 16, 24, 16)))
            layout.setSpacing(1 if tight else 6)

    def _show_lines(self, count: int) -> None:
        indicator = self._indicator
        if indicator is None or count == self._shown_lines:
            return
        self._shown_lines = count
        self.details.setTextFormat(Qt.TextFormat.PlainText)  # (store names are config text)
        self.details.setText("\n".join(indicator.lines[:count]))

    def _apply_sizes(self, indicator: Indicator, size: int, sub_px: int, detail_px: int) -> None:
        """Sizes go through the stylesheet: the app's stylesheet would override setFont()."""
        self._sizes = (size, sub_px, detail_px)
        sub_colour = f"color: {ALARM_TEXT};" if indicator.alarm else ""
        sheet = (
            f"QLabel {{ color: {indicator.palette.foreground}; background: transparent; }}"
            f"QLabel#Headline {{ font-size: {size}px; font-weight: 900; }}"
            f"QLabel#Subheadline {{ font-size: {sub_px}px; font-weight: 700; {sub_colour} }}"
            f"QLabel#Details {{ font-size: {detail_px}px; font-weight: 600; }}"
        )
        if sheet != self._sheet:
            self._sheet = sheet
            self.setStyleSheet(sheet)
            self._relayout()

    def _relayout(self) -> None:
        """New font or icon sizes change the size hints: lay out again now, not on a later
        pass, or the next frame draws the old geometry with the new text (overlapping)."""
        for label in (self.icon, self.headline, self.subheadline, self.details):
            label.ensurePolished()
            label.updateGeometry()
        layout = self.layout()
        if layout is not None:
            layout.invalidate()
            layout.activate()

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        indicator = self._indicator
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(3, 3, -3, -3)
        path = QPainterPath()
        path.addRoundedRect(rect, RADIUS, RADIUS)
        if indicator is None:
            painter.fillPath(path, QColor("#4B4F54"))
            return
        palette = indicator.palette
        painter.fillPath(path, QColor(palette.background))
        if indicator.fill is Fill.STRIPED:
            painter.save()
            painter.setClipPath(path)
            stripe = QColor(STRIPE_COLOURS.get(indicator.kind, palette.background))
            pen = QPen(stripe, STRIPE / 2)
            painter.setPen(pen)
            span = rect.width() + rect.height()
            x = -rect.height()
            while x < span:
                painter.drawLine(
                    QPointF(rect.left() + x, rect.bottom()),
                    QPointF(rect.left() + x + rect.height(), rect.top()),
                )
                x += STRIPE * 1.5
            painter.restore()
            pen = QPen(QColor(palette.accent), 6, Qt.PenStyle.DashLine)
            if indicator.alarm:
                pen = QPen(QColor(ALARM_TEXT), 6 + 3 * indicator.alarm, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawPath(path)
        elif indicator.kind is StateKind.CONFLICT:
            painter.setPen(QPen(QColor(palette.accent), 6))
            painter.drawPath(path)
