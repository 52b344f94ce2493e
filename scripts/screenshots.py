#!/usr/bin/env python3
"""Screenshots of the lobby and window screens for docs/displays.md, and of a citizen's ticket on
a phone (/t/{id}: waiting, called), and of the kiosk (start, priority lane, ticket, 80 mm slip).

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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
        await phones(browser, api, out)
    async with launch(autoplay=False) as browser:  # a browser that blocks sound until a tap
        page = await browser.new_page(viewport={"width": 1280, "height": 720})
        await page.goto(api.base + "/halls/demo/display?mode=chime")
        await page.wait_for_selector("#enable-sound", state="visible")
        await save(page, out / "lobby-enable-sound.png")


KIOSK_NOTICE = "请携带身份证原件 · Please bring your ID card"
NO_PRINT_DIALOG = "window.print = () => {};"  # headless: the slip is shot, not printed


async def kiosk_settings(api: Api) -> None:
    """B has given out its day's numbers; C opens later today (or is done for today late in
    the evening) and has no priority lane; a notice."""
    hall = await api.hall()
    b_issued = sum(1 for t in await api.day_tickets() if t["service"] == "B")
    hour = (datetime.now(ZoneInfo(hall["timezone"])) + timedelta(hours=2)).hour
    spans = [f"{hour:02d}:00-23:59"] if 2 <= hour <= 22 else []
    hours = {day: spans for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    await hall_settings(api, {
        "notice": KIOSK_NOTICE,
        "services": {"B": {"daily_quota": b_issued},
                     "C": {"hours": hours, "priority_allowed": False}},
    })  # fmt: skip


async def hall_settings(api: Api, patch: dict[str, Any]) -> None:
    token = await api.login("manager")
    status, body = await api.request("PATCH", "/api/v1/halls/demo/settings", patch, token=token)
    assert status == 200, body


async def kiosk_page(browser: Browser, api: Api, query: str, size: tuple[int, int]) -> Page:
    page = await browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.on("pageerror", lambda e: print("page error:", e))
    await page.add_init_script(NO_PRINT_DIALOG)
    await page.goto(api.base + "/halls/demo/kiosk" + query)
    await page.wait_for_selector(".service")
    return page


async def shoot_kiosk(api: Api, out: Path) -> None:
    """The start in both languages and orientations, the priority lane, a ticket, its slip."""
    await kiosk_settings(api)
    async with launch() as browser:
        for name, query, size in (
            ("kiosk-zh-1080x1920.png", "", (1080, 1920)),
            ("kiosk-en-1920x1080.png", "?lang=en", (1920, 1080)),
            ("kiosk-zh-1280x720.png", "", (1280, 720)),
        ):
            await save(await kiosk_page(browser, api, query, size), out / name)
        await hall_settings(api, {"services": {"C": {"hours": None}}})  # C: open, no priority
        page = await kiosk_page(browser, api, "", (1080, 1920))
        await page.click("#priority-entry")
        await page.wait_for_selector(".service[data-code='A']:enabled")
        await save(page, out / "kiosk-priority-zh-1080x1920.png")
        page = await kiosk_page(browser, api, "?print=browser", (1080, 1920))
        await page.click(".service[data-code='A']")
        await page.wait_for_function("document.getElementById('s-qr').complete")
        await page.screenshot(path=out / "kiosk-ticket-zh-1080x1920.png", animations="disabled")
        print(f"wrote {out / 'kiosk-ticket-zh-1080x1920.png'}")
        await page.emulate_media(media="print")
        await page.set_viewport_size({"width": 302, "height": 1200})  # 80 mm at 96 dpi
        await page.locator("#slip").screenshot(path=out / "kiosk-print-80mm.png")
        print(f"wrote {out / 'kiosk-print-80mm.png'}")
        await page.close()


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
    await page.route_web_socket(re.compile(".*/ws/v[12]/.*"), route)
    await page.goto(api.base + "/halls/demo/display")
    await page.wait_for_selector("#recent li:not([hidden])")
    await sockets[0].close()
    await page.wait_for_selector("#offline", state="visible")
    await save(page, path)


async def phones(browser: Browser, api: Api, out: Path) -> None:
    """A ticket of the busy A line on a phone, waiting (zh, en), then called to window 7."""
    ticket = await api.issue("A")
    url = f"{api.base}/t/{ticket['id']}"
    context = await browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="zh-CN",
    )  # fmt: skip
    for name, lang in (("phone-waiting-zh.png", "zh"), ("phone-waiting-en.png", "en")):
        page = await context.new_page()
        await page.goto(f"{url}?lang={lang}")
        await page.wait_for_selector("#ahead b")
        await save(page, out / name)
    page = await context.new_page()
    await page.goto(url)
    await page.wait_for_selector("#ahead b")
    assert (await api.window(7, "finish"))[0] == 200
    status, body = await api.window(7, "call", {"number": ticket["number"]})
    assert status == 200, body
    await page.wait_for_selector("#go:not([hidden])")
    await save(page, out / "phone-called-zh.png")
    await context.close()


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
                await shoot_kiosk(api, out)
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
