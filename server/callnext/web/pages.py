"""The HTML pages: Jinja2 templates from displays/ and kiosk/, and their static files."""

from __future__ import annotations

import jinja2
from aiohttp import web

from ..assets import asset_dir
from .keys import DB

TEMPLATES = web.AppKey("templates", jinja2.Environment)

PAGES = (
    ("取号机", "Kiosk", "/halls/{hall}/kiosk"),
    ("大厅屏", "Lobby display", "/halls/{hall}/display"),
    ("窗口屏", "Window display", "/halls/{hall}/windows/1/display"),
    ("窗口工作台", "Staff console", "/halls/{hall}/staff"),
    ("管理看板", "Dashboard", "/halls/{hall}/dashboard"),
)


def setup_pages(app: web.Application) -> None:
    loader = jinja2.FileSystemLoader([str(asset_dir("displays")), str(asset_dir("kiosk"))])
    app[TEMPLATES] = jinja2.Environment(loader=loader, autoescape=True)
    app.router.add_static("/static/displays/", asset_dir("displays") / "static")
    app.router.add_get("/", index)


def render(request: web.Request, name: str, **context: object) -> web.Response:
    html = request.app[TEMPLATES].get_template(name).render(**context)
    return web.Response(text=html, content_type="text/html", charset="utf-8")


async def index(request: web.Request) -> web.Response:
    db = request.app[DB]
    halls = [await db.hall(code) for code in await db.hall_codes()]
    return render(request, "index.html", halls=halls, pages=PAGES)
