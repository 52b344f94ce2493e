"""The citizen's pages: the kiosk (/halls/{hall}/kiosk), the ticket on a phone (/t/{id}) and the
ticket's QR code (/t/{id}/qr.svg). Templates and scripts live in kiosk/."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from ...domain.errors import NotFound
from ...domain.guide import NO_GUIDE, guide_json
from ...domain.model import Hall, PrintMode
from ...printing.qr import qr_svg
from ...store import reads
from .. import parse
from ..api.printing import ticket_url
from ..keys import DB
from .render import not_found_page, page_basics, page_hall, page_json, render

RETURN_S = 12  # the ticket stays on the kiosk's screen this long, then back to the services


def page_lang(request: web.Request, *, browser_default: bool) -> str:
    """`?lang=en|zh`; else, on a phone, its first Accept-Language; else Chinese."""
    asked = request.query.get("lang")
    if asked in ("zh", "en"):
        return asked
    if browser_default:
        first = request.headers.get("Accept-Language", "zh").split(",")[0].strip().lower()
        return "zh" if first.startswith("zh") or not first or first == "*" else "en"
    return "zh"


def _names(hall: Hall, lang: str) -> tuple[str, str]:
    first, second = (
        (hall.name_en or hall.name, hall.name) if lang == "en" else (hall.name, hall.name_en)
    )
    return first, second if second != first else ""


def _kiosk_config(request: web.Request, hall: Hall) -> dict[str, Any]:
    """Which kiosk this is (?kiosk=), how it prints (its settings; ?print= overrides for a
    browser-printing kiosk without a record), and how long a ticket stays on screen."""
    code = request.query.get("kiosk") or None
    kiosk = hall.kiosk(code) if code else None
    mode = kiosk.print_mode if kiosk else PrintMode.NONE
    override = request.query.get("print")
    if override in (PrintMode.BROWSER.value, PrintMode.NONE.value) and mode is not PrintMode.ESCPOS:
        mode = PrintMode(override)
    asked = parse.whole_number(request.query.get("return"))  # a page: bad input is the default
    return_s = RETURN_S if asked is None else min(120, max(3, asked))
    return {
        "kiosk": kiosk.code if kiosk else None,
        "unknown_kiosk": code if code and kiosk is None else None,
        "print": mode.value,
        "return_s": return_s,
    }


async def kiosk(request: web.Request) -> web.Response:
    hall = await page_hall(request)
    if isinstance(hall, web.Response):
        return hall
    lang = page_lang(request, browser_default=False)
    config = {"hall": hall.code, "lang": lang, "now_ms": int(time.time() * 1000),
              "timezone": hall.timezone, **_kiosk_config(request, hall)}  # fmt: skip
    context = {**page_basics(hall, lang), "config": config, "config_json": page_json(config)}
    return render(request, "kiosk.html", context)


async def _ticket(request: web.Request) -> tuple[Hall, dict[str, Any]] | None:
    ticket_id = request.match_info["id"]
    if not parse.TICKET_ID.fullmatch(ticket_id):
        return None
    try:
        _t, hall, body = await reads.ticket_with_hall(request.app[DB], ticket_id)
    except NotFound:
        return None
    return hall, body


async def ticket_page(request: web.Request) -> web.Response:
    found = await _ticket(request)
    if found is None:
        return not_found_page(request, "没有找到这张号票", "No such ticket")
    hall, ticket = found
    lang = page_lang(request, browser_default=True)
    service = hall.service(ticket["service"])
    config = {
        "hall": hall.code, "lang": lang, "timezone": hall.timezone, "ticket": ticket,
        "hall_name": hall.name, "hall_name_en": hall.name_en,
        "service_name": service.name if service else ticket["service"],
        "service_name_en": service.name_en if service else "",
        "almost_turn_ahead": hall.almost_turn_ahead,  # 快到您了 at this many ahead; 0: never
        "guide": guide_json(service.guide if service else NO_GUIDE),  # what to bring
        "now_ms": int(time.time() * 1000),
    }  # fmt: skip
    context = {**page_basics(hall, lang), "ticket": ticket, "config": config,
               "config_json": page_json(config)}  # fmt: skip
    response = render(request, "ticket.html", context)
    response.headers["Cache-Control"] = "no-store"  # live state, and nobody else's business
    return response


async def ticket_qr(request: web.Request) -> web.Response:
    found = await _ticket(request)
    if found is None:
        raise NotFound("ticket_not_found", "No such ticket.")
    _hall, ticket = found
    svg = qr_svg(ticket_url(request, ticket["id"]))
    return web.Response(
        text=svg,
        content_type="image/svg+xml",
        headers={"Cache-Control": "private, max-age=86400"},
    )
