"""The follow-up of a dissatisfied rating (差评回访): every rating of 1 or 2 opens one, due a
number of working days after the rating's hall-local date; someone of the hall is assigned,
contacts the citizen, and closes it as resolved (with a note of what was done) or unreachable.
Pure: callers pass today, the hall's closed dates and `now`."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from .errors import Conflict, Invalid

DEFAULT_DUE_DAYS = 5  # the hall's followup_due_days by default: a working week
DUE_DAYS_RANGE = (1, 30)
MAX_NOTE = 500
SATURDAY = 5  # date.weekday(): Saturday 5, Sunday 6


class State(enum.StrEnum):
    OPEN = "open"  # opened with the rating, nobody has reached the citizen yet
    CONTACTED = "contacted"  # the citizen was reached; the matter is being put right
    RESOLVED = "resolved"  # closed: what was done is in the note
    UNREACHABLE = "unreachable"  # closed: the citizen could not be reached


CLOSED = frozenset({State.RESOLVED, State.UNREACHABLE})
# The list's filters: open (not closed, overdue or not), overdue, closed, all.
FILTERS = ("open", "overdue", "closed", "all")


@dataclass(frozen=True, slots=True)
class Followup:
    """A follow-up's own fields; the rating it follows is read beside it."""

    id: int
    state: State
    opened_at: datetime
    due: str  # the last hall-local day (YYYY-MM-DD) to close it in time
    updated_at: datetime
    assignee: str | None = None
    note: str | None = None
    contacted_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def closed(self) -> bool:
        return self.state in CLOSED


def is_working_day(day: date, closed_dates: Iterable[str]) -> bool:
    return day.weekday() < SATURDAY and day.isoformat() not in set(closed_dates)


def due_date(rated_day: str, days: int, closed_dates: Iterable[str]) -> str:
    """`days` working days after `rated_day` (the rating's hall-local date, not counted):
    Saturdays, Sundays and the hall's closed dates (its holidays) are skipped."""
    closed = frozenset(closed_dates)
    day, left = date.fromisoformat(rated_day), days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, closed):
            left -= 1
    return day.isoformat()


def is_overdue(followup: Followup, today: str) -> bool:
    """Not closed, and the hall's day is past its due date."""
    return not followup.closed and today > followup.due


def closed_in_time(followup: Followup, closed_day: str | None) -> bool:
    """Closed (resolved or unreachable) on or before its due date (`closed_day`: hall-local)."""
    return followup.closed and closed_day is not None and closed_day <= followup.due


def parse_due_days(value: object) -> int:
    """The hall's followup_due_days: working days to close a follow-up, 1–30."""
    low, high = DUE_DAYS_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(
            "bad_followup_due_days",
            f"followup_due_days must be a whole number of working days {low}–{high}.",
        )
    return value


def parse_note(value: Any, *, required: bool) -> str | None:
    """A note: trimmed, at most MAX_NOTE characters; blank is none (400 missing_note when one
    is required, bad_note when it is not text or too long)."""
    if value is not None and (not isinstance(value, str) or "\x00" in value):
        raise Invalid("bad_note", "note must be text (no NUL).")
    if value is not None and len(value.strip()) > MAX_NOTE:
        raise Invalid("bad_note", f"A note is at most {MAX_NOTE} characters.")
    note = value.strip() if value else None
    if required and not note:
        raise Invalid("missing_note", "Resolving a follow-up needs a note of what was done.")
    return note or None


def _not_closed(followup: Followup, doing: str) -> None:
    if followup.closed:
        raise Conflict(
            "followup_closed",
            f"Follow-up {followup.id} is already closed ({followup.state.value}): "
            f"it cannot be {doing}.",
        )


def assign(followup: Followup, assignee: str | None, accounts: Iterable[str],
           now: datetime) -> Followup:  # fmt: skip
    """Give it to one of the hall's accounts (None: to nobody), at any time before it closes."""
    _not_closed(followup, "assigned")
    if assignee is not None and assignee not in set(accounts):
        raise Invalid("unknown_assignee", f"{assignee[:64]!r} is not an account of this hall.")
    return replace(followup, assignee=assignee, updated_at=now)


def contact(followup: Followup, note: str | None, now: datetime) -> Followup:
    """The citizen was reached: open → contacted (the note, if any, replaces the last)."""
    if followup.state is State.CONTACTED:
        raise Conflict("already_contacted", f"Follow-up {followup.id} is already contacted.")
    _not_closed(followup, "marked contacted")
    return replace(
        followup, state=State.CONTACTED, contacted_at=now, updated_at=now,
        note=note if note is not None else followup.note,
    )  # fmt: skip


def resolve(followup: Followup, note: str, actor: str | None, now: datetime) -> Followup:
    """Closed as resolved, with a note of what was done (from open or contacted)."""
    _not_closed(followup, "resolved")
    return _close(followup, State.RESOLVED, note, actor, now)


def unreachable(followup: Followup, note: str | None, actor: str | None,
                now: datetime) -> Followup:  # fmt: skip
    """Closed: the citizen could not be reached (a note optional). Once contacted, the citizen
    was reached: such a follow-up is resolved, never unreachable."""
    _not_closed(followup, "closed as unreachable")
    if followup.state is State.CONTACTED:
        raise Conflict(
            "already_contacted",
            f"Follow-up {followup.id} was contacted: resolve it with a note instead.",
        )
    return _close(followup, State.UNREACHABLE, note, actor, now)


def _close(followup: Followup, state: State, note: str | None, actor: str | None,
           now: datetime) -> Followup:  # fmt: skip
    return replace(
        followup, state=state, closed_at=now, closed_by=actor, updated_at=now,
        note=note if note is not None else followup.note,
    )  # fmt: skip


ACTIONS = ("assign", "contacted", "resolve", "unreachable")


@dataclass(frozen=True, slots=True)
class DayCounts:
    """A day's follow-up figures (docs/reports.md): opened that day; closed that day, in time
    or late; overdue at the day's end (open after their due date)."""

    opened: int = 0
    closed_in_time: int = 0
    closed_late: int = 0
    overdue: int = 0

    def json(self) -> dict[str, int]:
        return {"opened": self.opened, "closed_in_time": self.closed_in_time,
                "closed_late": self.closed_late, "overdue": self.overdue}  # fmt: skip


def day_counts(day: str, days_of: Iterable[tuple[Followup, str, str | None]]) -> DayCounts:
    """The figures of `day` from (follow-up, its opened day, its closed day) triples, the days
    hall-local. Overdue at the end of `day`: opened by then, due before it, not closed by then."""
    opened = in_time = late = overdue = 0
    for f, opened_day, closed_day in days_of:
        opened += opened_day == day
        if closed_day == day:
            in_time += closed_day <= f.due
            late += closed_day > f.due
        still_open = closed_day is None or closed_day > day
        overdue += opened_day <= day and f.due < day and still_open
    return DayCounts(opened, in_time, late, overdue)
