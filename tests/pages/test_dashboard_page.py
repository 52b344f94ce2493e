"""The manager's dashboard (/halls/{hall}/dashboard) in a real browser (headless Chromium through
Playwright) against a real server, on SQLite only (the page is under test, not the database).

The figures on the page are the report's (read through the API, compared with the DOM); a call
made through the API reaches the live part within two seconds with no reload; a past day picked
in the date picker shows that day (a simulated busy day); the hourly chart's bars are as tall as
their counts; the exports download and open; staff accounts and expired sessions are refused
with a sentence; the page switches to English.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, Page

from callnext.domain.clock import zone
from callnext.runtime.config import Settings
from callnext.store.database import Database
from callnext.store.setup import seed_demo

from ..browser import BrowserPages, chromium_missing, launch, submit_login
from ..dashboard_data import busy_day
from ..helpers import Api, running_app, wait_until

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

DASHBOARD = "/halls/demo/dashboard"
PAST_LOAD = 0.35  # a lighter busy day: about 200 tickets, a second or two to simulate


def today() -> date:
    return datetime.now(zone("Asia/Shanghai")).date()


PAST = today() - timedelta(days=3)


class Pages(BrowserPages):
    """Dashboard pages, each in its own browser context; at the end none of them had a script
    error."""

    def __init__(self, browser: Browser) -> None:
        super().__init__(browser, DASHBOARD, (1920, 1080))

    async def open(self, api: Api, query: str = "", size: tuple[int, int] | None = None) -> Page:
        return await self.new_page(api.base, query, size, accept_downloads=True)


@pytest.fixture
async def pages() -> AsyncIterator[Pages]:
    async with launch() as browser:
        opened = Pages(browser)
        yield opened
        assert not opened.problems, opened.problems


@pytest.fixture
async def past(settings: Settings) -> AsyncIterator[Api]:
    """A server on a database that already holds a simulated busy day, three days ago."""
    db = Database(settings.db_url)
    await db.start()
    try:
        await seed_demo(db, all_day=True)
        await busy_day(db, PAST, seed=5, load=PAST_LOAD)
    finally:
        await db.close()
    async with running_app(settings) as client:
        yield client


async def log_in(page: Page, username: str = "manager", password: str = "demo") -> None:
    await page.wait_for_selector("#login-view:not([hidden])")
    await submit_login(page, username, password)


async def board(page: Page, day: str) -> None:
    """Until the board shows `day`'s figures."""
    await page.wait_for_selector(f"#board-view[data-loaded='{day}']")


async def report(api: Api, day: str) -> dict[str, Any]:
    token = await api.login("manager")
    status, body = await api.request("GET", f"/api/v1/halls/demo/report?date={day}", token=token)
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def text(page: Page, selector: str) -> str:
    return " ".join((await page.inner_text(selector)).split())


async def tile(page: Page, kpi: str, field: str = "value") -> str:
    return await text(page, f".kpi[data-kpi='{kpi}'] [data-field='{field}']")


async def tiles_show(page: Page, r: dict[str, Any]) -> None:
    """The KPI tiles show the report's figures, written as the page writes them."""
    assert await tile(page, "issued") == str(r["issued"])
    assert await tile(page, "served") == str(r["served"])
    assert await tile(page, "no_show") == str(r["no_show"])
    assert await tile(page, "completion") == percent(r["same_day_completion_rate"])
    assert await tile(page, "level") == percent(r["service_level"]["rate"])
    assert await tile(page, "promise") == percent(r["promise_met"]["rate"])
    for field in ("avg", "p50", "p90"):
        assert await tile(page, "wait", field) == mins(r["wait_s"][field])
        assert await tile(page, "service", field) == mins(r["service_s"][field])


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def mins(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f}"


def backdate(db_url: str, minutes_per_ticket: int) -> None:
    """Move each ticket's issue time back, the first ticket furthest: real waits to show."""
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    try:
        pks = [row[0] for row in conn.execute("SELECT pk FROM tickets ORDER BY pk")]
        for i, pk in enumerate(pks):
            back = (len(pks) - i) * minutes_per_ticket * 60_000_000
            conn.execute("UPDATE tickets SET issued_at = issued_at - ? WHERE pk = ?", (back, pk))
        conn.commit()
    finally:
        conn.close()


async def a_morning(api: Api, db_url: str) -> None:
    """Today through the API: tickets of A and B issued over the last hour, some served, one
    pending, one no-show, some still waiting."""
    for service in "AAAAABBBC":
        await api.issue(service)
    backdate(db_url, 6)
    for n, finish in ((1, None), (1, "completed"), (2, None), (5, None), (5, "no_show"),
                      (2, "pending"), (7, None)):  # fmt: skip
        status, body = await api.window(n, "call-next", {"finish": finish} if finish else None)
        assert status == 200, body


# ---- the figures ----


async def test_a_manager_sees_todays_figures_as_the_report_has_them(
    api: Api, settings: Settings, pages: Pages
) -> None:
    await a_morning(api, settings.db_url)
    page = await pages.open(api)
    assert await text(page, "#login-view h2") == "管理员登录"
    await log_in(page)
    day = today().isoformat()
    await board(page, day)
    r = await report(api, day)
    reported = time.monotonic()  # the page's longest wait may have ticked on since, no more
    assert r["issued"] == 9
    assert r["no_show"] == 1
    assert r["waiting"] > 0
    await tiles_show(page, r)
    assert float(await tile(page, "wait", "p90")) > 10  # backdated: real waits
    assert f"{r['completed_same_day']} / {r['served']}" in await text(
        page, ".kpi[data-kpi='completion'] .sub"
    )
    assert "预计等候误差" in await text(page, ".kpi[data-kpi='estimate'] .label")
    row = "#per-service tr[data-service='A']"
    assert await text(page, f"{row} [data-col='s_issued']") == str(r["per_service"]["A"]["issued"])
    assert await text(page, f"{row} [data-col='s_waiting']") == str(
        r["per_service"]["A"]["waiting"]
    )
    assert await text(page, f"{row} [data-col='s_level']") == percent(
        r["per_service"]["A"]["service_level"]["rate"]
    )
    # live: the queues, the windows' current tickets, the longest wait
    hall = await api.hall()
    for s in hall["services"]:
        assert await page.get_attribute(
            f"#live-queues li[data-service='{s['code']}']", "data-waiting"
        ) == str(s["waiting"])
    for w in hall["windows"]:
        number = w["current"]["number"] if w["current"] else ""
        assert (
            await page.get_attribute(
                f"#live-windows li[data-window='{w['number']}'] .current", "data-number"
            )
            == number
        )
    longest = r["longest_waiting"]
    assert longest is not None
    assert longest["number"] in await text(page, "#longest-sub")
    shown = int(await page.get_attribute("#longest-value", "data-value") or 0)
    ticked = time.monotonic() - reported
    assert longest["waited_s"] - 2 <= shown <= longest["waited_s"] + ticked + 2


async def test_a_call_reaches_the_live_part_within_two_seconds(api: Api, pages: Pages) -> None:
    for _ in range(3):
        await api.issue("A")
    page = await pages.open(api)
    await log_in(page)
    await board(page, today().isoformat())
    queue_a = "#live-queues li[data-service='A']"
    current_1 = "#live-windows li[data-window='1'] .current"
    await page.wait_for_selector(f"{queue_a}[data-waiting='3']")
    assert await page.get_attribute(current_1, "data-number") == ""
    await page.evaluate("window.__bootId = 1")
    assert await tile(page, "issued") == "3"

    async def live_shows(waiting: str, number: str) -> bool:
        return await page.get_attribute(queue_a, "data-waiting") == waiting and (
            await page.get_attribute(current_1, "data-number") == number
        )

    start = time.monotonic()
    status, body = await api.window(1, "call-next")
    assert status == 200
    assert body["called"]["number"] == "A001"
    await wait_until(lambda: live_shows("2", "A001"), timeout=2)
    elapsed = time.monotonic() - start
    assert "A001" in await text(page, current_1)
    assert await text(page, f"{queue_a} .n") == "2"
    await api.issue("B")
    await wait_until(lambda: tile_is(page, "issued", "4"), timeout=2)
    assert await page.evaluate("window.__bootId") == 1  # the same document: no reload
    print(f"call-next on screen after {elapsed:.3f} s")


def age_pending(db_url: str, count: int, hours: int) -> None:
    """Move the first `count` pending matters' acceptance back `hours`: past the promise."""
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    try:
        conn.execute(
            "UPDATE tickets SET finished_at = finished_at - ? WHERE pk IN (SELECT pk FROM "
            "tickets WHERE outcome = 'pending' ORDER BY pk LIMIT ?)",
            (hours * 3_600_000_000, count),
        )
        conn.commit()
    finally:
        conn.close()


async def test_pending_matters_within_their_promise_do_not_turn_the_rate_red(
    api: Api, settings: Settings, pages: Pages
) -> None:
    """A morning: 3 matters completed, 7 pending and all within the hall's promise: the rate is
    30.0 % but the tile is not red, and says "7 件办理中，均在承诺时限内". Two of them past the
    promise: red, and it says so."""
    for _ in range(11):
        await api.issue("A")
    assert (await api.window(1, "call-next"))[0] == 200
    for finish in ["completed"] * 3 + ["pending"] * 7:
        status, body = await api.window(1, "call-next", {"finish": finish})
        assert status == 200, body
    page = await pages.open(api)
    await log_in(page)
    day = today().isoformat()
    await board(page, day)
    r = await report(api, day)
    assert (r["served"], r["completed_same_day"], r["promise_met"]["open_in_time"]) == (10, 3, 7)
    completion = ".kpi[data-kpi='completion']"
    assert await tile(page, "completion") == "30.0%"
    assert await page.get_attribute(completion, "data-state") != "poor"
    assert "7 件办理中，均在承诺时限内" in await text(page, f"{completion} .sub")
    age_pending(settings.db_url, 2, hours=2)
    await page.reload()
    await board(page, day)
    assert await page.get_attribute(completion, "data-state") == "poor"
    assert "7 件办理中，2 件已超承诺时限" in await text(page, f"{completion} .sub")
    en = await pages.open(api, "?lang=en")
    await log_in(en)
    await board(en, day)
    assert "7 in progress, 2 past the promise" in await text(en, f"{completion} .sub")


async def tile_is(page: Page, kpi: str, value: str) -> bool:
    return await tile(page, kpi) == value


async def test_a_past_day_from_the_date_picker(past: Api, pages: Pages) -> None:
    page = await pages.open(past)
    await log_in(page)
    await board(page, today().isoformat())
    assert await page.is_visible("#live")
    day = PAST.isoformat()
    await page.fill("#day", day)
    await board(page, day)
    r = await report(past, day)
    assert r["issued"] > 100
    await tiles_show(page, r)
    assert await tile(page, "estimate") == f"{r['estimate']['mae_s'] / 60:.1f} 分钟"
    assert not await page.is_visible("#live")  # live parts only for today
    assert day in await text(page, "#day-title")
    assert f"date={day}" in page.url
    # per window: the chart's bars carry the served counts of the report
    for n, figures in r["per_window_throughput"].items():
        bar = f"#c-windows rect[data-key='{n}']"
        assert await page.get_attribute(bar, "data-value") == str(figures["served"])
    # the previous day (empty) and back with the arrows
    await page.click("#day-next")
    await board(page, (PAST + timedelta(days=1)).isoformat())
    assert await tile(page, "issued") == "0"
    await page.click("#day-prev")
    await board(page, day)
    assert await tile(page, "issued") == str(r["issued"])
    # the trend ends with that day and has its figures
    last = await page.eval_on_selector_all(
        "#c-daily [data-series='issued'] [data-value]", "els => els.map(e => e.dataset.value)"
    )
    assert last[-1] == str(r["issued"])


async def test_the_hourly_chart_has_24_bars_per_series_as_tall_as_their_counts(
    past: Api, pages: Pages
) -> None:
    day = PAST.isoformat()
    page = await pages.open(past, f"?date={day}")
    await log_in(page)
    await board(page, day)
    hourly = (await report(past, day))["hourly"]
    for series in ("arrivals", "calls"):
        bars = await page.eval_on_selector_all(
            f"#c-hourly rect[data-series='{series}']",
            "els => els.map(e => [+e.dataset.index, +e.dataset.value,"
            " e.getBoundingClientRect().height])",
        )
        assert len(bars) == 24, series
        assert [int(b[1]) for b in sorted(bars)] == [h[series] for h in hourly]
        per_ticket = max(b[2] for b in bars) / max(b[1] for b in bars)
        assert per_ticket > 1
        for index, value, height in bars:
            assert height == pytest.approx(value * per_ticket, abs=1.0), (series, index)
        assert sum(1 for b in bars if b[1] == 0 and b[2] < 0.5) >= 8  # the night: no bars
    assert "取号" in await text(page, "#c-hourly")
    assert "叫号" in await text(page, "#c-hourly")


# ---- the exports ----


async def download(page: Page, selector: str) -> tuple[str, bytes]:
    async with page.expect_download() as info:
        await page.click(selector)
    got = await info.value
    path = await got.path()
    return got.suggested_filename, await asyncio.to_thread(Path(path).read_bytes)


async def test_the_day_and_a_range_export_as_csv_and_xlsx(past: Api, pages: Pages) -> None:
    day = PAST.isoformat()
    page = await pages.open(past, f"?date={day}")
    await log_in(page)
    await board(page, day)
    r = await report(past, day)

    name, data = await download(page, "#export-day-csv")
    assert name == f"callnext-demo-{day}-{day}.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == r["issued"]
    assert {row["日期"] for row in rows} == {day}  # in the page's language
    assert sum(1 for row in rows if row["状态"] == "未到") == r["no_show"]
    await page.wait_for_selector("#message:has-text('已下载')")

    name, data = await download(page, "#export-day-xlsx")
    assert name == f"callnext-demo-{day}-{day}.xlsx"
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["取号明细", "每日汇总", "业务汇总"]
    tickets = list(book["取号明细"].iter_rows(values_only=True))
    assert len(tickets) == r["issued"] + 1  # the header and a row per ticket
    assert tickets[0][:2] == ("日期", "号码")

    first = (PAST - timedelta(days=2)).isoformat()
    await page.fill("#export-from", first)
    await page.fill("#export-to", day)
    name, data = await download(page, "#export-range-xlsx")
    assert name == f"callnext-demo-{first}-{day}.xlsx"
    book = load_workbook(io.BytesIO(data), read_only=True)
    summary = [row for row in book["每日汇总"].iter_rows(values_only=True)]
    assert len(summary) == 1 + 3  # the header and three days
    await page.click(".lang button[data-lang=en]")
    name, data = await download(page, "#export-range-csv")
    assert name == f"callnext-demo-{first}-{day}.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {"Day", "Number", "Service", "Status", "Staff", "Wait"} <= set(rows[0])
    await page.click(".lang button[data-lang=zh]")

    # a range the wrong way round: said on the page, nothing downloaded
    await page.fill("#export-from", day)
    await page.fill("#export-to", first)
    await page.click("#export-range-csv")
    await page.wait_for_selector("#message[data-kind='error']:has-text('日期范围有误')")


# ---- who may look ----


async def test_staff_are_refused_with_a_sentence(api: Api, pages: Pages) -> None:
    page = await pages.open(api)
    await log_in(page, "w1")
    await page.wait_for_selector("#login-error:has-text('需要管理员权限')")
    assert await page.is_visible("#login-view")
    assert not await page.is_visible("#board-view")
    assert await page.evaluate("sessionStorage.getItem('callnext.dashboard')") is None
    await log_in(page, "manager", "wrong")
    await page.wait_for_selector("#login-error:has-text('用户名或密码错误')")
    # a staff token already in the tab (another page left it) is refused too
    token = await api.login("w2")
    await page.evaluate(
        "t => sessionStorage.setItem('callnext.dashboard', JSON.stringify({token: t}))", token
    )
    await page.reload()
    await page.wait_for_selector("#login-error:has-text('需要管理员权限')")


async def test_an_expired_session_goes_back_to_the_login_form(api: Api, pages: Pages) -> None:
    page = await pages.open(api)
    await log_in(page)
    await board(page, today().isoformat())
    token = await page.evaluate("JSON.parse(sessionStorage.getItem('callnext.dashboard')).token")
    status, _ = await api.request("POST", "/api/v1/logout", token=token)  # the server forgets it
    assert status == 200
    await api.window(1, "call-next")  # an event: the page reads again, with its dead token
    await api.issue("A")
    await page.wait_for_selector("#login-error:has-text('登录已过期')")
    assert await page.input_value("#username") == "manager"
    await page.fill("#password", "demo")
    await page.press("#password", "Enter")
    await board(page, today().isoformat())


# ---- languages ----


async def test_english_by_the_toggle_and_by_the_address(past: Api, pages: Pages) -> None:
    day = PAST.isoformat()
    page = await pages.open(past, f"?date={day}")
    await log_in(page)
    await board(page, day)
    r = await report(past, day)
    assert await text(page, ".kpi[data-kpi='completion'] .label") == "当日办结率"
    await page.click(".lang button[data-lang='en']")
    assert await text(page, ".kpi[data-kpi='completion'] .label") == "Same-day completion"
    assert await text(page, ".kpi[data-kpi='estimate'] .label") == "Wait-estimate error"
    assert await text(page, "#c-hourly figcaption") == "Arrivals and calls per hour"
    assert "Arrivals" in await text(page, "#c-hourly")
    assert await tile(page, "estimate") == f"{r['estimate']['mae_s'] / 60:.1f} min"
    assert await tile(page, "issued") == f"{r['issued']:,}"
    assert await page.evaluate("document.documentElement.lang") == "en"
    assert "lang=en" in page.url
    assert f"date={day}" in page.url
    assert await page.title() == "Demo Service Hall · Dashboard"

    fresh = await pages.open(past, "?lang=en")
    await fresh.wait_for_selector("#login-view:not([hidden])")
    assert await text(fresh, "#login-view h2") == "Manager login"
    await log_in(fresh, "w1")
    await fresh.wait_for_selector("#login-error:has-text('Managers only')")


async def test_an_unknown_hall_is_a_404_page(api: Api) -> None:
    status, body = await api.request("GET", "/halls/nowhere/dashboard")
    assert status == 404
    assert "没有这个大厅" in body
    async with api.session.get(api.base + DASHBOARD + "?lang=en&date=2026-01-02") as resp:
        assert resp.status == 200
        assert resp.headers["Cache-Control"] == "no-store"
        page = await resp.text()
    assert '"date": "2026-01-02"' in page
    assert '"target_wait_s": 900' in page
