"""The pages' static files: /static/{folder}/ for each page's folder (shared, screens, staff,
dashboard, settings, rating under displays/static/; kiosk, phone, booking under kiosk/static/), and
/sounds/. A file under its folder, or a plain-text 404 that says which (aiohttp's own static route
answered a missing file with an empty application/octet-stream 404)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler


def not_found(request: web.Request) -> web.Response:
    return web.Response(
        status=404, text=f"404 Not Found: {request.path}\n", content_type="text/plain",
        charset="utf-8",
    )  # fmt: skip


def file_route(root: Path) -> Handler:
    """GET a file under `root` (no directory listing, nothing outside it, no dotfiles)."""
    base = root.resolve()

    async def handler(request: web.Request) -> web.StreamResponse:
        relative = request.match_info["path"]
        if not relative or any(part.startswith(".") for part in relative.split("/")):
            return not_found(request)
        try:
            path = (base / relative).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return not_found(request)
        if not path.is_relative_to(base) or not path.is_file():
            return not_found(request)
        return web.FileResponse(path)

    return handler


def add_static(app: web.Application, prefix: str, root: Path) -> None:
    """`prefix` (ending in /) serves the files under `root`; GET and HEAD."""
    app.router.add_get(prefix + "{path:.*}", file_route(root))


def add_missing(app: web.Application, prefix: str) -> None:
    """Under `prefix`, what no folder's route answered (a folder that does not exist, an old
    /static/displays/… address) gets the same plain-text 404; register it after the folders."""

    async def handler(request: web.Request) -> web.Response:
        return not_found(request)

    app.router.add_get(prefix + "{path:.*}", handler)


def page_folders(*roots: Path) -> dict[str, Path]:
    """The folders under the static roots, by name: one URL root, /static/{name}/, for both. A
    name in two roots would hide one of them, so it stops the server from starting."""
    folders: dict[str, Path] = {}
    for root in roots:
        for folder in sorted(path for path in root.iterdir() if path.is_dir()):
            if folder.name in folders:
                raise RuntimeError(
                    f"static folder {folder.name!r} is in {folders[folder.name]} and {folder}: "
                    f"one URL, /static/{folder.name}/, cannot serve both"
                )
            folders[folder.name] = folder
    return folders
