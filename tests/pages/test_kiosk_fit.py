"""The kiosk with long service names in both languages, in Chromium at each kiosk layout
(portrait 1080×1920, landscape 1920×1080 and 1280×720), Chinese and English: every text of a
service's button, of the priority lane's and the check-in's entries, and of the ticket's card
lies inside its box, whole (no line cut off). SQLite only."""

from __future__ import annotations

import os

import pytest
from playwright.async_api import Page

from ..browser import BrowserPages, chromium_missing, launch
from ..helpers import Api

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

LONG_NAMES = {
    "A": ("不动产登记、抵押权设立及变更登记与房屋交易合同网签备案综合受理",
          "Real estate registration, mortgage filing and transfer of title for residential "
          "property"),
    "B": ("水电气暖及有线电视、宽带网络过户与开户一站式联办",
          "Water, electricity, gas, heating, cable television and broadband account transfers"),
    "C": ("综合咨询", "General enquiries and complaints about administrative services"),
}  # fmt: skip
SIZES = [(1920, 1080), (1280, 720), (1080, 1920)]

# [box selector, its texts' selector] → what sticks out of its box, or is cut off (a clamp)
OUTSIDE = """
(pairs) => {
  const out = [];
  for (const [boxes, texts] of pairs) {
    for (const box of document.querySelectorAll(boxes)) {
      if (!box.offsetParent) continue;  // not shown
      const b = box.getBoundingClientRect();
      for (const el of box.querySelectorAll(texts)) {
        if (!el.offsetParent || !el.textContent.trim()) continue;
        const r = el.getBoundingClientRect();
        const name = `${boxes} ${texts} "${el.textContent.slice(0, 20)}"`;
        if (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1
            || r.bottom > b.bottom + 1) out.push(`${name} outside its box`);
        const clips = getComputedStyle(el).overflow !== "visible";  // else nothing is cut
        const over = el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
        if (clips && over) {
          out.push(`${name} cut off`);
        }
      }
    }
  }
  return out;
}
"""
START = [
    [".service", ".letter, .name, .name-2, .state"],
    [".priority-entry", ".title, .who"],
    [".checkin-entry", ".title, .who"],
]
TICKET = [[".card", ".number, .service-name, .ahead, .label, .qr p, .print-status, .guide"],
          [".guide", ".guide-title, .guide-item, .guide-more"]]  # fmt: skip


async def long_names(api: Api) -> None:
    token = await api.login("manager")
    for code, (zh, en) in LONG_NAMES.items():
        body = {"name": zh, "name_en": en}
        path = f"/api/v1/halls/demo/services/{code}"
        status, answer = await api.request("PUT", path, body, token=token)
        assert status == 200, answer


async def outside(page: Page, pairs: list[list[str]]) -> list[str]:
    found: list[str] = await page.evaluate(OUTSIDE, pairs)
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_long_names_fit_their_buttons_and_the_ticket(api: Api, lang: str) -> None:
    """Each layout: the start's buttons, then a ticket of the longest-named service."""
    await long_names(api)
    await api.staff(1)  # a staffed window: the buttons show a wait, as in the hall's day
    shots = os.environ.get("CALLNEXT_TEST_SHOTS")
    async with launch() as browser:
        pages = BrowserPages(browser, "/halls/demo/kiosk", SIZES[0])
        for size in SIZES:
            page = await pages.new_page(api.base, f"?lang={lang}", size=size)
            await page.wait_for_selector(".service[data-code='C']")
            await page.wait_for_timeout(200)  # the stream's first frame laid out
            if shots:
                await page.screenshot(path=f"{shots}/kiosk-long-{lang}-{size[0]}x{size[1]}.png")
            assert await outside(page, START) == [], size
            await page.click(".service[data-code='A']")
            await page.wait_for_selector("#ticket", state="visible")
            assert await outside(page, TICKET) == [], size
        assert pages.problems == []
