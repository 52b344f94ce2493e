"""Group commit on SQLite's writer (store/group_commit.py), on a real SQLite file (the queue
memo kept between a hall's transactions: test_kept_queues.py).

The writer is held busy with a blocking job so that the bodies under test queue up and run in
one batch: one BEGIN IMMEDIATE, a SAVEPOINT each, one COMMIT.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection

from callnext.bench.simulate import staff_windows
from callnext.domain.errors import Conflict
from callnext.domain.model import Finish
from callnext.store.database import Database
from callnext.store.hall_tx import HallTx
from callnext.store.schema import events, halls, tickets
from callnext.usecases import ticketing, windows


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    return sqlite_db


@pytest.fixture
async def staffed(sqlite_db: Database) -> Database:
    """The demo hall with every window staffed (only staffed windows count in estimates)."""
    now = datetime.now(UTC)
    await staff_windows(sqlite_db, await sqlite_db.hall("demo"), now, now + timedelta(days=3650))
    return sqlite_db


@contextlib.asynccontextmanager
async def writer_held(db: Database) -> AsyncIterator[None]:
    """Keep the writer thread busy until the block ends, so hall writes queue up meanwhile."""
    busy, release = threading.Event(), threading.Event()

    def hold(_conn: Connection) -> None:
        busy.set()
        release.wait(10)

    holding = asyncio.ensure_future(db.run_write(hold))
    await asyncio.to_thread(busy.wait, 10)
    try:
        yield
    finally:
        release.set()
        await holding


def issue(service: str = "A", priority: bool = False) -> Callable[[HallTx], Any]:
    return partial(ticketing.issue_body, service=service, priority=priority, key=None)


def call(window: int) -> Callable[[HallTx], Any]:
    return partial(windows.call_next_body, number=window, how=Finish.COMPLETED)


async def stored(db: Database) -> tuple[int, list[int], int]:
    """(the hall's seq, the stored events' seqs, the number of tickets)."""

    def read(conn: Connection) -> tuple[int, list[int], int]:
        seq = conn.execute(select(halls.c.seq)).scalar_one()
        seqs = list(conn.execute(select(events.c.seq).order_by(events.c.seq)).scalars())
        count = conn.execute(select(text("count(*)")).select_from(tickets)).scalar_one()
        return int(seq), seqs, int(count)

    return await db.run_read(read)


async def test_bodies_waiting_together_commit_together_in_order(db: Database) -> None:
    before = db.group_commit.batches
    async with writer_held(db):
        writes = [
            asyncio.ensure_future(db.hall_write("demo", issue("AB"[i % 2]))) for i in range(40)
        ]
        await asyncio.sleep(0.05)
        assert not any(w.done() for w in writes)  # nobody is answered before the COMMIT
    results = await asyncio.gather(*writes)
    assert db.group_commit.batches - before == 1  # 40 bodies, one COMMIT (MAX_BATCH is 64)
    numbers = [body["number"] for body, _replayed in results]
    assert numbers[0::2] == [f"A{n:03d}" for n in range(1, 21)]
    assert numbers[1::2] == [f"B{n:03d}" for n in range(1, 21)]
    seq, seqs, count = await stored(db)
    assert (seq, seqs, count) == (40, list(range(1, 41)), 40)


async def test_more_than_a_batch_is_split_and_each_is_answered(db: Database) -> None:
    before = db.group_commit.batches
    async with writer_held(db):
        writes = [asyncio.ensure_future(db.hall_write("demo", issue())) for _ in range(150)]
        await asyncio.sleep(0.05)
    results = await asyncio.gather(*writes)
    assert db.group_commit.batches - before == 3  # 64 + 64 + 22
    assert [body["number"] for body, _ in results] == [f"A{n:03d}" for n in range(1, 151)]
    assert await stored(db) == (150, list(range(1, 151)), 150)


async def test_a_rejected_body_in_a_batch_changes_nothing_and_the_others_commit(
    db: Database,
) -> None:
    def write_then_refuse(tx: HallTx) -> None:
        tx.insert_ticket("A", False)
        tx.emit("ticket.issued", None, None)
        raise Conflict("refused", "a rejected request")

    async with writer_held(db):
        first = asyncio.ensure_future(db.hall_write("demo", issue()))
        refused = asyncio.ensure_future(db.hall_write("demo", write_then_refuse))
        last = asyncio.ensure_future(db.hall_write("demo", issue()))
        await asyncio.sleep(0.05)
    assert (await first)[0]["number"] == "A001"
    with pytest.raises(Conflict):
        await refused
    assert (await last)[0]["number"] == "A002"  # the refused body's number was rolled back
    assert await stored(db) == (2, [1, 2], 2)


async def test_a_failed_commit_answers_every_body_with_the_error_and_stores_nothing(
    db: Database,
) -> None:
    def breaks_the_commit(tx: HallTx) -> None:
        # A foreign key checked only at COMMIT: the whole batch's COMMIT fails for real.
        tx.conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        tx.conn.execute(insert(events).values(hall_id=999_999, seq=1, at=0, name="x", frame="{}"))

    await db.hall_write("demo", issue())  # a memo is kept for the hall
    async with writer_held(db):
        writes = [asyncio.ensure_future(db.hall_write("demo", issue())) for _ in range(3)]
        writes.insert(1, asyncio.ensure_future(db.hall_write("demo", breaks_the_commit)))
        await asyncio.sleep(0.05)
    outcomes = await asyncio.gather(*writes, return_exceptions=True)
    assert all(isinstance(o, Exception) and "FOREIGN KEY" in str(o) for o in outcomes)
    assert await stored(db) == (1, [1], 1)
    assert db.queues.kept("demo") is None  # nothing computed in the failed batch is reused
    body, _ = await db.hall_write("demo", issue())
    assert (body["number"], body["ahead"]) == ("A002", 1)
    assert await stored(db) == (2, [1, 2], 2)


async def test_issuing_and_calling_at_once_keep_seq_gapless_and_each_ticket_called_once(
    db: Database,
) -> None:
    async def issuer() -> None:
        for i in range(30):
            await db.hall_write("demo", issue("ABC"[i % 3]))

    async def window(number: int) -> list[str]:
        called = []
        for _ in range(25):
            result = await db.hall_write("demo", call(number))
            if result["called"] is not None:
                called.append(result["called"]["number"])
            await asyncio.sleep(0)
        return called

    runs = await asyncio.gather(*(issuer() for _ in range(4)), *(window(n) for n in range(1, 9)))
    called = [number for run in runs if run for number in run]
    assert len(called) == len(set(called))
    seq, seqs, count = await stored(db)
    assert count == 120
    assert seqs == list(range(1, seq + 1))
    assert db.group_commit.bodies > db.group_commit.batches  # bodies did share COMMITs
