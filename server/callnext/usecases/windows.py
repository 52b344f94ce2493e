"""What staff do at a window, each one hall transaction: call next (finish the current ticket,
then claim the head of the window's queue), recall, finish, transfer, requeue, call a number,
pause and resume. The bodies are synchronous (nothing awaits while the hall is locked); the
async entry points below hand them to Database.hall_write. They return the API's JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from ..domain import lifecycle
from ..domain.clock import local_hhmm
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.model import DeskHold, Finish, Hall, Json, Ticket, Window, WindowStatus
from ..domain.numbering import bare_number, normalise_number
from ..domain.staffing import live_desk, should_note_action
from ..live import protocol
from ..store.database import Database
from ..store.hall_tx import HallTx

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


def ticket_or_none(tx: HallTx, ticket: Ticket | None) -> Json | None:
    return None if ticket is None else tx.ticket_json(ticket)


def call_next_body(tx: HallTx, number: int, how: Finish, by: Staff | None = None) -> Json:
    """Finish the window's current ticket (if any), then claim the head of its queue."""
    window = _acting_window(tx, number, by)
    lifecycle.ensure_window_can_call(window)
    finished = _finish_current(tx, number, how)
    head = tx.next_waiting(window.services, window.call_order)
    called = _call(tx, head, number) if head is not None else None
    return {"finished": ticket_or_none(tx, finished), "called": ticket_or_none(tx, called)}


def recall_body(tx: HallTx, number: int, by: Staff | None = None) -> Json:
    _acting_window(tx, number, by)
    recalled = tx.save(lifecycle.recall(_current_or_conflict(tx, number), tx.now))
    tx.emit(protocol.TICKET_RECALLED, recalled, number)
    return {"called": tx.ticket_json(recalled)}


def finish_body(tx: HallTx, number: int, how: Finish, by: Staff | None = None) -> Json:
    _acting_window(tx, number, by)
    _current_or_conflict(tx, number)
    return {"finished": ticket_or_none(tx, _finish_current(tx, number, how))}


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
    return protocol.window_json(
        window, ticket_or_none(tx, tx.current(number)), tx.hall.timezone, tx.now
    )


async def staff_write(db: Database, hall: str, body: Callable[[HallTx], T], by: Staff | None) -> T:
    """A hall transaction made by a staff member (or an integration with no name: None)."""
    return await db.hall_write(hall, body, actor=by.user if by is not None else None)


async def call_next(db: Database, hall: str, number: int, how: Finish, by: Staff | None) -> Json:
    return await staff_write(db, hall, partial(call_next_body, number=number, how=how, by=by), by)


async def recall(db: Database, hall: str, number: int, by: Staff | None) -> Json:
    return await staff_write(db, hall, partial(recall_body, number=number, by=by), by)


async def finish(db: Database, hall: str, number: int, how: Finish, by: Staff | None) -> Json:
    return await staff_write(db, hall, partial(finish_body, number=number, how=how, by=by), by)


async def transfer(db: Database, hall: str, number: int, service: str, by: Staff | None) -> Json:
    body = partial(transfer_body, number=number, service=service, by=by)
    return await staff_write(db, hall, body, by)


async def requeue(db: Database, hall: str, number: int, by: Staff | None) -> Json:
    return await staff_write(db, hall, partial(requeue_body, number=number, by=by), by)


async def call_number(
    db: Database, hall: str, number: int, ticket_number: str, by: Staff | None
) -> Json:
    body = partial(call_number_body, number=number, ticket_number=ticket_number, by=by)
    return await staff_write(db, hall, body, by)


async def set_paused(
    db: Database, hall: str, number: int, paused: bool, reason: str | None, by: Staff | None
) -> Json:
    body = partial(pause_body, number=number, paused=paused, reason=reason, by=by)
    return await staff_write(db, hall, body, by)
