"""Fixtures: a temporary database and a real server on a free port, with the demo hall.

Every test that takes `db_url` runs on SQLite and on PostgreSQL. The PostgreSQL runs use a new
database per test on the server of CALLNEXT_TEST_PG_URL (default: the local one at
127.0.0.1:5432); where it does not answer they are skipped, saying why.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from callnext.config import Settings
from callnext.store.database import Database
from callnext.store.setup import seed_demo

from .helpers import Api, running_app
from .strict import missing

PG_URL = os.environ.get("CALLNEXT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def _pg_admin(sql: str) -> None:
    url = make_url(PG_URL).set(drivername="postgresql")
    conn = await asyncpg.connect(url.render_as_string(hide_password=False), timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_unavailable() -> str | None:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL at {make_url(PG_URL).render_as_string()} does not answer: {exc}"
    return None


# Given explicitly (CI), PostgreSQL must answer under CALLNEXT_TEST_STRICT; a developer's run
# without it skips the PostgreSQL half, saying why.
PG_SKIP_REASON = _pg_unavailable()
if "CALLNEXT_TEST_PG_URL" in os.environ:
    PG_SKIP_REASON = missing(PG_SKIP_REASON)


@pytest.fixture(scope="session", autouse=True)
def voice_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The servers of this session (in-process and subprocesses) cache their spoken
    announcements here, not in the checkout's sounds/cache."""
    path = tmp_path_factory.mktemp("voice-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CALLNEXT_VOICE_CACHE", str(path))
        yield path


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(PG_SKIP_REASON is not None, reason=PG_SKIP_REASON or ""),
            ],
        ),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'callnext.db'}"
        return
    name = f"callnext_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A started Database on a new SQLite file (tmp_path/callnext.db) with the demo hall."""
    database = Database(f"sqlite:///{tmp_path / 'callnext.db'}")
    await database.start()
    await seed_demo(database)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(db_url=db_url, demo=True, rate_limits=None)


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    async with running_app(settings) as client:
        yield client
