"""What the benchmark reads of the server it measures, besides its displays: its pid and
memory (from /healthz and /proc, when it runs on this machine), the tickets waiting, and a
response's Server-Timing."""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "0.0.0.0")


def rss_kb(pid: int) -> int | None:
    """A process's resident memory (VmRSS) in KB; None where /proc does not have it."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


async def server_pid(session: aiohttp.ClientSession, base: str) -> int | None:
    """The server's pid from /healthz, when it runs on this machine (else None)."""
    if urlsplit(base).hostname not in LOCAL_HOSTS:
        return None
    async with session.get(f"{base}/healthz") as resp:
        pid = (await resp.json()).get("process")
    return pid if isinstance(pid, int) else None


async def waiting_now(session: aiohttp.ClientSession, base: str, hall: str) -> int:
    """How many tickets wait in the hall now (its public snapshot's queues)."""
    async with session.get(f"{base}/api/v1/halls/{hall}") as resp:
        return sum(int(s.get("waiting", 0)) for s in (await resp.json()).get("services", []))


def server_timing(header: str) -> dict[str, float]:
    """A Server-Timing header's durations: {"auth": 0.19, "tx": 2.9, …} (ms)."""
    out = {}
    for metric in header.split(","):
        name, _, params = metric.strip().partition(";")
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "dur" and name:
                with contextlib.suppress(ValueError):
                    out[name] = float(value)
    return out


async def queue_plays(session: aiohttp.ClientSession, base: str) -> dict[str, float]:
    """The server's queue plays so far by where (/metrics' callnext_queue_plays_total:
    "transaction", "refresh"); {} from a server that does not count them."""
    async with session.get(f"{base}/metrics") as resp:
        text = await resp.text() if resp.status == 200 else ""
    out = {}
    for line in text.splitlines():
        if line.startswith('callnext_queue_plays_total{where="'):
            labels, _, value = line.rpartition(" ")
            with contextlib.suppress(ValueError):
                out[labels.split('"')[1]] = float(value)
    return out
