"""The manager's dashboard page (/halls/{hall}/dashboard): the hall live, a day's figures and
charts, the trends, the exports. Template and scripts live in displays/ (dashboard.html,
static/dashboard*.js); the figures come from the report endpoints (web/reports.py)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from ...domain.model import Hall
from .. import parse
from .render import staff_side_page


def _dashboard_config(request: web.Request, hall: Hall) -> dict[str, Any]:
    """What the page needs before its first request: the day asked for, the hall's services
    (names, target waits) and windows by name, the promise on pending matters, the clock."""
    return {
        "now_ms": int(time.time() * 1000),
        "date": _asked_day(request),
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
    digits = value[:4] + value[5:7] + value[8:]
    if len(value) == 10 and value[4] == value[7] == "-" and parse.DIGITS.fullmatch(digits):
        return value
    return None


async def dashboard(request: web.Request) -> web.Response:
    return await staff_side_page(request, "dashboard.html", _dashboard_config)
