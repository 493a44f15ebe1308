"""Render every screen state to PNGs, so a person can check the look by eye.

    QT_QPA_PLATFORM=offscreen python -m kiosk.ui.gallery out/gallery [--language he|all]

Writes ``<state>-<width>x<height>.png`` at 1280x800, 800x480, portrait 800x1280 and 1920x1080,
in English, or in one language, or (``all``) in every shipped language, each in its own folder
``out/gallery/<lang>/``. No network, no worker: each state is a made-up
:class:`~kiosk.ui.screen_state.Screen`, drawn with :meth:`MainWindow.show_screen`.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.core import i18n
from kiosk.core.client import CERTIFICATE_MESSAGE
from kiosk.core.config import Config, Store, UiSettings
from kiosk.core.i18n import _, isolate, ltr
from kiosk.core.keystore import MemoryKeyStore
from kiosk.core.models import PauseReason, StoreState, StoreStatus, StoreStatusUpdate
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.sync import Attention, AttentionKind, Connectivity, Link, StoreView
from kiosk.ui.screen_state import Screen, ScreenState
from kiosk.ui.shift_log import shift_log
from kiosk.ui.view_model import LocalTime

if TYPE_CHECKING:
    from kiosk.ui.main_window import MainWindow

SIZES = ((1280, 800), (800, 480), (800, 1280), (1920, 1080))
NOW = datetime(2026, 1, 15, 14, 7, tzinfo=UTC)
STORE = Store("3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c", "Main Street")
#: A ghost kitchen: several brands from one kitchen (the last name is long on purpose).
BRANDS = (
    STORE,
    Store("8d2e4b1a-0c3f-4e5d-9b6a-7f1e2d3c4b5a", "Pizza Nonna"),
    Store("1b7c9d2e-4f6a-4b8c-8d0e-2f4a6b8c0d1e", "Green Bowl"),
    Store("5e9f1a3b-7c2d-4e6f-a8b0-c1d3e5f7a9b2", "Taco Loco Late Night Kitchen"),
)
ONLINE = Connectivity(Link.ONLINE, NOW, None)
SUPPORT = "+44 20 7946 0000"  # (a drama number: Ofcom keeps 020 7946 0xxx for fiction)
OFFLINE = Connectivity(Link.OFFLINE, NOW - timedelta(minutes=3), "Could not connect to Gett")


class FixedClock:
    """Always 14:07 (UTC on screen), so pictures are comparable between runs."""

    def now(self) -> datetime:
        return NOW

    def monotonic(self) -> float:
        return 1000.0


def _intent(
    update: StoreStatusUpdate,
    state: IntentState,
    attempts: int = 0,
    store: Store = STORE,
    waited: float = 20.0,
) -> Intent:
    """``waited``: seconds since the tap (an unconfirmed pause escalates after 30)."""
    return Intent(
        1, store.id, update, NOW - timedelta(seconds=waited), "ui", state, attempts,
        NOW + timedelta(seconds=25), attempts > 0,
        "Could not connect to Gett (connection refused)." if attempts else None,
        None, None, StoreStatus(StoreState.ONLINE), None,
    )  # fmt: skip


def _log() -> list[Intent]:
    """A lunch service's changes, newest first, as the queue's history gives them."""
    busy = StoreStatusUpdate.pause(PauseReason.TOO_BUSY, NOW - timedelta(minutes=50))
    staff = StoreStatusUpdate.pause(PauseReason.STAFF_SHORTAGE, None)
    done, failed = IntentState.DELIVERED, IntentState.FAILED
    return [
        _intent(StoreStatusUpdate.resume(), done, waited=600),
        _intent(staff, done, waited=1800),
        _intent(staff, failed, waited=1900),
        _intent(busy, done, waited=4800),
        _intent(StoreStatusUpdate.resume(), done, waited=86_400 + 3600),
    ]


def _paused(resume_in: float | None, reason: PauseReason = PauseReason.TOO_BUSY) -> StoreStatus:
    return StoreStatus(
        StoreState.PAUSED,
        reason,
        NOW - timedelta(minutes=41),
        None if resume_in is None else NOW + timedelta(minutes=resume_in),
    )


def states() -> dict[str, tuple[StoreView | None, Connectivity]]:
    online = StoreStatus(StoreState.ONLINE)
    pause = StoreStatusUpdate.pause(PauseReason.TOO_BUSY, NOW + timedelta(minutes=30))
    return {
        "online": (StoreView(STORE, online, NOW), ONLINE),
        "paused": (StoreView(STORE, _paused(23), NOW), ONLINE),
        "paused-open-ended": (
            StoreView(STORE, _paused(None, PauseReason.MAINTENANCE), NOW),
            ONLINE,
        ),
        "pausing-offline": (
            StoreView(
                STORE, online, NOW - timedelta(minutes=1), _intent(pause, IntentState.PENDING, 3)
            ),
            OFFLINE,
        ),
        # Not confirmed for 2.5 minutes: orders can still come in, and it says so, loudly.
        "pausing-escalated": (
            StoreView(
                STORE,
                online,
                NOW - timedelta(minutes=3),
                _intent(pause, IntentState.PENDING, 6, waited=150),
            ),
            OFFLINE,
        ),
        "resuming-not-confirmed": (
            StoreView(
                STORE,
                _paused(23),
                NOW,
                _intent(StoreStatusUpdate.resume(), IntentState.PENDING),
            ),
            ONLINE,
        ),
        "unknown-stale": (StoreView(STORE, _paused(None), NOW - timedelta(minutes=12)), OFFLINE),
        "unknown-first": (StoreView(STORE), Connectivity()),
        "changed-elsewhere": (
            StoreView(
                STORE,
                _paused(None, PauseReason.OTHER),
                NOW,
                _intent(StoreStatusUpdate.resume(), IntentState.CONFLICT),
            ),
            ONLINE,
        ),
        "needs-manager": (
            StoreView(
                STORE,
                online,
                NOW - timedelta(minutes=1),
                None,
                Attention(
                    AttentionKind.KEY_REJECTED,
                    # The client's own sentence, in the language shown (Gett's words stay as sent).
                    _("Gett rejected the API key: {what}").format(
                        what=_("{status}: {summary}").format(
                            status=ltr("401 Unauthorized")
                            if i18n.language() == i18n.DEFAULT
                            else _("error {code}").format(code=ltr(401)),
                            summary=isolate("Invalid API key."),
                        )
                    ),
                    STORE.id,
                ),
            ),
            ONLINE,
        ),
        "certificate-untrusted": (
            StoreView(
                STORE,
                online,
                NOW - timedelta(minutes=4),
                replace(
                    _intent(pause, IntentState.HELD, 1),
                    last_error_kind="CertificateRejected",
                ),
                Attention(AttentionKind.CERTIFICATE_UNTRUSTED, _(CERTIFICATE_MESSAGE), STORE.id),
            ),
            Connectivity(Link.OFFLINE, NOW - timedelta(minutes=4), _(CERTIFICATE_MESSAGE)),
        ),
        "pc-clock-off": (
            StoreView(STORE, _paused(23), NOW),
            Connectivity(Link.ONLINE, NOW, None, clock_offset=-86_400.0),
        ),
    }


def multi_states() -> dict[str, tuple[list[StoreView], Connectivity, str]]:
    """Several stores: (the views, the connection, the store shown or "all")."""
    main, pizza, bowl, taco = BRANDS
    online = StoreStatus(StoreState.ONLINE)
    pause = StoreStatusUpdate.pause(PauseReason.TOO_BUSY, NOW + timedelta(minutes=30))
    return {
        "multi-store": (
            [StoreView(main, online, NOW), StoreView(pizza, _paused(23), NOW)],
            ONLINE,
            pizza.id,
        ),
        "multi-store-4": (
            [
                StoreView(main, online, NOW),
                StoreView(pizza, _paused(23), NOW),
                StoreView(bowl, online, NOW, _intent(pause, IntentState.PENDING, 3, store=bowl)),
                StoreView(
                    taco,
                    _paused(None, PauseReason.OTHER),
                    NOW,
                    _intent(StoreStatusUpdate.resume(), IntentState.CONFLICT, store=taco),
                ),
            ],
            OFFLINE,
            main.id,
        ),
        "multi-store-all": (
            [
                StoreView(main, online, NOW),
                StoreView(pizza, _paused(23), NOW),
                StoreView(bowl, _paused(None, PauseReason.STAFF_SHORTAGE), NOW),
                StoreView(taco, online, NOW),
            ],
            ONLINE,
            "all",
        ),
        "multi-store-all-paused": (
            [StoreView(s, _paused(23), NOW) for s in BRANDS],
            ONLINE,
            "all",
        ),
    }


def screen_for(
    views: list[StoreView | None],
    conn: Connectivity,
    selected: str | None = None,
    *,
    prompts: bool = False,
) -> Screen:
    """A made-up frame: the views go through a screen state of their own, as from a worker;
    ``prompts``: a tick opens those that are due (the heads-up, the forgotten-pause reminder)."""
    known = [v for v in views if v is not None]
    state = ScreenState(
        tuple(v.store for v in known), lt=LocalTime(UTC), ready=True, support_phone=SUPPORT
    )
    for view in known:
        state.on_view(view, NOW)
    state.on_connectivity(conn)
    if selected is not None:
        state.select(selected)
    if prompts:
        state.tick(NOW, on_home=True)
    return state.screen(NOW)


def kitchen_scenes(home: Callable[[Screen], Callable[[], None]]) -> dict[str, Callable[[], None]]:
    """What a tap did: "+15 min" says so, a resume offers "Undo", a resume made elsewhere
    is announced."""
    end = NOW + timedelta(minutes=23)
    paused = StoreView(STORE, _paused(23), NOW)

    def state() -> ScreenState:
        st = ScreenState((STORE,), lt=LocalTime(UTC), ready=True)
        st.on_view(paused, NOW)
        st.on_connectivity(ONLINE)
        return st

    extended = state()
    longer = StoreStatusUpdate.pause(PauseReason.TOO_BUSY, end + timedelta(minutes=15))
    extended.tap([(STORE.id, longer)], NOW)
    extended.extended(STORE.id, longer, NOW)
    undo = state()
    undo.tap([(STORE.id, StoreStatusUpdate.resume())], NOW)
    elsewhere = state()
    elsewhere.on_view(StoreView(STORE, StoreStatus(StoreState.ONLINE), NOW), NOW)
    return {
        "extended": home(extended.screen(NOW)),
        "undo-resume": home(undo.screen(NOW)),
        "resumed-elsewhere": home(elsewhere.screen(NOW)),
    }


def render(out: Path, language: str = "en") -> list[Path]:
    """Every state at every size, as PNGs in ``out``, in ``language``."""
    written: list[Path] = []
    out.mkdir(parents=True, exist_ok=True)

    def save(name: str, width: int, height: int, window: MainWindow) -> None:
        path = out / f"{name}-{width}x{height}.png"
        window.grab().save(str(path))
        written.append(path)

    walk(save, language)
    return written


def walk(
    visit: Callable[[str, int, int, MainWindow], None],
    language: str = "en",
    sizes: tuple[tuple[int, int], ...] = SIZES,
    only: Callable[[str], bool] = lambda name: True,
) -> None:
    """Draws every state (``only`` those it accepts) at each size in ``language`` and hands
    the laid-out window to ``visit`` (a PNG for the gallery, checks for the tests)."""
    from PySide6.QtWidgets import QApplication

    from kiosk.ui import language as ui_language
    from kiosk.ui.main_window import MainWindow, Page

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    ui_language.activate(language)
    config = Config(
        stores=(STORE,),
        data_dir=Path(tempfile.gettempdir()) / "kiosk-gallery",
        ui=UiSettings(fullscreen=False, pin_hash="scrypt$16$8$1$AAAA$AAAA"),
    )
    import miniaudio

    from kiosk.ui.sound import SoundPlayer

    window = MainWindow(
        config,
        MemoryKeyStore("x"),
        clock=FixedClock(),
        local_time=LocalTime(UTC),
        save_path=None,
        sound=SoundPlayer([miniaudio.Backend.NULL]),  # pictures only: the alerts play into nothing
    )
    window.show()

    def shot(name: str, width: int, height: int) -> None:
        window.resize(width, height)
        for _ in range(3):  # a resize can re-layout in steps (columns change, then fonts fit)
            app.processEvents()
        visit(name, width, height, window)

    def home(screen: Screen) -> Callable[[], None]:
        def go() -> None:
            window.show_page(Page.HOME)
            window.show_screen(screen)

        return go

    scenes: dict[str, Callable[[], None]] = {
        n: home(screen_for([v], c)) for n, (v, c) in states().items()
    }
    scenes |= {n: home(screen_for(list(v), c, sel)) for n, (v, c, sel) in multi_states().items()}
    online_view, online_conn = states()["online"]
    open_view, _ = states()["paused-open-ended"]

    def picker(page: Page) -> Callable[[], None]:
        def go() -> None:
            window.show_screen(screen_for([online_view], online_conn))
            if page is Page.RESUME:
                window.resume_picker.start(PauseReason.TOO_BUSY)
            elif page is Page.CUSTOM:
                window.custom_picker.start(PauseReason.STAFF_SHORTAGE)
            elif page is Page.PIN:
                window.pin_pad.start_verify(config.ui.pin_hash or "")
                window.pin_pad.on_digit_clicked("1")
                window.pin_pad.on_digit_clicked("2")
            elif page is Page.SETTINGS:
                window.settings_page.load(config, key_stored=True)
            elif page is Page.SETUP:
                window.setup_page.load(Config())
            elif page is Page.LOG:
                names = {STORE.id: STORE.name}
                window.log_page.show_log(shift_log(_log(), names, NOW, LocalTime(UTC)))
            window.show_page(page)

        return go

    multi_views, multi_conn, _ = multi_states()["multi-store"]
    scenes |= {
        "reason-picker": picker(Page.REASONS),
        "resume-picker": picker(Page.RESUME),
        "custom-time": picker(Page.CUSTOM),
        "pin-pad": picker(Page.PIN),
        "settings": picker(Page.SETTINGS),
        "setup": picker(Page.SETUP),
        "pause-log": picker(Page.LOG),
        # Two minutes before Gett resumes the store: the heads-up opens by itself.
        "heads-up": home(
            screen_for([StoreView(STORE, _paused(2), NOW)], online_conn, prompts=True)
        ),
        "reminder": home(screen_for([open_view], online_conn, prompts=True)),
        "multi-store-heads-up": home(
            screen_for(
                [multi_views[0], StoreView(BRANDS[1], _paused(2), NOW)],
                multi_conn,
                STORE.id,
                prompts=True,
            )
        ),
    }
    scenes |= kitchen_scenes(home)
    try:
        for name, scene in scenes.items():
            if not only(name):
                continue
            for width, height in sizes:
                scene()
                shot(name, width, height)
    finally:
        window.shutdown()
        window.close()
        window.deleteLater()


def main(argv: list[str] | None = None) -> int:
    import argparse

    from kiosk.core.i18n import LANGUAGES

    parser = argparse.ArgumentParser(prog="python -m kiosk.ui.gallery", description=__doc__)
    parser.add_argument("out", nargs="?", type=Path, default=Path("out/gallery"))
    parser.add_argument("--language", choices=[*LANGUAGES, "all"], default="en")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.language == "all":
        for code in LANGUAGES:
            for path in render(args.out / code, code):
                print(path)
    else:
        for path in render(args.out, args.language):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
