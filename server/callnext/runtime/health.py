"""What one server process knows of its own health, for /healthz and /metrics (no I/O here).

Two things can stop a hall silently while the process still answers: its writes fail (a full
disk, a read-only file, the database gone), or (PostgreSQL) it no longer hears the other
processes' commits, so its screens freeze. Whoever sees it records it here; /healthz answers
503 with the reasons. A listener that is down, or whose catch-up fails, counts after a grace
(`listener_grace_s`: a reconnect is normal and short); a failed write counts at once and until
a write succeeds again. A listener that flaps (lost again within the grace of listening again)
is one fault from its first loss, not a new short one each time: a storm of killed connections
must not hide behind reconnects that hold for a few milliseconds.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from .metrics import Gauge
from .storm import Storm

LISTENER_GRACE_S = 5.0  # CALLNEXT_LISTENER_GRACE_S
TRACEBACK_EVERY_S = 60.0
PROBE_EVERY_S = 2.0  # after a failed write, /healthz tries a write this often at most


@dataclass(slots=True)
class Fault:
    reason: str
    since: float  # the monotonic clock when it began
    times: int = 1  # the failures counted since it began (a flapping listener says how many)


class FailureLog:
    """One log line per failure (the message, then the exception's name and first line); its
    traceback at most once every `every_s` seconds. (`callnext serve`'s storm filter may fold
    a storm of such lines further, into one a minute with a count: storm.py.)"""

    def __init__(self, logger: logging.Logger, every_s: float = TRACEBACK_EVERY_S) -> None:
        self.logger = logger
        self.tracebacks = Storm(every_s)

    def failed(self, exc: BaseException, message: str, *args: object) -> None:
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        traceback = self.tracebacks.admit("traceback") is not None
        self.logger.warning(
            message + " [%s: %s]", *args, type(exc).__name__, first,
            exc_info=exc if traceback else None,
        )  # fmt: skip


class Health:
    """The faults of this process now, and counts of them since it started."""

    def __init__(
        self,
        listener_grace_s: float = LISTENER_GRACE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.listener_grace_s = listener_grace_s
        self.clock = clock
        self.has_listener = False  # PostgreSQL: an event listener reports here
        self.deaf: Fault | None = None  # the listener is not listening
        self.mended: Fault | None = None  # the fault before it listened again (flap watch)
        self.listening_since = -math.inf
        self.behind: dict[str, Fault] = {}  # halls whose catch-up from the event log failed
        self.writes: Fault | None = None  # the last write failed; none has succeeded since
        self.reconnects = 0
        self.catch_up_failures = 0
        self.write_failures = 0
        self.probed = -math.inf  # when /healthz last tried a write

    def probe_due(self) -> bool:
        """Whether /healthz may try a write now (at most once every PROBE_EVERY_S)."""
        now = self.clock()
        if now - self.probed < PROBE_EVERY_S:
            return False
        self.probed = now
        return True

    # -- the listener (store/notify.py) --

    def listener_lost(self, reason: str) -> None:
        self.has_listener = True
        now = self.clock()
        if self.deaf is None and now - self.listening_since < self.listener_grace_s:
            self.deaf = self.mended  # it flaps: the fault goes on from its first loss
        self.deaf = _kept(self.deaf, reason, now)

    def listener_listening(self, *, reconnected: bool) -> None:
        self.has_listener = True
        self.mended, self.deaf = self.deaf, None
        self.listening_since = self.clock()
        self.reconnects += reconnected

    def catch_up_failed(self, hall: str, reason: str) -> None:
        self.catch_up_failures += 1
        self.behind[hall] = _kept(self.behind.get(hall), reason, self.clock())

    def caught_up(self, hall: str) -> None:
        self.behind.pop(hall, None)

    # -- writes (store/database.py) --

    def write_failed(self, reason: str) -> None:
        self.write_failures += 1
        self.writes = _kept(self.writes, reason, self.clock())

    def write_succeeded(self) -> None:
        self.writes = None

    # -- what /healthz and /metrics say --

    def reasons(self) -> list[str]:
        """Why this process is not healthy now (empty: it is)."""
        now, out = self.clock(), []
        if self.deaf is not None and now - self.deaf.since >= self.listener_grace_s:
            flaps = f"; {self.deaf.times} failures" if self.deaf.times > 1 else ""
            out.append(
                f"listener: not hearing the other processes' events reliably for "
                f"{now - self.deaf.since:.1f} s ({self.deaf.reason}{flaps})"
            )
        for hall, fault in sorted(self.behind.items()):
            if now - fault.since >= self.listener_grace_s:
                out.append(
                    f"listener: catching hall {hall} up from the event log has failed for "
                    f"{now - fault.since:.1f} s ({fault.reason})"
                )
        if self.writes is not None:
            out.append(
                f"writes: failing for {now - self.writes.since:.1f} s ({self.writes.reason})"
            )
        return out

    def gauges(self) -> list[Gauge]:
        out: list[Gauge] = [
            ("callnext_storage_ok", "1 unless the last write failed and none succeeded since.",
             {}, float(self.writes is None)),
            ("callnext_write_failures_total", "Writes that failed for the storage's sake.", {},
             self.write_failures),
        ]  # fmt: skip
        if self.has_listener:
            out += [
                ("callnext_listener_up", "1 while this process hears the other processes' "
                 "events (PostgreSQL LISTEN).", {}, float(self.deaf is None)),
                ("callnext_listener_reconnects_total", "Times the event listener reconnected.",
                 {}, self.reconnects),
                ("callnext_catch_up_failures_total", "Catch-ups from the event log that failed.",
                 {}, self.catch_up_failures),
            ]  # fmt: skip
        return out


def _kept(fault: Fault | None, reason: str, now: float) -> Fault:
    """The fault going on (since its start) with the latest reason, or a new one."""
    if fault is None:
        return Fault(reason, now)
    fault.reason = reason
    fault.times += 1
    return fault
