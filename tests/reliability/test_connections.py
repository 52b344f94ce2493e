"""Slow and half-open connections cannot take the server down: a request head has a deadline,
an address has a cap on its connections (HTTP and WebSocket), descriptors are kept in reserve,
and a storm of refusals is logged once, not per connection. A real `callnext serve` and raw
sockets; loopback addresses other than 127.0.0.1 stand for other hosts."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from callnext.web.connections import ADDRESS_SHARE, Guard, capacity

from ..helpers import ServerProcess, wait_until

HALF_SENT = b"GET / HTTP/1.1\r\nHost: x\r\n"
UPGRADE = (
    b"GET /ws/v2/halls/demo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)
QUIET = {"CALLNEXT_VOICE": "off"}

Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@contextlib.asynccontextmanager
async def serving(tmp_path: Path, **kwargs: object) -> AsyncIterator[ServerProcess]:
    env = kwargs.pop("env", {})
    assert isinstance(env, dict)
    server = ServerProcess(f"sqlite:///{tmp_path / 'callnext.db'}", env={**QUIET, **env}, **kwargs)  # type: ignore[arg-type]
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def connect(port: int, source: str = "127.0.0.1") -> Conn:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def closed(conn: Conn) -> bool:
    """Whether the server has closed this connection (it reads to the end, or is reset)."""
    try:
        await asyncio.wait_for(conn[0].read(), 0.05)
    except TimeoutError:
        return False
    except OSError:
        return True
    return conn[0].at_eof()


async def healthz(port: int, source: str, timeout: float = 10.0) -> int:  # noqa: ASYNC109
    connector = aiohttp.TCPConnector(local_addr=(source, 0))
    wait = aiohttp.ClientTimeout(timeout)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.get(f"http://127.0.0.1:{port}/healthz", timeout=wait) as resp,
    ):
        return resp.status


def shut(conns: list[Conn]) -> None:
    for _reader, writer in conns:
        writer.transport.abort()


async def test_half_sent_requests_are_closed_after_the_head_timeout(tmp_path: Path) -> None:
    """Old code kept 50 of them open for over 200 s (aiohttp waits an hour by default)."""
    async with serving(tmp_path, env={"CALLNEXT_HEADER_TIMEOUT_S": "1"}) as server:
        conns = [await connect(server.port) for _ in range(50)]
        for _reader, writer in conns:
            writer.write(HALF_SENT)
        started = time.monotonic()

        async def all_closed() -> bool:
            return all([await closed(c) for c in conns])

        await wait_until(all_closed, timeout=30, interval=0.2)
        assert time.monotonic() - started >= 0.9  # not before the head's time is up
        # A request sent whole in time is served; the log says it once, not 50 times.
        assert await healthz(server.port, "127.0.0.1") == 200
        shut(conns)
        lines = [line for line in server.output if "no request head in time" in line]
        assert len(lines) == 1, lines


async def test_an_address_over_its_cap_is_refused_and_others_are_served(tmp_path: Path) -> None:
    env = {"CALLNEXT_MAX_CONNECTIONS_PER_ADDRESS": "20", "CALLNEXT_HEADER_TIMEOUT_S": "60"}
    async with serving(tmp_path, env=env) as server:
        held: list[Conn] = []
        for i in range(20):  # ten display streams, ten kept-alive HTTP connections
            conn = await connect(server.port)
            conn[1].write(UPGRADE if i % 2 else b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            head = await asyncio.wait_for(conn[0].readuntil(b"\r\n\r\n"), 10)
            assert head.startswith(b"HTTP/1.1 101" if i % 2 else b"HTTP/1.1 200"), head
            held.append(conn)
        extra = await connect(server.port)
        answer = await asyncio.wait_for(extra[0].read(), 10)  # answered and closed at once
        assert answer.startswith(b"HTTP/1.1 503"), answer
        assert b'"too_many_connections"' in answer
        assert await healthz(server.port, "127.0.0.2") == 200  # another host of the hall
        # A display stream that ends gives its place back.
        held.pop(1)[1].transport.abort()

        async def admitted() -> bool:
            try:
                return await healthz(server.port, "127.0.0.1", timeout=2) == 200
            except (aiohttp.ClientError, TimeoutError):
                return False

        await wait_until(admitted, timeout=10, interval=0.1)
        shut([*held, extra])


async def test_a_flood_under_a_low_open_file_limit_leaves_room_for_a_kiosk(
    tmp_path: Path,
) -> None:
    """300 idle connections against a server limited to 256 open files: old code ran out of
    descriptors (asyncio logging a traceback per failed accept) and every kiosk timed out."""
    env = {"CALLNEXT_HEADER_TIMEOUT_S": "60"}
    async with serving(tmp_path, env=env, open_files=256) as server:
        flood = await asyncio.gather(
            *(connect(server.port) for _ in range(300)), return_exceptions=True
        )
        conns = [c for c in flood if not isinstance(c, BaseException)]
        connector = aiohttp.TCPConnector(local_addr=("127.0.0.3", 0))
        async with aiohttp.ClientSession(connector=connector) as session:
            started = time.monotonic()
            async with session.post(
                f"{server.base}/api/v1/halls/demo/tickets",
                json={"service": "A"},
                timeout=aiohttp.ClientTimeout(20),
            ) as resp:
                assert resp.status == 201, await resp.text()
            assert time.monotonic() - started < 20
        assert await healthz(server.port, "127.0.0.2") == 200
        shut(conns)
        refusals = [
            line for line in server.output
            if "refused a connection" in line or "out of system resource" in line
        ]  # fmt: skip
        assert 1 <= len(refusals) <= 5, refusals
        assert not any("Traceback" in line for line in server.output), "".join(server.output)


def test_the_capacity_keeps_a_reserve_and_one_address_takes_at_most_three_quarters() -> None:
    assert capacity(limit=256, in_use=30) == 256 - 30 - 64
    assert capacity(limit=20000, in_use=30) == 20000 - 30 - 20000 // 16
    guard = Guard(20.0, 2000, capacity=100)
    assert guard.max_per_address == int(100 * ADDRESS_SHARE)
    assert Guard(20.0, 20, capacity=100).max_per_address == 20
    assert Guard(20.0, 0, capacity=100).max_per_address == 75  # 0: only the share applies
    for _ in range(75):
        assert guard.admit("10.0.0.1") is None
    assert guard.admit("10.0.0.1") is not None
    for _ in range(25):
        assert guard.admit("10.0.0.2") is None
    assert guard.admit("10.0.0.3") is not None  # full
    guard.release("10.0.0.1")
    assert guard.admit("10.0.0.3") is None
    assert guard.by_address["10.0.0.1"] == 74


@pytest.mark.parametrize("raw", ["-1", "abc"])
def test_bad_connection_settings_are_refused_with_their_name(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from callnext.runtime.config import Settings

    monkeypatch.setenv("CALLNEXT_MAX_CONNECTIONS_PER_ADDRESS", raw)
    with pytest.raises(ValueError, match="CALLNEXT_MAX_CONNECTIONS_PER_ADDRESS"):
        Settings.from_env()
