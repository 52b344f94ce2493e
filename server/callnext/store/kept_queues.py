"""The queue memos a process keeps between a hall's transactions, and their refresh off the
hall's lock.

Every hall transaction needs the waiting tickets, their count per service and the estimated
waits: the queue played forward over the open windows (domain.estimate), a cost that grows with
the queue. A transaction that starts where the hall's last one on this process left it (the
same seq and config_version, and on PostgreSQL the hall row's version, read under the hall's
lock) takes that transaction's QueueMemo instead (queue_memo.py), and its estimates as a
forecast moved on by the time since:

- a walk-in joins the forecast exactly (domain.estimate.extend);
- a call, a finish, a cancel carry it over as it is (`QueueMemo.changes` counts them): the
  frames of a call-next give the newcomer estimates of the latest play, moved on;
- after such a commit the hall is played again here, in a read transaction off the lock
  (`refresh_later`: at most one at a time per hall, once more if commits came meanwhile), and
  the fresh play replaces the forecast if the hall is still where it was read.

A quiet hall's play is renewed too (`tick`, every TICK_S: one older than half its life is
played again), and on PostgreSQL a process plays a hall again when it hears another process
commit to it (`heard`). So a call's transaction costs the same with 2,000 waiting as with 100;
the play's cost moves behind the commit, where it delays no one.

A forecast is played again inside the transaction only when it is older than KEPT_FORECAST_S
or carried over more than MAX_FORECAST_CHANGES changes (the refresh did not keep up), and the
waiting tickets are read again after KEPT_QUEUE_S. Anything the memo cannot follow (a booked
or priority ticket, a ticket back in the queue, a setting, a pause, a window newly staffed)
drops it, and that transaction reads and plays the queue.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from ..domain.clock import local_day, utcnow
from ..domain.estimate import Estimates, extend
from ..domain.model import Hall
from . import direct, queue_sql
from .queue_memo import QueueMemo
from .schema import HALL_ROW_VERSION, halls

KEPT_FORECAST_S = 60.0  # a play serves, moved on, this long after it was made
MAX_FORECAST_CHANGES = 50  # and across this many changes it did not foresee
KEPT_QUEUE_S = 60.0  # the memo's waiting tickets serve this long after they were read
TICK_S = 10.0  # how often a quiet hall's play is looked at (`tick`)
REFRESH_GAP_S = 0.05  # in a burst of commits, a hall is played again at most this often
log = logging.getLogger(__name__)

# A memo is for the state its transaction left, so on PostgreSQL it is tagged with the hall
# row's version that transaction wrote (schema.HALL_ROW_VERSION): a commit that failed never
# makes it current, and another process's write of the same seq has its own. (SQLite's one
# writer in one process needs no such tag: None.)
_HALL_STATE = select(halls.c.seq, halls.c.config_version).where(
    halls.c.code == bindparam("hall_code")
)
_HALL_STATE_PG = _HALL_STATE.add_columns(HALL_ROW_VERSION)
_ROW_VERSION = select(HALL_ROW_VERSION).select_from(halls).where(halls.c.id == bindparam("hall_pk"))


def row_version(conn: Connection, hall_pk: int) -> int | None:
    """The hall row's version as this transaction sees it (PostgreSQL; None on SQLite)."""
    if conn.dialect.name != "postgresql":
        return None
    return int(conn.execute(_ROW_VERSION, {"hall_pk": hall_pk}).scalar_one())


ReadRunner = Callable[[Callable[[Connection], None]], Awaitable[None]]
HallLoader = Callable[[Connection, str, int], "Hall | None"]


@dataclass(frozen=True, slots=True)
class Kept:
    """What a hall's transaction (or a refresh) left: the memo, for the state it is true of."""

    hall: str
    seq: int
    config_version: int
    day: str
    memo: QueueMemo | None
    at: datetime  # the hall's clock as the transaction saw it
    row_version: int | None = (
        None  # PostgreSQL: the hall row's version it is for (HALL_ROW_VERSION)
    )

    def needs_play(self) -> bool:
        """Whether a refresh would help the next transaction: no play of this state yet, a
        forecast carried over changes, or a play or a read half-way to its limit."""
        memo, now = self.memo, self.at
        if memo is None or memo.estimates is None or memo.at is None or memo.changes:
            return True
        read_age = (now - memo.read_at).total_seconds() if memo.read_at else KEPT_QUEUE_S
        played_age = (now - memo.at).total_seconds()
        return read_age > KEPT_QUEUE_S / 2 or played_age > KEPT_FORECAST_S / 2


class KeptQueues:
    """Per hall, the memo its last transaction or refresh left. The write path calls `for_tx`
    and `keep` inside the hall's locked transaction (SQLite: on the writer thread, after the
    body's savepoint; PostgreSQL: on the loop, before the COMMIT, tagged with the row version
    it wrote). A refresh installs its play over an older state, or rebased onto the state kept
    (`_install`); a memo that is not for the state a transaction locks is never used."""

    def __init__(self, run_read: ReadRunner, load_hall: HallLoader) -> None:
        self._run_read = run_read
        self._load_hall = load_hall
        self._kept: dict[str, Kept] = {}
        self._lock = threading.Lock()  # SQLite's writer thread keeps; refreshes install
        self._forgotten = 0  # failed COMMITs so far (forget_all)
        self._refreshing: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._clock: dict[str, datetime] = {}  # per hall, the latest commit's time
        self._closed = False
        self._ticker: asyncio.Task[None] | None = None
        self.refreshed = 0  # plays made off the lock (callnext_queue_plays_total)
        self.played_in_tx = 0  # plays made inside a hall's transaction

    def kept(self, code: str) -> Kept | None:
        """What is kept for the hall now."""
        return self._kept.get(code)

    def for_tx(
        self, code: str, seq: int, hall: Hall, now: datetime, version: int | None = None
    ) -> QueueMemo | None:
        """The memo for a transaction that locked the hall at `seq` (and row `version`), if
        one is for that state."""
        kept = self._kept.get(code)
        if (
            kept is None
            or kept.memo is None
            or (kept.seq, kept.config_version, kept.row_version)
            != (seq, hall.config_version, version)
        ):
            return None
        memo = kept.memo
        read_age = (now - memo.read_at).total_seconds() if memo.read_at is not None else -1.0
        if kept.day != local_day(now, hall.timezone) or not 0 <= read_age <= KEPT_QUEUE_S:
            return None
        if memo.at is None:
            return memo
        played_age = (now - memo.at).total_seconds()
        if not 0 <= played_age <= KEPT_FORECAST_S or memo.changes > MAX_FORECAST_CHANGES:
            return memo.stale()  # the tickets still hold; the forecast is too far behind
        return memo

    def keep(self, kept: Kept) -> None:
        """What a transaction left, unless a later state is kept already."""
        with self._lock:
            if not _later(self._kept.get(kept.hall), kept):
                self._kept[kept.hall] = kept

    def forget_all(self) -> None:
        """After a failed COMMIT: nothing computed in it may be reused."""
        with self._lock:
            self._kept.clear()
            self._forgotten += 1

    # -- the refresh, off the hall's lock ---------------------------------------------------

    def after_commit(self, kept: Kept) -> None:
        """A transaction committed (on the loop): play the hall again if that would help."""
        if self._ticker is None and not self._closed:
            self._ticker = asyncio.get_running_loop().create_task(self._tick_on())
        if kept.needs_play():
            self.refresh_later(kept.hall, kept.at)

    def tick(self, now: datetime | None = None) -> None:
        """Play again each hall whose play has aged half-way to KEPT_FORECAST_S with no
        change since (a quiet hall: its next call then finds a recent one, too)."""
        now = now or utcnow()
        for code, kept in list(self._kept.items()):
            at = kept.memo.at if kept.memo is not None else None
            if at is not None and KEPT_FORECAST_S / 2 < (now - at).total_seconds() < 86_400:
                self.refresh_later(code, now)

    async def _tick_on(self) -> None:
        while not self._closed:
            await asyncio.sleep(TICK_S)
            self.tick()

    def heard(self, code: str) -> None:
        """Another process committed a change to the hall (PostgreSQL's notice): if this one
        keeps a memo of it, play the hall again, so its next transaction finds one."""
        if code in self._kept:
            self.refresh_later(code)

    def refresh_later(self, code: str, at: datetime | None = None) -> None:
        """Play the hall's queue again soon, in a read transaction (on the loop), at the time
        of the latest commit it was told of (`at`; default: the clock's)."""
        if self._closed:
            return  # the database is closing: nothing more reads it
        self._clock[code] = max(at or utcnow(), self._clock.get(code, at or utcnow()))
        if code in self._refreshing:
            self._again.add(code)  # a commit came during the play: once more after it
            return
        task = asyncio.get_running_loop().create_task(self._refresh(code))
        self._refreshing[code] = task

    async def idle(self) -> None:
        """Wait for the refreshes under way (tests, and closing the database)."""
        while self._refreshing:
            await asyncio.gather(*self._refreshing.values(), return_exceptions=True)

    async def close(self) -> None:
        """No refresh from now on (the database closes); wait for those under way."""
        self._closed = True
        if self._ticker is not None:
            self._ticker.cancel()
        await self.idle()

    async def _refresh(self, code: str) -> None:
        try:
            while True:
                self._again.discard(code)
                at, base = self._clock[code], self._kept.get(code)
                await self._run_read(partial(self._play_and_install, code=code, now=at, base=base))
                if code not in self._again:
                    return
                # commits came during the play: play again, after a breath, so that a burst
                # of calls does not have a play beside each of them competing for the CPU
                await asyncio.sleep(REFRESH_GAP_S)
        except Exception as exc:  # the next transaction plays for itself: nothing is lost
            log.warning("the queue of hall %s could not be played again: %s", code, exc)
        finally:
            self._refreshing.pop(code, None)

    def _play_and_install(
        self, conn: Connection, code: str, now: datetime, base: Kept | None
    ) -> None:
        """In the read transaction (SQLite: a reader thread, off the loop and its fan-out):
        play the hall, and keep the play (`_install` takes the lock it needs)."""
        played = self._play(conn, code, now, base)
        if played is not None:
            self._install(played)

    def _play(self, conn: Connection, code: str, now: datetime, base: Kept | None) -> Kept | None:
        """The hall's queue as this read transaction sees it, played at `now`: from `base`'s
        tickets if it is the memo of this very state (read recently), else read again."""
        pg = conn.dialect.name == "postgresql"
        row = direct.first(conn, _HALL_STATE_PG if pg else _HALL_STATE, {"hall_code": code})
        if row is None:
            return None
        seq, version = int(row["seq"]), int(row["config_version"])
        hall = self._load_hall(conn, code, version)
        if hall is None or hall.config_version != version:
            return None
        today = local_day(now, hall.timezone)
        means = queue_sql.mean_service_s(conn, hall, today)
        tag = (seq, version, row.get("row_version"), today)
        known = base.memo if base is not None and _tag(base) == tag else None
        if known is not None and (known.read_at is None or not _recent(known.read_at, now)):
            known = None
        memo = queue_sql.play_queue(conn, hall, now, means, known)
        memo = replace(memo, issued=queue_sql.issued_counts(conn, hall, today))
        return Kept(code, seq, version, today, memo, now, row.get("row_version"))

    def _install(self, played: Kept) -> None:
        """Keep a refresh's play. If the hall has moved on since it was read (calls came
        during the play), the play still replaces the older forecast of the state kept now:
        that state's tickets, with the walk-ins since joined to the play (`_rebased`)."""
        with self._lock:
            current, forgotten = self._kept.get(played.hall), self._forgotten
            if not _later(current, played):
                self._kept[played.hall] = played
                self.refreshed += 1
                return
        assert current is not None
        rebased = _rebased(current, played)  # outside the lock: it walks the queue
        if rebased is None:
            return
        with self._lock:  # unless the writer kept another meanwhile, or forgot everything
            if self._kept.get(played.hall) is current and self._forgotten == forgotten:
                self._kept[played.hall] = rebased
                self.refreshed += 1


def _later(current: Kept | None, kept: Kept) -> bool:
    return current is not None and (current.seq, current.config_version) > (
        kept.seq,
        kept.config_version,
    )


def _tag(kept: Kept) -> tuple[int, int, int | None, str]:
    return kept.seq, kept.config_version, kept.row_version, kept.day


def _recent(read_at: datetime, now: datetime) -> bool:
    return 0 <= (now - read_at).total_seconds() <= KEPT_QUEUE_S / 2


def _rebased(current: Kept, played: Kept) -> Kept | None:
    """`current` with `played`'s play instead of its own forecast, if `played` is of an
    earlier state of the same configuration and day that the tickets since only left, or
    joined at the end as walk-ins (whom the play is extended by, exactly)."""
    memo, fresh = current.memo, played.memo
    if memo is None or fresh is None or fresh.estimates is None or fresh.at is None:
        return None
    if (current.config_version, current.day) != (played.config_version, played.day):
        return None
    if memo.at is not None and memo.at >= fresh.at:
        return None  # its own play is as recent
    known = fresh.services
    queue = memo.queue
    joined = [w for w in queue if w.pk not in known]
    if joined and any(w.pk not in known for w in queue[: len(queue) - len(joined)]):
        return None  # not only walk-ins behind everyone: only a play is exact
    estimates: Estimates | None = fresh.estimates
    for w in joined:
        estimates = extend(estimates, w.pk, w.service) if estimates is not None else None
    if estimates is None:
        return None
    left = len(known) - (len(queue) - len(joined))  # tickets called or gone since the play
    rebased = replace(memo, estimates=estimates, at=fresh.at, changes=left)
    return replace(current, memo=rebased)
