"""The pause log page: today's shift summary over every change made from this kiosk.

Read-only and open to anyone (no PIN): it only shows what the queue already holds, read by the
sync worker (``Session.request_history``), in the CLI's words. The rows say their outcome in words
and a mark ("✓" / "!"), never by colour alone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.i18n import N_, _, ltr
from kiosk.ui.shift_log import ShiftLog
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import big_button, label

READING = N_("Reading the pause log…")  # (translated when shown)


class LogPage(QWidget):
    """``back_button`` is wired by the window (home)."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("page", True)
        self.title = label(_("Pause log"), "Title", wrap=False, name=N_("Pause log title"))
        self.back_button = big_button(
            _("Back"), N_("Back from pause log"), role="quiet", theme=theme, icon="back"
        )
        self.back_button.setMaximumWidth(220)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.back_button)
        self.summary = label("", "LogSummary", name=N_("Shift summary"))
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.rows_host = QWidget()
        self.rows_layout = QVBoxLayout(self.rows_host)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(4)
        self.rows_layout.addStretch(1)
        self.area = QScrollArea()
        self.area.setObjectName("LogRows")
        self.area.setAccessibleName(_("Pause log entries"))
        self.area.setWidgetResizable(True)
        self.area.setWidget(self.rows_host)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(self.area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.area, 1)
        self.rows: list[QLabel] = []
        self.show_message(_(READING))

    def show_message(self, text: str) -> None:
        """While reading, or why the log cannot be shown (one plain sentence)."""
        self.summary.setText(text)
        self._set_rows([])

    def show_log(self, log: ShiftLog) -> None:
        self.summary.setText("\n".join(log.summary))
        self._set_rows(
            [
                _("{mark} {time}  {text}").format(
                    mark="✓" if r.ok else "!", time=r.when, text=r.text
                )
                for r in log.rows
            ]
        )

    def _set_rows(self, texts: list[str]) -> None:
        for row in self.rows:
            self.rows_layout.removeWidget(row)
            row.hide()  # now: the deferred delete may come only after the next paint
            row.deleteLater()
        self.rows = []
        for n, text in enumerate(texts):
            row = label(text, "LogRow", name=_("Log entry {n}").format(n=ltr(n + 1)))
            row.setTextFormat(Qt.TextFormat.PlainText)  # (a server's words are never markup)
            self.rows_layout.insertWidget(n, row)
            self.rows.append(row)
