"""The address of the person behind a request, also when reverse proxies stand in front.

A proxy (a load balancer, nginx terminating TLS) connects to the app itself, so REMOTE_ADDR is
the proxy's address for everyone behind it: a per-address limit (the public survey pages'
rate limit, the sign-in lock-out) would then count the whole world as one visitor. Proxies
append the address they received the request from to `X-Forwarded-For`. Only a proxy the
operator names in `CLIENTDESK_TRUSTED_PROXIES` is believed, and only for the entries it and
the trusted proxies before it appended: reading from the right, the first address that is not
a trusted proxy is the client. Anything a client writes into the header itself sits to the left
of that and is never read (the rule of RFC 7239 section 8.3 and of Werkzeug's ProxyFix).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of `CLIENTDESK_TRUSTED_PROXIES` (an address alone is a /32 or /128)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"CLIENTDESK_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from None
    return tuple(networks)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind trusted proxies the right-most address
    of `X-Forwarded-For` that is not one of them; None when the request has no address at all
    (django-axes stores it in an IP address column, where None is null and text is refused)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if not remote:
        return None
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = [
        hop.strip()
        for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if hop.strip()
    ]
    client = remote
    for hop in reversed(forwarded):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # a malformed hop: believe nothing further left
        client = hop
        if not _trusted(hop, networks):
            break
    return client
