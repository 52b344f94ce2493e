"""Rows to domain values and back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row

from ..domain.availability import Hours, parse_hours
from ..domain.clock import from_micros, to_micros
from ..domain.guide import guide_of_row
from ..domain.model import (
    CallOrder,
    ClosedReason,
    Desk,
    Hall,
    Kiosk,
    Outcome,
    PrintMode,
    Service,
    Status,
    Ticket,
    Window,
    WindowStatus,
)
from .schema import tickets


def ticket_from_row(row: Row[*tuple[Any, ...]] | Mapping[str, Any], hall_code: str) -> Ticket:
    """A ticket from its row (SQLAlchemy's, or a mapping of column names: store/direct.py)."""
    m = row._mapping if isinstance(row, Row) else row
    issued = from_micros(m["issued_at"])
    assert issued is not None
    return Ticket(
        pk=m["pk"],
        id=m["id"],
        hall=hall_code,
        day=m["day"],
        number=m["number"],
        service=m["service"],
        priority=bool(m["priority"]),
        status=Status(m["status"]),
        outcome=Outcome(m["outcome"]) if m["outcome"] else None,
        window=m["window"],
        issued_at=issued,
        called_at=from_micros(m["called_at"]),
        last_called_at=from_micros(m["last_called_at"]),
        finished_at=from_micros(m["finished_at"]),
        completed_at=from_micros(m["completed_at"]),
        recalls=m["recalls"],
        transfers=m["transfers"],
        est_at_issue_s=m["est_at_issue_s"],
        closed_reason=ClosedReason(m["closed_reason"]) if m["closed_reason"] else None,
        queue_at=from_micros(m["queue_at"]),
        slot=from_micros(m["slot_at"]),
    )


def _micros(value: Any) -> int | None:
    return None if value is None else to_micros(value)


def ticket_values(ticket: Ticket) -> dict[str, Any]:
    """The mutable columns of a ticket, for an UPDATE after a lifecycle step."""
    return {
        "service": ticket.service,
        "status": ticket.status.value,
        "outcome": ticket.outcome.value if ticket.outcome else None,
        "window": ticket.window,
        "called_at": _micros(ticket.called_at),
        "last_called_at": _micros(ticket.last_called_at),
        "finished_at": _micros(ticket.finished_at),
        "completed_at": _micros(ticket.completed_at),
        "recalls": ticket.recalls,
        "transfers": ticket.transfers,
        "est_at_issue_s": ticket.est_at_issue_s,
        "closed_reason": ticket.closed_reason.value if ticket.closed_reason else None,
        "slot_at": _micros(ticket.slot),
    }


TICKET_COLUMNS = [c for c in tickets.c if c.name != "hall_id"]


def _hours(text: str | None) -> Hours | None:
    return None if text is None else parse_hours(json.loads(text))


def _desk(window_row: Row[Any]) -> Desk | None:
    w = window_row
    since, until = from_micros(w.desk_since), from_micros(w.desk_until)
    if w.desk_id is None or since is None or until is None:
        return None
    return Desk(
        id=w.desk_id,
        user=w.desk_user or "",
        since=since,
        until=until,
        name=w.desk_name or "",
        staff_no=w.desk_no or "",
    )


def hall_from_rows(
    hall_row: Row[Any],
    service_rows: list[Row[Any]],
    window_rows: list[Row[Any]],
    kiosk_rows: list[Row[Any]],
) -> Hall:
    h = hall_row._mapping
    return Hall(
        id=h["id"],
        code=h["code"],
        name=h["name"],
        name_en=h["name_en"],
        timezone=h["timezone"],
        bind_staff_to_windows=bool(h["bind_staff_to_windows"]),
        config_version=h["config_version"],
        notice=h["notice"],
        notice_en=h["notice_en"],
        hours=_hours(h["hours"]),
        closed_dates=tuple(json.loads(h["closed_dates"])),
        promise_s=h["promise_s"],
        almost_turn_ahead=h["almost_turn_ahead"],
        followup_due_days=h["followup_due_days"],
        trips_window_days=h["trips_window_days"],
        kiosks=tuple(
            Kiosk(
                code=k.code,
                name=k.name,
                print_mode=PrintMode(k.print_mode),
                printer=k.printer,
                key_digest=k.key_digest,
            )
            for k in kiosk_rows
        ),
        services=tuple(
            Service(
                code=s.code,
                name=s.name,
                name_en=s.name_en,
                open=bool(s.open),
                default_service_s=s.default_service_s,
                hours=_hours(s.hours),
                daily_quota=s.daily_quota,
                priority_allowed=bool(s.priority_allowed),
                target_wait_s=s.target_wait_s,
                priority_ratio=s.priority_ratio,
                guide=guide_of_row(s),
                real_name=bool(s.real_name),
                person_daily_limit=s.person_daily_limit,
            )
            for s in service_rows
        ),
        windows=tuple(
            Window(
                number=w.number,
                name=w.name,
                services=tuple(c for c in w.service_codes.split(",") if c),
                status=WindowStatus(w.status),
                pause_reason=w.pause_reason,
                desk=_desk(w),
                acted_at=from_micros(w.acted_at),
                acted_by=w.acted_by,
                call_order=CallOrder(w.call_order),
            )
            for w in window_rows
        ),
    )
