"""The look: the stylesheet and the SVG icons, loaded from ``kiosk.resources``.

Loaded through ``importlib.resources`` so the same code works from a checkout, a wheel and the
pyinstaller bundle. Icons are single-colour SVGs drawn with ``currentColor``; each use picks the
colour that meets contrast on its background.
"""

from __future__ import annotations

import logging
import re
from importlib import resources
from importlib.resources.abc import Traversable

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from kiosk.core import i18n
from kiosk.ui import language

RESOURCE_PACKAGE = "kiosk.resources"
STYLESHEET = "kiosk.qss"
_SCALED = re.compile(r"\$(\d+)")
#: Every ``font-family`` list, up to its generic family (the script's own font goes there).
_FAMILIES = re.compile(r"(font-family:[^;]*?)(,\s*sans-serif)?;")
_BLANK_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"></svg>'
log = logging.getLogger(__name__)
#: No text smaller than this, even at 800x480 (scale 0.8): read at arm's length in a kitchen.
MIN_TEXT_PX = 20
#: The keyboard's place: added once a key is used (a touch screen shows no focus frame).
FOCUS_COLOUR = "#6D28D9"
#: Icons that point along the reading direction, drawn mirrored in right-to-left languages
#: (back points to where the reader came from; play, pausing and resuming lead into the clock).
#: Clocks, ticks and warnings keep their shape.
MIRRORED_ICONS = frozenset({"back", "play", "pausing", "resuming"})
FOCUS_QSS = f"\nQPushButton:focus, QToolButton:focus {{ border: 6px solid {FOCUS_COLOUR}; }}\n"


class Theme:
    """Reads resources once and hands out stylesheets and coloured icons."""

    def __init__(self, root: Traversable | None = None) -> None:
        self._root = root or resources.files(RESOURCE_PACKAGE)
        try:
            self._qss = self._root.joinpath(STYLESHEET).read_text(encoding="utf-8")
        except OSError as exc:
            # A damaged install must still show the store's status: plain Qt looks, still works.
            log.error("stylesheet %s missing (%s); reinstall the kiosk", STYLESHEET, exc)
            self._qss = ""
        self._svgs: dict[str, str] = {}
        self._pixmaps: dict[tuple[str, str, int, bool], QPixmap] = {}

    def stylesheet(self, scale: float = 1.0, *, keyboard: bool = False) -> str:
        """The stylesheet with every ``$N`` size scaled (touch targets are never scaled);
        ``keyboard``: with a visible focus frame."""
        sheet = _SCALED.sub(
            lambda m: f"{max(MIN_TEXT_PX, round(int(m.group(1)) * scale))}px", self._qss
        )
        # Hebrew or Arabic: the shipped Noto font last, as the fallback for the script's letters
        # when the PC has no font with them. Last, not first: the first font found sets the
        # line height of every label, and the layouts are measured for the Latin UI fonts
        # (Segoe UI on Windows and DejaVu Sans on Linux both carry Hebrew and Arabic).
        if families := language.font_families():
            extra = "".join(f', "{family}"' for family in families)
            sheet = _FAMILIES.sub(lambda m: f"{m.group(1)}{extra}{m.group(2) or ''};", sheet)
        return sheet + FOCUS_QSS if keyboard else sheet

    def svg(self, name: str) -> str:
        if name not in self._svgs:
            try:
                self._svgs[name] = self._root.joinpath("icons", f"{name}.svg").read_text("utf-8")
            except OSError as exc:
                # Words carry every state too, so a missing icon costs looks, not meaning.
                log.error("icon %s missing (%s); reinstall the kiosk", name, exc)
                self._svgs[name] = _BLANK_SVG
        return self._svgs[name]

    def pixmap(self, name: str, size: int, colour: str = "#111111", dpr: float = 1.0) -> QPixmap:
        key = (name, colour, round(size * dpr), name in MIRRORED_ICONS and i18n.is_rtl())
        if key not in self._pixmaps:
            svg = self.svg(name).replace("currentColor", colour)
            renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
            side = max(1, key[2])
            image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            if key[3]:
                painter.translate(side, 0)
                painter.scale(-1, 1)
            renderer.render(painter, QRectF(0, 0, side, side))
            painter.end()
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(dpr)
            self._pixmaps[key] = pixmap
        return self._pixmaps[key]

    def icon(self, name: str, colour: str = "#111111", size: int = 48) -> QIcon:
        icon = QIcon()
        for dpr in (1.0, 2.0):
            icon.addPixmap(self.pixmap(name, size, colour, dpr))
        return icon


def icon_size(px: int) -> QSize:
    return QSize(px, px)
