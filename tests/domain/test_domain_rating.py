"""The rating rules (domain/rating.py), pure: the fields, who may rate until when, the window's
minutes, satisfaction figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callnext.domain import rating
from callnext.domain.errors import Conflict, Invalid
from callnext.domain.model import Outcome, Status, Ticket
from callnext.domain.rating import Rating, Source

TZ = "Asia/Shanghai"
# 2026-12-02 15:00 in Shanghai
FINISHED = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


def ticket(status: Status = Status.DONE, outcome: Outcome | None = Outcome.COMPLETED) -> Ticket:
    return Ticket(
        id="t", hall="demo", number="A001", service="A", priority=False, status=status,
        issued_at=FINISHED - timedelta(minutes=30), day="2026-12-02", outcome=outcome,
        window=3, finished_at=FINISHED if status is not Status.WAITING else None,
    )  # fmt: skip


def test_fields_are_checked_and_tidied() -> None:
    assert rating.validate(5, ["one_trip", "fast", "fast"], "  很好 ") == (
        5, ("fast", "one_trip"), "很好")  # fmt: skip
    assert rating.validate(3, ["long_wait", "clear", "other"], "   ") == (
        3, ("long_wait", "clear", "other"), None)  # fmt: skip
    assert rating.validate(1, None, None) == (1, (), None)


@pytest.mark.parametrize(
    ("score", "reasons", "comment", "code"),
    [
        (0, [], None, "bad_score"),
        (True, [], None, "bad_score"),
        (2.0, [], None, "bad_score"),
        (2, "long_wait", None, "bad_reasons"),
        (2, [1], None, "bad_reasons"),
        (2, ["nope"], None, "unknown_reason"),
        (2, ["fast"], None, "reason_mismatch"),
        (4, ["attitude"], None, "reason_mismatch"),
        (4, [], "好" * 201, "too_long"),
        (4, [], "a\x00b", "bad_characters"),
    ],
)
def test_bad_fields_are_refused(score: object, reasons: object, comment: object, code: str) -> None:
    with pytest.raises(Invalid) as refused:
        rating.validate(score, reasons, comment)
    assert refused.value.code == code


def test_served_tickets_are_rateable_until_the_end_of_the_next_local_day() -> None:
    until = rating.rateable_until(ticket(), TZ)
    assert until == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # 2026-12-04 00:00 in Shanghai
    assert rating.rateable_until(ticket(outcome=Outcome.PENDING), TZ) == until
    rating.check_rateable(ticket(), TZ, until - timedelta(seconds=1), rated=False)
    with pytest.raises(Conflict) as late:
        rating.check_rateable(ticket(), TZ, until, rated=False)
    assert late.value.code == "rating_closed"
    with pytest.raises(Conflict) as again:
        rating.check_rateable(ticket(), TZ, FINISHED, rated=True)
    assert again.value.code == "already_rated"


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(Status.NO_SHOW, None), (Status.CANCELLED, None), (Status.WAITING, None),
     (Status.CALLED, None)],
)  # fmt: skip
def test_tickets_not_served_are_never_rateable(status: Status, outcome: Outcome | None) -> None:
    assert rating.rateable_until(ticket(status, outcome), TZ) is None
    with pytest.raises(Conflict) as refused:
        rating.check_rateable(ticket(status, outcome), TZ, FINISHED, rated=False)
    assert refused.value.code == "not_rateable"


def test_the_window_screen_has_ten_minutes() -> None:
    t = ticket()
    assert rating.is_window_rateable(t, TZ, FINISHED + timedelta(seconds=599), rated=False)
    assert not rating.is_window_rateable(t, TZ, FINISHED + timedelta(seconds=600), rated=False)
    assert not rating.is_window_rateable(t, TZ, FINISHED, rated=True)
    assert not rating.is_window_rateable(ticket(Status.NO_SHOW, None), TZ, FINISHED, False)
    assert not rating.is_window_rateable(None, TZ, FINISHED, rated=False)
    # Once the window has called someone since, the person at the screen is not this ticket's.
    assert not rating.is_window_rateable(t, TZ, FINISHED, rated=False, moved_on=True)


def made(score: int, service: str = "A", window: int = 1, staff: str | None = "w1") -> Rating:
    return Rating(score, (), None, FINISHED, Source.PHONE, "A001", "2026-12-02", service,
                  window, staff)  # fmt: skip


def test_satisfaction_counts_scores_and_shares() -> None:
    assert rating.satisfaction([]) == {
        "n": 0, "avg": None, "satisfied_rate": None, "dissatisfied": 0,
        "by_score": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
    }  # fmt: skip
    figures = rating.satisfaction([made(5), made(4), made(3), made(2), made(1), made(5)])
    assert figures["n"] == 6
    assert figures["avg"] == round(20 / 6, 3)
    assert figures["satisfied_rate"] == 0.5
    assert figures["dissatisfied"] == 2
    assert figures["by_score"] == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 2}


def test_satisfaction_is_added_per_service_window_and_staff() -> None:
    stats = {"per_service": {"A": {}, "B": {}}, "per_window": {"1": {}, "5": {}, "7": {}}}
    ratings = [made(5, "A", 1, "w1"), made(1, "B", 5, "w5"), made(2, "B", 5, None)]
    out = rating.add_satisfaction(stats, ratings)
    assert out["satisfaction"]["n"] == 3
    assert out["per_service"]["B"]["satisfaction"]["dissatisfied"] == 2
    assert out["per_window"]["1"]["satisfaction"]["avg"] == 5
    assert out["per_window"]["7"]["satisfaction"]["n"] == 0
    assert out["per_staff"] == {
        "w1": {"satisfaction": rating.satisfaction([ratings[0]])},
        "w5": {"satisfaction": rating.satisfaction([ratings[1]])},
    }
