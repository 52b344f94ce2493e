"""What a kiosk's ESC/POS printing costs the citizen: the time from the tap's POST to its answer,
with the server printing to a network printer and without (python -m callnext.bench.printer).

Against a running server (CALLNEXT_RATE_LIMITS=off) with the demo hall's manager account. It
runs a stand-in raw-TCP printer on this machine, registers it as kiosk BENCH-P, and issues
tickets one after another, alternating with and without the kiosk.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import aiohttp

from .report import percentile


class StandInPrinter:
    """Takes raw print jobs on 127.0.0.1 like a port-9100 printer; counts their bytes."""

    def __init__(self) -> None:
        self.jobs: list[int] = []
        self.port = 0

    async def start(self) -> asyncio.Server:
        server = await asyncio.start_server(self._job, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def _job(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.jobs.append(len(await reader.read()))
        writer.close()


async def _timed_issue(
    session: aiohttp.ClientSession, url: str, body: dict[str, object], key: str | None = None
) -> float:
    started = time.perf_counter()
    headers = {"X-Kiosk-Key": key} if key else None
    async with session.post(url, json=body, headers=headers) as resp:
        answer = await resp.json()
        assert resp.status == 201, answer
        assert "kiosk" not in body or answer["print"]["status"] == "printed", answer
    return (time.perf_counter() - started) * 1000


async def run(server: str, hall: str, count: int, password: str) -> None:
    printer = StandInPrinter()
    listener = await printer.start()
    async with aiohttp.ClientSession() as session:
        login = {"username": "manager", "password": password}
        async with session.post(f"{server}/api/v1/login", json=login) as resp:
            token = (await resp.json())["token"]
        kiosk = {"print": "escpos", "printer": f"tcp://127.0.0.1:{printer.port}"}
        path = f"{server}/api/v1/halls/{hall}/kiosks/BENCH-P"
        auth = {"Authorization": f"Bearer {token}"}
        async with session.put(path, json=kiosk, headers=auth) as resp:
            assert resp.status in (200, 201), await resp.text()
        async with session.post(path + "/key", headers=auth) as resp:  # as a kiosk is set up
            key = (await resp.json())["key"]
        url = f"{server}/api/v1/halls/{hall}/tickets"
        plain: list[float] = []
        printed: list[float] = []
        for _ in range(count):
            plain.append(await _timed_issue(session, url, {"service": "A"}))
            body: dict[str, object] = {"service": "A", "kiosk": "BENCH-P"}
            printed.append(await _timed_issue(session, url, body, key))
    listener.close()
    size = sum(printer.jobs) / max(1, len(printer.jobs))
    print(f"server {server}, hall {hall}, {count} tickets each way, job {size:.0f} bytes")
    for name, values in (("issue, no printing", plain), ("issue + ESC/POS print", printed)):
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        print(f"{name:<24} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="http://127.0.0.1:8080")
    parser.add_argument("--hall", default="demo")
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--password", default="demo", help="the manager's password")
    args = parser.parse_args()
    asyncio.run(run(args.server.rstrip("/"), args.hall, args.tickets, args.password))


if __name__ == "__main__":
    main()
