"""Trips per matter (domain/trips.py) on hand-built real-name tickets."""

from __future__ import annotations

import itertools

import pytest

from callnext.domain import trips
from callnext.domain.errors import Invalid
from callnext.domain.model import ClosedReason, Outcome, Status
from callnext.domain.trips import MatterState, RealNameTicket

TODAY = "2026-12-31"
_pks = itertools.count(1)


def tk(
    day: str,
    how: str = "completed",
    person: str = "k1:p",
    service: str = "A",
) -> RealNameTicket:
    """A ticket on `day` (December 2026 when just the day of the month is given), ended `how`:
    completed, pending (accepted, not completed yet), no_show, cancelled, expired, waiting."""
    day = day if "-" in day else f"2026-12-{int(day):02d}"
    status, outcome, reason = {
        "completed": (Status.DONE, Outcome.COMPLETED, None),
        "pending": (Status.DONE, Outcome.PENDING, None),
        "no_show": (Status.NO_SHOW, None, None),
        "cancelled": (Status.CANCELLED, None, None),
        "expired": (Status.CANCELLED, None, ClosedReason.EXPIRED),
        "waiting": (Status.WAITING, None, None),
    }[how]
    return RealNameTicket(next(_pks), person, service, day, status, outcome, reason)


def shape(matters: list[trips.Matter]) -> list[tuple[str, int, str]]:
    return [(m.first_day[-2:], m.trips, m.state.value) for m in matters]


def test_one_trip_and_returns() -> None:
    """Completed on the first visit; then a matter of three visits (pending left open, a
    no-show, completed); a later completion begins a new matter."""
    tickets = [tk("1"), tk("3", "pending"), tk("5", "no_show"), tk("9"), tk("10")]
    matters = trips.matters_of(tickets, 30, TODAY)
    assert shape(matters) == [("01", 1, "completed"), ("03", 3, "completed"),
                              ("10", 1, "completed")]  # fmt: skip


def test_cancelled_is_no_visit_but_expired_is() -> None:
    tickets = [tk("1", "cancelled"), tk("2", "expired"), tk("4", "cancelled"), tk("6")]
    assert shape(trips.matters_of(tickets, 30, TODAY)) == [("02", 2, "completed")]


def test_several_tickets_on_a_day_are_one_visit() -> None:
    """A no-show and then a completed ticket on one day: one visit, completed, one trip."""
    tickets = [tk("7", "no_show"), tk("7"), tk("8", "no_show")]
    matters = trips.matters_of(tickets, 30, TODAY)
    assert shape(matters) == [("07", 1, "completed"), ("08", 1, "open")]  # to the 6th: open
    assert matters[0].tickets == ((tickets[0].pk, tickets[1].pk),)


def test_window_counts_the_first_day_as_day_one() -> None:
    """Window 3: days 1, 2, 3 are in; day 4 begins a new matter."""
    in_time = [tk("1", "no_show"), tk("3")]
    assert shape(trips.matters_of(in_time, 3, TODAY)) == [("01", 2, "completed")]
    too_late = [tk("11", "no_show"), tk("14")]
    assert shape(trips.matters_of(too_late, 3, TODAY)) == [
        ("11", 1, "unfinished"), ("14", 1, "completed"),
    ]  # fmt: skip


def test_window_of_one_day() -> None:
    tickets = [tk("1", "no_show"), tk("1"), tk("2", "no_show"), tk("3")]
    assert shape(trips.matters_of(tickets, 1, TODAY)) == [
        ("01", 1, "completed"), ("02", 1, "unfinished"), ("03", 1, "completed"),
    ]  # fmt: skip


def test_open_while_the_window_runs() -> None:
    """Not completed: open until the window's last day has passed (today included)."""
    tickets = [tk("29", "no_show"), tk("31", "waiting")]
    assert shape(trips.matters_of(tickets, 3, TODAY)) == [("29", 2, "open")]
    assert shape(trips.matters_of(tickets, 2, TODAY)) == [
        ("29", 1, "unfinished"), ("31", 1, "open"),
    ]  # fmt: skip


def test_pending_completed_later_is_that_visit() -> None:
    """Accepted as pending then completed by the back office: completed on that visit."""
    later = RealNameTicket(99, "k1:p", "A", "2026-12-02", Status.DONE, Outcome.COMPLETED)
    tickets = [tk("1", "no_show"), later, tk("20")]
    assert shape(trips.matters_of(tickets, 30, TODAY)) == [
        ("01", 2, "completed"), ("20", 1, "completed"),
    ]  # fmt: skip


def test_the_chain_depends_on_earlier_visits() -> None:
    """Visits every 29 days, never completed, window 30: matters of two visits each; the third
    visit begins a matter although it is within 30 days of the second."""
    days = ["2026-10-01", "2026-10-30", "2026-11-28", "2026-12-27"]
    matters = trips.matters_of([tk(d, "no_show") for d in days], 30, TODAY)
    assert [(m.days, m.state) for m in matters] == [
        (("2026-10-01", "2026-10-30"), MatterState.UNFINISHED),
        (("2026-11-28", "2026-12-27"), MatterState.UNFINISHED),
    ]


def test_persons_and_services_apart() -> None:
    tickets = [
        tk("1", "no_show", "k1:p"),
        tk("2", person="k1:q"),
        tk("3", service="B"),
        tk("4", person="k2:p"),
    ]  # fmt: skip  (k2:p: the same citizen, rotated: apart)
    matters = trips.matters_of(tickets, 30, TODAY)
    assert [(m.first_day[-2:], m.service, m.trips) for m in matters] == [
        ("01", "A", 1),
        ("02", "A", 1),
        ("03", "B", 1),
        ("04", "A", 1),
    ]


def test_figures() -> None:
    tickets = [
        tk("1"), tk("1", person="k1:q"),  # two one-trip matters
        tk("2", "no_show", "k1:r"), tk("3", person="k1:r"),  # two trips
        *(tk(d, "no_show", "k1:s") for d in ("4", "5", "6")), tk("7", person="k1:s"),  # four
        tk("8", "no_show", "k1:t"),  # unfinished (window 5: up to the 12th)
        tk("30", "no_show", "k1:u"),  # open
        tk("30", "cancelled", "k1:v"),  # no matter
    ]  # fmt: skip
    matters = trips.matters_of(tickets, 5, TODAY)
    fig = trips.figures(matters)
    assert fig == {
        "matters": 6, "completed": 4, "one_trip": 2, "open": 1, "unfinished": 1,
        "one_trip_rate": round(2 / 5, 4),  # over completed + unfinished
        "distribution": {"1": 2, "2": 1, "3": 0, "4+": 1},
        "mean_trips": round((1 + 1 + 2 + 4) / 4, 3),
    }  # fmt: skip
    assert trips.figures([]) == {
        "matters": 0, "completed": 0, "one_trip": 0, "open": 0, "unfinished": 0,
        "one_trip_rate": None, "distribution": {"1": 0, "2": 0, "3": 0, "4+": 0},
        "mean_trips": None,
    }  # fmt: skip
    begun = trips.begun_between(matters, "2026-12-02", "2026-12-08")
    assert [m.first_day[-2:] for m in begun] == ["02", "04", "08"]
    whole = trips.trips_figures(matters, 5)
    assert whole["window_days"] == 5
    assert list(whole["per_service"]) == ["A"]
    assert whole["per_service"]["A"] == fig


def test_visit_numbers() -> None:
    a, b, c = tk("1", "no_show"), tk("2", "cancelled"), tk("3")
    numbers = trips.visit_numbers(trips.matters_of([a, b, c], 30, TODAY))
    assert numbers == {a.pk: 1, c.pk: 2}


@pytest.mark.parametrize("bad", [0, 91, -1, 1.5, "30", True, None])
def test_window_days_bounds(bad: object) -> None:
    with pytest.raises(Invalid) as refused:
        trips.parse_window_days(bad)
    assert refused.value.code == "bad_trips_window_days"
    assert trips.parse_window_days(1) == 1
    assert trips.parse_window_days(90) == 90


def test_the_last_day_of_time() -> None:
    assert trips.last_window_day("9999-12-30", 30) == "9999-12-31"
    matters = trips.matters_of([tk("9999-12-31", "no_show")], 30, "9999-12-31")
    assert shape(matters) == [("31", 1, "open")]
