"""`callnext serve --workers N`: N server processes behind one address.

The parent brings the schema up to date (and seeds the demo hall) once, then starts N workers,
each a `callnext serve --reuse-port` on the same host and port: the kernel (SO_REUSEPORT)
spreads new connections over them. Before any starts, the parent binds the port itself without
SO_REUSEPORT: if any server already listens there (another `serve --workers` too, whose workers
ours would otherwise silently join) it refuses, as a single `serve` does. PostgreSQL carries
their events to each other (store/notify.py), so a screen on any worker sees every call. A
worker that dies is started again; SIGTERM or SIGINT stops them all.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

from ..store.database import Database, normalize_url
from ..store.setup import seed_demo
from .config import Settings

RESTART_DELAY_S = 1.0
READY_TIMEOUT_S = 60.0


class WorkersError(Exception):
    """Why the workers cannot start, in one line."""


def check(settings: Settings, workers: int) -> None:
    if workers < 1:
        raise WorkersError("--workers must be at least 1")
    if workers > 1 and not normalize_url(settings.db_url).startswith("postgresql"):
        raise WorkersError(
            "--workers above 1 needs PostgreSQL (--db postgresql://…): SQLite has one writer and "
            "cannot carry events between processes"
        )


def claim_port(host: str, port: int) -> int:
    """The port the workers will share, once nothing listens on it: bound here without
    SO_REUSEPORT, which fails while any socket listens there, SO_REUSEPORT or not. Port 0:
    the free port the kernel gives (the workers then share that one)."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise WorkersError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    for family, kind, proto, _name, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the workers do
            try:
                probe.bind((address[0], port, *address[2:]))
            except OSError as exc:
                raise WorkersError(
                    f"cannot listen on {host}:{port}: {exc.strerror or exc}"
                ) from exc
            port = probe.getsockname()[1]
    return port


async def prepare(settings: Settings) -> list[str]:
    """Migrate (and seed the demo hall) once, before any worker starts; the hall codes."""
    db = Database(settings.db_url)
    try:
        await db.start()
        if settings.demo:
            await seed_demo(db, all_day=settings.demo_all_day)
        return await db.hall_codes()
    finally:
        await db.close()


class Supervisor:
    def __init__(self, settings: Settings, count: int) -> None:
        self.settings = settings
        self.count = count
        self.stopping = False
        self.procs: list[subprocess.Popen[str]] = []

    def command(self) -> list[str]:
        s = self.settings
        return [sys.executable, "-m", "callnext", "serve", "--host", s.host,
                "--port", str(s.port), "--db", s.db_url, "--reuse-port"]  # fmt: skip

    def spawn(self) -> subprocess.Popen[str]:
        """Start one worker; return once it listens (its output then goes to ours)."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(
            self.command(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        assert proc.stdout is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise WorkersError(f"a worker exited before listening (status {proc.wait()})")
            sys.stdout.write(line)
            if "ready on port" in line:
                threading.Thread(target=_copy, args=(proc,), daemon=True).start()
                return proc
        proc.kill()
        raise WorkersError("a worker did not start listening in time")

    def run(self, announce: Sequence[str]) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop())
        try:
            self.procs = [self.spawn() for _ in range(self.count)]
        except WorkersError:
            self.stop()
            raise
        for line in announce:
            print(line, flush=True)
        while not self.stopping:
            for i, proc in enumerate(self.procs):
                if proc.poll() is not None and not self.stopping:
                    print(f"callnext: worker {proc.pid} ended ({proc.returncode}); restarting",
                          file=sys.stderr, flush=True)  # fmt: skip
                    time.sleep(RESTART_DELAY_S)
                    self.procs[i] = self.spawn()
            time.sleep(0.2)
        return 0

    def stop(self) -> None:
        self.stopping = True
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _copy(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
