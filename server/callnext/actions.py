"""What staff, kiosks and citizens do, each one hall transaction: load, apply the core, save, emit.

The web layer parses and authorises, then calls one of these; they return the API's JSON.
"""

from __future__ import annotations

from typing import Any

from . import protocol as p
from .domain import lifecycle
from .domain.errors import Conflict, NotFound
from .domain.model import Finish, Hall, Ticket, Window, WindowStatus
from .domain.numbering import parse_number
from .store.database import Database
from .store.hall_tx import HallTx, fingerprint

Json = dict[str, Any]


def _window(hall: Hall, number: int) -> Window:
    window = hall.window(number)
    if window is None:
        raise NotFound("window_not_found", f"No window {number} in hall {hall.code}.")
    return window


def _service_open(hall: Hall, code: str) -> None:
    service = hall.service(code)
    if service is None:
        raise NotFound("service_not_found", f"No service {code!r} in hall {hall.code}.")
    if not service.open:
        raise Conflict("service_closed", f"Service {code} is closed now.")


async def issue_ticket(
    db: Database, hall_code: str, service: str, priority: bool, key: str | None
) -> tuple[Json, bool]:
    """A new waiting ticket → (ticket, replayed). A known Idempotency-Key returns its ticket."""
    async with db.hall_tx(hall_code) as tx:
        digest = fingerprint(service, priority)
        if key is not None:
            known = await tx.idempotent_ticket(key, digest)
            if known is not None:
                ticket, digest_then = known
                if digest_then != digest:
                    raise Conflict(
                        "idempotency_key_reused",
                        "This Idempotency-Key was used for a different request.",
                    )
                return await tx.ticket_json(ticket), True
        _service_open(tx.hall, service)
        ticket = await tx.insert_ticket(service, priority)
        if key is not None:
            await tx.remember_idempotency(key, digest, ticket)
        tx.emit(p.TICKET_ISSUED, ticket, None)
        return await tx.ticket_json(ticket), False


async def _finish_current(tx: HallTx, number: int, how: Finish) -> Ticket | None:
    current = await tx.current(number)
    if current is None:
        return None
    finished = await tx.save(lifecycle.finish(current, how, tx.now))
    tx.emit(p.TICKET_FINISHED, finished, number)
    return finished


async def _call(tx: HallTx, ticket: Ticket, number: int) -> Ticket:
    called = await tx.save(lifecycle.call(ticket, number, tx.now))
    tx.emit(p.TICKET_CALLED, called, number)
    return called


async def _json(tx: HallTx, ticket: Ticket | None) -> Json | None:
    return None if ticket is None else await tx.ticket_json(ticket)


async def call_next(db: Database, hall_code: str, number: int, how: Finish) -> Json:
    """Finish the window's current ticket (if any), then claim the head of its queue."""
    async with db.hall_tx(hall_code) as tx:
        window = _window(tx.hall, number)
        lifecycle.ensure_window_can_call(window)
        finished = await _finish_current(tx, number, how)
        head = await tx.next_waiting(window.services)
        called = await _call(tx, head, number) if head is not None else None
        return {"finished": await _json(tx, finished), "called": await _json(tx, called)}


async def recall(db: Database, hall_code: str, number: int) -> Json:
    async with db.hall_tx(hall_code) as tx:
        _window(tx.hall, number)
        current = await _current_or_conflict(tx, number)
        recalled = await tx.save(lifecycle.recall(current, tx.now))
        tx.emit(p.TICKET_RECALLED, recalled, number)
        return {"called": await tx.ticket_json(recalled)}


async def finish(db: Database, hall_code: str, number: int, how: Finish) -> Json:
    async with db.hall_tx(hall_code) as tx:
        _window(tx.hall, number)
        await _current_or_conflict(tx, number)
        finished = await _finish_current(tx, number, how)
        return {"finished": await _json(tx, finished)}


async def transfer(db: Database, hall_code: str, number: int, service: str) -> Json:
    async with db.hall_tx(hall_code) as tx:
        _window(tx.hall, number)
        if tx.hall.service(service) is None:
            raise NotFound("service_not_found", f"No service {service!r} in hall {hall_code}.")
        current = await _current_or_conflict(tx, number)
        moved = await tx.save(lifecycle.transfer(current, service))
        tx.emit(p.TICKET_TRANSFERRED, moved, number, from_service=current.service)
        return {"transferred": await tx.ticket_json(moved)}


async def call_number(db: Database, hall_code: str, number: int, ticket_number: str) -> Json:
    """Call one waiting or no-show ticket of today by its number, whatever its service."""
    async with db.hall_tx(hall_code) as tx:
        window = _window(tx.hall, number)
        lifecycle.ensure_window_can_call(window)
        if await tx.current(number) is not None:
            raise Conflict("window_busy", f"Window {number} still has a current ticket.")
        parsed = parse_number(ticket_number)
        ticket = await tx.ticket_by_number(ticket_number.strip().upper()) if parsed else None
        if ticket is None:
            raise NotFound("ticket_not_found", f"No ticket {ticket_number!r} today.")
        called = await _call(tx, ticket, number)
        return {"called": await tx.ticket_json(called)}


async def set_paused(
    db: Database, hall_code: str, number: int, paused: bool, reason: str | None
) -> Json:
    async with db.hall_tx(hall_code) as tx:
        window = _window(tx.hall, number)
        status = WindowStatus.PAUSED if paused else WindowStatus.OPEN
        if window.status is status:
            state = "paused" if paused else "open"
            raise Conflict(f"window_already_{state}", f"Window {number} is already {state}.")
        await tx.set_window_status(number, status, reason if paused else None)
        name = p.WINDOW_PAUSED if paused else p.WINDOW_RESUMED
        tx.emit(name, None, number, reason=reason if paused else None)
        updated = _window(tx.hall, number)
        return {
            "window": {
                "number": updated.number,
                "name": updated.name,
                "services": list(updated.services),
                "status": updated.status.value,
                "pause_reason": updated.pause_reason,
                "current": await _json(tx, await tx.current(number)),
            }
        }


async def cancel(db: Database, hall_code: str, ticket_id: str) -> Json:
    async with db.hall_tx(hall_code) as tx:
        cancelled = await tx.save(lifecycle.cancel(await tx.ticket(ticket_id), tx.now))
        tx.emit(p.TICKET_CANCELLED, cancelled, None)
        return await tx.ticket_json(cancelled)


async def complete(db: Database, hall_code: str, ticket_id: str) -> Json:
    async with db.hall_tx(hall_code) as tx:
        done = await tx.save(lifecycle.complete(await tx.ticket(ticket_id), tx.now))
        tx.emit(p.TICKET_COMPLETED, done, done.window)
        return await tx.ticket_json(done)


async def _current_or_conflict(tx: HallTx, number: int) -> Ticket:
    current = await tx.current(number)
    if current is None:
        raise Conflict("no_current_ticket", f"Window {number} has no current ticket.")
    return current
