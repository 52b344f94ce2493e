"""When each stage of a hall write happened, for the Server-Timing header of a staff call and
so for the benchmark: where the time before the first display goes (docs/performance.md).

Database.hall_write stamps them (time.perf_counter) and leaves them in the calling task's
context: queued (the write asked for) → started (its body began, on the writer) → body done →
committed (the caller resumed after the COMMIT) → published (the fan-out written).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class WriteStages:
    queued: float
    started: float = 0.0
    body_done: float = 0.0
    committed: float = 0.0
    published: float = 0.0


LAST_WRITE: ContextVar[WriteStages | None] = ContextVar("callnext_last_write", default=None)


def server_timing(begun: float, authorized: float, stages: WriteStages) -> str:
    """A Server-Timing header value (ms) for a staff call that began at `begun`, was authorized
    at `authorized`, then made the write `stages`."""
    spans = (
        ("auth", begun, authorized),
        ("queue", stages.queued, stages.started),
        ("tx", stages.started, stages.body_done),
        ("commit", stages.body_done, stages.committed),
        ("fanout", stages.committed, stages.published),
    )
    return ", ".join(f"{name};dur={(end - start) * 1000:.3f}" for name, start, end in spans)
