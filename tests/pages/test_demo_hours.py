"""The demo hall keeps a real hall's hours (weekdays 09:00–12:00 and 13:30–17:00): its
bookable days are weekdays and its slots lie within those hours, whatever the time the test
runs; `--demo-all-day` (the tests' own demo hall, benchmarks) is open around the clock. And the
phone's booking page keeps the choice and its confirm on screen once a slot is picked, however
long the day's list of slots (a hall open all day: 96 of them)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from callnext.runtime.config import Settings
from callnext.store.setup import DEMO_HOURS

from ..booking import enable_booking, slots
from ..browser import BrowserPages, chromium_missing, launch
from ..helpers import Api, running_app

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

OPEN_SPANS = [(time(9), time(12)), (time(13, 30), time(17))]


async def test_the_demo_hall_has_a_real_halls_hours_and_books_only_within_them(
    db_url: str,
) -> None:
    """`serve --demo` on an empty database: the hall's hours are the week's office hours;
    every bookable day is a weekday, every slot of the first one within a span."""
    async with running_app(Settings(db_url=db_url, demo=True, rate_limits=None)) as api:
        status, hall = await api.request("GET", "/api/v1/halls/demo/settings",
                                         token=await api.login("manager"))  # fmt: skip
        assert status == 200, hall
        assert hall["hours"] == {**{d: [] for d in ("sat", "sun")}, **DEMO_HOURS}
        status, listed = await api.request("GET", "/api/v1/halls/demo/slots?service=A")
        assert status == 200, listed
        days = [date.fromisoformat(d["day"]) for d in listed["days"]]
        assert days, listed  # 7 days ahead: some weekdays, whatever today is
        assert all(d.weekday() < 5 for d in days), days
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        later = [d for d in days if d > today]  # whole days, not today's rest
        starts = [
            datetime.fromisoformat(s["start"]) for s in await slots(api, later[0].isoformat())
        ]
        assert len(starts) == 6 * 4 + 2  # 15-minute slots: 3 h and 3.5 h
        for start in starts:
            end = (start.hour * 60 + start.minute + 15) / 60
            assert any(a <= start.time() and end <= b.hour + b.minute / 60 for a, b in OPEN_SPANS)


async def test_the_tests_demo_hall_is_open_all_day(api: Api) -> None:
    """The `settings` fixture's demo hall (as `--demo-all-day` makes it): no hours."""
    status, hall = await api.request("GET", "/api/v1/halls/demo/settings",
                                     token=await api.login("manager"))  # fmt: skip
    assert status == 200, hall
    assert hall["hours"] is None


@pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")
async def test_after_picking_a_slot_its_confirm_is_on_a_phones_screen(api: Api) -> None:
    """390×844, a later day's 96 slots: the first one picked (at the top of the list, with the
    confirm some 2,700 px below it before), 确认预约 and the summary are within the viewport,
    below the chosen slot, and booking works from there."""
    await enable_booking(api)
    status, listed = await api.request("GET", "/api/v1/halls/demo/slots?service=A")
    assert status == 200, listed
    day = listed["days"][-1]["day"]  # a whole day ahead: every slot of it listed
    first = (await slots(api, day))[0]
    async with launch() as browser:
        pages = BrowserPages(browser, "/halls/demo/book", (390, 844))
        page = await pages.new_page(api.base, is_mobile=True, has_touch=True)
        await page.tap(f"#days label[data-value='{day}']")
        await page.wait_for_selector("#slots label:nth-child(96)")
        slot = page.locator(f"#slots label[data-value='{first['start']}']")
        await slot.scroll_into_view_if_needed()
        await slot.tap()
        await page.wait_for_selector("#book:enabled")
        for selector in ("#book", "#summary"):
            box = await page.locator(selector).bounding_box()
            assert box is not None
            assert box["y"] >= 0, (selector, box)
            assert box["y"] + box["height"] <= 844, (selector, box)
        slot_box = await slot.bounding_box()
        bar_box = await page.locator("#confirm-bar").bounding_box()
        assert slot_box is not None
        assert bar_box is not None
        assert slot_box["y"] + slot_box["height"] <= bar_box["y"]  # the choice is not hidden
        await page.tap("#book")
        await page.wait_for_selector("#booking:not([hidden])")
        assert pages.problems == []
