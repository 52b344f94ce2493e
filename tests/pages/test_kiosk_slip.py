"""The kiosk's browser-printed slip under the page's real CSP (style-src 'self', no inline
<style>): the printed page is as tall as the slip's content, one page, long or short, and the
console shows no CSP violation. SQLite only (the page is under test, not the database)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import ConsoleMessage, Page

from ..browser import chromium_missing, wait_js
from ..helpers import Api
from .test_kiosk_page import COUNT_PRINTS, Kiosks, kiosks, media_box, put_kiosk, service

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]
__all__ = ["kiosks"]  # the fixture, shared with test_kiosk_page

PT_PER_PX = 72 / 96
PT_PER_MM = 72 / 25.4
LONG_ZH = "不动产登记、抵押权设立及变更登记与房屋交易合同网签备案综合受理"
LONG_EN = "Real estate registration, mortgage filing and transfer of title for residential property"


def watch_csp(page: Page) -> list[str]:
    """What the CSP blocked on `page`, as Chromium logs it on the console."""
    seen: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if re.search(r"Content.Security.Policy|Refused to", message.text):
            seen.append(message.text)

    page.on("console", on_console)
    return seen


async def printed_slip(page: Page) -> tuple[float, float, int]:
    """The slip's height on screen (pt) → and its print: page height (pt), page count."""
    slip_pt = await page.evaluate("document.getElementById('slip').offsetHeight") * PT_PER_PX
    await page.emulate_media(media="print")
    pdf = await page.pdf(prefer_css_page_size=True, print_background=True)
    await page.emulate_media(media="screen")
    _x0, _y0, width, height = media_box(pdf)
    assert abs(width - 80 * PT_PER_MM) < 1, width
    return slip_pt, height, len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


async def test_the_slip_prints_as_tall_as_it_is_under_the_real_csp(
    api: Api, kiosks: Kiosks
) -> None:
    """A short slip and a long 绿色通道 one (a long service name in both languages): each one
    page whose height is the slip's (within the 2 mm margin and rounding), not print.css's
    150 mm fallback; no CSP violation on the console."""
    token = await api.login("manager")
    body = {"name": LONG_ZH, "name_en": LONG_EN}
    status, answer = await api.request("PUT", "/api/v1/halls/demo/services/B", body, token=token)
    assert status == 200, answer
    no_guide = {"services": {"A": {"guide": {"materials": [], "notes": ""}}}}  # the short one
    status, answer = await api.request(
        "PATCH", "/api/v1/halls/demo/settings", no_guide, token=token
    )
    assert status == 200, answer
    await put_kiosk(api, "K1", {"name": "门口", "print": "browser"})
    page = await kiosks.open(api, "?kiosk=K1", init=COUNT_PRINTS)
    blocked = watch_csp(page)

    await page.click(service("A"))
    await wait_js(page, "window.__prints.length === 1", timeout=10_000)
    short_slip, short_page, pages = await printed_slip(page)
    assert pages == 1
    assert short_slip < short_page < short_slip + 4 * PT_PER_MM, (short_slip, short_page)

    await page.click("#done")
    await page.click("#priority-entry")
    await page.click(service("B"))
    await wait_js(page, "window.__prints.length === 2", timeout=10_000)
    long_slip, long_page, pages = await printed_slip(page)
    assert pages == 1
    assert long_slip < long_page < long_slip + 4 * PT_PER_MM, (long_slip, long_page)
    assert long_page > 150 * PT_PER_MM  # taller than the fallback, which printed two pages
    assert long_page > short_page + 10 * PT_PER_MM
    assert blocked == []
