"""A server that cannot take real-name tickets (PostgreSQL with no CALLNEXT_PERSON_KEYS answers
503 `real_name_unavailable`): the kiosk says so in words at once, after one request, instead of
retrying what cannot change and then showing the general 暂时无法取号. Chromium under the page's
CSP; its own module because the other kiosk real-name tests run on SQLite, which makes its key."""

from __future__ import annotations

import pytest

from ..api.test_api_real_name import ALICE, real_name
from ..browser import chromium_missing, launch, text
from ..conftest import PG_SKIP_REASON
from ..helpers import Api
from .test_kiosk_real_name import held_anywhere, kiosk

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("db_url", ["postgresql"], indirect=True),
    pytest.mark.skipif(PG_SKIP_REASON is not None, reason=PG_SKIP_REASON or ""),
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]


@pytest.mark.parametrize(
    ("lang", "words"),
    [("zh", "本机暂时不能实名取号，请到咨询台办理"),
     ("en", "This kiosk cannot issue tickets by ID now: please ask at the enquiries desk")],
)  # fmt: skip
async def test_a_server_without_person_keys_is_said_at_once(
    api: Api, lang: str, words: str
) -> None:
    await real_name(api)
    errors: list[str] = []
    posts: list[str] = []
    async with launch() as browser:
        page = await kiosk(api, browser, errors, lang=lang)
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        await page.click(".service[data-code='B']")
        await page.wait_for_selector("#id", state="visible")
        await page.keyboard.type(ALICE)
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#failure", state="visible")
        assert await text(page, "#f-reason") == words
        assert await held_anywhere(page, ALICE[6:14]) is False
    assert errors == []
    assert [url.rsplit("/", 1)[-1] for url in posts] == ["tickets"]  # once: no retries
    assert await api.day_tickets() == []
