"""The region's overview page (/overview, docs/overview.md): every hall side by side for an
admin of every hall. Template and scripts live in displays/ (overview.html,
static/overview/); the figures come from GET /api/v1/overview and …/trend (web/api/overview.py)."""

from __future__ import annotations

import time

from aiohttp import web

from .render import page_json, render


async def overview_page(request: web.Request) -> web.Response:
    """`?lang=en` (else Chinese); the page logs in and reads the rest itself. Never cached."""
    lang = "en" if request.query.get("lang") == "en" else "zh"
    config = {"lang": lang, "now_ms": int(time.time() * 1000)}
    context = {
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "config_json": page_json(config),
    }
    response = render(request, "overview.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response
