"""Starts the touchscreen app (placeholder window until the real UI lands)."""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from kiosk.core.config import Config, Store
from kiosk.core.keystore import KeyStore, MemoryKeyStore


def run_app(
    config: Config,
    *,
    demo: bool,
    keystore: KeyStore,
    smoke: bool = False,
    screenshot: str | None = None,
) -> int:
    """Run the app; returns the process exit code."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    simulator = None
    if demo:
        from kiosk.simulator.server import DEMO_API_KEY, DEMO_STORE_ID, Simulator

        simulator = Simulator([DEMO_STORE_ID], DEMO_API_KEY)
        simulator.start()
        config = replace(
            config,
            api_url=simulator.base_url,
            stores=(Store(DEMO_STORE_ID, "Demo Store"),),
            data_dir=Path(tempfile.mkdtemp(prefix="kiosk-demo-")),
        )
        keystore = MemoryKeyStore(DEMO_API_KEY)
    del keystore  # the placeholder window does not talk to Gett yet
    try:
        app = QApplication.instance() or QApplication(sys.argv[:1])
        label = QLabel(f"Gett Store Kiosk\n{config.stores[0].name if config.stores else ''}")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWindowTitle("Gett Store Kiosk")
        label.resize(800, 480)
        label.show()
        if screenshot:
            label.grab().save(screenshot)
            return 0
        if smoke:
            QTimer.singleShot(0, app.quit)
        return int(app.exec())
    finally:
        if simulator is not None:
            simulator.stop()
