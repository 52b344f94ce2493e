"""Group commit on SQLite's one writer: the hall transactions waiting to run go in one database
transaction, each in its own SAVEPOINT, with one COMMIT (one fsync of the WAL) for them all.

A body that raises rolls back its own savepoint only: the others commit, and its caller gets the
exception, so a rejected request changes nothing. A COMMIT that fails fails every body of the
batch (none of them is acknowledged). Callers are answered in the order their bodies ran, and
only after the COMMIT: a ticket acknowledged to a kiosk is on disk.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

MAX_BATCH = 64  # bodies per COMMIT: enough to amortise the fsync, short enough to answer soon


@dataclass(slots=True)
class _Job:
    body: Callable[[Connection], Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    result: Any = None
    error: BaseException | None = None


class GroupCommitter:
    """Runs hall transaction bodies on the writer thread, many per COMMIT."""

    def __init__(
        self,
        engine: Engine,
        thread: Executor,
        after_body: Callable[[Any], None],
        after_failure: Callable[[], None],
    ) -> None:
        self._engine = engine
        self._thread = thread
        # Called on the writer thread: after_body with each body's result once its savepoint
        # is released (the next bodies of the batch may use what it computed), after_failure
        # when the batch did not commit (nothing computed in it may be used).
        self._after_body = after_body
        self._after_failure = after_failure
        self._lock = threading.Lock()
        self._waiting: list[_Job] = []
        self._scheduled = False
        self.batches = 0  # COMMITs made (for tests and the benchmark)
        self.bodies = 0

    async def run(self, body: Callable[[Connection], Any]) -> Any:
        """Run `body` in the next batch; its result once the batch is committed."""
        loop = asyncio.get_running_loop()
        job = _Job(body, loop, loop.create_future())
        with self._lock:
            self._waiting.append(job)
            schedule, self._scheduled = not self._scheduled, True
        if schedule:
            self._thread.submit(self._drain)
        return await job.future

    def _drain(self) -> None:
        """One batch on the writer thread; what arrived meanwhile queues behind the executor's
        other work (migrations, accounts), so nothing waits for the halls forever."""
        with self._lock:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
        try:
            self._run_batch(batch)
        finally:
            for job in batch:
                job.loop.call_soon_threadsafe(_answer, job)
            with self._lock:
                more = self._scheduled = bool(self._waiting)
            if more:
                self._thread.submit(self._drain)

    def _run_batch(self, batch: list[_Job]) -> None:
        with self._engine.connect() as conn:
            try:
                transaction = conn.begin()
                for job in batch:
                    self._run_one(conn, job)
                transaction.commit()
            except BaseException as exc:  # BEGIN or COMMIT failed: nobody is acknowledged
                _roll_back(conn)
                for job in batch:
                    job.error, job.result = (job.error or exc), None
                self._after_failure()
                return
        self.batches += 1
        self.bodies += len(batch)

    def _run_one(self, conn: Connection, job: _Job) -> None:
        # Plain SAVEPOINT statements on the sqlite3 connection itself: SQLAlchemy's nested
        # transactions, or even its exec_driver_sql, cost more than the SQL (store/direct.py).
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("SAVEPOINT body")
        try:
            job.result = job.body(conn)
        except Exception as exc:  # a rejected request: only its own changes are undone
            raw.execute("ROLLBACK TO body")
            raw.execute("RELEASE body")
            job.error = exc
        else:
            raw.execute("RELEASE body")
            self._after_body(job.result)


def _roll_back(conn: Connection) -> None:
    """End the failed transaction for sure: SQLite keeps it open after a failed COMMIT."""
    raw = conn.connection.dbapi_connection
    if raw is not None and getattr(raw, "in_transaction", False):
        raw.rollback()


def _answer(job: _Job) -> None:
    if job.future.cancelled():
        return
    if job.error is not None:
        job.future.set_exception(job.error)
    else:
        job.future.set_result(job.result)
