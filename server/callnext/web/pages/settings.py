"""The hall's settings page (/halls/{hall}/settings), for its managers and admins: the hall,
services, windows, staff accounts, kiosks and the audit log. Template and scripts live in
displays/ (settings.html, static/settings*.js); every change goes through the settings API."""

from __future__ import annotations

from aiohttp import web

from .render import staff_side_page


async def settings_page(request: web.Request) -> web.Response:
    # Before it logs in, the page needs only the common config (hall, names, language, timezone).
    return await staff_side_page(request, "settings.html", lambda _request, _hall: {})
