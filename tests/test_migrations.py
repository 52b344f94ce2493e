"""The Alembic migrations build exactly the tables of store/schema.py, on SQLite and PostgreSQL,
and a database made by an older revision upgrades with its data kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from callnext.store import migrate
from callnext.store.database import normalize_url
from callnext.store.schema import halls, metadata, services


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
