"""A load benchmark against a running callnext server (callnext bench --help).

For each display count it opens N /ws/v2 display streams, issues tickets from many concurrent
kiosks (the durable rate: each 201 is a committed ticket), then presses call-next on the demo
windows one press at a time and measures, for each press, the time until the first and the last
display has the call, once the displays have read everything the issuing sent them. The same N
displays then measure the floor: a bare aiohttp broadcast server with no database
(callnext.bench.floor, in a child process) sending the same frames, byte for byte but the seq,
that a press of callnext sent; every callnext latency is also printed as a ratio to the floor's
(--no-floor: callnext alone, one socket per display instead of two).
The memory each idle display costs is read from /proc (the server's pid comes from /healthz)
when the server runs on this machine. Run it against a server started with
CALLNEXT_RATE_LIMITS=off.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence

import aiohttp

from .displays import Displays
from .floor import FloorProcess, raise_open_files
from .probe import queue_plays, rss_kb, server_pid, server_timing, waiting_now
from .report import Result, report, table
from .ws_client import ExternalDisplays

IDLE_S = 1.0  # how long the open displays idle before the server's memory is read again
RECEIPT_TIMEOUT_S = 30.0  # for every display to have a call (10,000 sockets on 2 cores)
AnyDisplays = Displays | ExternalDisplays  # --client light (in this process) | websockets


def new_displays(client: str) -> AnyDisplays:
    return ExternalDisplays() if client == "websockets" else Displays()


async def issue_tickets(
    session: aiohttp.ClientSession, base: str, hall: str, count: int, concurrency: int
) -> float:
    """Tickets per second, each acknowledged (committed) by a 201; each request carries its
    own Idempotency-Key, as the kiosk page's do."""
    url = f"{base}/api/v1/halls/{hall}/tickets"
    services = ("A", "B", "C")
    counter = iter(range(count))
    run = uuid.uuid4().hex[:12]

    async def kiosk() -> None:
        for i in counter:
            key = {"Idempotency-Key": f"bench-{run}-{i}"}
            async with session.post(url, json={"service": services[i % 3]}, headers=key) as resp:
                if resp.status != 201:
                    raise RuntimeError(f"issuing failed: {resp.status} {await resp.text()}")

    start = time.perf_counter()
    await asyncio.gather(*(kiosk() for _ in range(concurrency)))
    return count / (time.perf_counter() - start)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """This client's garbage collector waits while a press is timed (it runs between them):
    what is measured is the server's fan-out, not the client's collections."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)


Press = Callable[[int], Awaitable[bool]]  # the i-th press; False: nothing more to call


async def time_press(displays: AnyDisplays, press: Press, i: int) -> tuple[float, float] | None:
    """(to the first display, to the last display) in ms for press `i`; None: nothing called."""
    sent = time.perf_counter()
    if not await press(i):
        return None
    times = displays.seen[await _called_seq(displays, sent)]
    return (min(times) - sent) * 1000, (max(times) - sent) * 1000


async def _called_seq(displays: AnyDisplays, sent: float) -> int:
    """The seq of the newest ticket.called frame every display saw after `sent`."""
    deadline = time.perf_counter() + RECEIPT_TIMEOUT_S
    while (left := deadline - time.perf_counter()) > 0:
        fresh = [s for s in displays.complete[-8:] if displays.seen[s][0] >= sent]
        if fresh:
            return max(fresh)
        displays.completed.clear()
        with contextlib.suppress(TimeoutError):  # woken by the displays, not by polling:
            await asyncio.wait_for(displays.completed.wait(), left)  # no work while they read
    raise RuntimeError(f"not every display received the call within {RECEIPT_TIMEOUT_S:.0f} s")


async def open_idle(displays: AnyDisplays, url: str, count: int, pid: int | None) -> float | None:
    """Open `count` displays; the server's RSS growth per idle display in KB (after one display
    has come and gone, so that what the first connection sets up once is not counted)."""
    warm_up = Displays()
    await warm_up.open(url, 1)
    await warm_up.close()
    before = rss_kb(pid) if pid is not None else None
    await displays.open(url, count)
    await asyncio.sleep(IDLE_S)
    after = rss_kb(pid) if pid is not None else None
    return None if before is None or after is None else (after - before) / count


async def measure(
    session: aiohttp.ClientSession, args: argparse.Namespace, count: int
) -> tuple[Result, Result | None, tuple[int, int]]:
    """callnext's and the floor's figures at `count` displays (the floor's None with
    --no-floor), and (the bytes of callnext's ticket.called frame, the frames a press sent
    each display). The two sides' presses alternate, so that both meet the same machine; each
    floor press sends the frames callnext's press before it sent a display (call-next over a
    current ticket: two, its ticket.finished and the ticket.called)."""
    base, hall = args.server.rstrip("/"), args.hall
    ours, theirs = new_displays(args.client), new_displays(args.client)
    screens = (args.display_server or base).rstrip("/")  # another process: the hop between
    ws_url = "ws" + screens.removeprefix("http") + f"/ws/v2/halls/{hall}"
    kb = await open_idle(ours, ws_url, count, await server_pid(session, screens))
    floor = None if args.no_floor else FloorProcess()
    the_floor = None  # its displays, its result and its server's base URL
    try:
        if floor is not None:
            await floor.start()
            assert floor.proc is not None
            floor_url = "ws" + floor.base.removeprefix("http") + "/ws"
            floor_kb = await open_idle(theirs, floor_url, count, floor.proc.pid)
            the_floor = (theirs, Result(count, [], [], floor_kb), floor.base)
        tickets = per_count(args.tickets, args.displays, count)
        if args.waiting is not None:  # the queue the presses start from, and keep at its end
            tickets = await _top_up(session, args, count)
        rate = (
            await issue_tickets(session, base, hall, tickets, args.concurrency) if tickets else None
        )
        await ours.settle()
        print(f"waiting at the first press: {await waiting_now(session, base, hall):,}")
        cn = Result(count, [], [], kb, rate)
        sent = await _alternate(session, args, (ours, cn), the_floor)
    finally:
        await ours.close()
        await theirs.close()
        if floor is not None:
            await floor.stop()
    return cn, (the_floor[1] if the_floor is not None else None), sent


async def _alternate(
    session: aiohttp.ClientSession,
    args: argparse.Namespace,
    callnext: tuple[AnyDisplays, Result],
    the_floor: tuple[AnyDisplays, Result, str] | None,
) -> tuple[int, int]:
    """Press call-next, then the floor (its displays, result, base URL; None: no floor) with
    the same frames, --calls times; the bytes of the last ticket.called frame, and how many
    frames that press sent each display."""
    base, hall = args.server.rstrip("/"), args.hall
    ours, cn = callnext
    async with session.post(
        f"{base}/api/v1/login", json={"username": "manager", "password": "demo"}
    ) as resp:
        headers = {"Authorization": f"Bearer {(await resp.json())['token']}"}
    frames: list[str] = []

    async def call_next(i: int) -> bool:
        url = f"{base}/api/v1/halls/{hall}/windows/{1 + i % 8}/call-next"
        async with session.post(url, headers=headers) as resp:
            called = bool((await resp.json()).get("called"))
        if called:
            for name, ms in server_timing(resp.headers.get("Server-Timing", "")).items():
                cn.stages.setdefault(name, []).append(ms)
        return called

    async def publish(i: int) -> bool:
        assert the_floor is not None
        url = f"{the_floor[2]}/publish?seq={i + 1}"
        async with session.post(url, json={"frames": frames}) as resp:
            return resp.status == 200

    gc.collect()
    gc.freeze()  # the displays' objects: this client's own collections do not walk them
    plays_before = await queue_plays(session, base)
    for i in range(per_count(args.calls, args.displays, cn.displays)):
        before = ours.sampled
        with _no_gc():
            timed = await time_press(ours, call_next, i)
        if timed is None:
            break
        frames = list(ours.latest)[-(ours.sampled - before) :]
        cn.first.append(timed[0])
        cn.last.append(timed[1])
        if the_floor is not None:
            theirs, fl, _ = the_floor
            with _no_gc():
                floor_timed = await time_press(theirs, publish, i)
            assert floor_timed is not None
            fl.first.append(floor_timed[0])
            fl.last.append(floor_timed[1])
    await asyncio.sleep(0.2)  # the last press's play after its commit
    plays = await queue_plays(session, base)
    cn.plays = {where: n - plays_before.get(where, 0) for where, n in plays.items()}
    return (len(frames[-1].encode()) if frames else 0), len(frames)


class BenchError(Exception):
    """Why the benchmark cannot run against this server, in one line."""


async def check_server(session: aiohttp.ClientSession, base: str, hall: str) -> None:
    """Before anything starts: the server answers, has the hall, and lets the demo's manager
    log in (who presses call-next)."""
    try:
        async with session.get(f"{base}/api/v1/halls/{hall}") as resp:
            if resp.status == 404:
                raise BenchError(f"the server at {base} has no hall {hall!r} (--hall)")
            if resp.status != 200:
                raise BenchError(f"the server at {base} answered {resp.status} for hall {hall!r}")
        login = {"username": "manager", "password": "demo"}
        async with session.post(f"{base}/api/v1/login", json=login) as resp:
            if resp.status != 200:
                raise BenchError(
                    f"the server at {base} refused the demo's manager login ({resp.status}): "
                    "run the bench against a server started with --demo --demo-all-day"
                )
    except aiohttp.ClientError as exc:
        raise BenchError(f"cannot reach the server at {base}: {_why(exc)}") from exc


def _why(exc: aiohttp.ClientError) -> str:
    """The reason in a few words: "Connection refused" rather than aiohttp's paragraph."""
    os_error = getattr(exc, "os_error", None)
    number = getattr(os_error, "errno", None)
    if isinstance(number, int) and number > 0:
        return os.strerror(number)  # "Connection refused"
    return str(getattr(os_error, "strerror", None) or exc or type(exc).__name__)


async def run(args: argparse.Namespace) -> None:
    limit = raise_open_files()
    rows: list[tuple[Result, Result | None]] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        await check_server(session, args.server.rstrip("/"), args.hall)
        client = "websockets (its own process)" if args.client == "websockets" else "light"
        print(f"server {args.server}, hall {args.hall}, open-file limit {limit}, "
              f"display client {client}", flush=True)  # fmt: skip
        if args.display_server:
            await check_server(session, args.display_server.rstrip("/"), args.hall)
            print(f"displays on {args.display_server} (another process on the same database)")
        for count in args.displays:
            cn, fl, (size, per_press) = await measure(session, args, count)
            report(cn, fl, size, args.concurrency)
            same = "" if fl is None else " (the floor sends the same)"
            print(f"frames per press to each display: {per_press}{same}")
            rows.append((cn, fl))
    table(rows)


def _counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("a comma-separated list of positive counts")
    return counts


async def _top_up(session: aiohttp.ClientSession, args: argparse.Namespace, count: int) -> int:
    """The tickets to issue so that `--waiting` still wait after the last press: the queue is
    topped up, not grown by each run on the same server (it was: 2,000 became 8,000 in four)."""
    wanted = int(args.waiting + per_count(args.calls, args.displays, count))
    already = await waiting_now(session, args.server.rstrip("/"), args.hall)
    if already > wanted:
        print(f"note: {already:,} already wait, more than the {wanted:,} asked: "
              "a server on a new database gives the queue asked")  # fmt: skip
    return max(wanted - already, 0)


def _waiting(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError("a count of tickets, 0 or more")
    return value


def per_count(values: list[int], displays: list[int], count: int) -> int:
    """The value of --tickets or --calls for the run at `count` displays: one value for every
    run, or one per display count, in the order of --displays."""
    if len(values) == 1:
        return values[0]
    if len(values) != len(displays):
        raise SystemExit("--tickets and --calls take one value, or one per display count")
    return values[displays.index(count)]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server", default="http://127.0.0.1:8080",
        help="the server measured (started with --demo --demo-all-day, CALLNEXT_RATE_LIMITS=off)",
    )  # fmt: skip
    parser.add_argument("--hall", default="demo", help="the hall issued to and called")
    parser.add_argument(
        "--display-server", default=None, metavar="URL",
        help="where the displays connect, if not --server: another process serving the same "
        "PostgreSQL database, to measure the hop between processes (default: --server)",
    )  # fmt: skip
    parser.add_argument(
        "--displays", type=_counts, default="100,1000", help="display counts, one run each"
    )
    parser.add_argument(
        "--tickets", type=_counts, default="1000", help="one value, or one per display count"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="kiosks issuing at once")
    parser.add_argument(
        "--waiting", type=_waiting, default=None,
        help="tickets left waiting after the last press (tops the queue up to this many plus "
        "--calls, instead of issuing --tickets)",
    )  # fmt: skip
    parser.add_argument(
        "--client", choices=("light", "websockets"), default="light",
        help="who reads the displays, callnext's and the floor's alike: light (raw sockets in "
        "this process, default) or websockets (the library, in a process of its own)",
    )  # fmt: skip
    parser.add_argument(
        "--calls", type=_counts, default="100", help="one value, or one per display count"
    )
    parser.add_argument(
        "--no-floor", action="store_true",
        help="callnext's figures alone, with no floor to compare: one socket per display, for "
        "more displays than the open-file limit holds with the floor's",
    )  # fmt: skip


FILES_PER_RUN = 256  # open files besides the display sockets: HTTP clients, the floor's pipes


def refusal(args: argparse.Namespace, open_files: int) -> str | None:
    """Why these arguments cannot run here, found before anything starts; None if they can.
    Each display count holds callnext's and the floor's displays open at once: two sockets
    per display in this one process (one with --no-floor)."""
    try:
        for count in args.displays:
            per_count(args.tickets, args.displays, count)
            per_count(args.calls, args.displays, count)
    except SystemExit as exc:
        return str(exc)
    sides = 1 if args.no_floor else 2
    needed = sides * max(args.displays) + FILES_PER_RUN
    if needed > open_files:
        whose = "callnext's displays" if sides == 1 else "callnext's and the floor's displays"
        return (
            f"{max(args.displays):,} displays need {needed:,} open files in this process "
            f"({whose} at once), and it may open {open_files:,} (its hard limit): run fewer "
            f"displays, --no-floor, or raise the hard limit (ulimit -Hn) first"
        )
    return None


def run_args(args: argparse.Namespace) -> int:
    why = refusal(args, raise_open_files())
    if why is None:
        try:
            asyncio.run(run(args))
            return 0
        except BenchError as exc:
            why = str(exc)
        except aiohttp.ClientError as exc:  # the server went away during the run
            why = f"lost the server at {args.server}: {_why(exc)}"
    print(f"callnext bench: {why}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m callnext.bench", description=__doc__)
    add_arguments(parser)
    return run_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
