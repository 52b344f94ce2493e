"""The queue in SQL: the call-next claim, people ahead, waiting counts, recent service times.

`next_waiting` sorts by the same keys as domain.queue.queue_key; tests hold the two together.

The queue is the hall's local day's: every statement here that reads waiting tickets binds the
day (`tickets.day`, the local day of issue), so a ticket of an earlier day is never called,
counted ahead or shown waiting, whether or not the day rollover (rollover.py, every 30 s) has
closed it yet. ix_tickets_queue keeps each service's waiting tickets per day, in queue order.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select, union_all
from sqlalchemy.engine import Connection

from ..domain.availability import availability_json
from ..domain.clock import local_day, to_micros, utcnow
from ..domain.estimate import (
    RECENT,
    Estimates,
    OpenWindow,
    Waiting,
    estimate,
    recent_mean,
    remaining_s,
)
from ..domain.model import CallOrder, Hall, Status, Ticket
from ..domain.queue import queue_key, service_head
from ..domain.staffing import serving
from . import direct
from .queue_memo import QueueMemo
from .rows import TICKET_COLUMNS, ticket_from_row
from .schema import QUEUE_ORDER, counters, tickets

_WAITING = (
    select(tickets.c.pk, tickets.c.service, tickets.c.priority, tickets.c.queue_at)
    .where(
        tickets.c.hall_id == bindparam("hall_pk"),
        tickets.c.status == Status.WAITING.value,
        tickets.c.day == bindparam("day"),
    )
    .order_by(*QUEUE_ORDER)
)
_RECENT = (  # a service's latest finishes of the day
    select(tickets.c.finished_at - tickets.c.called_at)
    .where(
        tickets.c.hall_id == bindparam("hall_pk"),
        tickets.c.day == bindparam("day"),
        tickets.c.service == bindparam("service"),
        tickets.c.finished_at.is_not(None),
        tickets.c.outcome.is_not(None),
        tickets.c.called_at.is_not(None),
    )
    .order_by(tickets.c.finished_at.desc(), tickets.c.pk.desc())
    .limit(RECENT)
)


def _head_of(code: str) -> Select[Any]:
    """The head of one service's queue of the day (parameters `code`, `day`): the first entry
    of ix_tickets_queue's range for that service and day."""
    return (
        select(*TICKET_COLUMNS)
        .where(
            tickets.c.hall_id == bindparam("hall_pk"),
            tickets.c.status == Status.WAITING.value,
            tickets.c.service == bindparam(code),
            tickets.c.day == bindparam("day"),
        )
        .order_by(*QUEUE_ORDER)
        .limit(1)
    )


_HEAD_OF_KIND = _head_of("code").where(tickets.c.priority == bindparam("priority"))


@cache
def _first_of_heads(services: int) -> Select[Any]:
    """The first, in queue order, of the heads of `services` services (parameters code_0 …,
    day):
    one statement, one index entry read per service, however long the queues."""
    if services == 1:
        return _head_of("code_0")
    t = tickets.c
    keys = (t.priority, t.queue_at, t.pk)  # a head's place in the queue, from the index alone
    members = (_head_of(f"code_{i}").with_only_columns(*keys) for i in range(services))
    heads = union_all(*(select(m.subquery(f"head_{i}")) for i, m in enumerate(members)))
    h = heads.subquery("heads").c
    first = select(h.pk).order_by(h.priority.desc(), h.queue_at, h.pk).limit(1)
    return select(*TICKET_COLUMNS).where(t.pk == first.scalar_subquery())


_SERVING = select(tickets.c.window, tickets.c.service, tickets.c.last_called_at).where(
    tickets.c.hall_id == bindparam("hall_pk"), tickets.c.status == Status.CALLED.value
)


def _head(conn: Connection, hall: Hall, code: str, day: str, priority: bool) -> Ticket | None:
    """The first waiting ticket of `day`, in queue order, of one service and kind."""
    values = {"hall_pk": hall.id, "code": code, "day": day, "priority": priority}
    row = direct.first(conn, _HEAD_OF_KIND, values)
    return ticket_from_row(row, hall.code) if row else None


def _first_head(conn: Connection, hall: Hall, codes: list[str], day: str) -> Ticket | None:
    values: dict[str, Any] = {f"code_{i}": code for i, code in enumerate(codes)}
    row = direct.first(
        conn, _first_of_heads(len(codes)), {"hall_pk": hall.id, "day": day, **values}
    )
    return ticket_from_row(row, hall.code) if row else None


def next_waiting(
    conn: Connection,
    hall: Hall,
    services: Iterable[str],
    day: str,
    order: CallOrder = CallOrder.QUEUE,
) -> Ticket | None:
    """The head of `day`'s queue for a window serving `services` (the call-next claim's read):
    the first, in queue order, of each service's head, each the first entry of its index range (one
    query over all their tickets would sort them all); services with a priority ratio offer
    their own head (domain.queue). A window that takes its services in order (CallOrder.SERVICES)
    reads their heads one by one, in its order, and stops at the first."""
    codes = list(dict.fromkeys(services))
    if order is CallOrder.SERVICES:
        return next(
            (h for c in codes if (h := next_waiting(conn, hall, (c,), day)) is not None), None
        )
    rated = {c: s.priority_ratio for c in codes if (s := hall.service(c)) and s.priority_ratio}
    plain = [c for c in codes if c not in rated]
    heads = [_first_head(conn, hall, plain, day)] if plain else []
    for code, ratio in rated.items():
        first_priority = _head(conn, hall, code, day, priority=True)
        first_normal = _head(conn, hall, code, day, priority=False)
        since = normals_since_priority(conn, hall, code, day, ratio)
        heads.append(service_head(first_priority, first_normal, ratio, since))
    return min((h for h in heads if h is not None), key=queue_key, default=None)


def normals_since_priority(conn: Connection, hall: Hall, service: str, day: str, up_to: int) -> int:
    """Normal tickets of `service` called today since its last priority one, at most `up_to`;
    `up_to` when no priority ticket was called today (the day starts with one due)."""
    rows = conn.execute(
        select(tickets.c.priority)
        .where(
            tickets.c.hall_id == hall.id,
            tickets.c.service == service,
            tickets.c.day == day,
            tickets.c.called_at.is_not(None),
        )
        .order_by(tickets.c.called_at.desc())
        .limit(up_to)
    )
    for count, (priority,) in enumerate(rows):
        if priority:
            return count
    return up_to


def count_ahead(conn: Connection, hall: Hall, ticket: Ticket) -> int:
    """Waiting tickets of the same service and day ordered before `ticket` (domain.queue)."""
    queued = to_micros(ticket.queued_at)
    t = tickets.c
    earlier = or_(t.queue_at < queued, and_(t.queue_at == queued, t.pk < ticket.pk))
    before = (
        or_(t.priority.is_(True), earlier)
        if not ticket.priority
        else and_(t.priority.is_(True), earlier)
    )
    query = select(func.count()).where(
        t.hall_id == hall.id,
        t.status == Status.WAITING.value,
        t.service == ticket.service,
        t.day == ticket.day,
        before,
    )
    return int((conn.execute(query)).scalar_one())


def waiting_counts(conn: Connection, hall: Hall, day: str) -> dict[str, int]:
    """Tickets of `day` waiting, per service."""
    rows = conn.execute(
        select(tickets.c.service, func.count())
        .where(
            tickets.c.hall_id == hall.id,
            tickets.c.status == Status.WAITING.value,
            tickets.c.day == day,
        )
        .group_by(tickets.c.service)
    )
    counts = {s.code: 0 for s in hall.services}
    for service, n in rows:
        counts[service] = int(n)
    return counts


def mean_service_s(
    conn: Connection, hall: Hall, day: str, only: Collection[str] | None = None
) -> dict[str, float]:
    """Each service's recent mean service time on `day` (domain.estimate.recent_mean: the latest
    services, pulled toward the configured default while there are few): per service (of
    `only`, if given), its latest RECENT finishes, read backwards along ix_tickets_finished."""
    out = {}
    for s in hall.services:
        if only is not None and s.code not in only:
            continue
        values = {"hall_pk": hall.id, "day": day, "service": s.code}
        durations = [float(micros) / 1e6 for (micros,) in direct.tuples(conn, _RECENT, values)]
        out[s.code] = recent_mean(durations, float(s.default_service_s))
    return out


def queue_estimates(
    conn: Connection, hall: Hall, now: datetime, means: dict[str, float]
) -> Estimates:
    """The estimated waits of everyone waiting, and of a ticket taken now (domain.estimate)."""
    played = play_queue(conn, hall, now, means).estimates
    assert played is not None
    return played


def play_queue(
    conn: Connection,
    hall: Hall,
    now: datetime,
    means: dict[str, float],
    memo: QueueMemo | None = None,
) -> QueueMemo:
    """The queue played forward now: from `memo`'s waiting tickets when given (no read of the
    queue), else from one ordered read of them, which gives too the waiting count per service
    and the latest place of one that is not priority (the last in queue order, as priority
    ones come first)."""
    if memo is None:
        memo = replace(read_queue(conn, hall, local_day(now, hall.timezone)), read_at=now)
    memo = memo.compacted()
    played = estimate(memo.read, open_windows(conn, hall, now, means), means)
    return replace(memo, estimates=played, at=now, changes=0)


def read_queue(conn: Connection, hall: Hall, day: str) -> QueueMemo:
    """The waiting tickets of `day` in queue order, their count per service and the latest
    place."""
    queue: list[Waiting] = []
    counts = {s.code: 0 for s in hall.services}
    tail: int | None = None
    values = {"hall_pk": hall.id, "day": day}
    for pk, service, priority, queue_at in direct.tuples(conn, _WAITING, values):
        queue.append(Waiting(pk, service))
        counts[service] = counts.get(service, 0) + 1
        if not priority:
            tail = int(queue_at)
    return QueueMemo.of(tuple(queue), counts, tail)


def open_windows(
    conn: Connection, hall: Hall, now: datetime, means: dict[str, float]
) -> list[OpenWindow]:
    """The windows that call now, open and staffed (domain/staffing.serving), each with how
    long its current ticket still takes."""
    busy: dict[int, float] = {}
    for window, service, last_called in direct.tuples(conn, _SERVING, {"hall_pk": hall.id}):
        elapsed = (to_micros(now) - int(last_called or to_micros(now))) / 1e6
        busy[window] = remaining_s(means.get(service, 300.0), elapsed)
    return [
        OpenWindow(w.number, w.services, busy.get(w.number, 0.0), w.call_order)
        for w in hall.windows
        if serving(w, now)
    ]


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
    estimates: Estimates | None = None,
    counts: dict[str, int] | None = None,
) -> dict[str, dict[str, Any]]:
    """Per service, for a ticket taken now: waiting count, estimated wait (None while no window
    that serves it is staffed), and whether the
    kiosk issues one (open, closed_reason, opens_at, closes_at, remaining under the quota;
    past_closing: the estimate runs past the service's hours today);
    `issued`: the numbers each service gave out today (issued_counts)."""
    if counts is None:
        counts = waiting_counts(conn, hall, local_day(now, hall.timezone))
    if estimates is None:
        estimates = queue_estimates(conn, hall, now, means)
    out: dict[str, dict[str, Any]] = {}
    for service in hall.services:
        code, waiting = service.code, counts.get(service.code, 0)
        state = hall.availability(service, issued.get(code, 0), now)
        est = estimates.for_new(code)
        out[code] = {"waiting": waiting, "est_wait_s": est, **availability_json(state),
                     "past_closing": state.open and hall.past_closing(code, now, est)}  # fmt: skip
    return out


def position(
    conn: Connection,
    hall: Hall,
    ticket: Ticket,
    estimates: Estimates | None = None,
    now: datetime | None = None,
) -> tuple[int | None, int | None]:
    """(ahead, est_wait_s) for a ticket waiting in the queue of the day at `now` (default: the
    clock's); (None, None) otherwise: a ticket left waiting from an earlier day is in no queue
    (the rollover expires it)."""
    now = now or utcnow()
    today = local_day(now, hall.timezone)
    if ticket.status is not Status.WAITING or ticket.day != today:
        return None, None
    ahead = count_ahead(conn, hall, ticket)
    if estimates is None:
        means = mean_service_s(conn, hall, today)
        estimates = queue_estimates(conn, hall, now, means)
    return ahead, estimates.for_ticket(ticket.pk)
