"""A staff member's desk: taking a window, leaving it, and what the window's console reads.

Taking a window is a hold, recorded on the window (who, since when, the hold's id, until when:
the session's expiry) and on the session. A session that took a window and lost it (another
session took it over) gets 409 window_taken on that window (windows._acting_window); calls
without a hold act as the contract says. Takes and releases are hall transactions, so the stream
tells every console at once. A hold ends with its session: leaving, logging out, the account
disabled or removed (in the same transaction), or the session's expiry (reads ignore an expired
hold at once, domain/staffing.py; the periodic sweep frees the window and tells the screens).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from ..domain import stats
from ..domain.clock import local_day, local_hhmm, rfc3339, utcnow
from ..domain.errors import Conflict
from ..domain.model import Desk, DeskHold, Hall, Json, Ticket
from ..domain.staffing import acted_recently, live_desk
from ..live import protocol
from ..store import accounts, desk_sql
from ..store.database import Database
from ..store.hall_tx import HallTx
from .windows import window_json, window_or_404

QUEUE_SHOWN = 30  # tickets of the queue a console lists (it shows the total too)


def _still_holds(hall: Hall, held: DeskHold | None, number: int) -> bool:
    window = hall.window(number)
    desk = window.desk if window is not None else None
    return held is not None and held.window == number and desk is not None and desk.id == held.id


def holds(hall: Hall, held: DeskHold | None) -> bool:
    """Whether the session still holds the window it took."""
    return held is not None and _still_holds(hall, held, held.window)


def take_body(
    tx: HallTx, number: int, user: str, token_hash: str, force: bool, held: DeskHold | None,
    until: datetime,
) -> Json:  # fmt: skip
    """Take the window for this session until `until` (when the session expires); 409
    window_in_use while another user's live session holds it, unless `force` (a takeover). The
    same user's other session gives it up without asking (a console opened again after a
    restart or on another PC). A session holds one window: taking one leaves the other."""
    window = window_or_404(tx.hall, number)
    if _still_holds(tx.hall, held, number):
        assert held is not None
        return {"window": window_json(tx, number), "desk": held.id}
    desk = live_desk(window, tx.now)
    if desk is not None and desk.user != user and not force:
        tz = tx.hall.timezone
        message = f"Window {number} is in use by {desk.user} since {local_hhmm(desk.since, tz)}."
        since = rfc3339(desk.since, tz)
        raise Conflict("window_in_use", message, extra={"staff": desk.user, "since": since})
    new_id = secrets.token_hex(8)
    account = accounts.account_row(tx.conn, user)
    name, staff_no = (account.display_name, account.staff_no) if account else ("", "")
    hold = Desk(id=new_id, user=user, since=tx.now, until=until, name=name, staff_no=staff_no)
    statements = [desk_sql.set_window_desk(tx.hall.id, number, hold)]
    left = held.window if held is not None and _still_holds(tx.hall, held, held.window) else None
    if left is not None:
        statements.append(desk_sql.free_window(tx.hall.id, left))
    tx.write_config(*statements)
    desk_sql.remember_hold(tx.conn, token_hash, number, new_id)
    if left is not None:
        tx.emit(protocol.WINDOW_RELEASED, None, left, staff=user)
    taken_from = desk.user if desk is not None else None
    tx.emit(
        protocol.WINDOW_TAKEN,
        None,
        number,
        staff=user,
        desk=new_id,
        taken_from=taken_from,
        staff_name=name or None,
        staff_no=staff_no or None,
    )
    return {"window": window_json(tx, number), "desk": new_id}


def release_body(
    tx: HallTx, number: int, user: str, token_hash: str, held: DeskHold | None
) -> Json:
    """Leave the window this session holds; 409 window_not_held otherwise. Nobody works
    there from now on: the window stops counting in estimates at once."""
    window_or_404(tx.hall, number)
    if not _still_holds(tx.hall, held, number):
        raise Conflict("window_not_held", f"You do not hold window {number}.")
    tx.write_config(desk_sql.free_window(tx.hall.id, number))
    desk_sql.remember_hold(tx.conn, token_hash, None, None)
    tx.emit(protocol.WINDOW_RELEASED, None, number, staff=user)
    return {"window": window_json(tx, number)}


def free_windows(tx: HallTx, numbers: list[int], reason: str) -> None:
    """Free these windows (their holds ended with their sessions, or nobody acted there for
    staffing.ACTED_S): window.released with `reason` for each, in one configuration change."""
    if not numbers:
        return
    gone = {w.number: w for w in tx.hall.windows if w.number in numbers}
    tx.write_config(*(desk_sql.free_window(tx.hall.id, n) for n in numbers))
    for n in numbers:
        w = gone[n]
        tx.emit(protocol.WINDOW_RELEASED, None, n, staff=w.desk.user if w.desk else w.acted_by,
                reason=reason)  # fmt: skip


def end_user_holds(tx: HallTx, user: str, reason: str) -> None:
    """Every session of `user` ends (account disabled, removed, password changed): the
    windows they hold, or acted at without a hold, are free now, in the same transaction."""
    mine = [
        w.number for w in tx.hall.windows
        if (w.desk is not None and w.desk.user == user) or w.acted_by == user
    ]  # fmt: skip
    free_windows(tx, mine, reason)


def logout_body(tx: HallTx, user: str, token_hash: str, held: DeskHold | None) -> None:
    """End the session, and with it the hold it has on a window (and any mark of the user's
    actions there without a hold), in one transaction: screens see the window free."""
    mine = [
        w.number for w in tx.hall.windows
        if (held is not None and w.desk is not None and w.desk.id == held.id)
        or (w.acted_by == user and w.desk is None)
    ]  # fmt: skip
    free_windows(tx, mine, "logout")
    accounts.end_session(tx.conn, token_hash)


def sweep_body(tx: HallTx) -> int:
    """Free the windows whose hold's session has expired, or where nobody acted for
    staffing.ACTED_S (the periodic task: rollover.py); how many."""
    now = tx.now
    expired = [w.number for w in tx.hall.windows if w.desk is not None and w.desk.until <= now]
    idle = [
        w.number for w in tx.hall.windows
        if w.desk is None and w.acted_at is not None and not acted_recently(w, now)
    ]  # fmt: skip
    free_windows(tx, expired, "expired")
    free_windows(tx, idle, "idle")
    return len(expired) + len(idle)


async def take(
    db: Database, hall: str, number: int, user: str, token_hash: str, force: bool,
    held: DeskHold | None, until: datetime,
) -> Json:  # fmt: skip
    body = partial(
        take_body, number=number, user=user, token_hash=token_hash, force=force, held=held,
        until=until,
    )  # fmt: skip
    return await db.hall_write(hall, body, actor=user)


async def release(
    db: Database, hall: str, number: int, user: str, token_hash: str, held: DeskHold | None
) -> Json:
    body = partial(release_body, number=number, user=user, token_hash=token_hash, held=held)
    return await db.hall_write(hall, body, actor=user)


async def logout(
    db: Database, hall: str, user: str, token_hash: str, held: DeskHold | None
) -> None:
    body = partial(logout_body, user=user, token_hash=token_hash, held=held)
    await db.hall_write(hall, body, actor=user)


async def sweep(db: Database, hall: str) -> int:
    """Free a hall's abandoned windows, if any (a cheap read first: most of the time none)."""
    now = utcnow()
    if not await db.run_read(lambda conn: desk_sql.has_lapsed(conn, hall, now)):
        return 0
    return await db.hall_write(hall, sweep_body)


# -- what a console reads -------------------------------------------------------------------


def _queue_item(ticket: Ticket, hall: Hall, now: datetime) -> Json:
    service = hall.service(ticket.service)
    return {
        "number": ticket.number,
        "service": ticket.service,
        "priority": ticket.priority,
        "issued_at": rfc3339(ticket.issued_at, hall.timezone),
        "waited_s": max(0, round((now - ticket.issued_at).total_seconds())),
        "target_wait_s": service.target_wait_s if service is not None else None,
        "transfers": ticket.transfers,
        "booked": ticket.slot is not None,  # a ticket of an appointment (docs/appointments.md)
        "slot": rfc3339(ticket.slot, hall.timezone),
    }


def pending_json(ticket: Ticket, hall: Hall, now: datetime) -> Json:
    """A pending matter: the ticket, when it was accepted, when the promise falls due."""
    accepted = ticket.finished_at or ticket.issued_at
    due = accepted + timedelta(seconds=hall.promise_s)
    return {
        **protocol.ticket_json(ticket, hall.timezone),
        "accepted_at": rfc3339(accepted, hall.timezone),
        "due_at": rfc3339(due, hall.timezone),
        "left_s": round((due - now).total_seconds()),
    }


def _by_window(tickets: list[Ticket]) -> dict[int, list[Ticket]]:
    out: dict[int, list[Ticket]] = {}
    for t in tickets:
        if t.window is not None:
            out.setdefault(t.window, []).append(t)
    return out


async def desk_view(db: Database, hall_code: str, number: int, held: DeskHold | None) -> Json:
    """Everything a window's console shows, from one consistent read."""

    def body(conn: Any) -> Json:
        hall = db.load_hall(conn, hall_code)
        assert hall is not None
        window = window_or_404(hall, number)
        now = utcnow()
        tz = hall.timezone
        day = local_day(now, tz)
        today = desk_sql.day_tickets_at_windows(conn, hall, day)
        mine = _by_window(today).get(number, [])
        current = desk_sql.current_tickets(conn, hall).get(number)
        total, head = desk_sql.window_queue(
            conn, hall, window.services, day, QUEUE_SHOWN, window.call_order
        )
        pending = desk_sql.pending_matters(conn, hall)
        return {
            "now": rfc3339(now, tz),
            "window": protocol.window_json(window, _current_json(current, tz), tz, now),
            "desk": held.id if held is not None and _still_holds(hall, held, number) else None,
            "queue": {
                "waiting": total,
                "tickets": [_queue_item(t, hall, now) for t in head],
                "call_order": window.call_order.value,
            },
            "today": stats.window_day(mine),
            "pending": [pending_json(t, hall, now) for t in pending],
            "promise_s": hall.promise_s,
        }

    return await db.run_read(body)


def _current_json(ticket: Ticket | None, tz: str) -> Json | None:
    return None if ticket is None else protocol.ticket_json(ticket, tz)


async def windows_view(db: Database, hall_code: str) -> Json:
    """Every window of the hall with its holder, current ticket and today's figures."""

    def body(conn: Any) -> Json:
        hall = db.load_hall(conn, hall_code)
        assert hall is not None
        now = utcnow()
        tz = hall.timezone
        grouped = _by_window(desk_sql.day_tickets_at_windows(conn, hall, local_day(now, tz)))
        current = desk_sql.current_tickets(conn, hall)
        out = [
            {**protocol.window_json(w, _current_json(current.get(w.number), tz), tz, now),
             "today": stats.window_day(grouped.get(w.number, []))}
            for w in hall.windows
        ]  # fmt: skip
        return {"now": rfc3339(now, tz), "windows": out}

    return await db.run_read(body)


async def pending_view(db: Database, hall_code: str) -> Json:
    """The hall's pending matters, soonest due first."""

    def body(conn: Any) -> Json:
        hall = db.load_hall(conn, hall_code)
        assert hall is not None
        now = utcnow()
        matters = [pending_json(t, hall, now) for t in desk_sql.pending_matters(conn, hall)]
        return {"now": rfc3339(now, hall.timezone), "promise_s": hall.promise_s,
                "pending": matters}  # fmt: skip

    return await db.run_read(body)
