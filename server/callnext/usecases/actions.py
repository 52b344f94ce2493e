"""What staff, kiosks and citizens do. Each is one hall transaction: load, apply the core, save,
emit. The bodies are synchronous (nothing awaits while the hall is locked); the async wrappers
below hand them to Database.hall_write. They return the API's JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TypeVar

from ..domain import lifecycle
from ..domain.availability import Closed
from ..domain.clock import local_hhmm
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.model import ClosedReason, DeskHold, Finish, Hall, Json, Ticket, Window, WindowStatus
from ..domain.numbering import bare_number, normalise_number
from ..domain.staffing import live_desk, should_note_action
from ..live import protocol
from ..store.database import Database
from ..store.hall_tx import HallTx, fingerprint

T = TypeVar("T")


def window_or_404(hall: Hall, number: int) -> Window:
    window = hall.window(number)
    if window is None:
        raise NotFound("window_not_found", f"No window {number} in hall {hall.code}.")
    return window


@dataclass(frozen=True, slots=True)
class Staff:
    """Who acts at a window: the username (the audit log's actor) and the window the session
    took, if it took one (see desks.py)."""

    user: str
    desk: DeskHold | None = None


def _acting_window(tx: HallTx, number: int, by: Staff | None) -> Window:
    """The window to act on. A session that took this window and has since lost it (another
    session took it over, or it was released) may not act on it: 409 window_taken."""
    window = window_or_404(tx.hall, number)
    held = by.desk if by is not None else None
    if held is None or held.window != number:
        _note_action(tx, window, by.user if by is not None else None)
        return tx.hall.window(number) or window
    desk = window.desk
    if desk is not None and desk.id == held.id:
        return window
    if desk is None:
        message = f"Window {number} was released; take it again to go on."
    else:
        since = local_hhmm(desk.since, tx.hall.timezone)
        message = f"Window {number} was taken over by {desk.user} at {since}."
    raise Conflict("window_taken", message, extra={"staff": desk.user if desk else None})


def _note_action(tx: HallTx, window: Window, user: str | None) -> None:
    """An action at a window by a session that does not hold it: while nobody holds the window,
    it counts as staffed for staffing.ACTED_S (integrations that call without taking one)."""
    if live_desk(window, tx.now) is None and should_note_action(window, user, tx.now):
        tx.note_action(window.number, user)


CLOSED_MESSAGES = {
    Closed.CLOSED: "Service {code} is closed now.",
    Closed.HOLIDAY: "The hall is closed today.",
    Closed.OUTSIDE_HOURS: "Service {code} issues no tickets at this hour.",
    Closed.QUOTA_REACHED: "Today's tickets for service {code} are all given out.",
}


def _issuable_service(tx: HallTx, code: str, priority: bool) -> None:
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


def _current_or_conflict(tx: HallTx, number: int) -> Ticket:
    current = tx.current(number)
    if current is None:
        raise Conflict("no_current_ticket", f"Window {number} has no current ticket.")
    return current


def _finish_current(tx: HallTx, number: int, how: Finish) -> Ticket | None:
    current = tx.current(number)
    if current is None:
        return None
    finished = tx.save(lifecycle.finish(current, how, tx.now))
    tx.emit(protocol.TICKET_FINISHED, finished, number)
    return finished


def _call(tx: HallTx, ticket: Ticket, number: int) -> Ticket:
    called = tx.save(lifecycle.call(ticket, number, tx.now))
    tx.emit(protocol.TICKET_CALLED, called, number)
    return called


def _json(tx: HallTx, ticket: Ticket | None) -> Json | None:
    return None if ticket is None else tx.ticket_json(ticket)


# -- transaction bodies --------------------------------------------------------------------


def issue_body(tx: HallTx, service: str, priority: bool, key: str | None) -> tuple[Json, bool]:
    """A new waiting ticket → (ticket, replayed). A known Idempotency-Key returns its ticket."""
    digest = fingerprint(service, priority)
    known = tx.idempotent_ticket(key) if key is not None else None
    if known is not None:
        ticket, digest_then = known
        if digest_then != digest:
            raise Conflict(
                "idempotency_key_reused", "This Idempotency-Key was used for a different request."
            )
        return tx.ticket_json(ticket), True
    ticket, body = issue_new(tx, service, priority)
    if key is not None:
        tx.remember_idempotency(key, digest, ticket)
    return body, False


def issue_new(
    tx: HallTx, service: str, priority: bool, *, queue_at: datetime | None = None,
    slot: datetime | None = None,
) -> tuple[Ticket, Json]:  # fmt: skip
    """A new waiting ticket, the kiosk's path for walk-ins and check-ins alike: refused when
    the service gives none now; numbered; its estimate kept; ticket.issued. `queue_at` and
    `slot`: a booked ticket's place and slot (appointments.py)."""
    _issuable_service(tx, service, priority)
    ticket = tx.insert_ticket(service, priority, queue_at=queue_at, slot=slot)
    body = tx.ticket_json(ticket)
    if body["est_wait_s"] is not None:  # what the citizen is told, to check later
        tx.record_estimate(ticket, body["est_wait_s"])
    tx.emit(protocol.TICKET_ISSUED, ticket, None)
    return ticket, body


def call_next_body(tx: HallTx, number: int, how: Finish, by: Staff | None = None) -> Json:
    """Finish the window's current ticket (if any), then claim the head of its queue."""
    window = _acting_window(tx, number, by)
    lifecycle.ensure_window_can_call(window)
    finished = _finish_current(tx, number, how)
    head = tx.next_waiting(window.services)
    called = _call(tx, head, number) if head is not None else None
    return {"finished": _json(tx, finished), "called": _json(tx, called)}


def recall_body(tx: HallTx, number: int, by: Staff | None = None) -> Json:
    _acting_window(tx, number, by)
    recalled = tx.save(lifecycle.recall(_current_or_conflict(tx, number), tx.now))
    tx.emit(protocol.TICKET_RECALLED, recalled, number)
    return {"called": tx.ticket_json(recalled)}


def finish_body(tx: HallTx, number: int, how: Finish, by: Staff | None = None) -> Json:
    _acting_window(tx, number, by)
    _current_or_conflict(tx, number)
    return {"finished": _json(tx, _finish_current(tx, number, how))}


def transfer_body(tx: HallTx, number: int, service: str, by: Staff | None = None) -> Json:
    _acting_window(tx, number, by)
    if tx.hall.service(service) is None:
        raise NotFound("service_not_found", f"No service {service!r} in hall {tx.hall.code}.")
    current = _current_or_conflict(tx, number)
    moved = tx.save(lifecycle.transfer(current, service))
    tx.emit(protocol.TICKET_TRANSFERRED, moved, number, from_service=current.service)
    return {"transferred": tx.ticket_json(moved)}


def requeue_body(tx: HallTx, number: int, by: Staff | None = None) -> Json:
    """The current ticket waits again in its own queue, in its place (ticket.transferred, with
    from_service its own service and requeued: true)."""
    _acting_window(tx, number, by)
    current = _current_or_conflict(tx, number)
    moved = tx.save(lifecycle.requeue(current))
    tx.emit(protocol.TICKET_TRANSFERRED, moved, number, from_service=current.service, requeued=True)
    return {"requeued": tx.ticket_json(moved)}


def call_number_body(tx: HallTx, number: int, ticket_number: str, by: Staff | None = None) -> Json:
    """Call one waiting or no-show ticket of today by its number, whatever its service."""
    window = _acting_window(tx, number, by)
    lifecycle.ensure_window_can_call(window)
    if tx.current(number) is not None:
        raise Conflict("window_busy", f"Window {number} still has a current ticket.")
    ticket = tx.ticket_by_number(_typed_number(ticket_number, window.services))
    if ticket is None:
        raise NotFound("ticket_not_found", f"No ticket {ticket_number!r} today.")
    return {"called": tx.ticket_json(_call(tx, ticket, number))}


def _typed_number(typed: str, services: tuple[str, ...]) -> str:
    """The ticket number staff typed ("a3", "Ａ３", "3" at a one-service window), or a 400."""
    wanted = normalise_number(typed, services)
    if wanted is not None:
        return wanted
    if bare_number(typed):
        raise Invalid(
            "number_needs_letter",
            f"This window serves {', '.join(services)}: type the service's letter too (A3).",
        )
    raise Invalid("bad_ticket_number", f"{typed!r} is not a ticket number (A3 or A003).")


def pause_body(
    tx: HallTx, number: int, paused: bool, reason: str | None, by: Staff | None = None
) -> Json:
    window = _acting_window(tx, number, by)
    status = WindowStatus.PAUSED if paused else WindowStatus.OPEN
    if window.status is status:
        state = status.value
        raise Conflict(f"window_already_{state}", f"Window {number} is already {state}.")
    reason = reason if paused else None
    tx.set_window_status(number, status, reason)
    event = protocol.WINDOW_PAUSED if paused else protocol.WINDOW_RESUMED
    tx.emit(event, None, number, reason=reason)
    return {"window": window_json(tx, number)}


def window_json(tx: HallTx, number: int) -> Json:
    """The window as the snapshot shows it, current ticket included."""
    window = window_or_404(tx.hall, number)
    return protocol.window_json(window, _json(tx, tx.current(number)), tx.hall.timezone, tx.now)


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


# -- the async entry points the web layer calls ---------------------------------------------


async def _staff_write(db: Database, hall: str, body: Callable[[HallTx], T], by: Staff | None) -> T:
    """A hall transaction made by a staff member (or an integration with no name: None)."""
    return await db.hall_write(hall, body, actor=by.user if by is not None else None)


async def issue_ticket(
    db: Database, hall: str, service: str, priority: bool, key: str | None
) -> tuple[Json, bool]:
    return await db.hall_write(
        hall, partial(issue_body, service=service, priority=priority, key=key)
    )


async def call_next(db: Database, hall: str, number: int, how: Finish, by: Staff | None) -> Json:
    return await _staff_write(db, hall, partial(call_next_body, number=number, how=how, by=by), by)


async def recall(db: Database, hall: str, number: int, by: Staff | None) -> Json:
    return await _staff_write(db, hall, partial(recall_body, number=number, by=by), by)


async def finish(db: Database, hall: str, number: int, how: Finish, by: Staff | None) -> Json:
    return await _staff_write(db, hall, partial(finish_body, number=number, how=how, by=by), by)


async def transfer(db: Database, hall: str, number: int, service: str, by: Staff | None) -> Json:
    body = partial(transfer_body, number=number, service=service, by=by)
    return await _staff_write(db, hall, body, by)


async def requeue(db: Database, hall: str, number: int, by: Staff | None) -> Json:
    return await _staff_write(db, hall, partial(requeue_body, number=number, by=by), by)


async def call_number(
    db: Database, hall: str, number: int, ticket_number: str, by: Staff | None
) -> Json:
    body = partial(call_number_body, number=number, ticket_number=ticket_number, by=by)
    return await _staff_write(db, hall, body, by)


async def set_paused(
    db: Database, hall: str, number: int, paused: bool, reason: str | None, by: Staff | None
) -> Json:
    body = partial(pause_body, number=number, paused=paused, reason=reason, by=by)
    return await _staff_write(db, hall, body, by)


async def cancel(db: Database, hall: str, ticket_id: str) -> Json:
    return await db.hall_write(hall, partial(cancel_body, ticket_id=ticket_id))


async def expire_stale(db: Database, hall: str) -> int:
    return await db.hall_write(hall, expire_body)


async def complete(db: Database, hall: str, ticket_id: str, by: Staff | None) -> Json:
    return await _staff_write(db, hall, partial(complete_body, ticket_id=ticket_id), by)
