"""Long and hopeless waits, in the API and in Chromium: a wait over an hour reads as hours and
minutes; a wait that runs past the end of the service's hours today reads 今日可能无法办理 /
"May not be served today" (the ticket's and the service's `past_closing`) on the kiosk's
button, its ticket screen, the slip and the phone page, with no figure; the priority lane is
closed while no service of it issues. The hours are set relative to now, so the tests hold at
any time of day. SQLite only."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ..browser import BrowserPages, chromium_missing, launch, text, wait_js, wait_text
from ..helpers import Api
from .test_kiosk_page import COUNT_PRINTS, Kiosks, kiosks, put_kiosk, service, settings

pytestmark = [pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
__all__ = ["kiosks"]  # the fixture, shared with test_kiosk_page
browser_test = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def closing_in_two_minutes() -> dict[str, list[str]]:
    """Hours, every day, that end 1–2 minutes from now (the hall's time; 24:00 at the latest)."""
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    end = min(now.hour * 60 + now.minute + 2, 24 * 60)
    return {day: [f"00:00-{end // 60:02d}:{end % 60:02d}"] for day in WEEKDAYS}


async def queue_of(api: Api, count: int, code: str = "A") -> None:
    for _ in range(count):
        await api.issue(code)


async def snapshot_service(api: Api, code: str) -> dict[str, Any]:
    status, hall = await api.request("GET", "/api/v1/halls/demo")
    assert status == 200, hall
    return next(s for s in hall["services"] if s["code"] == code)  # type: ignore[no-any-return]


async def test_a_wait_past_the_services_hours_is_flagged(api: Api) -> None:
    """Service A closes within 2 minutes: a ticket with nobody ahead is not flagged; with two
    ahead (600 s) it is, in its answer, its GET and the hall's service state; service B (no
    hours of its own, the hall open all day) never is."""
    await settings(api, {"services": {"A": {"hours": closing_in_two_minutes()}}})
    await api.staff(1, 5)
    first = await api.issue("A")  # window 1 is free: no wait
    assert (first["est_wait_s"], first["past_closing"]) == (0, False)
    await queue_of(api, 2)
    late = await api.issue("A")
    assert late["est_wait_s"] >= 600, late
    assert late["past_closing"] is True, late
    status, again = await api.request("GET", f"/api/v1/tickets/{late['id']}")
    assert (status, again["past_closing"]) == (200, True)
    assert (await snapshot_service(api, "A"))["past_closing"] is True
    await queue_of(api, 3, "B")
    b = await api.issue("B")
    assert b["est_wait_s"] > 600, b
    assert b["past_closing"] is False, b
    assert (await snapshot_service(api, "B"))["past_closing"] is False


@browser_test
async def test_long_waits_read_in_hours_and_hopeless_ones_say_so(api: Api, kiosks: Kiosks) -> None:
    """13 ahead at one window (65 min): "约 1 小时 10 分钟" on the button and the ticket; then A
    closes within 2 minutes: the button, the ticket screen, the slip (both languages) and the
    phone page say the citizen may not be served today, with no figure."""
    await put_kiosk(api, "K1", {"name": "门口", "print": "browser"})
    await queue_of(api, 13)
    await api.staff(1)  # window 1 would call A001 at once: a new ticket waits 13 × 300 s
    page = await kiosks.open(api, "?kiosk=K1", init=COUNT_PRINTS)
    await wait_text(page, service("A"), "等候 13 人 · 约 1 小时 5 分钟")
    await page.click(service("A"))
    await page.wait_for_selector("#ticket", state="visible")
    assert await text(page, "#t-ahead") == "前面还有 13 人 · 约 1 小时 5 分钟"
    await page.click("#done")

    await settings(api, {"services": {"A": {"hours": closing_in_two_minutes()}}})
    await wait_text(page, service("A"), "今日可能无法办理")
    assert "小时" not in await text(page, service("A"))
    await page.click(service("A"))
    await page.wait_for_selector("#ticket", state="visible")
    assert await text(page, "#t-ahead") == "前面还有 14 人 · 今日可能无法办理"
    await wait_js(page, "window.__prints.length === 2", timeout=10_000)
    slip = await page.eval_on_selector("#s-ahead", "el => el.textContent")  # hidden on screen
    assert "今日可能无法办理" in slip, slip
    assert "May not be served today" in slip, slip
    assert "分钟" not in slip, slip
    assert "min" not in slip, slip
    tickets = await api.day_tickets()
    async with launch() as browser:
        phones = BrowserPages(browser, f"/t/{tickets[-1]['id']}", (390, 844))
        phone = await phones.new_page(api.base, "?lang=zh")
        await wait_text(phone, "#wait", "今日可能无法办理")
        english = await phones.new_page(api.base, "?lang=en")
        await wait_text(english, "#wait", "May not be served today")
        assert phones.problems == []


@browser_test
async def test_the_priority_lane_is_closed_with_its_services(api: Api, kiosks: Kiosks) -> None:
    """Every service shut for the day: 绿色通道 is disabled and says why, like the services;
    open again, it is enabled with its usual words."""
    shut = {day: [] for day in WEEKDAYS}
    await settings(api, {"hours": shut})
    page = await kiosks.open(api)
    await page.wait_for_selector("#priority-entry.closed")
    assert await page.is_disabled("#priority-entry")
    assert await text(page, "#priority-entry .who") == "今日已停止取号"
    await settings(api, {"hours": None})
    await page.wait_for_selector("#priority-entry:enabled:not(.closed)")
    assert await text(page, "#priority-entry") == "绿色通道 老年人、残疾人、孕妇"


@browser_test
async def test_closed_buttons_say_when_tickets_are_next_issued(api: Api, kiosks: Kiosks) -> None:
    """Today a closed date, hours 09:00–17:00 every day: each button (and 绿色通道) says why and
    when tickets start again, from the stream's next_open_at: 今日休息 · 明天 09:00 开始取号 /
    Closed today · opens 09:00 tomorrow; a service switched off says only 暂停取号."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    every_day = {day: ["09:00-17:00"] for day in WEEKDAYS}
    await settings(
        api, {"hours": every_day, "closed_dates": [today], "services": {"C": {"open": False}}}
    )
    page = await kiosks.open(api)
    await wait_text(page, service("A"), "今日休息 · 明天 09:00 开始取号")
    assert "今日休息 · 明天 09:00 开始取号" in await text(page, service("B"))
    assert await text(page, "#priority-entry .who") == "今日休息 · 明天 09:00 开始取号"
    assert (await text(page, service("C"))).endswith("暂停取号")
    await page.click(".lang [data-lang='en']")
    assert "Closed today · opens 09:00 tomorrow" in await text(page, service("A"))
    assert (await text(page, service("C"))).endswith("Not issuing now")
