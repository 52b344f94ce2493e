"""Real-name tickets at the kiosk, in Chromium under the page's CSP: a real-name service asks
for the ID number first; a card reader in keyboard mode (typed characters, then Enter) or the
keypad enters it; the screen shows it only as 前6后4; a wrong number is refused on the spot
(and the server's own refusal comes back to the field); the second ticket of the day is refused
with the limit; the kiosk checks a booking in by the ID card it was made with; nothing on the
page ever holds the number after it was sent. SQLite (the API's tests cover PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page, expect

from ..api.test_api_real_name import ALICE, BOB, real_name
from ..booking import book, enable_booking
from ..browser import chromium_missing, launch, text, wait_js
from ..helpers import Api
from .test_appointment_pages import KIOSK, today_slots

pytestmark = [
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]
BIRTH = ALICE[6:14]


async def kiosk(api: Api, browser: Any, errors: list[str], lang: str = "zh") -> Page:
    page = await (await browser.new_context(**KIOSK)).new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{api.base}/halls/demo/kiosk?lang={lang}")
    await page.wait_for_selector(".service[data-code='B']:not([disabled])")
    return page


async def held_anywhere(page: Page, secret: str) -> bool:
    """Whether the page holds `secret` anywhere: its DOM, any input's value, its storage."""
    return bool(await page.evaluate(HOLDS, secret))


HOLDS = """(s) => document.documentElement.outerHTML.includes(s)
    || [...document.querySelectorAll('input, output')].some((e) => (e.value ?? '').includes(s))
    || [localStorage, sessionStorage].some((store) => JSON.stringify(store).includes(s))"""


async def test_a_real_name_ticket_by_card_reader_and_by_keypad(api: Api) -> None:
    await real_name(api)  # service B: real-name, one ticket a person a day
    errors: list[str] = []
    async with launch() as browser:
        page = await kiosk(api, browser, errors)
        await page.click(".service[data-code='B']")
        await page.wait_for_selector("#id", state="visible")
        assert (await text(page, "#id-title")).startswith("实名取号 · ")
        assert await page.locator("#ticket").is_hidden()
        for c in ALICE[:17] + ("0" if ALICE[17] != "0" else "1"):  # the keypad, a typo at the end
            await page.click(f"#id-keys .key[data-key='{c}']")
        assert await text(page, "#id-shown") == ALICE[:6] + "*" * 8 + ALICE[14:17] + (
            "0" if ALICE[17] != "0" else "1")  # fmt: skip
        assert await text(page, "#id-count") == "已输入 18 / 18 位"
        await page.click("#id-go")
        await expect(page.locator("#id-error")).to_have_text("号码有误，请核对后重新输入")
        await page.click("#id-keys .key[data-key='backspace']")
        await page.click(f"#id-keys .key[data-key='{ALICE[17]}']")
        assert await held_anywhere(page, BIRTH) is False  # 前6后4 only, even while typing
        await page.click("#id-go")
        await page.wait_for_selector("#ticket", state="visible")
        assert (await text(page, "#t-number")).startswith("B")
        assert await held_anywhere(page, BIRTH) is False
        await page.click("#done")
        await page.wait_for_selector("#start", state="visible")
        await page.wait_for_selector(".service[data-code='B']:not([disabled])")
        await page.click(".service[data-code='B']")
        await page.wait_for_selector("#id", state="visible")
        await page.keyboard.type(ALICE.lower())  # a card reader in keyboard mode, then Enter
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#failure", state="visible")
        assert "每人每天限取 1 个号" in await text(page, "#f-reason")
        assert await held_anywhere(page, BIRTH) is False
    assert errors == []
    tickets = await api.day_tickets()
    assert [t["service"] for t in tickets] == ["B"]


async def test_in_english_the_number_is_checked_and_escape_leaves(api: Api) -> None:
    await real_name(api)
    errors: list[str] = []
    async with launch() as browser:
        page = await kiosk(api, browser, errors, lang="en")
        await page.click(".service[data-code='B']")
        await page.wait_for_selector("#id", state="visible")
        assert (await text(page, "#id-title")).startswith("Ticket by ID · ")
        assert (
            await text(page, "#id-prompt") == "Place your ID card on the reader, or type its number"
        )
        await page.keyboard.type(BOB[:10])
        await page.keyboard.press("Enter")
        await expect(page.locator("#id-error")).to_have_text(
            "An ID number has 18 characters: 17 digits, then a digit or X"
        )
        await page.keyboard.press("Escape")
        await page.wait_for_selector("#start", state="visible")
        await page.click(".service[data-code='A']")  # not real-name: a ticket at once
        await page.wait_for_selector("#ticket", state="visible")
    assert errors == []


async def booked_by_id(api: Api) -> dict[str, Any]:
    """Service A real-name and bookable; a booking of today's first slot made with ALICE's
    ID number."""
    await enable_booking(api)
    await real_name(api, code="A")
    slot = (await today_slots(api))[0]
    return await book(api, slot["start"], id_number=ALICE)


async def test_a_booking_made_with_an_id_card_checks_in_with_it(api: Api) -> None:
    made = await booked_by_id(api)
    errors: list[str] = []
    async with launch() as browser:
        page = await kiosk(api, browser, errors)
        await page.click("#checkin-entry")
        await page.wait_for_selector("#checkin", state="visible")
        await page.click("#checkin-by-id")
        await page.wait_for_selector("#id", state="visible")
        assert await text(page, "#id-title") == "身份证签到"
        await page.keyboard.type(BOB)  # no booking with this card
        await page.keyboard.press("Enter")
        await expect(page.locator("#id-error")).to_have_text("今天没有用这张身份证预约的业务")
        await page.click("#id-keys .key[data-key='clear']")
        await page.keyboard.type(ALICE)
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#ticket", state="visible")
        assert (await text(page, "#t-number")).startswith("A")
        assert await held_anywhere(page, BIRTH) is False
    assert errors == []
    status, answer = await api.request("GET", f"/api/v1/appointments/{made['id']}")
    assert (status, answer["status"]) == (200, "checked_in")


async def test_an_id_card_swiped_on_the_start_screen_checks_its_booking_in(api: Api) -> None:
    """A citizen who swipes the card before tapping anything: the reader's first keys open the
    code entry (a booking code's scan starts the same way), and past a code's 8 characters of
    digits the check-in by ID card takes over with what was typed; its Enter checks in."""
    made = await booked_by_id(api)
    errors: list[str] = []
    async with launch() as browser:
        page = await kiosk(api, browser, errors)
        await page.wait_for_selector("#checkin-entry[data-policy='on']")
        await wait_js(page, "!document.getElementById('checkin-by-id').hidden")
        await page.keyboard.type(ALICE)  # nothing tapped first
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#ticket", state="visible")
        assert (await text(page, "#t-number")).startswith("A")
        assert await page.input_value("#checkin-code") == ""
        assert await held_anywhere(page, BIRTH) is False
    assert errors == []
    status, answer = await api.request("GET", f"/api/v1/appointments/{made['id']}")
    assert (status, answer["status"]) == (200, "checked_in")
