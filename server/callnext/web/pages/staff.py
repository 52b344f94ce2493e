"""The staff console page (/halls/{hall}/staff): the window's call-next desk, and a manager's
view of every window. Template and scripts live in displays/ (staff.html, static/staff*.js)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from ...domain.model import Hall
from .render import staff_side_page


def _staff_config(_request: web.Request, hall: Hall) -> dict[str, Any]:
    """What the console needs before its first request: the hall's services and windows by name
    (the transfer dialog, the window picker's first paint) and its clock."""
    return {
        "now_ms": int(time.time() * 1000),
        "services": [{"code": s.code, "name": s.name, "name_en": s.name_en} for s in hall.services],
        "windows": [
            {"number": w.number, "name": w.name, "services": list(w.services)} for w in hall.windows
        ],
    }


async def staff_console(request: web.Request) -> web.Response:
    return await staff_side_page(request, "staff.html", _staff_config)
