"""Hall reads: the public snapshot, the manager's ticket list and statistics."""

from __future__ import annotations

import csv
import io

from aiohttp import web

from ...domain import stats
from ...domain.clock import local_day, utcnow
from ...domain.errors import Invalid
from ...domain.guide import guide_json
from ...domain.hall_layout import new_hall
from ...domain.hall_settings import refuse_unknown
from ...domain.model import Role
from ...live import protocol
from ...store import audit_sql, reads
from ...usecases import followups, trips
from ...usecases.appointments import add_appointment_stats
from ...usecases.hall_config import create_hall
from ...usecases.ratings import add_satisfaction
from .. import parse
from ..keys import DB
from .auth import MANAGERS, hall_of_url, require, sees_ticket_ids


async def index(request: web.Request) -> web.Response:
    db = request.app[DB]
    halls = [await db.hall(code) for code in await db.hall_codes()]
    return web.json_response(
        {"halls": [{"hall": h.code, "name": h.name, "name_en": h.name_en} for h in halls]}
    )


async def create(request: web.Request) -> web.Response:
    """A new hall (admin): its code, names and timezone; services and windows come after."""
    await require(request, (Role.ADMIN,))
    body = await parse.json_body(request)
    refuse_unknown(body, frozenset({"hall", "name", "name_en", "timezone"}), "hall")
    new = new_hall(
        parse.string(body, "hall", max_len=32),
        parse.string(body, "name", max_len=200),
        parse.string(body, "name_en", required=False, max_len=200) or "",
        parse.string(body, "timezone", max_len=64),
    )
    return web.json_response(await create_hall(request.app[DB], new), status=201)


async def snapshot(request: web.Request) -> web.Response:
    """The hall object; the windows' current tickets carry their ids only for the hall's staff
    (sees_ticket_ids), a ticket's id being its holder's key."""
    db = request.app[DB]
    hall = await db.hall(request.match_info["hall"])  # 404 before the token's 401
    staff = await sees_ticket_ids(request, hall.code)
    snap = await reads.hall_snapshot(db, hall.code)
    return web.json_response(snap if staff else protocol.public_hall(snap))


async def guides(request: web.Request) -> web.Response:
    """Each service's guide (办事指南, public): what to bring and notes, as the kiosk shows them
    after a ticket is taken; a hall's own site may show them too. Nothing private in it."""
    hall = await request.app[DB].hall(request.match_info["hall"])
    services = [
        {"code": s.code, "name": s.name, "name_en": s.name_en, "guide": guide_json(s.guide)}
        for s in hall.services
    ]
    return web.json_response({"hall": hall.code, "services": services})


async def _manager_day(request: web.Request) -> tuple[str, str]:
    """The hall and day asked for, once the caller may read that hall's records."""
    hall, _account = await hall_of_url(request, MANAGERS)
    return hall.code, parse.day(request, local_day(utcnow(), hall.timezone))


async def tickets_of_day(request: web.Request) -> web.Response:
    code, day = await _manager_day(request)
    db = request.app[DB]
    hall = await db.hall(code)
    return web.json_response(
        {"date": day, "tickets": await reads.tickets_json_of_day(db, hall, day)}
    )


async def day_stats(request: web.Request) -> web.Response:
    code, day = await _manager_day(request)
    db = request.app[DB]
    hall = await db.hall(code)
    figures = stats.day_stats(day, await reads.tickets_of_day(db, hall, day), hall.timezone)
    await add_satisfaction(db, hall, day, figures)  # an extension (docs/ratings.md)
    await add_appointment_stats(db, hall, day, figures)  # an extension (appointments.md)
    await followups.add_day_figures(db, hall, day, figures)  # 差评回访 (docs/reports.md)
    await trips.add_day_figures(db, hall, day, figures)  # 一次办结率 (docs/reports.md)
    fmt = request.query.get("format", "json")
    if fmt == "json":
        return web.json_response(figures)
    if fmt != "csv":
        raise Invalid("bad_format", "format must be json or csv.")
    out = io.StringIO()
    csv.writer(out).writerows(stats.csv_rows(figures))
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="callnext-{code}-{day}.csv"'},
    )


async def audit_log(request: web.Request) -> web.Response:
    """The day's audit log (manager): settings changes and every staff action, newest first."""
    code, day = await _manager_day(request)
    db = request.app[DB]
    actor = request.query.get("actor") or None
    limit = parse.query_int(request, "limit", 1, audit_sql.MAX_ENTRIES, default=1000)
    assert limit is not None
    entries = await audit_sql.audit_of_day(db, await db.hall(code), day, actor, limit)
    return web.json_response({"date": day, "entries": entries})
