"""The kiosk's notice in the citizen's language: the hall's English notice on English (the
toggle or ?lang=en), the Chinese one while there is no English one, live when either changes."""

from __future__ import annotations

import pytest

from .browser import chromium_missing, text, wait_js
from .helpers import Api
from .test_kiosk_page import Kiosks, kiosks  # noqa: F401  (the fixture)
from .test_screen_legibility import patch_settings

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")

NOTICE = "document.getElementById('notice').textContent"


async def test_the_kiosk_shows_the_notice_in_its_language(api: Api, kiosks: Kiosks) -> None:  # noqa: F811
    await patch_settings(api, {"notice": "请携带身份证", "notice_en": "Please bring your ID card"})
    page = await kiosks.open(api)
    assert await text(page, "#notice") == "请携带身份证"
    await page.click(".lang [data-lang='en']")
    assert await text(page, "#notice") == "Please bring your ID card"
    english = await kiosks.open(api, "?lang=en")
    assert await text(english, "#notice") == "Please bring your ID card"
    await patch_settings(api, {"notice_en": ""})  # none in English: the Chinese one
    await wait_js(english, f"{NOTICE} === '请携带身份证'")
    await patch_settings(api, {"notice_en": "Lunch 12:00–13:30"})
    await wait_js(english, f"{NOTICE} === 'Lunch 12:00–13:30'")
    await page.click(".lang [data-lang='zh']")
    assert await text(page, "#notice") == "请携带身份证"
