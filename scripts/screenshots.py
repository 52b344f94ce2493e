#!/usr/bin/env python3
"""Screenshots of the lobby and window screens for docs/displays.md.

Runs a demo server in this process on a temporary SQLite file, makes a morning's worth of calls,
and shoots each screen with Debian's Chromium through Playwright:

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from playwright.async_api import Browser, Page, WebSocketRoute

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import launch  # noqa: E402
from tests.helpers import Api, free_port  # noqa: E402

from callnext.config import Settings  # noqa: E402
from callnext.web.app import create_app  # noqa: E402

NOTICE_ZH = "请携带身份证原件，过号请到综合咨询窗口重新取号。午间 12:00–13:30 照常办理。"
NOTICE_EN = "Please bring your ID card. Missed your number? Ask at the enquiries window."

# (file, path, viewport)
SHOTS = [
    ("lobby-zh-1920x1080.png", f"/halls/demo/display?notice={NOTICE_ZH}", (1920, 1080)),
    ("lobby-en-1920x1080.png", f"/halls/demo/display?lang=en&notice={NOTICE_EN}", (1920, 1080)),
    ("lobby-zh-1080x1920.png", f"/halls/demo/display?notice={NOTICE_ZH}", (1080, 1920)),
    ("lobby-en-1280x720.png", f"/halls/demo/display?lang=en&notice={NOTICE_EN}", (1280, 720)),
    ("window-zh.png", "/halls/demo/windows/3/display", (1280, 720)),
    ("window-paused.png", "/halls/demo/windows/4/display", (1280, 720)),
]


async def a_busy_morning(api: Api) -> None:
    """Tickets in the three queues, a dozen calls across the windows, window 4 paused."""
    for service, count in (("A", 16), ("B", 7), ("C", 4)):
        for _ in range(count):
            await api.issue(service)
    for window in (1, 2, 5, 3, 7, 6, 1, 8, 2, 5, 1, 3):
        status, body = await api.window(window, "call-next")
        assert status == 200, body
        assert body["called"], body
    status, body = await api.window(4, "pause", {"reason": "午休 · Lunch break"})
    assert status == 200, body


async def shoot(api: Api, out: Path) -> None:
    async with launch() as browser:
        for name, path, (width, height) in SHOTS:
            page = await browser.new_page(viewport={"width": width, "height": height})
            page.on("pageerror", lambda e: print("page error:", e))
            await page.goto(api.base + path)
            if "windows" in path:
                await page.wait_for_function(
                    "document.querySelector('#number').textContent !== '—'"
                )
            else:
                await page.wait_for_selector("#recent li:not([hidden])")
                await api.window(3, "recall")  # a fresh call: held in the hero
                await page.wait_for_selector("#hero.held")
            await save(page, out / name)
        await offline(browser, api, out / "lobby-offline.png")
    async with launch(autoplay=False) as browser:  # a browser that blocks sound until a tap
        page = await browser.new_page(viewport={"width": 1280, "height": 720})
        await page.goto(api.base + "/halls/demo/display?mode=chime")
        await page.wait_for_selector("#enable-sound", state="visible")
        await save(page, out / "lobby-enable-sound.png")


async def offline(browser: Browser, api: Api, path: Path) -> None:
    """The lobby once its stream is lost: the first socket is cut, later ones are refused."""
    sockets: list[WebSocketRoute] = []

    async def route(ws: WebSocketRoute) -> None:
        if sockets:
            await ws.close()
            return
        sockets.append(ws)
        ws.connect_to_server()

    page = await browser.new_page(viewport={"width": 1280, "height": 720})
    await page.route_web_socket(re.compile(".*/ws/v1/.*"), route)
    await page.goto(api.base + "/halls/demo/display")
    await page.wait_for_selector("#recent li:not([hidden])")
    await sockets[0].close()
    await page.wait_for_selector("#offline", state="visible")
    await save(page, path)


async def save(page: Page, path: Path) -> None:
    await page.wait_for_timeout(300)
    await page.screenshot(path=path, animations="disabled")
    await page.close()
    print(f"wrote {path}")


async def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_url=f"sqlite:///{tmp}/demo.db", demo=True, rate_limits=None)
        runner = web.AppRunner(create_app(settings), access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            async with aiohttp.ClientSession() as session:
                api = Api(f"http://127.0.0.1:{port}", session)
                await a_busy_morning(api)
                await shoot(api, out)
        finally:
            await runner.cleanup()


def parse(argv: list[str] | None = None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    return parser.parse_args(argv)


if __name__ == "__main__":
    out_dir = parse().out
    out_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(out_dir))
