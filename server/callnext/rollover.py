"""The day rollover: when a hall's local day ends, its tickets still waiting are closed as expired
(cancelled, `closed_reason` "expired"; not served), and its bookings never checked in are
marked missed (appointments.py; during the day reads show them missed already). Numbering
restarts by itself (numbers are per local day) and every ticket stays in the store, so history
stays queryable.

The same task frees the windows whose holding session expired, or where nobody acted for
staffing.ACTED_S (desks.sweep), so the screens hear of it (reads ignore them at once anyway).

A task of the app checks every hall at start and every CHECK_EVERY_S after, so a server that was
down at midnight catches up when it starts. Several processes may run it: the hall's write lock
makes the second one find nothing left to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from . import actions, appointments, desks
from .domain.clock import local_day, utcnow
from .store import reads
from .store.database import Database

log = logging.getLogger(__name__)

CHECK_EVERY_S = 30.0


async def expire_stale_tickets(db: Database) -> int:
    """Close, in every hall, the tickets still waiting from an earlier local day."""
    closed = 0
    for code in await db.hall_codes():
        hall = await db.hall(code)
        if await reads.has_waiting_before(db, hall, local_day(utcnow(), hall.timezone)):
            count = await actions.expire_stale(db, code)
            log.info("day rollover: %d tickets of hall %s expired", count, code)
            closed += count
        missed = await appointments.mark_missed(db, hall)  # past days' bookings not checked in
        if missed:
            log.info("day rollover: %d appointments of hall %s missed", missed, code)
        freed = await desks.sweep(db, code)  # holds whose session expired, idle windows
        if freed:
            log.info("%d windows of hall %s freed: nobody works there now", freed, code)
    return closed


async def _keep_rolling(db: Database, every_s: float) -> None:
    while True:
        try:
            await expire_stale_tickets(db)
        except Exception:  # a database hiccup must not end the task: try again next time
            log.exception("day rollover failed; retrying in %.0f s", every_s)
        await asyncio.sleep(every_s)


def rollover_ctx(
    db_key: web.AppKey[Database], every_s: float = CHECK_EVERY_S
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup_ctx running the rollover for the app's life (after the database is open)."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_keep_rolling(app[db_key], every_s), name="callnext-rollover")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return ctx
