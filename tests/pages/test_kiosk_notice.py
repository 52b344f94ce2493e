"""The kiosk's notice in the citizen's language: the hall's English notice on English (the
toggle or ?lang=en), the Chinese one while there is no English one, live when either changes."""

from __future__ import annotations

import pytest

from ..browser import chromium_missing, text, wait_js
from ..helpers import Api
from .test_kiosk_page import Kiosks, kiosks  # noqa: F401  (the fixture)
from .test_screen_legibility import patch_settings

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")

NOTICE = "document.getElementById('notice-text').textContent"


async def test_the_kiosk_shows_the_notice_in_its_language(api: Api, kiosks: Kiosks) -> None:  # noqa: F811
    await patch_settings(api, {"notice": "请携带身份证", "notice_en": "Please bring your ID card"})
    page = await kiosks.open(api)
    assert await text(page, "#notice-text") == "请携带身份证"
    await page.click(".lang [data-lang='en']")
    assert await text(page, "#notice-text") == "Please bring your ID card"
    english = await kiosks.open(api, "?lang=en")
    assert await text(english, "#notice-text") == "Please bring your ID card"
    await patch_settings(api, {"notice_en": ""})  # none in English: the Chinese one
    await wait_js(english, f"{NOTICE} === '请携带身份证'")
    await patch_settings(api, {"notice_en": "Lunch 12:00–13:30"})
    await wait_js(english, f"{NOTICE} === 'Lunch 12:00–13:30'")
    await page.click(".lang [data-lang='zh']")
    assert await text(page, "#notice-text") == "请携带身份证"


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
async def test_a_long_notice_pages_and_leaves_the_services_their_room(
    api: Api,
    kiosks: Kiosks,  # noqa: F811
    size: tuple[int, int],
) -> None:
    """The 500 characters a hall may write: three whole lines in portrait, two in landscape,
    "1/N" in the corner, every page's lines in turn; the services and the entries stay on the
    first screen under it."""
    rule = "请携带身份证原件，过号请到综合咨询窗口重新取号。"
    await patch_settings(api, {"notice": (rule * 30)[:500]})
    page = await kiosks.open(api, "?notice_s=2", size=size)  # a page every 2 s
    lines = 3 if size[1] > size[0] else 2
    view, line, count = await page.evaluate("""() => [
      document.querySelector('#notice .notice-view').clientHeight,
      parseFloat(getComputedStyle(document.getElementById('notice-text')).lineHeight),
      document.getElementById('notice-page').textContent]""")
    assert view == lines * line, (view, line)
    pages = int(count.removeprefix("1/"))
    assert pages > 1, count
    bottom = await page.evaluate("() => window.innerHeight")
    for selector in ("#services .service[data-code='C']", "#priority-entry", "#checkin-entry"):
        box = await page.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["y"] + box["height"] <= bottom, (selector, box)

    # Page 1 at the top, page 2 whole lines on, by notice.js's own timer; each read with its
    # counter in one evaluate (a loaded machine may have paged on since the page opened).
    def scroll_at(page_no: int) -> str:
        return f"""(() => document.getElementById('notice-page').textContent === '{page_no}/{pages}'
          && [document.querySelector('#notice .notice-view').scrollTop])()"""

    assert await wait_js(page, scroll_at(1)) == [0]
    assert await wait_js(page, scroll_at(2)) == [lines * line]
