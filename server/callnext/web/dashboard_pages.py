"""The manager's dashboard page (/halls/{hall}/dashboard): the hall live, a day's figures and
charts, the trends, the exports. Template and scripts live in displays/ (dashboard.html,
static/dashboard*.js); the figures come from the report endpoints (web/reports.py)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from ..domain.model import Hall
from .kiosk_pages import _page_json
from .pages import page_basics, page_hall, render


def _dashboard_config(hall: Hall, lang: str, day: str | None) -> dict[str, Any]:
    """What the page needs before its first request: the hall's services (names, target
    waits) and windows by name, the promise on pending matters, the clock and the timezone."""
    return {
        "hall": hall.code,
        "name": hall.name,
        "name_en": hall.name_en,
        "lang": lang,
        "timezone": hall.timezone,
        "now_ms": int(time.time() * 1000),
        "date": day,
        "promise_s": hall.promise_s,
        "services": [
            {"code": s.code, "name": s.name, "name_en": s.name_en, "target_wait_s": s.target_wait_s}
            for s in hall.services
        ],
        "windows": [
            {"number": w.number, "name": w.name, "services": list(w.services)} for w in hall.windows
        ],
    }


def _asked_day(request: web.Request) -> str | None:
    """`?date=YYYY-MM-DD` as given when it looks like a date (the page checks the rest)."""
    value = request.query.get("date", "")
    if len(value) == 10 and value[4] == value[7] == "-" and value.replace("-", "").isdigit():
        return value
    return None


async def dashboard(request: web.Request) -> web.Response:
    hall = await page_hall(request)
    if isinstance(hall, web.Response):
        return hall
    lang = "en" if request.query.get("lang") == "en" else "zh"
    config = _dashboard_config(hall, lang, _asked_day(request))
    context = {**page_basics(hall, lang), "config": config, "config_json": _page_json(config)}
    response = render(request, "dashboard.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response
