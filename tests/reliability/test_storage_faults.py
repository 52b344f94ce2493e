"""Issue 20 (4): health that tells the truth. A real `callnext serve` on SQLite on a small tmpfs:
filled up, issuing and login answer 503 `unavailable` with Retry-After (never 500) and store
nothing half-written, /healthz answers 503 with the reason until a write succeeds again, and each
failure logs one line (its traceback at most once a minute); space freed, the next write
succeeds and /healthz is 200 again. The same for a database file made immutable (`chattr +i`:
root ignores permissions, not that)."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from callnext.store.faults import storage_fault

from ..api.test_ops import scrape
from ..helpers import Api, ServerProcess, read_events, wait_until
from ..strict import skip

RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs of its own (you are root in CI), unmounted after the test."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        skip(f"cannot mount a tmpfs ({result.stderr.strip()}): these tests run as root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@contextlib.asynccontextmanager
async def serving(directory: Path) -> AsyncIterator[tuple[Api, ServerProcess]]:
    """`callnext serve` (voice off) on a new SQLite database in `directory`."""
    process = ServerProcess(f"sqlite:///{directory / 'callnext.db'}")
    process.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield Api(process.base, session), process
    finally:
        process.stop()


@pytest.fixture(autouse=True)
def no_voice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLNEXT_VOICE", "off")


def chattr(flag: str, *paths: Path) -> str:
    """`chattr flag paths`: "" when it worked, else why not."""
    result = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True, text=True)
    return "" if result.returncode == 0 else result.stderr.strip() or f"exit {result.returncode}"


def fill(disk: Path) -> Path:
    """Fill `disk` to the last byte with one file; the file."""
    path = disk / "filler"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        size = 1 << 20
        while size:
            try:
                os.write(fd, bytes(size))
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                size //= 2
    finally:
        os.close(fd)
    assert os.statvfs(disk).f_bavail == 0
    return path


async def issue(api: Api, key: str) -> tuple[int, Any, dict[str, str]]:
    url = api.base + "/api/v1/halls/demo/tickets"
    headers = {"Idempotency-Key": key}
    async with api.session.post(url, json={"service": "A"}, headers=headers) as resp:
        return resp.status, await resp.json(), dict(resp.headers)


async def login(api: Api) -> tuple[int, Any, dict[str, str]]:
    body = {"username": "w1", "password": "demo"}
    async with api.session.post(api.base + "/api/v1/login", json=body) as resp:
        return resp.status, await resp.json(), dict(resp.headers)


async def health(api: Api) -> tuple[int, Any]:
    async with api.session.get(api.base + "/healthz") as resp:
        return resp.status, await resp.json()


def assert_unavailable(answer: tuple[int, Any, dict[str, str]]) -> None:
    status, body, headers = answer
    assert status == 503, body
    assert body["error"]["code"] == "unavailable"
    assert int(headers["Retry-After"]) > 0


async def refused_while_broken(api: Api, reason: str) -> str:
    """Writes refused: issuing (the same key each time) and login answer 503, /healthz 503 with
    `reason`; the key to try again with."""
    key = uuid.uuid4().hex
    for _ in range(3):
        assert_unavailable(await issue(api, key))
    assert_unavailable(await login(api))
    status, body = await health(api)
    assert status == 503
    assert body["status"] == "unavailable"
    assert any(r.startswith("writes") and reason in r for r in body["reasons"]), body
    print("/healthz:", body)
    _, samples = await scrape(api)
    assert samples["callnext_storage_ok"] == 0
    assert samples["callnext_write_failures_total"] >= 4
    return key


async def works_again(api: Api, numbers: list[str], key: str) -> None:
    """/healthz is 200 again (its own write probe), the refused ticket is issued now under its
    key with the next number, login works, and nothing of the refused attempts was stored."""

    async def healthy() -> bool:
        return (await health(api))[0] == 200

    await wait_until(healthy, timeout=10, interval=0.2)
    status, ticket, _ = await issue(api, key)
    assert status == 201, ticket
    assert ticket["number"] == f"A{len(numbers) + 1:03d}"
    assert (await login(api))[0] == 200
    assert [t["number"] for t in await api.day_tickets()] == [*numbers, ticket["number"]]
    events = await read_events(api)  # strict: every seq once, in order, no gap
    assert [e["ticket"]["number"] for e in events if e["event"] == "ticket.issued"] == [
        *numbers,
        ticket["number"],
    ]
    _, samples = await scrape(api)
    assert samples["callnext_storage_ok"] == 1


def failure_lines(output: list[str], text: str) -> tuple[int, int]:
    """How many log records hold `text`, and how many of them carry a traceback; each of them
    is one line (the next is a record of its own, or the one traceback)."""
    lines, tracebacks = 0, 0
    for i, line in enumerate(output):
        if RECORD.match(line) and text in line:
            lines += 1
            after = output[i + 1] if i + 1 < len(output) else ""
            tracebacks += after.startswith("Traceback")
            assert not after or after.startswith("Traceback") or RECORD.match(after), after
    return lines, tracebacks


async def test_a_full_disk_refuses_writes_with_503_and_healthz_says_so_until_freed(
    small_disk: Path,
) -> None:
    async with serving(small_disk) as (api, process):
        await full_disk(api, process, small_disk)


async def full_disk(api: Api, process: ServerProcess, small_disk: Path) -> None:
    for _ in range(3):
        await api.issue("A")
    numbers = [t["number"] for t in await api.day_tickets()]  # (the manager logs in first)
    filler = fill(small_disk)
    key = await refused_while_broken(api, "disk full")
    status, body = await health(api)  # still: nothing was written meanwhile
    assert status == 503, body
    filler.unlink()
    started = time.monotonic()
    await works_again(api, numbers, key)
    print(f"space freed → /healthz 200 and a ticket issued in {time.monotonic() - started:.2f} s")
    _, samples = await scrape(api)
    lines, tracebacks = failure_lines(process.output, "a write failed: disk full")
    # a line per failure at most: serve's storm filter folds repeats into one a minute
    assert 1 <= lines <= samples["callnext_write_failures_total"]
    assert tracebacks == 1  # within a minute
    assert not any("unhandled error" in line or "internal_error" in line for line in process.output)


async def test_an_immutable_database_file_refuses_writes_with_503_until_writable(
    tmp_path: Path,
) -> None:
    """On the test's own directory: tmpfs ignores the immutable flag on a file already open."""
    probe = tmp_path / "probe"
    probe.touch()
    refused = chattr("+i", probe)
    chattr("-i", probe)
    if refused:
        skip(f"chattr +i does not work here ({refused}): root on ext4 needed")
    directory = tmp_path / "db"
    directory.mkdir()
    async with serving(directory) as (api, process):
        await api.issue("A")
        numbers = [t["number"] for t in await api.day_tickets()]
        files = [*directory.iterdir(), directory]
        assert not chattr("+i", *files)  # root too cannot write them now
        try:
            key = await refused_while_broken(api, "")
        finally:
            assert not chattr("-i", *files)
        await works_again(api, numbers, key)
        assert not any("unhandled error" in line for line in process.output)


def test_only_storage_failures_count_as_faults(tmp_path: Path) -> None:
    """A read-only database, a full disk, a killed connection are faults (503); a bug is not
    (500): asyncpg's DataError is an InterfaceError too, and must stay a 500."""
    path = tmp_path / "x.db"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE t (x)")
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as ro:
        with pytest.raises(sqlite3.OperationalError) as info:
            ro.execute("INSERT INTO t VALUES (1)")
        assert storage_fault(info.value) == "read-only storage"
        with pytest.raises(sqlite3.OperationalError) as info:
            ro.execute("SELECT nothing FROM t")
        assert storage_fault(info.value) is None
    assert storage_fault(OSError(errno.ENOSPC, "No space left on device")) == "disk full"
    assert storage_fault(ConnectionRefusedError()) == "database connection lost"
    assert storage_fault(asyncpg.exceptions.DataError("invalid input for $1")) is None
    assert storage_fault(asyncpg.InterfaceError("connection is closed")) == (
        "database connection lost"
    )
    assert storage_fault(asyncpg.exceptions.DiskFullError("no space")) == "disk full"
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = OSError(errno.EROFS, "Read-only file system")
    assert storage_fault(wrapped) == "read-only storage"
    assert storage_fault(ValueError("a bug")) is None
