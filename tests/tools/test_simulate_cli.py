"""`python -m callnext.bench.simulate` fills only a database of its own: one that holds a ticket
or an event it did not make is refused (one line on stderr, exit 2) and left exactly as it was."""

from __future__ import annotations

import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select

from callnext.store.database import Database
from callnext.store.schema import audit, events, halls, tickets
from callnext.store.setup import seed_demo
from callnext.usecases import ticketing


def simulate(db_url: str, day: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callnext.bench.simulate", "--db", db_url, "--date", day],
        capture_output=True, text=True, timeout=300, cwd=cwd, check=False,
    )  # fmt: skip


async def dump(db_url: str) -> dict[str, list[Any]]:
    """Every row of the tables a simulation writes, in a fixed order."""
    db = Database(db_url)
    await db.start()
    try:
        out = {}
        for table in (halls, tickets, events, audit):
            order = list(table.primary_key.columns)

            def rows(conn: Any, t: Any = table, o: Any = order) -> list[Any]:
                return [tuple(r) for r in conn.execute(select(t).order_by(*o))]

            out[table.name] = await db.run_read(rows)
        return out
    finally:
        await db.close()


async def issue_one(db_url: str) -> None:
    """A real ticket, issued now through the kiosk's use case."""
    db = Database(db_url)
    await db.start()
    try:
        await seed_demo(db, all_day=True)
        body = partial(ticketing.issue_body, service="A", priority=False, key=None)
        await db.hall_write("demo", body)
    finally:
        await db.close()


def assert_refused(run: subprocess.CompletedProcess[str], why: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("callnext.bench.simulate: refused: "), lines[0]
    assert why in lines[0], lines[0]
    assert run.stdout == ""


async def test_a_database_with_a_real_ticket_is_refused_and_left_unchanged(
    db_url: str, tmp_path: Path
) -> None:
    await issue_one(db_url)
    before = await dump(db_url)
    assert len(before["tickets"]) == len(before["events"]) == 1
    assert_refused(simulate(db_url, "2026-11-24", tmp_path), "events it did not make")
    assert await dump(db_url) == before


async def test_its_own_days_are_accounted_for_until_a_real_ticket_comes(tmp_path: Path) -> None:
    """A new database is filled; the same day again is refused; another day is not, until the
    hall takes a real ticket (its seq and its tickets no longer match the marks)."""
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    first = simulate(url, "2026-11-24", tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("simulated ")
    filled = await dump(url)
    assert_refused(simulate(url, "2026-11-24", tmp_path), "a simulated 2026-11-24 already")
    assert await dump(url) == filled
    await issue_one(url)
    with_real = await dump(url)
    assert_refused(simulate(url, "2026-11-25", tmp_path), "events it did not make")
    assert await dump(url) == with_real
