"""Group commit on SQLite's writer (store/group_commit.py) and the queue memo that issuing
extends between a hall's transactions (store/queue_memo.py), on a real SQLite file.

The writer is held busy with a blocking job so that the bodies under test queue up and run in
one batch: one BEGIN IMMEDIATE, a SAVEPOINT each, one COMMIT.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection

from callnext.bench.simulate import staff_windows
from callnext.domain.clock import local_day, utcnow
from callnext.domain.errors import Conflict
from callnext.domain.model import Finish
from callnext.store import queue_sql
from callnext.store.database import Database
from callnext.store.hall_tx import HallTx
from callnext.store.schema import QUEUE_ORDER, events, halls, tickets
from callnext.usecases import ticketing, windows

from ..hall_day import start_with_room


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
    assert db._kept == {}  # nothing computed in the failed batch is reused
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


# -- the queue memo ------------------------------------------------------------------------


@contextlib.contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL the writer runs meanwhile: all of it, SQLAlchemy's and store/direct.py's, as
    sqlite3 traces it on the writer's one connection (taken while the writer is idle)."""
    seen: list[str] = []
    proxy = db._sync_writer.raw_connection()
    raw = proxy.dbapi_connection
    proxy.close()  # back to the pool: the writer's next transaction takes it
    assert isinstance(raw, sqlite3.Connection)
    raw.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        raw.set_trace_callback(None)


def read_queue(seen: list[str]) -> bool:
    """Whether the waiting tickets were read (store/queue_sql.read_queue) meanwhile."""
    return any("SELECT tickets.pk, tickets.service, tickets.priority, tickets.queue_at" in s
               for s in seen)  # fmt: skip


def played(seen: list[str]) -> bool:
    """Whether the queue was played forward (store/queue_sql.play_queue, which reads the
    windows' current tickets) meanwhile."""
    return any("SELECT tickets.window, tickets.service, tickets.last_called_at" in s
               for s in seen)  # fmt: skip


async def replayed_waits(db: Database, now: Any, pks: list[int]) -> dict[int, int]:
    """Each waiting ticket's estimate with the queue played forward from the database."""

    def read(conn: Connection) -> dict[int, int]:
        hall = db.load_hall(conn, "demo")
        assert hall is not None
        means = queue_sql.mean_service_s(conn, hall, "")
        estimates = queue_sql.queue_estimates(conn, hall, now, means)
        out = {}
        for pk in pks:
            out[pk] = estimates.for_ticket(pk)
        return out

    return await db.run_read(read)


async def test_walk_ins_extend_the_memo_and_get_the_replays_estimates(staffed: Database) -> None:
    db = staffed  # only staffed windows count in the estimates
    now = utcnow()
    for service in "AAABBC":
        await db.hall_write("demo", issue(service), now=now)
    for number in (1, 5, 7):  # busy windows: the play starts from their current tickets
        await db.hall_write("demo", call(number), now=now)
    waiting = await waiting_counts(db, now)
    assert waiting == {"A": 1, "B": 1, "C": 1}
    issued = []
    with statements(db) as seen:
        for i in range(30):
            body, _ = await db.hall_write("demo", issue("ABC"[i % 4 % 3]), now=now)
            issued.append(body)
    assert not played(seen)  # never played again
    assert not read_queue(seen)
    assert not any("count(" in s for s in seen)  # nor counted
    pks = await db.run_read(
        lambda conn: list(
            conn.execute(select(tickets.c.pk).order_by(tickets.c.pk.desc()).limit(30)).scalars()
        )
    )
    replay = await replayed_waits(db, now, sorted(pks))
    assert [b["est_wait_s"] for b in issued] == [replay[pk] for pk in sorted(pks)]
    ahead = dict(waiting)  # each walk-in is behind every waiting ticket of its service
    for body in issued:
        assert body["ahead"] == ahead[body["service"]]
        ahead[body["service"]] += 1


async def test_a_call_a_priority_ticket_or_a_later_booked_place_play_the_queue_again(
    staffed: Database,
) -> None:
    db = staffed  # only staffed windows count in the estimates
    now = utcnow()
    await db.hall_write("demo", issue(), now=now)
    for change in (call(1), issue("A", priority=True)):
        await db.hall_write("demo", change, now=now)
        with statements(db) as seen:
            await db.hall_write("demo", issue(), now=now)
        assert not played(seen)  # played in the change
    booked_at = now + timedelta(minutes=10)  # a booked ticket placed by its later slot

    def booked(tx: HallTx) -> None:
        ticket = tx.insert_ticket("A", False, queue_at=booked_at)
        tx.emit("ticket.issued", ticket, None)

    await db.hall_write("demo", booked, now=now)
    with statements(db) as seen:
        walk_in, _ = await db.hall_write("demo", issue(), now=now)
    assert read_queue(seen)  # not at the end: read and played again
    pk = await db.run_read(
        lambda conn: conn.execute(select(text("max(pk)")).select_from(tickets)).scalar_one()
    )
    assert walk_in["est_wait_s"] == (await replayed_waits(db, now, [pk]))[pk]


async def test_the_memo_serves_one_second_then_the_queue_is_played_again(staffed: Database) -> None:
    """Estimates serve one second; the waiting tickets themselves a minute, then they are read
    from the database again."""
    db = staffed  # only staffed windows count in the estimates
    # Later than the staffed fixture's own write by more than the estimates' second, so the first
    # issue plays the queue at `now` itself. (At utcnow(), a fixture that ran within the second
    # before left a memo played then, which the first issue kept and extended: on a loaded
    # machine the memo then aged past its second by the first step, and the queue was played.)
    now = utcnow() + timedelta(seconds=5)
    with statements(db) as seen:
        await db.hall_write("demo", issue(), now=now)
    assert played(seen)
    # (seconds after the first ticket, the queue played, its waiting tickets read); at 1.0 the
    # walk-in is not behind the last one (issued at 1.7), so the queue is read again
    steps = ((0.5, False, False), (1.6, True, False), (1.7, False, False), (1.0, True, True),
             (30.0, True, False), (62.0, True, True), (62.5, False, False))  # fmt: skip
    for later, plays, reads in steps:
        with statements(db) as seen:
            await db.hall_write("demo", issue(), now=now + timedelta(seconds=later))
        assert (played(seen), read_queue(seen)) == (plays, reads), later


async def fresh_queues(db: Database, now: Any) -> dict[str, Any]:
    """Each service's waiting count and a new ticket's wait, played from the database."""

    def read(conn: Connection) -> dict[str, Any]:
        hall = db.load_hall(conn, "demo")
        assert hall is not None
        means = queue_sql.mean_service_s(conn, hall, local_day(now, hall.timezone))
        issued = queue_sql.issued_counts(conn, hall, local_day(now, hall.timezone))
        return queue_sql.service_states(conn, hall, now, means, issued)

    return await db.run_read(read)


async def waiting_counts(db: Database, now: Any) -> dict[str, int]:
    """Each service's waiting count of the day at `now`, read from the database."""

    def read(conn: Connection) -> dict[str, int]:
        hall = db.load_hall(conn, "demo")
        assert hall is not None
        return queue_sql.waiting_counts(conn, hall, local_day(now, hall.timezone))

    return await db.run_read(read)


async def last_frame_queues(db: Database) -> dict[str, Any]:
    frame = await db.run_read(
        lambda conn: conn.execute(
            select(events.c.frame).order_by(events.c.seq.desc()).limit(1)
        ).scalar_one()
    )
    return dict(json.loads(frame)["queues"])


async def test_a_finish_after_a_kept_memo_counts_in_the_means_at_once(staffed: Database) -> None:
    """A memo kept from the last transaction carries that state's mean service times; a call
    that finishes a ticket changes them, and its frame's waits are the database's, not the
    memo's (found: a chain of transactions under a second apart kept the old means)."""
    db = staffed  # only staffed windows count in the estimates
    start = utcnow()
    for _ in range(6):
        await db.hall_write("demo", issue("A"), now=start)
    await db.hall_write("demo", call(1), now=start)  # A001 is served for 20 minutes
    later = start + timedelta(minutes=20)
    await db.hall_write("demo", issue("A"), now=later)  # plays the queue; its memo is kept
    at = later + timedelta(milliseconds=200)
    await db.hall_write("demo", call(1), now=at)  # finishes A001 after 20 minutes
    assert (await last_frame_queues(db))["A"] == (await fresh_queues(db, at))["A"]
    for i in range(4):  # and the transactions after it, while their memo is kept
        at += timedelta(milliseconds=300)
        await db.hall_write("demo", issue("A") if i % 2 else call(2 + i), now=at)
        sent, fresh = (await last_frame_queues(db))["A"], (await fresh_queues(db, at))["A"]
        # a walk-in extends estimates played at most a second ago (docs/performance.md)
        assert abs(sent.pop("est_wait_s") - fresh.pop("est_wait_s")) <= (1 if i % 2 else 0), i
        assert sent == fresh, i


async def waiting_in_order(db: Database) -> list[int]:
    return await db.run_read(
        lambda conn: list(
            conn.execute(
                select(tickets.c.pk).where(tickets.c.status == "waiting").order_by(*QUEUE_ORDER)
            ).scalars()
        )
    )


@pytest.mark.parametrize("seed", range(3))
async def test_the_kept_memo_follows_every_change_exactly(staffed: Database, seed: int) -> None:
    """Random staff and kiosk actions, some a moment apart, some minutes: after each, the memo
    the hall keeps holds the database's waiting tickets in queue order and their counts, and
    every frame's waits are those the database gives (a walk-in's within its second)."""
    db = staffed  # only staffed windows count in the estimates
    rng = random.Random(seed)
    at = start_with_room(timedelta(hours=2.5))  # 120 steps of at most 70 s: within one hall day
    for _ in range(12):
        await db.hall_write("demo", issue(rng.choice("ABC")), now=at)

    def some_waiting(tx: HallTx) -> str:
        ticket = tx._find(tickets.c.status == "waiting")
        if ticket is None:
            raise Conflict("nothing_waiting", "nothing waiting")
        return ticket.id

    async def cancel_one(when: Any) -> None:
        ticket_id = await db.hall_write("demo", some_waiting, now=when)
        await db.hall_write("demo", partial(ticketing.cancel_body, ticket_id=ticket_id), now=when)

    window = lambda: rng.randint(1, 8)  # noqa: E731
    moves: list[Callable[[], Any]] = [
        lambda: issue(rng.choice("ABC")),
        lambda: issue(rng.choice("ABC")),
        lambda: issue(rng.choice("ABC"), priority=True),
        lambda: call(window()),
        lambda: call(window()),
        lambda: partial(windows.recall_body, number=window()),
        lambda: partial(windows.finish_body, number=window(), how=rng.choice(list(Finish))),
        lambda: partial(windows.transfer_body, number=window(), service=rng.choice("ABC")),
        lambda: partial(
            windows.pause_body, number=window(), paused=rng.random() < 0.5, reason=None
        ),
    ]
    for step in range(120):
        at += timedelta(seconds=rng.choice([0.05, 0.3, 0.9, 2.0, 45.0, 70.0]))
        walk_in = False
        try:
            if rng.random() < 0.08:
                await cancel_one(at)
            else:
                move = rng.choice(moves)()
                walk_in = (
                    getattr(move, "func", None) is ticketing.issue_body
                    and not move.keywords["priority"]
                )
                await db.hall_write("demo", move, now=at)
        except Conflict:
            continue  # a rejected action changes nothing (tested elsewhere)
        kept = db._kept["demo"].memo
        if kept is not None:
            assert [w.pk for w in kept.queue] == await waiting_in_order(db), step
            counts = await waiting_counts(db, at)
            assert dict(kept.waiting) == counts, step
        sent, fresh = await last_frame_queues(db), await fresh_queues(db, at)
        for code in "ABC":
            wait_sent, wait_fresh = sent[code].pop("est_wait_s"), fresh[code].pop("est_wait_s")
            if wait_sent is None or wait_fresh is None:  # every window of it paused: none
                assert wait_sent == wait_fresh, (step, code)
            else:
                assert abs(wait_sent - wait_fresh) <= (1 if walk_in else 0), (step, code)
        assert sent == fresh, step
