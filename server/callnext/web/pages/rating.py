"""The rating screen beside a window (/halls/{hall}/windows/{n}/rate): a tablet that shows the
ticket just finished there and takes its rating (displays/rate.html, static/rate.js)."""

from __future__ import annotations

from aiohttp import web

from ...domain import rating
from .render import page_basics, page_json, page_window, render


async def rate_page(request: web.Request) -> web.Response:
    found = await page_window(request)
    if isinstance(found, web.Response):
        return found
    hall, window = found
    lang = "en" if request.query.get("lang") == "en" else "zh"
    config = {
        "hall": hall.code, "name": hall.name, "name_en": hall.name_en, "lang": lang,
        "timezone": hall.timezone, "window": window.number,
        "services": {s.code: {"name": s.name, "name_en": s.name_en} for s in hall.services},
        "scale": rating.scale_json(),
    }  # fmt: skip
    context = {**page_basics(hall, lang), "window": window, "config": config,
               "config_json": page_json(config)}  # fmt: skip
    response = render(request, "rate.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response
