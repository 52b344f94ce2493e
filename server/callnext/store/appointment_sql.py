"""The appointments' SQL: the hall's booking policy, each service's booking, the bookings, the
places taken in a slot, the missed ones marked, and a day's bookings with their tickets."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..domain.appointment import (
    Appointment,
    CheckinKind,
    FieldRule,
    Order,
    OutsideWindow,
    Policy,
    ServiceBooking,
    Status,
)
from ..domain.availability import hours_json
from ..domain.clock import from_micros, to_micros
from ..domain.model import Hall, Ticket
from .rows import TICKET_COLUMNS, _hours, ticket_from_row
from .schema import appointments, booking_policies, halls, service_booking, tickets

# Places a booking takes in its slot: every one but a cancelled one.
TAKING = (Status.BOOKED.value, Status.CHECKED_IN.value, Status.MISSED.value)


def policy_of(conn: Connection, hall: Hall) -> Policy:
    query = select(booking_policies).where(booking_policies.c.hall_id == hall.id)
    row = conn.execute(query).first()
    if row is None:
        return Policy()
    return Policy(
        enabled=bool(row.enabled), checkin_early_min=row.checkin_early_min,
        checkin_late_min=row.checkin_late_min, order=Order(row.queue_order),
        outside_window=OutsideWindow(row.outside_window), name_field=FieldRule(row.name_field),
        phone_field=FieldRule(row.phone_field),
    )  # fmt: skip


def save_policy(conn: Connection, hall: Hall, policy: Policy) -> None:
    values = {
        "enabled": policy.enabled, "checkin_early_min": policy.checkin_early_min,
        "checkin_late_min": policy.checkin_late_min, "queue_order": policy.order.value,
        "outside_window": policy.outside_window.value, "name_field": policy.name_field.value,
        "phone_field": policy.phone_field.value,
    }  # fmt: skip
    conn.execute(delete(booking_policies).where(booking_policies.c.hall_id == hall.id))
    conn.execute(insert(booking_policies).values(hall_id=hall.id, **values))


def _service_booking(row: Row[Any]) -> ServiceBooking:
    return ServiceBooking(
        service=row.service, enabled=bool(row.enabled), slot_min=row.slot_min,
        capacity=row.capacity, days_ahead=row.days_ahead, hours=_hours(row.hours),
    )  # fmt: skip


def service_bookings(conn: Connection, hall: Hall) -> dict[str, ServiceBooking]:
    """Each service of the hall's booking (no row: the defaults, not bookable)."""
    rows = conn.execute(select(service_booking).where(service_booking.c.hall_id == hall.id))
    stored = {row.service: _service_booking(row) for row in rows}
    return {s.code: stored.get(s.code, ServiceBooking(s.code)) for s in hall.services}


def save_service_booking(conn: Connection, hall: Hall, booking: ServiceBooking) -> None:
    sb = service_booking.c
    conn.execute(
        delete(service_booking).where(sb.hall_id == hall.id, sb.service == booking.service)
    )
    hours = hours_json(booking.hours)
    conn.execute(
        insert(service_booking).values(
            hall_id=hall.id, service=booking.service, enabled=booking.enabled,
            slot_min=booking.slot_min, capacity=booking.capacity, days_ahead=booking.days_ahead,
            hours=None if hours is None else json.dumps(hours),
        )
    )  # fmt: skip


def _appointment(row: Row[Any], hall_code: str) -> Appointment:
    m = row._mapping
    start, end, created = (from_micros(m[k]) for k in ("slot_start", "slot_end", "created_at"))
    assert start is not None
    assert end is not None
    assert created is not None
    return Appointment(
        pk=m["pk"], id=m["id"], code=m["code"], hall=hall_code, service=m["service"],
        day=m["day"], start=start, end=end, status=Status(m["status"]), created_at=created,
        name=m["name"], phone=m["phone"], cancelled_at=from_micros(m["cancelled_at"]),
        checked_in_at=from_micros(m["checked_in_at"]),
        checkin_kind=CheckinKind(m["checkin_kind"]) if m["checkin_kind"] else None,
        ticket_pk=m["ticket_pk"], person=m["person"],
    )  # fmt: skip


def taken_between(
    conn: Connection, hall: Hall, service: str, first: datetime, last: datetime
) -> dict[int, int]:
    """Places taken in the service's slots starting from `first` to `last` (both included), by
    slot start (micros). Every booking takes its place but a cancelled one."""
    a = appointments.c
    rows = conn.execute(
        select(a.slot_start, func.count())
        .where(
            a.hall_id == hall.id,
            a.service == service,
            a.slot_start >= to_micros(first),
            a.slot_start <= to_micros(last),
            a.status.in_(TAKING),
        )
        .group_by(a.slot_start)
    )
    return {int(start): int(n) for start, n in rows}


def code_in_use(conn: Connection, hall: Hall, code: str) -> bool:
    a = appointments.c
    query = select(a.pk).where(a.hall_id == hall.id, a.code == code)
    return conn.execute(query).first() is not None


def insert_appointment(
    conn: Connection, hall: Hall, appointment: Appointment, key: tuple[str, str] | None = None
) -> Appointment:
    """Store a new booking; `key`: its request's Idempotency-Key and fingerprint."""
    pk = conn.execute(
        insert(appointments)
        .values(
            id=appointment.id, code=appointment.code, hall_id=hall.id,
            service=appointment.service, day=appointment.day,
            slot_start=to_micros(appointment.start), slot_end=to_micros(appointment.end),
            status=appointment.status.value, name=appointment.name, phone=appointment.phone,
            created_at=to_micros(appointment.created_at), person=appointment.person,
            idempotency_key=key[0] if key else None, fingerprint=key[1] if key else None,
        )
        .returning(appointments.c.pk)
    ).scalar_one()  # fmt: skip
    return replace(appointment, pk=int(pk))


def _micros(moment: datetime | None) -> int | None:
    return None if moment is None else to_micros(moment)


def save_appointment(conn: Connection, appointment: Appointment) -> None:
    """Write what a cancel or a check-in changed."""
    conn.execute(
        update(appointments)
        .where(appointments.c.pk == appointment.pk)
        .values(
            status=appointment.status.value, cancelled_at=_micros(appointment.cancelled_at),
            checked_in_at=_micros(appointment.checked_in_at),
            checkin_kind=appointment.checkin_kind.value if appointment.checkin_kind else None,
            ticket_pk=appointment.ticket_pk,
        )
    )  # fmt: skip


def by_id(conn: Connection, appointment_id: str) -> Appointment | None:
    """The appointment with that id, in whichever hall (its `hall` is the hall's code)."""
    row = conn.execute(
        select(appointments, halls.c.code.label("hall_code"))
        .join(halls, halls.c.id == appointments.c.hall_id)
        .where(appointments.c.id == appointment_id)
    ).first()
    return None if row is None else _appointment(row, row.hall_code)


def by_pk(conn: Connection, hall: Hall, pk: int) -> Appointment | None:
    a = appointments.c
    row = conn.execute(select(appointments).where(a.hall_id == hall.id, a.pk == pk)).first()
    return None if row is None else _appointment(row, hall.code)


def by_code(conn: Connection, hall: Hall, code: str) -> Appointment | None:
    a = appointments.c
    row = conn.execute(select(appointments).where(a.hall_id == hall.id, a.code == code)).first()
    return None if row is None else _appointment(row, hall.code)


def by_idempotency_key(conn: Connection, hall: Hall, key: str) -> tuple[Appointment, str] | None:
    """The booking an Idempotency-Key already made, with the fingerprint of its request."""
    a = appointments.c
    query = select(appointments).where(a.hall_id == hall.id, a.idempotency_key == key)
    row = conn.execute(query).first()
    return None if row is None else (_appointment(row, hall.code), str(row.fingerprint))


def ticket_of(conn: Connection, hall: Hall, ticket_pk: int | None) -> Ticket | None:
    if ticket_pk is None:
        return None
    row = conn.execute(select(*TICKET_COLUMNS).where(tickets.c.pk == ticket_pk)).first()
    return None if row is None else ticket_from_row(row, hall.code)


def of_day(
    conn: Connection, hall: Hall, day: str, service: str | None = None
) -> list[tuple[Appointment, Ticket | None]]:
    """The bookings of a local day (of one service), by slot, each with its ticket."""
    a = appointments.c
    query = select(appointments).where(a.hall_id == hall.id, a.day == day)
    if service is not None:
        query = query.where(a.service == service)
    found = [_appointment(r, hall.code) for r in conn.execute(query.order_by(a.slot_start, a.pk))]
    pks = [x.ticket_pk for x in found if x.ticket_pk is not None]
    by_pk: dict[int, Ticket] = {}
    if pks:
        rows = conn.execute(select(*TICKET_COLUMNS).where(tickets.c.pk.in_(pks)))
        by_pk = {int(r.pk): ticket_from_row(r, hall.code) for r in rows}
    return [(x, by_pk.get(x.ticket_pk) if x.ticket_pk is not None else None) for x in found]


def mark_missed_before(conn: Connection, hall: Hall, day: str) -> int:
    """The rollover: bookings of days before `day` still booked become missed."""
    a = appointments.c
    result = conn.execute(
        update(appointments)
        .where(and_(a.hall_id == hall.id, a.day < day, a.status == Status.BOOKED.value))
        .values(status=Status.MISSED.value)
    )
    return int(result.rowcount or 0)


def has_booked_before(conn: Connection, hall: Hall, day: str) -> bool:
    a = appointments.c
    query = select(a.pk).where(a.hall_id == hall.id, a.day < day, a.status == Status.BOOKED.value)
    return conn.execute(query.limit(1)).first() is not None
