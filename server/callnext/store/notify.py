"""Events across server processes on PostgreSQL: LISTEN/NOTIFY, no polling.

Each hall transaction that commits events also runs `pg_notify(CHANNEL, payload)` (delivered
by PostgreSQL at commit, in commit order). The payload carries the events' frames themselves
when they fit (a call-next's two frames do: ~2–4 KB of PostgreSQL's 8,000 bytes), else only
"hall seq". Every process listens on one dedicated asyncpg connection. A notice with its frames
is published at once (no read: the hop between processes is the notice's own latency); one
without them, or one that leaves a gap (a notice lost), makes it read the missing frames from
the event log (one query per hall, coalesced while one is in flight) and publish them in
order. Its own events it published already at commit, so their notices cost nothing. After the
listening connection is lost, it reconnects (whatever the error, with a growing wait) and catches
up every hall it serves; a catch-up that fails is retried the same way. It tells the process's
Health while it is not listening or not caught up (/healthz, /metrics).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

from ..runtime.health import FailureLog, Health
from .hall_tx import Published

log = logging.getLogger(__name__)

CHANNEL = "callnext_events"
RETRY_MIN_S = 0.1  # the wait before the first retry (listening, or a catch-up), doubled each
RETRY_MAX_S = 2.0  # time up to this
PING_EVERY_S = 10.0  # a listening connection that died without a word is found this soon
PING_TIMEOUT_S = 5.0


NOTICE_MAX_BYTES = 7900  # PostgreSQL refuses a payload of 8,000 bytes or more


@dataclass(frozen=True, slots=True)
class Notice:
    """A commit told of: the hall, its last seq, and the events' frames when they came with
    it (none: read the log)."""

    hall: str
    seq: int
    events: list[Published] = field(default_factory=list)


def notify_commit(conn: Connection, hall: str, published: Sequence[Published]) -> None:
    """Tell the other processes (at commit) that `hall` reached its last event's seq, with
    the events' frames when they fit."""
    payload = notice_payload(hall, published)
    conn.execute(text("SELECT pg_notify(:channel, :payload)"),
                 {"channel": CHANNEL, "payload": payload})  # fmt: skip


def notice_payload(hall: str, published: Sequence[Published]) -> str:
    """`{"hall", "events": [[seq, frame, public or null when the same]]}` when it fits in a
    notice, else "hall seq" (the receivers read the log)."""
    events = [[e.seq, e.frame, None if e.public == e.frame else e.public] for e in published]
    body = json.dumps({"hall": hall, "events": events}, ensure_ascii=False, separators=(",", ":"))
    if len(body.encode()) <= NOTICE_MAX_BYTES:
        return body
    return f"{hall} {published[-1].seq}"


def parse_notice(payload: str) -> Notice | None:
    """The notice in `payload`; None for one this process cannot read (another version's: it
    is ignored, as before)."""
    if not payload.startswith("{"):
        hall, _, seq = payload.rpartition(" ")
        return Notice(hall, int(seq)) if hall and seq.isdigit() else None
    try:
        body = json.loads(payload)
        hall = body["hall"]
        events = [Published(hall, int(seq), frame, public if public is not None else frame)
                  for seq, frame, public in body["events"]]  # fmt: skip
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(hall, str) or not events:
        return None
    return Notice(hall, events[-1].seq, events)


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class EventListener:
    """Listens for other processes' commits and brings this process's hub up to date.

    `behind(hall, seq)`: whether the hub has not published `seq` of `hall` yet (and has
    displays that care); `catch_up(hall)`: read and publish what the hub misses of `hall`;
    `halls()`: the halls the hub serves (caught up after a reconnect). Whatever fails (asyncpg
    raises more than OSError and PostgresError when a connection is killed while it is being
    set up), it logs one line, tells `health`, waits a little longer each time and tries again:
    it never stops listening while the process runs.
    """

    def __init__(
        self,
        url: str,
        behind: Callable[[str, int], bool],
        catch_up: Callable[[str], Awaitable[None]],
        halls: Callable[[], list[str]],
        health: Health | None = None,
        publish: Callable[[Iterable[Published]], None] | None = None,
        heard: Callable[[str], None] | None = None,
    ) -> None:
        self.dsn = asyncpg_dsn(url)
        self.behind = behind
        self.catch_up = catch_up
        self.halls = halls
        self.publish = publish
        self.heard = heard  # another process changed this hall (the queue memo: kept_queues.py)
        self.health = health or Health()
        self.failures = FailureLog(log)
        self.conn: Any = None
        self.task: asyncio.Task[None] | None = None
        self.busy: dict[str, asyncio.Task[None]] = {}
        self.again: set[str] = set()
        self.lost = asyncio.Event()
        self.notices = 0
        self.carried = 0  # notices whose frames were published as they came, with no read

    async def start(self) -> None:
        await self._connect()
        self.health.listener_listening(reconnected=False)
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
        conn = self.conn = await asyncpg.connect(self.dsn)
        try:
            conn.add_termination_listener(lambda _conn: self.lost.set())
            await conn.add_listener(CHANNEL, self._on_notice)
            if conn.is_closed():  # killed before the termination listener was there
                raise ConnectionError("the listening connection closed as it was set up")
        except BaseException:
            conn.terminate()
            raise

    async def _keep_listening(self) -> None:
        delay = RETRY_MIN_S
        while True:
            try:
                if self._up():
                    await self._listen_until_lost()
                    self._drop("connection lost")
                    log.warning("event listener lost its connection; reconnecting")
                await self._connect()
            except Exception as exc:  # whatever it is, listening must go on: retry
                self._drop(type(exc).__name__)
                self.failures.failed(exc, "event listener cannot listen; retrying in %.1f s", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_S)
                continue
            delay = RETRY_MIN_S
            self.health.listener_listening(reconnected=True)
            log.warning("event listener listening again; catching up")
            for hall in self.halls():  # what was committed while we were not listening
                self._fetch(hall)

    def _up(self) -> bool:
        return self.conn is not None and not self.conn.is_closed() and not self.lost.is_set()

    async def _listen_until_lost(self) -> None:
        """Return when the connection is lost; a ping now and then finds one that died
        without a word (raises)."""
        while not self.lost.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(PING_EVERY_S):
                    await self.lost.wait()
                    return
            async with asyncio.timeout(PING_TIMEOUT_S):
                await self.conn.fetchval("SELECT 1")

    def _drop(self, reason: str) -> None:
        self.health.listener_lost(reason)
        if self.conn is not None and not self.conn.is_closed():
            self.conn.terminate()

    def _on_notice(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self.notices += 1
        notice = parse_notice(payload)
        if notice is None or not self.behind(notice.hall, notice.seq):
            return  # unreadable, or published already (this process's own, at its commit)
        if self.heard is not None:
            self.heard(notice.hall)
        if notice.events and self.publish is not None:
            self.publish(notice.events)  # the hub orders them, and ignores what it has
            self.carried += 1
            if not self.behind(notice.hall, notice.seq):
                return
        self._fetch(notice.hall)  # no frames, or a gap before them: read the log

    def _fetch(self, hall: str) -> None:
        """Catch `hall` up: one read at a time; notices meanwhile make one more read after."""
        if hall in self.busy:
            self.again.add(hall)
            return
        self.busy[hall] = asyncio.get_running_loop().create_task(self._fetch_loop(hall))

    async def _fetch_loop(self, hall: str) -> None:
        delay = RETRY_MIN_S
        try:
            while True:
                self.again.discard(hall)
                try:
                    await self.catch_up(hall)
                except Exception as exc:  # the database fails: read again, a little later
                    self.health.catch_up_failed(hall, type(exc).__name__)
                    self.failures.failed(
                        exc, "hall %s: catching up from the event log failed; retrying in %.1f s",
                        hall, delay,
                    )  # fmt: skip
                    self.again.add(hall)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RETRY_MAX_S)
                    continue
                self.health.caught_up(hall)
                if hall not in self.again:
                    return
        finally:
            self.busy.pop(hall, None)
