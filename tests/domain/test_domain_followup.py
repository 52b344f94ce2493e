"""The follow-up of a dissatisfied rating (domain/followup.py), pure: its states and the
transitions it refuses, due dates in working days, overdue, notes, the day's counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callnext.domain import followup
from callnext.domain.errors import Conflict, Invalid
from callnext.domain.followup import Followup, State

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)
ACCOUNTS = ("manager", "w1")


def opened(due: str = "2026-12-09") -> Followup:
    return Followup(id=7, state=State.OPEN, opened_at=NOW, due=due, updated_at=NOW)


# -- due dates ----------------------------------------------------------------------------


def test_due_in_working_days_skips_weekends() -> None:
    assert followup.due_date("2026-12-02", 5, ()) == "2026-12-09"  # Wed → next Wed
    assert followup.due_date("2026-12-04", 1, ()) == "2026-12-07"  # Fri → Mon
    assert followup.due_date("2026-12-05", 1, ()) == "2026-12-07"  # rated on a Saturday
    assert followup.due_date("2026-12-06", 5, ()) == "2026-12-11"  # Sun → Fri


def test_due_skips_the_halls_closed_dates() -> None:
    holidays = ("2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07")
    # rated on 30 September (Wed): 10-01 Thu … 10-07 closed, 10-03/04 a weekend
    assert followup.due_date("2026-09-30", 1, holidays) == "2026-10-08"
    assert followup.due_date("2026-09-30", 5, holidays) == "2026-10-14"


def test_overdue_is_past_the_due_day_and_not_closed() -> None:
    f = opened("2026-12-09")
    assert not followup.is_overdue(f, "2026-12-09")  # the due day itself is in time
    assert followup.is_overdue(f, "2026-12-10")
    closed = followup.resolve(f, "道歉并加急办结", "manager", LATER)
    assert not followup.is_overdue(closed, "2026-12-30")


# -- the state machine ---------------------------------------------------------------------


def test_open_contacted_resolved() -> None:
    f = followup.assign(opened(), "w1", ACCOUNTS, NOW)
    assert (f.assignee, f.state) == ("w1", State.OPEN)
    f = followup.contact(f, "已电话联系", LATER)
    assert (f.state, f.contacted_at, f.note) == (State.CONTACTED, LATER, "已电话联系")
    f = followup.assign(f, "manager", ACCOUNTS, LATER)  # reassigned while contacted
    f = followup.resolve(f, "已重新办理", "manager", LATER)
    assert (f.state, f.closed_at, f.closed_by, f.note) == (
        State.RESOLVED, LATER, "manager", "已重新办理")  # fmt: skip
    assert f.closed


def test_unreachable_from_open_keeps_an_optional_note() -> None:
    f = followup.unreachable(opened(), None, "manager", LATER)
    assert (f.state, f.note, f.closed_by) == (State.UNREACHABLE, None, "manager")
    f = followup.unreachable(opened(), "三次未接通", "manager", LATER)
    assert f.note == "三次未接通"


@pytest.mark.parametrize(
    "act",
    [
        lambda f: followup.assign(f, "w1", ACCOUNTS, LATER),
        lambda f: followup.contact(f, None, LATER),
        lambda f: followup.resolve(f, "again", "manager", LATER),
        lambda f: followup.unreachable(f, None, "manager", LATER),
    ],
)
def test_a_closed_followup_refuses_every_action(act: object) -> None:
    for closed in (followup.resolve(opened(), "done", "manager", NOW),
                   followup.unreachable(opened(), None, "manager", NOW)):  # fmt: skip
        with pytest.raises(Conflict) as refused:
            act(closed)  # type: ignore[operator]
        assert refused.value.code == "followup_closed"
        assert "already closed" in refused.value.message


def test_contacted_twice_or_then_unreachable_is_refused() -> None:
    f = followup.contact(opened(), None, NOW)
    with pytest.raises(Conflict) as twice:
        followup.contact(f, None, LATER)
    assert twice.value.code == "already_contacted"
    with pytest.raises(Conflict) as then:
        followup.unreachable(f, None, "manager", LATER)
    assert then.value.code == "already_contacted"


def test_assign_only_to_the_halls_accounts_or_nobody() -> None:
    with pytest.raises(Invalid) as refused:
        followup.assign(opened(), "stranger", ACCOUNTS, NOW)
    assert refused.value.code == "unknown_assignee"
    f = followup.assign(followup.assign(opened(), "w1", ACCOUNTS, NOW), None, ACCOUNTS, LATER)
    assert f.assignee is None


# -- notes and the setting -----------------------------------------------------------------


def test_notes() -> None:
    assert followup.parse_note("  已解决 ", required=True) == "已解决"
    assert followup.parse_note("   ", required=False) is None
    assert followup.parse_note(None, required=False) is None
    for bad, code in ((None, "missing_note"), ("  ", "missing_note"), (5, "bad_note"),
                      ("x" * (followup.MAX_NOTE + 1), "bad_note")):  # fmt: skip
        with pytest.raises(Invalid) as refused:
            followup.parse_note(bad, required=True)
        assert refused.value.code == code


@pytest.mark.parametrize("bad", [0, 31, True, "5", 2.5, None])
def test_due_days_setting_is_1_to_30(bad: object) -> None:
    assert followup.parse_due_days(1) == 1
    assert followup.parse_due_days(30) == 30
    with pytest.raises(Invalid) as refused:
        followup.parse_due_days(bad)
    assert refused.value.code == "bad_followup_due_days"


# -- the day's counts ----------------------------------------------------------------------


def test_day_counts() -> None:
    f = opened("2026-12-03")
    rows = [
        (f, "2026-12-01", None),  # open, due the 3rd: overdue on the 4th
        (opened("2026-12-11"), "2026-12-04", "2026-12-04"),  # opened, closed the 4th: in time
        (f, "2026-12-01", "2026-12-04"),  # closed on the 4th, late
        (f, "2026-12-01", "2026-12-05"),  # still open at the end of the 4th: overdue then
        (f, "2026-12-05", None),  # opened after the day: not counted
    ]
    counts = followup.day_counts("2026-12-04", rows)
    assert counts.json() == {"opened": 1, "closed_in_time": 1, "closed_late": 1, "overdue": 2}
    assert followup.day_counts("2026-12-03", rows).overdue == 0  # the due day is in time
