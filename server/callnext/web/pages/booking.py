"""The citizen's booking pages (docs/appointments.md): booking on a phone (/halls/{hall}/book),
one booking (/a/{id}) and its QR code (/a/{id}/qr.svg, the 8-character code, which a kiosk's
scanner types). Template and scripts: kiosk/book.html, kiosk/static/booking/book*.js."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from ...domain.errors import NotFound
from ...domain.guide import guide_json
from ...domain.model import Hall
from ...printing.qr import qr_svg
from ...usecases import appointments
from .. import parse
from ..keys import DB
from .kiosk import page_lang
from .render import not_found_page, page_basics, page_hall, page_json, render


def _config(hall: Hall, lang: str, appointment: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "hall": hall.code, "lang": lang, "timezone": hall.timezone,
        "hall_name": hall.name, "hall_name_en": hall.name_en,
        "services": {s.code: {"name": s.name, "name_en": s.name_en, "guide": guide_json(s.guide),
                              "real_name": s.real_name}
                     for s in hall.services},  # the guide: shown before confirming; real_name:
        # the form asks for the ID number (实名取号), the booking says the card checks it in
        "appointment": appointment, "now_ms": int(time.time() * 1000),
    }  # fmt: skip


def _page(request: web.Request, hall: Hall, appointment: dict[str, Any] | None) -> web.Response:
    lang = page_lang(request, browser_default=True)
    config = _config(hall, lang, appointment)
    context = {**page_basics(hall, lang), "config": config, "config_json": page_json(config)}
    response = render(request, "book.html", context)
    response.headers["Cache-Control"] = "no-store"  # a booking is its holder's business
    return response


async def book_page(request: web.Request) -> web.Response:
    hall = await page_hall(request)
    if isinstance(hall, web.Response):
        return hall
    return _page(request, hall, None)


async def _appointment(request: web.Request) -> tuple[Hall, dict[str, Any]] | None:
    """The booking of the URL's id and its hall, or None."""
    appointment_id = request.match_info["id"]
    if not parse.TICKET_ID.fullmatch(appointment_id):
        return None
    db = request.app[DB]
    try:
        hall = await appointments.hall_of_appointment(db, appointment_id)
        return hall, await appointments.appointment(db, appointment_id)
    except NotFound:
        return None


async def appointment_page(request: web.Request) -> web.Response:
    found = await _appointment(request)
    if found is None:
        return not_found_page(request, "没有找到这个预约", "No such booking")
    hall, appointment = found
    return _page(request, hall, appointment)


async def appointment_qr(request: web.Request) -> web.Response:
    """The booking's code as a QR code: what a kiosk's scanner reads and types (not a URL)."""
    found = await _appointment(request)
    if found is None:
        raise NotFound("appointment_not_found", "No such appointment.")
    return web.Response(
        text=qr_svg(found[1]["code"]),
        content_type="image/svg+xml",
        headers={"Cache-Control": "private, max-age=86400"},
    )
