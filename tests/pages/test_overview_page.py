"""The region's overview page (/overview) in a real Chromium under the real CSP, against a real
server on SQLite with four halls' simulated week (bench/history.py): the table is the API's
(order, figures, links to each hall's dashboard, a sparkline per hall), sorting by mouse and by
keyboard with aria-sort, the cues in words, English and Chinese, a manager refused in words,
the CSV download."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from callnext.bench import history
from callnext.domain.model import Role
from callnext.runtime.config import Settings
from callnext.store import accounts
from callnext.store.database import Database

from ..browser import BrowserPages, chromium_missing, launch, submit_login, wait_js
from ..helpers import Api, running_app

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]
HALLS = 4
ADMIN, PASSWORD = history.ADMIN


class Pages(BrowserPages):
    def __init__(self, browser: Browser) -> None:
        super().__init__(browser, "/overview", (1920, 1080))


@pytest.fixture
async def pages() -> AsyncIterator[Pages]:
    async with launch() as browser:
        opened = Pages(browser)
        yield opened
        assert not opened.problems, opened.problems


@pytest.fixture
async def region(db_url: str) -> AsyncIterator[Api]:
    await history.build(db_url, HALLS, 5, (20, 40), datetime.now(UTC))
    db = Database(db_url)
    await db.start()
    try:
        await accounts.add_user(db, "m1", "m1-pass-word", Role.MANAGER, "h001", None)
    finally:
        await db.close()
    async with running_app(Settings(db_url=db_url, rate_limits=None, voice=False)) as api:
        await api.login(ADMIN, PASSWORD)
        yield api


async def table(api: Api, query: str = "") -> dict[str, Any]:
    status, body = await api.request("GET", f"/api/v1/overview{query}", token=api.tokens[ADMIN])
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def logged_in(pages: Pages, api: Api, query: str = "") -> Page:
    page = await pages.new_page(api.base, query, accept_downloads=True)
    await page.wait_for_selector("#login-view:not([hidden])")
    await submit_login(page, ADMIN, PASSWORD)
    await page.wait_for_selector("#board-view:not([hidden])[data-loads='1'][data-trend='4']")
    return page


async def shown(page: Page) -> list[dict[str, Any]]:
    """Each row as the page shows it: hall, link, the numbers' texts, its cues."""
    return await page.evaluate(  # type: ignore[no-any-return]
        """() => [...document.querySelectorAll('#halls-body tr')].map((tr) => ({
          hall: tr.dataset.hall,
          href: tr.querySelector('a.hall-link').getAttribute('href'),
          cells: [...tr.querySelectorAll('td .num')].map((n) => n.textContent),
          bad: [...tr.querySelectorAll('td.bad .cue')].map((n) => n.textContent),
          subs: [...tr.querySelectorAll('td')]
            .map((td) => td.querySelector('.sub')?.textContent ?? ''),
          sparks: tr.querySelectorAll('svg.spark path.line').length,
        }))"""
    )


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def clock(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    h, m, s = seconds // 3600, seconds % 3600 // 60, seconds % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


async def test_the_table_is_the_apis(region: Api, pages: Pages) -> None:
    page = await logged_in(pages, region)
    api = await table(region)
    rows = await shown(page)
    assert [r["hall"] for r in rows] == [r["hall"] for r in api["halls"]]
    for row, want in zip(rows, api["halls"], strict=True):
        assert row["href"] == f"/halls/{want['hall']}/dashboard"
        assert row["sparks"] == 1
        cells = row["cells"]
        assert cells[0] == str(want["waiting"])
        # the longest wait ticks between two reads: the same to within the reads' distance
        assert cells[2:5] == [str(want["staffed_windows"]), str(want["issued"]),
                              str(want["served"])]  # fmt: skip
        assert cells[5:9] == [pct(want[k]) for k in ("same_day_completion_rate",
                              "promise_met_rate", "one_trip_rate", "satisfied_rate")]  # fmt: skip
        assert len(row["bad"]) == len(want["cues"])
    _, trend = await region.request(
        "GET", "/api/v1/overview/trend?days=30", token=region.tokens[ADMIN]
    )
    months = {s["hall"]: s["range"]["one_trip_rate"] for s in trend["halls"]}
    for row in rows:  # under today's one-trip rate, the 30 days' (matters decided by now)
        assert f"近30天 {pct(months[row['hall']])}" in row["subs"][8]
    assert await page.text_content("#region-facts") is not None
    names = await page.locator("#halls-body a.hall-link").all_text_contents()
    assert names == [r["name"] for r in api["halls"]]
    await page.click("#halls-body tr:first-child a.hall-link")
    await page.wait_for_url(f"**/halls/{api['halls'][0]['hall']}/dashboard")


async def order_shown(page: Page, loads: int) -> list[str]:
    await page.wait_for_selector(f"#board-view[data-loads='{loads}']")
    return await page.evaluate(  # type: ignore[no-any-return]
        "() => [...document.querySelectorAll('#halls-body tr')].map((tr) => tr.dataset.hall)"
    )


async def test_sorting_by_mouse_and_keyboard(region: Api, pages: Pages) -> None:
    page = await logged_in(pages, region)
    served = page.locator("th[data-field='served']")
    await expect(served).to_have_attribute("aria-sort", "none")
    await page.click("button.sort[data-field='served']")
    api = await table(region, "?sort=served&order=desc")
    assert await order_shown(page, 2) == [r["hall"] for r in api["halls"]]
    await expect(served).to_have_attribute("aria-sort", "descending")
    await page.click("button.sort[data-field='served']")
    api = await table(region, "?sort=served&order=asc")
    assert await order_shown(page, 3) == [r["hall"] for r in api["halls"]]
    await expect(served).to_have_attribute("aria-sort", "ascending")
    # the keyboard: Tab to a header's button, Enter and Space press it; the focus stays on it
    await page.focus("button.sort[data-field='issued']")
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    api = await table(region, "?sort=issued&order=desc")
    assert await order_shown(page, 4) == [r["hall"] for r in api["halls"]]
    issued = page.locator("th[data-field='issued']")
    await expect(issued).to_have_attribute("aria-sort", "descending")
    await expect(served).to_have_attribute("aria-sort", "none")
    await wait_js(page, "document.activeElement.dataset.field === 'issued'")
    await page.keyboard.press("Space")
    api = await table(region, "?sort=issued&order=asc")
    assert await order_shown(page, 5) == [r["hall"] for r in api["halls"]]
    await expect(issued).to_have_attribute("aria-sort", "ascending")


async def test_english_and_chinese(region: Api, pages: Pages) -> None:
    page = await logged_in(pages, region)
    await expect(page.locator("th[data-field='name'] button")).to_contain_text("大厅")
    assert await page.evaluate("document.documentElement.lang") == "zh-CN"
    await page.click(".lang button[data-lang='en']")
    await expect(page.locator("th[data-field='name'] button")).to_contain_text("Hall")
    assert await page.evaluate("document.documentElement.lang") == "en"
    assert "lang=en" in page.url
    api = await table(region)
    names = await page.locator("#halls-body a.hall-link").all_text_contents()
    assert names == [r["name_en"] for r in api["halls"]]
    href = await page.get_attribute("#halls-body tr:first-child a.hall-link", "href")
    assert href is not None
    assert href.endswith("?lang=en")
    await page.reload()
    await page.wait_for_selector("#board-view:not([hidden])")
    await expect(page.locator("h1 [data-t='title']")).to_have_text("Region overview")
    await page.click(".lang button[data-lang='zh']")
    await expect(page.locator("h1 [data-t='title']")).to_have_text("全区大厅概览")


async def test_a_manager_is_refused_in_words(region: Api, pages: Pages) -> None:
    page = await pages.new_page(region.base)
    await page.wait_for_selector("#login-view:not([hidden])")
    await submit_login(page, "m1", "m1-pass-word")
    await expect(page.locator("#login-error")).to_contain_text("管理员")
    assert await page.is_hidden("#board-view")


async def test_the_cues_say_it_in_words_and_the_csv_downloads(region: Api, pages: Pages) -> None:
    page = await logged_in(pages, region)
    api = await table(region)
    cued = [r for r in api["halls"] if r["cues"]]
    for want in cued:
        row = page.locator(f"tr[data-hall='{want['hall']}']")
        texts = await row.locator("td.bad .cue").all_text_contents()
        assert len(texts) == len(want["cues"])
        assert all(t in ("等候过长", "偏低") for t in texts)
    assert "分钟" in (await page.text_content("#legend") or "")
    async with page.expect_download() as info:
        await page.click("#export-csv")
    download = await info.value
    path = await download.path()
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert rows[0][0] == "大厅代码"
    assert [r[0] for r in rows[1:-1]] == [r["hall"] for r in api["halls"]]
    assert download.suggested_filename.startswith("callnext-overview-")
