"""Window work profiles (model.CallOrder): a window that takes its services in the order listed
(SERVICES) calls the first of them with anyone waiting; one in QUEUE order (the default, the
contract's rule) the earliest across them. The claim's rule (domain/queue.py) and the estimates
(domain/estimate.py) both honour it; the estimates are held to a step-by-step model of the hall."""

from __future__ import annotations

import random

import pytest

from callnext.domain.estimate import OpenWindow, Waiting, estimate, extend
from callnext.domain.model import CallOrder
from callnext.domain.queue import pick_next

from .test_domain_queue import tk

QUEUE, SERVICES = CallOrder.QUEUE, CallOrder.SERVICES
MEANS = {"A": 300.0, "B": 120.0, "C": 60.0}


def test_a_window_in_service_order_calls_its_first_service_while_anyone_waits_for_it() -> None:
    early_b, priority_c, late_a, later_a = (
        tk("B001", 0, 1), tk("C001", 5, 2, priority=True), tk("A001", 30, 3), tk("A002", 40, 4)
    )  # fmt: skip
    waiting = [early_b, priority_c, late_a, later_a]
    assert pick_next(waiting, ("A", "B", "C"), SERVICES) == late_a
    assert pick_next(waiting, ("B", "A", "C"), SERVICES) == early_b
    assert pick_next(waiting, ("C", "A"), SERVICES) == priority_c
    # first come across all (the default): the priority ticket, then the earliest
    assert pick_next(waiting, ("A", "B", "C")) == priority_c
    assert pick_next(waiting, ("A", "B"), QUEUE) == early_b
    # within its service, the queue order holds: priority first, then the earliest
    urgent_a = tk("A003", 50, 5, priority=True)
    assert pick_next([*waiting, urgent_a], ("A", "B"), SERVICES) == urgent_a


def test_a_window_in_service_order_moves_on_when_its_first_service_is_empty() -> None:
    b, c = tk("B001", 10, 1), tk("C001", 0, 2)
    assert pick_next([b, c], ("A", "B", "C"), SERVICES) == b
    assert pick_next([c], ("A", "B", "C"), SERVICES) == c
    assert pick_next([], ("A", "B", "C"), SERVICES) is None
    assert pick_next([c], ("A", "B"), SERVICES) is None


def test_estimates_follow_a_window_that_prefers_its_first_service() -> None:
    """Window 1 serves B before A: the B ticket behind two A tickets is called first."""
    queue = [Waiting(1, "A"), Waiting(2, "A"), Waiting(3, "B")]
    preferring = estimate(queue, [OpenWindow(1, ("B", "A"), order=SERVICES)], MEANS)
    assert [preferring.for_ticket(pk) for pk in (3, 1, 2)] == [0, 120, 420]
    assert preferring.for_new("B") == 0 + 120  # a newcomer of B goes before the A tickets
    assert preferring.for_new("A") == 720
    first_come = estimate(queue, [OpenWindow(1, ("B", "A"))], MEANS)
    assert [first_come.for_ticket(pk) for pk in (1, 2, 3)] == [0, 300, 600]
    assert first_come.for_new("B") == 720


def _model_play(
    queue: list[Waiting], windows: list[OpenWindow], means: dict[str, float]
) -> dict[int, float]:
    """The hall step by step, written apart from estimate(): the window free first (by time,
    then number) with anything to call takes, by its own rule, from what is left."""
    left = list(queue)
    free = {w.number: w.busy_s for w in windows}
    starts: dict[int, float] = {}
    idle: set[int] = set()
    while len(idle) < len(windows):
        window = min((w for w in windows if w.number not in idle),
                     key=lambda w: (free[w.number], w.number))  # fmt: skip
        mine = [t for t in left if t.service in window.services]
        if not mine:
            idle.add(window.number)
            continue
        if window.order is SERVICES:
            first = min(window.services.index(t.service) for t in mine)
            mine = [t for t in mine if t.service == window.services[first]]
        ticket = mine[0]  # `left` is in queue order
        left.remove(ticket)
        starts[ticket.pk] = free[window.number]
        free[window.number] += means[ticket.service]
    return starts


@pytest.mark.parametrize("seed", range(150))
def test_estimates_equal_a_step_by_step_model_with_mixed_work_profiles(seed: int) -> None:
    rng = random.Random(seed)
    services = ["A", "B", "C"]
    windows = [
        OpenWindow(
            n,
            tuple(rng.sample(services, rng.randint(1, 3))),
            rng.choice([0.0, rng.uniform(0, 400)]),
            rng.choice([QUEUE, SERVICES]),
        )
        for n in range(1, rng.randint(1, 5) + 1)
    ]
    means = {s: rng.choice([60.0, 180.0, 300.0, rng.uniform(30, 900)]) for s in services}
    queue = [Waiting(pk, rng.choice(services)) for pk in range(1, rng.randint(0, 30) + 1)]
    played = estimate(queue, windows, means)
    assert played.starts == pytest.approx(_model_play(queue, windows, means))
    for service in services:  # a ticket taken now: the model with it at the end
        newcomer = Waiting(10_000, service)
        expected = _model_play([*queue, newcomer], windows, means).get(newcomer.pk)
        assert played.free_at.get(service) == (pytest.approx(expected) if expected else expected)


@pytest.mark.parametrize("seed", range(60))
def test_extend_is_exact_or_declines(seed: int) -> None:
    """The issue path's shortcut: with a window that prefers one service to another, a walk-in
    can move others, so extend() declines (None: play again); otherwise it equals the replay."""
    rng = random.Random(seed)
    services = ["A", "B"]
    windows = [
        OpenWindow(n, tuple(rng.sample(services, rng.randint(1, 2))), 0.0,
                   rng.choice([QUEUE, SERVICES]))
        for n in range(1, rng.randint(1, 4) + 1)
    ]  # fmt: skip
    queue = [Waiting(pk, rng.choice(services)) for pk in range(1, rng.randint(0, 20) + 1)]
    played = estimate(queue, windows, MEANS)
    walk_in = Waiting(99, rng.choice(services))
    extended = extend(played, walk_in.pk, walk_in.service)
    prefers = any(w.order is SERVICES and len(w.services) > 1 for w in windows)
    if prefers:
        assert extended is None
    else:
        assert extended is not None
        replayed = estimate([*queue, walk_in], windows, MEANS)
        assert (extended.every_start, extended.free_at) == (replayed.starts, replayed.free_at)
