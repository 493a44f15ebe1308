"""A stand-in for Gett's Store Status API on loopback: demo mode, tests and fault drills."""

from kiosk.simulator.faults import (
    MALFORMED_BODIES,
    PROXY_502_HTML,
    Fault,
    FaultKind,
    Faults,
    FaultSpecError,
)
from kiosk.simulator.server import (
    DEMO_API_KEY,
    DEMO_STORE_ID,
    RecordedRequest,
    RequestLog,
    Simulator,
)

__all__ = [
    "DEMO_API_KEY",
    "DEMO_STORE_ID",
    "MALFORMED_BODIES",
    "PROXY_502_HTML",
    "Fault",
    "FaultKind",
    "FaultSpecError",
    "Faults",
    "RecordedRequest",
    "RequestLog",
    "Simulator",
]
