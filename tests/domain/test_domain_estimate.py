"""domain/estimate.py: estimated waits played forward over the live queue."""

from __future__ import annotations

import random

import pytest

from callnext.domain.estimate import OpenWindow, Waiting, estimate, extend, recent_mean, remaining_s

MEANS = {"A": 300.0, "B": 120.0, "C": 60.0}


def line(*services: str) -> list[Waiting]:
    """Waiting tickets in queue order, pk 1, 2, 3…"""
    return [Waiting(pk, s) for pk, s in enumerate(services, start=1)]


def test_one_window_takes_its_line_one_after_another() -> None:
    result = estimate(line("A", "A", "A"), [OpenWindow(1, ("A",))], MEANS)
    assert [result.for_ticket(pk) for pk in (1, 2, 3)] == [0, 300, 600]
    assert result.for_new("A") == 900


def test_two_windows_share_a_line() -> None:
    windows = [OpenWindow(1, ("A",)), OpenWindow(2, ("A",))]
    result = estimate(line("A", "A", "A", "A"), windows, MEANS)
    assert [result.starts[pk] for pk in (1, 2, 3, 4)] == [0, 0, 300, 300]
    assert result.for_new("A") == 600


def test_a_busy_window_is_free_when_its_current_ticket_is_done() -> None:
    result = estimate(line("A"), [OpenWindow(1, ("A",), busy_s=200)], MEANS)
    assert result.for_ticket(1) == 200
    assert result.for_new("A") == 500


def test_a_window_of_several_services_takes_the_earliest_of_them() -> None:
    # window 1 serves A only, window 7 serves A, B and C; the queue order is A, B, A, C
    windows = [OpenWindow(1, ("A",)), OpenWindow(7, ("A", "B", "C"))]
    result = estimate(line("A", "B", "A", "C"), windows, MEANS)
    # t=0: window 1 takes A(1), window 7 takes B(2); t=120: window 7 takes A(3);
    # t=300: window 1 has no A left; t=420: window 7 takes C(4)
    assert dict(result.starts) == {1: 0, 2: 0, 3: 120, 4: 420}
    assert result.for_new("C") == 480  # window 7, after C(4)
    assert result.for_new("A") == 300  # window 1 frees first


def test_a_service_no_serving_window_serves_has_no_estimate() -> None:
    """Nobody works at a window of B: no figure is invented (it used to assume one opened)."""
    result = estimate(line("B", "B"), [OpenWindow(1, ("A",))], MEANS)
    assert 1 not in result.starts
    assert result.for_ticket(1) is None
    assert result.for_ticket(2) is None
    assert result.for_new("B") is None
    assert result.for_new("A") == 0


def test_no_serving_window_at_all_gives_no_estimate() -> None:
    result = estimate(line("A", "C"), [], MEANS)
    assert [result.for_ticket(pk) for pk in (1, 2)] == [None, None]
    assert {code: result.for_new(code) for code in "ABC"} == dict.fromkeys("ABC")


def test_estimates_are_whole_seconds_rounded_up() -> None:
    result = estimate(line("C"), [OpenWindow(1, ("C",), busy_s=10.2)], {"C": 60.0})
    assert result.for_ticket(1) == 11
    assert isinstance(result.for_new("C"), int)


@pytest.mark.parametrize(
    ("durations", "default", "expected"),
    [
        ([], 300.0, 300.0),  # nothing served yet: the configured default
        ([100.0], 300.0, (100 + 600) / 3),  # one service is pulled toward the default
        ([60.0] * 40, 300.0, (60 * 20 + 600) / 22),  # only the latest 20 count
        ([0.0, 120.0], 300.0, (120 + 600) / 3),  # a zero-length service is no information
    ],
)
def test_recent_mean(durations: list[float], default: float, expected: float) -> None:
    assert recent_mean(durations, default) == pytest.approx(expected)


def test_remaining_time_of_the_current_ticket() -> None:
    assert remaining_s(300, 100) == 200
    assert remaining_s(300, 290) == 60  # over 80 % through: still a fifth of the mean to go
    assert remaining_s(300, 900) == 60


@pytest.mark.parametrize("seed", range(200))
def test_a_walk_in_joining_the_end_extends_the_play_exactly_as_a_replay(seed: int) -> None:
    """extend() (the issue path's shortcut) equals playing the whole queue forward again."""
    rng = random.Random(seed)
    services = ["A", "B", "C"][: rng.randint(1, 3)]
    windows = [
        OpenWindow(
            n,
            tuple(rng.sample(services, rng.randint(1, len(services)))),
            rng.choice([0.0, 0.0, rng.uniform(0, 600)]),
        )
        for n in range(1, rng.randint(1, 6) + 1)
    ]
    means = {s: rng.choice([60.0, 180.0, 300.0, rng.uniform(30, 900)]) for s in services}
    queue = [Waiting(pk, rng.choice(services)) for pk in range(rng.randint(0, 40))]
    extended = estimate(queue, windows, means)
    for pk in range(len(queue), len(queue) + rng.randint(1, 5)):
        ticket = Waiting(pk, rng.choice([*services, "Z"]))  # Z: a service no window serves
        queue.append(ticket)
        extended = extend(extended, ticket.pk, ticket.service)
        replayed = estimate(queue, windows, means)
        assert extended.every_start == replayed.starts
        assert extended.free_at == replayed.free_at
        assert extended.free == replayed.free
