"""Health and metrics, for the hall's monitoring."""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from ..store import reads
from .keys import DB, HUB, METRICS

log = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[DB].ping()
    except (SQLAlchemyError, OSError) as exc:
        log.warning("health check: database unreachable: %s", exc)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


async def metrics(request: web.Request) -> web.Response:
    db, hub = request.app[DB], request.app[HUB]
    gauges: list[tuple[str, str, dict[str, str], float]] = [
        ("callnext_display_connections", "Open display WebSocket connections.", {},
         hub.connections()),
        ("callnext_events_published_total", "Events fanned out by this process.", {},
         hub.published),
        ("callnext_displays_dropped_total", "Displays dropped for not keeping up.", {},
         hub.dropped),
    ]  # fmt: skip
    for code in await db.hall_codes():
        snap = await reads.hall_snapshot(db, code)
        for service in snap["services"]:
            labels = {"hall": code, "service": service["code"]}
            gauges.append(("callnext_waiting", "Tickets waiting now.", labels, service["waiting"]))
        gauges.append(("callnext_hall_seq", "The hall's last event seq.", {"hall": code},
                       snap["seq"]))  # fmt: skip
    gauges.sort(key=lambda g: g[0])
    text = request.app[METRICS].render(gauges)
    return web.Response(text=text, content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})  # fmt: skip
