"""Point reads on the event loop's thread (store/point_read.py), on a real SQLite file: a staff
token is checked with no hop to a reader thread, sees every commit at once, and a database
that does not answer at once is read through the reader threads after a short wait."""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, literal_column, select, text

from callnext.domain.errors import Unauthenticated
from callnext.runtime.security import token_digest
from callnext.store import accounts
from callnext.store.database import Database
from callnext.store.point_read import BUSY_TIMEOUT_MS, PointReader, file_path
from callnext.usecases import desks


def session_reads_on_threads(db: Database) -> list[str]:
    """The statements on sessions that the reader threads run from now on."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "sessions" in statement:
            seen.append(statement)

    event.listen(db._sync_reader, "before_cursor_execute", record)
    return seen


async def test_a_token_is_checked_on_the_loop_and_sees_each_commit(sqlite_db: Database) -> None:
    """authenticate reads the session on the loop's thread, none on a reader thread; a login,
    a window taken and a logout, each committed by the writer, count at once."""
    db = sqlite_db
    session = await accounts.login(db, "w3", "demo", timedelta(hours=1))
    on_threads = session_reads_on_threads(db)
    account = await accounts.authenticate(db, session.token)
    assert (account.username, account.role.value, account.hall, account.window) == (
        "w3", "staff", "demo", 3,
    )  # fmt: skip
    for _ in range(50):
        await accounts.authenticate(db, session.token)
    assert on_threads == []
    assert account.desk is None
    digest = token_digest(session.token)
    until = session.expires_at  # the hold ends with the session
    await desks.take(db, "demo", 3, "w3", digest, force=False, held=None, until=until)
    desk = (await accounts.authenticate(db, session.token)).desk
    assert desk is not None
    assert desk.window == 3
    await desks.release(db, "demo", 3, "w3", digest, held=desk)
    assert (await accounts.authenticate(db, session.token)).desk is None
    await accounts.logout(db, session.token)
    with pytest.raises(Unauthenticated):
        await accounts.authenticate(db, session.token)
    with pytest.raises(Unauthenticated):
        await accounts.authenticate(db, "no-such-token")


async def test_a_point_read_that_fails_is_read_on_a_thread(
    sqlite_db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """When the loop's own connection cannot read (here it cannot even open its file; on a
    live hall, SQLITE_BUSY past BUSY_TIMEOUT_MS while another process recovers the WAL), the
    read goes through the reader threads: the token is still checked, and the log says why."""
    db = sqlite_db
    session = await accounts.login(db, "w1", "demo", timedelta(hours=1))
    db._point = PointReader(db._sync_reader, str(tmp_path))  # a folder: sqlite3 cannot open it
    on_threads = session_reads_on_threads(db)
    account = await accounts.authenticate(db, session.token)
    assert account.username == "w1"
    assert len(on_threads) == 1
    assert "point read on the loop failed" in caplog.text
    await accounts.logout(db, session.token)
    with pytest.raises(Unauthenticated):
        await accounts.authenticate(db, session.token)


def test_the_loop_waits_briefly_for_a_busy_database(tmp_path: Path) -> None:
    """The loop's connection waits BUSY_TIMEOUT_MS for a lock at most (another process's
    exclusive lock here), then raises for the reader threads to wait instead."""
    path = tmp_path / "locked.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE t (x INTEGER)")
    other.execute("PRAGMA locking_mode=EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    reader = PointReader(create_engine(f"sqlite:///{path}"), str(path))
    started = time.perf_counter()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        reader.first(select(literal_column("x")).select_from(text("t")), {})
    waited = time.perf_counter() - started
    assert BUSY_TIMEOUT_MS / 1000 * 0.8 <= waited < 1.0
    other.execute("ROLLBACK")
    other.close()
    reader.close()


def test_only_a_database_file_is_read_on_the_loop(tmp_path: Path) -> None:
    """An in-memory database is each connection's own: no point reader for it."""
    assert file_path(create_engine(f"sqlite:///{tmp_path / 'a.db'}")) == str(tmp_path / "a.db")
    assert file_path(create_engine("sqlite://")) is None
    assert file_path(create_engine("sqlite:///:memory:")) is None
