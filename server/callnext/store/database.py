"""Engines and transactions. One writer connection on SQLite; a pool on PostgreSQL.

Every change to a hall goes through `hall_tx`: the hall is locked, the change and its events
are committed together, and only then are the events handed to `on_commit` (the hub).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from ..domain.clock import utcnow
from ..domain.errors import NotFound
from ..domain.model import Hall
from . import migrate
from .hall_tx import HallTx, Published
from .rows import hall_from_rows
from .schema import halls, services, windows

DEFAULT_URL = "sqlite:///./callnext.db"


class DatabaseUrlError(ValueError):
    pass


def normalize_url(url: str) -> str:
    """Pick the async driver: sqlite → aiosqlite, postgresql → asyncpg."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUrlError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return str(parsed.set(drivername="sqlite+aiosqlite"))
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise DatabaseUrlError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def _sqlite_engine(url: str, *, writer: bool) -> AsyncEngine:
    engine = create_async_engine(url, pool_size=1 if writer else 4, max_overflow=0, pool_timeout=60)

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock at BEGIN: no two writers ever read the same queue head.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


class Database:
    def __init__(self, url: str = DEFAULT_URL) -> None:
        self.url = normalize_url(url)
        self.dialect = make_url(self.url).get_backend_name()
        if self.dialect == "sqlite":
            self.writer = _sqlite_engine(self.url, writer=True)
            self.reader = _sqlite_engine(self.url, writer=False)
        else:
            self.writer = create_async_engine(self.url, pool_size=10, max_overflow=10)
            self.reader = self.writer
        self.on_commit: Callable[[Iterable[Published]], None] = lambda _events: None
        self._halls: dict[str, Hall] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def start(self) -> None:
        """Check the database answers and bring its schema up to date."""
        await migrate.upgrade(self.writer)

    async def close(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()

    async def ping(self) -> None:
        async with self.reader.connect() as conn:
            await conn.execute(text("SELECT 1"))

    # -- hall configuration ----------------------------------------------------------------

    async def load_hall(self, conn: AsyncConnection, code: str) -> Hall | None:
        hall_row = (await conn.execute(select(halls).where(halls.c.code == code))).first()
        if hall_row is None:
            return None
        cached = self._halls.get(code)
        if cached is not None and cached.config_version == hall_row.config_version:
            return cached
        service_rows = (
            await conn.execute(
                select(services)
                .where(services.c.hall_id == hall_row.id)
                .order_by(services.c.position, services.c.code)
            )
        ).all()
        window_rows = (
            await conn.execute(
                select(windows).where(windows.c.hall_id == hall_row.id).order_by(windows.c.number)
            )
        ).all()
        hall = hall_from_rows(hall_row, list(service_rows), list(window_rows))
        self._halls[code] = hall
        return hall

    async def hall(self, code: str) -> Hall:
        """The hall's configuration (cached until its config_version changes)."""
        async with self.reader.connect() as conn:
            hall = await self.load_hall(conn, code)
        if hall is None:
            raise NotFound("hall_not_found", f"No hall {code!r}.")
        return hall

    async def hall_codes(self) -> list[str]:
        async with self.reader.connect() as conn:
            return list((await conn.execute(select(halls.c.code).order_by(halls.c.code))).scalars())

    # -- the write path --------------------------------------------------------------------

    @asynccontextmanager
    async def hall_tx(self, code: str, now: datetime | None = None) -> AsyncIterator[HallTx]:
        """A serial write transaction on one hall; its events are published after commit."""
        await self.hall(code)  # unknown halls fail here, before any lock exists for them
        lock = self._locks.setdefault(code, asyncio.Lock())
        async with lock:
            async with self.writer.connect() as conn, conn.begin():
                row = (
                    await conn.execute(
                        select(halls.c.seq).where(halls.c.code == code).with_for_update()
                    )
                ).one()
                hall = await self.load_hall(conn, code)
                assert hall is not None
                tx = HallTx(conn, hall, int(row.seq), now or utcnow())
                yield tx
                published = await tx.flush_events()
            if tx.hall.config_version < 0:
                self._halls.pop(code, None)
            self.on_commit(published)
