"""The tests' databases: the demo hall's templates and, on PostgreSQL, new databases made one
ahead in a thread of their own.

A test's database starts as a copy of a demo hall migrated and seeded once per test process
(per xdist worker): a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL, where
the migrations and the accounts' scrypt hashes cost ~0.1 s a test on SQLite and ~0.2 s on
PostgreSQL. On PostgreSQL, `CREATE DATABASE` itself waits 0.1–0.4 s for the disk (it is fsynced)
and `DROP DATABASE` as long: a thread makes the next test's database while this one runs and
drops the last one's, so a test waits for neither.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import secrets
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import asyncpg
from sqlalchemy import update
from sqlalchemy.engine import make_url

from callnext.runtime.security import SCRYPT_P, SCRYPT_R, verify_password
from callnext.store.database import Database
from callnext.store.schema import users
from callnext.store.setup import DEMO_PASSWORD, demo_password_hash, seed_demo


async def pg_admin(admin_url: str, sql: str) -> None:
    """Run `sql` on PostgreSQL's `admin_url` database (its own connection)."""
    url = make_url(admin_url).set(drivername="postgresql")
    # a connection takes a moment on a loaded machine: 30 s is a ceiling, not a speed
    conn = await asyncpg.connect(url.render_as_string(hide_password=False), timeout=30)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def light_demo_hash() -> str:
    """The demo password ("demo") hashed as the server does, scrypt$N$r$p$salt$digest, with
    N=2 instead of 2**14. verify_password reads N from the hash, so a login runs the same code
    and checks the same password, in microseconds instead of ~40 ms of CPU: the suite logs in a
    few thousand times. Only the templates' demo accounts have it; an account a test makes,
    and `serve --demo`'s (ServerProcess), keep the real work factor."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(DEMO_PASSWORD.encode(), salt=salt, n=2, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=32)  # fmt: skip
    encoded = [base64.b64encode(raw).decode() for raw in (salt, digest)]
    return "$".join(["scrypt", "2", str(SCRYPT_R), str(SCRYPT_P), *encoded])


async def seeded(url: str) -> None:
    """Migrate the database at `url` and seed the demo hall in it, its accounts' shared hash
    made light (`light_demo_hash`)."""
    database = Database(url)
    await database.start()
    try:
        # Tests run at any hour, weekends too: their demo hall is open around the clock; a test
        # of hours sets them (the real demo's: tests/pages/test_demo_hours.py).
        await seed_demo(database, all_day=True)
        light = light_demo_hash()
        assert verify_password(DEMO_PASSWORD, light)
        shared = update(users).where(users.c.password_hash == demo_password_hash())
        changed = await database.run_write(
            lambda conn: conn.execute(shared.values(password_hash=light)).rowcount
        )
        assert changed > 0, "the demo accounts' shared hash was not found"
    finally:
        await database.close()


def pg_url(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


class DemoTemplates:
    """The demo hall's database on each engine, made when first asked for."""

    def __init__(self, directory: Path, admin_url: str) -> None:
        self.directory = directory
        self.admin_url = admin_url
        self.sqlite_path: Path | None = None
        self.pg_name: str | None = None

    def sqlite(self) -> Path:
        if self.sqlite_path is None:
            path = self.directory / "demo-template.db"
            asyncio.run(seeded(f"sqlite:///{path}"))
            assert not path.with_name(path.name + "-wal").exists(), "the template was not closed"
            self.sqlite_path = path
        return self.sqlite_path

    def postgresql(self) -> str:
        """The template database's name (no connection to it stays open: a copy needs that)."""
        if self.pg_name is None:
            name = f"callnext_template_{uuid.uuid4().hex[:12]}"
            asyncio.run(pg_admin(self.admin_url, f'CREATE DATABASE "{name}"'))
            self.pg_name = name  # dropped at the end, even if seeding fails
            asyncio.run(seeded(pg_url(self.admin_url, name)))
        return self.pg_name

    def drop(self) -> None:
        if self.pg_name is not None:
            sql = f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)'
            asyncio.run(pg_admin(self.admin_url, sql))


class PgDatabases:
    """New PostgreSQL databases, empty or copies of a template, one made ahead: `take` returns
    the one made for it (or makes it) and starts the next of the same kind; `give_back` drops
    one without waiting. One thread does both, in order."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="test-databases")
        self.ahead: tuple[str | None, Future[str]] | None = None

    def take(self, template: str | None) -> str:
        """A new database's name: a copy of `template`, or empty (None)."""
        if self.ahead is not None and self.ahead[0] == template:
            made = self.ahead[1]
        else:
            self._drop_ahead()
            made = self._make(template)
        self.ahead = (template, self._make(template))
        return made.result()

    def give_back(self, name: str) -> None:
        self.thread.submit(self._run, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self._drop_ahead()
        self.thread.shutdown(wait=True)

    def _make(self, template: str | None) -> Future[str]:
        name = f"callnext_test_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        return self.thread.submit(self._run, f'CREATE DATABASE "{name}"{copy}', name)

    def _drop_ahead(self) -> None:
        if self.ahead is not None:
            made, self.ahead = self.ahead[1], None
            with contextlib.suppress(Exception):  # never made: nothing to drop (take() says why)
                self.give_back(made.result())

    def _run(self, sql: str, name: str = "") -> str:
        asyncio.run(pg_admin(self.admin_url, sql))
        return name
