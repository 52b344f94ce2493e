"""Estimated waits from the live queue: who is waiting, which windows are open for which services,
how long each window's current ticket has still to go, and recent service times.

The windows that serve now (open and staffed, domain/staffing.py) are played forward: the window
that frees up first calls the head of its own queue (the earliest, by the queue order, among the
services it serves; or, for a window that takes its services in order, the head of the first of
them with anyone waiting), and is busy for that service's mean time. A ticket's estimate is when a
window reaches it; a service no serving window serves has none (None, not a guess). Pure: no
I/O, no clock.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .model import CallOrder

PRIOR_WEIGHT = 2  # the configured default counts as this many services in the recent mean
RECENT = 20  # services of the day that make the recent mean
Line = deque[tuple[int, int, str]]  # a service's waiting tickets: (place in the queue, pk, code)
MIN_REMAINING = 0.2  # a current ticket over its mean time still has this share of it to go


@dataclass(frozen=True, slots=True)
class Waiting:
    """A waiting ticket, in queue order (the caller sorts by domain.queue.queue_key)."""

    pk: int
    service: str


@dataclass(frozen=True, slots=True)
class OpenWindow:
    """A window that calls (open and staffed): the services it serves and how long its current
    ticket still takes."""

    number: int
    services: tuple[str, ...]
    busy_s: float = 0.0
    order: CallOrder = CallOrder.QUEUE  # its work profile: how it takes from its services


@dataclass(frozen=True, slots=True)
class Estimates:
    starts: Mapping[int, float]  # ticket pk → seconds from now until a window calls it
    free_at: Mapping[str, float | None]  # service → when a ticket taken now would be called
    means: Mapping[str, float]
    windows: tuple[OpenWindow, ...] = ()  # the open windows played forward
    free: Mapping[int, float] = field(default_factory=dict)  # window → when it runs out of work
    # seconds since the play: each figure is that much nearer (a forecast moved on, moved_on)
    offset: float = 0.0
    joined: Mapping[int, float] = field(default_factory=dict)  # starts of walk-ins (extend)

    def for_ticket(self, pk: int) -> int | None:
        """Seconds until this waiting ticket is called; None when no window that serves now
        serves its service (nobody works there: no figure is invented)."""
        start = self.joined.get(pk)
        return self._from_now(self.starts.get(pk) if start is None else start)

    def for_new(self, service: str) -> int | None:
        """Seconds until a ticket of `service` taken now is called; None as for_ticket."""
        return self._from_now(self.free_at.get(service))

    @property
    def every_start(self) -> dict[int, float]:
        """Every ticket's start, the play's and the walk-ins' joined since (a copy, for
        checks: not per request)."""
        return {**self.starts, **self.joined}

    def moved_on(self, seconds: float) -> Estimates:
        """The same play read `seconds` after it was made: the forecast as time has gone by
        (a window it expected to free up has, and takes the next ticket as played)."""
        return replace(self, offset=max(seconds, 0.0))

    def _from_now(self, at: float | None) -> int | None:
        return None if at is None else math.ceil(max(at - self.offset, 0.0))


def recent_mean(durations: Sequence[float], default_s: float) -> float:
    """The mean of the latest RECENT service times, pulled toward the configured default while
    there are few (each of PRIOR_WEIGHT imaginary services takes the default)."""
    recent = [d for d in durations[:RECENT] if d > 0]
    return (sum(recent) + PRIOR_WEIGHT * default_s) / (len(recent) + PRIOR_WEIGHT)


def remaining_s(mean_s: float, elapsed_s: float) -> float:
    """How long a ticket called `elapsed_s` ago is still expected to take."""
    return max(mean_s - elapsed_s, MIN_REMAINING * mean_s)


def estimate(
    waiting: Iterable[Waiting], windows: Iterable[OpenWindow], means: Mapping[str, float]
) -> Estimates:
    """Play the open windows forward over the waiting tickets (see the module's docstring)."""
    open_windows = list(windows)
    starts, free, reach = _play(list(waiting), open_windows, means)
    services = set(means) | {s for w in open_windows for s in w.services}
    free_at = {s: reach.get(s) for s in services}
    return Estimates(starts, free_at, dict(means), tuple(open_windows), free)


def _play(
    queue: Sequence[Waiting], windows: Sequence[OpenWindow], means: Mapping[str, float]
) -> tuple[dict[int, float], dict[int, float], dict[str, float]]:
    """When each ticket is called, when each window runs out of work, and when a newcomer of
    each service (last in the queue) would be called: the first time, in the play's own order
    of (time, window), that a window frees up with nothing of that service's before it (a
    window in queue order: nothing at all; one taking its services in order: nothing of that
    service nor of those listed above it). Until then the newcomer changes no one's turn."""
    lines: dict[str, Line] = {s: deque() for w in windows for s in w.services}
    for order, ticket in enumerate(queue):
        line = lines.get(ticket.service)
        if line is not None:  # no serving window serves it: it gets no start
            line.append((order, ticket.pk, ticket.service))
    served = [[(s, lines[s]) for s in w.services] for w in windows]
    in_order = [w.order is CallOrder.SERVICES for w in windows]
    heap = [(w.busy_s, w.number, i) for i, w in enumerate(windows)]
    heapq.heapify(heap)
    starts: dict[int, float] = {}
    free: dict[int, float] = {w.number: w.busy_s for w in windows}
    reach: dict[str, float] = {}
    while heap:  # the window freed first (by time, then number) takes its next ticket
        at, number, i = heap[0]
        best = None
        if in_order[i]:  # its first line with anyone; the empty ones above it reach a newcomer
            for code, line in served[i]:
                if line:
                    best = line
                    break
                reach.setdefault(code, at)
        else:  # the line whose head is earliest in queue order (inline: the hot loop)
            for _code, line in served[i]:
                if line and (best is None or line[0][0] < best[0][0]):
                    best = line
        if best is None:  # nothing left this window serves: it stays free from `at`
            for code, _line in served[i]:
                reach.setdefault(code, at)
            heapq.heappop(heap)
            continue
        _order, pk, service = best.popleft()
        starts[pk] = at
        free[number] = done = at + means.get(service, 300.0)
        heapq.heapreplace(heap, (done, number, i))
    return starts, free, reach


def _preferred(windows: Sequence[OpenWindow]) -> set[str]:
    """Services some window takes before another of its services (work profile SERVICES, not
    listed last): a newcomer of one may be called before that window runs out of work."""
    return {s for w in windows if w.order is CallOrder.SERVICES for s in w.services[:-1]}


def _free_at(
    windows: Sequence[OpenWindow], free: Mapping[int, float], means: Mapping[str, float]
) -> dict[str, float | None]:
    """Per service, when the first window serving it runs out of earlier work."""
    services = set(means) | {s for w in windows for s in w.services}
    free_at: dict[str, float | None] = {}
    for service in services:
        times = [free[w.number] for w in windows if service in w.services]
        free_at[service] = min(times) if times else None
    return free_at


def extend(est: Estimates, pk: int, service: str) -> Estimates | None:
    """The estimates once one more ticket joins the END of the queue order (a walk-in that is
    not priority), without playing the whole queue forward again, and equal to doing so: the
    window that reaches it is the first, by (time, number), to run out of earlier tickets among
    those serving its service, and nothing earlier in the queue moves. None when a window takes
    some service before another (work profile SERVICES): a newcomer may then move others, and
    only playing again is exact."""
    if _preferred(est.windows):
        return None
    serving = [w for w in est.windows if service in w.services]
    if not serving:
        return est  # no serving window serves it: it has no estimate
    window = min(serving, key=lambda w: (est.free[w.number], w.number))
    at = est.free[window.number]
    free = {**est.free, window.number: at + est.means.get(service, 300.0)}
    joined = {**est.joined, pk: at}  # the play's own starts stay as they are: no copy
    return replace(est, joined=joined, free_at=_free_at(est.windows, free, est.means), free=free)
