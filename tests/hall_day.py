"""The demo hall's local day (Asia/Shanghai) against the wall clock. Tests that book, check in
or run a simulated span from now depend on the day not ending under them: near the hall's
midnight (16:00 UTC) "45 minutes from now" is tomorrow and today's slots are gone, and just
after it "40 minutes ago" was yesterday. They start their span on a day with room for it, or
skip when they cannot."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from callnext.domain.clock import zone

HALL_ZONE = "Asia/Shanghai"  # the demo hall's


def left_today(now: datetime | None = None) -> timedelta:
    """How long until the hall's next local midnight."""
    local = (now or datetime.now(UTC)).astimezone(zone(HALL_ZONE))
    midnight = datetime.combine(local.date() + timedelta(days=1), time(), local.tzinfo)
    return midnight - local


def start_with_room(span: timedelta, now: datetime | None = None) -> datetime:
    """Now, when `span` fits before the hall's midnight; else a minute past that midnight."""
    now = now or datetime.now(UTC)
    left = left_today(now)
    return now if left > span else now + left + timedelta(minutes=1)


def need_today(span: timedelta, since: timedelta = timedelta(0)) -> None:
    """Skip unless `span` from now ends before the hall's midnight and `since` ago began after
    the last one (the test books or moves things from `since` ago to `span` ahead, all today)."""
    left = left_today()
    if left <= span:
        pytest.skip(f"the hall's day ends in {left}, under the {span} this test needs of it")
    passed = timedelta(days=1) - left  # 23- and 25-hour days are not the demo zone's
    if passed <= since:
        pytest.skip(f"the hall's day began {passed} ago, under the {since} this test needs of it")
