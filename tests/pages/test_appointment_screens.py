"""The lobby and window screens take the appointments' events (appointment.booked, .cancelled,
.checked_in) in their stride, in a real browser: no error, nothing shown for them, the waiting
counts follow, and a booked ticket's call shows as any other."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page

from ..browser import chromium_missing, launch, wait_js
from ..helpers import Api

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")
HALL = "/api/v1/halls/demo"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch(autoplay=True) as b:
        yield b


async def screen(browser: Browser, url: str, errors: list[str]) -> Page:
    page = await browser.new_page(viewport={"width": 1280, "height": 720})
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    async with page.expect_console_message(lambda m: "callnext: snapshot" in m.text, timeout=10000):
        await page.goto(url)
    return page


async def test_screens_ignore_appointment_events_and_call_a_booked_ticket(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    lobby = await screen(browser, api.base + "/halls/demo/display", errors)
    window = await screen(browser, api.base + "/halls/demo/windows/1/display", errors)
    idle = await lobby.text_content("#hero-number")
    _s, days = await api.request("GET", HALL + "/slots?service=A")
    _s, slots = await api.request("GET", f"{HALL}/slots?service=A&day={days['days'][0]['day']}")
    start = {"service": "A", "start": slots["slots"][0]["start"]}
    token = await api.login("manager")
    await api.request("PATCH", HALL + "/booking", {"checkin_early_min": 240}, token=token)
    _s, gone = await api.request("POST", HALL + "/appointments", start)
    await api.request("POST", f"/api/v1/appointments/{gone['id']}/cancel")
    _s, made = await api.request("POST", HALL + "/appointments", start)
    status, done = await api.request("POST", HALL + "/checkin", {"code": made["code"]})
    assert status == 201, done
    number = done["ticket"]["number"]
    await wait_js(lobby, "document.querySelector('#queues').textContent.includes('等候 1 人')")
    assert await lobby.text_content("#hero-number") == idle  # nothing shown for them
    for page in (lobby, window):
        assert made["code"] not in await page.content()
    assert (await api.window(1, "call-next"))[1]["called"]["number"] == number
    await wait_js(lobby, f"document.querySelector('#hero-number').textContent === "
                                  f"'{number}'")  # fmt: skip
    await wait_js(window, f"document.querySelector('#number').textContent === "
                                   f"'{number}'")  # fmt: skip
    assert not errors, errors
