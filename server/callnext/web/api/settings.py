"""Hall settings and kiosks (manager, admin): read, change, and the kiosks' printer status."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from aiohttp import web

from ...domain.errors import NotFound
from ...domain.hall_settings import kiosk_json, parse_kiosk, parse_patch, settings_json
from ...domain.model import Hall
from ...printing.escpos import parse_printer_url
from ...store.accounts import Account
from ...usecases import hall_config
from .. import parse
from ..keys import DB, PRINTERS
from .auth import MANAGERS, hall_of_url
from .printing import public_base


async def managed(request: web.Request) -> tuple[Hall, Account]:
    """The hall of the URL and the caller, once the caller manages it."""
    return await hall_of_url(request, MANAGERS)


async def _managed_hall(request: web.Request) -> Hall:
    return (await managed(request))[0]


def _kiosk_code(request: web.Request) -> str:
    return parse.path_part(request, "kiosk", parse.KIOSK_CODE, "kiosk")


async def get_settings(request: web.Request) -> web.Response:
    return web.json_response(settings_json(await _managed_hall(request)))


async def patch_settings(request: web.Request) -> web.Response:
    hall, account = await managed(request)
    asked = await parse.json_body(request)
    patch = parse_patch(hall, asked)
    changed = await hall_config.apply_settings(
        request.app[DB], hall.code, patch, asked, account.username
    )
    return web.json_response(changed)


def _with_status(request: web.Request, body: dict[str, object]) -> dict[str, object]:
    printer = body.get("printer")
    status = request.app[PRINTERS].status(printer) if isinstance(printer, str) else None
    return {**body, "printer_status": status}


async def list_kiosks(request: web.Request) -> web.Response:
    hall = await _managed_hall(request)
    return web.json_response(
        {"kiosks": [_with_status(request, kiosk_json(k)) for k in hall.kiosks]}
    )


async def get_kiosk(request: web.Request) -> web.Response:
    hall, code = await _managed_hall(request), _kiosk_code(request)
    kiosk = hall.kiosk(code)
    if kiosk is None:
        raise NotFound("kiosk_not_found", f"No kiosk {code!r} in hall {hall.code}.")
    return web.json_response(_with_status(request, kiosk_json(kiosk)))


async def put_kiosk(request: web.Request) -> web.Response:
    (hall, account), code = await managed(request), _kiosk_code(request)
    kiosk = parse_kiosk(code, await parse.json_body(request), parse_printer_url)
    body, created = await hall_config.put_kiosk(request.app[DB], hall.code, kiosk, account.username)
    return web.json_response(_with_status(request, body), status=201 if created else 200)


async def new_kiosk_key(request: web.Request) -> web.Response:
    """POST …/kiosks/{kiosk}/key: a new key, shown this once, in the kiosk's setup link (the
    kiosk page keeps it); the old key stops working (docs/kiosk.md)."""
    (hall, account), code = await managed(request), _kiosk_code(request)
    key = await hall_config.new_kiosk_key(request.app[DB], hall.code, code, account.username)
    query = urlencode({"kiosk": code, "key": key})
    setup_url = f"{public_base(request)}/halls/{quote(hall.code)}/kiosk?{query}"
    return web.json_response(
        {"kiosk": code, "key": key, "setup_url": setup_url}, headers={"Cache-Control": "no-store"}
    )


async def delete_kiosk(request: web.Request) -> web.Response:
    (hall, account), code = await managed(request), _kiosk_code(request)
    await hall_config.delete_kiosk(request.app[DB], hall.code, code, account.username)
    return web.json_response({"deleted": code})
