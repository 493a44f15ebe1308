"""RFC 7807 problem bodies shaped like the ones Gett's gateway (Zuplo) sends.

The kiosk shows ``title``/``detail`` to a person and logs ``trace.requestId`` for support, so the
simulator fills in every field the real gateway does.
"""

from __future__ import annotations

import json
from datetime import datetime
from http import HTTPStatus
from typing import Any

from kiosk import __version__
from kiosk.core.models import format_datetime

PROBLEM_CONTENT_TYPE = "application/problem+json"
JSON_CONTENT_TYPE = "application/json"
BUILD_ID = f"kiosk-simulator-{__version__}"


def status_title(status: int) -> str:
    """The standard reason phrase, so titles read like the gateway's ("Not Found")."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def problem(
    status: int,
    detail: str,
    *,
    instance: str,
    request_id: str,
    timestamp: datetime,
    title: str | None = None,
) -> dict[str, Any]:
    """One problem object; ``instance`` is the request path, as the gateway does it."""
    return {
        "type": f"https://httpproblems.com/http-status/{status}",
        "title": title or status_title(status),
        "status": status,
        "detail": detail,
        "instance": instance,
        "trace": {
            "timestamp": format_datetime(timestamp),
            "requestId": request_id,
            "buildId": BUILD_ID,
        },
    }


def encode(body: object) -> bytes:
    """Compact UTF-8 JSON, as an API gateway would send it."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
