"""Real-name tickets' reads (domain/identity.py): what a person, known only by the keyed digests
of their ID number, holds in a hall. Each read is one range of ix_tickets_person or
ix_appointments_person: the hall, the digests (one per listed key while keys rotate), the day.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ..domain.model import Status
from .schema import appointments, tickets

# The person's tickets of a day for a service that count against its daily limit: every one
# but those cancelled (by their holder; a day's own tickets are not expired yet).
_COUNTED = select(func.count()).where(tickets.c.status != Status.CANCELLED.value)


def tickets_today(
    conn: Connection, hall_pk: int, day: str, service: str, persons: Sequence[str]
) -> int:
    """The person's tickets for `service` on the hall day `day`, cancelled ones not counted."""
    t = tickets.c
    query = _COUNTED.where(
        t.hall_id == hall_pk, t.person.in_(persons), t.day == day, t.service == service
    )
    return int(conn.execute(query).scalar_one())


def appointment_pks_today(
    conn: Connection, hall_pk: int, day: str, persons: Sequence[str]
) -> list[tuple[int, str]]:
    """The person's bookings of the hall day `day`: (pk, status), by slot."""
    a = appointments.c
    rows = conn.execute(
        select(a.pk, a.status)
        .where(a.hall_id == hall_pk, a.person.in_(persons), a.day == day)
        .order_by(a.slot_start, a.pk)
    )
    return [(int(pk), str(status)) for pk, status in rows]


def bookings_on(
    conn: Connection, hall_pk: int, day: str, service: str, persons: Sequence[str]
) -> int:
    """The person's bookings of `service` for the hall day `day`, cancelled ones not counted:
    the daily limit holds for bookings as for tickets."""
    a = appointments.c
    query = select(func.count()).where(
        a.hall_id == hall_pk, a.person.in_(persons), a.day == day, a.service == service,
        a.status != Status.CANCELLED.value,
    )  # fmt: skip
    return int(conn.execute(query).scalar_one())
