#!/usr/bin/env python3
"""Screenshots of the lobby and window screens for docs/displays.md, and of a citizen's ticket on
a phone (/t/{id}: waiting, almost your turn, called), and of the kiosk (start, priority lane,
ticket, 80 mm slip),
and of large print (大字) on both (group `large`: scripts/screenshots_large.py),
and of the staff console (login, window picker, desk, dialogs, a number refused, the manager's
overview), and of the settings page (services, a service's editor, the hall, the audit log), and
of the manager's dashboard (on a server of its own, with a month of simulated days).

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

# scripts/: this script's own folder, and its groups' modules
from screenshots_common import save  # noqa: E402
from screenshots_dashboard import shoot_dashboard  # noqa: E402
from screenshots_large import shoot_large  # noqa: E402
from screenshots_real_name import shoot_real_name  # noqa: E402
from screenshots_settings import shoot_settings  # noqa: E402
from screenshots_staff import shoot_staff  # noqa: E402
from tests.browser import launch, wait_js  # noqa: E402
from tests.helpers import Api, free_port  # noqa: E402

from callnext.runtime.config import Settings  # noqa: E402
from callnext.web.app import create_app  # noqa: E402

# The hall's notices: the Chinese one long enough to page (a screenful of whole lines at a time).
NOTICE_ZH = (
    "请携带身份证原件，过号请到综合咨询窗口重新取号。午间 12:00–13:30 照常办理。"
    "办理不动产登记请提前准备不动产权证书、购房合同及完税凭证；委托他人办理的，请携带授权委托书"
    "及受托人身份证原件。水电气过户需携带原户主身份证明及新户主身份证明。"
    "如对办理结果有疑问，可在窗口屏下方扫码评价，或拨打 12345 政务服务便民热线。"
)
NOTICE_EN = "Please bring your ID card. Missed your number? Ask at the enquiries window."

# (file, path, viewport)
SHOTS = [
    ("lobby-zh-1920x1080.png", "/halls/demo/display", (1920, 1080)),
    ("lobby-en-1920x1080.png", "/halls/demo/display?lang=en", (1920, 1080)),
    ("lobby-zh-1080x1920.png", "/halls/demo/display", (1080, 1920)),
    ("lobby-en-1280x720.png", "/halls/demo/display?lang=en", (1280, 720)),
    ("window-zh.png", "/halls/demo/windows/3/display", (1280, 720)),
    ("window-paused.png", "/halls/demo/windows/4/display", (1280, 720)),
    ("window-idle-zh.png", "/halls/demo/windows/7/display", (1280, 720)),
    ("window-idle-en-1920x1080.png", "/halls/demo/windows/7/display?lang=en", (1920, 1080)),
    ("window-closed.png", "/halls/demo/windows/6/display", (1280, 720)),
]
GROUPS = ("screens", "kiosk", "real_name", "large", "staff", "settings", "dashboard")


async def a_busy_morning(api: Api) -> None:
    """Tickets in the three queues, a dozen calls across the windows, window 4 paused; window
    7's staff member (with a display name and 工号) between calls; nobody at window 6; the
    hall's notices."""
    for service, count in (("A", 16), ("B", 7), ("C", 4)):
        for _ in range(count):
            await api.issue(service)
    for window in (1, 2, 5, 3, 7, 8, 1, 8, 2, 5, 1, 3):
        status, body = await api.window(window, "call-next")
        assert status == 200, body
        assert body["called"], body
    status, body = await api.window(4, "pause", {"reason": "午休 · Lunch break"})
    assert status == 200, body
    token = await api.login("manager")
    name = {"display_name": "李娜", "staff_no": "A0107"}
    status, body = await api.request("PUT", "/api/v1/halls/demo/users/w7", name, token=token)
    assert status == 200, body
    for action in ("finish", "take"):
        status, body = await api.window(7, action)
        assert status == 200, body
    await hall_settings(api, {"notice": NOTICE_ZH, "notice_en": NOTICE_EN})


async def shoot(api: Api, out: Path) -> None:
    async with launch(full=True) as browser:
        for name, path, (width, height) in SHOTS:
            page = await browser.new_page(viewport={"width": width, "height": height})
            page.on("pageerror", lambda e: print("page error:", e))
            async with page.expect_console_message(lambda m: "callnext: snapshot" in m.text):
                await page.goto(api.base + path)
            if "windows" not in path:
                await page.wait_for_selector("#recent li:not([hidden])")
                await api.window(3, "recall")  # a fresh call: held in the hero
                await page.wait_for_selector("#hero.held")
            await save(page, out / name)
        await offline(browser, api, out / "lobby-offline.png")
        await phones(browser, api, out)
    # a browser that blocks sound until a tap
    async with launch(autoplay=False, full=True) as browser:
        page = await browser.new_page(viewport={"width": 1280, "height": 720})
        await page.goto(api.base + "/halls/demo/display?mode=chime")
        await page.wait_for_selector("#enable-sound", state="visible")
        await save(page, out / "lobby-enable-sound.png")


KIOSK_NOTICE = "请携带身份证原件 · Please bring your ID card"
NO_PRINT_DIALOG = "window.print = () => {};"  # headless: the slip is shot, not printed


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def kiosk_settings(api: Api) -> None:
    """B has given out its day's numbers; C opens later today (or is done for today late in
    the evening) and has no priority lane; a notice."""
    hall = await api.hall()
    b_issued = sum(1 for t in await api.day_tickets() if t["service"] == "B")
    hour = (datetime.now(ZoneInfo(hall["timezone"])) + timedelta(hours=2)).hour
    spans = [f"{hour:02d}:00-23:59"] if 2 <= hour <= 22 else []
    hours = {day: spans for day in WEEKDAYS}
    await hall_settings(api, {
        "notice": KIOSK_NOTICE,
        "services": {"B": {"daily_quota": b_issued},
                     "C": {"hours": hours, "priority_allowed": False}},
    })  # fmt: skip


async def hall_settings(api: Api, patch: dict[str, Any]) -> None:
    token = await api.login("manager")
    status, body = await api.request("PATCH", "/api/v1/halls/demo/settings", patch, token=token)
    assert status == 200, body


async def shoot_closed_lobby(api: Api, out: Path) -> None:
    """The lobby while services issue no tickets (after kiosk_settings: B's numbers are all
    given out, C opens later today): when they issue again, not 暂停取号."""
    async with launch(full=True) as browser:
        for name, query in (("lobby-closed-zh-1280x720.png", ""),
                            ("lobby-closed-en-1280x720.png", "?lang=en")):  # fmt: skip
            page = await browser.new_page(viewport={"width": 1280, "height": 720})
            await page.goto(api.base + "/halls/demo/display" + query)
            await page.wait_for_selector("#recent li:not([hidden])")
            await save(page, out / name)


async def kiosk_page(browser: Browser, api: Api, query: str, size: tuple[int, int]) -> Page:
    page = await browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.on("pageerror", lambda e: print("page error:", e))
    await page.add_init_script(NO_PRINT_DIALOG)
    await page.goto(api.base + "/halls/demo/kiosk" + query)
    await page.wait_for_selector(".service")
    return page


async def shoot_kiosk(api: Api, out: Path) -> None:
    """The start in both languages and orientations, the priority lane, a ticket, its slip
    (after kiosk_settings)."""
    async with launch(full=True) as browser:
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
        await wait_js(page, "document.getElementById('s-qr').complete")
        await wait_js(page, "document.getElementById('t-qr').naturalWidth > 0")
        await page.screenshot(path=out / "kiosk-ticket-zh-1080x1920.png", animations="disabled")
        print(f"wrote {out / 'kiosk-ticket-zh-1080x1920.png'}")
        await page.emulate_media(media="print")
        await page.set_viewport_size({"width": 302, "height": 1200})  # 80 mm at 96 dpi
        await page.locator("#slip").screenshot(path=out / "kiosk-print-80mm.png")
        print(f"wrote {out / 'kiosk-print-80mm.png'}")
        await page.close()
        page = await kiosk_page(browser, api, "", (1920, 1080))  # what to bring, landscape
        await page.click(".service[data-code='A']")
        await page.wait_for_selector("#t-guide:not([hidden])")
        await wait_js(page, "document.getElementById('t-qr').complete")
        await save(page, out / "kiosk-guide-zh-1920x1080.png")
        await shoot_kiosk_extremes(browser, api, out)


LONG_NAMES = {"A": ("不动产登记、抵押权设立及变更登记与房屋交易合同网签备案综合受理",
                    "Real estate registration, mortgage filing and transfer of title for "
                    "residential property"),
              "B": ("水电气暖及有线电视、宽带网络过户与开户一站式联办",
                    "Water, electricity, gas, heating, cable television and broadband account "
                    "transfers")}  # fmt: skip


async def shoot_kiosk_extremes(browser: Browser, api: Api, out: Path) -> None:
    """Long service names (English, 1920×1080), and a ticket taken as A's hours end within two
    minutes (今日可能无法办理); the hall as it was afterwards."""
    token = await api.login("manager")
    before = {s["code"]: s for s in (await api.hall())["services"]}
    for code, (zh, en) in LONG_NAMES.items():
        body = {"name": zh, "name_en": en}
        status, answer = await api.request("PUT", f"/api/v1/halls/demo/services/{code}", body,
                                           token=token)  # fmt: skip
        assert status == 200, answer
    await save(await kiosk_page(browser, api, "?lang=en", (1920, 1080)),
               out / "kiosk-long-en-1920x1080.png")  # fmt: skip
    for code in LONG_NAMES:
        body = {"name": before[code]["name"], "name_en": before[code]["name_en"]}
        status, answer = await api.request("PUT", f"/api/v1/halls/demo/services/{code}", body,
                                           token=token)  # fmt: skip
        assert status == 200, answer
    now = datetime.now(ZoneInfo((await api.hall())["timezone"]))
    end = min(now.hour * 60 + now.minute + 2, 24 * 60)
    closing = {d: [f"00:00-{end // 60:02d}:{end % 60:02d}"] for d in WEEKDAYS}
    await hall_settings(api, {"services": {"A": {"hours": closing}}})
    page = await kiosk_page(browser, api, "?print=browser", (1080, 1920))
    await page.click(".service[data-code='A']")
    await wait_js(page, "document.getElementById('s-qr').complete")
    await save(page, out / "kiosk-late-zh-1080x1920.png")
    await hall_settings(api, {"services": {"A": {"hours": None}}})


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
    """A ticket of the busy A line on a phone, waiting (zh, en), then called to window 7; one
    with 2 ahead: almost your turn (zh, en)."""
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
    page = await context.new_page()  # the whole page: the guide (请携带) below the buttons
    await page.goto(url)
    await page.wait_for_selector("#guide:not([hidden])")
    await page.screenshot(path=out / "phone-guide-zh.png", full_page=True, animations="disabled")
    await page.close()
    print(f"wrote {out / 'phone-guide-zh.png'}")
    page = await context.new_page()
    await page.goto(url)
    await page.wait_for_selector("#ahead b")
    status, body = await api.window(7, "call", {"number": ticket["number"]})  # 7 is free
    assert status == 200, body
    await page.wait_for_selector("#go:not([hidden])")
    await save(page, out / "phone-called-zh.png")
    almost = await ticket_with_ahead(api, 2)  # the demo's almost_turn_ahead is 3
    for lang in ("zh", "en"):
        page = await context.new_page()
        await page.goto(f"{api.base}/t/{almost['id']}?lang={lang}")
        await page.wait_for_selector("#almost:not([hidden])")
        await save(page, out / f"phone-almost-{lang}.png")
    await context.close()


async def ticket_with_ahead(api: Api, ahead: int) -> dict[str, Any]:
    """A waiting ticket of A with `ahead` tickets before it (the phone's 快到您了)."""
    for t in await api.day_tickets():
        if t["status"] == "waiting" and t["service"] == "A":
            status, body = await api.request("GET", f"/api/v1/tickets/{t['id']}")
            if status == 200 and body["ahead"] == ahead:
                return body  # type: ignore[no-any-return]
    raise AssertionError(f"no waiting A ticket with {ahead} ahead")


async def main(out: Path, only: set[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db_path = f"{tmp}/demo.db"
        settings = Settings(
            db_url=f"sqlite:///{db_path}", demo=True, demo_all_day=True, rate_limits=None
        )
        runner = web.AppRunner(create_app(settings), access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            async with aiohttp.ClientSession() as session:
                api = Api(f"http://127.0.0.1:{port}", session)
                await a_busy_morning(api)
                if "screens" in only:
                    await shoot(api, out)
                await kiosk_settings(api)
                if "screens" in only:
                    await shoot_closed_lobby(api, out)
                if "kiosk" in only:
                    await shoot_kiosk(api, out)
                if "real_name" in only:
                    await shoot_real_name(api, out)
                if "large" in only:
                    await shoot_large(api, out)
                if "staff" in only:
                    await shoot_staff(api, out, db_path)
                if "settings" in only:
                    await shoot_settings(api, out)
        finally:
            await runner.cleanup()
    if "dashboard" in only:
        await shoot_dashboard(out)


def parse(argv: list[str] | None = None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    groups = ", ".join(GROUPS)
    parser.add_argument("--only", default=",".join(GROUPS), help=f"which shots, of: {groups}")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse()
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(args.out, set(args.only.split(","))))
