"""The region's overview (admin, docs/overview.md): every hall's day side by side, each hall's
last days for the sparklines, and both as a spreadsheet."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ...domain import overview as figures
from ...domain.clock import utcnow
from ...domain.errors import Forbidden, Invalid
from ...domain.model import Role
from ...reports import overview_export
from ...usecases import overview
from .. import parse
from ..keys import DB
from .auth import require
from .reports import export_lang


async def _admin(request: web.Request) -> None:
    """An admin of every hall: one bound to a hall sees its own hall's dashboard instead."""
    account = await require(request, (Role.ADMIN,))
    if account.hall is not None:
        raise Forbidden("wrong_hall", "The overview needs an admin account of every hall.")


def _asked(request: web.Request) -> tuple[str | None, str, str]:
    """`date` (None: each hall's today), `sort` and `order` (400 bad_date, bad_sort,
    bad_order)."""
    day = parse.day(request, "") if "date" in request.query else None
    sort = request.query.get("sort", "hall")
    order = request.query.get("order", "asc")
    figures.sort_rows([], sort, order)  # the refusals, before any read
    return day, sort, order


def _days(request: web.Request) -> int:
    low, high = figures.TREND_DAYS
    days = parse.query_int(request, "days", low, high, default=figures.DEFAULT_TREND_DAYS)
    assert days is not None
    return days


async def table(request: web.Request) -> web.Response:
    """GET /api/v1/overview?date=&sort=&order=: each hall's row, and the region's totals."""
    await _admin(request)
    day, sort, order = _asked(request)
    now = utcnow()
    rows, totals = await overview.day_table(request.app[DB], now, day, sort, order)
    return web.json_response(
        {
            "date": day,
            "now": now.isoformat(timespec="milliseconds"),
            "sort": sort,
            "order": order,
            "thresholds": {
                "long_wait_s": figures.LONG_WAIT_S,
                "min_sample": figures.MIN_SAMPLE,
                **figures.LOW_RATES,
            },
            "halls": rows,
            "totals": totals,
        }
    )


async def trend(request: web.Request) -> web.Response:
    """GET /api/v1/overview/trend?days=30&date=: each hall's `days` days ending with `date`
    (default: its own today), for the sparklines."""
    await _admin(request)
    day, days = (parse.day(request, "") if "date" in request.query else None), _days(request)
    series = await overview.trend(request.app[DB], utcnow(), days, day)
    return web.json_response({"date": day, "days": days, "halls": series})


async def export(request: web.Request) -> web.Response:
    """GET /api/v1/overview/export?format=csv|xlsx&lang=zh|en (or raw=1), with the table's
    date, sort and order; an XLSX has a second sheet: each hall's last `days` days."""
    await _admin(request)
    day, sort, order = _asked(request)
    lang = export_lang(request)
    fmt = request.query.get("format", "csv")
    if fmt not in overview_export.FORMATS:
        raise Invalid("bad_format", "format must be csv or xlsx.")
    days = _days(request)
    db, now = request.app[DB], utcnow()
    rows, totals = await overview.day_table(db, now, day, sort, order)
    series = await overview.trend(db, now, days, day) if fmt == "xlsx" else []
    body = await asyncio.to_thread(overview_export.build, fmt, lang, rows, totals, series)
    stamp = day or (rows[0]["date"] if rows else now.date().isoformat())
    name = f"callnext-overview-{stamp}.{fmt}"
    response = web.Response(
        body=body,
        content_type=overview_export.CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    if fmt == "csv":
        response.charset = "utf-8"
    return response
