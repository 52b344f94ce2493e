"""When a service issues tickets: switch, holidays, weekly hours, quota (pure, no I/O)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from callnext.domain.availability import (
    Availability,
    Closed,
    availability,
    availability_json,
    closing_today,
    hours_json,
    parse_dates,
    parse_hours,
    parse_quota,
    past_closing,
)
from callnext.domain.errors import Invalid

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS = {"mon": ["09:00-12:00", "13:30-17:00"], "tue": ["09:00-17:00"], "sat": ["09:00-12:00"]}


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=SHANGHAI)


def state(now: datetime, **kw: object) -> Availability:
    args: dict[str, object] = {
        "switched_on": True, "hours": parse_hours(WEEKDAYS), "closed_dates": (),
        "quota": None, "issued_today": 0, "local_now": now,
    }  # fmt: skip
    args.update(kw)
    return availability(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "hhmm", "open_", "opens_at", "closes_at"),
    [
        ("2026-11-23", "08:59", False, "09:00", None),  # Monday, before the morning
        ("2026-11-23", "09:00", True, None, "12:00"),  # the first minute is open
        ("2026-11-23", "11:59", True, None, "12:00"),
        ("2026-11-23", "12:00", False, "13:30", None),  # the end is exclusive: lunch
        ("2026-11-23", "13:30", True, None, "17:00"),
        ("2026-11-23", "17:00", False, None, None),  # closed for the day
        ("2026-11-24", "16:59", True, None, "17:00"),  # Tuesday
        ("2026-11-25", "10:00", False, None, None),  # Wednesday: not in the schedule
        ("2026-11-29", "10:00", False, None, None),  # Sunday
        ("2026-11-28", "10:00", True, None, "12:00"),  # Saturday morning
    ],
)
def test_weekly_hours(day: str, hhmm: str, open_: bool, opens_at: str, closes_at: str) -> None:
    s = state(at(day, hhmm))
    assert (s.open, s.opens_at, s.closes_at) == (open_, opens_at, closes_at)
    assert s.closed is (None if open_ else Closed.OUTSIDE_HOURS)


def test_no_hours_means_always_open() -> None:
    assert state(at("2026-11-29", "03:00"), hours=None).open


def test_the_switch_wins_over_everything() -> None:
    s = state(at("2026-11-23", "10:00"), switched_on=False, quota=5, issued_today=5)
    assert (s.open, s.closed, s.remaining) == (False, Closed.CLOSED, 0)


def test_a_closed_date_closes_the_day() -> None:
    s = state(at("2026-10-01", "10:00"), hours=None, closed_dates=("2026-10-01",))
    assert (s.open, s.closed) == (False, Closed.HOLIDAY)
    assert state(at("2026-10-02", "10:00"), hours=None, closed_dates=("2026-10-01",)).open


def test_quota_counts_down_then_closes() -> None:
    now = at("2026-11-23", "10:00")
    assert state(now, quota=3, issued_today=2).remaining == 1
    full = state(now, quota=3, issued_today=3)
    assert (full.open, full.closed, full.remaining) == (False, Closed.QUOTA_REACHED, 0)
    assert state(now, quota=0).closed is Closed.QUOTA_REACHED  # a quota of 0: none today
    assert state(now, quota=None, issued_today=10_000).open


def test_outside_hours_is_said_before_quota() -> None:
    """At 08:00 with the quota used up the kiosk says it opens at 09:00 (the truer reason
    comes from hours; the quota still shows 0 remaining)."""
    s = state(at("2026-11-23", "08:00"), quota=1, issued_today=1)
    assert (s.closed, s.opens_at, s.remaining) == (Closed.OUTSIDE_HOURS, "09:00", 0)


@pytest.mark.parametrize(
    ("now", "closed_dates", "next_open"),
    [
        (at("2026-11-23", "07:30"), (), "2026-11-23T09:00"),  # Monday before the morning
        (at("2026-11-23", "12:30"), (), "2026-11-23T13:30"),  # lunch: the afternoon
        (at("2026-11-23", "17:00"), (), "2026-11-24T09:00"),  # over: Tuesday morning
        (at("2026-11-24", "18:00"), (), "2026-11-28T09:00"),  # Tue evening: Wed-Fri shut
        (at("2026-11-28", "12:00"), (), "2026-11-30T09:00"),  # Saturday noon: Monday
        (at("2026-11-29", "10:00"), ("2026-11-30",), "2026-12-01T09:00"),  # Monday a holiday
        (at("2026-11-30", "10:00"), ("2026-11-30",), "2026-12-01T09:00"),  # today a holiday
    ],
)
def test_next_opening_while_closed(
    now: datetime, closed_dates: tuple[str, ...], next_open: str
) -> None:
    """Outside hours and on a closed date the screens say when tickets are next issued."""
    s = state(now, closed_dates=closed_dates)
    assert not s.open
    assert s.next_open == datetime.fromisoformat(next_open).replace(tzinfo=SHANGHAI)
    assert availability_json(s)["next_open_at"] == f"{next_open}:00.000+08:00"


def test_next_opening_after_the_quota_and_never_for_the_switch() -> None:
    """Numbers used up: tomorrow's first span; switched off or open: none; nothing within
    the look-ahead (every day closed): none."""
    full = state(at("2026-11-23", "10:00"), quota=1, issued_today=1)
    assert full.next_open == at("2026-11-24", "09:00")
    assert state(at("2026-11-23", "07:00"), switched_on=False).next_open is None
    assert state(at("2026-11-23", "10:00")).next_open is None
    assert availability_json(state(at("2026-11-23", "10:00")))["next_open_at"] is None
    shut = state(at("2026-11-23", "18:00"), hours=parse_hours({}))
    assert (shut.open, shut.next_open) == (False, None)
    holiday = state(at("2026-10-01", "10:00"), hours=None, closed_dates=("2026-10-01",))
    assert holiday.next_open == at("2026-10-02", "00:00")


def test_hours_round_trip_and_normalise() -> None:
    hours = parse_hours({"mon": ["13:30-17:00", "09:00-12:00"], "fri": ["08:30-24:00"]})
    assert hours_json(hours) == {
        "mon": ["09:00-12:00", "13:30-17:00"], "tue": [], "wed": [], "thu": [],
        "fri": ["08:30-24:00"], "sat": [], "sun": [],
    }  # fmt: skip
    assert parse_hours(hours_json(hours)) == hours
    assert parse_hours(None) is None
    assert hours_json(None) is None


@pytest.mark.parametrize(
    "bad",
    [
        [], "09:00-17:00", {"monday": ["09:00-17:00"]}, {"mon": "09:00-17:00"},
        {"mon": ["9:00-17:00"]}, {"mon": ["09:00-09:00"]}, {"mon": ["17:00-09:00"]},
        {"mon": ["09:00-12:00", "11:00-13:00"]}, {"mon": ["24:00-24:30"]}, {"mon": ["09:60-10:00"]},
        {"mon": ["09:00-24:01"]}, {"mon": [None]}, {"mon": ["09:00-10:00"] * 9},
    ],
)  # fmt: skip
def test_bad_hours_are_refused(bad: object) -> None:
    with pytest.raises(Invalid) as err:
        parse_hours(bad)
    assert err.value.code == "bad_hours"


def test_quota_and_dates_parse_strictly() -> None:
    assert parse_quota(None) is None
    assert parse_quota(0) == 0
    assert parse_quota(200) == 200
    for bad in (-1, 1.5, "10", True, 10**9):
        with pytest.raises(Invalid):
            parse_quota(bad)
    assert parse_dates(["2026-10-02", "2026-10-01", "2026-10-01"]) == ("2026-10-01", "2026-10-02")
    for bad_dates in ("2026-10-01", ["2026-13-01"], ["2026-1-1"], [20261001], ["x" * 10]):
        with pytest.raises(Invalid):
            parse_dates(bad_dates)


def test_closing_today_is_the_end_of_the_days_last_span() -> None:
    """2026-11-30 is a Monday (09:00-12:00, 13:30-17:00): before lunch, the day still closes at
    17:00; after 17:00, and on a day with no hours, there is no closing left; no hours at all
    (always open): none either."""
    hours = parse_hours(WEEKDAYS)
    assert closing_today(hours, at("2026-11-30", "10:00")) == at("2026-11-30", "17:00")
    assert closing_today(hours, at("2026-11-30", "17:00")) is None
    assert closing_today(hours, at("2026-12-03", "10:00")) is None  # a Thursday: no hours
    assert closing_today(None, at("2026-11-30", "10:00")) is None
    late = parse_hours({"mon": ["20:00-24:00"]})
    assert closing_today(late, at("2026-11-30", "23:00")) == at("2026-12-01", "00:00")


@pytest.mark.parametrize(
    ("hhmm", "wait_s", "expected"),
    [
        ("10:00", 7 * 3600, False),  # 17:00 exactly: still served
        ("10:00", 7 * 3600 + 1, True),
        ("11:50", 20 * 60, False),  # past the lunch break, but served in the afternoon
        ("16:50", 9 * 60 * 60, True),
        ("16:50", None, False),  # no estimate: no claim
    ],
)
def test_past_closing(hhmm: str, wait_s: int | None, expected: bool) -> None:
    hours = parse_hours(WEEKDAYS)
    assert past_closing(hours, at("2026-11-30", hhmm), wait_s) is expected
    assert past_closing(None, at("2026-11-30", hhmm), wait_s) is False
