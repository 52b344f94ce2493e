"""The application factory: settings in, a ready aiohttp app out."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from functools import partial
from pathlib import Path

from aiohttp import web

from ..live.hub import Hub, split_channel
from ..live.snapshots import SnapshotCache
from ..printing.escpos import Printers
from ..runtime import person_keys
from ..runtime.config import Settings
from ..runtime.gc_watch import GcWatch
from ..runtime.health import Health
from ..runtime.metrics import Metrics
from ..runtime.ratelimit import RateLimiter
from ..store import reads
from ..store.database import Database
from ..store.hall_tx import Published
from ..store.notify import EventListener
from ..store.setup import seed_demo
from ..usecases.rollover import rollover_ctx
from ..voice.announcer import Announcer, voice_cache_dir
from ..voice.renderer import VoiceRenderer
from .connections import head_middleware
from .errors import count_middleware, error_middleware
from .keys import (
    ANNOUNCER,
    DB,
    GC_WATCH,
    HEALTH,
    HUB,
    LIMITER,
    LISTENER,
    METRICS,
    PERSON_KEYS,
    PRINTERS,
    SETTINGS,
    SNAPSHOTS,
)
from .pages.render import setup_pages
from .routes import setup_routes
from .sounds import voice_ctx, voice_ready

log = logging.getLogger(__name__)

# The pages load only their own scripts, styles, images, sounds and workers (no CDN, no inline
# script or style: the pages' config is a JSON data block, which CSP does not run); `data:` for
# the empty favicon; connect-src 'self' covers fetch and the same-host ws:/wss: stream. No
# frames, plugins, <base> or form posts elsewhere. docs/security.md; tests/pages/test_security.py.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# Features no page uses stay off, for the page and anything it might embed.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Permissions-Policy": PERMISSIONS_POLICY,
}


async def gc_watch_ctx(app: web.Application) -> AsyncIterator[None]:
    """Time the garbage collector's pauses while the app runs (for /metrics)."""
    app[GC_WATCH].install()
    yield
    app[GC_WATCH].remove()


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """The database's life: migrate and (with --demo) seed on start, dispose on stop."""
    db = app[DB]
    await db.start()
    settings = app[SETTINGS]
    if settings.demo and await seed_demo(db, all_day=settings.demo_all_day):
        log.warning("created the demo hall; its accounts use the demo password 'demo'")
    yield
    await db.close()


async def listener_ctx(app: web.Application) -> AsyncIterator[None]:
    """On PostgreSQL, the other server processes' events reach this one's displays."""
    db, hub = app[DB], app[HUB]
    if db.dialect != "postgresql":
        yield
        return
    listener = EventListener(
        db.url, hub.behind, hub.catch_up, hub.halls, app[HEALTH], publish=hub.publish,
        heard=db.queues.heard,
    )  # fmt: skip
    await listener.start()
    app[LISTENER] = listener
    yield
    await listener.stop()


async def _close_displays(app: web.Application) -> None:
    """On shutdown, close the display streams (1001) instead of waiting for them to end."""
    app[HUB].close_all()


async def _add_security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def _announcer(settings: Settings, db: Database) -> Announcer:
    """The voice of the app: one renderer (one speech worker), or none when voice is off."""
    renderer = None
    if settings.voice:
        cache = Path(settings.voice_cache) if settings.voice_cache else voice_cache_dir()
        renderer = VoiceRenderer(cache, start_timeout_s=10.0)
    return Announcer(renderer, partial(reads.was_called, db))


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or Settings.from_env()
    app = web.Application(
        middlewares=[head_middleware, count_middleware, error_middleware],
        client_max_size=settings.max_body_bytes,
    )
    db = Database(settings.db_url, serving=True)
    db.health = Health(settings.listener_grace_s)
    hub = Hub()

    async def fetch_after(channel: str, seq: int) -> list[tuple[int, str]]:
        hall, public = split_channel(channel)
        return await reads.events_after(db, await db.hall(hall), seq, public=public)

    announcer = _announcer(settings, db)

    def after_commit(published: Iterable[Published]) -> None:
        published = list(published)
        announcer.after_commit(published)  # first: the render is under way before any frame
        hub.publish(published)

    hub.fetch_after = fetch_after
    db.on_commit = after_commit
    app[SETTINGS] = settings
    app[DB] = db
    app[HUB] = hub
    app[SNAPSHOTS] = SnapshotCache(lambda code: reads.hall_snapshot(db, code))
    app[LIMITER] = RateLimiter(settings.rate_limits)
    app[METRICS] = Metrics()
    app[GC_WATCH] = GcWatch()
    app[HEALTH] = db.health
    app[PRINTERS] = Printers()
    app[ANNOUNCER] = announcer
    app[PERSON_KEYS] = person_keys.resolve(settings.person_keys, settings.db_url)
    app.cleanup_ctx.append(gc_watch_ctx)
    app.cleanup_ctx.append(voice_ctx)  # the speech worker starts as the database opens
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(listener_ctx)
    app.cleanup_ctx.append(rollover_ctx(DB, settings.rollover_check_s, settings.event_log_days))
    app.on_startup.append(voice_ready)
    app.on_shutdown.append(_close_displays)
    app.on_response_prepare.append(_add_security_headers)
    setup_routes(app)
    setup_pages(app)
    return app
