"""A reconnect storm: `python -m callnext.bench.reconnect [--displays 1000] [--batch 50]
[--waiting 300] [--rounds 3]`.

A server restarts, or a switch reboots the hall's screens: every display connects again at
once. This opens `--displays` bare display connections, `--batch` at a time (each batch waits
for its displays' first frames), and times until every one holds its first frame, on the
running server's /ws/v2 (its public snapshot, with `--waiting` tickets in the queue), then on
the floor: a bare aiohttp server (bench/floor.py) that sends each a prebuilt frame of the same
size. Rounds alternate server and floor; the ratio is of the medians. Start the server with
--demo --demo-all-day and CALLNEXT_RATE_LIMITS=off.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Sequence

import aiohttp

from .displays import Displays
from .floor import FloorProcess, raise_open_files
from .load import issue_tickets


async def waiting(session: aiohttp.ClientSession, base: str, hall: str) -> int:
    async with session.get(f"{base}/api/v1/halls/{hall}") as resp:
        body = await resp.json()
    return sum(int(s["waiting"]) for s in body["services"])


async def snapshot_bytes(session: aiohttp.ClientSession, url: str) -> int:
    async with session.ws_connect(url) as ws:
        return len((await ws.receive_str(timeout=30)).encode())


async def storm(url: str, displays: int, batch: int) -> float:
    """Seconds until `displays` connections, `batch` at a time, all hold their first frame."""
    opened = Displays()
    start = time.perf_counter()
    try:
        await opened.open(url, displays, batch)
        return time.perf_counter() - start
    finally:
        await opened.close()
        await asyncio.sleep(0.5)  # the server sees them go before the next round


async def run(args: argparse.Namespace) -> list[tuple[float, float]]:
    base = args.server.rstrip("/")
    stream = "ws" + base.removeprefix("http") + f"/ws/v2/halls/{args.hall}"
    async with aiohttp.ClientSession() as session:
        missing = args.waiting - await waiting(session, base, args.hall)
        if missing > 0:
            await issue_tickets(session, base, args.hall, missing, 16)
        size = await snapshot_bytes(session, stream)
    floor = FloorProcess()
    await floor.start()
    floor_url = "ws" + floor.base.removeprefix("http") + f"/ws?snapshot_bytes={size}"
    print(f"reconnect: {args.displays} displays, {args.batch} at a time, "
          f"{args.waiting} waiting, a {size}-byte snapshot")  # fmt: skip
    rounds = []
    try:
        for i in range(args.rounds):
            ours = await storm(stream, args.displays, args.batch)
            theirs = await storm(floor_url, args.displays, args.batch)
            rounds.append((ours, theirs))
            print(f"round {i + 1}: callnext {ours:.2f} s, floor {theirs:.2f} s, "
                  f"x{ours / theirs:.2f}", flush=True)  # fmt: skip
    finally:
        await floor.stop()
    ours_m = statistics.median(r[0] for r in rounds)
    floor_m = statistics.median(r[1] for r in rounds)
    print(f"median: callnext {ours_m:.2f} s, floor {floor_m:.2f} s, x{ours_m / floor_m:.2f}")
    return rounds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m callnext.bench.reconnect", description=__doc__)
    parser.add_argument("--server", default="http://127.0.0.1:8080", help="the server measured")
    parser.add_argument("--hall", default="demo", help="the hall whose stream is opened")
    parser.add_argument("--displays", type=int, default=1000, help="displays per storm")
    parser.add_argument("--batch", type=int, default=50, help="displays connecting at once")
    parser.add_argument("--waiting", type=int, default=300, help="tickets waiting (issued first)")
    parser.add_argument("--rounds", type=int, default=3, help="storms each, alternated")
    args = parser.parse_args(argv)
    raise_open_files()
    try:
        asyncio.run(run(args))
    except (OSError, aiohttp.ClientError, TimeoutError) as exc:
        print(f"callnext.bench.reconnect: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
