"""The manager's reports: a day's report, the trend over days, the tickets as a spreadsheet."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from aiohttp import web

from ...domain import report
from ...domain.clock import local_day, utcnow
from ...domain.errors import Invalid
from ...domain.model import Hall, Json, Ticket
from ...reports.export import exporter
from ...reports.words import lang_of
from ...store import reads, report_sql
from ...usecases import followups, trips
from ...usecases.appointments import add_appointment_stats
from ...usecases.ratings import add_satisfaction
from .. import parse
from ..keys import DB
from .auth import MANAGERS, hall_of_url

MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30  # the trend's and the export's range when none is given: to today
CHUNK_DAYS = 31  # read and processed a month at a time: a long range is never all in memory


async def _managed_hall(request: web.Request) -> Hall:
    """The hall asked for (404 first), once the caller may read its records."""
    return (await hall_of_url(request, MANAGERS))[0]


def _today(hall: Hall) -> str:
    return local_day(utcnow(), hall.timezone)


def day_range(request: web.Request, today: str) -> tuple[str, str]:
    """`from` and `to` (both included): by default the 30 days ending with `to`, which is
    today by default; 400 bad_range when `from` is after `to` or it spans over 366 days."""
    last = parse.day(request, today, "to")
    try:
        default_first = date.fromisoformat(last) - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    except OverflowError:
        default_first = date.min
    first = parse.day(request, default_first.isoformat(), "from")
    span = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    if span < 1:
        raise Invalid("bad_range", f"from ({first}) is after to ({last}).")
    if span > MAX_RANGE_DAYS:
        raise Invalid(
            "bad_range", f"A range covers at most {MAX_RANGE_DAYS} days, not {span} days."
        )
    return first, last


async def _each_chunk(
    request: web.Request,
    hall: Hall,
    first: str,
    last: str,
    use: Callable[[list[tuple[str, list[Ticket]]]], Awaitable[None]],
) -> None:
    """Hand `use` every day of the range with its tickets, a month's worth at a time."""
    for lo, hi in report.day_chunks(first, last, CHUNK_DAYS):
        tickets = await report_sql.tickets_between(request.app[DB], hall, lo, hi)
        await use(report.by_day(report.days_between(lo, hi), tickets))


async def day_report(request: web.Request) -> web.Response:
    """GET …/report?date=: the contract's statistics of the day and the dashboard's figures."""
    hall = await _managed_hall(request)
    day = parse.day(request, _today(hall))
    tickets = await reads.tickets_of_day(request.app[DB], hall, day)
    figures = report.day_report(day, tickets, hall, utcnow())
    await add_satisfaction(request.app[DB], hall, day, figures)  # an extension (ratings.md)
    await add_appointment_stats(request.app[DB], hall, day, figures)  # (appointments.md)
    await followups.add_day_figures(request.app[DB], hall, day, figures)  # (reports.md)
    await trips.add_day_figures(request.app[DB], hall, day, figures)  # 一次办结率 (reports.md)
    return web.json_response(figures)


async def trend(request: web.Request) -> web.Response:
    """GET …/trend?from=&to=: one entry per day of the range, days without tickets included;
    each with its matters' one-trip figures, and `trips` over the range (docs/reports.md)."""
    hall = await _managed_hall(request)
    first, last = day_range(request, _today(hall))
    days: list[Json] = []
    matters = await trips.matters_between(request.app[DB], hall, first, last)

    async def add(chunk: list[tuple[str, list[Ticket]]]) -> None:
        for entry in await asyncio.to_thread(report.trend, chunk, hall.timezone):
            days.append({**entry, **trips.day_entry(matters, entry["date"])})

    await _each_chunk(request, hall, first, last, add)
    answer = {"hall": hall.code, "from": first, "to": last, "days": days}
    return web.json_response({**answer, "trips": trips.range_json(hall, matters, first, last)})


RAW_FLAGS = {"1": True, "true": True, "0": False, "false": False, "": False}


def export_lang(request: web.Request) -> str:
    """The export's layout: `raw=1` (programs: snake_case, codes, seconds), else the words of
    `lang` (zh by default, en); 400 for anything else."""
    raw = RAW_FLAGS.get(request.query.get("raw", "").lower())
    if raw is None:
        raise Invalid("bad_value", "raw must be 1 or 0.")
    if raw:
        return "raw"
    lang = lang_of(request.query.get("lang"))
    if lang is None:
        raise Invalid("bad_lang", "lang must be zh or en.")
    return lang


async def export(request: web.Request) -> web.Response:
    """GET …/export?from=&to=&format=csv|xlsx&lang=zh|en (or raw=1): every ticket of the range
    as a download, with who served it and its rating."""
    hall = await _managed_hall(request)
    first, last = day_range(request, _today(hall))
    fmt, lang = request.query.get("format", "csv"), export_lang(request)
    sheet = exporter(fmt, hall, lang, today=_today(hall))
    if sheet is None:
        raise Invalid("bad_format", "format must be csv or xlsx.")
    matters = await trips.matters_between(request.app[DB], hall, first, last)
    sheet.set_trips({d: trips.day_entry(matters, d) for d in report.days_between(first, last)})
    for lo, hi in report.day_chunks(first, last, CHUNK_DAYS):
        tickets, served = await report_sql.served_between(request.app[DB], hall, lo, hi)
        days = report.by_day(report.days_between(lo, hi), tickets)
        await asyncio.to_thread(sheet.add_days, days, served)
    body = await asyncio.to_thread(sheet.finish)
    name = f"callnext-{hall.code}-{first}-{last}.{sheet.extension}"
    response = web.Response(
        body=body,
        content_type=sheet.content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    if sheet.extension == "csv":
        response.charset = "utf-8"
    return response
