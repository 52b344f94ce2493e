"""The staff console's calls: take and leave a window, read a window's desk, every window of the
hall, and the hall's pending matters."""

from __future__ import annotations

from aiohttp import web

from ...runtime.security import token_digest
from ...usecases import desks
from .. import parse
from ..keys import DB
from .auth import STAFF, bearer, hall_of_url
from .windows import staff_window


async def take(request: web.Request) -> web.Response:
    hall, number, account = await staff_window(request)
    body = await parse.json_body(request, required=False)
    force = parse.boolean(body, "force", default=False)
    digest = token_digest(bearer(request))
    until = account.session_until
    assert until is not None  # read with the token
    result = await desks.take(
        request.app[DB], hall, number, account.username, digest, force, account.desk, until
    )
    return web.json_response(result)


async def release(request: web.Request) -> web.Response:
    hall, number, account = await staff_window(request)
    await parse.json_body(request, required=False)
    digest = token_digest(bearer(request))
    result = await desks.release(
        request.app[DB], hall, number, account.username, digest, account.desk
    )
    return web.json_response(result)


async def desk(request: web.Request) -> web.Response:
    hall, number, account = await staff_window(request)
    return web.json_response(await desks.desk_view(request.app[DB], hall, number, account.desk))


async def all_windows(request: web.Request) -> web.Response:
    hall, _account = await hall_of_url(request, STAFF)
    return web.json_response(await desks.windows_view(request.app[DB], hall.code))


async def pending(request: web.Request) -> web.Response:
    hall, _account = await hall_of_url(request, STAFF)
    return web.json_response(await desks.pending_view(request.app[DB], hall.code))
