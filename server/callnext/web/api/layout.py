"""The hall's services and windows (manager, admin): create, change, remove."""

from __future__ import annotations

from aiohttp import web

from ...domain.hall_layout import parse_service, parse_window, service_code
from ...usecases import hall_config
from .. import parse
from ..keys import DB
from .settings import managed


async def put_service(request: web.Request) -> web.Response:
    hall, account = await managed(request)
    code = service_code(request.match_info["code"])
    values = parse_service(hall, code, await parse.json_body(request))
    body, created = await hall_config.put_service(
        request.app[DB], hall.code, code, values, account.username
    )
    return web.json_response(body, status=201 if created else 200)


async def delete_service(request: web.Request) -> web.Response:
    hall, account = await managed(request)
    code = service_code(request.match_info["code"])
    body = await hall_config.delete_service(request.app[DB], hall.code, code, account.username)
    return web.json_response(body)


async def put_window(request: web.Request) -> web.Response:
    hall, account = await managed(request)
    window = parse_window(hall, parse.window_number(request), await parse.json_body(request))
    body, created = await hall_config.put_window(
        request.app[DB], hall.code, window, account.username
    )
    return web.json_response(body, status=201 if created else 200)


async def delete_window(request: web.Request) -> web.Response:
    hall, account = await managed(request)
    number = parse.window_number(request)
    body = await hall_config.delete_window(request.app[DB], hall.code, number, account.username)
    return web.json_response(body)
