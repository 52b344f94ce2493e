"""The lobby says a long wait as the kiosk and the phone do: over an hour in hours and minutes
(约 1 小时 5 分钟 / about 1 h 5 min), and a wait past the service's hours today as 今日可能无法办理
/ May not be served today, with no figure. SQLite only."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from ..browser import wait_js
from ..helpers import Api
from .test_kiosk_page import settings
from .test_kiosk_waits import browser_test, closing_in_two_minutes, queue_of
from .test_screen_legibility import LOBBY, browser, open_screen

pytestmark = [pytest.mark.parametrize("db_url", ["sqlite"], indirect=True), browser_test]
__all__ = ["browser"]  # the fixture
ZH, EN = "不动产登记", "Real estate registration"  # service A's names


async def wait_shown(page: Page, name: str, expected: str) -> None:
    """Until the queue line of the service called `name` reads `expected` in its wait cell."""
    await wait_js(
        page,
        """([name, want]) => [...document.querySelectorAll('#queues li')].some(
             (li) => li.children[0].textContent === name && li.children[3].textContent === want)""",
        [name, expected],
    )


async def test_the_lobby_says_long_and_hopeless_waits_in_words(api: Api, browser: Browser) -> None:
    await queue_of(api, 13)
    await api.staff(1)  # window 1 would call A001 at once: a new ticket waits 13 × 300 s
    zh = await open_screen(browser, api.base + LOBBY)
    en = await open_screen(browser, api.base + LOBBY + "?lang=en")
    await wait_shown(zh, ZH, "约 1 小时 5 分钟")
    await wait_shown(en, EN, "about 1 h 5 min")
    await settings(api, {"services": {"A": {"hours": closing_in_two_minutes()}}})
    await wait_shown(zh, ZH, "今日可能无法办理")
    await wait_shown(en, EN, "May not be served today")
