"""Fixtures: a temporary database and a real server on a free port, with the demo hall.

Every test that takes `db_url` runs on SQLite and on PostgreSQL. The PostgreSQL runs use a new
database per test on the server of CALLNEXT_TEST_PG_URL (default: the local one at
127.0.0.1:5432); where it does not answer they are skipped, saying why.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from callnext.runtime.config import Settings
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
    await seed_demo(database, all_day=True)  # see _seeded
    try:
        yield database
    finally:
        await database.close()


class DemoTemplates:
    """A SQLite database with the demo hall, migrated and seeded once per test process (per
    xdist worker). A test's `settings` database on SQLite starts as a copy of it, as
    `serve --demo` would have left it: a file copy, where the migrations and the accounts'
    scrypt hash cost ~0.1 s a test."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sqlite: Path | None = None

    def fill(self, db_url: str) -> None:
        """Make the new, empty database at `db_url` a copy of the demo template."""
        url = make_url(db_url)
        if url.get_backend_name() == "sqlite":
            shutil.copyfile(self._sqlite_template(), str(url.database))
        # PostgreSQL: the app migrates and seeds its new database itself. A copy (CREATE DATABASE
        # … TEMPLATE) measured 0.25–0.44 s here, no faster than migrating (~0.2 s) and seeding.

    def _sqlite_template(self) -> Path:
        if self.sqlite is None:
            path = self.directory / "demo-template.db"
            asyncio.run(_seeded(f"sqlite:///{path}"))
            assert not path.with_name(path.name + "-wal").exists(), "the template was not closed"
            self.sqlite = path
        return self.sqlite


async def _seeded(url: str) -> None:
    database = Database(url)
    await database.start()
    try:
        # Tests run at any hour, weekends too: their demo hall is open around the clock; a test
        # of hours sets them (the real demo's: tests/pages/test_demo_hours.py).
        await seed_demo(database, all_day=True)
    finally:
        await database.close()


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplates:
    return DemoTemplates(tmp_path_factory.mktemp("demo-template"))


@pytest.fixture
def settings(
    request: pytest.FixtureRequest, db_url: str, demo_templates: DemoTemplates
) -> Settings:
    """The settings of an in-process server on a copy of the demo hall's database. The voice is
    off (no speech worker, `audio` null) unless the test is marked `voice`."""
    demo_templates.fill(db_url)
    voice = request.node.get_closest_marker("voice") is not None
    return Settings(db_url=db_url, demo=True, demo_all_day=True, rate_limits=None, voice=voice)


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    async with running_app(settings) as client:
        yield client
