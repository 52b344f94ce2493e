"""The English dashboard of a hall whose services and windows have long names, in a real
Chromium at a desk PC's two sizes: the charts never set a negative size (Chromium logs "<rect>
attribute width: A negative value is not valid" for each one), a long name is cut with "…" and
whole in its tooltip (in the table it wraps), the page never scrolls sideways and logs no error
at all."""

# ruff: noqa: F401, F811  (the tests take the `pages` and `past` fixtures of test_dashboard_page)

from __future__ import annotations

import os

import pytest
from playwright.async_api import ConsoleMessage

from ..helpers import Api
from .test_dashboard_page import PAST, Pages, board, log_in, pages, past

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

LONG_SERVICE = (
    "Real estate registration, mortgage filing and transfer of title for residential"
    " and commercial property"
)
LONG_WINDOW = "Integrated counter for enterprise start-up, business licences and tax registration"


async def long_names(api: Api) -> None:
    token = await api.login("manager")
    for path, body in [
        ("/services/A", {"name_en": LONG_SERVICE}),
        ("/services/B", {"name_en": "Water, electricity and gas account transfer " * 3}),
        *((f"/windows/{n}", {"name": f"{LONG_WINDOW} {n}"}) for n in (1, 5, 7)),
    ]:
        status, answer = await api.request("PUT", "/api/v1/halls/demo" + path, body, token=token)
        assert status == 200, answer


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
async def test_long_names_draw_no_negative_sizes(
    past: Api, pages: Pages, size: tuple[int, int]
) -> None:
    await long_names(past)
    day = PAST.isoformat()
    page = await pages.open(past, f"?lang=en&date={day}", size)
    errors: list[str] = []

    def heard(msg: ConsoleMessage) -> None:
        if msg.type in ("error", "warning"):
            errors.append(msg.text)

    page.on("console", heard)
    await log_in(page)
    await board(page, day)
    await page.wait_for_selector("#c-windows .plot svg rect[data-key]", state="attached")
    await page.set_viewport_size({"width": size[0] // 2, "height": size[1]})  # drawn again
    await page.wait_for_timeout(300)
    await page.set_viewport_size({"width": size[0], "height": size[1]})
    await page.wait_for_timeout(300)
    if os.environ.get("CALLNEXT_TEST_SHOTS"):
        path = os.path.join(os.environ["CALLNEXT_TEST_SHOTS"], f"dash-long-{size[0]}.png")
        await page.screenshot(path=path, full_page=True)
    assert errors == []
    wide = await page.evaluate("document.scrollingElement.scrollWidth - innerWidth")
    assert wide <= 0, wide  # long names wrap or are cut: no sideways scrolling
    negative = await page.eval_on_selector_all(
        "svg [width], svg [height]",
        "els => els.filter((e) => Number(e.getAttribute('width')) < 0"
        " || Number(e.getAttribute('height')) < 0).map((e) => e.outerHTML.slice(0, 120))",
    )
    assert negative == []
    label = page.locator("#c-windows .row-label", has_text="Integrated").first
    shown = await label.evaluate("t => t.firstChild.textContent")
    assert shown.endswith("…")
    assert LONG_WINDOW in await label.locator("title").text_content()
