"""`python -m callnext.bench.claim`: the claim's head read timed against the queue's length, on
each backend, from a real subprocess."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys

from callnext.store.database import Database


async def ticket_count(url: str) -> int:
    db = Database(url)
    await db.start()
    try:
        count = await db.run_read(
            lambda conn: conn.exec_driver_sql("SELECT count(*) FROM tickets").scalar()
        )
    finally:
        await db.close()
    return int(count or 0)


def test_the_claim_bench_prints_a_time_per_length_and_window(db_url: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "callnext.bench.claim", "--db", db_url, "--waiting", "40,10",
         "--repeat", "5"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    backend = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    assert lines[0] == f"next_waiting (the call-next claim's read), median ms, on {backend}:"
    rows = [re.fullmatch(r"\s*(\d+)" + r"\s+([\d.]+)" * 3, line) for line in lines[2:]]
    assert [int(m[1]) for m in rows if m] == [10, 40]  # shortest first
    assert all(m and all(0 < float(m[i]) < 50 for i in (2, 3, 4)) for m in rows), run.stdout
    waiting = asyncio.run(ticket_count(db_url))
    assert waiting == 40  # the queue it grew, and no more: the reads claimed nothing


def test_the_claim_bench_refuses_a_negative_length() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "callnext.bench.claim", "--waiting", "10,-1"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "--waiting takes lengths ≥ 0" in run.stderr
