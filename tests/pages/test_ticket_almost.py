"""Almost your turn (快到您了) on the citizen's phone page (/t/{id}) in a real Chromium.

Against a real server: staff call the tickets ahead until the hall's almost_turn_ahead (3 by
default) are left; the page then shows the banner, changes its title, vibrates once and (when
allowed) notifies with the call's tag; one more call, or a reload, does not alert again; a page
opened that close shows the banner without alerting; 0 turns it off; English words. The
vibrations and notifications are the page's own calls, recorded (test_ticket_page's shim).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from ..browser import chromium_missing, launch, wait_js
from ..helpers import Api
from .test_ticket_page import GO_SHOWN, open_phone, open_ticket, phone_context, text, wait_text

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

ALMOST = [300]  # ticket.js ALMOST_VIBRATION
CALL = [400, 200, 400]  # ticket.js VIBRATION
BANNER_SHOWN = "!document.getElementById('almost').hidden"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch(full=True) as b:  # notifications: the page asks for them, a test grants them
        yield b


async def line_of(api: Api, count: int) -> list[dict[str, Any]]:
    """`count` tickets of A, in their order; windows 1–4 and 7 (A's) are staffed."""
    await api.staff(1, 2, 3, 4, 7)
    return [await api.issue("A") for _ in range(count)]


async def call_at(api: Api, window: int) -> None:
    status, body = await api.window(window, "call-next")
    assert status == 200, body


async def vibrations(page: Page) -> list[list[int]]:
    return await page.evaluate("window.vibrations")  # type: ignore[no-any-return]


async def test_almost_your_turn_alerts_once_at_3_ahead(api: Api, browser: Browser) -> None:
    """5 ahead, then 4: nothing; 3: banner, title, one short vibration, a notification tagged
    as the call's; 2: the banner follows, no second alert; a reload: the banner, no alert;
    the call: its own alert, as before."""
    *_, mine = await line_of(api, 6)
    context = await phone_context(browser)
    await context.grant_permissions(["notifications"], origin=api.base)
    page = await open_ticket(context, f"{api.base}/t/{mine['id']}")
    assert await text(page, "#ahead") == "前面还有5人"
    assert await page.is_hidden("#almost")
    assert await page.title() == "A006 · 排队中"
    assert await text(page, "#notify-note") == "已开启提醒：快到您时和到号时都会通知您。"
    assert await text(page, "#note") == "请保持本页面打开：前面还剩 3 人时和到号时都会提醒您。"
    await call_at(api, 1)
    await wait_text(page, "#ahead", "前面还有4人")
    assert await page.is_hidden("#almost")
    assert await vibrations(page) == []

    await call_at(api, 2)
    await wait_js(page, BANNER_SHOWN)
    assert await text(page, "#almost-title") == "快到您了"
    assert await text(page, "#almost-line") == "还有 3 人就到您， 请到窗口附近留意叫号。"
    assert await page.get_attribute("#almost", "role") == "status"  # a live region
    assert await page.title() == "快到您了 · A006"
    assert await vibrations(page) == [ALMOST]
    notes = await page.evaluate("window.notifications")
    assert notes == [{"title": "快到您了 · A006", "body": "前面还有 3 人 · 演示政务服务中心",
                      "tag": "callnext-ticket"}]  # fmt: skip

    await call_at(api, 3)
    await wait_text(page, "#almost-line", "还有 2 人就到您，请到窗口附近留意叫号。")
    assert await vibrations(page) == [ALMOST]
    assert len(await page.evaluate("window.notifications")) == 1

    await page.reload()  # the shim starts again: anything recorded now is a second alert
    await wait_js(page, BANNER_SHOWN)
    await call_at(api, 4)
    await wait_text(page, "#ahead", "前面还有1人")
    assert await vibrations(page) == []
    assert await page.evaluate("window.notifications") == []

    await call_at(api, 7)  # A005: this one is next
    await wait_text(page, "#almost-line", "下一位就是您，请到窗口附近留意叫号。")
    assert (await api.window(2, "finish"))[0] == 200
    await call_at(api, 2)  # this ticket
    await wait_js(page, GO_SHOWN)
    assert await page.is_hidden("#almost")
    assert await page.title() == "【请到2号窗口】A006"
    assert await vibrations(page) == [CALL]  # the call's own alert, unchanged
    notes = await page.evaluate("window.notifications")
    assert [(n["title"], n["tag"]) for n in notes] == [("【请到2号窗口】A006", "callnext-ticket")]


async def test_opened_already_close_shows_the_banner_without_alerting_in_english(
    api: Api, browser: Browser
) -> None:
    *_, mine = await line_of(api, 2)
    page = await open_phone(browser, f"{api.base}/t/{mine['id']}?lang=en")
    await wait_js(page, BANNER_SHOWN)
    assert await text(page, "#almost-title") == "Almost your turn"
    assert await text(page, "#almost-line") == (
        "1 ahead of you: please stay near the windows and watch the screens for your number."
    )
    assert await page.title() == "Almost your turn · A002"
    assert await text(page, "#notify") == "Notify me near my turn and when called"
    assert await text(page, "#note") == (
        "Keep this page open: it alerts you when 3 are ahead of you and when you are called."
    )
    await call_at(api, 1)
    await wait_text(page, "#almost-line", "You are next: please stay near the windows and "
                    "watch the screens for your number.")  # fmt: skip
    await page.click("#lang")  # the other language at once
    assert await text(page, "#almost-title") == "快到您了"
    assert await page.title() == "快到您了 · A002"
    assert await vibrations(page) == []


async def test_without_storage_it_still_alerts_once(api: Api, browser: Browser) -> None:
    """Private mode (localStorage throws): the alert comes once all the same."""
    *_, mine = await line_of(api, 5)
    context = await phone_context(browser)
    await context.add_init_script(
        "Object.defineProperty(window, 'localStorage', {"
        " get() { throw new DOMException('denied', 'SecurityError'); } });"
    )
    page = await open_ticket(context, f"{api.base}/t/{mine['id']}")
    await call_at(api, 1)
    await wait_js(page, BANNER_SHOWN)
    await call_at(api, 2)
    await wait_text(page, "#ahead", "前面还有2人")
    assert await vibrations(page) == [ALMOST]


async def test_set_to_0_there_is_no_almost_your_turn(api: Api, browser: Browser) -> None:
    token = await api.login("manager")
    status, body = await api.request(
        "PATCH", "/api/v1/halls/demo/settings", {"almost_turn_ahead": 0}, token=token
    )
    assert status == 200, body
    *_, mine = await line_of(api, 4)
    page = await open_phone(browser, f"{api.base}/t/{mine['id']}")
    assert await text(page, "#notify") == "开启到号提醒"
    assert await text(page, "#note") == "请保持本页面打开，到号时会提醒您。"
    for window in (1, 2, 3):
        await call_at(api, window)
    await wait_text(page, "#ahead", "下一位就是您")
    assert await page.is_hidden("#almost")
    assert await page.title() == "A004 · 排队中"
    assert await vibrations(page) == []
