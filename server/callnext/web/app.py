"""The application factory: settings in, a ready aiohttp app out."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from ..config import Settings
from ..hub import Hub
from ..metrics import Metrics
from ..ratelimit import RateLimiter
from ..store import reads
from ..store.database import Database
from ..store.setup import seed_demo
from .errors import count_middleware, error_middleware
from .keys import DB, HUB, LIMITER, METRICS, SETTINGS
from .pages import setup_pages
from .routes import setup_routes

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """The database's life: migrate and (with --demo) seed on start, dispose on stop."""
    db = app[DB]
    await db.start()
    if app[SETTINGS].demo and await seed_demo(db):
        log.warning("created the demo hall; its accounts use the demo password 'demo'")
    yield
    await db.close()


async def _close_displays(app: web.Application) -> None:
    """On shutdown, close the display streams (1001) instead of waiting for them to end."""
    app[HUB].close_all()


async def _add_security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or Settings.from_env()
    app = web.Application(
        middlewares=[count_middleware, error_middleware], client_max_size=settings.max_body_bytes
    )
    db = Database(settings.db_url)
    hub = Hub()

    async def fetch_after(hall: str, seq: int) -> list[tuple[int, str]]:
        return await reads.events_after(db, await db.hall(hall), seq)

    hub.fetch_after = fetch_after
    db.on_commit = hub.publish
    app[SETTINGS] = settings
    app[DB] = db
    app[HUB] = hub
    app[LIMITER] = RateLimiter(settings.rate_limits)
    app[METRICS] = Metrics()
    app.cleanup_ctx.append(database_ctx)
    app.on_shutdown.append(_close_displays)
    app.on_response_prepare.append(_add_security_headers)
    setup_routes(app)
    setup_pages(app)
    return app
