"""The write path's statements run straight on the DB-API (store/direct.py), on a real
database of each kind: every statement that goes through it gives, row for row, what
SQLAlchemy's own execution gives on the same data, and its writes land as SQLAlchemy's would."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Connection

from callnext.domain.model import Finish
from callnext.store import direct, queue_sql
from callnext.store.database import _LOCK_HALL, Database
from callnext.store.hall_tx import HallTx
from callnext.store.schema import audit, events, halls, tickets
from callnext.store.setup import seed_demo
from callnext.store.ticket_sql import (
    BY_IDEMPOTENCY_KEY,
    CURRENT,
    INSERT_AUDIT,
    INSERT_EVENTS,
    INSERT_IDEMPOTENCY,
    NEXT_NUMBER,
    RECORD_ESTIMATE,
    SAVE_TICKET,
    SET_SEQ,
)
from callnext.usecases import ticketing, windows


def plain(row: Any) -> tuple[Any, ...]:
    """A row's values with booleans as 0/1 (sqlite3 gives integers where SQLAlchemy gives
    bool for a Boolean column)."""
    return tuple(int(v) if isinstance(v, bool) else v for v in row)


async def busy_hall(db: Database) -> None:
    """The demo hall with tickets of every kind: waiting, priority, called, finished."""
    for service, priority in (("A", False), ("A", True), ("B", False), ("C", False)) * 3:
        body = partial(ticketing.issue_body, service=service, priority=priority, key=None)
        await db.hall_write("demo", body)
    for window in (1, 2, 1, 5):
        await db.hall_write("demo", partial(windows.call_next_body, number=window,
                                            how=Finish.COMPLETED))  # fmt: skip


@pytest.fixture
async def busy_db(db_url: str) -> AsyncIterator[Database]:
    """A database of each kind with the demo hall, busy (busy_hall)."""
    db = Database(db_url)
    await db.start()
    try:
        await seed_demo(db, all_day=True)
        await busy_hall(db)
        yield db
    finally:
        await db.close()


def reads(tx: HallTx) -> list[tuple[Any, Any, dict[str, Any]]]:
    """Each read statement of the write path with its values."""
    hall, code = tx.hall.id, tx.hall.code
    return [
        (_LOCK_HALL, "lock", {"hall_code": code}),
        (CURRENT, "current", {"hall_pk": hall, "window_number": 1}),
        (CURRENT, "no current", {"hall_pk": hall, "window_number": 8}),
        (queue_sql._WAITING, "queue", {"hall_pk": hall, "day": tx.today}),
        (queue_sql._SERVING, "serving", {"hall_pk": hall}),
        (queue_sql._RECENT, "recent", {"hall_pk": hall, "day": tx.today, "service": "A"}),
        (queue_sql._first_of_heads(1), "head", {"hall_pk": hall, "code_0": "A", "day": tx.today}),
        (queue_sql._first_of_heads(3), "heads",
         {"hall_pk": hall, "code_0": "A", "code_1": "B", "code_2": "C", "day": tx.today}),
        (queue_sql._HEAD_OF_KIND, "head of kind",
         {"hall_pk": hall, "code": "A", "priority": True, "day": tx.today}),
    ]  # fmt: skip


async def test_reads_give_what_sqlalchemy_gives(busy_db: Database) -> None:
    db = busy_db

    def compare(tx: HallTx) -> list[str]:
        checked = []
        for statement, label, values in reads(tx):
            expected = [plain(r) for r in tx.conn.execute(statement, values)]
            assert [plain(r) for r in direct.tuples(tx.conn, statement, values)] == expected
            first = direct.first(tx.conn, statement, values)
            if expected:
                assert first is not None
                assert plain(first.values()) == expected[0], label
                row = tx.conn.execute(statement, values).first()
                assert row is not None
                assert list(first) == list(row._mapping), label
            else:
                assert first is None, label
            checked.append(f"{label}: {len(expected)}")
        return checked

    checked = await db.hall_write("demo", compare)
    # the data is not trivial: a current ticket, a queue, recent finishes, heads
    for found in ("current: 1", "no current: 0", "head: 1", "heads: 1"):
        assert found in checked
    for empty in ("queue: 0", "recent: 0", "serving: 0"):
        assert empty not in checked


def writes(tx: HallTx) -> dict[str, Any]:
    """Each write statement of the write path, through store/direct.py."""
    conn, hall = tx.conn, tx.hall
    waiting = tx.next_waiting(("A",))
    assert waiting is not None
    assert waiting.pk is not None
    before = conn.execute(select(halls.c.seq).where(halls.c.id == hall.id)).scalar_one()
    upsert = NEXT_NUMBER[conn.dialect.name]
    number = direct.scalar(conn, upsert, {"hall_id": hall.id, "service": "C", "day": tx.today,
                                          "last": 1})  # fmt: skip
    direct.run(conn, RECORD_ESTIMATE, {"ticket_pk": waiting.pk, "est": 4321})
    direct.run(conn, SAVE_TICKET, {"ticket_pk": waiting.pk, "recalls": 7, "outcome": None})
    rows = [{"hall_id": hall.id, "seq": before + i, "at": 1, "name": "test", "frame": f"f{i}"}
            for i in (1, 2)]  # fmt: skip
    direct.run(conn, INSERT_EVENTS, rows)
    direct.run(conn, INSERT_EVENTS, [])
    direct.run(conn, SET_SEQ, {"hall_pk": hall.id, "new_seq": before + 2})
    direct.run(conn, INSERT_AUDIT, [
        {"hall_id": hall.id, "at": 1, "actor": "tester", "action": "test", "window": None,
         "ticket": "A001", "detail": "{}"}])  # fmt: skip
    key = {"hall_pk": hall.id, "key": "tap-1"}
    tap = {"hall_id": hall.id, "key": "tap-1", "created_at": 1, "ticket_pk": waiting.pk,
           "fingerprint": "fp"}  # fmt: skip
    direct.run(conn, INSERT_IDEMPOTENCY, tap)
    remembered = direct.first(conn, BY_IDEMPOTENCY_KEY, key)
    row = conn.execute(BY_IDEMPOTENCY_KEY, key).first()
    assert remembered is not None
    assert row is not None
    assert plain(remembered.values()) == plain(row)
    return {"pk": waiting.pk, "before": before, "number": number,
            "remembered": (remembered["pk"], remembered["fingerprint"])}  # fmt: skip


async def test_writes_land_as_sqlalchemys_would(busy_db: Database) -> None:
    db = busy_db
    done = await db.hall_write("demo", writes)

    def read(conn: Connection) -> dict[str, Any]:
        t = conn.execute(select(tickets).where(tickets.c.pk == done["pk"])).one()
        seq = conn.execute(select(halls.c.seq).where(halls.c.code == "demo")).scalar_one()
        frames = conn.execute(
            select(events.c.frame).where(events.c.seq > done["before"]).order_by(events.c.seq)
        ).scalars()
        actors = conn.execute(select(audit.c.actor).where(audit.c.action == "test")).scalars()
        return {"est": t.est_at_issue_s, "recalls": t.recalls, "status": t.status,
                "seq": seq, "frames": list(frames), "actors": list(actors)}  # fmt: skip

    stored = await db.run_read(read)
    assert done["number"] == 4  # C had three numbers out
    assert done["remembered"] == (done["pk"], "fp")
    assert stored == {"est": 4321, "recalls": 7, "status": "waiting",
                      "seq": done["before"] + 2, "frames": ["f1", "f2"],
                      "actors": ["tester"]}  # fmt: skip


async def test_a_rejected_body_undoes_its_direct_writes(sqlite_db: Database) -> None:
    """A body that fails after direct writes leaves nothing: they are in its savepoint."""
    db = sqlite_db
    await busy_hall(db)
    before = await db.run_read(lambda c: c.execute(select(halls.c.seq)).scalar_one())

    def failing(tx: HallTx) -> None:
        direct.run(tx.conn, SET_SEQ, {"hall_pk": tx.hall.id, "new_seq": 999})
        raise ValueError("rejected")

    body: Callable[[HallTx], None] = failing
    try:
        await db.hall_write("demo", body)
    except ValueError:
        pass
    else:
        raise AssertionError("the body's error did not reach the caller")
    assert await db.run_read(lambda c: c.execute(select(halls.c.seq)).scalar_one()) == before
