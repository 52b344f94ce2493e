"""`GET /api/v1/openapi.json`: the OpenAPI document of the HTTP API (public)."""

from __future__ import annotations

from functools import cache

from aiohttp import web

from ...live.protocol import encode
from .document import document


@cache
def _text() -> str:
    return encode(document())


async def openapi(_request: web.Request) -> web.Response:
    return web.Response(text=_text(), content_type="application/json", charset="utf-8")
