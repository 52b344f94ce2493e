"""Engines and transactions. Each transaction body is plain synchronous SQLAlchemy Core code.

SQLite: one writer thread with one connection (WAL, synchronous=FULL, BEGIN IMMEDIATE) and a few
reader threads; a whole transaction costs one hop to its thread, not one per statement.
PostgreSQL: asyncpg under SQLAlchemy's async engine; the same bodies run through `run_sync`.

Every change to a hall goes through `hall_write`: the hall row is locked, the change and its
events are committed together, and only then are the events handed to `on_commit` (the hub).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, bindparam, create_engine, event, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.sql import Select

from ..domain.clock import utcnow
from ..domain.errors import NotFound, Unavailable
from ..domain.hall_layout import HALL_CODE
from ..domain.model import Hall
from ..runtime.health import FailureLog, Health
from . import direct
from .faults import storage_fault
from .group_commit import GroupCommitter
from .hall_tx import HallTx, Published
from .kept_queues import Kept, KeptQueues, row_version
from .notify import notify_commit
from .point_read import PointReader, file_path
from .rows import hall_from_rows
from .schema import HALL_ROW_VERSION, halls, kiosks, services, windows
from .write_stages import LAST_WRITE, WriteStages

DEFAULT_URL = "sqlite:///./callnext.db"
READER_THREADS = 4
RETRY_AFTER_S = 5  # what a write that failed for the storage's sake tells the client
T = TypeVar("T")
log = logging.getLogger(__name__)


# The hall's row, locked (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE holds the lock).
_LOCK_HALL = (
    select(halls.c.seq, halls.c.config_version)
    .where(halls.c.code == bindparam("hall_code"))
    .with_for_update()
)
_LOCK_HALL_PG = _LOCK_HALL.add_columns(HALL_ROW_VERSION)  # and the row's version (kept_queues.py)


# A real write that changes nothing (the schema's version row, rewritten as it is): whether
# writes work again after one failed (/healthz), with no table of its own.
_WRITE_PROBE = text("UPDATE alembic_version SET version_num = version_num")


class DatabaseUrlError(ValueError):
    pass


def normalize_url(url: str) -> str:
    """The driver each backend runs on: sqlite → pysqlite (own threads), postgresql → asyncpg."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUrlError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+pysqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise DatabaseUrlError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def _sqlite_engine(url: str, *, writer: bool) -> Engine:
    engine = create_engine(
        url,
        pool_size=1 if writer else READER_THREADS,
        max_overflow=0,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000",
                       "foreign_keys=ON"):  # fmt: skip
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock at BEGIN: no two writers ever read the same queue head.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


class Database:
    def __init__(self, url: str = DEFAULT_URL, *, serving: bool = False) -> None:
        """`serving`: the database of a running server, whose writes that fail for the
        storage's sake are logged, told to `health` and answered 503 (_guarded). A command
        line tool's failures are raised as they are, for it to say why in one line."""
        self.url = normalize_url(url)
        self.serving = serving
        self.dialect = make_url(self.url).get_backend_name()
        self.on_commit: Callable[[Iterable[Published]], None] = lambda _events: None
        # The languages whose announcement audio the app serves (set by the app, never I/O
        # here): event frames of calls link /sounds/announce/{lang}/… for these.
        self.voice_langs: frozenset[str] = frozenset()
        self._halls: dict[str, Hall] = {}
        self.health = Health()  # the app gives its own; writes report here (_guarded)
        self._failures = FailureLog(log)
        self._async: AsyncEngine | None = None
        self._point: PointReader | None = None
        # Per hall, the queue memo its last transaction left, and the plays off the lock
        self.queues = KeptQueues(self.run_read, self.load_hall)
        if self.dialect == "sqlite":
            self._sync_writer = _sqlite_engine(self.url, writer=True)
            self._sync_reader = _sqlite_engine(self.url, writer=False)
            self._write_thread = ThreadPoolExecutor(1, thread_name_prefix="callnext-writer")
            self._read_threads = ThreadPoolExecutor(READER_THREADS, "callnext-reader")
            path = file_path(self._sync_reader)
            self._point = PointReader(self._sync_reader, path) if path is not None else None
            self.group_commit = GroupCommitter(
                self._sync_writer, self._write_thread, self._keep, self._forget_all
            )
        else:
            self._async = create_async_engine(self.url, pool_size=10, max_overflow=10)

    async def start(self) -> None:
        """Check the database answers and bring its schema up to date. A failure here is the
        caller's to report (the CLI says why in one line), not a fault of a running server's
        storage: it is raised as it is, neither logged nor counted in `health`."""
        from . import migrate

        await self._run(migrate.upgrade_on, write=True)

    async def close(self) -> None:
        await self.queues.close()
        if self._async is not None:
            await self._async.dispose()
            return
        if self._point is not None:
            self._point.close()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._write_thread, self._sync_writer.dispose)
        await loop.run_in_executor(self._read_threads, self._sync_reader.dispose)
        self._write_thread.shutdown(wait=False)
        self._read_threads.shutdown(wait=False)

    # -- running transactions ------------------------------------------------------------

    async def run_write(self, body: Callable[[Connection], T]) -> T:
        """Run `body` in one write transaction, committed when it returns."""
        return await self._guarded(self._run(body, write=True))

    async def _guarded(self, write: Awaitable[T]) -> T:
        """A write, its outcome told to `health`: one that fails for the storage's sake (a full
        disk, a read-only file, the database gone) is logged in one line and raised as
        Unavailable (503, Retry-After); any other error is the caller's."""
        if not self.serving:
            return await write
        try:
            result = await write
        except Exception as exc:
            reason = storage_fault(exc)
            if reason is None:
                raise
            self.health.write_failed(reason)
            self._failures.failed(exc, "a write failed: %s", reason)
            raise Unavailable(
                "unavailable", "The server cannot store this now; try again shortly.",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            ) from exc  # fmt: skip
        self.health.write_succeeded()
        return result

    async def probe_write(self) -> None:
        """A write that changes nothing, to learn whether writes work (Unavailable if not)."""
        await self.run_write(lambda conn: conn.execute(_WRITE_PROBE))

    async def run_read(self, body: Callable[[Connection], T]) -> T:
        """Run `body` in one read transaction: a consistent view of the database."""
        return await self._run(body, write=False)

    async def _run(self, body: Callable[[Connection], T], *, write: bool) -> T:
        if self._async is not None:
            async with self._async.connect() as conn, conn.begin():
                return await conn.run_sync(body)
        executor = self._write_thread if write else self._read_threads
        engine = self._sync_writer if write else self._sync_reader
        return await asyncio.get_running_loop().run_in_executor(
            executor, _in_transaction, engine, body
        )

    async def read_first(
        self, statement: Select[Any], values: dict[str, Any]
    ) -> dict[str, Any] | None:
        """A point read's first row ({label: value}) or None. On SQLite the loop reads it
        itself (store/point_read.py: no thread hop); columns must need no type conversion."""
        if self._point is not None:
            try:
                return self._point.first(statement, values)
            except sqlite3.Error as exc:  # busy beyond its short wait: the reader threads wait
                log.warning("point read on the loop failed (%s); reading on a thread", exc)
        row = await self.run_read(lambda conn: conn.execute(statement, values).first())
        return None if row is None else dict(row._mapping)

    async def ping(self) -> None:
        await self.run_read(lambda conn: conn.execute(text("SELECT 1")).scalar_one())

    # -- hall configuration ----------------------------------------------------------------

    def load_hall(
        self, conn: Connection, code: str, version: int | None = None, *, cache: bool = True
    ) -> Hall | None:
        """The hall's configuration, from the cache while its config_version is unchanged."""
        cached = self._halls.get(code) if cache else None
        if cached is not None and version is not None and cached.config_version == version:
            return cached
        hall_row = conn.execute(select(halls).where(halls.c.code == code)).first()
        if hall_row is None:
            return None
        if cached is not None and cached.config_version == hall_row.config_version:
            return cached
        service_rows = conn.execute(
            select(services)
            .where(services.c.hall_id == hall_row.id)
            .order_by(services.c.position, services.c.code)
        ).all()
        window_rows = conn.execute(
            select(windows).where(windows.c.hall_id == hall_row.id).order_by(windows.c.number)
        ).all()
        kiosk_rows = conn.execute(
            select(kiosks).where(kiosks.c.hall_id == hall_row.id).order_by(kiosks.c.code)
        ).all()
        hall = hall_from_rows(hall_row, list(service_rows), list(window_rows), list(kiosk_rows))
        if cache:
            self._halls[code] = hall
        return hall

    def _reload_hall(self, conn: Connection, code: str) -> Hall:
        """The configuration as this transaction sees it; not cached before the commit."""
        hall = self.load_hall(conn, code, cache=False)
        assert hall is not None
        return hall

    async def hall(self, code: str) -> Hall:
        """The hall's configuration; NotFound for an unknown hall."""
        hall = self._halls.get(code)
        if hall is None and HALL_CODE.fullmatch(code):
            hall = await self.run_read(lambda conn: self.load_hall(conn, code))
        if hall is None:
            raise NotFound("hall_not_found", f"No hall {code!r}.")
        return hall

    def forget_hall(self, code: str) -> None:
        """Drop the cached configuration (it changed); the next use reloads it."""
        self._halls.pop(code, None)

    async def hall_codes(self) -> list[str]:
        return await self.run_read(
            lambda conn: list(conn.execute(select(halls.c.code).order_by(halls.c.code)).scalars())
        )

    # -- the write path --------------------------------------------------------------------

    async def hall_write(
        self,
        code: str,
        body: Callable[[HallTx], T],
        now: datetime | None = None,
        actor: str | None = None,
    ) -> T:
        """Run `body` as one serial write transaction on the hall; publish its events after.
        `actor`: the staff member acting, whose changes the audit log records. The stages'
        times are left in the caller's context (write_stages.LAST_WRITE)."""
        stages = WriteStages(time.perf_counter())

        def transaction(conn: Connection) -> _Outcome[T]:
            stages.started = time.perf_counter()
            lock = _LOCK_HALL if self._async is None else _LOCK_HALL_PG
            row = direct.first(conn, lock, {"hall_code": code})
            if row is None:
                raise NotFound("hall_not_found", f"No hall {code!r}.")
            hall = self.load_hall(conn, code, row["config_version"])
            assert hall is not None
            at, seq, version = now or utcnow(), int(row["seq"]), row.get("row_version")
            tx = HallTx(
                conn, hall, seq, at, self.voice_langs,
                reload=lambda: self._reload_hall(conn, code), actor=actor,
                memo=self.queues.for_tx(code, seq, hall, at, version),
            )  # fmt: skip
            result = body(tx)
            published = tx.flush_events()
            tx.flush_audits()
            if published and self.dialect == "postgresql":
                notify_commit(conn, code, published)  # other processes, at commit
            if tx.queue.played:
                self.queues.played_in_tx += 1
            if version is not None and (published or tx.config_changed):  # its own write's
                version = tx.row_version  # from the seq's UPDATE … RETURNING (kept_queues.py)
                if version is None:  # a setting changed with no event: read it
                    version = row_version(conn, hall.id)
            kept = Kept(code, tx.seq, tx.hall.config_version, tx.today, tx.kept_memo(), at, version)
            if self._async is not None:  # PostgreSQL: kept now, for the next that locks the
                self.queues.keep(kept)  # hall (it matches only once this commit is seen)
            stages.body_done = time.perf_counter()
            return _Outcome(result, published, tx.config_changed, kept)

        if self._async is not None:
            outcome = await self.run_write(transaction)
        else:
            outcome = await self._guarded(self.group_commit.run(transaction))
        stages.committed = time.perf_counter()
        if outcome.config_changed:
            self.forget_hall(code)
        self.on_commit(outcome.published)
        self.queues.after_commit(outcome.kept)
        stages.published = time.perf_counter()
        LAST_WRITE.set(stages)
        return outcome.result

    def _keep(self, outcome: _Outcome[Any]) -> None:
        """After a body's savepoint (SQLite's writer thread): keep what it left for the hall's
        next transaction."""
        self.queues.keep(outcome.kept)

    def _forget_all(self) -> None:
        """After a failed COMMIT (writer thread): nothing computed in it may be reused."""
        self.queues.forget_all()
        self._halls.clear()


@dataclass(frozen=True, slots=True)
class _Outcome(Generic[T]):
    """What a hall transaction body gives back to hall_write."""

    result: T
    published: list[Published]
    config_changed: bool
    kept: Kept


def _in_transaction(engine: Engine, body: Callable[[Connection], T]) -> T:
    with engine.connect() as conn, conn.begin():
        return body(conn)
