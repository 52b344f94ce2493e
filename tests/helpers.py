"""Test helpers: a real callnext server (in this process or as a subprocess) and its clients."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import wave
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Set
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from callnext.domain.model import CallOrder, Status, Ticket
from callnext.domain.queue import pick_next
from callnext.runtime.config import Settings
from callnext.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Api:
    """A thin client for one server: JSON in, (status, JSON) out."""

    base: str
    session: aiohttp.ClientSession
    tokens: dict[str, str] = field(default_factory=dict)
    app: web.Application | None = None  # the server's app, when it runs in this process

    @property
    def ws_base(self) -> str:
        return "ws" + self.base.removeprefix("http")

    async def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | str | None = None,
    ) -> tuple[int, Any]:
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        kwargs: dict[str, Any] = {"headers": hdrs}
        if data is not None:
            kwargs["data"] = data
        elif body is not None:
            kwargs["json"] = body
        async with self.session.request(method, self.base + path, **kwargs) as resp:
            text = await resp.text()
            try:
                payload = await resp.json(content_type=None) if text else None
            except ValueError:
                payload = text
            return resp.status, payload

    async def login(self, username: str, password: str = "demo") -> str:
        if username not in self.tokens:
            status, body = await self.request(
                "POST", "/api/v1/login", {"username": username, "password": password}
            )
            assert status == 200, body
            self.tokens[username] = body["token"]
        return self.tokens[username]

    async def staff_headers(self, user: str = "manager") -> dict[str, str]:
        """The Authorization header of an account of the demo hall: with it the snapshot and
        /ws/v1 carry every ticket's id (without it, none: an id is its holder's key)."""
        return {"Authorization": f"Bearer {await self.login(user)}"}

    async def issue(
        self, service: str = "A", priority: bool = False, hall: str = "demo", key: str | None = None
    ) -> dict[str, Any]:
        headers = {"Idempotency-Key": key} if key else None
        status, body = await self.request(
            "POST", f"/api/v1/halls/{hall}/tickets", {"service": service, "priority": priority},
            headers=headers,
        )  # fmt: skip
        assert status == 201, body
        return body  # type: ignore[no-any-return]

    async def window(
        self, number: int, action: str, body: Any = None, user: str | None = None,
        hall: str = "demo",
    ) -> tuple[int, Any]:  # fmt: skip
        token = await self.login(user or f"w{number}")
        return await self.request(
            "POST", f"/api/v1/halls/{hall}/windows/{number}/{action}", body, token=token
        )

    async def staff(self, *numbers: int, hall: str = "demo") -> None:
        """Each window's staff member (w1 for window 1, …) takes it: only staffed windows serve,
        so only they count in the estimated waits."""
        for number in numbers:
            status, body = await self.window(number, "take", hall=hall)
            assert status == 200, body

    async def hall(self, hall: str = "demo", *, staff: bool = False) -> dict[str, Any]:
        """The hall snapshot, as the public gets it, or (`staff`) as the demo hall's manager
        does: with the current tickets' ids."""
        headers = await self.staff_headers() if staff else None
        status, body = await self.request("GET", f"/api/v1/halls/{hall}", headers=headers)
        assert status == 200, body
        return body  # type: ignore[no-any-return]

    async def day_tickets(self, hall: str = "demo") -> list[dict[str, Any]]:
        token = await self.login("manager")
        status, body = await self.request("GET", f"/api/v1/halls/{hall}/tickets", token=token)
        assert status == 200, body
        return body["tickets"]  # type: ignore[no-any-return]


@contextlib.asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[Api]:
    """A real server on a free port, in this process, with a client session."""
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield Api(f"http://127.0.0.1:{port}", session, app=app)
    finally:
        await runner.cleanup()


@contextlib.contextmanager
def serving(db_url: str) -> Iterator[ServerProcess]:
    """A demo hall's `callnext serve` in a child process, its voice off (and no rate limits, as
    every ServerProcess), stopped after the block: what the benchmarks' tests measure."""
    server = ServerProcess(db_url, env={"CALLNEXT_VOICE": "off"})
    server.start()
    try:
        yield server
    finally:
        server.stop()


class ServerProcess:
    """`callnext serve` as a child process, for restarts and SIGKILL."""

    def __init__(
        self, db_url: str, port: int | None = None, *extra: str,
        env: dict[str, str] | None = None, open_files: int | None = None,
    ) -> None:  # fmt: skip
        self.db_url = db_url
        self.port = port or free_port()
        self.extra = extra
        self.env = env or {}
        self.open_files = open_files  # the process's open-file limit (soft and hard)
        self.proc: subprocess.Popen[str] | None = None
        self.output: list[str] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        env = {**os.environ, "CALLNEXT_RATE_LIMITS": "off", "PYTHONUNBUFFERED": "1", **self.env}
        cmd = [sys.executable, "-m", "callnext", "serve", "--port", str(self.port),
               "--db", self.db_url, "--demo", "--demo-all-day", *self.extra]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
            preexec_fn=self._limit if self.open_files else None,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("server exited:\n" + "".join(self.output))
            self.output.append(line)
            if "listening on" in line:
                drain_in_background(self.proc, self.output)
                return
        raise RuntimeError("server did not start:\n" + "".join(self.output))

    def _limit(self) -> None:
        import resource

        assert self.open_files is not None
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, as a power cut of the process."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc:
            terminate(self.proc)


def terminate(proc: subprocess.Popen[str]) -> int:
    """SIGTERM, then SIGKILL if it has not ended within 10 s; its exit status."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    return proc.returncode


def drain_in_background(proc: subprocess.Popen[str], sink: list[str]) -> None:
    """Append the process's output lines to `sink` from a thread, so its pipe never fills."""
    import threading

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            sink.append(line)

    threading.Thread(target=pump, daemon=True).start()


def wav_seconds(data: bytes) -> float:
    """The duration of a valid 16-bit mono WAV with sound in it."""
    with wave.open(io.BytesIO(data), "rb") as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        frames = wav.getnframes()
        pcm = wav.readframes(frames)
        assert len(pcm) == frames * 2
        assert pcm.strip(b"\0"), "silent"
        return frames / wav.getframerate()


async def wait_until(predicate: Any, timeout: float = 5.0, interval: float = 0.02) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(interval)
    raise AssertionError("condition not met in time")


# How long a test waits for a frame that must come: a ceiling for a loaded machine, not a speed
# (how fast is for the benchmarks). Waits that check that nothing comes keep their short ones.
FRAME_WAIT_S = 30.0


async def frames(ws: aiohttp.ClientWebSocketResponse, count: int) -> list[dict[str, Any]]:
    """The next `count` frames of a display stream, each within FRAME_WAIT_S."""
    out = []
    for _ in range(count):
        msg = await ws.receive(FRAME_WAIT_S)
        assert msg.type is aiohttp.WSMsgType.TEXT, msg
        out.append(json.loads(msg.data))
    return out


# A staff session's lifetime in the tests that see one expire: long enough for a login, a take
# and a few reads on a loaded 2-core machine (1–2 s ran out there before the session's first
# use); each such test then waits for the end with wait_until, not a fixed sleep.
LIVE_S = 6

# A server whose whole event log a test reads back with read_events(api, 0): a display further
# behind than CALLNEXT_REPLAY_MAX_EVENTS (1,000 by default) gets a snapshot instead of a replay,
# and a test that loads a server as fast as the machine allows may pass that count.
WHOLE_LOG_REPLAY = {"CALLNEXT_REPLAY_MAX_EVENTS": "1000000"}


async def read_events(api: Api, since: int = 0, hall: str = "demo") -> list[dict[str, Any]]:
    """Every event after `since`, as the display stream replays it (`?since=`), up to the hall's
    seq when called. Strict: the frames must be events, numbered since + 1, since + 2, … with no
    snapshot and no close before the last one. Read as the demo hall's manager: the tickets
    carry their ids (in another hall, the public frames)."""
    upto = (await api.hall(hall))["seq"]
    frames: list[dict[str, Any]] = []
    url = f"{api.ws_base}/ws/v1/halls/{hall}?since={since}"
    try:
        ws = await api.session.ws_connect(url, headers=await api.staff_headers())
    except aiohttp.WSServerHandshakeError as exc:
        if exc.status != 401:
            raise
        api.tokens.pop("manager")  # the test let sessions expire (a short token_ttl)
        ws = await api.session.ws_connect(url, headers=await api.staff_headers())
    async with asyncio.timeout(30), ws:
        while since + len(frames) < upto:
            msg = await ws.receive()
            assert msg.type is aiohttp.WSMsgType.TEXT, (
                f"stream ended after seq {since + len(frames)} of {upto}: {msg.type} {msg.data}"
            )
            frame = json.loads(msg.data)
            assert frame["type"] == "event", f"?since={since} answered a {frame['type']}"
            assert frame["seq"] == since + len(frames) + 1, "a gap or disorder in the replay"
            frames.append(frame)
    return frames


class QueueReplay:
    """A model of a hall's queue fed with its event frames in seq order, checking each claim.

    Each `ticket.called` must name the head of that window's queue by the contract's order
    (domain.queue.pick_next: priority, then issued_at, then issue order; the windows in
    `by_service` take their services in the order listed, work profile SERVICES) and find the
    window without a current ticket. Models call-next only (not `call` by number, nor pauses).
    """

    def __init__(
        self, windows: dict[int, list[str]], by_service: Set[int] = frozenset(), seq: int = 0
    ) -> None:
        self.windows = {n: tuple(s) for n, s in windows.items()}
        self.orders = {
            n: CallOrder.SERVICES if n in by_service else CallOrder.QUEUE for n in self.windows
        }
        self.seq = seq
        self.issued: dict[str, Ticket] = {}  # id → the model ticket as issued
        self.waiting: dict[str, Ticket] = {}
        self.current: dict[int, str | None] = dict.fromkeys(self.windows)
        self.calls: Counter[str] = Counter()

    def apply_all(self, frames: list[dict[str, Any]]) -> None:
        for frame in frames:
            self.apply(frame)

    def apply(self, frame: dict[str, Any]) -> None:
        assert frame["seq"] == self.seq + 1, f"seq {frame['seq']} after {self.seq}"
        self.seq = frame["seq"]
        name, t, w = frame["event"], frame["ticket"], frame["window"]
        where = f"seq {self.seq} {name} {t and t['number']} window {w}"
        if name == "ticket.issued":
            model = Ticket(
                id=t["id"], hall=t["hall"], number=t["number"], service=t["service"],
                priority=t["priority"], status=Status.WAITING, day=t.get("day", ""),
                issued_at=datetime.fromisoformat(t["issued_at"]), pk=self.seq,
            )  # fmt: skip
            self.issued[t["id"]] = self.waiting[t["id"]] = model
        elif name == "ticket.called":
            assert self.current[w] is None, f"{where}: window still has {self.current[w]}"
            head = pick_next(self.waiting.values(), self.windows[w], self.orders[w])
            assert head is not None, f"{where}: nobody was waiting for this window"
            assert t["id"] == head.id, f"{where}: the head was {head.number}"
            del self.waiting[head.id]
            self.current[w] = head.id
            self.calls[head.id] += 1
        elif name in ("ticket.finished", "ticket.transferred", "ticket.recalled"):
            assert self.current[w] == t["id"], f"{where}: not the window's current ticket"
            if name == "ticket.transferred":
                first = self.issued[t["id"]]
                # a transferred ticket keeps its number and its place (issued_at)
                assert t["number"] == first.number, where
                assert datetime.fromisoformat(t["issued_at"]) == first.issued_at, where
                self.waiting[t["id"]] = replace(first, service=t["service"])
            if name != "ticket.recalled":
                self.current[w] = None
        elif name == "ticket.cancelled":
            assert self.waiting.pop(t["id"], None) is not None, f"{where}: was not waiting"
