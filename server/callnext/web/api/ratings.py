"""Ratings (好差评) over HTTP: the citizen rates a ticket by its id, the screen beside a window
rates the ticket just finished there, managers list them. No call edits or deletes a rating."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from ...domain import rating
from ...domain.clock import local_day, utcnow
from ...domain.errors import Invalid, NotFound
from ...domain.hall_settings import refuse_unknown
from ...domain.model import Hall
from ...store import rating_sql, reads
from ...store.database import Database
from ...usecases import ratings
from .. import parse
from ..keys import DB
from .auth import MANAGERS, check_rate, hall_of_url
from .reports import MAX_RANGE_DAYS

RATING_FIELDS = frozenset({"score", "reasons", "comment"})
WINDOW_FIELDS = RATING_FIELDS | {"number"}


def _fields(body: dict[str, Any], allowed: frozenset[str]) -> tuple[int, tuple[str, ...], Any]:
    refuse_unknown(body, allowed, "rating")
    if "score" not in body:
        raise Invalid("missing_field", "Field 'score' is required.")
    return rating.validate(body["score"], body.get("reasons"), body.get("comment"))


def _ticket_id(request: web.Request) -> str:
    return parse.path_part(request, "id", parse.TICKET_ID, "ticket")


async def scale(request: web.Request) -> web.Response:
    """GET /api/v1/ratings/scale: the five levels and the reasons, in both languages."""
    return web.json_response(rating.scale_json())


async def rate_ticket(request: web.Request) -> web.Response:
    """POST /api/v1/tickets/{id}/rating (public: the id is the citizen's secret) → 201."""
    ticket_id = _ticket_id(request)
    check_rate(request, "ratings")
    body = await parse.json_body(request)
    fields = _fields(body, RATING_FIELDS)
    _ticket, hall, _json = await reads.ticket_with_hall(request.app[DB], ticket_id)
    answer = await ratings.rate(request.app[DB], hall.code, ticket_id, fields)
    return web.json_response(answer, status=201)


async def ticket_rating(request: web.Request) -> web.Response:
    """GET /api/v1/tickets/{id}/rating → the rating, or 404 not_rated."""
    db = request.app[DB]
    ticket, hall, _json = await reads.ticket_with_hall(db, _ticket_id(request))
    found = await rating_sql.rating_of_ticket(db, ticket)
    if found is None:
        raise NotFound("not_rated", f"Ticket {ticket.number} is not rated.")
    return web.json_response(ratings.rating_json(found, hall.timezone))


async def _hall_window(request: web.Request) -> tuple[Database, Hall, int]:
    db = request.app[DB]
    hall = await db.hall(request.match_info["hall"])
    number = parse.window_number(request)
    if hall.window(number) is None:
        raise NotFound("window_not_found", f"No window {number} in hall {hall.code}.")
    return db, hall, number


async def window_rateable(request: web.Request) -> web.Response:
    """GET …/windows/{n}/rateable: the ticket the window just finished, while the screen beside
    it may rate it (no id; null once the window has called someone since), or null."""
    db, hall, number = await _hall_window(request)
    now = utcnow()
    latest = await rating_sql.window_latest(db, hall, number, local_day(now, hall.timezone))
    shown = ratings.rateable_json(latest, hall.timezone, now)
    return web.json_response({"window": number, "rateable": shown})


async def rate_at_window(request: web.Request) -> web.Response:
    """POST …/windows/{n}/rating {"number", "score", "reasons"} → 201 (rate-limited)."""
    db, hall, number = await _hall_window(request)
    check_rate(request, "ratings")
    body = await parse.json_body(request)
    fields = _fields(body, WINDOW_FIELDS)
    ticket_number = parse.string(body, "number", max_len=16)
    answer = await ratings.rate_at_window(db, hall.code, number, ticket_number, fields)
    return web.json_response(answer, status=201)


async def hall_ratings(request: web.Request) -> web.Response:
    """GET …/ratings?date=&to=&max_score=&service=&window=&staff= (manager, admin): the
    ratings of the tickets issued those days, newest first, and their satisfaction."""
    hall, _account = await hall_of_url(request, MANAGERS)
    today = local_day(utcnow(), hall.timezone)
    first = parse.day(request, today)
    last = parse.day(request, first, "to")
    first, last = day_range_of(first, last)
    where = rating_sql.RatingFilter(
        first, last,
        max_score=parse.query_int(request, "max_score", 1, 5),
        service=request.query.get("service") or None,
        window=parse.query_int(request, "window", 1, 9999),
        staff=request.query.get("staff") or None,
    )  # fmt: skip
    found = await rating_sql.ratings_between(request.app[DB], hall, where)
    listed = found[: rating_sql.MAX_LISTED]
    return web.json_response(
        {
            "from": first,
            "to": last,
            "satisfaction": rating.satisfaction(found),
            "ratings": [ratings.rating_json(r, hall.timezone, staff=True) for r in listed],
            "truncated": len(found) > len(listed),
        }
    )


def day_range_of(first: str, last: str) -> tuple[str, str]:
    """`date` … `to`, both included, at most the reports' range (400 bad_range)."""
    span = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    if not 1 <= span <= MAX_RANGE_DAYS:
        raise Invalid("bad_range", f"date … to must cover 1–{MAX_RANGE_DAYS} days, not {span}.")
    return first, last
