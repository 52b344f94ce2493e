"""The dashboard's one-trip card (一次办结率) in a real Chromium under the page's CSP: for a past
day of a real-name history (tests/api/test_api_trips.py's) and the 30 days ending with it, the
rate, the trips distribution and the per-service table equal GET …/report's and …/trend's
`trips`; zh by default, en by the toggle."""

# ruff: noqa: F401, F811  (the tests take the `pages` fixture imported from test_dashboard_page)

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Page

from callnext.runtime.config import Settings

from ..api.test_api_trips import KEYS, build
from ..browser import chromium_missing
from ..helpers import Api, running_app
from ..report_history import day
from .test_dashboard_page import Pages, board, log_in, pages, percent, text

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]
SHOWN = day(-12)  # P2's one-trip matter begins; the 30 days to it hold returns and unfinished


@pytest.fixture
async def history(settings: Settings) -> AsyncIterator[Api]:
    keyed = dataclasses.replace(settings, person_keys=KEYS)
    await build(keyed.db_url)
    async with running_app(keyed) as client:
        yield client


async def get(api: Api, path: str) -> Any:
    status, body = await api.request("GET", f"/api/v1/halls/demo/{path}",
                                     token=await api.login("manager"))  # fmt: skip
    assert status == 200, body
    return body


async def column_shows(page: Page, scope: str, t: dict[str, Any]) -> None:
    col = f".trips-col[data-scope='{scope}']"
    assert await text(page, f"{col} [data-field='rate']") == percent(t["one_trip_rate"])
    for bucket, n in t["distribution"].items():
        assert await text(page, f"{col} li[data-trips='{bucket}'] .n") == str(n), bucket


async def test_the_card_shows_the_day_and_the_30_days(history: Api, pages: Pages) -> None:
    page = await pages.open(history, f"?date={SHOWN}")
    await log_in(page)
    await board(page, SHOWN)
    day_trips = (await get(history, f"report?date={SHOWN}"))["trips"]
    range_trips = (await get(history, f"trend?from={day(-41)}&to={SHOWN}"))["trips"]
    # what the history holds, so the page is not only compared with itself
    assert (day_trips["matters"], day_trips["one_trip_rate"]) == (1, 1.0)
    assert (range_trips["one_trip"], range_trips["completed"], range_trips["unfinished"]) == (
        1,
        3,
        2,
    )
    await page.wait_for_selector(".trips-col[data-scope='range'] .trips-dist")
    assert await text(page, "#trips-title") == "一次办结率"
    await column_shows(page, "day", day_trips)
    await column_shows(page, "range", range_trips)
    assert "1 / 5 件" in await text(page, ".trips-col[data-scope='range']")
    assert "超期未办结 2 件" in await text(page, ".trips-col[data-scope='range']")
    rows = await page.eval_on_selector_all(
        "#trips-services tbody tr",
        "rows => rows.map(r => [r.dataset.service, ...[...r.cells].map(c => c.textContent)])",
    )
    assert [r[0] for r in rows] == [*sorted(range_trips["per_service"]), ""]
    for code, *cells in rows:
        fig = range_trips["per_service"][code] if code else range_trips
        assert cells[1:4] == [str(fig["matters"]), str(fig["one_trip"]),
                              percent(fig["one_trip_rate"])], code  # fmt: skip
    await page.click(".lang button[data-lang=en]")
    await page.wait_for_selector("#trips-title:text('One-trip rate')")
    assert "1 of 5 matters decided" in await text(page, ".trips-col[data-scope='range']")
    assert await text(page, ".trips-col[data-scope='range'] li[data-trips='2'] .what") == "2 trips"


async def test_a_day_without_real_name_matters_says_so(history: Api, pages: Pages) -> None:
    shown = day(-30)
    page = await pages.open(history, f"?date={shown}")
    await log_in(page)
    await board(page, shown)
    await page.wait_for_selector(".trips-col[data-scope='day'] .sat-none")
    assert await text(page, ".trips-col[data-scope='day'] [data-field='rate']") == "—"
    assert "没有实名取号的事项" in await text(page, ".trips-col[data-scope='day']")
