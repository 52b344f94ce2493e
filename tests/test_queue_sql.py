"""The store's queue order (store/queue_sql.QUEUE_ORDER, next_waiting, count_ahead, a window's
queue) is domain.queue's (queue_key: priority, queue_at, pk), on SQLite and PostgreSQL, with
booked tickets whose queue_at is apart from their issued_at (before, after, equal to others')."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from callnext.domain.model import Ticket
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
        await seed_demo(db)
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
                _count, line = desk_sql.window_queue(tx.conn, tx.hall, services, 1000)
                assert [t.pk for t in line] == [t.pk for t in expected]
                head = queue_sql.next_waiting(tx.conn, tx.hall, services, tx.today)
                assert head == pick_next(waiting, services) == expected[0]
            for ticket in waiting:
                assert queue_sql.count_ahead(tx.conn, tx.hall, ticket) == count_ahead(
                    ticket, waiting
                )
            return len(waiting)

        assert await db.hall_write("demo", check, now=T0 + timedelta(minutes=30)) == 60
    finally:
        await db.close()
