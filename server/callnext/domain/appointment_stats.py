"""The day's appointment figures for the statistics and the report: bookings by outcome, the
no-show rate and the punctuality of service for booked tickets. Pure: callers pass `now`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .appointment import Appointment, CheckinKind, Policy, Status, shown_status

PUNCTUAL_S = 300  # a booked ticket called within 5 min of its slot (or of check-in if later)


def appointment_stats(
    appointments: Sequence[Appointment],
    called_at: Mapping[int, datetime | None],
    now: datetime,
    policy: Policy,
) -> dict[str, Any]:
    """`appointments`: those of one day; `called_at`: each checked-in one's ticket (by ticket
    pk) and when it was first called (None: not yet).

    booked: all made for the day; checked_in / cancelled / missed / pending (still booked,
    window not closed) by status now; on_time / early / late by check-in kind. no_show_rate:
    missed over those whose outcome is known (checked in or missed), null when none.
    punctuality: the share of on-time booked tickets that were called, called within
    PUNCTUAL_S of max(slot start, check-in); mean_delay_s: their mean delay past that moment
    (0 when called before it)."""
    statuses = [shown_status(a, now, policy) for a in appointments]
    count = {s: statuses.count(s) for s in Status}
    kinds = [a.checkin_kind for a in appointments if a.checkin_kind is not None]
    missed, checked_in = count[Status.MISSED], count[Status.CHECKED_IN]
    known = missed + checked_in
    delays = []
    for a in appointments:
        if a.checkin_kind is not CheckinKind.ON_TIME or a.ticket_pk is None:
            continue
        called = called_at.get(a.ticket_pk)
        if called is None or a.checked_in_at is None:
            continue
        due = max(a.start, a.checked_in_at)
        delays.append(max(0.0, (called - due).total_seconds()))
    punctual = sum(1 for d in delays if d <= PUNCTUAL_S)
    return {
        "booked": len(appointments),
        "checked_in": checked_in,
        "on_time": kinds.count(CheckinKind.ON_TIME),
        "early": kinds.count(CheckinKind.EARLY_WALK_IN),
        "late": kinds.count(CheckinKind.LATE_WALK_IN),
        "cancelled": count[Status.CANCELLED],
        "missed": missed,
        "pending": count[Status.BOOKED],
        "no_show_rate": round(missed / known, 4) if known else None,
        "punctuality": round(punctual / len(delays), 4) if delays else None,
        "mean_delay_s": round(sum(delays) / len(delays), 1) if delays else None,
        "punctual_within_s": PUNCTUAL_S,
    }
