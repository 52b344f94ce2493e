"""Fixtures: a temporary database and a real server on a free port, with the demo hall.

Every test that takes `db_url` runs on SQLite and on PostgreSQL. The PostgreSQL runs use a new
database per test on the server of CALLNEXT_TEST_PG_URL (default: the local one at
127.0.0.1:5432); where it does not answer they are skipped, saying why. A test (or one row of
a table) marked `engine_independent` runs on SQLite only: see `pytest_collection_modifyitems`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from callnext.runtime.config import Settings
from callnext.store.database import Database
from callnext.store.setup import seed_demo

from .browser import close_shared_browsers
from .databases import DemoTemplates, PgDatabases, pg_admin, pg_url
from .helpers import Api, running_app
from .strict import missing

PG_URL = os.environ.get("CALLNEXT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_unavailable() -> str | None:
    try:
        asyncio.run(pg_admin(PG_URL, "SELECT 1"))
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL at {make_url(PG_URL).render_as_string()} does not answer: {exc}"
    return None


# Given explicitly (CI), PostgreSQL must answer under CALLNEXT_TEST_STRICT; a developer's run
# without it skips the PostgreSQL half, saying why.
PG_SKIP_REASON = _pg_unavailable()
if "CALLNEXT_TEST_PG_URL" in os.environ:
    PG_SKIP_REASON = missing(PG_SKIP_REASON)


ENGINE_INDEPENDENT = "engine_independent"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the PostgreSQL run of every test (or table row) marked `engine_independent`.

    Such a test checks what the web layer decides before any storage write: a request refused
    by parsing, validation, authentication or authorisation (its 4xx and error code, and that it
    changed nothing, which holds whatever the engine since nothing reached a hall transaction),
    a page, a header. Its PostgreSQL run would repeat its SQLite run's every step (the same
    Python answers the same request) and cost a new database and a server start: about a third
    of the PostgreSQL half's tests were such refusal tables. Everything where the engine can
    matter keeps both runs: a refusal raised inside a hall transaction (`Database.hall_write`:
    a 404/409 found in the store, a rollback that must leave nothing), anything that writes and
    reads back, claims, idempotency, events and notify, rollovers, reports' SQL, migrations.
    A table may mark only its rows refused before the store (`pytest.param(..., marks=...)`),
    or the rows that differ from one kept on both engines only in what a pure function makes of
    their input, so that the store is asked the same thing (the spellings of a ticket number).
    """
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_pg = callspec is not None and callspec.params.get("db_url") == "postgresql"
        if on_pg and item.get_closest_marker(ENGINE_INDEPENDENT) is not None:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest_asyncio.fixture(scope="session", loop_scope="session", autouse=True)
async def shared_browsers() -> AsyncIterator[None]:
    """The page tests' shared Chromium (tests/browser.py), closed at the session's end."""
    yield
    await close_shared_browsers()


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
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, demo_templates: DemoTemplates
) -> Iterator[str]:
    """A new database of each kind: empty, or for a test that takes `settings` (an in-process
    server of the demo hall) a copy of the demo hall's, as `serve --demo` would have left it
    but for its accounts' password hash, made light (databases.light_demo_hash)."""
    seeded = "settings" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "callnext.db"
        if seeded:
            shutil.copyfile(demo_templates.sqlite(), path)
        yield f"sqlite:///{path}"
        return
    databases: PgDatabases = request.getfixturevalue("pg_databases")
    name = databases.take(demo_templates.postgresql() if seeded else None)
    try:
        yield pg_url(PG_URL, name)
    finally:
        databases.give_back(name)


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A started Database on a new SQLite file (tmp_path/callnext.db) with the demo hall."""
    database = Database(f"sqlite:///{tmp_path / 'callnext.db'}")
    await database.start()
    await seed_demo(database, all_day=True)  # open around the clock: see databases.seeded
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoTemplates]:
    templates = DemoTemplates(tmp_path_factory.mktemp("demo-template"), PG_URL)
    try:
        yield templates
    finally:
        templates.drop()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    databases = PgDatabases(PG_URL)
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture
def settings(request: pytest.FixtureRequest, db_url: str) -> Settings:
    """The settings of an in-process server on a copy of the demo hall's database (`db_url`
    makes it so). The voice is off (no speech worker, `audio` null) unless the test is marked
    `voice`."""
    voice = request.node.get_closest_marker("voice") is not None
    return Settings(db_url=db_url, demo=True, demo_all_day=True, rate_limits=None, voice=voice)


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    async with running_app(settings) as client:
        yield client
