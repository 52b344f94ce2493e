"""A load benchmark against a running callnext server (python -m callnext.bench --help).

It opens N display streams, issues tickets from many concurrent kiosks (the durable rate: each
201 is a committed ticket), then presses call-next on the demo windows one press at a time and
measures, for each press, the time until the first and the last display has the call.
Run it against a server started with CALLNEXT_RATE_LIMITS=off.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import aiohttp


@dataclass
class Displays:
    """N display connections, each noting when it saw the frame of each seq."""

    seen: dict[int, list[float]] = field(default_factory=dict)
    sockets: list[aiohttp.ClientWebSocketResponse] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def open(self, session: aiohttp.ClientSession, url: str, count: int) -> None:
        for start in range(0, count, 200):
            batch = [
                session.ws_connect(url, max_msg_size=0) for _ in range(min(200, count - start))
            ]
            for ws in await asyncio.gather(*batch):
                await ws.receive()  # the snapshot
                self.sockets.append(ws)
                self.tasks.append(asyncio.create_task(self._read(ws)))

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.TEXT and '"ticket.called"' in msg.data:
                seq = json.loads(msg.data)["seq"]
                self.seen.setdefault(seq, []).append(time.perf_counter())

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest rank: the ⌈p·n⌉-th smallest."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered))) - 1]


async def issue_tickets(
    session: aiohttp.ClientSession, base: str, hall: str, count: int, concurrency: int
) -> float:
    """Tickets per second, each acknowledged (committed) by a 201."""
    url = f"{base}/api/v1/halls/{hall}/tickets"
    services = ("A", "B", "C")
    counter = iter(range(count))

    async def kiosk() -> None:
        for i in counter:
            async with session.post(url, json={"service": services[i % 3]}) as resp:
                if resp.status != 201:
                    raise RuntimeError(f"issuing failed: {resp.status} {await resp.text()}")

    start = time.perf_counter()
    await asyncio.gather(*(kiosk() for _ in range(concurrency)))
    return count / (time.perf_counter() - start)


async def press_calls(
    session: aiohttp.ClientSession, base: str, hall: str, displays: Displays, presses: int
) -> tuple[list[float], list[float]]:
    """(to first display, to last display) in ms for each call-next press."""
    async with session.post(
        f"{base}/api/v1/login", json={"username": "manager", "password": "demo"}
    ) as resp:
        token = (await resp.json())["token"]
    headers = {"Authorization": f"Bearer {token}"}
    first: list[float] = []
    last: list[float] = []
    for i in range(presses):
        window = 1 + i % 8
        url = f"{base}/api/v1/halls/{hall}/windows/{window}/call-next"
        sent = time.perf_counter()
        async with session.post(url, headers=headers) as resp:
            body = await resp.json()
        if not body.get("called"):
            break
        seq = await _called_seq(displays, body["called"]["number"], sent)
        times = displays.seen.get(seq, [])
        if len(times) < len(displays.sockets):
            await asyncio.sleep(0.5)
            times = displays.seen.get(seq, [])
        first.append((min(times) - sent) * 1000)
        last.append((max(times) - sent) * 1000)
    return first, last


async def _called_seq(displays: Displays, number: str, sent: float) -> int:
    """The seq of the newest ticket.called frame seen after `sent` (polls the displays)."""
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        fresh = [s for s, ts in displays.seen.items() if ts and ts[0] >= sent]
        if fresh and len(displays.seen[max(fresh)]) >= len(displays.sockets):
            return max(fresh)
        await asyncio.sleep(0.001)
    raise RuntimeError(f"no display received the call of {number}")


async def run(args: argparse.Namespace) -> None:
    base, hall = args.server.rstrip("/"), args.hall
    ws_url = "ws" + base.removeprefix("http") + f"/ws/v1/halls/{hall}"
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        displays = Displays()
        await displays.open(session, ws_url, args.displays)
        rate = await issue_tickets(session, base, hall, args.tickets, args.concurrency)
        first, last = await press_calls(session, base, hall, displays, args.calls)
        await displays.close()
    print(f"server {base}, hall {hall}, {args.displays} displays")
    print(f"durable tickets/s ({args.concurrency} concurrent kiosks): {rate:,.0f}")
    for name, values in (("call-next → first display", first), ("call-next → last display", last)):
        p50, p99 = statistics.median(values), percentile(values, 0.99)
        print(f"{name:<28} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   (n={len(values)})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m callnext.bench", description=__doc__)
    parser.add_argument("--server", default="http://127.0.0.1:8080")
    parser.add_argument("--hall", default="demo")
    parser.add_argument("--displays", type=int, default=100)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--calls", type=int, default=100)
    asyncio.run(run(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
