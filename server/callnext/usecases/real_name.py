"""Real-name tickets (实名取号) in a hall transaction: who may take a ticket or a booking of a
real-name service (an ID number given, the service's daily limit per person not reached), and
which booking a check-in by ID number names. The person is only ever the keyed digests of their
number (domain/identity.py; `persons`: one per listed key, the current one first).
"""

from __future__ import annotations

from ..domain import appointment as ap
from ..domain.appointment import Appointment, Status
from ..domain.errors import Conflict, Invalid, NotFound, Unprocessable
from ..domain.model import Service
from ..store import appointment_sql as sql
from ..store import person_sql
from ..store.hall_tx import HallTx


def holder(
    tx: HallTx, service: Service, persons: list[str] | None, *, booked: bool = False
) -> str | None:
    """A real-name service's ticket: the holder's digest to store (the current key's), once
    their ID number is given and their tickets of the day leave room (实名取号, 限号); any
    other service stores none, whatever was typed. `persons`: the person's digest under each
    listed key, the current one first (identity.person_keys). A `booked` ticket (a check-in)
    keeps its booking's digest, if any, and is not limited: the booking was its allowance."""
    if booked:
        return persons[0] if persons else None
    if not service.real_name:
        return None
    if not persons:
        raise Invalid(
            "id_number_required",
            f"Service {service.code} issues tickets by name: give the holder's ID number.",
        )
    limit = service.person_daily_limit
    if limit is not None:
        held = person_sql.tickets_today(tx.conn, tx.hall.id, tx.today, service.code, persons)
        if held >= limit:
            raise Conflict(
                "person_limit_reached",
                f"This ID number has taken {held} of today's {limit} tickets for service "
                f"{service.code} already; one person may take no more today.",
                extra={"limit": limit},
            )
    return persons[0]


def may_book(tx: HallTx, service: Service, day: str, persons: list[str] | None) -> None:
    """A real-name service is booked with an ID number (422 field_required), within the
    service's daily limit per person for that day (409 person_limit_reached)."""
    if not service.real_name:
        return
    if not persons:
        raise Unprocessable(
            "field_required", f"Service {service.code} is booked by name: give your ID number.",
            extra={"field": "id_number"},
        )  # fmt: skip
    limit = service.person_daily_limit
    if limit is not None and person_sql.bookings_on(
        tx.conn, tx.hall.id, day, service.code, persons
    ) >= limit:  # fmt: skip
        raise Conflict(
            "person_limit_reached", f"This ID number has booked service {service.code} for "
            f"{day} {limit} time(s) already; one person may book no more that day.",
            extra={"limit": limit},
        )  # fmt: skip


def booking_to_check_in(tx: HallTx, typed: str | None, persons: list[str] | None) -> Appointment:
    """The booking a check-in names: by its code, or by the ID number it was made with (the
    person's first booking of today still booked; else their last one checked in, to answer
    again)."""
    if persons:
        days = person_sql.appointment_pks_today(tx.conn, tx.hall.id, tx.today, persons)
        booked = [pk for pk, status in days if status == Status.BOOKED.value]
        checked_in = [pk for pk, status in days if status == Status.CHECKED_IN.value]
        picks = booked[:1] or checked_in[-1:] or [pk for pk, _ in days][-1:]
        found = sql.by_pk(tx.conn, tx.hall, picks[0]) if picks else None
        if found is None:
            raise NotFound(
                "appointment_not_found", "No booking of today was made with that ID number here."
            )
        return found
    code = ap.normalise_code(typed or "")
    found = sql.by_code(tx.conn, tx.hall, code) if code is not None else None
    if found is None:
        raise NotFound("appointment_not_found", "No appointment has that code in this hall.")
    return found
