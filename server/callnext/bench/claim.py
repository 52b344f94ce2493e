"""The call-next claim's read of the queue's head against the queue's length:
`python -m callnext.bench.claim [--db URL] [--waiting 100,500,2000] [--repeat 300]`.

On a new database (a temporary SQLite file unless `--db` names an empty one) with the demo
hall, it lets the queue grow to each length in turn (tickets of A, B and C in turn, one in seven
priority) and times `queue_sql.next_waiting`, the read inside every call-next's transaction,
for a window serving one service (A), one serving three (A, B and C) first come, and one
taking three in its order (C, then B, then A: a work profile). Each time is the
median of `--repeat` reads in one transaction. Flat across lengths is the aim: the head is the
first entry of ix_tickets_queue for each service, however many wait (docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..domain.model import CallOrder
from ..store import queue_sql
from ..store.database import Database
from ..store.hall_tx import HallTx
from ..store.setup import seed_demo

WINDOWS = {
    "1 service (A)": (("A",), CallOrder.QUEUE),
    "3 services (A, B, C)": (("A", "B", "C"), CallOrder.QUEUE),
    "3 in order (C, B, A)": (("C", "B", "A"), CallOrder.SERVICES),  # a work profile
}


def add_tickets(count: int, start: int) -> Callable[[HallTx], None]:
    """A hall write that issues `count` more tickets, A, B and C in turn."""

    def body(tx: HallTx) -> None:
        for i in range(start, start + count):
            tx.insert_ticket("ABC"[i % 3], priority=i % 7 == 0)

    return body


def time_heads(repeat: int) -> Callable[[HallTx], dict[str, float]]:
    """A hall transaction that times the head read of each window kind: median ms."""

    def body(tx: HallTx) -> dict[str, float]:
        medians = {}
        for label, (services, order) in WINDOWS.items():
            seconds = []
            for _ in range(repeat):
                begun = time.perf_counter()
                queue_sql.next_waiting(tx.conn, tx.hall, services, tx.today, order)
                seconds.append(time.perf_counter() - begun)
            medians[label] = statistics.median(seconds) * 1000
        return medians

    return body


async def measure(url: str, lengths: list[int], repeat: int) -> list[tuple[int, dict[str, float]]]:
    db = Database(url)
    await db.start()
    try:
        await seed_demo(db, all_day=True)
        rows, waiting = [], 0
        for length in sorted(lengths):
            await db.hall_write("demo", add_tickets(length - waiting, waiting))
            waiting = length
            rows.append((length, await db.hall_write("demo", time_heads(repeat))))
        return rows
    finally:
        await db.close()


def print_table(dialect: str, rows: list[tuple[int, dict[str, float]]]) -> None:
    print(f"next_waiting (the call-next claim's read), median ms, on {dialect}:")
    print(f"{'waiting':>8}  " + "  ".join(f"{label:>22}" for label in WINDOWS))
    for length, medians in rows:
        print(f"{length:>8}  " + "  ".join(f"{medians[label]:>22.3f}" for label in WINDOWS))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m callnext.bench.claim", description=__doc__)
    parser.add_argument("--db", help="an EMPTY database's URL (default: a temporary SQLite file)")
    parser.add_argument("--waiting", default="100,500,2000", help="queue lengths, comma-separated")
    parser.add_argument("--repeat", type=int, default=300, help="reads timed per length")
    args = parser.parse_args(argv)
    lengths = [int(n) for n in args.waiting.split(",")]
    if any(n < 0 for n in lengths) or args.repeat < 1:
        parser.error("--waiting takes lengths ≥ 0 and --repeat a count ≥ 1")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'claim-bench.db'}"
        rows = asyncio.run(measure(url, lengths, args.repeat))
    print_table(url.split(":", 1)[0], rows)


if __name__ == "__main__":
    main()
