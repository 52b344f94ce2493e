"""A day's statistics (domain/stats.py) on hand-built tickets with hand-computed figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from callnext.domain.model import Outcome, Status, Ticket
from callnext.domain.stats import COUNT_FIELDS, csv_rows, day_stats, nearest_rank, summarize

TZ = "Asia/Shanghai"
DAY = "2026-11-26"


def local(hh: int, mm: int = 0, ss: int = 0, day: int = 26) -> datetime:
    """A moment on the hall's clock (UTC+8), November 2026."""
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=ZoneInfo(TZ))


def tk(number: str, issued: datetime, status: Status, **fields: Any) -> Ticket:
    return Ticket(
        id=f"id-{number}", hall="demo", number=number, service=number[0], priority=False,
        status=status, issued_at=issued, day=DAY, **fields,
    )  # fmt: skip


def served(number: str, window: int, times: tuple[datetime, ...], outcome: Outcome) -> Ticket:
    """Issued, called, finished (and completed, when a fourth time is given) at `window`."""
    issued, called, finished, *completed = times
    if outcome is Outcome.COMPLETED and not completed:
        completed = [finished]
    return tk(
        number, issued, Status.DONE, window=window, outcome=outcome, called_at=called,
        last_called_at=called, finished_at=finished, completed_at=(completed or [None])[0],
    )  # fmt: skip


C, P = Outcome.COMPLETED, Outcome.PENDING
TICKETS = [
    # wait 60, service 300, completed at the window
    served("A001", 1, (local(9), local(9, 1), local(9, 6)), C),
    # wait 180, service 120, pending, completed the same afternoon
    served("A002", 2, (local(9, 2), local(9, 5), local(9, 7), local(16)), C),
    # wait 420, service 600, pending, completed the next day
    served("A003", 1, (local(9, 3), local(9, 10), local(9, 20), local(10, day=27)), C),
    # wait 600, then no-show at window 2
    tk(
        "A004",
        local(9, 4),
        Status.NO_SHOW,
        window=2,
        called_at=local(9, 14),
        finished_at=local(9, 15),
    ),
    # wait 60, service 600, still pending
    served("A006", 1, (local(10), local(10, 1), local(10, 11)), P),
    # wait 720: called at window 1, then transferred to B, waiting again
    tk("B005", local(9, 8), Status.WAITING, called_at=local(9, 20), transfers=1),
    tk("B001", local(9), Status.WAITING),
    tk("B002", local(9, 1), Status.CANCELLED, finished_at=local(9, 30)),
    # wait 1800, service 1200; completed 00:10 local on the 27th = 16:10 UTC on the 26th
    served("B003", 5, (local(23), local(23, 30), local(23, 50), local(0, 10, day=27)), C),
    # wait 600, service 1200; completed 07:30 local on the 26th = 23:30 UTC on the 25th
    served("C001", 7, (local(7), local(7, 10), local(7, 30)), C),
]


def summary(avg: float, p50: float, p90: float, max_: float) -> dict[str, float]:
    return {"avg": avg, "p50": p50, "p90": p90, "max": max_}


def figures(counts: tuple[int, ...], rate: float | None, wait: Any, service: Any) -> Any:
    return {
        **dict(zip(COUNT_FIELDS, counts, strict=True)),
        "same_day_completion_rate": rate,
        "wait_s": wait,
        "service_s": service,
        "estimate": NO_ESTIMATES,  # the hand-built tickets were told no estimate at issue
        "inconsistent": 0,
    }


NO_ESTIMATES = {"n": 0, "mae_s": None, "bias_s": None, "mae_ratio": None}
NONE = dict.fromkeys(("avg", "p50", "p90", "max"))


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5, 5),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.1, 1),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1.0, 10),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.91, 10),
        ([1, 2, 3, 4], 0.5, 2),  # not the interpolated 2.5
        ([1, 2, 3, 4], 0.9, 4),
        ([10, 20, 30], 0.5, 20),
        ([10, 20, 30], 0.01, 10),
        ([7], 0.5, 7),
        ([7], 0.9, 7),
    ],
)
def test_nearest_rank(values: list[float], p: float, expected: float) -> None:
    assert nearest_rank(values, p) == expected


def test_summarize_sorts_and_rounds() -> None:
    assert summarize([30, 10, 20]) == summary(20.0, 20, 30, 30)
    assert summarize([1, 1, 2]) == summary(1.333, 1, 2, 2)
    assert summarize([0.1234, 0.5]) == summary(0.312, 0.123, 0.5, 0.5)


def test_summarize_of_nothing_is_all_null() -> None:
    assert summarize([]) == NONE


def test_day_stats_hall_figures() -> None:
    stats = day_stats(DAY, TICKETS, TZ)
    assert stats["date"] == DAY
    counts = tuple(stats[f] for f in COUNT_FIELDS)
    # issued, called, served, no_show, cancelled, waiting, completed_same_day
    assert counts == (10, 8, 6, 1, 1, 2, 3)
    assert stats["same_day_completion_rate"] == 0.5
    # waits: 60 60 180 420 600 600 720 1800
    assert stats["wait_s"] == summary(555.0, 420, 1800, 1800)
    # services: 120 300 600 600 1200 1200
    assert stats["service_s"] == summary(670.0, 600, 1200, 1200)


def test_day_stats_per_service() -> None:
    per_service = day_stats(DAY, TICKETS, TZ)["per_service"]
    assert list(per_service) == ["A", "B", "C"]
    assert per_service["A"] == figures(
        (5, 5, 4, 1, 0, 0, 2), 0.5, summary(264.0, 180, 600, 600), summary(405.0, 300, 600, 600)
    )
    assert per_service["B"] == figures(
        (4, 2, 1, 0, 1, 2, 0),
        0.0,
        summary(1260.0, 720, 1800, 1800),
        summary(1200, 1200, 1200, 1200),
    )
    assert per_service["C"] == figures(
        (1, 1, 1, 0, 0, 0, 1), 1.0, summary(600, 600, 600, 600), summary(1200, 1200, 1200, 1200)
    )


def test_day_stats_per_window_groups_by_the_window_that_finished() -> None:
    """The transferred B005 (no window now) and the cancelled B002 belong to no window."""
    per_window = day_stats(DAY, TICKETS, TZ)["per_window"]
    assert list(per_window) == ["1", "2", "5", "7"]
    assert per_window["1"] == figures(
        (3, 3, 3, 0, 0, 0, 1), 0.3333, summary(180.0, 60, 420, 420), summary(500.0, 600, 600, 600)
    )
    assert per_window["2"] == figures(
        (2, 2, 1, 1, 0, 0, 1), 1.0, summary(390.0, 180, 600, 600), summary(120, 120, 120, 120)
    )
    assert per_window["5"]["served"] == 1
    assert per_window["5"]["same_day_completion_rate"] == 0.0
    assert per_window["7"]["same_day_completion_rate"] == 1.0


def test_a_ticket_still_at_its_window_belongs_to_no_window_yet() -> None:
    at_window = tk("A007", local(11), Status.CALLED, window=4, called_at=local(11, 2),
                   last_called_at=local(11, 2))  # fmt: skip
    stats = day_stats(DAY, [*TICKETS, at_window], TZ)
    assert "4" not in stats["per_window"]
    assert (stats["issued"], stats["called"], stats["served"]) == (11, 9, 6)
    assert stats["wait_s"]["max"] == 1800


def test_per_window_keys_sort_as_numbers() -> None:
    tickets = [
        served(f"A{n:03d}", n, (local(9), local(9, 1), local(9, 2)), C) for n in (10, 9, 2, 1)
    ]
    assert list(day_stats(DAY, tickets, TZ)["per_window"]) == ["1", "2", "9", "10"]


@pytest.mark.parametrize(
    ("completed", "same_day"),
    [
        (local(23, 59, 59), True),
        (local(0, 10, day=27), False),  # 16:10 UTC on the 26th: same UTC date, next local day
        (local(7, 30), True),  # 23:30 UTC on the 25th: other UTC date, same local day
        (local(0, 0, 0, day=27), False),  # local midnight starts the next day
    ],
)
def test_same_day_is_judged_in_the_hall_timezone(completed: datetime, same_day: bool) -> None:
    ticket = served("A001", 1, (local(7), local(7, 5), local(7, 10), completed), C)
    stats = day_stats(DAY, [ticket], TZ)
    assert stats["completed_same_day"] == int(same_day)
    assert stats["same_day_completion_rate"] == (1.0 if same_day else 0.0)


def test_a_pending_matter_is_served_but_not_completed() -> None:
    ticket = served("A001", 1, (local(9), local(9, 1), local(9, 11)), P)
    stats = day_stats(DAY, [ticket], TZ)
    assert (stats["served"], stats["completed_same_day"]) == (1, 0)
    assert stats["same_day_completion_rate"] == 0.0
    assert stats["service_s"]["max"] == 600


def test_rate_is_null_when_nothing_is_served() -> None:
    tickets = [
        tk("A001", local(9), Status.WAITING),
        tk("A002", local(9), Status.CANCELLED, finished_at=local(9, 3)),
        tk(
            "A003",
            local(9),
            Status.NO_SHOW,
            window=1,
            called_at=local(9, 1),
            finished_at=local(9, 2),
        ),
    ]
    stats = day_stats(DAY, tickets, TZ)
    assert stats["served"] == 0
    assert stats["same_day_completion_rate"] is None
    assert stats["service_s"] == NONE
    assert stats["wait_s"] == summary(60.0, 60, 60, 60)
    assert stats["per_window"]["1"]["same_day_completion_rate"] is None


def test_an_empty_day() -> None:
    stats = day_stats(DAY, [], TZ)
    assert all(stats[f] == 0 for f in COUNT_FIELDS)
    assert stats["same_day_completion_rate"] is None
    assert (stats["wait_s"], stats["service_s"]) == (NONE, NONE)
    assert (stats["per_service"], stats["per_window"]) == ({}, {})


def test_csv_rows_shape() -> None:
    rows = csv_rows(day_stats(DAY, TICKETS, TZ))
    header = rows[0]
    assert header[:3] == ["date", "scope", "key"]
    assert header[3:10] == list(COUNT_FIELDS)
    assert header[10] == "same_day_completion_rate"
    assert header[11:] == [
        f"{g}_{f}" for g in ("wait_s", "service_s") for f in ("avg", "p50", "p90", "max")
    ]
    assert len(rows) == 1 + 1 + 3 + 4
    assert all(len(r) == len(header) == 19 for r in rows)
    assert all(isinstance(c, str) for r in rows for c in r)
    scopes = [(r[1], r[2]) for r in rows[1:]]
    assert scopes == [
        ("hall", ""), ("service", "A"), ("service", "B"), ("service", "C"),
        ("window", "1"), ("window", "2"), ("window", "5"), ("window", "7"),
    ]  # fmt: skip
    assert rows[1][:11] == [DAY, "hall", "", "10", "8", "6", "1", "1", "2", "3", "0.5"]
    assert rows[1][11:15] == ["555.0", "420.0", "1800.0", "1800.0"]


def test_csv_rows_leave_nulls_empty() -> None:
    rows = csv_rows(day_stats(DAY, [tk("A001", local(9), Status.WAITING)], TZ))
    hall = dict(zip(rows[0], rows[1], strict=True))
    assert hall["issued"] == "1"
    assert hall["waiting"] == "1"
    assert hall["same_day_completion_rate"] == ""
    assert hall["wait_s_avg"] == hall["service_s_max"] == ""
    assert len(rows) == 3  # header, hall, service A; no window finished anything


def test_estimate_accuracy_compares_the_wait_told_with_the_actual_one() -> None:
    from dataclasses import replace

    from callnext.domain.stats import estimate_accuracy

    called = [t for t in TICKETS if t.called_at is not None]
    told = [replace(t, est_at_issue_s=300) for t in called[:4]]
    actual = [(t.called_at - t.issued_at).total_seconds() for t in told]  # type: ignore[operator]
    result = estimate_accuracy([*told, *called[4:]])
    mae = sum(abs(a - 300) for a in actual) / 4
    assert result["n"] == 4
    assert result["mae_s"] == round(mae, 3)
    assert result["bias_s"] == round(sum(a - 300 for a in actual) / 4, 3)
    assert result["mae_ratio"] == round(mae / (sum(actual) / 4), 4)
    assert estimate_accuracy([]) == NO_ESTIMATES


# Times that run backwards: a wait and a service time each negative if taken as they are (as a
# simulation stamped over real tickets left them: docs/reports.md, "Inconsistent tickets").
BACKWARDS = [
    # called 10 minutes before its issue
    served("A101", 1, (local(10), local(9, 50), local(9, 55)), C),
    # finished 5 minutes before its call (its wait, 60 s, is sound)
    served("A102", 1, (local(10), local(10, 1), local(9, 56)), C),
]


def test_times_that_run_backwards_count_in_no_duration() -> None:
    """Statistics never show a negative duration: a ticket called before its issue has no
    wait, one finished before its call no service time; each is counted as inconsistent."""
    sound = served("A100", 2, (local(10), local(10, 2), local(10, 7)), C)
    got = day_stats(DAY, [sound, *BACKWARDS], TZ)
    assert got["inconsistent"] == 2
    assert (got["issued"], got["called"], got["served"]) == (3, 3, 3)  # counts keep them
    assert got["wait_s"] == {"avg": 90.0, "p50": 60.0, "p90": 120.0, "max": 120.0}
    assert got["service_s"] == {"avg": 300.0, "p50": 300.0, "p90": 300.0, "max": 300.0}
    for scope in (got, *got["per_service"].values(), *got["per_window"].values()):
        for group in ("wait_s", "service_s"):
            assert all(v is None or v >= 0 for v in scope[group].values()), scope
    assert got["per_window"]["1"]["inconsistent"] == 2
    assert got["per_window"]["2"]["inconsistent"] == 0
    told = [replace(t, est_at_issue_s=0) for t in BACKWARDS]
    assert day_stats(DAY, told, TZ)["estimate"]["n"] == 1  # only A102's wait is sound
    called_early = day_stats(DAY, BACKWARDS[:1], TZ)  # each span is judged on its own
    assert (called_early["wait_s"], called_early["service_s"]) == (NONE, summary(*[300.0] * 4))
