"""The hall's settings page (/halls/{hall}/settings), for its managers and admins: the hall,
services, windows, staff accounts, kiosks and the audit log. Template and scripts live in
displays/ (settings.html, static/settings*.js); every change goes through the settings API."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..domain.model import Hall
from .kiosk_pages import _page_json
from .pages import page_basics, page_hall, render


def _settings_config(hall: Hall, lang: str) -> dict[str, Any]:
    """What the page needs before it logs in: which hall, its names, language and timezone."""
    return {
        "hall": hall.code,
        "name": hall.name,
        "name_en": hall.name_en,
        "lang": lang,
        "timezone": hall.timezone,
    }


async def settings_page(request: web.Request) -> web.Response:
    hall = await page_hall(request)
    if isinstance(hall, web.Response):
        return hall
    lang = "en" if request.query.get("lang") == "en" else "zh"
    config = _settings_config(hall, lang)
    context = {**page_basics(hall, lang), "config": config, "config_json": _page_json(config)}
    response = render(request, "settings.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response
