"""The queue memo a hall's transactions hand on (store/queue_memo.py, store/kept_queues.py), on
real databases: which transactions read or play the queue (the SQL they run), that the play
made off the lock is the database's own, and that a frame's waits are the kept play moved on.
"""

from __future__ import annotations

import contextlib
import json
import random
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Connection

from callnext.bench.simulate import staff_windows
from callnext.domain.clock import local_day, utcnow
from callnext.domain.errors import Conflict
from callnext.domain.estimate import Estimates, extend
from callnext.domain.model import Finish, Hall
from callnext.store import queue_sql
from callnext.store.database import Database
from callnext.store.hall_tx import HallTx
from callnext.store.kept_queues import MAX_FORECAST_CHANGES, Kept, KeptQueues
from callnext.store.queue_memo import QueueMemo
from callnext.store.schema import QUEUE_ORDER, events, halls, tickets
from callnext.store.setup import seed_demo
from callnext.usecases import ticketing, windows

from ..hall_day import start_with_room

QUEUE_READ = "SELECT tickets.pk, tickets.service, tickets.priority, tickets.queue_at"
PLAY = "SELECT tickets.window, tickets.service, tickets.last_called_at"  # the windows' tickets


@pytest.fixture
async def staffed(db_url: str) -> AsyncIterator[Database]:
    """The demo hall on each engine, every window staffed (only staffed windows count)."""
    db = Database(db_url)
    await db.start()
    await seed_demo(db, all_day=True)
    now = datetime.now(UTC)
    await staff_windows(db, await db.hall("demo"), now, now + timedelta(days=3650))
    await db.queues.idle()
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
async def staffed_sqlite(sqlite_db: Database) -> Database:
    now = datetime.now(UTC)
    await staff_windows(sqlite_db, await sqlite_db.hall("demo"), now, now + timedelta(days=3650))
    await sqlite_db.queues.idle()
    return sqlite_db


@contextlib.contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL the hall's writes run meanwhile. SQLite: all of it (SQLAlchemy's and
    store/direct.py's), as sqlite3 traces it on the writer's one connection; PostgreSQL: what
    SQLAlchemy runs, on any connection (so read the list before the next await: a refresh
    after the commit reads on another)."""
    seen: list[str] = []
    if db.dialect == "sqlite":
        proxy = db._sync_writer.raw_connection()
        raw = proxy.dbapi_connection
        proxy.close()  # back to the pool: the writer's next transaction takes it
        assert isinstance(raw, sqlite3.Connection)
        raw.set_trace_callback(seen.append)
        try:
            yield seen
        finally:
            raw.set_trace_callback(None)
        return
    assert db._async is not None
    engine = db._async.sync_engine

    def trace(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", trace)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", trace)


def ran(seen: list[str], what: str) -> bool:
    return any(what in " ".join(s.split()) for s in seen)


def issue(service: str = "A", priority: bool = False) -> Callable[[HallTx], Any]:
    return partial(ticketing.issue_body, service=service, priority=priority, key=None)


def call(window: int) -> Callable[[HallTx], Any]:
    return partial(windows.call_next_body, number=window, how=Finish.COMPLETED)


def issue_many(count: int) -> Callable[[HallTx], None]:
    """`count` walk-ins of A, B and C in one transaction (a long queue, quickly)."""

    def body(tx: HallTx) -> None:
        for i in range(count):
            ticketing.issue_body(tx, service="ABC"[i % 3], priority=False, key=None)

    return body


async def fresh_play(db: Database, now: datetime) -> Estimates:
    """The queue read from the database and played at `now`."""

    def read(conn: Connection) -> Estimates:
        hall = db.load_hall(conn, "demo")
        assert hall is not None
        means = queue_sql.mean_service_s(conn, hall, local_day(now, hall.timezone))
        return queue_sql.queue_estimates(conn, hall, now, means)

    return await db.run_read(read)


async def waiting_in_order(db: Database) -> list[int]:
    query = select(tickets.c.pk).where(tickets.c.status == "waiting").order_by(*QUEUE_ORDER)
    return await db.run_read(lambda conn: list(conn.execute(query).scalars()))


async def waiting_counts(db: Database, now: datetime) -> dict[str, int]:
    """Each service's waiting count of the day at `now`, read from the database."""

    def read(conn: Connection) -> dict[str, int]:
        hall = db.load_hall(conn, "demo")
        assert hall is not None
        return queue_sql.waiting_counts(conn, hall, local_day(now, hall.timezone))

    return await db.run_read(read)


async def last_frame_queues(db: Database) -> dict[str, Any]:
    query = select(events.c.frame).order_by(events.c.seq.desc()).limit(1)
    frame = await db.run_read(lambda conn: conn.execute(query).scalar_one())
    return dict(json.loads(frame)["queues"])


def kept_memo(db: Database) -> QueueMemo:
    kept = db.queues.kept("demo")
    assert kept is not None
    assert kept.memo is not None
    return kept.memo


def same_play(a: Estimates, b: Estimates, pks: list[int]) -> None:
    assert {s: a.for_new(s) for s in "ABC"} == {s: b.for_new(s) for s in "ABC"}
    assert [a.for_ticket(pk) for pk in pks] == [b.for_ticket(pk) for pk in pks]


# -- a call's transaction ------------------------------------------------------------------


@pytest.mark.parametrize("waiting", [30, 900])
async def test_a_call_reads_no_queue_and_plays_none_however_long_it_is(
    staffed: Database, waiting: int
) -> None:
    """The call's statements are the same with 30 or 900 waiting: no read of the waiting
    tickets, no play (the windows' tickets); the play comes after, off the lock."""
    db = staffed
    await db.hall_write("demo", issue_many(waiting))
    await db.hall_write("demo", call(1))  # the first call reads and plays; its memo is kept
    await db.queues.idle()
    refreshed, in_tx = db.queues.refreshed, db.queues.played_in_tx
    for number in (2, 3, 1):
        with statements(db) as seen:
            await db.hall_write("demo", call(number))
            ran_now = list(seen)  # before any await: a refresh reads on its own connection
        assert not ran(ran_now, QUEUE_READ), number
        assert not ran(ran_now, PLAY), number
        assert not any("count(" in s for s in ran_now), number
        await db.queues.idle()
    assert db.queues.played_in_tx == in_tx
    assert db.queues.refreshed == refreshed + 3  # each call's queue played after it


async def test_the_play_off_the_lock_is_the_databases_own(staffed: Database) -> None:
    db = staffed
    now = utcnow()
    await db.hall_write("demo", issue_many(40), now=now)
    for number in (1, 4, 6, 2):
        await db.hall_write("demo", call(number), now=now)
    await db.queues.idle()
    memo = kept_memo(db)
    pks = await waiting_in_order(db)
    assert [w.pk for w in memo.queue] == pks
    assert memo.changes == 0
    assert memo.at == now  # played at the last commit's time
    assert memo.estimates is not None
    same_play(memo.estimates, await fresh_play(db, now), pks)


async def test_a_calls_frame_carries_the_kept_play_moved_on(staffed: Database) -> None:
    """A call twenty seconds after the play: its frame's newcomer waits are that play's, twenty
    seconds nearer; the play after it is the database's at the call."""
    db = staffed
    now = utcnow()
    await db.hall_write("demo", issue_many(30), now=now)
    await db.hall_write("demo", call(1), now=now)
    await db.queues.idle()
    before = kept_memo(db).estimates
    assert before is not None
    later = now + timedelta(seconds=20)
    await db.hall_write("demo", call(2), now=later)
    sent = await last_frame_queues(db)
    moved = before.moved_on(20)
    assert {s: sent[s]["est_wait_s"] for s in "ABC"} == {s: moved.for_new(s) for s in "ABC"}
    await db.queues.idle()
    pks = await waiting_in_order(db)
    after = kept_memo(db).estimates
    assert after is not None
    same_play(after, await fresh_play(db, later), pks)


# -- how long a memo serves ----------------------------------------------------------------


async def test_a_play_serves_a_minute_and_is_played_again_off_the_lock(
    staffed_sqlite: Database,
) -> None:
    """(seconds after the first ticket; the transaction read the queue, played it; a play
    followed it off the lock). A play serves KEPT_FORECAST_S (60 s) moved on, and is played
    again after a commit once half of that has gone; the tickets serve a minute from their
    read; a call is always played again after."""
    db = staffed_sqlite
    now = utcnow() + timedelta(seconds=5)  # after the fixture's own writes and their plays
    # (a priority ticket first: the memo cannot follow it, so the queue is read and played)
    steps = [
        (0.0, issue(priority=True), True, True, False),
        (0.5, issue(), False, False, False),
        (20.0, issue(), False, False, False),
        (40.0, issue(), False, False, True),
        (90.0, issue(), False, False, True),
        (200.0, issue(), True, True, False),
        (200.5, call(1), False, False, True),
        (210.0, issue("B"), False, False, False),
    ]
    for later, change, reads, plays, refreshes in steps:
        refreshed = db.queues.refreshed
        with statements(db) as seen:
            await db.hall_write("demo", change, now=now + timedelta(seconds=later))
        await db.queues.idle()
        assert (ran(seen, QUEUE_READ), ran(seen, PLAY)) == (reads, plays), later
        assert db.queues.refreshed - refreshed == refreshes, later


async def test_a_quiet_halls_play_is_renewed_so_its_next_call_plays_nothing(
    staffed_sqlite: Database,
) -> None:
    """No change for 70 s: the play the last call left is past its minute, but the tick
    (every TICK_S) played the hall again at 40 s, so the call at 70 s carries that play."""
    db = staffed_sqlite
    now = utcnow() + timedelta(seconds=5)
    await db.hall_write("demo", issue_many(20), now=now)
    await db.hall_write("demo", call(1), now=now)
    await db.queues.idle()
    assert kept_memo(db).at == now
    refreshed = db.queues.refreshed
    db.queues.tick(now + timedelta(seconds=10))  # a recent play: left as it is
    await db.queues.idle()
    assert db.queues.refreshed == refreshed
    db.queues.tick(now + timedelta(seconds=40))
    await db.queues.idle()
    assert db.queues.refreshed == refreshed + 1
    assert kept_memo(db).at == now + timedelta(seconds=40)
    with statements(db) as seen:
        await db.hall_write("demo", call(2), now=now + timedelta(seconds=70))
    assert not ran(seen, PLAY)
    assert not ran(seen, QUEUE_READ)


async def test_too_many_changes_unforeseen_are_played_in_the_transaction() -> None:
    """A forecast carried across more than MAX_FORECAST_CHANGES changes (the refresh did not
    keep up) is played again by the next transaction (pure: KeptQueues.for_tx)."""
    queues = KeptQueues(run_read=_never, load_hall=lambda *_: None)
    now = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    played = Estimates({}, {"A": 60.0}, {"A": 300.0})
    memo = QueueMemo((), {"A": 0}, None, played, now, None, now)
    hall = _hall()
    most = MAX_FORECAST_CHANGES
    for changes, kept_play in ((0, True), (most, True), (most + 1, False)):
        queues.keep(Kept("demo", 7, 1, local_day(now, hall.timezone), _changed(memo, changes), now))
        used = queues.for_tx("demo", 7, hall, now + timedelta(seconds=10))
        assert used is not None
        assert (used.estimates is not None) == kept_play, changes
    assert queues.for_tx("demo", 8, hall, now) is None  # another state: nothing
    queues.keep(Kept("demo", 6, 1, "", memo, now))  # an older commit coming back late
    assert (queue := queues.kept("demo")) is not None
    assert queue.seq == 7


async def _never(_body: Any) -> None:
    raise AssertionError("no read expected")


def _changed(memo: QueueMemo, changes: int) -> QueueMemo:
    for _ in range(changes):
        memo = memo.without(-1)
    return memo


def _hall() -> Hall:
    return Hall(id=1, code="demo", name="demo", timezone="Asia/Shanghai", config_version=1)


# -- the frames' waits after every kind of change ------------------------------------------


@pytest.mark.parametrize("seed", range(3))
async def test_the_kept_memo_follows_every_change_and_frames_carry_its_play(
    staffed_sqlite: Database, seed: int
) -> None:
    """Random staff and kiosk actions, some a moment apart, some minutes: after each, the memo
    the hall keeps holds the database's waiting tickets in queue order and their counts; its
    play (once the one after the commit is done) is the database's own; and every frame's
    waits are either the database's (the transaction played) or the kept play moved on (with
    a walk-in: extended by it)."""
    db = staffed_sqlite
    rng = random.Random(seed)
    at = start_with_room(timedelta(hours=2.5))  # 120 steps of at most 70 s: within one hall day
    for _ in range(12):
        await db.hall_write("demo", issue(rng.choice("ABC")), now=at)

    async def cancel_one(when: Any) -> None:
        query = select(tickets.c.id).where(tickets.c.status == "waiting").limit(1)
        ticket_id = await db.run_read(lambda conn: conn.execute(query).scalar())
        if ticket_id is None:
            raise Conflict("nothing_waiting", "nothing waiting")
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
    carried = 0
    for step in range(120):
        at += timedelta(seconds=rng.choice([0.05, 0.3, 0.9, 2.0, 45.0, 70.0]))
        await db.queues.idle()
        before = db.queues.kept("demo")
        move: Any = None
        try:
            with statements(db) as seen:
                if rng.random() < 0.08:
                    await cancel_one(at)
                else:
                    move = rng.choice(moves)()
                    await db.hall_write("demo", move, now=at)
        except Conflict:
            continue  # a rejected action changes nothing (tested elsewhere)
        sent = await last_frame_queues(db)
        fresh = await fresh_play(db, at)
        if ran(seen, PLAY) or before is None or before.memo is None:
            expected = fresh  # played in the transaction: the database's own
        else:
            carried += 1
            assert before.memo.estimates is not None
            assert before.memo.at is not None
            expected = before.memo.estimates
            walk_in = getattr(move, "func", None) is ticketing.issue_body
            if walk_in and not move.keywords["priority"]:
                pk = max(await waiting_in_order(db))
                expected = extend(expected, pk, _service_of_last_issue(move)) or expected
            expected = expected.moved_on((at - before.memo.at).total_seconds())
        for code in "ABC":
            assert sent[code]["est_wait_s"] == expected.for_new(code), (step, code)
        await db.queues.idle()
        kept = db.queues.kept("demo")
        if kept is not None and kept.memo is not None:
            assert [w.pk for w in kept.memo.queue] == await waiting_in_order(db), step
            assert dict(kept.memo.waiting) == await waiting_counts(db, at), step
            if kept.memo.estimates is not None and kept.memo.changes == 0 and kept.memo.at:
                pks = await waiting_in_order(db)
                same_play(kept.memo.estimates, await fresh_play(db, kept.memo.at), pks)
    assert carried > 20  # most steps used the kept play, not one of their own


def _service_of_last_issue(move: Any) -> str:
    service = move.keywords["service"]
    assert isinstance(service, str)
    return service


# -- PostgreSQL: a memo is for the commit that made it ------------------------------------


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_memo_from_a_failed_commit_is_never_taken(staffed: Database, db_url: str) -> None:
    """On PostgreSQL a transaction keeps its memo before its COMMIT, tagged with the hall row's
    version it wrote. Its COMMIT fails for real (a deferred constraint); another process then
    writes the same seq: the memo of the failed one is not taken (its seq matches, its row
    version does not), the queue is read, and what is kept is the database's queue."""
    db = staffed
    for statement in _REFUSE_BOOM_AT_COMMIT:
        await db.run_write(partial(Connection.exec_driver_sql, statement=statement))
    await db.hall_write("demo", issue_many(5))
    await db.hall_write("demo", issue())  # a memo of the hall is kept from here on

    def boom(tx: HallTx) -> None:
        ticketing.issue_body(tx, service="A", priority=False, key=None)
        tx.emit("boom", None, None)

    with pytest.raises(Exception, match="boom refused"):
        await db.hall_write("demo", boom)
    failed = db.queues.kept("demo")
    assert failed is not None  # kept before the COMMIT that failed
    seq = (await db.run_read(lambda conn: conn.execute(select(halls.c.seq)).scalar_one())) or 0
    other = Database(db_url)  # another process on the same database
    await other.start()
    try:
        for _ in range(failed.seq - seq):  # to the seq the failed commit would have left
            await other.hall_write("demo", issue("B"))
    finally:
        await other.close()
    with statements(db) as seen:
        await db.hall_write("demo", issue("C"))
        ran_now = list(seen)
    assert ran(ran_now, QUEUE_READ)  # the failed commit's memo was not taken
    assert [w.pk for w in kept_memo(db).queue] == await waiting_in_order(db)
    with statements(db) as seen:
        await db.hall_write("demo", issue("A"))
        ran_now = list(seen)
    assert not ran(ran_now, QUEUE_READ)  # its own commit's memo is
    assert [w.pk for w in kept_memo(db).queue] == await waiting_in_order(db)


_REFUSE_BOOM_AT_COMMIT = (
    """CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.name = 'boom' THEN RAISE EXCEPTION 'boom refused'; END IF;
      RETURN NEW;
    END $$""",
    """CREATE CONSTRAINT TRIGGER refuse_boom AFTER INSERT ON events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_boom()""",
)
