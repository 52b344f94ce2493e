"""The region's overview against the number of halls:
`python -m callnext.bench.overview [--halls 200] [--days 30] [--runs 10] [--db sqlite,postgresql]`.

For each engine it builds a new database of `--halls` halls with `--days` days of simulated
history each (bench/history.py: `--tickets 100,300` a hall a day, real-name tickets with
persons, ratings, today up to now with people waiting and windows staffed), starts a real
server on it (`python -m callnext serve`, its own process, the voice off), logs in as the admin
of every hall and times, over `--runs` runs after one warm-up: GET /api/v1/overview, …/trend
(?days=30) and …/export as CSV and XLSX. It prints p50 and p95 in ms, each answer's size, and
the region's figures of the last answer, so a glance says they are sane. PostgreSQL: a new
database on the server of `--pg` (its admin URL), dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from . import history

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
REQUESTS = {
    "overview": "/api/v1/overview",
    "trend 30 days": "/api/v1/overview/trend?days=30",
    "export csv": "/api/v1/overview/export?format=csv",
    "export xlsx": "/api/v1/overview/export?format=xlsx&days=30",
}


@dataclass
class Result:
    engine: str
    halls: int
    days: int
    tickets: int
    build_s: float
    times: dict[str, list[float]]  # request → seconds of each run
    sizes: dict[str, int]
    totals: dict[str, Any]

    def row(self, name: str) -> tuple[float, float]:
        ordered = sorted(self.times[name])
        return _rank(ordered, 0.5) * 1000, _rank(ordered, 0.95) * 1000


def _rank(ordered: list[float], p: float) -> float:
    return ordered[max(1, math.ceil(p * len(ordered))) - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`python -m callnext serve` on `url`, in its own process, until stopped."""

    def __init__(self, url: str) -> None:
        self.port = free_port()
        env = {**os.environ, "CALLNEXT_VOICE": "off", "CALLNEXT_RATE_LIMITS": "off"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "callnext", "serve", "--db", url, "--port", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.base = f"http://127.0.0.1:{self.port}"

    async def ready(self, session: aiohttp.ClientSession, timeout: float = 120.0) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.proc.stderr.read()[-2000:]}")  # type: ignore[union-attr]
            try:
                async with session.get(self.base + "/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise RuntimeError("the server did not answer /healthz in time")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


async def time_requests(base: str, runs: int) -> tuple[dict[str, list[float]], dict[str, int],
                                                        dict[str, Any]]:  # fmt: skip
    """Each request once to warm up, then `runs` times each, in turn."""
    times: dict[str, list[float]] = {name: [] for name in REQUESTS}
    sizes: dict[str, int] = {}
    totals: dict[str, Any] = {}
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        body = {"username": history.ADMIN[0], "password": history.ADMIN[1]}
        async with session.post(base + "/api/v1/login", json=body) as resp:
            assert resp.status == 200, await resp.text()
            token = (await resp.json())["token"]
        headers = {"Authorization": f"Bearer {token}"}
        for run in range(runs + 1):
            for name, path in REQUESTS.items():
                begun = time.perf_counter()
                async with session.get(base + path, headers=headers) as resp:
                    data = await resp.read()
                    assert resp.status == 200, (path, data[:300])
                if run:
                    times[name].append(time.perf_counter() - begun)
                sizes[name] = len(data)
                if name == "overview":
                    import json

                    totals = json.loads(data)["totals"]
    return times, sizes, totals


async def measure(engine: str, url: str, halls: int, days: int, per_day: tuple[int, int],
                  runs: int) -> Result:  # fmt: skip
    begun = time.perf_counter()
    tickets = await history.build(url, halls, days, per_day, datetime.now(UTC))
    build_s = time.perf_counter() - begun
    server = Server(url)
    try:
        async with aiohttp.ClientSession() as session:
            await server.ready(session)
        times, sizes, totals = await time_requests(server.base, runs)
    finally:
        server.stop()
    return Result(engine, halls, days, tickets, build_s, times, sizes, totals)


async def pg_database(admin_url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def run_engine(engine: str, args: argparse.Namespace, tmp: str) -> Result:
    per_day = tuple(int(n) for n in args.tickets.split(","))
    assert len(per_day) == 2
    if engine == "sqlite":
        url = f"sqlite:///{Path(tmp) / 'overview-bench.db'}"
        return await measure(engine, url, args.halls, args.days, per_day, args.runs)
    name = f"callnext_overview_bench_{os.getpid()}"
    await pg_database(args.pg, f'CREATE DATABASE "{name}"')
    try:
        url = args.pg.rsplit("/", 1)[0] + f"/{name}"
        return await measure(engine, url, args.halls, args.days, per_day, args.runs)
    finally:
        await pg_database(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(result: Result) -> str:
    lines = [
        f"{result.engine}: {result.halls} halls × {result.days} days, {result.tickets:,} tickets "
        f"(built in {result.build_s:.0f} s); {len(result.times['overview'])} runs each",
        f"  {'request':<16} {'p50 ms':>9} {'p95 ms':>9} {'bytes':>10}",
    ]
    for name in REQUESTS:
        p50, p95 = result.row(name)
        lines.append(f"  {name:<16} {p50:>9.0f} {p95:>9.0f} {result.sizes[name]:>10,}")
    t = result.totals
    lines.append(
        f"  region: waiting {t['waiting']}, issued {t['issued']}, served {t['served']}, "
        f"same-day {t['same_day_completion_rate']}, promise met {t['promise_met_rate']}, "
        f"one-trip {t['one_trip_rate']}, satisfied {t['satisfied_rate']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m callnext.bench.overview", description=__doc__)
    parser.add_argument("--halls", type=int, default=200, help="halls in the region")
    parser.add_argument("--days", type=int, default=30, help="days of history per hall")
    parser.add_argument("--tickets", default="100,300", help="tickets a hall a day: low,high")
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each request")
    parser.add_argument("--db", default="sqlite,postgresql", help="engines, comma-separated")
    parser.add_argument("--pg", default=PG_ADMIN, help="PostgreSQL's admin URL (a database "
                        "is made there and dropped)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.halls < 1 or args.days < 1 or args.runs < 1:
        parser.error("--halls, --days and --runs take a count ≥ 1")
    print(f"load average before: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.db.split(","):
            result = asyncio.run(run_engine(engine.strip(), args, tmp))
            print(report(result), flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
