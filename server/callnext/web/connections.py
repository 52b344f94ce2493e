"""Connections at the door: a deadline for a request's head, a cap per client address, and file
descriptors kept in reserve, so that slow or half-open connections cannot take the server down.

Every connection (HTTP and WebSocket alike: a WebSocket is an HTTP connection upgraded) passes
a `Door` before aiohttp sees it:
- **the cap per address**: an address (the socket's peer, never a forwarded header) holding
  `max_per_address` connections gets its next one answered 503 and closed at once;
- **descriptors in reserve**: the process takes at most `capacity` connections, its open-file
  limit less what it had open at the start and a reserve for the database, the logs, the
  announcements' files and printers; past it a connection is answered 503 and closed. No single
  address may hold more than three quarters of the capacity, so one flood leaves room for the
  kiosks;
- **the head's deadline**: a connection that has not sent a whole request head within
  `header_timeout_s` of its opening is closed. Later requests on a kept-alive connection are
  bounded by aiohttp's keep-alive timeout, which the runner sets to the same value (aiohttp
  closes a connection idle or with a half-sent request when it runs out).

Refusals are logged as warnings, which the storm filter (storm.py) folds into one line a minute.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from ..runtime.config import Settings

log = logging.getLogger(__name__)

RESERVE_MIN = 64  # descriptors kept for the process's own files, at least
RESERVE_SHARE = 16  # … or one in this many of the limit, whichever is more
ADDRESS_SHARE = 0.75  # the most of the capacity one address may hold
REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: application/json\r\n"
    b"Retry-After: 5\r\n"
    b"Connection: close\r\n"
    b"Content-Length: %d\r\n\r\n%s"
)


def _refusal(code: str, message: str) -> bytes:
    body = b'{"error":{"code":"%s","message":"%s"}}' % (code.encode(), message.encode())
    return REFUSAL % (len(body), body)


# Why a connection is refused, and the answer it gets before it is closed.
TOO_MANY_FROM_ADDRESS = "too many connections from this address"
SERVER_FULL = "the server holds all the connections it can"
ANSWERS = {
    TOO_MANY_FROM_ADDRESS: _refusal(
        "too_many_connections", "This address holds too many connections; retry shortly."
    ),
    SERVER_FULL: _refusal("server_busy", "The server holds all the connections it can."),
}


def open_descriptors() -> int:
    """How many file descriptors this process has open (0 where the system does not say)."""
    for path in ("/proc/self/fd", "/dev/fd"):
        try:
            return len(os.listdir(path))
        except OSError:
            continue
    return 0


def capacity(limit: int | None = None, in_use: int | None = None) -> int:
    """How many connections this process may hold and still open its own files."""
    if limit is None:
        limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if limit == resource.RLIM_INFINITY or limit <= 0:
        limit = 1 << 20
    in_use = open_descriptors() if in_use is None else in_use
    reserve = max(RESERVE_MIN, limit // RESERVE_SHARE)
    return max(limit - in_use - reserve, 1)


class Guard:
    """The door's rules and its counts, for one server process."""

    def __init__(
        self, header_timeout_s: float, max_per_address: int, capacity: int = 1 << 20
    ) -> None:
        self.header_timeout_s = header_timeout_s
        self.configured_per_address = max_per_address  # 0: no cap of its own
        self.capacity = self.max_per_address = 0
        self.measure(capacity)
        self.open = 0
        self.by_address: dict[str, int] = {}
        self.refused = 0
        self.timed_out = 0

    @classmethod
    def of(cls, settings: Settings) -> Guard:
        return cls(settings.header_timeout_s, settings.max_connections_per_address)

    def measure(self, capacity: int) -> None:
        """Take the process's connection capacity (and with it the cap per address)."""
        self.capacity = capacity
        share = max(int(capacity * ADDRESS_SHARE), 1)
        configured = self.configured_per_address
        self.max_per_address = min(configured, share) if configured else share

    def wrap(self, make: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        """A protocol factory whose connections pass this door first."""
        return lambda: Door(self, make)

    def admit(self, address: str) -> str | None:
        """Take a connection from `address`; or why it is refused."""
        held = self.by_address.get(address, 0)
        if held >= self.max_per_address:
            return TOO_MANY_FROM_ADDRESS
        if self.open >= self.capacity:
            return SERVER_FULL
        self.by_address[address] = held + 1
        self.open += 1
        return None

    def release(self, address: str) -> None:
        self.open -= 1
        held = self.by_address.pop(address) - 1
        if held:
            self.by_address[address] = held


def _peer(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) and peer else ""


class Door(asyncio.Protocol):
    """One connection's side of the door; once let in, it hands everything to aiohttp's
    protocol (`inner`), made only then, so a refusal costs no request handler."""

    __slots__ = ("address", "deadline", "guard", "inner", "make")

    def __init__(self, guard: Guard, make: Callable[[], asyncio.Protocol]) -> None:
        self.guard = guard
        self.make = make
        self.inner: asyncio.Protocol | None = None
        self.address = ""
        self.deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        address = _peer(transport)
        refusal = self.guard.admit(address)
        if refusal is not None:
            self.guard.refused += 1
            log.warning("refused a connection from %s: %s", address, refusal)
            if isinstance(transport, asyncio.WriteTransport):
                transport.write(ANSWERS[refusal])
            transport.close()
            return
        self.address = address
        self.inner = self.make()
        loop = asyncio.get_running_loop()
        self.deadline = loop.call_later(self.guard.header_timeout_s, self._late, transport)
        self.inner.connection_made(transport)

    def _late(self, transport: asyncio.BaseTransport) -> None:
        """No whole request head in time: close (aiohttp ends its side as the loss arrives)."""
        self.deadline = None
        self.guard.timed_out += 1
        log.warning("closed a connection from %s: no request head in time", self.address)
        transport.close()

    def head_received(self) -> None:
        """A request's head arrived (the app's first middleware says so)."""
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def data_received(self, data: bytes) -> None:
        if self.inner is not None:
            self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.inner is not None else None

    def pause_writing(self) -> None:
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.inner is not None:
            self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        inner, self.inner = self.inner, None
        if inner is None:  # refused, or already lost
            return
        self.head_received()
        self.guard.release(self.address)
        inner.connection_lost(exc)


@web.middleware
async def head_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Tell the connection's door that a request head arrived: its deadline is met."""
    transport = request.transport
    door = transport.get_protocol() if transport is not None else None
    if isinstance(door, Door):
        door.head_received()
    return await handler(request)


class GuardedRunner(web.AppRunner):
    """An AppRunner whose sites let connections in through `guard`, with aiohttp's keep-alive
    timeout set to the head's deadline (a later request's head gets the same time)."""

    def __init__(self, app: web.Application, guard: Guard, **kwargs: Any) -> None:
        kwargs.setdefault("keepalive_timeout", guard.header_timeout_s)
        super().__init__(app, **kwargs)
        self.guard = guard

    async def setup(self) -> None:
        """Start the app (the database opens), then measure what is left for connections."""
        await super().setup()
        self.guard.measure(capacity())

    @property
    def server(self) -> Any:  # the protocol factory every site serves (aiohttp's, behind the door)
        inner = super().server
        return None if inner is None else self.guard.wrap(inner)
