"""Health and metrics, for the hall's monitoring."""

from __future__ import annotations

import logging
import os
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from ..metrics import Gauge
from ..store import reads
from .keys import DB, GC_WATCH, HUB, METRICS

log = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[DB].ping()
    except (SQLAlchemyError, OSError) as exc:
        log.warning("health check: database unreachable: %s", exc)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok", "process": os.getpid()})


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


async def metrics(request: web.Request) -> web.Response:
    db, hub = request.app[DB], request.app[HUB]
    gauges: list[Gauge] = [
        ("callnext_display_connections", "Open display WebSocket connections.", {},
         hub.connections()),
        ("callnext_events_published_total", "Events fanned out by this process.", {},
         hub.published),
        ("callnext_displays_dropped_total", "Displays dropped for not keeping up.", {},
         hub.dropped),
    ]  # fmt: skip
    gauges += request.app[GC_WATCH].gauges()
    for code in await db.hall_codes():
        gauges += _hall_gauges(code, await reads.live_figures(db, code))
    gauges.sort(key=lambda g: g[0])
    text = request.app[METRICS].render(gauges)
    return web.Response(text=text, content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})  # fmt: skip
