"""The staff console page (/halls/{hall}/staff): the window's call-next desk, and a manager's
view of every window. Template and scripts live in displays/ (staff.html, static/staff*.js)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from ..domain.model import Hall
from .kiosk_pages import _page_json
from .pages import page_basics, page_hall, render


def _staff_config(hall: Hall, lang: str) -> dict[str, Any]:
    """What the console needs before its first request: the hall's services and windows by name
    (the transfer dialog, the window picker's first paint), its clock and its timezone."""
    return {
        "hall": hall.code,
        "name": hall.name,
        "name_en": hall.name_en,
        "lang": lang,
        "timezone": hall.timezone,
        "now_ms": int(time.time() * 1000),
        "services": [{"code": s.code, "name": s.name, "name_en": s.name_en} for s in hall.services],
        "windows": [
            {"number": w.number, "name": w.name, "services": list(w.services)} for w in hall.windows
        ],
    }


async def staff_console(request: web.Request) -> web.Response:
    hall = await page_hall(request)
    if isinstance(hall, web.Response):
        return hall
    lang = "en" if request.query.get("lang") == "en" else "zh"
    config = _staff_config(hall, lang)
    context = {**page_basics(hall, lang), "config": config, "config_json": _page_json(config)}
    response = render(request, "staff.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response
