"""The manager dashboard's shots for docs/dashboard.md, over simulated days of history (and the
follow-ups card). scripts/screenshots.py runs them as its group `dashboard`."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Page
from screenshots_common import save
from tests import dashboard_data
from tests.browser import launch
from tests.helpers import Api, running_app

from callnext.runtime.config import Settings
from callnext.store.database import Database
from callnext.store.setup import seed_demo

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
            async with launch(full=True) as browser:
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
                for lang in ("zh", "en"):  # 一次办结率: the past day and its 30 days
                    ready = ".trips-col[data-scope='range'] .trips-dist"
                    page = await dashboard_page(browser, api, lang, (1366, 768), f"?date={past}")
                    path = out / f"dashboard-trips-{lang}-1366.png"
                    await shoot_card(page, "#trips", ready, path)
                page = await dashboard_page(browser, api, "zh", (1366, 768), user="w1")
                await save(page, out / "dashboard-staff-refused-zh-1366x768.png")
                await some_followups(api, db_path)
                for lang in ("zh", "en"):
                    page = await dashboard_page(browser, api, lang, (1366, 768))
                    path = out / f"dashboard-followups-{lang}-1366.png"
                    await shoot_card(page, "#followups", "#fu-list li", path)


async def shoot_card(page: Page, card: str, ready: str, path: Path) -> None:
    """One card of the dashboard (`card`, once `ready` shows), then the page closed."""
    await page.wait_for_selector(ready)
    located = page.locator(card)
    await located.scroll_into_view_if_needed()
    await page.wait_for_timeout(300)
    await located.screenshot(path=path, animations="disabled")
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
