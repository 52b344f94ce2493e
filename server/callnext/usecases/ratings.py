"""Rating a finished ticket (好差评): on the citizen's phone by the ticket's id, or on the screen
beside the window that finished it. Each rating is one hall transaction: checked, stored,
audited, and a `ticket.rated` event after the commit. Nobody edits or deletes a rating."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from ..domain import rating
from ..domain.clock import rfc3339
from ..domain.errors import Conflict
from ..domain.model import Hall, Json, Ticket
from ..domain.rating import (
    SCORES,
    Rating,
    Source,
    check_rateable,
    is_window_rateable,
    rateable_until,
    window_rateable_until,
)
from ..live import protocol
from ..store import rating_sql
from ..store.database import Database
from ..store.hall_tx import HallTx
from . import followups
from .windows import window_or_404


def rating_json(rating: Rating, tz: str, *, staff: bool = False) -> Json:
    """A rating as the API shows it; `staff` (who finished the ticket) only to managers."""
    name, name_en = SCORES[rating.score]
    body: Json = {
        "number": rating.number, "day": rating.day, "service": rating.service,
        "window": rating.window, "score": rating.score, "score_name": name,
        "score_name_en": name_en, "reasons": list(rating.reasons), "comment": rating.comment,
        "source": rating.source.value, "at": rfc3339(rating.at, tz),
    }  # fmt: skip
    if staff:
        body["staff"] = rating.staff
    return body


def _rate(tx: HallTx, ticket: Ticket, fields: tuple[int, tuple[str, ...], str | None],
          source: Source) -> Json:  # fmt: skip
    score, reasons, comment = fields
    rating = Rating(
        score=score, reasons=reasons, comment=comment, at=tx.now, source=source,
        number=ticket.number, day=ticket.day, service=ticket.service, window=ticket.window,
        staff=rating_sql.finisher(tx.conn, tx.hall, ticket),
    )  # fmt: skip
    rating_id = rating_sql.insert_rating(tx.conn, tx.hall, ticket, rating)
    followups.open_for(tx, rating_id, rating, ticket)  # a 差评 never goes without its follow-up
    detail = {"score": score, "source": source.value}
    tx.audit(protocol.TICKET_RATED, window=ticket.window, ticket=ticket.number, detail=detail)
    tx.emit(protocol.TICKET_RATED, ticket, ticket.window, rating=detail)
    return rating_json(rating, tx.hall.timezone)


def rate_body(tx: HallTx, ticket_id: str, fields: tuple[int, tuple[str, ...], str | None]) -> Json:
    """The citizen rates their own ticket (its id is their secret)."""
    ticket = tx.ticket(ticket_id)
    rated = rating_sql.rating_of(tx.conn, ticket.pk) is not None
    check_rateable(ticket, tx.hall.timezone, tx.now, rated)
    return _rate(tx, ticket, fields, Source.PHONE)


def rate_at_window_body(
    tx: HallTx, window: int, number: str, fields: tuple[int, tuple[str, ...], str | None]
) -> Json:
    """The screen beside the window rates the ticket just finished there, and only that one:
    it must still be the window's latest finished ticket, unrated, finished minutes ago, and
    the window must have called nobody since (409 not_rateable_here: the next citizen stands
    at the screen)."""
    window_or_404(tx.hall, window)
    latest = rating_sql.window_latest_of(tx.conn, tx.hall, window, tx.today)
    wanted = number.strip().upper()
    ticket = latest.ticket
    if ticket is None or ticket.number != wanted:
        raise Conflict(
            "not_rateable_here", f"{wanted} is not the ticket window {window} finished last."
        )
    if latest.moved_on:
        raise Conflict(
            "not_rateable_here", f"Window {window} has called another ticket since {wanted}."
        )
    check_rateable(ticket, tx.hall.timezone, tx.now, latest.rated)
    if not is_window_rateable(ticket, tx.hall.timezone, tx.now, latest.rated):
        raise Conflict("rating_closed", f"{wanted} can no longer be rated at the window.")
    return _rate(tx, ticket, fields, Source.WINDOW)


async def rate(
    db: Database, hall: str, ticket_id: str, fields: tuple[int, tuple[str, ...], str | None]
) -> Json:
    return await db.hall_write(hall, partial(rate_body, ticket_id=ticket_id, fields=fields))


async def rate_at_window(
    db: Database, hall: str, window: int, number: str,
    fields: tuple[int, tuple[str, ...], str | None],
) -> Json:  # fmt: skip
    body = partial(rate_at_window_body, window=window, number=number, fields=fields)
    return await db.hall_write(hall, body)


def rateable_json(latest: rating_sql.WindowLatest, tz: str, now: datetime) -> Json | None:
    """What the window's rating screen shows of the ticket just finished (no id), or None."""
    ticket = latest.ticket
    if ticket is None or not is_window_rateable(
        ticket, tz, now, latest.rated, moved_on=latest.moved_on
    ):
        return None
    until = min(d for d in (rateable_until(ticket, tz), window_rateable_until(ticket)) if d)
    return {
        "number": ticket.number,
        "service": ticket.service,
        "finished_at": rfc3339(ticket.finished_at, tz),
        "until": rfc3339(until, tz),
    }


async def add_satisfaction(db: Database, hall: Hall, day: str, figures: Json) -> None:
    """The day's statistics or report with the satisfaction of its tickets' ratings."""
    found = await rating_sql.ratings_between(db, hall, rating_sql.RatingFilter(day, day))
    rating.add_satisfaction(figures, found)
