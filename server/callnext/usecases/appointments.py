"""Appointments (预约): the manager's booking policy, the citizen's booking and cancelling, the
check-in at the kiosk (a ticket through the walk-in's own issuing path), the staff's day list
and the day's figures. Each write is one hall transaction (Database.hall_write): capacity is
counted inside it, so two people never take a slot's last place. See docs/appointments.md."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.engine import Connection

from ..domain import appointment as ap
from ..domain.appointment import Appointment, CheckinKind, Policy, ServiceBooking, Status
from ..domain.appointment_stats import appointment_stats
from ..domain.availability import Hours
from ..domain.clock import day_bounds, local_day, rfc3339, to_micros, utcnow
from ..domain.errors import Conflict, NotFound
from ..domain.model import Hall, Json, Service, Ticket
from ..live import protocol
from ..store import appointment_sql as sql
from ..store.database import Database
from ..store.hall_tx import HallTx, fingerprint
from . import real_name
from .ticketing import issue_new


def _service(hall: Hall, code: str) -> Service:
    service = hall.service(code)
    if service is None:
        raise NotFound("service_not_found", f"No service {code!r} in hall {hall.code}.")
    return service


def _bookable(conn: Connection, hall: Hall, code: str) -> tuple[Policy, ServiceBooking, Service]:
    """The policy and the service's booking, once both take bookings: 404 service_not_found,
    409 booking_disabled."""
    service = _service(hall, code)
    policy, booking = sql.policy_of(conn, hall), sql.service_bookings(conn, hall)[code]
    if not policy.enabled:
        raise Conflict("booking_disabled", f"Hall {hall.code} takes no appointments.")
    if not booking.enabled:
        raise Conflict("booking_disabled", f"Service {code} takes no appointments.")
    return policy, booking, service


def hours_of(hall: Hall, service: Service, booking: ServiceBooking) -> Hours | None:
    """The hours slots are cut from: the booking's own, else the service's, else the hall's."""
    for hours in (booking.hours, service.hours, hall.hours):
        if hours is not None:
            return hours
    return None


# -- JSON -----------------------------------------------------------------------------------


def ticket_link(ticket: Ticket | None) -> Json | None:
    if ticket is None:
        return None
    return {"id": ticket.id, "number": ticket.number, "url": f"/t/{ticket.id}"}


def _personal(a: Appointment, full: bool) -> Json:
    body: Json = {}
    if a.name is not None:
        body["name"] = a.name if full else ap.mask_name(a.name)
    if a.phone is not None:
        body["phone"] = a.phone if full else ap.mask_phone(a.phone)
    return body


def _times(a: Appointment, hall: Hall, policy: Policy, now: datetime) -> Json:
    opens, closes = ap.checkin_window(a.start, policy)
    tz = hall.timezone
    return {
        "service": a.service, "day": a.day, "start": rfc3339(a.start, tz),
        "end": rfc3339(a.end, tz), "status": ap.shown_status(a, now, policy).value,
        "checkin_opens": rfc3339(opens, tz), "checkin_closes": rfc3339(closes, tz),
        "checkin_kind": a.checkin_kind.value if a.checkin_kind else None,
        "checked_in_at": rfc3339(a.checked_in_at, tz),
        "cancelled_at": rfc3339(a.cancelled_at, tz),
    }  # fmt: skip


def appointment_json(
    a: Appointment, hall: Hall, policy: Policy, now: datetime, ticket: Ticket | None = None
) -> Json:
    """A booking as its holder sees it (by its id): personal fields masked."""
    return {
        "id": a.id, "code": a.code, "hall": hall.code, **_times(a, hall, policy, now),
        "url": f"/a/{a.id}", "qr": f"/a/{a.id}/qr.svg", "created_at": rfc3339(a.created_at,
        hall.timezone), "ticket": ticket_link(ticket), **_personal(a, full=False),
    }  # fmt: skip


def listed_json(
    a: Appointment, hall: Hall, policy: Policy, now: datetime, ticket: Ticket | None, full: bool
) -> Json:
    """A booking in the staff's day list: no id (the holder's secret); personal fields in full
    for the manager only."""
    number = ticket.number if ticket is not None else None
    return {"code": a.code, **_times(a, hall, policy, now), "ticket": number,
            **_personal(a, full)}  # fmt: skip


def booking_json(policy: Policy, bookings: dict[str, ServiceBooking]) -> Json:
    return {
        **ap.policy_json(policy),
        "services": [ap.service_booking_json(b) for b in bookings.values()],
    }


def _event(tx: HallTx, name: str, a: Appointment) -> None:
    """appointment.* with the service and the slot (the code too, which /ws/v2 drops)."""
    shown = {"service": a.service, "start": rfc3339(a.start, tx.hall.timezone), "code": a.code}
    tx.emit(name, None, None, appointment=shown)


# -- the manager's policy -------------------------------------------------------------------


def patch_policy_body(tx: HallTx, body: Json) -> Json:
    policy = ap.patch_policy(sql.policy_of(tx.conn, tx.hall), body)
    sql.save_policy(tx.conn, tx.hall, policy)
    tx.audit("booking.policy", detail=ap.policy_json(policy))
    return booking_json(policy, sql.service_bookings(tx.conn, tx.hall))


def put_service_body(tx: HallTx, code: str, body: Json) -> Json:
    _service(tx.hall, code)
    booking = ap.parse_service_booking(code, body)
    sql.save_service_booking(tx.conn, tx.hall, booking)
    tx.audit("booking.service", detail=ap.service_booking_json(booking))
    return ap.service_booking_json(booking)


# -- the citizen ----------------------------------------------------------------------------


def book_body(
    tx: HallTx, service: str, start: datetime, name: Any, phone: Any, key: str | None = None,
    persons: list[str] | None = None,
) -> tuple[Json, bool]:  # fmt: skip
    """A place in the slot starting at `start` → (the booking, replayed). 404
    service_not_found, 409 booking_disabled, 422 field_required / invalid_field, 409
    slot_not_bookable, slot_full, person_limit_reached. A known Idempotency-Key answers its
    booking again. `persons`: the digests of the ID number given (identity.person_keys), needed
    by a real-name service; kept (the current key's) so that the kiosk can check in by ID."""
    hall = tx.hall
    digest = fingerprint(service, to_micros(start), name, phone, *(persons or [])[:1])
    known = sql.by_idempotency_key(tx.conn, hall, key) if key is not None else None
    if known is not None:
        if known[1] != digest:
            raise Conflict(
                "idempotency_key_reused", "This Idempotency-Key was used for a different request."
            )
        return appointment_json(known[0], hall, sql.policy_of(tx.conn, hall), tx.now), True
    policy, booking, found = _bookable(tx.conn, hall, service)
    kept_name, kept_phone = ap.personal_fields(policy, name, phone)
    hours = hours_of(hall, found, booking)
    slot = ap.bookable_slot(start, tx.now, hall.timezone, booking, hours, hall.closed_dates)
    real_name.may_book(tx, found, local_day(slot.start, hall.timezone), persons)
    places = sql.taken_between(tx.conn, hall, service, slot.start, slot.start)
    if places.get(to_micros(slot.start), 0) >= booking.capacity:
        raise Conflict("slot_full", "That slot is fully booked; choose another.")
    code = ap.new_code()
    while sql.code_in_use(tx.conn, hall, code):
        code = ap.new_code()
    made = sql.insert_appointment(tx.conn, hall, Appointment(
        pk=0, id=secrets.token_urlsafe(16), code=code, hall=hall.code, service=service,
        day=local_day(slot.start, hall.timezone), start=slot.start, end=slot.end,
        status=Status.BOOKED, created_at=tx.now, name=kept_name, phone=kept_phone,
        person=persons[0] if persons else None,
    ), None if key is None else (key, digest))  # fmt: skip
    _event(tx, protocol.APPOINTMENT_BOOKED, made)
    return appointment_json(made, hall, policy, tx.now), False


def _own(tx: HallTx, appointment_id: str) -> Appointment:
    found = sql.by_id(tx.conn, appointment_id)
    if found is None or found.hall != tx.hall.code:
        raise NotFound("appointment_not_found", "No such appointment.")
    return found


def cancel_body(tx: HallTx, appointment_id: str) -> Json:
    """The holder cancels (its place is free again); 409 appointment_not_cancellable once it
    was checked in, missed or cancelled."""
    a = _own(tx, appointment_id)
    policy = sql.policy_of(tx.conn, tx.hall)
    status = ap.shown_status(a, tx.now, policy)
    if status is not Status.BOOKED:
        raise Conflict(
            "appointment_not_cancellable", f"This appointment is {status.value}; it cannot be "
            "cancelled.", extra={"status": status.value},
        )  # fmt: skip
    cancelled = replace(a, status=Status.CANCELLED, cancelled_at=tx.now)
    sql.save_appointment(tx.conn, cancelled)
    _event(tx, protocol.APPOINTMENT_CANCELLED, cancelled)
    return appointment_json(cancelled, tx.hall, policy, tx.now)


def checkin_body(
    tx: HallTx, typed: str | None, key: str | None = None, persons: list[str] | None = None
) -> tuple[Json, bool, bool]:
    """Check in by the booking's code, or by ID number (`persons`: its digests; see
    `real_name.booking_to_check_in`) → ({"appointment", "ticket", "kind"}, again, retried).
    On time: a booked ticket queued by its slot (policy order); outside the window: a normal
    ticket or a 409 (policy outside_window); a second check-in answers the same ticket,
    again=True, and `retried` when it is a retry of an earlier check-in (its Idempotency-Key
    `key` seen already: the kiosk printed for it). The ticket goes through ticketing.issue_new,
    the walk-in's own path (availability, numbering, estimate, ticket.issued)."""
    a = real_name.booking_to_check_in(tx, typed, persons)
    policy = sql.policy_of(tx.conn, tx.hall)
    if a.status is Status.CHECKED_IN:
        ticket = sql.ticket_of(tx.conn, tx.hall, a.ticket_pk)
        shown = tx.ticket_json(ticket) if ticket is not None else None
        kind = a.checkin_kind.value if a.checkin_kind else None
        answer = {"appointment": appointment_json(a, tx.hall, policy, tx.now, ticket),
                  "ticket": shown, "kind": kind, "again": True}  # fmt: skip
        return answer, True, _seen_key(tx, key, ticket)
    decided = ap.decide_checkin(a, tx.now, tx.hall.timezone, policy)
    # Only an on-time check-in gets a booked ticket (预约, its slot); early or late, a walk-in's.
    slot = a.start if decided.kind is CheckinKind.ON_TIME else None
    ticket, shown = issue_new(
        tx, a.service, False, queue_at=decided.queue_at, slot=slot,
        persons=[a.person] if a.person else None, checkin=True,
    )  # fmt: skip
    done = replace(a, status=Status.CHECKED_IN, checked_in_at=tx.now,
                   checkin_kind=decided.kind, ticket_pk=ticket.pk)  # fmt: skip
    sql.save_appointment(tx.conn, done)
    _event(tx, protocol.APPOINTMENT_CHECKED_IN, done)
    if key is not None:
        tx.remember_idempotency(key, CHECKIN_FINGERPRINT, ticket)
    answer = {"appointment": appointment_json(done, tx.hall, policy, tx.now, ticket),
              "ticket": shown, "kind": decided.kind.value, "again": False}  # fmt: skip
    return answer, False, False


CHECKIN_FINGERPRINT = "checkin"  # an Idempotency-Key a check-in remembers (no request to compare)


def _seen_key(tx: HallTx, key: str | None, ticket: Ticket | None) -> bool:
    """Whether `key` came before for this check-in's ticket (a retry); a new key is remembered,
    so that its own retry is one too."""
    if key is None or ticket is None:
        return False
    known = tx.idempotent_ticket(key)
    if known is None:
        tx.remember_idempotency(key, CHECKIN_FINGERPRINT, ticket)
        return False
    return known[0].pk == ticket.pk


def mark_missed_body(tx: HallTx) -> int:
    """The rollover: the bookings of past days still booked are missed."""
    return sql.mark_missed_before(tx.conn, tx.hall, tx.today)


# -- the async entry points -----------------------------------------------------------------


async def patch_policy(db: Database, hall: str, body: Json, actor: str) -> Json:
    return await db.hall_write(hall, partial(patch_policy_body, body=body), actor=actor)


async def put_service(db: Database, hall: str, code: str, body: Json, actor: str) -> Json:
    return await db.hall_write(hall, partial(put_service_body, code=code, body=body), actor=actor)


async def book(
    db: Database, hall: str, service: str, start: datetime, fields: Json, key: str | None,
    persons: list[str] | None = None,
) -> tuple[Json, bool]:  # fmt: skip
    body = partial(book_body, service=service, start=start, name=fields.get("name"),
                   phone=fields.get("phone"), key=key, persons=persons)  # fmt: skip
    return await db.hall_write(hall, body)


async def cancel(db: Database, hall: str, appointment_id: str) -> Json:
    return await db.hall_write(hall, partial(cancel_body, appointment_id=appointment_id))


async def checkin(
    db: Database, hall: str, code: str | None, key: str | None = None,
    persons: list[str] | None = None,
) -> tuple[Json, bool, bool]:  # fmt: skip
    return await db.hall_write(hall, partial(checkin_body, typed=code, key=key, persons=persons))


async def mark_missed(db: Database, hall: Hall) -> int:
    """Mark a hall's past bookings missed, if any are left (the rollover's task)."""
    today = local_day(utcnow(), hall.timezone)
    if not await db.run_read(lambda conn: sql.has_booked_before(conn, hall, today)):
        return 0
    return await db.hall_write(hall.code, mark_missed_body)


# -- reads ----------------------------------------------------------------------------------


async def booking(db: Database, hall: Hall) -> Json:
    """The policy and each service's booking (public: nothing personal in it)."""

    def body(conn: Connection) -> Json:
        return booking_json(sql.policy_of(conn, hall), sql.service_bookings(conn, hall))

    return await db.run_read(body)


def _slots_json(conn: Connection, hall: Hall, service: str, day: str, now: datetime) -> Json:
    _policy, booking, found = _bookable(conn, hall, service)
    hours = hours_of(hall, found, booking)
    slots = ap.open_slots(day, now, hall.timezone, booking, hours, hall.closed_dates)
    if not slots:
        return {"service": service, "day": day, "slots": []}
    taken = sql.taken_between(conn, hall, service, slots[0].start, slots[-1].start)
    shown = []
    for slot in slots:
        booked = taken.get(to_micros(slot.start), 0)
        shown.append({"start": rfc3339(slot.start, hall.timezone),
                      "end": rfc3339(slot.end, hall.timezone), "capacity": booking.capacity,
                      "booked": booked, "free": max(0, booking.capacity - booked)})  # fmt: skip
    return {"service": service, "day": day, "slots": shown}


def _days_json(conn: Connection, hall: Hall, service: str, now: datetime) -> Json:
    _policy, booking, found = _bookable(conn, hall, service)
    hours = hours_of(hall, found, booking)
    today = local_day(now, hall.timezone)
    days = ap.bookable_days(today, booking, hours, hall.closed_dates)
    if not days:
        return {"service": service, "days": []}
    last = day_bounds(days[-1], hall.timezone)[1]
    taken = sql.taken_between(conn, hall, service, now, last - timedelta(microseconds=1))
    shown = []
    for day in days:
        slots = ap.open_slots(day, now, hall.timezone, booking, hours, hall.closed_dates)
        free = sum(max(0, booking.capacity - taken.get(to_micros(s.start), 0)) for s in slots)
        shown.append({"day": day, "free": free})
    return {"service": service, "days": shown}


async def slots(db: Database, hall: Hall, service: str, day: str | None) -> Json:
    """A day's open slots with their free places; without a day, the bookable days."""
    now = utcnow()
    if day is None:
        return await db.run_read(lambda conn: _days_json(conn, hall, service, now))
    return await db.run_read(lambda conn: _slots_json(conn, hall, service, day, now))


async def hall_of_appointment(db: Database, appointment_id: str) -> Hall:
    """The hall an appointment belongs to; 404 appointment_not_found."""
    found = await db.run_read(lambda conn: sql.by_id(conn, appointment_id))
    if found is None:
        raise NotFound("appointment_not_found", "No such appointment.")
    return await db.hall(found.hall)


async def appointment(db: Database, appointment_id: str) -> Json:
    """The booking by its id, as its holder sees it, with its ticket once checked in."""
    hall = await hall_of_appointment(db, appointment_id)
    now = utcnow()

    def body(conn: Connection) -> Json:
        found = sql.by_id(conn, appointment_id)
        if found is None:
            raise NotFound("appointment_not_found", "No such appointment.")
        ticket = sql.ticket_of(conn, hall, found.ticket_pk)
        return appointment_json(found, hall, sql.policy_of(conn, hall), now, ticket)

    return await db.run_read(body)


async def day_list(db: Database, hall: Hall, day: str, service: str | None, full: bool) -> Json:
    """The staff's list of a day's bookings and the day's figures."""
    now = utcnow()

    def body(conn: Connection) -> Json:
        policy = sql.policy_of(conn, hall)
        found = sql.of_day(conn, hall, day, service)
        called = {t.pk: t.called_at for _a, t in found if t is not None}
        return {
            "day": day, "service": service,
            "counts": appointment_stats([a for a, _t in found], called, now, policy),
            "appointments": [listed_json(a, hall, policy, now, t, full) for a, t in found],
        }  # fmt: skip

    return await db.run_read(body)


async def add_appointment_stats(db: Database, hall: Hall, day: str, figures: Json) -> None:
    """The day's statistics or report with its "appointments" figures."""
    figures["appointments"] = (await day_list(db, hall, day, None, False))["counts"]
