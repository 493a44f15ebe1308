"""Fixtures for tests against the simulator over real loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.simulator.server import Simulator
from tests.helpers.fakes import FakeClock

STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
KEY = "sk_test_kiosk_3b9f"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api(clock: FakeClock) -> Iterator[Simulator]:
    """A running simulator that knows STORE and accepts KEY, on the test's fake clock."""
    sim = Simulator([STORE], KEY, clock=clock)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(real_keyring_backend: str) -> Iterator[Simulator]:
    """For tests of the real `kiosk` command as a process: a simulator on the real clock, and
    its key in the (private, throwaway) test keyring under the real service name."""
    import keyring

    from kiosk.core.keystore import SERVICE, USERNAME

    server = Simulator([STORE], KEY)
    server.start()
    keyring.set_password(SERVICE, USERNAME, KEY)
    try:
        yield server
    finally:
        keyring.delete_password(SERVICE, USERNAME)
        server.stop()
