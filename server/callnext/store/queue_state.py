"""The queue as one hall transaction sees it: the numbers each service issued today, recent
service times, the waiting tickets' counts and everyone's estimated wait. Each is read once and
kept exact through the transaction's writes (`changed`); on SQLite the waiting tickets and
their estimates are carried to the hall's next transaction in a QueueMemo (queue_memo.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.engine import Connection

from ..domain.estimate import Estimates
from ..domain.model import Hall, Status, Ticket
from . import queue_sql
from .queue_memo import QueueMemo


class QueueState:
    """The queue's figures inside one HallTx; `hall` is kept current by the HallTx (a settings
    change reloads it)."""

    def __init__(
        self, conn: Connection, hall: Hall, now: datetime, today: str, memo: QueueMemo | None
    ) -> None:
        self.conn = conn
        self.hall = hall
        self.now = now
        self.today = today
        self._issued: dict[str, int] | None = None
        self._means: dict[str, float] | None = None
        self._stale_means: set[str] = set()  # services whose recent times may have changed
        self._memo = memo  # the waiting tickets and their estimates; None: to be read again
        self._waiting: dict[str, int] | None = None  # valid until the next write
        self._last_walk_in: int | None = None  # the pk of a walk-in at the queue's end
        self.played = False  # whether this transaction played the queue itself
        if memo is not None:
            if memo.estimates is not None:  # the means they were played with are still true
                self._means = dict(memo.estimates.means)
            self._issued = dict(memo.issued) if memo.issued is not None else None

    def issued(self) -> dict[str, int]:
        """The numbers each service gave out today (read once; `numbered` keeps it)."""
        if self._issued is None:
            self._issued = queue_sql.issued_counts(self.conn, self.hall, self.today)
        return self._issued

    def numbered(self, service: str, last: int) -> None:
        """`service` just gave out its number `last`."""
        if self._issued is not None:
            self._issued[service] = last

    def means(self) -> dict[str, float]:
        """Recent mean service time per service today (read once per transaction)."""
        if self._means is None:
            self._means = queue_sql.mean_service_s(self.conn, self.hall, self.today)
        elif self._stale_means:
            stale, self._stale_means = self._stale_means, set()
            fresh = queue_sql.mean_service_s(self.conn, self.hall, self.today, stale)
            self._means = {**self._means, **fresh}
        return self._means

    def estimates(self) -> Estimates:
        """Everyone's estimated wait, and a new ticket's, as the queue stands now: the latest
        play, moved on by the time since it was made (a forecast: queue_memo.py)."""
        memo = self._played()
        assert memo.estimates is not None
        assert memo.at is not None
        return memo.estimates.moved_on((self.now - memo.at).total_seconds())

    def waiting_counts(self) -> dict[str, int]:
        """Waiting tickets per service."""
        if self._memo is not None:
            return dict(self._memo.waiting)
        if self._waiting is None:
            self._waiting = queue_sql.waiting_counts(self.conn, self.hall, self.today)
        return self._waiting

    def position(self, ticket: Ticket) -> tuple[int | None, int | None]:
        """(ahead, est_wait_s); a walk-in just put at the queue's end is behind every waiting
        ticket of its service, so no count is needed."""
        if ticket.status is not Status.WAITING or ticket.day != self.today:
            return None, None  # in no queue: nothing to count or play
        if ticket.pk is not None and ticket.pk == self._last_walk_in and self._memo is not None:
            ahead = self._memo.waiting[ticket.service] - 1
            return ahead, self.estimates().for_ticket(ticket.pk)
        return queue_sql.position(self.conn, self.hall, ticket, self.estimates(), self.now)

    def _played(self) -> QueueMemo:
        memo = self._memo
        if memo is None or memo.estimates is None:  # played again, from the memo's tickets
            memo = queue_sql.play_queue(self.conn, self.hall, self.now, self.means(), memo)
            self._memo = memo
            self.played = True
        return memo

    def kept_memo(self) -> QueueMemo | None:
        """The memo of the state the transaction leaves, if it has one (Database keeps it for
        the hall's next transaction)."""
        if self._memo is None:
            return None
        return replace(self._memo, issued=dict(self.issued()))

    def changed(
        self,
        walk_in: Ticket | None = None,
        left: Ticket | None = None,
        *,
        written: Ticket | None = None,
    ) -> None:
        """A write happened: drop what was computed from the state before it. A walk-in that
        joins the queue's end extends the memo, and a ticket that is not waiting (any more)
        leaves it; any other write drops it. Every write but a walk-in may have finished a
        ticket, so recent service times are read again: those of the `written` ticket's service
        (a ticket's row counts only in its own service's), or of every service."""
        self._waiting = None
        memo, self._last_walk_in = self._memo, None
        if walk_in is None:
            if written is None:
                self._means, self._stale_means = None, set()
            else:
                self._stale_means.add(written.service)
        if memo is None:
            return
        if walk_in is not None and memo.takes_walk_in(walk_in.queued_at):
            self._memo = memo.with_walk_in(walk_in.pk, walk_in.service, walk_in.queued_at)
            self._last_walk_in = walk_in.pk
        else:
            self._memo = memo.without(left.pk) if left is not None else None
