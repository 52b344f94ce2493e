"""The Alembic migrations build exactly the tables of store/schema.py, on SQLite and PostgreSQL,
and a database made by an older revision upgrades with its data kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from callnext.domain import followup
from callnext.domain.clock import to_micros
from callnext.store import migrate
from callnext.store.database import normalize_url
from callnext.store.schema import followups, halls, metadata, ratings, services, tickets, windows


def upgrade_and_compare(conn: Connection) -> list[Any]:
    migrate.upgrade_on(conn)
    return list(compare_metadata(MigrationContext.configure(conn), metadata))


async def test_migrations_match_the_schema(db_url: str) -> None:
    url = normalize_url(db_url)
    if url.startswith("sqlite"):
        engine = create_engine(url)
        with engine.begin() as conn:
            diff = upgrade_and_compare(conn)
        engine.dispose()
    else:
        async_engine = create_async_engine(url)
        async with async_engine.begin() as aconn:
            diff = await aconn.run_sync(upgrade_and_compare)
        await async_engine.dispose()
    assert diff == []


def test_a_revision_0001_database_upgrades_with_its_halls(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0001")
        conn.execute(
            halls.insert().values(code="old", name="老大厅", timezone="Asia/Shanghai", created_at=0)
        )
    with engine.begin() as conn:
        migrate.upgrade_on(conn)
        row = conn.execute(select(halls.c.code, halls.c.notice, halls.c.closed_dates)).one()
        assert tuple(row) == ("old", "", "[]")
        assert conn.execute(select(services.c.priority_allowed)).all() == []
    engine.dispose()


def test_a_revision_0004_database_gets_queue_at_from_issued_at(tmp_path: Path) -> None:
    """0005 (appointments): every ticket already stored counts in the queue from its issue;
    the queue's index sorts by queue_at; it downgrades again."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0004")
        conn.execute(
            halls.insert().values(code="old", name="老大厅", timezone="Asia/Shanghai", created_at=0)
        )
        conn.execute(text(
            "INSERT INTO tickets (id, hall_id, day, number, service, priority, status, issued_at)"
            " VALUES ('t1', 1, '2026-11-26', 'A001', 'A', false, 'waiting', 1764120000000000),"
            " ('t2', 1, '2026-11-26', 'A002', 'A', false, 'waiting', 1764120060000000)"
        ))  # fmt: skip
    with engine.begin() as conn:
        migrate.upgrade_on(conn)
        rows = conn.execute(select(tickets.c.number, tickets.c.issued_at, tickets.c.queue_at))
        assert [(n, i) for n, i, q in rows if i == q] == [
            ("A001", 1764120000000000), ("A002", 1764120060000000)]  # fmt: skip
        index = conn.execute(text("PRAGMA index_info('ix_tickets_queue')")).all()
        assert [r[2] for r in index] == ["hall_id", "status", "service", "day", "priority",
                                         "queue_at", "pk"]  # fmt: skip
        command.downgrade(migrate.alembic_config(conn), "0004")
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info('tickets')"))]
        assert "queue_at" not in columns
        assert conn.execute(text("SELECT count(*) FROM tickets")).scalar() == 2
    engine.dispose()


def test_a_revision_0006_database_gets_the_queue_index_in_queue_order(tmp_path: Path) -> None:
    """0007: ix_tickets_queue sorts priority first (DESC), as the queue does, so the head of a
    queue is its first entry; it downgrades to the old order."""

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0006")
        assert ("priority", 0) in queue_index_keys(conn)
        command.upgrade(migrate.alembic_config(conn), "0007")
        assert queue_index_keys(conn) == [("hall_id", 0), ("status", 0), ("service", 0),
                                          ("priority", 1), ("queue_at", 0), ("pk", 0)]  # fmt: skip
        command.downgrade(migrate.alembic_config(conn), "0006")
        assert ("priority", 0) in queue_index_keys(conn)
    engine.dispose()


def queue_index_keys(conn: Connection) -> list[tuple[str, int]]:
    """ix_tickets_queue's keys on SQLite: (column, descending)."""
    rows = conn.execute(text("PRAGMA index_xinfo('ix_tickets_queue')")).all()
    return [(r[2], r[3]) for r in rows if r[5]]


def test_a_revision_0007_database_gets_the_queue_index_per_day(tmp_path: Path) -> None:
    """0008: ix_tickets_queue holds each service's waiting tickets per local day, in queue
    order, so a day's head is the first entry of its range; it downgrades to 0007's."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0007")
        old = queue_index_keys(conn)
        migrate.upgrade_on(conn)
        assert queue_index_keys(conn) == [("hall_id", 0), ("status", 0), ("service", 0),
                                          ("day", 0), ("priority", 1), ("queue_at", 0),
                                          ("pk", 0)]  # fmt: skip
        command.downgrade(migrate.alembic_config(conn), "0007")
        assert queue_index_keys(conn) == old
    engine.dispose()


def test_a_revision_0012_database_says_almost_your_turn_at_3(tmp_path: Path) -> None:
    """0013: a hall made before the setting gets the default, 3 ahead; it downgrades again."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0012")
        conn.execute(text(
            "INSERT INTO halls (code, name, timezone, created_at) VALUES ('old', '老', 'UTC', 0)"
        ))  # fmt: skip
        migrate.upgrade_on(conn)
        assert conn.execute(select(halls.c.code, halls.c.almost_turn_ahead)).all() == [("old", 3)]
        command.downgrade(migrate.alembic_config(conn), "0012")
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info('halls')"))]
        assert "almost_turn_ahead" not in columns
        assert conn.execute(text("SELECT code FROM halls")).scalars().all() == ["old"]
    engine.dispose()


def test_a_revision_0013_database_gets_empty_service_guides(tmp_path: Path) -> None:
    """0014: a service made before guides has an empty one (no materials, no notes); the
    revision downgrades again, keeping the service."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    guide_columns = ("guide_materials", "guide_materials_en", "guide_notes", "guide_notes_en")
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0013")
        conn.execute(text(
            "INSERT INTO halls (code, name, timezone, created_at) VALUES ('old', '老', 'UTC', 0)"
        ))  # fmt: skip
        conn.execute(text("INSERT INTO services (hall_id, code, name) VALUES (1, 'A', '综合')"))
        migrate.upgrade_on(conn)
        row = conn.execute(select(services.c.code, *(services.c[c] for c in guide_columns)))
        assert row.all() == [("A", "[]", "[]", "", "")]
        command.downgrade(migrate.alembic_config(conn), "0013")
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info('services')"))]
        assert not set(guide_columns) & set(columns)
        assert conn.execute(text("SELECT code FROM services")).scalars().all() == ["A"]


def test_a_revision_0014_database_gets_followups_of_its_dissatisfied_ratings(
    tmp_path: Path,
) -> None:
    """0015: halls get followup_due_days 5; each stored rating of 1–2 gets an open follow-up
    due 5 working days after the rating's own hall-local date (its closed dates skipped), a
    rating of 3–5 none; it downgrades again."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0014")
        conn.execute(text(
            "INSERT INTO halls (id, code, name, timezone, created_at, closed_dates) "
            "VALUES (1, 'old', '老', 'Asia/Shanghai', 0, '[\"2026-12-07\"]')"
        ))  # fmt: skip
        # rated 2026-12-02 23:30 in Shanghai (15:30 UTC): the hall's day is the 2nd
        at = to_micros(datetime(2026, 12, 2, 15, 30, tzinfo=UTC))
        for pk, score in ((1, 1), (2, 4), (3, 2)):
            conn.execute(text(
                "INSERT INTO tickets (pk, id, hall_id, day, number, service, priority, status,"
                f" issued_at) VALUES ({pk}, 't{pk}', 1, '2026-12-02', 'A00{pk}', 'A', false,"
                " 'done', 0)"
            ))  # fmt: skip
            conn.execute(text(
                "INSERT INTO ratings (hall_id, ticket_pk, day, number, service, score, source, at)"
                f" VALUES (1, {pk}, '2026-12-02', 'A00{pk}', 'A', {score}, 'phone', {at})"
            ))  # fmt: skip
        migrate.upgrade_on(conn)
        assert conn.execute(select(halls.c.followup_due_days)).scalars().all() == [5]
        rows = conn.execute(
            select(ratings.c.number, followups.c.state, followups.c.due, followups.c.opened_at)
            .join(ratings, ratings.c.id == followups.c.rating_id)
            .order_by(ratings.c.number)
        ).all()
        # Wed 2 Dec + 5 working days, Monday the 7th closed: Thu, Fri, Tue, Wed, Thu 10 Dec
        assert rows == [("A001", "open", "2026-12-10", at), ("A003", "open", "2026-12-10", at)]
        assert followup.due_date("2026-12-02", 5, ["2026-12-07"]) == "2026-12-10"
        command.downgrade(migrate.alembic_config(conn), "0014")
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info('halls')"))]
        assert "followup_due_days" not in columns
        assert conn.execute(text("SELECT count(*) FROM ratings")).scalar() == 3
    engine.dispose()


def test_a_revision_0015_database_keeps_its_windows_first_come(tmp_path: Path) -> None:
    """0016: every window already stored takes its services first come across them (`queue`,
    what every window did before work profiles); it downgrades again."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0015")
        conn.execute(text(
            "INSERT INTO halls (id, code, name, timezone, created_at) "
            "VALUES (1, 'old', '老', 'Asia/Shanghai', 0)"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO windows (hall_id, number, name, service_codes) VALUES (1, 7, '7号', 'A,B')"
        ))  # fmt: skip
        migrate.upgrade_on(conn)
        rows = conn.execute(select(windows.c.number, windows.c.service_codes, windows.c.call_order))
        assert rows.all() == [(7, "A,B", "queue")]
        command.downgrade(migrate.alembic_config(conn), "0015")
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info('windows')"))]
        assert "call_order" not in columns
        assert conn.execute(text("SELECT service_codes FROM windows")).scalar() == "A,B"
    engine.dispose()


def test_a_revision_0016_database_keeps_its_services_and_tickets_anonymous(tmp_path: Path) -> None:
    """0017: every service already stored issues tickets without an ID number (real_name off,
    a limit of 1 kept for when it is turned on); tickets stored have no person; it downgrades
    again with the tickets kept."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0016")
        conn.execute(text(
            "INSERT INTO halls (id, code, name, timezone, created_at) "
            "VALUES (1, 'old', '老', 'Asia/Shanghai', 0)"
        ))  # fmt: skip
        conn.execute(text("INSERT INTO services (hall_id, code, name) VALUES (1, 'A', '登记')"))
        conn.execute(text(
            "INSERT INTO tickets (id, hall_id, day, number, service, priority, status, issued_at)"
            " VALUES ('t1', 1, '2026-12-07', 'A001', 'A', false, 'waiting', 0)"
        ))  # fmt: skip
        migrate.upgrade_on(conn)
        row = conn.execute(select(services.c.real_name, services.c.person_daily_limit)).one()
        assert tuple(row) == (False, 1)
        assert conn.execute(select(tickets.c.number, tickets.c.person)).all() == [("A001", None)]
        command.downgrade(migrate.alembic_config(conn), "0016")
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info('tickets')"))]
        assert "person" not in columns
        assert conn.execute(text("SELECT number FROM tickets")).scalar() == "A001"
    engine.dispose()


def test_a_revision_0017_database_gets_a_trips_window_of_30_days(tmp_path: Path) -> None:
    """0018: a hall made before the setting counts a matter's trips over 30 days; it
    downgrades again, keeping the hall."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0017")
        conn.execute(text(
            "INSERT INTO halls (code, name, timezone, created_at) VALUES ('old', '老', 'UTC', 0)"
        ))  # fmt: skip
        migrate.upgrade_on(conn)
        assert conn.execute(select(halls.c.code, halls.c.trips_window_days)).all() == [("old", 30)]
        command.downgrade(migrate.alembic_config(conn), "0017")
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info('halls')"))]
        assert "trips_window_days" not in columns
        assert conn.execute(text("SELECT code FROM halls")).scalars().all() == ["old"]
    engine.dispose()
