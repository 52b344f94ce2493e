"""A storm of one error is logged once per interval, with a count, not once per event.

A server out of file descriptors, or refusing a flood of connections, meets the same error
hundreds of times a second; logged each time (asyncio's accept failures carry a traceback) the
log itself becomes the outage. `Storm` lets the first of a kind through, then one per
INTERVAL_S that says how many it held back. `install` puts it on the root logger's handlers
(warnings and errors only: the access log and other INFO lines pass untouched) and on the
event loop's exception handler (asyncio's "socket.accept() out of system resource").
"""

from __future__ import annotations

import asyncio
import errno
import logging
import time
from collections.abc import Callable, Hashable
from typing import Any

INTERVAL_S = 60.0
# Running out of these is a known state, not a bug: one line, with no traceback
OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
log = logging.getLogger("callnext.storm")
MAX_KINDS = 1000  # kinds remembered; past this the memory starts afresh


class Storm:
    """Which repeats of a kind of message to let through."""

    def __init__(
        self, interval_s: float = INTERVAL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval_s = interval_s
        self.clock = clock
        self._kinds: dict[Hashable, list[float]] = {}  # kind -> [when let through, held since]

    def admit(self, kind: Hashable) -> int | None:
        """None: hold this one back. Else let it through: the number held back since the last
        one of its kind that was let through."""
        now = self.clock()
        seen = self._kinds.get(kind)
        if seen is not None and now - seen[0] < self.interval_s:
            seen[1] += 1
            return None
        if seen is None and len(self._kinds) >= MAX_KINDS:
            self._kinds.clear()
        self._kinds[kind] = [now, 0]
        return 0 if seen is None else int(seen[1])

    def note(self, held: int) -> str:
        return f" [{held} more like this in the last {self.interval_s:.0f} s]" if held else ""


class StormFilter(logging.Filter):
    """A handler's filter: a warning or error repeated from one place (its logger, message
    template and exception type) passes once per interval."""

    def __init__(self, storm: Storm) -> None:
        super().__init__()
        self.storm = storm

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        exc = record.exc_info[0] if record.exc_info else None
        held = self.storm.admit((record.name, record.levelno, str(record.msg), exc))
        if held is None:
            return False
        if held:
            record.msg = str(record.msg) + self.storm.note(held)
        return True


def loop_handler(storm: Storm) -> Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]:
    """An event loop exception handler: asyncio's own errors (its messages embed reprs that
    change from one to the next) fold by message and exception type."""

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        held = storm.admit(("asyncio", context.get("message"), type(exc)))
        if held is None:
            return
        if isinstance(exc, OSError) and exc.errno in OUT_OF_RESOURCES:
            log.error("%s: %s%s", context.get("message"), exc.strerror, storm.note(held))
            return
        if held:
            context = {**context, "message": f"{context.get('message')}{storm.note(held)}"}
        loop.default_exception_handler(context)

    return handle


def install(loop: asyncio.AbstractEventLoop, interval_s: float = INTERVAL_S) -> Storm:
    """Fold storms in this process's log (the root logger's handlers) and loop errors."""
    storm = Storm(interval_s)
    for handler in logging.getLogger().handlers:
        handler.addFilter(StormFilter(storm))
    loop.set_exception_handler(loop_handler(storm))
    return storm
