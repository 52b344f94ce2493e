"""The display WebSocket: a snapshot (or a replay from ?since=), then live events in seq order.

/ws/v1 is the contract's stream: with a Bearer token of the hall's staff its tickets carry their
ids; without one it sends what /ws/v2 sends, the same frames with no ticket ids (see
protocol.public_frame), from the same channel. callnext's own pages read /ws/v2.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from ..domain.errors import Forbidden, Invalid
from ..domain.model import Hall
from ..live import protocol
from ..live.hub import Subscriber, public_channel
from ..runtime.config import Settings
from ..store import reads
from . import parse
from .api.auth import sees_ticket_ids
from .keys import DB, HUB, SETTINGS, SNAPSHOTS

log = logging.getLogger(__name__)

HEARTBEAT_S = 25.0  # the contract promises a ping at least every 30 s
# Each connection pings at its own period, up to this share under HEARTBEAT_S: screens that
# connected together (after a restart, all of them) do not stay pinged together, in a burst
# that delays the calls fanned out meanwhile.
HEARTBEAT_JITTER = 0.3


def heartbeat_s() -> float:
    """A new connection's ping period."""
    return HEARTBEAT_S * (1 - HEARTBEAT_JITTER * random.random())


REPLAY_BATCH = 500


def _since(request: web.Request) -> int | None:
    raw = request.query.get("since")
    if raw is None:
        return None
    since = parse.whole_number(raw)
    if since is None:
        raise Invalid("bad_since", "since must be a non-negative integer seq.")
    return since


async def _start(
    request: web.Request,
    ws: web.WebSocketResponse,
    hall: Hall,
    sub: Subscriber,
    since: int | None,
    public: bool,
) -> None:
    """Send the connection's opening frames, then attach it to the hub's live flow.

    The snapshot and the replay from the log are sent at the client's pace (send_frame waits
    while the transport is paused): written at the hub's pace, a replay longer than the
    connection's bound would drop the client before its first frame, every time it reconnects.
    The bound (hub.MAX_UNSENT_KIB) stays for the hub's ring and live frames.
    A display further behind than CALLNEXT_REPLAY_MAX_EVENTS gets a snapshot: a replay that
    long costs more than one (and `?since=0` on a busy hall's log was a way to burn the CPU).
    """
    db, hub = request.app[DB], request.app[HUB]
    channel = public_channel(hall.code) if public else hall.code
    cursor, current = await _opening(request, ws, hall, channel, since, public)
    # Replay from the log up to `current` first: a hub that has seen no event of this hall yet
    # (after a restart) would take `cursor` for the hall's head and skip the events in between.
    while cursor < current or not hub.attach(channel, sub, cursor):
        batch = await reads.events_after(db, hall, cursor, REPLAY_BATCH, public=public)
        if not batch:
            current = cursor  # nothing newer is stored: let the hub take over from here
        for seq, text in batch:  # each frame's text as stored: encoded once, at its commit
            await ws.send_frame(text.encode(), WSMsgType.TEXT)
            cursor = seq


async def _opening(
    request: web.Request,
    ws: web.WebSocketResponse,
    hall: Hall,
    channel: str,
    since: int | None,
    public: bool,
) -> tuple[int, int]:
    """Send the snapshot, unless `since` is replayed → (cursor, current): the seq the connection
    has reached, and the hall's latest seq known (up to which the log is replayed before the
    hub takes over). A hub that follows the channel already knows the latest seq and holds the
    recent frames: no read of the log's bounds then, which a reconnect storm would make once a
    display. One that follows none (after a restart) reads them."""
    hub, settings = request.app[HUB], request.app[SETTINGS]
    snapshots = request.app[SNAPSHOTS]
    head = hub.head(channel)
    if since is not None and hub.holds_after(channel, since):
        assert head is not None
        if head - since <= settings.replay_max_events:
            return since, since  # the hub's ring replays it
    if head is None or since is not None:
        current, oldest = await reads.log_bounds(request.app[DB], hall)
        if since is not None and replayable(since, current, oldest, settings):
            return since, current
    else:
        current = head
    snapshot = await snapshots.get(hall.code, current)  # one a second per hall, shared
    await ws.send_frame(snapshot.frame(public), WSMsgType.TEXT)
    return snapshot.seq, current


def replayable(since: int, current: int, oldest: int | None, settings: Settings) -> bool:
    """Whether `?since=` gets a replay: the log still holds every event after it, it is not
    newer than the hall (a restored database), and it is at most replay_max_events behind.
    An empty log (a new hall, or one whose events were all pruned) replays nothing."""
    if oldest is None:
        return since == current
    return oldest <= since + 1 and current - settings.replay_max_events <= since <= current


async def display_stream(request: web.Request) -> web.StreamResponse:
    """/ws/v1/halls/{hall}: the contract's stream; tickets carry their ids only for the hall's
    staff (`Authorization: Bearer` on the upgrade). Without it, the public channel: the very
    frames /ws/v2 sends, encoded once for both."""
    if not request.app[SETTINGS].stream_v1:
        raise Forbidden(
            "stream_v1_disabled", "This server sends no ticket ids: use /ws/v2/halls/{hall}."
        )
    return await _stream(request, ids=True)


async def public_stream(request: web.Request) -> web.StreamResponse:
    """/ws/v2/halls/{hall}: the same frames, every ticket without its id, whoever asks."""
    return await _stream(request, ids=False)


def check_origin(request: web.Request) -> None:
    """A browser page may open the stream only from this server's own origin, or from an origin
    CALLNEXT_ALLOWED_ORIGINS lists ("*": any). Clients that send no Origin (screens' agents, the
    speaker, integrations) are not browsers: they pass."""
    origin = request.headers.get("Origin")
    if origin is None:
        return
    allowed = request.app[SETTINGS].allowed_origins
    if "*" in allowed or origin in allowed:
        return
    parsed = urlsplit(origin)
    if parsed.scheme in ("http", "https") and parsed.netloc == request.host:
        return
    raise Forbidden("origin_not_allowed", f"Pages from {origin} may not open this stream.")


async def _stream(request: web.Request, ids: bool) -> web.StreamResponse:
    """`ids`: this stream gives the hall's staff the tickets' ids."""
    check_origin(request)
    db, hub = request.app[DB], request.app[HUB]
    hall = await db.hall(request.match_info["hall"])
    public = not (ids and await sees_ticket_ids(request, hall.code))
    channel = public_channel(hall.code) if public else hall.code
    since = _since(request)
    ws = web.WebSocketResponse(heartbeat=heartbeat_s(), compress=False, max_msg_size=4096)
    await ws.prepare(request)
    ws.headers.clear()  # the 101's headers are sent: keep no copy for the connection's life
    task, transport = asyncio.current_task(), request.transport
    if task is None or transport is None:  # the client left during the upgrade
        return ws
    # The hub writes live frames to the transport itself; dropping this connection (too slow,
    # or the server's shutdown) cancels this handler, which then closes with its code.
    sub = Subscriber(transport, task.cancel)
    try:
        await _start(request, ws, hall, sub, since, public)
        if not sub.dropped:  # its replay from the ring already overflowed
            async for _msg in ws:  # read only to see pings, pongs and the close
                pass
    except ConnectionResetError:  # the client left during its snapshot or replay
        pass
    except asyncio.CancelledError:
        if not (sub.dropped or hub.closing):
            raise
        task.uncancel()
    finally:
        hub.detach(channel, sub)
        code = protocol.CLOSE_TOO_SLOW if sub.dropped else protocol.CLOSE_SHUTDOWN
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(code=code, message=b"reconnect with ?since="), 2)
    return ws
