"""A ticket's life away from the window, each one hall transaction: issued (at a kiosk, or by an
appointment's check-in), cancelled by its holder, completed later by the back office, expired
at the day's rollover. Synchronous bodies, and the async entry points the web layer calls.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from ..domain import lifecycle
from ..domain.availability import Closed
from ..domain.errors import Conflict, NotFound
from ..domain.model import ClosedReason, Json, Service, Ticket
from ..live import protocol
from ..store.database import Database
from ..store.hall_tx import HallTx, fingerprint
from . import real_name
from .windows import Staff, staff_write

CLOSED_MESSAGES = {
    Closed.CLOSED: "Service {code} is closed now.",
    Closed.HOLIDAY: "The hall is closed today.",
    Closed.OUTSIDE_HOURS: "Service {code} issues no tickets at this hour.",
    Closed.QUOTA_REACHED: "Today's tickets for service {code} are all given out.",
}


def _issuable_service(tx: HallTx, code: str, priority: bool) -> Service:
    """Refuse a ticket the service does not give now: closed, holiday, hours, quota, priority."""
    service = tx.hall.service(code)
    if service is None:
        raise NotFound("service_not_found", f"No service {code!r} in hall {tx.hall.code}.")
    state = tx.availability(service)
    if state.closed is not None:
        message = CLOSED_MESSAGES[state.closed].format(code=code)
        if state.opens_at:
            message += f" It opens at {state.opens_at}."
        raise Conflict(state.closed.value, message)
    if priority and not service.priority_allowed:
        raise Conflict("priority_not_allowed", f"Service {code} has no priority tickets.")
    return service


def issue_body(
    tx: HallTx, service: str, priority: bool, key: str | None, persons: list[str] | None = None
) -> tuple[Json, bool]:
    """A new waiting ticket → (ticket, replayed). A known Idempotency-Key returns its ticket.
    `persons`: the digests of the ID number typed, if any (`real_name.holder`)."""
    digest = fingerprint(service, priority, *(persons or [])[:1])
    known = tx.idempotent_ticket(key) if key is not None else None
    if known is not None:
        ticket, digest_then = known
        if digest_then != digest:
            raise Conflict(
                "idempotency_key_reused", "This Idempotency-Key was used for a different request."
            )
        return tx.ticket_json(ticket), True
    ticket, body = issue_new(tx, service, priority, persons=persons)
    if key is not None:
        tx.remember_idempotency(key, digest, ticket)
    return body, False


def issue_new(
    tx: HallTx, service: str, priority: bool, *, queue_at: datetime | None = None,
    slot: datetime | None = None, persons: list[str] | None = None, checkin: bool = False,
) -> tuple[Ticket, Json]:  # fmt: skip
    """A new waiting ticket, the kiosk's path for walk-ins and check-ins alike: refused when
    the service gives none now; numbered; its estimate kept; ticket.issued. `queue_at` and
    `slot`: a booked ticket's place and slot (appointments.py); `persons`: its holder's
    digests, for a real-name service (`real_name.holder`). A `checkin` stores the booking's own
    digest (persons[0], if it has one): the booking was the person's allowance, so neither the
    ID number nor the daily limit is asked again."""
    found = _issuable_service(tx, service, priority)
    person = real_name.holder(tx, found, persons, booked=checkin)
    ticket = tx.insert_ticket(service, priority, queue_at=queue_at, slot=slot, person=person)
    body = tx.ticket_json(ticket)
    if body["est_wait_s"] is not None:  # what the citizen is told, to check later
        tx.record_estimate(ticket, body["est_wait_s"])
    tx.emit(protocol.TICKET_ISSUED, ticket, None)
    return ticket, body


def cancel_body(tx: HallTx, ticket_id: str) -> Json:
    cancelled = tx.save(lifecycle.cancel(tx.ticket(ticket_id), tx.now))
    tx.emit(protocol.TICKET_CANCELLED, cancelled, None)
    return tx.ticket_json(cancelled)


def expire_body(tx: HallTx) -> int:
    """The day rollover: close every ticket still waiting from an earlier local day as expired
    (cancelled, not served) at the end of its day, as reads show it from then on; each one is a
    ticket.cancelled event with reason "expired"."""
    stale = tx.waiting_before(tx.today)
    for ticket in stale:
        expired = tx.save(lifecycle.as_of(ticket, tx.today, tx.hall.timezone))
        tx.emit(protocol.TICKET_CANCELLED, expired, None, reason=ClosedReason.EXPIRED.value)
    return len(stale)


def complete_body(tx: HallTx, ticket_id: str) -> Json:
    done = tx.save(lifecycle.complete(tx.ticket(ticket_id), tx.now))
    tx.emit(protocol.TICKET_COMPLETED, done, done.window)
    return tx.ticket_json(done)


async def issue_ticket(
    db: Database, hall: str, service: str, priority: bool, key: str | None,
    persons: list[str] | None = None,
) -> tuple[Json, bool]:  # fmt: skip
    return await db.hall_write(
        hall, partial(issue_body, service=service, priority=priority, key=key, persons=persons)
    )


async def cancel(db: Database, hall: str, ticket_id: str) -> Json:
    return await db.hall_write(hall, partial(cancel_body, ticket_id=ticket_id))


async def expire_stale(db: Database, hall: str) -> int:
    return await db.hall_write(hall, expire_body)


async def complete(db: Database, hall: str, ticket_id: str, by: Staff | None) -> Json:
    return await staff_write(db, hall, partial(complete_body, ticket_id=ticket_id), by)
