"""The queue order and what a waiting citizen is told: the people ahead (estimate.py: the wait).

Order among the waiting tickets of the services a window serves: priority tickets first, then
the earliest `queue_at` (a walk-in's is its `issued_at`; a booked ticket checked in on time
counts from its slot, see appointment.py; a transferred ticket keeps its own), then the order
of issue. The store's SQL claim sorts by the same three keys; tests hold the two to each other.

A window's work profile (model.CallOrder) says how it takes from several services: by that order
across all of them (QUEUE, the default), or its services in the order listed (SERVICES): the
first of them with anyone waiting, and within it the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .model import CallOrder, Status, Ticket

QueueKey = tuple[bool, datetime, int]


def queue_key(ticket: Ticket) -> QueueKey:
    return (not ticket.priority, ticket.queued_at, ticket.pk)


def pick_next(
    waiting: Iterable[Ticket], services: Iterable[str], order: CallOrder = CallOrder.QUEUE
) -> Ticket | None:
    """The ticket a window serving `services` (with work profile `order`) calls next, or None
    when nobody waits."""
    codes = list(services)
    eligible = [t for t in waiting if t.status is Status.WAITING and t.service in codes]
    if order is CallOrder.SERVICES and eligible:
        first = min(codes.index(t.service) for t in eligible)
        eligible = [t for t in eligible if t.service == codes[first]]
    return min(eligible, key=queue_key, default=None)


def count_ahead(ticket: Ticket, waiting: Iterable[Ticket]) -> int:
    """Waiting tickets of the same service that will be called before this one."""
    key = queue_key(ticket)
    return sum(
        1
        for t in waiting
        if t.status is Status.WAITING
        and t.service == ticket.service
        and t.id != ticket.id
        and queue_key(t) < key
    )


def service_head(
    priority_head: Ticket | None,
    normal_head: Ticket | None,
    ratio: int | None,
    normals_since_priority: int,
) -> Ticket | None:
    """The ticket a service offers its windows next. Strict (ratio None): its first priority
    ticket, if any. With a ratio N: a priority ticket once N normal ones were called since the
    last priority one (or when no normal one waits), else the first normal one."""
    if priority_head is None:
        return normal_head
    if ratio is None or normal_head is None or normals_since_priority >= ratio:
        return priority_head
    return normal_head
