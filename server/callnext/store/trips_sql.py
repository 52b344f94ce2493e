"""Trips per matter's read (domain/trips.py): the real-name tickets whose matters begin in a
range of days, in one statement.

A visit's matter depends on the person's visits before it (an earlier matter may still run), so
for every person with a ticket in the range it reads all their tickets up to the range's last day
plus the window (a matter begun on the last day may take that long): the persons come from the
range's tickets (a prefix scan of (hall_id, day, number)), their tickets through
ix_tickets_person (hall_id, person, day). No person loop, and the digests never leave here but
as the domain's grouping key.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..domain.model import ClosedReason, Hall, Outcome, Status
from ..domain.trips import RealNameTicket, last_window_day
from .schema import tickets

t = tickets.c
COLUMNS = (t.pk, t.person, t.service, t.day, t.status, t.outcome, t.closed_reason)


def real_name_tickets_in(
    conn: Connection, hall: Hall, first: str, last: str, window_days: int
) -> list[RealNameTicket]:
    """The real-name tickets of every person with one in days `first` to `last`, from their
    first up to `last` + the window's days."""
    until = last_window_day(last, window_days)
    persons = select(t.person).where(
        t.hall_id == hall.id, t.day >= first, t.day <= last, t.person.is_not(None)
    )
    rows = conn.execute(
        select(*COLUMNS).where(t.hall_id == hall.id, t.person.in_(persons), t.day <= until)
    )
    return [
        RealNameTicket(
            pk=int(pk),
            person=str(person),
            service=str(service),
            day=str(day),
            status=Status(status),
            outcome=Outcome(outcome) if outcome else None,
            closed_reason=ClosedReason(reason) if reason else None,
        )
        for pk, person, service, day, status, outcome, reason in rows
    ]
