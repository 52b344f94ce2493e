"""The manager's reports (domain/report.py) on hand-built tickets with hand-computed figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from callnext.domain import report, stats
from callnext.domain.model import ClosedReason, Hall, Outcome, Service, Status, Ticket

TZ = "Asia/Shanghai"
DAY = "2026-11-26"
# A's target is 10 minutes, B's the default 15; C is no longer configured (default target).
HALL = Hall(
    code="demo", name="演示政务服务中心", timezone=TZ, promise_s=3600,
    services=(Service("A", "不动产登记", target_wait_s=600), Service("B", "水电气过户")),
)  # fmt: skip
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo(TZ))


def local(hh: int, mm: int = 0, ss: int = 0, day: int = 26) -> datetime:
    """A moment on the hall's clock (UTC+8), November 2026."""
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=ZoneInfo(TZ))


def tk(number: str, issued: datetime, status: Status, day: str = DAY, **fields: Any) -> Ticket:
    return Ticket(
        id=f"id-{number}", hall="demo", number=number, service=number[0], priority=False,
        status=status, issued_at=issued, day=day, **fields,
    )  # fmt: skip


def done(
    number: str, window: int, issued: datetime, called: datetime, finished: datetime,
    outcome: Outcome, completed: datetime | None = None,
) -> Ticket:  # fmt: skip
    """Finished at `window`: completed there (completed_at = finished_at), or accepted as
    pending (completed later at `completed`, or not yet)."""
    if outcome is Outcome.COMPLETED and completed is None:
        completed = finished
    if completed is not None:
        outcome = Outcome.COMPLETED
    return tk(
        number, issued, Status.DONE, window=window, outcome=outcome, called_at=called,
        last_called_at=called, finished_at=finished, completed_at=completed,
    )  # fmt: skip


C, P = Outcome.COMPLETED, Outcome.PENDING
TICKETS = [
    # wait 1 min, service 5 min, completed at window 1
    done("A001", 1, local(9), local(9, 1), local(9, 6), C),
    # wait 3 min; pending at 9:07, completed 43 min later: the promise kept
    done("A002", 2, local(9, 2), local(9, 5), local(9, 7), P, completed=local(9, 50)),
    # wait exactly the 10-minute target; pending at 9:20, completed 70 min later: late
    done("A003", 1, local(9, 3), local(9, 13), local(9, 20), P, completed=local(10, 30)),
    # wait 16 min, then no-show at window 2
    tk(
        "A004",
        local(9, 4),
        Status.NO_SHOW,
        window=2,
        called_at=local(9, 20),
        last_called_at=local(9, 20),
        finished_at=local(9, 21),
    ),
    # wait 1 min; pending at 10:11, still open at noon: due 11:11, overdue
    done("A006", 1, local(10), local(10, 1), local(10, 11), P),
    # wait exactly 5 min; pending at 11:30, due 12:30: still in time at noon
    done("A007", 2, local(11), local(11, 5), local(11, 30), P),
    # issued 23:50, called 00:05 the next day (wait 15 min), finished then at window 3
    done("A008", 3, local(23, 50), local(0, 5, day=27), local(0, 10, day=27), C),
    tk("B001", local(9), Status.WAITING),  # the longest wait at noon: 3 hours
    tk("B002", local(9, 1), Status.CANCELLED, finished_at=local(9, 30)),
    tk("B003", local(9, 10), Status.WAITING),
    # wait 30 min (over B's 15), service 10 min at window 5
    done("B004", 5, local(9, 5), local(9, 35), local(9, 45), C),
    # still waiting at the day's end: closed by the rollover
    tk(
        "B005",
        local(17),
        Status.CANCELLED,
        finished_at=local(0, 0, 30, day=27),
        closed_reason=ClosedReason.EXPIRED,
    ),
    # wait 60 min (over the default 15 of an unconfigured service), service 10 min
    done("C001", 7, local(8, 50), local(9, 50), local(10), C),
]


def test_the_contract_statistics_are_kept_as_they_are() -> None:
    """The report is the contract's statistics object with fields added, never changed."""
    got = report.day_report(DAY, TICKETS, HALL, NOW)
    want = stats.day_stats(DAY, TICKETS, TZ)
    for name, value in want.items():
        if name == "per_service":
            for code, fig in value.items():
                assert {k: v for k, v in got[name][code].items() if k != "service_level"} == fig
        else:
            assert got[name] == value, name
    assert (got["issued"], got["called"], got["served"]) == (13, 9, 8)
    assert (got["no_show"], got["cancelled"], got["waiting"], got["expired"]) == (1, 2, 2, 1)
    assert got["now"] == "2026-11-26T12:00:00.000+08:00"


def test_service_level_against_each_services_target() -> None:
    """Within target: A001 A002 A003 (exactly 10 min) A006 A007; over: A004, A008 (15 > 10),
    B004 (30 > 15), C001 (60 > the default 15)."""
    got = report.day_report(DAY, TICKETS, HALL, NOW)
    assert got["service_level"] == {"called": 9, "within_target": 5, "rate": 0.5556}
    levels = {code: fig["service_level"] for code, fig in got["per_service"].items()}
    assert levels == {
        "A": {"called": 7, "within_target": 5, "rate": 0.7143},
        "B": {"called": 1, "within_target": 0, "rate": 0.0},
        "C": {"called": 1, "within_target": 0, "rate": 0.0},
    }
    assert report.service_level([TICKETS[7]], HALL) == {
        "called": 0, "within_target": 0, "rate": None,
    }  # fmt: skip


def test_promise_on_pending_matters() -> None:
    """Four matters were accepted as pending: one completed in time, one late, one overdue
    and one still within its hour; the rate is over the three decided."""
    got = report.day_report(DAY, TICKETS, HALL, NOW)["promise_met"]
    assert got == {
        "promise_s": 3600, "pending": 4, "completed_in_time": 1, "completed_late": 1,
        "overdue_open": 1, "open_in_time": 1, "rate": 0.3333,
    }  # fmt: skip


def test_promise_boundaries() -> None:
    """Completed exactly at the due time is in time; open exactly at it is not yet overdue;
    a matter completed at the window is no pending matter; none decided gives a null rate."""
    accepted = local(10)
    due = accepted + timedelta(hours=1)
    on_time = done("A010", 1, local(9), local(9, 30), accepted, P, completed=due)
    open_one = done("A011", 1, local(9), local(9, 30), accepted, P)
    at_window = done("A012", 1, local(9), local(9, 30), accepted, C)
    got = report.promise_met([on_time, open_one, at_window], 3600, due)
    assert (got["pending"], got["completed_in_time"], got["overdue_open"]) == (2, 1, 0)
    assert got["open_in_time"] == 1
    assert report.promise_met([open_one], 3600, due)["rate"] is None
    late = report.promise_met([open_one], 3600, due + timedelta(microseconds=1))
    assert (late["overdue_open"], late["rate"]) == (1, 0.0)


def test_hourly_counts_each_moment_on_its_local_hour_of_the_day() -> None:
    """Arrivals by issue time, calls by first call, served by finish; A008's call and finish
    (after midnight) and B005's expiry belong to the next day."""
    rows = report.hourly(DAY, TICKETS, TZ)
    assert [r["hour"] for r in rows] == list(range(24))
    busy = {r["hour"]: (r["arrivals"], r["calls"], r["served"]) for r in rows if any(
        r[k] for k in ("arrivals", "calls", "served"))}  # fmt: skip
    assert busy == {8: (1, 0, 0), 9: (8, 6, 4), 10: (1, 1, 2), 11: (1, 1, 1), 17: (1, 0, 0),
                    23: (1, 0, 0)}  # fmt: skip


def test_wait_histogram_buckets_include_their_lower_edge() -> None:
    """Waits 1, 3, 10, 16, 1, 5, 15, 30, 60 minutes: 5 goes in 5–10, 60 in 60+."""
    got = report.wait_histogram(TICKETS)
    assert [(b["from_min"], b["to_min"]) for b in got] == [
        (0, 5), (5, 10), (10, 15), (15, 20), (20, 30), (30, 45), (45, 60), (60, None),
    ]  # fmt: skip
    assert [b["count"] for b in got] == [3, 1, 1, 2, 0, 1, 0, 1]


def test_window_throughput_over_the_tickets_each_window_finished() -> None:
    got = report.day_report(DAY, TICKETS, HALL, NOW)["per_window_throughput"]
    assert list(got) == ["1", "2", "3", "5", "7"]
    assert got["1"] == {
        "served": 3, "service_s_avg": 440.0,  # 5, 7 and 10 minutes
        "first_call_at": "2026-11-26T09:01:00.000+08:00",
        "last_finish_at": "2026-11-26T10:11:00.000+08:00",
    }  # fmt: skip
    assert got["2"] == {
        "served": 2, "service_s_avg": 810.0,  # 2 and 25 minutes; the no-show is no service
        "first_call_at": "2026-11-26T09:05:00.000+08:00",
        "last_finish_at": "2026-11-26T11:30:00.000+08:00",
    }  # fmt: skip
    assert got["3"]["first_call_at"] == "2026-11-27T00:05:00.000+08:00"
    assert (got["5"]["served"], got["7"]["service_s_avg"]) == (1, 600.0)


def test_longest_waiting() -> None:
    got = report.day_report(DAY, TICKETS, HALL, NOW)["longest_waiting"]
    assert got == {
        "number": "B001", "service": "B", "issued_at": "2026-11-26T09:00:00.000+08:00",
        "waited_s": 10800,
    }  # fmt: skip
    assert report.longest_waiting(TICKETS[:7], NOW, TZ) is None


def test_an_empty_day() -> None:
    got = report.day_report(DAY, [], HALL, NOW)
    assert got["issued"] == 0
    assert got["service_level"] == {"called": 0, "within_target": 0, "rate": None}
    assert got["promise_met"]["pending"] == 0
    assert got["promise_met"]["rate"] is None
    assert all(r["arrivals"] == r["calls"] == r["served"] == 0 for r in got["hourly"])
    assert sum(b["count"] for b in got["wait_histogram"]) == 0
    assert got["per_window_throughput"] == {}
    assert got["longest_waiting"] is None


# -- over days -----------------------------------------------------------------------------


def test_days_between_and_chunks() -> None:
    assert report.days_between("2026-02-27", "2026-03-02") == [
        "2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02",
    ]  # fmt: skip
    assert report.days_between("2026-03-02", "2026-03-02") == ["2026-03-02"]
    assert report.day_chunks("2026-01-01", "2026-03-05", 31) == [
        ("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-03-03"), ("2026-03-04", "2026-03-05"),
    ]  # fmt: skip
    assert report.day_chunks("2026-01-01", "2026-01-01", 31) == [("2026-01-01", "2026-01-01")]


def test_trend_has_every_day_with_zeros_and_nulls_for_empty_ones() -> None:
    """A three-day range with tickets on the first and the last day only."""
    later = [
        tk("A001", local(9, day=28), Status.WAITING, day="2026-11-28"),
        done("A002", 1, local(9, day=28), local(9, 2, day=28), local(9, 10, day=28), P),
    ]
    later[1] = Ticket(**{**_fields(later[1]), "day": "2026-11-28"})
    days = report.by_day(report.days_between(DAY, "2026-11-28"), [*TICKETS, *later])
    got = report.trend(days, TZ)
    assert [d["date"] for d in got] == [DAY, "2026-11-27", "2026-11-28"]
    first, empty, last = got
    assert (first["issued"], first["served"], first["no_show"]) == (13, 8, 1)
    # A001, A002, A003 (both completed later that day), B004, C001 of 8 served; A008 and the
    # still pending A006, A007 not
    assert first["same_day_completion_rate"] == 0.625
    # waits 1 3 10 16 1 5 15 30 60 min: avg 141/9 min, p90 the 9th smallest
    assert first["wait_s_avg"] == round(141 * 60 / 9, 3)
    assert first["wait_s_p90"] == 3600.0
    assert empty == {
        "date": "2026-11-27", **dict.fromkeys(stats.COUNT_FIELDS, 0),
        "same_day_completion_rate": None, "wait_s_avg": None, "wait_s_p90": None,
        "service_s_avg": None,
    }  # fmt: skip
    assert (last["issued"], last["served"], last["waiting"]) == (2, 1, 1)
    assert (last["same_day_completion_rate"], last["wait_s_avg"]) == (0.0, 120.0)
    assert last["service_s_avg"] == 480.0


def _fields(t: Ticket) -> dict[str, Any]:
    return {name: getattr(t, name) for name in Ticket.__dataclass_fields__}


def test_range_figures_equal_the_figures_of_all_the_tickets() -> None:
    """Fed a day at a time, the range's figures are those of every ticket at once."""
    other = [Ticket(**{**_fields(t), "day": "2026-11-27"}) for t in TICKETS[:6]]
    figures = report.RangeFigures(HALL)
    figures.add(TICKETS)
    figures.add([])
    figures.add(other)
    got = figures.result()
    level = got.pop("service_level")
    everything = stats.figures([*TICKETS, *other], TZ)
    assert got == {name: everything[name] for name in got}
    assert set(got) >= {*stats.COUNT_FIELDS, "same_day_completion_rate", "wait_s", "service_s"}
    assert level == report.service_level([*TICKETS, *other], HALL)
    assert report.RangeFigures(HALL).result()["same_day_completion_rate"] is None


def test_the_report_shows_no_negative_duration_for_times_that_run_backwards() -> None:
    """A ticket called before its issue and one finished before its call (rows a tool wrote
    over): the report, its histogram, throughput, service level and a range's figures count
    them as inconsistent and take no negative duration from them."""
    backwards = [
        done("A201", 1, local(11), local(10, 50), local(10, 55), C),
        done("A202", 1, local(11), local(11, 1), local(10, 58), C),
    ]
    now = local(18)
    got = report.day_report(DAY, [*TICKETS, *backwards], HALL, now)
    assert got["inconsistent"] == 2
    plain = report.day_report(DAY, TICKETS, HALL, now)
    # each span is judged on its own: A201's service (5 min) counts, A202's wait (1 min) too
    spans = {g: [v for t in TICKETS if (v := f(t)) is not None]
             for g, f in (("wait_s", stats.wait_s), ("service_s", stats.service_s))}  # fmt: skip
    assert got["wait_s"] == stats.summarize([*spans["wait_s"], 60.0])
    assert got["service_s"] == stats.summarize([*spans["service_s"], 300.0])
    for group in ("wait_s", "service_s"):
        assert all(v is None or v >= 0 for v in got[group].values())
    assert got["wait_histogram"][0]["count"] == plain["wait_histogram"][0]["count"] + 1  # A202
    throughput = got["per_window_throughput"]["1"]
    assert throughput["service_s_avg"] is None or throughput["service_s_avg"] >= 0
    assert got["service_level"]["within_target"] == plain["service_level"]["within_target"] + 1
    figures = report.RangeFigures(HALL)
    figures.add(backwards)
    result = figures.result()
    assert result["inconsistent"] == 2
    assert (result["wait_s"]["avg"], result["service_s"]["avg"]) == (60.0, 300.0)
