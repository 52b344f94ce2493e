"""Health and metrics, for the hall's monitoring."""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from ...domain.errors import Unavailable
from ...runtime.metrics import Gauge
from ...store import reads
from ...store.faults import storage_fault
from ..keys import DB, GC_WATCH, HEALTH, HUB, METRICS, SNAPSHOTS

log = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    """200 `ok`, or 503 `unavailable` with the reasons: the database does not answer, writes
    fail (until one succeeds: after a failure this itself tries a write that changes nothing,
    every health.PROBE_EVERY_S at most), or (PostgreSQL) this process has not heard the other
    processes' events, or could not catch up on them, for longer than the listener's grace."""
    db, health = request.app[DB], request.app[HEALTH]
    body: dict[str, Any] = {"status": "ok", "database": "ok", "process": os.getpid()}
    reasons = []
    try:
        await db.ping()
    except Exception as exc:
        reason = storage_fault(exc)
        if reason is None and not isinstance(exc, SQLAlchemyError | OSError):
            raise
        log.warning("health check: database unreachable: %s", reason or exc)
        body["database"] = "unreachable"
        reasons.append(f"database: unreachable ({reason or type(exc).__name__})")
    if health.writes is not None and health.probe_due():
        with contextlib.suppress(Unavailable):  # the write logged and recorded its failure
            await db.probe_write()
    reasons += health.reasons()
    if not reasons:
        return web.json_response(body)
    return web.json_response({**body, "status": "unavailable", "reasons": reasons}, status=503)


def _hall_gauges(code: str, live: dict[str, Any]) -> list[Gauge]:
    hall = {"hall": code}
    out: list[Gauge] = [
        ("callnext_hall_seq", "The hall's last event seq.", hall, live["seq"]),
        ("callnext_windows_staffed", "Windows staffed now (held by a live session, or acted at).",
         hall, live["staffed"]),
        ("callnext_pending_matters", "Matters accepted as pending, not completed yet.", hall,
         live["pending"]),
        ("callnext_pending_overdue", "Pending matters past the hall's promise.", hall,
         live["overdue"]),
    ]  # fmt: skip
    for service, (count, oldest_s) in live["waiting"].items():
        labels = {**hall, "service": service}
        out.append(("callnext_waiting", "Tickets waiting now.", labels, count))
        out.append(("callnext_oldest_wait_seconds", "How long the longest-waiting ticket has "
                    "waited (0: nobody waits).", labels, round(oldest_s, 3)))  # fmt: skip
    for status in ("open", "paused", "closed"):
        out.append(("callnext_windows", "Windows by status.", {**hall, "status": status},
                    live["windows"].get(status, 0)))  # fmt: skip
    return out


PLAYS_HELP = (
    "Queues played forward for the estimates: inside a hall's transaction, or after "
    "its commit, off the lock (store/kept_queues.py)."
)


async def metrics(request: web.Request) -> web.Response:
    db, hub, snapshots = request.app[DB], request.app[HUB], request.app[SNAPSHOTS]
    gauges: list[Gauge] = [
        ("callnext_display_connections", "Open display WebSocket connections.", {},
         hub.connections()),
        ("callnext_events_published_total", "Events fanned out by this process.", {},
         hub.published),
        ("callnext_displays_dropped_total", "Displays dropped for not keeping up.", {},
         hub.dropped),
        ("callnext_snapshots_built_total", "Hall snapshots read and encoded for displays.", {},
         snapshots.built),
        ("callnext_snapshots_shared_total",
         "Displays given a snapshot built for another within the second.", {}, snapshots.shared),
        ("callnext_queue_plays_total", PLAYS_HELP, {"where": "transaction"},
         db.queues.played_in_tx),
        ("callnext_queue_plays_total", PLAYS_HELP, {"where": "refresh"}, db.queues.refreshed),
    ]  # fmt: skip
    gauges += request.app[GC_WATCH].gauges()
    gauges += request.app[HEALTH].gauges()
    try:  # the process's own figures are told even when the database does not answer
        for code in await db.hall_codes():
            gauges += _hall_gauges(code, await reads.live_figures(db, code))
    except Exception as exc:
        reason = storage_fault(exc)
        if reason is None:
            raise
        log.warning("metrics: the halls' figures cannot be read: %s", reason)
        gauges.append(("callnext_database_up", "0 when the database did not answer.", {}, 0))
    else:
        gauges.append(("callnext_database_up", "0 when the database did not answer.", {}, 1))
    gauges.sort(key=lambda g: g[0])
    text = request.app[METRICS].render(gauges)
    return web.Response(text=text, content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})  # fmt: skip
