"""Spoken announcements over HTTP: `GET /sounds/announce/{lang}/{number}-{window}.wav`, and the
voice's life in the app (start the speech worker with the server, stop it with the server)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from ..domain.errors import NotFound
from ..live import protocol
from .errors import json_error
from .keys import ANNOUNCER, DB

CACHE_CONTROL = "public, max-age=86400"  # the same name always says the same thing


async def voice_ctx(app: web.Application) -> AsyncIterator[None]:
    """The voice's life. Registered before the database: the speech worker starts while the
    database opens; voice_ready waits for it. Stopped with the server."""
    announcer = app[ANNOUNCER]
    announcer.begin()
    yield
    app[DB].voice_langs = frozenset()
    await announcer.close()


async def voice_ready(app: web.Application) -> None:
    """On startup, after every cleanup context: tell the store which languages to link."""
    app[DB].voice_langs = await app[ANNOUNCER].ready()


async def announce_wav(request: web.Request) -> web.StreamResponse:
    """The WAV of one announcement: 404 for a malformed or never-made announcement, 503 when
    the voice is unavailable or rendering fails."""
    lang, name = request.match_info["lang"], request.match_info["name"]
    call = protocol.parse_announce_file(name)
    if lang not in protocol.ANNOUNCE_LANGS or call is None:
        raise NotFound("sound_not_found", "No such announcement sound.")
    try:
        path = await request.app[ANNOUNCER].wav(lang, *call)
    except LookupError as exc:
        raise NotFound("announcement_not_found", "No such call was announced.") from exc
    if path is None:
        return json_error(503, "voice_unavailable", "The announcement cannot be spoken now.")
    headers = {"Content-Type": "audio/wav", "Cache-Control": CACHE_CONTROL}
    return web.FileResponse(path, headers=headers)
