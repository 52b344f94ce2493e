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
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
from playwright.async_api import Browser, Page, WebSocketRoute

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screenshots_large import shoot_large  # noqa: E402  (scripts/: this script's own folder)
from tests import dashboard_data  # noqa: E402
from tests.browser import launch, wait_js  # noqa: E402
from tests.helpers import Api, free_port, running_app  # noqa: E402

from callnext.runtime.config import Settings  # noqa: E402
from callnext.store.database import Database  # noqa: E402
from callnext.store.setup import seed_demo  # noqa: E402
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
GROUPS = ("screens", "kiosk", "large", "staff", "settings", "dashboard")


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
    async with launch() as browser:
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
    async with launch(autoplay=False) as browser:  # a browser that blocks sound until a tap
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
    async with launch() as browser:
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


STAFF = "/halls/demo/staff"
STAFF_SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}


def an_earlier_morning(db_path: str) -> None:
    """Spread the tickets over the last forty minutes or so (the shots are taken seconds after
    they were issued; a ticket is never called before it was issued): older tickets wait longer,
    so the desk's queue shows green, amber and red; one pending matter was accepted over an hour
    ago (overdue), the other twenty minutes ago."""
    conn = sqlite3.connect(db_path)
    try:
        pks = [row[0] for row in conn.execute("SELECT pk FROM tickets ORDER BY pk")]
        for i, pk in enumerate(pks):
            back = int((len(pks) - i) * 55 * 1e6)
            conn.execute(
                "UPDATE tickets SET issued_at = issued_at - ?, called_at = called_at - ?,"
                " last_called_at = last_called_at - ?, finished_at = finished_at - ?"
                " WHERE pk = ?",
                (back, min(back, int(200e6)), min(back, int(200e6)), min(back, int(60e6)), pk),
            )
        pending = [
            row[0]
            for row in conn.execute("SELECT pk FROM tickets WHERE outcome = 'pending' ORDER BY pk")
        ]
        for pk, back in zip(pending, (3900e6, 1200e6), strict=False):
            conn.execute(
                "UPDATE tickets SET issued_at = issued_at - ?, called_at = called_at - ?,"
                " last_called_at = last_called_at - ?, finished_at = finished_at - ? WHERE pk = ?",
                (int(back), int(back), int(back), int(back), pk),
            )
        conn.commit()
    finally:
        conn.close()


async def staff_page(browser: Browser, api: Api, user: str, lang: str, size: str) -> Page:
    width, height = STAFF_SIZES[size]
    page = await browser.new_page(viewport={"width": width, "height": height})
    page.on("pageerror", lambda e: print("page error:", e))
    await page.goto(api.base + STAFF + ("?lang=en" if lang == "en" else ""))
    await page.wait_for_selector("#login-view:not([hidden])")
    if user:
        await page.fill("#username", user)
        await page.fill("#password", "demo")
        await page.press("#password", "Enter")
    return page


async def staff_desk(browser: Browser, api: Api, lang: str, size: str) -> Page:
    """w3 at window 3 with its current ticket (recalled once), the A queue, the pending list."""
    page = await staff_page(browser, api, "w3", lang, size)
    # w3 still holds window 3 from the last shot's console: the page goes back to it at once
    await page.wait_for_selector(".window-button[data-window='3'], #desk-view[data-loaded='true']")
    if await page.is_visible(".window-button[data-window='3']"):
        await page.click(".window-button[data-window='3']")
    await page.wait_for_selector("#desk-view[data-loaded='true'], #d-confirm[open]")
    if await page.is_visible("#d-confirm"):  # the previous shot's console still holds it
        await page.click("#d-confirm-ok")
    await page.wait_for_selector("#desk-view[data-loaded='true']")
    return page


async def shoot_staff(api: Api, out: Path, db_path: str) -> None:
    """Two pending matters, the morning spread over half an hour, then each console view in
    both languages at a desk PC's two usual sizes."""
    for window in (2, 7):
        status, body = await api.window(window, "finish", {"outcome": "pending"})
        assert status == 200, body
    assert (await api.window(3, "recall"))[0] == 200
    an_earlier_morning(db_path)
    async with launch() as browser:
        for lang, size in (("zh", "1366x768"), ("en", "1920x1080")):
            await save(
                await staff_page(browser, api, "", lang, size),
                out / f"staff-login-{lang}-{size}.png",
            )
        page = await staff_page(browser, api, "w3", "zh", "1366x768")
        await page.wait_for_selector(".window-button[data-window='8'] .holder:not(:empty)")
        await save(page, out / "staff-picker-zh-1366x768.png")
        for lang in ("zh", "en"):
            for size in STAFF_SIZES:
                page = await staff_desk(browser, api, lang, size)
                await save(page, out / f"staff-desk-{lang}-{size}.png")
        page = await staff_desk(browser, api, "zh", "1366x768")
        await page.keyboard.press("t")
        await page.wait_for_selector("#d-transfer[open]")
        await save(page, out / "staff-transfer-zh-1366x768.png")
        page = await staff_desk(browser, api, "en", "1920x1080")
        await page.keyboard.press("s")
        await page.wait_for_selector("#d-pause[open]")
        await save(page, out / "staff-pause-en-1920x1080.png")
        page = await staff_desk(browser, api, "en", "1366x768")
        await page.keyboard.press("?")
        await page.wait_for_selector("#d-help[open]")
        await save(page, out / "staff-help-en-1366x768.png")
        for lang, size in (("zh", "1920x1080"), ("en", "1366x768"), ("zh", "1366x768")):
            page = await staff_page(browser, api, "manager", lang, size)
            await page.wait_for_selector(".card .holder:not(:empty)")
            await page.wait_for_selector("#ov-pending-list li")
            await save(page, out / f"staff-overview-{lang}-{size}.png")
        await save(await call_refused(browser, api), out / "staff-call-zh-1366x768.png")
        await shoot_in_order(browser, api, out / "staff-in-order-zh-1366x768.png")


async def shoot_in_order(browser: Browser, api: Api, path: Path) -> None:
    """Window 8 (A, B and C) set to call C, then B, then A (its work profile), at w8's desk;
    the window goes back to first come after the shot."""
    token = await api.login("manager")

    async def put_window_8(body: dict[str, Any]) -> None:
        status, answer = await api.request("PUT", "/api/v1/halls/demo/windows/8", body, token=token)
        assert status == 200, answer

    await put_window_8({"services": ["C", "B", "A"], "call_order": "services"})
    page = await staff_page(browser, api, "w8", "zh", "1366x768")
    await at_window(page, 8)
    await page.wait_for_selector("#queue-order:not([hidden])")
    await save(page, path)
    await put_window_8({"services": ["A", "B", "C"], "call_order": "queue"})


async def at_window(page: Page, n: int) -> None:
    """From the login, window `n`'s desk: picked, or at once where the account holds it."""
    either = f".window-button[data-window='{n}'], #desk-view[data-window='{n}'][data-loaded='true']"
    await page.wait_for_selector(either)
    if await page.is_visible(f".window-button[data-window='{n}']"):
        await page.click(f".window-button[data-window='{n}']")


async def call_refused(browser: Browser, api: Api) -> Page:
    """w7 at window 7 (A, B and C) calls "3": the dialog stays open and asks for the letter."""
    page = await staff_page(browser, api, "w7", "zh", "1366x768")
    await at_window(page, 7)
    await page.wait_for_selector("#desk-view[data-loaded='true']")
    await page.keyboard.press("g")
    await page.fill("#d-call-number", "3")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#d-call-error:not([hidden])")
    return page


SETTINGS = "/halls/demo/settings"


async def settings_page(browser: Browser, api: Api, lang: str, tab: str) -> Page:
    """The settings page at 1366×768, logged in as the manager, on `tab`."""
    page = await browser.new_page(viewport={"width": 1366, "height": 768})
    page.on("pageerror", lambda e: print("page error:", e))
    await page.goto(api.base + SETTINGS + ("?lang=en" if lang == "en" else "") + f"#{tab}")
    await page.fill("#username", "manager")
    await page.fill("#password", "demo")
    await page.press("#password", "Enter")
    await page.wait_for_selector(f"#panel-{tab}:not([hidden])")
    return page


async def shoot_settings(api: Api, out: Path) -> None:
    """The settings page: the services (one with its own hours, a quota and a 1:2 priority
    ratio), a service's editor, the hall, and the day's audit log, in both languages."""
    token = await api.login("manager")
    weekdays = {day: ["08:30-11:30"] for day in ("mon", "tue", "wed", "thu", "fri")}
    service_d = {"name": "公积金提取", "name_en": "Housing fund withdrawal", "daily_quota": 120,
                 "priority_ratio": 2, "hours": weekdays, "target_wait_s": 1200}  # fmt: skip
    for method, path, body in (
        ("PUT", "/services/D", service_d),
        ("PUT", "/windows/9", {"name": "9号窗口", "services": ["D"]}),
        ("PUT", "/users/zhang", {"role": "staff", "window": 9, "password": "secret1"}),
    ):
        status, answer = await api.request(method, "/api/v1/halls/demo" + path, body, token=token)
        assert status in (200, 201), answer
    async with launch() as browser:
        for lang in ("zh", "en"):
            page = await settings_page(browser, api, lang, "services")
            await page.wait_for_selector("#panel-services tr[data-code='D']")
            await save(page, out / f"settings-services-{lang}-1366x768.png")
            page = await settings_page(browser, api, lang, "audit")
            await page.wait_for_selector("#audit-table tbody tr")
            await save(page, out / f"settings-audit-{lang}-1366x768.png")
        page = await settings_page(browser, api, "zh", "hall")
        await save(page, out / "settings-hall-zh-1366x768.png")
        page = await settings_page(browser, api, "zh", "services")
        await page.click("#panel-services tr[data-code='D'] button:has-text('编辑')")
        await page.wait_for_selector("#editor[open]")
        await save(page, out / "settings-service-zh-1366x768.png")
        page = await settings_page(browser, api, "zh", "services")  # A's guide (办事指南)
        await page.click("#panel-services tr[data-code='A'] button:has-text('编辑')")
        await page.wait_for_selector("#editor[open]")
        await page.locator("#editor fieldset.guide").scroll_into_view_if_needed()
        await save(page, out / "settings-guide-zh-1366x768.png")
        for lang in ("zh", "en"):  # window 7's work profile: its services in an order (C first)
            page = await settings_page(browser, api, lang, "windows")
            await page.click("#panel-windows tr[data-number='7'] button:not(.danger)")
            await page.wait_for_selector("#editor[open]")
            await page.check("#editor input[name=call_order][value=services]")
            await page.click("#editor li[data-code=C] .up")
            await page.click("#editor li[data-code=C] .up")
            await save(page, out / f"settings-window-order-{lang}-1366x768.png")


DASHBOARD = "/halls/demo/dashboard"


def afternoon_zone(now: datetime) -> str:
    """The hall's timezone for the dashboard's shots: one where it is mid-afternoon now, so that
    today's simulated morning and the live calls look like a working day whenever the script
    runs (Asia/Shanghai when it already is afternoon there)."""
    if 12 <= now.astimezone(ZoneInfo("Asia/Shanghai")).hour <= 18:
        return "Asia/Shanghai"
    offset = max(-12, min(14, 15 - now.astimezone(UTC).hour))
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


async def dashboard_history(db_path: str) -> None:
    """The demo hall's last 30 days (weekdays busy, weekends closed), this morning and the last
    half hour, all simulated through the use cases (tests/dashboard_data.py)."""
    db = Database(f"sqlite:///{db_path}")
    await db.start()
    await seed_demo(db, all_day=True)
    await db.close()
    now = datetime.now(UTC)
    zone_name = afternoon_zone(now)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE halls SET timezone = ? WHERE code = 'demo'", (zone_name,))
    conn.close()
    db = Database(f"sqlite:///{db_path}")
    await db.start()
    try:
        today = now.astimezone(ZoneInfo(zone_name)).date()
        print(f"simulating 30 days of the demo hall ({zone_name}), this takes a minute or two")
        await dashboard_data.month(db, today)
        await dashboard_data.this_morning(db, now)
        await dashboard_data.the_last_half_hour(db, now)
    finally:
        await db.close()


async def dashboard_page(
    browser: Browser, api: Api, lang: str, size: tuple[int, int], query: str = "",
    user: str = "manager",
) -> Page:  # fmt: skip
    context = await browser.new_context(
        viewport={"width": size[0], "height": size[1]}, locale="en-GB" if lang == "en" else "zh-CN"
    )
    page = await context.new_page()
    page.on("pageerror", lambda e: print("page error:", e))
    sep = "&" if query else "?"
    await page.goto(api.base + DASHBOARD + query + (f"{sep}lang=en" if lang == "en" else ""))
    await page.wait_for_selector("#login-view:not([hidden])")
    await page.fill("#username", user)
    await page.fill("#password", "demo")
    await page.press("#password", "Enter")
    if user == "manager":
        await page.wait_for_selector("#board-view[data-loaded] #c-daily svg")
    else:
        await page.wait_for_selector("#login-error:not([hidden])")
    return page


async def shoot_dashboard(out: Path) -> None:
    """The manager's dashboard on its own server: a month of simulated days, today live (zh,
    en; 1920×1080, 1366×768), a past day's whole page, and a staff account refused."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path = f"{tmp}/dashboard.db"
        await dashboard_history(db_path)
        settings = Settings(
            db_url=f"sqlite:///{db_path}", demo=True, demo_all_day=True, rate_limits=None
        )
        async with running_app(settings) as api:
            for n in (1, 2, 3, 5, 6, 7, 8):
                status, body = await api.window(n, "take", {"force": True})
                assert status == 200, body
            async with launch() as browser:
                for lang in ("zh", "en"):
                    for size in ((1920, 1080), (1366, 768)):
                        page = await dashboard_page(browser, api, lang, size)
                        await save(page, out / f"dashboard-{lang}-{size[0]}x{size[1]}.png")
                status, trend = await api.request(
                    "GET", "/api/v1/halls/demo/trend", token=await api.login("manager")
                )
                assert status == 200, trend
                week = trend["days"][-8:-1]  # the busiest of the last seven days
                past = max(week, key=lambda d: d["issued"])["date"]
                for lang, size in (("zh", (1920, 1080)), ("en", (1366, 768))):
                    page = await dashboard_page(browser, api, lang, size, f"?date={past}")
                    name = f"dashboard-day-{lang}-{size[0]}x{size[1]}-full.png"
                    await page.wait_for_timeout(300)
                    await page.screenshot(path=out / name, full_page=True, animations="disabled")
                    await page.close()
                    print(f"wrote {out / name}")
                page = await dashboard_page(browser, api, "zh", (1366, 768), user="w1")
                await save(page, out / "dashboard-staff-refused-zh-1366x768.png")
                await some_followups(api, db_path)
                for lang in ("zh", "en"):
                    page = await dashboard_page(browser, api, lang, (1366, 768))
                    card = page.locator("#followups")
                    await page.wait_for_selector("#fu-list li")
                    await card.scroll_into_view_if_needed()
                    await page.wait_for_timeout(300)
                    path = out / f"dashboard-followups-{lang}-1366.png"
                    await card.screenshot(path=path, animations="disabled")
                    await page.close()
                    print(f"wrote {path}")


async def some_followups(api: Api, db_path: str) -> None:
    """Three of today's served tickets rated 1–2 (差评回访): one assigned and contacted, one
    overdue (as if rated last week), one just opened."""
    served = [t for t in await api.day_tickets() if t.get("outcome") == "completed"][:3]
    for ticket, (score, reasons, comment) in zip(served, (
        (1, ["long_wait", "extra_trip"], "材料清单没说清楚，白跑一趟"),
        (2, ["slow_service"], None),
        (1, ["attitude"], "窗口人员不耐烦"),
    ), strict=True):  # fmt: skip
        body = {"score": score, "reasons": reasons, "comment": comment}
        status, answer = await api.request("POST", f"/api/v1/tickets/{ticket['id']}/rating", body)
        assert status == 201, answer
    token = await api.login("manager")
    status, listed = await api.request("GET", "/api/v1/halls/demo/followups", token=token)
    assert status == 200, listed
    newest, _middle, oldest = (f["id"] for f in listed["followups"])
    base = "/api/v1/halls/demo/followups"
    contacted = {"note": "已电话联系，约定明天上午重新办理"}
    for path, body in ((f"{base}/{newest}/assign", {"assignee": "w3"}),
                       (f"{base}/{newest}/contacted", contacted)):  # fmt: skip
        status, answer = await api.request("POST", path, body, token=token)
        assert status == 200, answer
    conn = sqlite3.connect(db_path)
    with conn:  # as time would: the oldest was rated ten days ago and due three days ago
        conn.execute("UPDATE followups SET due = date('now', '-3 days') WHERE id = ?", (oldest,))
        conn.execute(
            "UPDATE ratings SET at = at - ? "
            "WHERE id = (SELECT rating_id FROM followups WHERE id = ?)",
            (10 * 86400 * 1_000_000, oldest),
        )
    conn.close()


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


async def save(page: Page, path: Path) -> None:
    await page.wait_for_timeout(300)
    await page.screenshot(path=path, animations="disabled")
    await page.close()
    print(f"wrote {path}")


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
