"""The store's queue order (store/schema.QUEUE_ORDER, next_waiting, count_ahead, a window's
queue) is domain.queue's (queue_key: priority, queue_at, pk), on SQLite and PostgreSQL, with
booked tickets whose queue_at is apart from their issued_at (before, after, equal to others')."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from callnext.bench.claim import add_tickets
from callnext.domain.clock import utcnow
from callnext.domain.model import CallOrder, Ticket
from callnext.domain.queue import count_ahead, pick_next, queue_key
from callnext.store import desk_sql, queue_sql
from callnext.store.database import Database
from callnext.store.hall_tx import HallTx
from callnext.store.rows import TICKET_COLUMNS, ticket_from_row
from callnext.store.schema import tickets
from callnext.store.setup import seed_demo

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


async def test_sql_order_is_queue_key_with_queue_at(db_url: str) -> None:
    db = Database(db_url)
    await db.start()
    try:
        await seed_demo(db, all_day=True)
        rng = random.Random(5)
        for _ in range(60):
            now = T0 + timedelta(minutes=rng.randint(0, 20))
            booked = rng.random() < 0.4
            queue_at = T0 + timedelta(minutes=rng.randint(-30, 20)) if booked else None
            priority = rng.random() < 0.15
            service = rng.choice("AB")

            def issue(tx: HallTx, s: str = service, p: bool = priority,
                      q: datetime | None = queue_at) -> Ticket:  # fmt: skip
                return tx.insert_ticket(s, p, queue_at=q)

            await db.hall_write("demo", issue, now=now)

        def check(tx: HallTx) -> int:
            rows = tx.conn.execute(select(*TICKET_COLUMNS).where(tickets.c.hall_id == tx.hall.id))
            waiting = [ticket_from_row(r, "demo") for r in rows]
            assert any(t.queued_at != t.issued_at for t in waiting)
            for services in (("A",), ("B",), ("A", "B")):
                expected = sorted((t for t in waiting if t.service in services), key=queue_key)
                _count, line = desk_sql.window_queue(tx.conn, tx.hall, services, tx.today, 1000)
                assert [t.pk for t in line] == [t.pk for t in expected]
                head = queue_sql.next_waiting(tx.conn, tx.hall, services, tx.today)
                assert head == pick_next(waiting, services) == expected[0]
            for services in (("A", "B"), ("B", "A")):  # work profile: services in this order
                in_order = sorted(
                    (t for t in waiting if t.service in services),
                    key=lambda t: (services.index(t.service), queue_key(t)),
                )
                _count, line = desk_sql.window_queue(
                    tx.conn, tx.hall, services, tx.today, 1000, CallOrder.SERVICES
                )
                assert [t.pk for t in line] == [t.pk for t in in_order]
                head = queue_sql.next_waiting(
                    tx.conn, tx.hall, services, tx.today, CallOrder.SERVICES
                )
                assert head == pick_next(waiting, services, CallOrder.SERVICES) == in_order[0]
                assert head is not None
                assert head.service == services[0]
            for ticket in waiting:
                assert queue_sql.count_ahead(tx.conn, tx.hall, ticket) == count_ahead(
                    ticket, waiting
                )
            return len(waiting)

        assert await db.hall_write("demo", check, now=T0 + timedelta(minutes=30)) == 60
    finally:
        await db.close()


def _sqlite_steps(tx: HallTx, services: tuple[str, ...]) -> int:
    """How many virtual-machine steps SQLite takes for the claim's read of `services`' head."""
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0  # go on

    raw = tx.conn.connection.driver_connection
    assert raw is not None
    raw.set_progress_handler(step, 1)
    try:
        queue_sql.next_waiting(tx.conn, tx.hall, services, tx.today)
    finally:
        raw.set_progress_handler(None, 1)
    return steps[0]


def _postgresql_plan(tx: HallTx, services: tuple[str, ...]) -> str:
    """PostgreSQL's plan, as run, of the claim's read of `services`' head (sequential scans
    off: a table this small would be read whole, index or not)."""
    tx.conn.execute(text("ANALYZE tickets"))  # as autovacuum would have by now
    codes = {f"code_{i}": code for i, code in enumerate(services)}
    query = queue_sql._first_of_heads(len(services)).params(
        hall_pk=tx.hall.id, day=tx.today, **codes
    )
    sql = query.compile(tx.conn, compile_kwargs={"literal_binds": True})
    tx.conn.execute(text("SET LOCAL enable_seqscan = off"))
    return "\n".join(str(r[0]) for r in tx.conn.execute(text(f"EXPLAIN ANALYZE {sql}")))


async def test_the_claim_reads_one_index_entry_per_service_however_long_the_queue(
    db_url: str,
) -> None:
    """The call-next claim's read of the head (of one service, or the first of several heads)
    takes one entry of ix_tickets_queue per service: on SQLite the same number of steps with
    600 waiting (and 600 more left waiting from yesterday, ahead of them in queue order) as
    with 30; on PostgreSQL each index scan returns one row, filters none out and nothing sorts
    the tickets. (Before migration 0007 the index sorted priority the other way, so a head was
    a sort of every waiting ticket of its services; before 0008 it held no day, so binding
    today's would have read through yesterday's leftovers.)"""
    db = Database(db_url)
    await db.start()
    try:
        await seed_demo(db, all_day=True)
        one, three = ("A",), ("A", "B", "C")

        def reads(tx: HallTx) -> list[Any]:
            if tx.conn.dialect.name == "sqlite":
                return [_sqlite_steps(tx, one), _sqlite_steps(tx, three)]
            return [_postgresql_plan(tx, one), _postgresql_plan(tx, three)]

        await db.hall_write("demo", add_tickets(30, start=0))
        few = await db.hall_write("demo", reads)
        await db.hall_write("demo", add_tickets(570, start=30))
        yesterday = utcnow() - timedelta(days=1)
        await db.hall_write("demo", add_tickets(600, start=0), now=yesterday)
        many = await db.hall_write("demo", reads)
        if db.dialect == "sqlite":
            assert many == few, (few, many)
            return
        for plan in many:
            scans = [line for line in plan.splitlines() if "Scan using ix_tickets_queue" in line]
            assert scans, plan
            assert all("rows=1 loops=1)" in line for line in scans), plan
            assert "Rows Removed by Filter" not in plan, plan
            assert not re.search(r"->\s+(Incremental )?Sort\b", plan), plan
    finally:
        await db.close()
