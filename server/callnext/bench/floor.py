"""The broadcast floor: a bare aiohttp server with no database (python -m callnext.bench.floor).

GET /ws registers a WebSocket client; POST /publish?seq=N with a JSON body {"frames": [text, …]}
takes the frames a callnext press sent a display (the benchmark captures them), gives each the
seq N, encodes them ONCE and writes them to every client with aiohttp's send_frame,
uncompressed; GET /healthz answers its process id. What the benchmark measures against it is
the least any server built on aiohttp's own writes can take to reach N displays with the same
frames on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import re
import resource
import socket
import sys
import time
from collections.abc import Sequence

from aiohttp import WSMsgType, web


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CLIENTS: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("clients")
SEQ = re.compile(r'"seq":\d+')


def raise_open_files() -> int:
    """Raise this process's open-file soft limit to its hard limit; the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def ws_handler(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(compress=False, max_msg_size=4096)
    await ws.prepare(request)
    await ws.send_frame(snapshot_of(int(request.query.get("snapshot_bytes", "0"))), WSMsgType.TEXT)
    clients = request.app[CLIENTS]
    clients.add(ws)
    try:
        async for _msg in ws:
            pass
    finally:
        clients.discard(ws)
    return ws


@functools.cache
def snapshot_of(size: int) -> bytes:
    """A prebuilt first frame of `size` bytes (at least the bare snapshot's): what a server
    that keeps its snapshot ready sends a connecting display (`?snapshot_bytes=`)."""
    bare = b'{"type":"snapshot","seq":0,"pad":""}'
    return bare[:-2] + b"x" * max(0, size - len(bare)) + b'"}'


def with_seq(text: str, seq: int) -> bytes:
    """A captured frame's text with its (first) seq replaced: the same bytes, a new press."""
    return SEQ.sub(f'"seq":{seq}', text, count=1).encode()


async def publish(request: web.Request) -> web.Response:
    seq = int(request.query.get("seq", "1"))
    data = [with_seq(text, seq) for text in (await request.json())["frames"]]
    clients: set[web.WebSocketResponse] = request.app[CLIENTS]
    for ws in list(clients):
        with contextlib.suppress(ConnectionError):
            for one in data:
                await ws.send_frame(one, WSMsgType.TEXT)
    return web.json_response({"sent": len(clients)})


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "process": os.getpid()})


def create_app() -> web.Application:
    app = web.Application()
    app[CLIENTS] = set()
    app.add_routes(
        [web.get("/ws", ws_handler), web.post("/publish", publish), web.get("/healthz", healthz)]
    )
    return app


class FloorProcess:
    """The floor server as a child process (its memory is its own, not the client's), on
    `port` or a free one."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "callnext.bench.floor", "--port", str(self.port),
            stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.returncode is not None:
                raise RuntimeError("the floor server exited")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            return
        raise RuntimeError("the floor server did not start")

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m callnext.bench.floor", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args(argv)
    raise_open_files()
    web.run_app(
        create_app(), host=args.host, port=args.port, access_log=None, print=None, backlog=1024
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
