"""One write transaction on one hall: the unit every change goes through.

Opened by Database.hall_write with the hall's row locked (BEGIN IMMEDIATE on SQLite, FOR UPDATE on
PostgreSQL), so the changes to one hall, and its `seq`, are strictly serial. Events emitted here
are stored with the change and handed to the hub only after the commit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Executable, select, update
from sqlalchemy.engine import Connection

from ..domain.availability import Availability
from ..domain.clock import local_day, rfc3339, to_micros
from ..domain.errors import NotFound
from ..domain.model import CallOrder, Hall, Service, Status, Ticket, WindowStatus
from ..domain.numbering import format_number
from ..domain.staffing import serving
from ..live import protocol
from . import desk_sql, direct, queue_sql
from .queue_memo import QueueMemo
from .queue_state import QueueState
from .rows import TICKET_COLUMNS, ticket_from_row, ticket_values
from .schema import halls, tickets, windows
from .ticket_sql import (
    BY_IDEMPOTENCY_KEY,
    CURRENT,
    INSERT_AUDIT,
    INSERT_EVENTS,
    INSERT_IDEMPOTENCY,
    INSERT_TICKET,
    NEXT_NUMBER,
    RECORD_ESTIMATE,
    SAVE_TICKET,
    SET_SEQ,
    SET_SEQ_RETURNING_VERSION,
    WAITING_BEFORE,
)

# The events a staff member causes, audited with their name (hall.updated, followup.changed: by
# their own rows).
AUDITED_EVENTS = protocol.EVENT_NAMES - {
    protocol.HALL_UPDATED,
    protocol.TICKET_ISSUED,
    protocol.FOLLOWUP_CHANGED,
}


@dataclass(slots=True)
class PendingEvent:
    name: str
    ticket: Ticket | None
    window: int | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Published:
    """An event committed to the store, ready for the hub: its seq and its encoded frames
    (`frame` for /ws/v1, `public` for /ws/v2: no ticket ids), each encoded once."""

    hall: str
    seq: int
    frame: str
    public: str


class HallTx:
    """The hall's state inside one locked transaction. Methods are synchronous: no await may
    happen while the hall is locked."""

    def __init__(
        self,
        conn: Connection,
        hall: Hall,
        seq: int,
        now: datetime,
        voice: frozenset[str] = frozenset(),
        reload: Callable[[], Hall] | None = None,
        actor: str | None = None,
        memo: QueueMemo | None = None,
    ) -> None:
        self.conn = conn
        self.actor = (
            actor  # the staff member acting (audited); None: a citizen, a kiosk, the system
        )
        self._audits: list[dict[str, Any]] = []
        self._reload = reload  # reads the hall's configuration again, after a change
        self.voice = voice  # the languages whose announcement audio the frames link
        self.seq = seq
        self.now = now
        self.today = local_day(now, hall.timezone)
        # The queue's figures (issued, means, waiting, estimates), kept exact through each write
        self.queue = QueueState(conn, hall, now, self.today, memo)
        self.hall = hall
        self.config_changed = False
        self.row_version: int | None = None  # PostgreSQL: the hall row's version it wrote, if read
        self._pending: list[PendingEvent] = []
        self._json: dict[Ticket, dict[str, Any]] = {}  # valid until the next write

    @property
    def hall(self) -> Hall:
        return self._hall

    @hall.setter
    def hall(self, hall: Hall) -> None:
        """The hall as this transaction leaves it (reloaded after a settings change)."""
        self._hall = self.queue.hall = hall

    # -- reads inside the transaction -------------------------------------------------------

    def _find(self, *where: ColumnElement[bool]) -> Ticket | None:
        query = select(*TICKET_COLUMNS).where(tickets.c.hall_id == self.hall.id, *where)
        row = self.conn.execute(query).first()
        return ticket_from_row(row, self.hall.code) if row else None

    def ticket(self, ticket_id: str) -> Ticket:
        ticket = self._find(tickets.c.id == ticket_id)
        if ticket is None:
            raise NotFound("ticket_not_found", f"No ticket {ticket_id!r} in this hall.")
        return ticket

    def ticket_by_number(self, number: str) -> Ticket | None:
        """Today's ticket with that number."""
        return self._find(tickets.c.day == self.today, tickets.c.number == number)

    def current(self, window: int) -> Ticket | None:
        """The ticket the window has called and not finished."""
        found = direct.first(self.conn, CURRENT, {"hall_pk": self.hall.id, "window_number": window})
        return ticket_from_row(found, self.hall.code) if found else None

    def next_waiting(
        self, services: tuple[str, ...], order: CallOrder = CallOrder.QUEUE
    ) -> Ticket | None:
        return queue_sql.next_waiting(self.conn, self.hall, services, self.today, order)

    def waiting_before(self, day: str) -> list[Ticket]:
        """Tickets still waiting that were issued before `day` (the rollover's work)."""
        rows = self.conn.execute(WAITING_BEFORE, {"hall_pk": self.hall.id, "day": day})
        return [ticket_from_row(r, self.hall.code) for r in rows]

    def idempotent_ticket(self, key: str) -> tuple[Ticket, str] | None:
        """The ticket an Idempotency-Key already made, with the fingerprint of its request."""
        row = direct.first(self.conn, BY_IDEMPOTENCY_KEY, {"hall_pk": self.hall.id, "key": key})
        if row is None:
            return None
        return ticket_from_row(row, self.hall.code), row["fingerprint"]

    def availability(self, service: Service) -> Availability:
        """Whether `service` issues a ticket now, by its switch, hours, holidays and quota."""
        return self.hall.availability(service, self.queue.issued().get(service.code, 0), self.now)

    def kept_memo(self) -> QueueMemo | None:
        """The queue memo this transaction leaves, for the hall's next (QueueState.kept_memo)."""
        return self.queue.kept_memo()

    def _changed(
        self,
        walk_in: Ticket | None = None,
        left: Ticket | None = None,
        *,
        written: Ticket | None = None,
    ) -> None:
        """A write happened: drop what was computed before it (QueueState.changed)."""
        self._json.clear()
        self.queue.changed(walk_in, left, written=written)

    # -- writes -----------------------------------------------------------------------------

    def next_sequence(self, service: str) -> int:
        """The next number of `service` today: one atomic upsert on the day's counter."""
        upsert = NEXT_NUMBER[self.conn.dialect.name]
        values = {"hall_id": self.hall.id, "service": service, "day": self.today, "last": 1}
        last = int(direct.scalar(self.conn, upsert, values))
        self.queue.numbered(service, last)
        return last

    def insert_ticket(
        self,
        service: str,
        priority: bool,
        *,
        queue_at: datetime | None = None,
        slot: datetime | None = None,
        person: str | None = None,
    ) -> Ticket:
        """A new waiting ticket; `queue_at`: where its place counts from (default: now);
        `slot`: the appointment's slot, for a booked ticket; `person`: a real-name ticket's
        holder (identity.person_key's digest)."""
        number = format_number(service, self.next_sequence(service))
        ticket = Ticket(
            id=secrets.token_urlsafe(16),
            hall=self.hall.code,
            day=self.today,
            number=number,
            service=service,
            priority=priority,
            status=Status.WAITING,
            issued_at=self.now,
            queue_at=queue_at or self.now,
            slot=slot,
        )
        values = ticket_values(ticket) | {
            "id": ticket.id, "hall_id": self.hall.id, "day": ticket.day, "number": number,
            "priority": priority, "issued_at": to_micros(self.now),
            "queue_at": to_micros(queue_at or self.now),
        }  # fmt: skip
        if person is not None:  # only then: the anonymous path's statement stays as it was
            values["person"] = person
        pk = direct.scalar(self.conn, INSERT_TICKET, values)
        ticket = replace(ticket, pk=int(pk))
        walk_in = queue_at is None and slot is None and not priority
        self._changed(ticket if walk_in else None, written=ticket)
        return ticket

    def record_estimate(self, ticket: Ticket, est_wait_s: int) -> None:
        """Keep the estimate given at issue (statistics compare it with the actual wait)."""
        direct.run(self.conn, RECORD_ESTIMATE, {"ticket_pk": ticket.pk, "est": est_wait_s})

    def remember_idempotency(self, key: str, fingerprint: str, ticket: Ticket) -> None:
        values = {"hall_id": self.hall.id, "key": key, "ticket_pk": ticket.pk,
                  "fingerprint": fingerprint, "created_at": to_micros(self.now)}  # fmt: skip
        direct.run(self.conn, INSERT_IDEMPOTENCY, values)

    def save(self, ticket: Ticket) -> Ticket:
        """Write a ticket after a lifecycle step; returns it for chaining."""
        direct.run(self.conn, SAVE_TICKET, {"ticket_pk": ticket.pk, **ticket_values(ticket)})
        # not waiting now: it left the queue, or was not in it; waiting: it came back or moved
        self._changed(left=ticket if ticket.status is not Status.WAITING else None, written=ticket)
        return ticket

    def write_config(self, *statements: Executable) -> None:
        """Change the hall's configuration (hall, service, kiosk rows) with these statements,
        then reload it once: config_version is bumped, so every process drops its copy."""
        for statement in statements:
            self.conn.execute(statement)
        self._bump_config_version()
        if self._reload is not None:
            self.hall = self._reload()
        self._changed()

    def _bump_config_version(self) -> None:
        self.conn.execute(
            update(halls)
            .where(halls.c.id == self.hall.id)
            .values(config_version=halls.c.config_version + 1)
        )
        self.config_changed = True

    def set_window_status(self, number: int, status: WindowStatus, reason: str | None) -> None:
        """Pause or resume a window (configuration too, changed in place: no reload)."""
        statement = (
            update(windows)
            .where(windows.c.hall_id == self.hall.id, windows.c.number == number)
            .values(status=status.value, pause_reason=reason)
        )
        self._change_window(number, statement, status=status, pause_reason=reason)

    def note_action(self, number: int, user: str | None) -> None:
        """Someone without a hold acted at the window: it counts as staffed for a while
        (domain/staffing.py; written at most once a minute per window and user)."""
        statement = desk_sql.note_action(self.hall.id, number, user, self.now)
        self._change_window(number, statement, acted_at=self.now, acted_by=user)

    def _change_window(self, number: int, statement: Executable, **fields: Any) -> None:
        """Run `statement` on a window's row, bump config_version and change the window in
        place (no reload). Estimates are played again if the windows that call changed (one
        paused, resumed, or staffed by an action); not for an action at one that already
        counted as staffed (staffing.serving)."""
        self.conn.execute(statement)
        self._bump_config_version()
        hall, now = self.hall, self.now
        new_windows = tuple(replace(w, **fields) if w.number == number else w for w in hall.windows)
        calling = [serving(w, now) for w in hall.windows] != [serving(w, now) for w in new_windows]
        self.hall = replace(hall, windows=new_windows, config_version=hall.config_version + 1)
        if calling:
            self._changed()

    def emit(self, name: str, ticket: Ticket | None, window: int | None, **extra: Any) -> None:
        """Record an event; it is numbered and stored at commit, and published after."""
        self._pending.append(PendingEvent(name, ticket, window, extra))

    def audit(
        self,
        action: str,
        *,
        window: int | None = None,
        ticket: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record what the actor did (settings changes; staff events are recorded by themselves)."""
        self._audits.append(
            {"hall_id": self.hall.id, "at": to_micros(self.now), "actor": self.actor,
             "action": action, "window": window, "ticket": ticket,
             "detail": protocol.encode(detail or {})}
        )  # fmt: skip

    def _audit_event(self, event: PendingEvent) -> None:
        """A staff event's audit row: what the ticket became (its service, status, outcome)."""
        detail = dict(event.extra)
        number = None
        if event.ticket is not None:
            t = event.ticket
            number = t.number
            detail |= {"service": t.service, "status": t.status.value,
                       "outcome": t.outcome.value if t.outcome else None}  # fmt: skip
        self.audit(event.name, window=event.window, ticket=number, detail=detail)

    def flush_audits(self) -> None:
        """Store the audit rows: the explicit ones, and each event a staff member caused."""
        if self._audits:
            direct.run(self.conn, INSERT_AUDIT, self._audits)
            self._audits.clear()

    def ticket_json(self, ticket: Ticket) -> dict[str, Any]:
        """The API's view of a ticket now (with its place in the queue while it waits)."""
        if ticket not in self._json:
            ahead, est = self.queue.position(ticket)
            late = self.hall.past_closing(ticket.service, self.now, est)
            self._json[ticket] = protocol.ticket_json(ticket, self.hall.timezone, ahead, est, late)
        return self._json[ticket]

    def flush_events(self) -> list[Published]:
        """Number, encode and store the pending events; bump the hall's seq once."""
        if not self._pending:
            return []
        conn, hall = self.conn, self.hall
        q = self.queue
        queues = queue_sql.service_states(
            conn, hall, self.now, q.means(), q.issued(), q.estimates(), q.waiting_counts()
        )
        at = rfc3339(self.now, hall.timezone)
        assert at is not None
        out: list[Published] = []
        rows: list[dict[str, Any]] = []
        for event in self._pending:
            self.seq += 1
            ticket = self.ticket_json(event.ticket) if event.ticket is not None else None
            if self.actor is not None and event.name in AUDITED_EVENTS:
                self._audit_event(event)
            frame = protocol.event_frame(
                self.seq,
                at,
                event.name,
                ticket=ticket,
                window=event.window,
                extra={**event.extra, "queues": queues},
                voice=self.voice,
            )
            text = protocol.encode(frame)
            public = protocol.encode(protocol.public_frame(frame))
            out.append(Published(hall.code, self.seq, text, public))
            rows.append(
                {"hall_id": hall.id, "seq": self.seq, "at": to_micros(self.now),
                 "name": event.name, "frame": text, "public": None if public == text else public}
            )  # fmt: skip
        direct.run(conn, INSERT_EVENTS, rows)
        values = {"hall_pk": hall.id, "new_seq": self.seq}
        if conn.dialect.name == "postgresql":  # and the row version it wrote (kept_queues.py)
            self.row_version = int(direct.scalar(conn, SET_SEQ_RETURNING_VERSION, values))
        else:
            direct.run(conn, SET_SEQ, values)
        self._pending.clear()
        return out


def fingerprint(*parts: object) -> str:
    """A short digest of a request's meaningful fields, to spot a reused idempotency key."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
