"""Trainer controls for ``--demo``: show staff what offline and "changed elsewhere" look like."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QWidget

from kiosk.core.i18n import N_, _
from kiosk.core.models import PauseReason, StoreState, StoreStatus
from kiosk.simulator.server import Simulator
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.widgets import big_button, label


class DemoPanel(QWidget):
    """A "DEMO" tag, a network-down switch and a "change elsewhere" button for the simulator.

    The simulator's go-down/come-back joins server threads, so it runs on the task pool.
    """

    def __init__(
        self,
        simulator: Simulator,
        store_id: str,
        tasks: TaskRunner,
        on_network_back: Callable[[], None] = lambda: None,
        on_changed: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__()
        self._sim = simulator
        self._store_id = store_id
        self._tasks = tasks
        self._on_network_back = on_network_back
        self._on_changed = on_changed
        tag = label(_("DEMO"), "DemoTag", wrap=False, name=N_("Demo mode"))
        self.network = big_button(
            _("Simulate network down"), N_("Simulate network down"), role="toggle"
        )
        self.network.setCheckable(True)
        self.elsewhere = big_button(_("Change elsewhere"), N_("Change elsewhere"), role="quiet")
        for button in (self.network, self.elsewhere):
            button.setProperty("role", "quiet" if button is self.elsewhere else "toggle")
            button.setMinimumHeight(64)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(tag)
        layout.addWidget(self.network)
        layout.addWidget(self.elsewhere)
        self.network.toggled.connect(self.on_network_toggled)
        self.elsewhere.clicked.connect(self.on_elsewhere_clicked)

    @Slot(bool)
    def on_network_toggled(self, down: bool) -> None:
        self.network.setEnabled(False)
        self.network.setText(
            _("Network is DOWN (tap to restore)") if down else _("Simulate network down")
        )
        action = self._sim.go_down if down else self._sim.come_back
        self._tasks.run(action, lambda _r, _e: self._network_done(down))

    def _network_done(self, down: bool) -> None:
        self.network.setEnabled(True)
        if not down:
            self._on_network_back()

    @Slot()
    def on_elsewhere_clicked(self) -> None:
        """Flip the store in the simulator as Gett's portal would, behind the kiosk's back."""
        current = self._sim.state(self._store_id)
        if current.status == StoreState.ONLINE:
            now = self._sim.clock.now()
            self._sim.set_state(
                self._store_id, StoreStatus(StoreState.PAUSED, PauseReason.OTHER, now, None)
            )
        else:
            self._sim.set_state(self._store_id, StoreStatus(StoreState.ONLINE))
        self._on_changed()
