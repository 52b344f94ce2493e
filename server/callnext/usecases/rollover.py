"""The day rollover: when a hall's local day ends, its tickets still waiting are closed as expired
(cancelled, `closed_reason` "expired"; not served), and its bookings never checked in are
marked missed (appointments.py; during the day reads show them missed already). Numbering
restarts by itself (numbers are per local day) and every ticket stays in the store, so history
stays queryable.

The same task frees the windows whose holding session expired, or where nobody acted for
staffing.ACTED_S (desks.sweep), so the screens hear of it (reads ignore them at once anyway).

A task of the app checks every hall at start and every CHECK_EVERY_S after, so a server that was
down at midnight catches up when it starts. Several processes may run it: the hall's write lock
makes the second one find nothing left to do. The same task prunes the display stream's event
log of events older than Settings.event_log_days (store/event_log.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

from aiohttp import web

from ..domain.clock import local_day, to_micros, utcnow
from ..store import event_log, reads
from ..store.database import Database
from ..store.faults import storage_fault
from . import appointments, desks, ticketing

log = logging.getLogger(__name__)

CHECK_EVERY_S = 30.0


async def expire_stale_tickets(db: Database) -> int:
    """Close, in every hall, the tickets still waiting from an earlier local day."""
    closed = 0
    for code in await db.hall_codes():
        hall = await db.hall(code)
        if await reads.has_waiting_before(db, hall, local_day(utcnow(), hall.timezone)):
            count = await ticketing.expire_stale(db, code)
            log.info("day rollover: %d tickets of hall %s expired", count, code)
            closed += count
        missed = await appointments.mark_missed(db, hall)  # past days' bookings not checked in
        if missed:
            log.info("day rollover: %d appointments of hall %s missed", missed, code)
        freed = await desks.sweep(db, code)  # holds whose session expired, idle windows
        if freed:
            log.info("%d windows of hall %s freed: nobody works there now", freed, code)
    return closed


async def prune_event_logs(db: Database, keep_days: float) -> int:
    """Delete, in every hall, the events older than `keep_days` (0: keep them all)."""
    if keep_days <= 0:
        return 0
    before = to_micros(utcnow() - timedelta(days=keep_days))
    pruned = 0
    for code in await db.hall_codes():
        count = await event_log.prune(db, await db.hall(code), before)
        if count:
            log.info("event log: %d events of hall %s older than %g days pruned", count, code,
                     keep_days)  # fmt: skip
        pruned += count
    return pruned


async def _roll_once(db: Database, every_s: float, keep_days: float) -> None:
    try:
        await expire_stale_tickets(db)
        await prune_event_logs(db, keep_days)
    except Exception as exc:  # a database hiccup must not end the task: try again next time
        fault = storage_fault(exc)
        if fault is None:
            log.exception("day rollover failed; retrying in %.0f s", every_s)
        else:  # a known state of the storage (full, gone, out of files): one line
            log.error("day rollover failed: %s; retrying in %.0f s", fault, every_s)


async def _keep_rolling(db: Database, every_s: float, keep_days: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        await _roll_once(db, every_s, keep_days)


def rollover_ctx(
    db_key: web.AppKey[Database], every_s: float = CHECK_EVERY_S, event_log_days: float = 7.0
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup_ctx running the rollover for the app's life (after the database is open)."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        # the first pass before the server answers anyone: a server that was down at midnight
        # serves no stale queue, and no request races the pass's own events
        await _roll_once(app[db_key], every_s, event_log_days)
        rolling = _keep_rolling(app[db_key], every_s, event_log_days)
        task = asyncio.create_task(rolling, name="callnext-rollover")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return ctx
