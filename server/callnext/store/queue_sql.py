"""The queue in SQL: the call-next claim, people ahead, waiting counts, recent service times.

`next_waiting` sorts by the same keys as domain.queue.queue_key; tests hold the two together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from ..domain.availability import availability_json
from ..domain.clock import to_micros
from ..domain.model import Hall, Status, Ticket, WindowStatus
from ..domain.queue import estimate_wait_s
from .rows import TICKET_COLUMNS, ticket_from_row
from .schema import counters, tickets

QUEUE_ORDER = (tickets.c.priority.desc(), tickets.c.issued_at, tickets.c.pk)


def next_waiting(conn: Connection, hall: Hall, services: Iterable[str]) -> Ticket | None:
    """The head of the queue for a window serving `services` (the call-next claim's read)."""
    row = (
        conn.execute(
            select(*TICKET_COLUMNS)
            .where(
                tickets.c.hall_id == hall.id,
                tickets.c.status == Status.WAITING.value,
                tickets.c.service.in_(list(services)),
            )
            .order_by(*QUEUE_ORDER)
            .limit(1)
        )
    ).first()
    return ticket_from_row(row, hall.code) if row else None


def count_ahead(conn: Connection, hall: Hall, ticket: Ticket) -> int:
    """Waiting tickets of the same service ordered before `ticket` (see domain.queue)."""
    issued = to_micros(ticket.issued_at)
    t = tickets.c
    earlier = or_(t.issued_at < issued, and_(t.issued_at == issued, t.pk < ticket.pk))
    before = (
        or_(t.priority.is_(True), earlier)
        if not ticket.priority
        else and_(t.priority.is_(True), earlier)
    )
    query = select(func.count()).where(
        t.hall_id == hall.id, t.status == Status.WAITING.value, t.service == ticket.service, before
    )
    return int((conn.execute(query)).scalar_one())


def waiting_counts(conn: Connection, hall: Hall) -> dict[str, int]:
    rows = conn.execute(
        select(tickets.c.service, func.count())
        .where(tickets.c.hall_id == hall.id, tickets.c.status == Status.WAITING.value)
        .group_by(tickets.c.service)
    )
    counts = {s.code: 0 for s in hall.services}
    for service, n in rows:
        counts[service] = int(n)
    return counts


def mean_service_s(conn: Connection, hall: Hall, day: str) -> dict[str, float]:
    """Each service's mean service time today, or its configured default before any."""
    t = tickets.c
    rows = conn.execute(
        select(t.service, func.avg(t.finished_at - t.called_at))
        .where(
            t.hall_id == hall.id,
            t.day == day,
            t.outcome.is_not(None),
            t.called_at.is_not(None),
            t.finished_at.is_not(None),
        )
        .group_by(t.service)
    )
    means = {s.code: float(s.default_service_s) for s in hall.services}
    for service, avg_us in rows:
        if avg_us is not None and float(avg_us) > 0:
            means[service] = float(avg_us) / 1e6
    return means


def open_windows(hall: Hall, service: str) -> int:
    return sum(1 for w in hall.windows_serving(service) if w.status is WindowStatus.OPEN)


def issued_counts(conn: Connection, hall: Hall, day: str) -> dict[str, int]:
    """How many numbers each service gave out on `day` (its counter)."""
    rows = conn.execute(
        select(counters.c.service, counters.c.last).where(
            counters.c.hall_id == hall.id, counters.c.day == day
        )
    )
    return {service: int(last) for service, last in rows}


def service_states(
    conn: Connection,
    hall: Hall,
    now: datetime,
    means: dict[str, float],
    issued: dict[str, int],
) -> dict[str, dict[str, Any]]:
    """Per service, for a ticket taken now: waiting count, estimated wait, and whether the
    kiosk issues one (open, closed_reason, opens_at, closes_at, remaining under the quota);
    `issued`: the numbers each service gave out today (issued_counts)."""
    counts = waiting_counts(conn, hall)
    out: dict[str, dict[str, Any]] = {}
    for service in hall.services:
        code, waiting = service.code, counts.get(service.code, 0)
        state = hall.availability(service, issued.get(code, 0), now)
        est = estimate_wait_s(waiting, open_windows(hall, code), means.get(code, 300.0))
        out[code] = {"waiting": waiting, "est_wait_s": est, **availability_json(state)}
    return out


def position(
    conn: Connection, hall: Hall, ticket: Ticket, means: dict[str, float] | None = None
) -> tuple[int | None, int | None]:
    """(ahead, est_wait_s) for a waiting ticket; (None, None) otherwise."""
    if ticket.status is not Status.WAITING:
        return None, None
    ahead = count_ahead(conn, hall, ticket)
    if means is None:
        means = mean_service_s(conn, hall, ticket.day)
    mean = means.get(ticket.service, 300.0)
    return ahead, estimate_wait_s(ahead, open_windows(hall, ticket.service), mean)
