"""Queue order, people ahead and the priority ratio (domain/queue.py), with a seeded property
test."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from callnext.domain import lifecycle
from callnext.domain.model import Status, Ticket
from callnext.domain.queue import count_ahead, pick_next, queue_key, service_head

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def tk(number: str, minute: float, pk: int, **changes: Any) -> Ticket:
    """A waiting ticket of the service named by its letter, issued `minute`s after 09:00."""
    base = Ticket(
        id=f"id-{number}-{pk}", hall="demo", number=number, service=number[0], priority=False,
        status=Status.WAITING, issued_at=T0 + timedelta(minutes=minute), day="2026-11-26", pk=pk,
    )  # fmt: skip
    return replace(base, **changes)


def test_queue_key_orders_priority_then_issued_at_then_pk() -> None:
    late_priority = tk("A009", 50, 9, priority=True)
    early = tk("A001", 0, 1)
    same_time_later_pk = tk("A002", 0, 2)
    ordered = sorted([same_time_later_pk, early, late_priority], key=queue_key)
    assert [t.number for t in ordered] == ["A009", "A001", "A002"]


def test_queue_key_orders_by_queue_at_a_booked_ticket_by_its_slot() -> None:
    """A ticket booked for 09:10 and checked in at 09:40 goes before a walk-in of 09:20; one
    with no queue_at counts from its issued_at."""
    walk_in = tk("A002", 20, 2)
    booked = tk("A003", 40, 3, queue_at=T0 + timedelta(minutes=10))
    first = tk("A004", 50, 4, queue_at=T0 + timedelta(minutes=30) - timedelta(hours=24))
    ordered = sorted([walk_in, booked, first], key=queue_key)
    assert [t.number for t in ordered] == ["A004", "A003", "A002"]
    assert walk_in.queued_at == walk_in.issued_at
    assert count_ahead(walk_in, [walk_in, booked, first]) == 2


def test_pick_next_is_none_when_nobody_waits() -> None:
    assert pick_next([], ["A"]) is None
    assert pick_next([tk("B001", 0, 1)], ["A", "C"]) is None
    assert pick_next([tk("A001", 0, 1)], []) is None


def test_pick_next_prefers_priority_even_if_issued_later() -> None:
    queue = [tk("A001", 0, 1), tk("A002", 1, 2), tk("A003", 30, 3, priority=True)]
    chosen = pick_next(queue, ["A"])
    assert chosen is not None
    assert chosen.number == "A003"


def test_pick_next_takes_earliest_issued_at_across_services() -> None:
    queue = [tk("A002", 5, 2), tk("C001", 3, 3), tk("B001", 4, 1)]
    chosen = pick_next(queue, ["A", "B", "C"])
    assert chosen is not None
    assert chosen.number == "C001"


def test_pick_next_breaks_ties_by_pk() -> None:
    queue = [tk("B001", 2, 12), tk("A007", 2, 11), tk("A008", 2, 13)]
    chosen = pick_next(queue, ["A", "B"])
    assert chosen is not None
    assert chosen.pk == 11


def test_pick_next_only_serves_the_windows_services() -> None:
    queue = [tk("C001", 0, 1, priority=True), tk("A001", 1, 2), tk("B001", 2, 3)]
    chosen = pick_next(queue, ("B",))
    assert chosen is not None
    assert chosen.number == "B001"


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.WAITING])
def test_pick_next_skips_tickets_that_do_not_wait(status: Status) -> None:
    """No-show, called, done and cancelled tickets are never picked by call-next."""
    queue = [tk("A001", 0, 1, status=status, priority=True), tk("A002", 9, 2)]
    chosen = pick_next(queue, ["A"])
    assert chosen is not None
    assert chosen.number == "A002"


def test_a_transferred_ticket_keeps_its_place() -> None:
    """A001 issued at 09:00, called and sent to B, goes before B tickets issued after 09:00."""
    a001 = lifecycle.call(tk("A001", 0, 1), 1, T0 + timedelta(minutes=20))
    moved = lifecycle.transfer(a001, "B")
    b_queue = [tk("B001", 5, 2), tk("B002", 10, 3), moved]
    chosen = pick_next(b_queue, ["B"])
    assert chosen is not None
    assert (chosen.number, chosen.service) == ("A001", "B")
    assert count_ahead(b_queue[0], b_queue) == 1
    assert count_ahead(moved, b_queue) == 0


def test_count_ahead_counts_same_service_waiting_tickets_before_it() -> None:
    queue = [
        tk("A001", 0, 1),
        tk("A002", 1, 2),
        tk("A003", 2, 3, status=Status.CALLED),
        tk("A004", 3, 4, status=Status.NO_SHOW),
        tk("B001", 0, 5),
        tk("A005", 4, 6),
        tk("A006", 6, 7, priority=True),
    ]
    by_number = {t.number: t for t in queue}
    assert count_ahead(by_number["A001"], queue) == 1  # the priority A006
    assert count_ahead(by_number["A002"], queue) == 2
    assert count_ahead(by_number["A005"], queue) == 3  # A006, A001, A002
    assert count_ahead(by_number["A006"], queue) == 0
    assert count_ahead(by_number["B001"], queue) == 0


def test_count_ahead_does_not_count_the_ticket_itself() -> None:
    alone = tk("A001", 0, 1)
    assert count_ahead(alone, [alone]) == 0
    twin = replace(alone, pk=0)  # the same ticket as read again (same id)
    assert count_ahead(alone, [twin, alone]) == 0


def test_count_ahead_uses_pk_for_equal_times() -> None:
    first, second = tk("A001", 0, 1), tk("A002", 0, 2)
    assert count_ahead(second, [first, second]) == 1
    assert count_ahead(first, [first, second]) == 0


def random_queue(rng: random.Random) -> list[Ticket]:
    """Up to 30 tickets with deliberately colliding times so that every tie-break matters; some
    booked (a queue_at apart from their issued_at)."""
    statuses = [Status.WAITING] * 6 + [s for s in Status if s is not Status.WAITING]
    pks = rng.sample(range(1, 1000), rng.randint(0, 30))
    return [
        tk(
            f"{rng.choice('ABC')}{i + 1:03d}",
            rng.randint(0, 5),
            pk,
            priority=rng.random() < 0.2,
            status=rng.choice(statuses),
            queue_at=T0 + timedelta(minutes=rng.randint(-2, 5)) if rng.random() < 0.3 else None,
        )
        for i, pk in enumerate(pks)
    ]


def reference_order(tickets: list[Ticket], services: set[str]) -> list[Ticket]:
    """The contract's order, written independently of queue_key."""
    eligible = [t for t in tickets if t.status == "waiting" and t.service in services]
    by_pk = sorted(eligible, key=lambda t: t.pk)
    by_time = sorted(by_pk, key=lambda t: t.queue_at or t.issued_at)
    return sorted(by_time, key=lambda t: 0 if t.priority else 1)  # stable sorts compose


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_property_pick_next_is_the_head_of_the_sorted_queue(seed: int) -> None:
    """100 random queues per seed (500 in all): pick_next and count_ahead match the reference."""
    rng = random.Random(seed)
    checked_ahead = picked = 0
    for _ in range(100):
        queue = random_queue(rng)
        services = set(rng.sample("ABC", rng.randint(1, 3)))
        expected = reference_order(queue, services)
        chosen = pick_next(rng.sample(queue, len(queue)), services)
        assert chosen == (expected[0] if expected else None)
        picked += chosen is not None
        for code in services:
            line = reference_order(queue, {code})
            for position, ticket in enumerate(line):
                assert count_ahead(ticket, queue) == position
                checked_ahead += 1
    assert picked > 50  # the random queues are mostly not empty
    assert checked_ahead > 100


def test_service_head_strict_and_by_ratio() -> None:
    p, n = tk("A005", 5, 5, priority=True), tk("A001", 0, 1)
    assert service_head(p, n, None, 0) is p  # strict: priority first
    assert service_head(p, n, 2, 0) is n  # ratio 2: two normal calls first
    assert service_head(p, n, 2, 1) is n
    assert service_head(p, n, 2, 2) is p
    assert service_head(p, None, 2, 0) is p  # nobody normal waits
    assert service_head(None, n, 2, 5) is n
    assert service_head(None, None, 2, 0) is None
