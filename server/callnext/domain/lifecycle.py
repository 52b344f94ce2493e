"""A ticket's life: waiting → called → done / no_show / cancelled, and the moves between.

Each function takes a ticket and returns the changed ticket, or raises a DomainError and
changes nothing. No I/O, no clock: the caller passes `now`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from .clock import day_bounds
from .errors import Conflict
from .model import ClosedReason, Finish, Outcome, Status, Ticket, Window, WindowStatus

CALLABLE = (Status.WAITING, Status.NO_SHOW)


def ensure_window_can_call(window: Window) -> None:
    """A paused or closed window calls nobody."""
    if window.status is not WindowStatus.OPEN:
        raise Conflict(
            f"window_{window.status.value}",
            f"Window {window.number} is {window.status.value}; resume it to call tickets.",
        )


def call(ticket: Ticket, window: int, now: datetime) -> Ticket:
    """Call a waiting (or no-show, back again) ticket to `window`."""
    if ticket.status not in CALLABLE:
        raise Conflict(
            "ticket_not_waiting",
            f"Ticket {ticket.number} is {ticket.status.value} and cannot be called.",
        )
    return replace(
        ticket,
        status=Status.CALLED,
        window=window,
        outcome=None,
        called_at=ticket.called_at or now,
        last_called_at=now,
        finished_at=None,
    )


def recall(ticket: Ticket, now: datetime) -> Ticket:
    """Announce the current ticket again."""
    _ensure_called(ticket)
    return replace(ticket, recalls=ticket.recalls + 1, last_called_at=now)


def finish(ticket: Ticket, how: Finish, now: datetime) -> Ticket:
    """Close the ticket at its window: completed, accepted as pending, or no-show."""
    _ensure_called(ticket)
    if how is Finish.NO_SHOW:
        return replace(ticket, status=Status.NO_SHOW, outcome=None, finished_at=now)
    outcome = Outcome(how.value)
    completed_at = now if outcome is Outcome.COMPLETED else None
    return replace(
        ticket, status=Status.DONE, outcome=outcome, finished_at=now, completed_at=completed_at
    )


def transfer(ticket: Ticket, service: str) -> Ticket:
    """Send the current ticket to wait again in another service's queue, keeping its place."""
    _ensure_called(ticket)
    if service == ticket.service:
        raise Conflict("same_service", f"Ticket {ticket.number} is already in service {service}.")
    return replace(
        ticket, status=Status.WAITING, service=service, window=None, transfers=ticket.transfers + 1
    )


def requeue(ticket: Ticket) -> Ticket:
    """Send the current ticket back to wait in its own service's queue, keeping its place (the
    window is left with a citizen called: the next window to call takes them first)."""
    _ensure_called(ticket)
    return replace(ticket, status=Status.WAITING, window=None)


def cancel(ticket: Ticket, now: datetime) -> Ticket:
    """The citizen gives up a ticket that still waits."""
    if ticket.status is not Status.WAITING:
        raise Conflict(
            "ticket_not_waiting",
            f"Ticket {ticket.number} is {ticket.status.value}; only waiting ones can be cancelled.",
        )
    return replace(ticket, status=Status.CANCELLED, finished_at=now)


def expire(ticket: Ticket, now: datetime) -> Ticket:
    """Close a ticket still waiting when its day is over: cancelled, not served."""
    if ticket.status is not Status.WAITING:
        raise Conflict("ticket_not_waiting", f"Ticket {ticket.number} is not waiting.")
    return replace(
        ticket, status=Status.CANCELLED, finished_at=now, closed_reason=ClosedReason.EXPIRED
    )


def as_of(ticket: Ticket, today: str, tz: str) -> Ticket:
    """The ticket as it stands on the hall's local day `today`: one still waiting from an earlier
    day is in no queue any more, and is shown as the day rollover records it, expired at the end
    of its day (the rollover's timer may not have run yet)."""
    if ticket.status is Status.WAITING and ticket.day < today:
        return expire(ticket, day_bounds(ticket.day, tz)[1])
    return ticket


def complete(ticket: Ticket, now: datetime) -> Ticket:
    """A matter accepted as pending at the window is finished later."""
    if ticket.status is not Status.DONE or ticket.outcome is not Outcome.PENDING:
        raise Conflict(
            "ticket_not_pending",
            f"Ticket {ticket.number} has no pending matter to complete.",
        )
    return replace(ticket, outcome=Outcome.COMPLETED, completed_at=now)


def _ensure_called(ticket: Ticket) -> None:
    if ticket.status is not Status.CALLED:
        raise Conflict(
            "ticket_not_called",
            f"Ticket {ticket.number} is {ticket.status.value}, not at a window.",
        )
