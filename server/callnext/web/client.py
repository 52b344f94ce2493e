"""Who sent a request: the one client address every rate limit and the access log use.

Without CALLNEXT_TRUSTED_PROXIES (the default) the client is the socket's peer, whatever the
request's headers say. With it, a request whose peer is one of those proxies is from the
rightmost hop of X-Forwarded-For that is not a trusted proxy: each proxy appends the address it
saw, so that hop is the one no client could choose (the ones to its left anyone can write).
"""

from __future__ import annotations

import ipaddress

from aiohttp import web

from ..runtime.config import Network
from .keys import SETTINGS

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:10.0.0.5 (a dual-stack socket) is 10.0.0.5
    return address


def _trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address in network for network in proxies)


def from_hops(peer: str, forwarded_for: list[str], proxies: tuple[Network, ...]) -> str:
    """The client of a request from `peer` that carried these X-Forwarded-For header values."""
    client = _address(peer)
    if client is None or not _trusted(client, proxies):
        return str(client) if client is not None else peer
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage: the last hop a trusted proxy vouched for is the client
        client = address
        if not _trusted(address, proxies):
            break
    return str(client)


def client_address(request: web.BaseRequest) -> str:
    """The client's address (see the module's docstring); "?" when the socket has none."""
    peer = request.remote or "?"
    proxies = (
        request.config_dict[SETTINGS].trusted_proxies if isinstance(request, web.Request) else ()
    )
    if not proxies:
        return peer
    return from_hops(peer, request.headers.getall("X-Forwarded-For", []), proxies)
