"""What `?since=0` costs a server whose hall has a long event log (docs/performance.md).

Fills a SQLite database with simulated hall days (callnext.bench.simulate, through the real use
cases: 4,000 events), repeated until the demo hall's log holds --events events, starts
`callnext serve` on it (event log pruning off, so the log stays whole), opens --connections
anonymous display streams (/ws/v2) with `?since=0` at once, reads each until it has the hall's
current seq, and meanwhile asks /healthz every 100 ms. Prints the server's CPU time over the
run, the time until every display had caught up, and /healthz's latencies.

    python scripts/replay_bench.py --db /tmp/replay.db --events 42000 --connections 20

It runs against whichever callnext the interpreter imports (the same database file is filled
once and reused; one filled by a newer schema cannot be read by older code).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import select
from sqlalchemy.engine import Connection

from callnext.bench.simulate import simulate_day
from callnext.store import schema
from callnext.store.database import Database
from callnext.store.setup import seed_demo

SEQ = re.compile(r'"seq":\d+')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SIMULATED = 4000  # events of real simulated days; the rest are copies of them


async def fill(url: str, events: int) -> int:
    """Simulate hall days until the demo hall's log holds SIMULATED events, then repeat that
    log (each copy with its own seq) until it holds `events`; the hall's seq."""
    db = Database(url)
    await db.start()
    try:
        await seed_demo(db, all_day=True)
        hall = await db.hall("demo")
        day = date.today() - timedelta(days=30)
        seq = await _seq(db)
        while seq < min(events, SIMULATED):
            await simulate_day(db, hall, day, seed=day.toordinal())
            seq = await _seq(db)
            print(f"  simulated {day}: the log holds {seq} events", flush=True)
            day += timedelta(days=1)
        if seq < events:
            seq = await db.run_write(lambda conn: _repeat(conn, hall.id, seq, events))
            print(f"  repeated: the log holds {seq} events", flush=True)
        return seq
    finally:
        await db.close()


def _repeat(conn: Connection, hall_id: int, seq: int, events: int) -> int:
    rows = conn.execute(
        select(schema.events).where(schema.events.c.hall_id == hall_id).order_by("seq")
    ).all()
    copies = []
    while seq < events:
        for row in rows[: events - seq]:
            seq += 1
            frame = SEQ.sub(f'"seq":{seq}', row.frame, count=1)
            copies.append({**row._asdict(), "seq": seq, "frame": frame})
    conn.execute(schema.events.insert(), copies)
    conn.execute(schema.halls.update().where(schema.halls.c.id == hall_id).values(seq=seq))
    return seq


async def _seq(db: Database) -> int:
    query = select(schema.halls.c.seq).where(schema.halls.c.code == "demo")
    return int(await db.run_read(lambda conn: conn.execute(query).scalar_one()))


def cpu_s(pid: int) -> float:
    """User and system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def display(session: aiohttp.ClientSession, url: str, seq: int) -> tuple[float, int]:
    """Read one stream until it has `seq`: (seconds taken, frames read)."""
    started, frames = time.perf_counter(), 0
    async with session.ws_connect(url, max_msg_size=0) as ws:
        async for msg in ws:
            frames += 1
            if json.loads(msg.data)["seq"] >= seq:
                break
    return time.perf_counter() - started, frames


async def measure(base: str, pid: int, connections: int, seq: int) -> None:
    url = "ws" + base.removeprefix("http") + "/ws/v2/halls/demo?since=0"
    latencies: list[float] = []
    done = asyncio.Event()
    async with aiohttp.ClientSession() as session:

        async def probe() -> None:
            while not done.is_set():
                started = time.perf_counter()
                async with session.get(base + "/healthz") as resp:
                    await resp.read()
                latencies.append(time.perf_counter() - started)
                await asyncio.sleep(0.1)

        prober = asyncio.create_task(probe())
        await asyncio.sleep(1.0)
        cpu_before, started = cpu_s(pid), time.perf_counter()
        results = await asyncio.gather(*(display(session, url, seq) for _ in range(connections)))
        wall, cpu = time.perf_counter() - started, cpu_s(pid) - cpu_before
        done.set()
        await prober
    frames = sum(f for _, f in results)
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    print(f"{connections} displays ?since=0 on a {seq}-event hall: all caught up in {wall:.2f} s,"
          f" {frames} frames; server CPU {cpu:.2f} s")  # fmt: skip
    median = statistics.median(latencies) * 1000
    print(f"/healthz meanwhile: median {median:.1f} ms, p99 {p99 * 1000:.1f} ms,"
          f" max {ordered[-1] * 1000:.1f} ms ({len(ordered)} probes)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a SQLite file (made if missing)")
    parser.add_argument("--events", type=int, default=42000)
    parser.add_argument("--connections", type=int, default=20)
    args = parser.parse_args()
    url = f"sqlite:///{args.db.resolve()}"
    seq = asyncio.run(fill(url, args.events))
    port = free_port()
    env = {**os.environ, "CALLNEXT_VOICE": "off", "CALLNEXT_RATE_LIMITS": "off",
           "CALLNEXT_EVENT_LOG_DAYS": "0", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    cmd = [sys.executable, "-m", "callnext", "serve", "--port", str(port), "--db", url]
    server = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "listening on" in line:
                break
        else:
            raise SystemExit("the server did not start")
        threading.Thread(target=server.stdout.read, daemon=True).start()  # keep the pipe empty
        asyncio.run(measure(f"http://127.0.0.1:{port}", server.pid, args.connections, seq))
    finally:
        server.terminate()
        server.wait(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
