"""What a hall's queue was computed to be, carried from one transaction to the next while only
walk-ins join its end (SQLite: one writer, one process; Database keeps it per hall).

Issuing a ticket needs everyone's estimated wait (the queue played forward), the waiting count
of each service and the numbers given out today. Played again from the database, the estimates
cost time in proportion to the queue: at 1,000 waiting, most of an issue's time. A walk-in that
joins the end changes them in a way `domain.estimate.extend` computes exactly, so the memo is
extended instead, and dropped at any other change (a call, a finish, a pause, a new setting, a
booked ticket placed by its slot).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from ..domain.clock import to_micros
from ..domain.estimate import Estimates, extend


@dataclass(frozen=True, slots=True)
class QueueMemo:
    estimates: Estimates
    at: datetime  # when the queue was last played forward (the busy windows' clock)
    tail: int | None  # the latest place (queue_at, µs) of a waiting ticket that is not priority
    waiting: Mapping[str, int]  # waiting tickets per service
    issued: Mapping[str, int] | None = None  # numbers given out today per service, if read

    def takes_walk_in(self, now: datetime) -> bool:
        """Whether a walk-in issued `now` queues behind everyone (no booked ticket's place
        lies after now), so that extending the memo is exact."""
        return self.tail is None or to_micros(now) >= self.tail

    def with_walk_in(self, pk: int, service: str, now: datetime) -> QueueMemo:
        return replace(
            self,
            estimates=extend(self.estimates, pk, service),
            tail=to_micros(now),
            waiting={**self.waiting, service: self.waiting.get(service, 0) + 1},
        )
