"""Which hosts are this machine: plain http and no proxy are allowed only to them."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
