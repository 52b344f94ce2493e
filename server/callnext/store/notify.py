"""Events across server processes on PostgreSQL: LISTEN/NOTIFY, no polling.

Each hall transaction that commits events also runs `pg_notify(CHANNEL, "hall seq")` (delivered
by PostgreSQL at commit, in commit order). Every process listens on one dedicated asyncpg
connection; a notice of a seq its hub has not published yet makes it read the missing frames
from the event log (one query per hall, coalesced while one is in flight) and publish them in
order. Its own events it published already at commit, so their notices cost nothing. After the
listening connection is lost, it reconnects and catches up every hall it serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

log = logging.getLogger(__name__)

CHANNEL = "callnext_events"
RECONNECT_MAX_S = 5.0


def notify_commit(conn: Connection, hall: str, seq: int) -> None:
    """Tell the other processes (at commit) that `hall` reached `seq`."""
    conn.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": CHANNEL, "payload": f"{hall} {seq}"},
    )


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class EventListener:
    """Listens for other processes' commits and brings this process's hub up to date.

    `behind(hall, seq)`: whether the hub has not published `seq` of `hall` yet (and has
    displays that care); `catch_up(hall)`: read and publish what the hub misses of `hall`;
    `halls()`: the halls the hub serves (caught up after a reconnect).
    """

    def __init__(
        self,
        url: str,
        behind: Callable[[str, int], bool],
        catch_up: Callable[[str], Awaitable[None]],
        halls: Callable[[], list[str]],
    ) -> None:
        self.dsn = asyncpg_dsn(url)
        self.behind = behind
        self.catch_up = catch_up
        self.halls = halls
        self.conn: Any = None
        self.task: asyncio.Task[None] | None = None
        self.busy: dict[str, asyncio.Task[None]] = {}
        self.again: set[str] = set()
        self.lost = asyncio.Event()
        self.notices = 0

    async def start(self) -> None:
        await self._connect()
        self.task = asyncio.create_task(self._keep_listening(), name="callnext-listen")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        for task in list(self.busy.values()):
            task.cancel()
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await self.conn.close()

    async def _connect(self) -> None:
        self.lost.clear()
        self.conn = await asyncpg.connect(self.dsn)
        self.conn.add_termination_listener(lambda _conn: self.lost.set())
        await self.conn.add_listener(CHANNEL, self._on_notice)

    async def _keep_listening(self) -> None:
        delay = 0.2
        while True:
            await self.lost.wait()
            log.warning("event listener lost its connection; reconnecting")
            while True:
                try:
                    await self._connect()
                    break
                except (OSError, asyncpg.PostgresError) as exc:
                    log.warning("event listener cannot reconnect (%s); retrying", exc)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RECONNECT_MAX_S)
            delay = 0.2
            for hall in self.halls():  # what was committed while we were not listening
                self._fetch(hall)

    def _on_notice(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self.notices += 1
        hall, _, seq = payload.rpartition(" ")
        if hall and seq.isdigit() and self.behind(hall, int(seq)):
            self._fetch(hall)

    def _fetch(self, hall: str) -> None:
        """Catch `hall` up: one read at a time; notices meanwhile make one more read after."""
        if hall in self.busy:
            self.again.add(hall)
            return
        self.busy[hall] = asyncio.get_running_loop().create_task(self._fetch_loop(hall))

    async def _fetch_loop(self, hall: str) -> None:
        try:
            while True:
                self.again.discard(hall)
                try:
                    await self.catch_up(hall)
                except Exception:  # the database is unreachable: the next notice retries
                    log.exception("hall %s: catching up from the event log failed", hall)
                if hall not in self.again:
                    return
        finally:
            self.busy.pop(hall, None)
