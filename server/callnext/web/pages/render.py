"""The HTML pages: Jinja2 templates from displays/ and kiosk/, and their static files."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
from aiohttp import web

from ...domain.errors import NotFound
from ...domain.model import Hall, Window
from ...runtime.assets import asset_dir
from .. import parse
from ..keys import DB, TEMPLATES
from .static_files import add_missing, add_static, page_folders

PAGE_PARTS = ("displays", "kiosk")  # each holds its templates and a static/ of page folders

PAGES = (
    ("取号机", "Kiosk", "/halls/{hall}/kiosk"),
    ("手机预约", "Book on a phone", "/halls/{hall}/book"),
    ("大厅屏", "Lobby display", "/halls/{hall}/display"),
    ("窗口屏", "Window display", "/halls/{hall}/windows/1/display"),
    ("评价屏", "Rating screen", "/halls/{hall}/windows/1/rate"),
    ("窗口工作台", "Staff console", "/halls/{hall}/staff"),
    ("管理看板", "Dashboard", "/halls/{hall}/dashboard"),
    ("设置", "Settings", "/halls/{hall}/settings"),
)

# The screens' fixed labels, rendered server-side for the first paint; screen.js has the rest.
LABELS = {
    "zh": {
        "now_calling": "正在叫号",
        "recent": "最近叫号",
        "queues": "排队情况",
        "no_calls": "等候叫号",
        "now_serving": "正在办理",
        "window": "{n}号窗口",
    },
    "en": {
        "now_calling": "Now calling",
        "recent": "Recent calls",
        "queues": "Waiting",
        "no_calls": "Waiting for calls",
        "now_serving": "Now serving",
        "window": "Window {n}",
    },
}


def setup_pages(app: web.Application) -> None:
    loader = jinja2.FileSystemLoader([str(asset_dir(part)) for part in PAGE_PARTS])
    app[TEMPLATES] = jinja2.Environment(loader=loader, autoescape=True)
    for name, folder in page_folders(*(asset_dir(part) / "static" for part in PAGE_PARTS)).items():
        add_static(app, f"/static/{name}/", folder)
    add_missing(app, "/static/")
    # The sounds/ folder: the chime, the voice cache. /sounds/announce/… is web/sounds.py's own
    # route, registered before this one (setup_routes), so it wins.
    add_static(app, "/sounds/", asset_dir("sounds"))
    app.router.add_get("/", index)
    app.router.add_get("/halls/{hall}/display", lobby)
    app.router.add_get("/halls/{hall}/windows/{n:[0-9]{1,9}}/display", window_display)


def render(
    request: web.Request, template: str, context: Mapping[str, object], status: int = 200
) -> web.Response:
    html = request.app[TEMPLATES].get_template(template).render(context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


async def index(request: web.Request) -> web.Response:
    db = request.app[DB]
    halls = [await db.hall(code) for code in await db.hall_codes()]
    return render(request, "index.html", {"halls": halls, "pages": PAGES})


def _screen(request: web.Request, hall: Hall) -> dict[str, object]:
    """What every screen template needs: the hall, the language, its labels, the server's clock."""
    lang = "en" if request.query.get("lang") == "en" else "zh"
    return {**page_basics(hall, lang), "t": LABELS[lang], "now_ms": int(time.time() * 1000)}


def page_basics(hall: Hall, lang: str) -> dict[str, object]:
    """The hall, the page's language and the hall's name in it first (the other one second)."""
    names = (hall.name_en or hall.name, hall.name) if lang == "en" else (hall.name, hall.name_en)
    return {
        "hall": hall,
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "name": names[0],
        "name_2": names[1] if names[1] != names[0] else "",
    }


def not_found_page(request: web.Request, zh: str, en: str) -> web.Response:
    return render(request, "notfound.html", {"zh": zh, "en": en}, status=404)


async def page_hall(request: web.Request) -> Hall | web.Response:
    """The hall of the URL, or the 404 page that says there is none."""
    code = request.match_info["hall"]
    try:
        return await request.app[DB].hall(code)
    except NotFound:
        return not_found_page(request, f"没有这个大厅：{code}", f"No such hall: {code}")


async def lobby(request: web.Request) -> web.Response:
    hall = await page_hall(request)
    if isinstance(hall, web.Response):
        return hall
    return render(request, "lobby.html", {**_screen(request, hall), "script": "lobby"})


async def page_window(request: web.Request) -> tuple[Hall, Window] | web.Response:
    """The hall and window of the URL, or the 404 page that says there is none."""
    hall, n = await page_hall(request), parse.window_number(request)
    if isinstance(hall, web.Response):
        return hall
    window = hall.window(n)
    if window is None:
        zh, en = f"{hall.name}没有{n}号窗口", f"{hall.code} has no window {n}"
        return not_found_page(request, zh, en)
    return hall, window


async def window_display(request: web.Request) -> web.Response:
    found = await page_window(request)
    if isinstance(found, web.Response):
        return found
    hall, window = found
    context = {**_screen(request, hall), "script": "window", "window": window}
    return render(request, "window.html", context)


# Inside <script> the HTML parser looks for `</script` and for `<!--` (which, with a later
# `<script`, puts it in the "double escaped" state where the real `</script>` no longer ends it:
# the rest of the page becomes script text). JSON may spell any character as \uXXXX, so every
# `<`, `>` and `&` goes out escaped, and U+2028/2029 too (line ends to older JS parsers).
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def page_json(value: Mapping[str, Any]) -> str:
    """JSON to embed in a <script type=application/json> block: nothing in it can end the
    block or change how the HTML parser reads it (`</script>`, `<!--<script>`)."""
    return json.dumps(value, ensure_ascii=False).translate(_SCRIPT_SAFE)


def hall_config(hall: Hall, lang: str) -> dict[str, Any]:
    """The start of a staff-side page's config: which hall, its names, language and timezone."""
    return {
        "hall": hall.code,
        "name": hall.name,
        "name_en": hall.name_en,
        "lang": lang,
        "timezone": hall.timezone,
    }


async def staff_side_page(
    request: web.Request,
    template: str,
    extra_config: Callable[[web.Request, Hall], Mapping[str, Any]],
) -> web.Response:
    """A logged-in page of a hall (staff console, settings, dashboard): the hall of the URL (or
    the 404 page), `?lang=en` (else Chinese), its config as JSON (hall_config, then the page's
    `extra_config`), never cached."""
    hall = await page_hall(request)
    if isinstance(hall, web.Response):
        return hall
    lang = "en" if request.query.get("lang") == "en" else "zh"
    config = {**hall_config(hall, lang), **extra_config(request, hall)}
    context = {**page_basics(hall, lang), "config": config, "config_json": page_json(config)}
    response = render(request, template, context)
    response.headers["Cache-Control"] = "no-store"
    return response
