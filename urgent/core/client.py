"""The client's address: the one place that reads REMOTE_ADDR and X-Forwarded-For.

Behind a reverse proxy every request arrives from the proxy's address, so rate limits,
sign-in lockouts and the audit log would all see one client. The proxy appends the address
it saw to `X-Forwarded-For`; only proxies listed in URGENT_TRUSTED_PROXIES are believed.
Walking the header from the right, each hop that is a trusted proxy is skipped; the first
one that is not is the client. Hops further left were written by the client itself and
are never read, so a client cannot choose its own address by sending the header.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(value: str) -> Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address: Address, proxies: Iterable[Network]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in proxies)


def client_address(request: HttpRequest) -> str:
    """The client's IP address as text ("" when the server was given none)."""
    cached = getattr(request, "_urgent_client_address", None)
    if cached is not None:
        return str(cached)
    proxies: list[Network] = list(getattr(settings, "URGENT_TRUSTED_PROXIES", []))
    peer = _parse(str(request.META.get("REMOTE_ADDR", "")))
    result = peer
    if peer is not None and proxies and _trusted(peer, proxies):
        hops = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))  # repeats joined by ","
        for hop in reversed([h for h in hops.split(",") if h.strip()]):
            address = _parse(hop)
            if address is None:
                break  # a hop we cannot read: stop at the last proxy we trust
            result = address
            if not _trusted(address, proxies):
                break
    text = str(result) if result is not None else ""
    request._urgent_client_address = text  # type: ignore[attr-defined]
    return text
