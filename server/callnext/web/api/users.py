"""A hall's staff accounts (manager, admin): list, create or change, remove."""

from __future__ import annotations

from aiohttp import web

from ...usecases import staff_accounts
from .. import parse
from ..keys import DB
from .settings import managed


async def list_users(request: web.Request) -> web.Response:
    hall, _account = await managed(request)
    return web.json_response(
        {"users": await staff_accounts.list_accounts(request.app[DB], hall.id)}
    )


async def put_user(request: web.Request) -> web.Response:
    hall, account = await managed(request)
    name = staff_accounts.username(request.match_info["username"])
    change = await staff_accounts.parse_change(name, await parse.json_body(request), account.role)
    body, created = await staff_accounts.put(
        request.app[DB], hall.code, change, account.username, account.role
    )
    return web.json_response(body, status=201 if created else 200)


async def delete_user(request: web.Request) -> web.Response:
    hall, account = await managed(request)
    name = staff_accounts.username(request.match_info["username"])
    await staff_accounts.remove(request.app[DB], hall.code, name, account.username, account.role)
    return web.json_response({"deleted": name})
