"""The staff console's leave and logout with a citizen called (docs/staff.md), in a real
browser against a real server: it asks first (finish, send back to the queue, or stay) in an
accessible dialog, in zh and en, and each choice does what it says (the server's state, read
through the API, says so); a new login of the same user takes their window back with no
takeover question."""
# ruff: noqa: F401, F811  (the tests take the `consoles` fixture imported from test_staff_page)

from __future__ import annotations

import pytest
from playwright.async_api import Page

from ..browser import chromium_missing, submit_login, text, wait_text
from ..helpers import Api
from .test_staff_page import (
    Consoles,
    at_desk,
    consoles,
    desk_loaded,
    message,
    ticket,
    until_current,
    window,
)

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]


async def with_a_citizen_called(api: Api, consoles: Consoles, query: str = "") -> Page:
    """w1 at window 1 with A001 called."""
    await api.issue("A")
    page = await at_desk(consoles, api, "w1", 1, query)
    await page.click("[data-action='next']")
    await wait_text(page, "#cur-number", "A001")
    await until_current(api, 1, "A001")
    return page


async def dialog_open(page: Page) -> None:
    await page.wait_for_selector("#d-leave[open]")
    assert await page.get_attribute("#d-leave", "aria-labelledby") == "d-leave-title"
    assert await page.get_attribute("#d-leave", "aria-describedby") == "d-leave-text"
    # the safe answer has the focus: Enter or Space there keeps the citizen where they are
    assert await page.evaluate("document.activeElement.id") == "d-leave-stay"
    assert await page.evaluate("document.querySelector('#d-leave').matches(':modal')")


@pytest.mark.parametrize("choice", ["stay", "escape", "finish", "requeue"])
async def test_leaving_with_a_citizen_called_asks_first(
    api: Api, consoles: Consoles, choice: str
) -> None:
    page = await with_a_citizen_called(api, consoles)
    await page.click("#leave")
    await dialog_open(page)
    assert await text(page, "#d-leave-title") == "离开1号窗口？"
    assert "A001" in await text(page, "#d-leave-text")
    assert await text(page, "#d-leave-finish") == "办结并离开"
    assert await text(page, "#d-leave-requeue") == "退回队列并离开"
    assert await text(page, "#d-leave-stay") == "留在窗口"
    if choice in ("stay", "escape"):
        if choice == "stay":
            await page.click("#d-leave-stay")
        else:
            await page.keyboard.press("Escape")
        await page.wait_for_selector("#d-leave", state="hidden")
        await desk_loaded(page, 1)
        assert await page.is_visible("#desk-view")
        held = await window(api, 1)
        assert (held["staff"], held["current"]["number"]) == ("w1", "A001")
        return
    await page.click(f"#d-leave-{choice}")
    await page.wait_for_selector("#picker-view:not([hidden])")
    await message(page, "已离开 1号窗口")
    left = await window(api, 1)
    assert (left["staff"], left["staffed"], left["current"]) == (None, False, None)
    a001 = await ticket(api, "A001")
    if choice == "finish":
        assert (a001["status"], a001["outcome"]) == ("done", "completed")
    else:  # back in its own queue, in its place: first in line again
        assert (a001["status"], a001["service"], a001["window"]) == ("waiting", "A", None)
        assert a001["ahead"] == 0


async def test_logging_out_with_a_citizen_called_asks_first_in_english(
    api: Api, consoles: Consoles
) -> None:
    page = await with_a_citizen_called(api, consoles, "?lang=en")
    await page.click("#logout")
    await dialog_open(page)
    assert await text(page, "#d-leave-title") == "Log out?"
    assert "A001" in await text(page, "#d-leave-text")
    assert await text(page, "#d-leave-requeue") == "Send it back to the queue and log out"
    await page.click("#d-leave-requeue")
    await page.wait_for_selector("#login-view:not([hidden])")
    left = await window(api, 1)
    assert (left["staff"], left["current"]) == (None, None)
    assert (await ticket(api, "A001"))["status"] == "waiting"
    # logging out with nobody called asks nothing
    page = await at_desk(consoles, api, "w2", 2, "?lang=en")
    await page.click("#logout")
    await page.wait_for_selector("#login-view:not([hidden])")
    assert not await page.is_visible("#d-leave")
    assert (await window(api, 2))["staff"] is None


async def test_the_same_user_reopening_the_console_takes_the_window_back(
    api: Api, consoles: Consoles
) -> None:
    """The console closed without logging out (a crash, another PC): a new login of the same
    user goes straight back to the window, with no "take over from yourself" question."""
    await at_desk(consoles, api, "w3", 3)
    again = await consoles.open(api)
    await submit_login(again, "w3")
    await desk_loaded(again, 3)
    await message(again, "已回到 3号窗口")
    assert not await again.is_visible("#d-confirm")
    assert (await window(api, 3))["staff"] == "w3"
    # another user is still asked before taking it over
    other = await consoles.open(api)
    await submit_login(other, "w4")
    await other.click(".window-button[data-window='3']")
    await other.wait_for_selector("#d-confirm[open]")
