"""What a hall's queue was computed to be, carried from one transaction to the next
(kept_queues.py keeps one per hall, for the seq and config_version it is true of).

Issuing or calling needs everyone's estimated wait (the queue played forward), the waiting count
of each service and the numbers given out today. Read and played again from the database, they
cost time in proportion to the queue: at 2,000 waiting, most of a transaction's time. So the
memo keeps the waiting tickets themselves, in queue order, and follows each change exactly:

- a walk-in that joins the end is appended, and its estimates are extended with
  `domain.estimate.extend` (exactly what a replay gives);
- a ticket that leaves the queue (called, cancelled, expired), or a window's finish, is taken
  out; the estimates are kept as a forecast, moved on by the time since (`changes` counts the
  changes it did not foresee), until a play off the lock replaces it (kept_queues.py);
- anything else (a priority or booked ticket, a ticket back in the queue, a setting, a pause)
  drops the memo, and the queue is read again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..domain.clock import to_micros
from ..domain.estimate import Estimates, Waiting, extend


@dataclass(frozen=True, slots=True)
class QueueMemo:
    """The waiting tickets are kept as read (`read`), with the walk-ins appended since
    (`added`) and the tickets gone since (`gone`), so that a change costs what it changes, not
    a copy of the whole queue; `queue` puts them together (for a play, not per change)."""

    read: tuple[Waiting, ...]  # the waiting tickets when read (or played), in queue order
    waiting: Mapping[str, int]  # waiting tickets per service
    tail: int | None  # the latest place (queue_at, µs) of a waiting ticket that is not priority
    # the queue played forward at `at` (the busy windows' clock); None: to be played again
    estimates: Estimates | None = None
    at: datetime | None = None
    issued: Mapping[str, int] | None = None  # numbers given out today per service, if read
    read_at: datetime | None = None  # when `read` was read from the database
    changes: int = 0  # changes since `estimates` were played (a forecast: see `without`)
    added: tuple[Waiting, ...] = ()  # walk-ins since, behind every ticket of `read`
    gone: frozenset[int] = frozenset()  # tickets of `read` or `added` no longer waiting
    services: Mapping[int, str] = field(default_factory=dict)  # pk → service, of `read`

    @classmethod
    def of(
        cls, queue: tuple[Waiting, ...], waiting: Mapping[str, int], tail: int | None
    ) -> QueueMemo:
        """The memo of a queue just read, in queue order."""
        return cls(queue, waiting, tail, services={w.pk: w.service for w in queue})

    @property
    def queue(self) -> tuple[Waiting, ...]:
        """The waiting tickets now, in queue order."""
        gone = self.gone
        return tuple(w for w in (*self.read, *self.added) if w.pk not in gone)

    def compacted(self) -> QueueMemo:
        """The same queue, kept as read now (before a play, which costs as much anyway)."""
        if not self.added and not self.gone:
            return self
        queue = self.queue
        return replace(self, read=queue, added=(), gone=frozenset(), services=_services(queue))

    def takes_walk_in(self, now: datetime) -> bool:
        """Whether a walk-in issued `now` queues behind everyone (no booked ticket's place
        lies after now), so that appending it to the memo is exact."""
        return self.tail is None or to_micros(now) >= self.tail

    def with_walk_in(self, pk: int, service: str, now: datetime) -> QueueMemo:
        est = self.estimates
        return replace(
            self,
            added=(*self.added, Waiting(pk, service)),
            estimates=extend(est, pk, service) if est is not None else None,
            tail=to_micros(now),
            waiting={**self.waiting, service: self.waiting.get(service, 0) + 1},
        )

    def without(self, pk: int) -> QueueMemo:
        """The memo once ticket `pk` is no longer waiting (if it was), or a window's ticket
        was finished: the estimates stay as the forecast they were (a call the play foresaw
        changes none of it; one it did not, a little), one more change behind."""
        changes = self.changes + 1 if self.estimates is not None else 0
        service = self.services.get(pk)
        if service is None:
            service = next((w.service for w in self.added if w.pk == pk), None)
        if service is None or pk in self.gone:
            return replace(self, changes=changes)
        return replace(
            self,
            gone=self.gone | {pk},
            waiting={**self.waiting, service: self.waiting[service] - 1},
            changes=changes,
        )

    def stale(self) -> QueueMemo:
        """The same queue, its estimates to be played again at the next use."""
        return replace(self, estimates=None, at=None, changes=0)


def _services(queue: tuple[Waiting, ...]) -> dict[int, str]:
    return {w.pk: w.service for w in queue}
