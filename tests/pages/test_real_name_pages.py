"""Real-name tickets (实名取号) on the pages, in a real Chromium under their CSP against a real
server (SQLite: the pages are under test). The settings page's service dialog switches a
service to real-name and sets its daily limit per person (mouse, keyboard, touch; zh and en;
a bad limit refused next to its field, nothing saved); the table marks the service. The
booking page asks for the ID number of a real-name service, checks it before sending (its
length, shape, date of birth and check character, each said in words that never repeat it),
sends it, and says the server's refusals (400 bad_id_number, 422 field_required, 409
person_limit_reached) in zh and en; once booked nothing shows the number, the address holds
none, the browser keeps none, and the booking says the same ID card checks it in."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, Request, Route, expect

from callnext.domain.identity import check_character

from ..booking import SOON, enable_booking, slots
from ..browser import chromium_missing, launch, submit_login
from ..helpers import Api
from .test_settings_page import Pages, editor_closed, pages, service, submit_editor, tab

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]
__all__ = ["pages"]  # the fixture, shared

HALL = "/api/v1/halls/demo"
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
}  # fmt: skip
ROW_B = "#panel-services tr[data-code='B']"
SWITCH = "#editor .field[data-field=real_name] input"
LIMIT = "#editor .field[data-field=person_daily_limit]"


def id_number(serial: int, born: str = "19800101") -> str:
    """A valid resident ID number (its check character computed), from Hangzhou (330106)."""
    first17 = f"330106{born}{serial:03d}"
    return first17 + check_character(first17)


def ends_in_x() -> str:
    """A valid ID number whose check character is X (typed with the page's X key)."""
    return next(n for n in (id_number(s, "19751208") for s in range(1000)) if n.endswith("X"))


def wrong_check(number: str) -> str:
    """The same number with a check character that does not match."""
    return number[:17] + ("0" if number[17] != "0" else "1")


async def make_real_name(api: Api, code: str = "B", limit: int | None = 1) -> None:
    body = {"services": {code: {"real_name": True, "person_daily_limit": limit}}}
    token = await api.login("manager")
    status, answer = await api.request("PATCH", HALL + "/settings", body, token=token)
    assert status == 200, answer


async def book_by_api(api: Api, start: str, number: str, service: str = "B") -> tuple[int, Any]:
    body = {"service": service, "start": start, "id_number": number}
    return await api.request("POST", HALL + "/appointments", body)


# ---- the settings page: the service dialog ----


async def open_b(page: Page) -> None:
    await page.click(f"{ROW_B} button[aria-label='编辑 B']")
    await page.wait_for_selector("#editor[open]")


async def test_a_service_made_real_name_in_its_dialog_by_mouse_and_keyboard(
    api: Api, pages: Pages
) -> None:
    page = await pages.open(api)
    await tab(page, "services")
    await expect(page.locator(f"{ROW_B} .real-name-note")).to_have_count(0)
    await open_b(page)
    await expect(page.locator(SWITCH)).not_to_be_checked()
    await expect(page.locator(LIMIT)).to_be_hidden()  # shown only for a real-name service
    await page.click("#editor .field[data-field=real_name] label")  # by its label, with the mouse
    await expect(page.locator(SWITCH)).to_be_checked()
    await expect(page.locator(f"{LIMIT} label")).to_have_text("每人每日限取（张）")
    await expect(page.locator(f"{LIMIT} input")).to_have_value("1")  # the server's default
    await page.fill(f"{LIMIT} input", "3")
    await submit_editor(page)
    await editor_closed(page)
    b = await service(api, "B")
    assert (b["real_name"], b["person_daily_limit"]) == (True, 3)
    await expect(page.locator(f"{ROW_B} .real-name-note")).to_have_text("实名 · 每人每日 3 张")
    await expect(page.locator("#message")).to_contain_text("已保存")

    # by keyboard: the row's edit button, Space on the switch, Tab to the limit, Enter saves
    await page.focus(f"{ROW_B} button[aria-label='编辑 B']")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#editor[open]")
    await page.focus(f"{LIMIT} input")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("0")
    await page.keyboard.press("Enter")  # refused: 1–20, next to its field, nothing saved
    error = page.locator(f"{LIMIT} .field-error")
    await expect(error).to_contain_text("每人每日限取须为 1 到 20 的整数，或留空（不限）")
    await expect(page.locator(f"{LIMIT} input")).to_have_attribute("aria-invalid", "true")
    assert await page.evaluate("document.activeElement.dataset.field") == "person_daily_limit"
    await expect(page.locator("#message")).to_contain_text("保存失败")
    assert (await service(api, "B"))["person_daily_limit"] == 3
    await page.keyboard.press("Control+A")
    await page.keyboard.press("Backspace")  # empty: no limit
    await page.keyboard.press("Enter")
    await editor_closed(page)
    assert (await service(api, "B"))["person_daily_limit"] is None
    await expect(page.locator(f"{ROW_B} .real-name-note")).to_have_text("实名 · 每人每日不限")

    await page.focus(f"{ROW_B} button[aria-label='编辑 B']")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#editor[open]")
    await page.focus(SWITCH)
    await page.keyboard.press("Space")  # off: the limit's field goes, the limit is kept
    await expect(page.locator(SWITCH)).not_to_be_checked()
    await expect(page.locator(LIMIT)).to_be_hidden()
    await page.focus("#editor .field[data-field=name] input")
    await page.keyboard.press("Enter")
    await editor_closed(page)
    b = await service(api, "B")
    assert (b["real_name"], b["person_daily_limit"]) == (False, None)
    await expect(page.locator(f"{ROW_B} .real-name-note")).to_have_count(0)


async def test_a_new_real_name_service_in_english_by_touch(api: Api, pages: Pages) -> None:
    page = await pages.new_page(api.base, "?lang=en", has_touch=True)
    await submit_login(page, "manager")
    await page.wait_for_selector("#main-view:not([hidden])")
    await page.tap("#tab-services")
    await page.wait_for_selector("#panel-services:not([hidden])")
    await page.tap("#add-service")
    await page.wait_for_selector("#editor[open]")
    await page.fill("#editor .field[data-field=code] input", "R")
    await page.fill("#editor .field[data-field=name] input", "户籍办理")
    await page.fill("#editor .field[data-field=name_en] input", "Household registration")
    await expect(page.locator("#editor .field[data-field=real_name] label")).to_have_text(
        "Real-name tickets"
    )
    await page.tap(SWITCH)
    await expect(page.locator(f"{LIMIT} label")).to_have_text("Tickets per person a day")
    await page.fill(f"{LIMIT} input", "21")
    await page.tap("#editor button[type=submit]")
    await expect(page.locator(f"{LIMIT} .field-error")).to_contain_text(
        "Tickets per person a day: a whole number 1–20, or empty (no limit)"
    )
    codes = [s["code"] for s in (await api.hall())["services"]]
    assert "R" not in codes, "a refused save changes nothing"
    await page.fill(f"{LIMIT} input", "2")
    await page.tap("#editor button[type=submit]")
    await editor_closed(page)
    r = await service(api, "R")
    assert (r["real_name"], r["person_daily_limit"]) == (True, 2)
    row = "#panel-services tr[data-code='R']"
    await expect(page.locator(f"{row} .real-name-note")).to_have_text("Real-name · 2 a day")
    await page.tap(".lang button[data-lang='zh']")  # in place: the mark follows
    await expect(page.locator(f"{row} .real-name-note")).to_have_text("实名 · 每人每日 2 张")
    snapshot = {s["code"]: s for s in (await api.hall())["services"]}
    assert snapshot["R"]["real_name"] is True  # the public snapshot tells the kiosks


# ---- the booking page ----


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch() as b:
        yield b


async def phone(browser: Browser, api: Api, errors: list[str], query: str = "") -> Page:
    context = await browser.new_context(locale="zh-CN", **PHONE)
    page = await context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{api.base}/halls/demo/book{query}")
    return page


def choice(group: str, value: str) -> str:
    return f"#{group} label[data-value='{value}']"


async def pick_slot(page: Page, slot: dict[str, Any], tap: bool = True) -> None:
    """Service B, the slot's day, the slot."""
    act = page.tap if tap else page.click
    await act(choice("services", "B"))
    await act(choice("days", slot["start"][:10]))
    await act(choice("slots", slot["start"]))
    await expect(page.locator("#book")).to_be_enabled()


async def refused(page: Page, words: str, number: str, invalid: bool = True) -> None:
    """The form says `words` under it, marks the ID's field and focuses it (`invalid`: a number
    to correct; a person's limit reached is no wrong number), and the message never holds the
    number, nor any 6 of its digits in a row."""
    await expect(page.locator("#pick-error")).to_have_text(words)
    if invalid:
        await expect(page.locator("#id_number")).to_have_attribute("aria-invalid", "true")
        assert await page.evaluate("document.activeElement.id") == "id_number"
    else:
        await expect(page.locator("#id_number")).not_to_have_attribute("aria-invalid", "true")
    said = await page.inner_text("#pick-error")
    digits = number[:17]
    assert not any(digits[i : i + 6] in said for i in range(len(digits) - 5)), said


async def nothing_keeps(page: Page, number: str) -> None:
    """The number is nowhere on the page, in its address, its inputs or the browser's storage."""
    html = await page.content()
    values = await page.eval_on_selector_all("input", "els => els.map(e => e.value).join(' ')")
    stored = await page.evaluate(
        "JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
    )
    for where in (html, values, stored, page.url):
        assert number not in where
        assert number.lower() not in where


async def typed(page: Page, text: str) -> None:
    await page.fill("#id_number", "")
    await page.focus("#id_number")
    await page.keyboard.type(text)


async def test_a_real_name_booking_in_chinese(api: Api, browser: Browser) -> None:
    errors: list[str] = []
    await enable_booking(api, ("A", "B"))
    await make_real_name(api, "B", 1)
    slot = (await slots(api, service="B", later_than=SOON))[0]
    page = await phone(browser, api, errors)
    await expect(page.locator(choice("services", "B") + " .c-sub")).to_contain_text("实名预约")
    await expect(page.locator("#id-row")).to_be_hidden()
    await page.tap(choice("services", "A"))  # A is not real-name: no ID asked
    await expect(page.locator("#services input[value='A']")).to_be_checked()
    await expect(page.locator("#id-row")).to_be_hidden()
    await pick_slot(page, slot)
    await expect(page.locator("#id-row")).to_be_visible()
    await expect(page.locator("#id-label")).to_have_text("身份证号（必填）")
    await expect(page.locator("#details-title")).to_have_text("实名信息")
    await expect(page.locator("#id-checkin")).to_have_text(
        "到大厅后，可在取号机上刷同一张身份证签到，也可扫描预约码。"
    )
    assert await page.get_attribute("#id_number", "inputmode") == "numeric"
    assert await page.get_attribute("#id_number", "autocomplete") == "off"
    assert await page.get_attribute("#id_number", "name") is None  # never in a form's URL

    number = ends_in_x()
    await page.tap("#book")  # nothing typed
    await refused(page, "请填写身份证号。", number)
    await typed(page, number[:17])
    await page.tap("#book")
    await refused(page, "身份证号应为 18 位，现在是 17 位，请核对。", number)
    await typed(page, number[:6] + "19801332" + number[14:])
    await page.tap("#book")
    await refused(page, "身份证号中的出生日期（第 7–14 位）不是有效日期，请核对。", number)
    await typed(page, wrong_check(number))
    await page.tap("#book")
    await refused(
        page, "身份证号的最后一位（校验码）与前 17 位对不上，请逐位核对后重新输入。", number
    )
    await typed(page, "0" + number[1:])
    await page.tap("#book")
    await refused(
        page, "身份证号的格式不对：前 17 位应为数字（第 1 位不是 0），最后一位是数字或 X。", number
    )
    status, _ = await book_by_api(api, slot["start"], number)  # nothing was sent: still free
    assert status == 201, "the page's refusals sent nothing (the person's first booking)"
    # the person holds their one booking of that day now: the page's try is the server's 409
    await typed(page, number[:17])
    await page.tap("#id-x")  # the keypad has no X: the page's key types it
    assert await page.input_value("#id_number") == number
    await page.tap("#book")
    await refused(
        page,
        "这项业务每人每天最多预约 1 次，这个身份证号在这一天已约满，请另选日期。",
        number,
        invalid=False,
    )
    other = id_number(88, "19900615")
    await typed(page, other[:6] + " " + other[6:14] + " " + other[14:])  # spaces: read as typed
    await page.tap("#book")
    await page.wait_for_selector("#booking", state="visible")
    await expect(page.locator("#b-status")).to_have_text("已预约")
    await expect(page.locator("#b-id-note")).to_have_text(
        "也可在取号机上刷预约时填写的那张身份证签到。"
    )
    for n in (number, other):
        await nothing_keeps(page, n)
    status, answer = await book_by_api(api, slot["start"], other)
    assert (status, answer["error"]["code"]) == (409, "person_limit_reached"), answer
    assert answer["error"]["limit"] == 1
    await page.reload()  # /a/{id}: the booking again, and the note
    await expect(page.locator("#b-id-note")).to_be_visible()
    await nothing_keeps(page, other)
    assert not errors, errors


async def test_a_real_name_booking_in_english_by_keyboard(api: Api, browser: Browser) -> None:
    errors: list[str] = []
    await enable_booking(api, ("B",), capacity=4)  # one bookable service: chosen already
    await make_real_name(api, "B", 2)
    listed = await slots(api, service="B", later_than=SOON)
    slot = listed[0]
    number = id_number(41, "19670228")
    for _ in range(2):
        status, answer = await book_by_api(api, slot["start"], number)
        assert status == 201, answer
    page = await phone(browser, api, errors, "?lang=en")
    await expect(page.locator("#services input[value='B']")).to_be_checked()
    await expect(page.locator("#id-label")).to_have_text("ID number (required)")
    await typed(page, number)
    await page.goto(api.base + "/")  # left, then back: the number typed is gone
    await page.go_back()
    await page.wait_for_selector("#id-row:not([hidden])")
    assert await page.input_value("#id_number") == ""
    await nothing_keeps(page, number)
    await page.focus(choice("days", slot["start"][:10]) + " input")
    await page.keyboard.press("Space")
    await page.wait_for_selector("#slots input:not([disabled])")
    await page.focus(choice("slots", slot["start"]) + " input")
    await page.keyboard.press("Space")
    await expect(page.locator(choice("slots", slot["start"]) + " input")).to_be_checked()
    await page.focus("#id_number")
    await page.keyboard.type(number[:16])
    await page.keyboard.press("Enter")  # Enter in the field books: refused here first
    await refused(page, "An ID number has 18 characters; this one has 16: please check it.", number)
    await page.keyboard.type(number[16:])
    await page.keyboard.press("Enter")
    await refused(
        page,
        "One person may book this service 2 times a day, and this ID number has no bookings "
        "left that day: please choose another day.",
        number,
        invalid=False,
    )
    await typed(page, wrong_check(number))
    await page.keyboard.press("Enter")
    await refused(
        page,
        "The last character (the check character) does not match the first 17: please check "
        "each one and type it again.",
        number,
    )
    x_number = ends_in_x()
    await typed(page, x_number[:17] + "x")  # a small x is read as X
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#booking", state="visible")
    await expect(page.locator("#b-status")).to_have_text("Booked")
    await expect(page.locator("#b-id-note")).to_have_text(
        "You can also check in at the kiosk with the ID card this booking was made with."
    )
    await nothing_keeps(page, x_number)
    assert not errors, errors


async def test_the_servers_refusals_in_words(api: Api, browser: Browser) -> None:
    """The server's own 422 (the service made real-name after the page was read: the page asks
    for the ID now) and 400 bad_id_number (the number changed on its way, as a page older than
    the server's rules would send it: the real server refuses it and says why)."""
    errors: list[str] = []
    await enable_booking(api, ("A", "B"))
    slot = (await slots(api, service="B", later_than=SOON))[0]
    page = await phone(browser, api, errors)
    await pick_slot(page, slot, tap=False)
    await expect(page.locator("#id-row")).to_be_hidden()
    await make_real_name(api, "B", 1)
    await page.click("#book")  # no ID sent: 422 field_required, field id_number
    await refused(page, "请填写身份证号。", "")
    await expect(page.locator("#id-row")).to_be_visible()

    sent: list[str] = []
    bad = {"check_character": wrong_check(id_number(5)), "birth_date": id_number(5, "20991231")}
    reason = "check_character"

    async def change_it(route: Route, request: Request) -> None:
        body = request.post_data_json
        sent.append(body["id_number"])
        body["id_number"] = bad[reason]
        await route.continue_(post_data=json.dumps(body))

    await page.route("**/api/v1/halls/demo/appointments", change_it)
    number = id_number(6)
    await typed(page, number)
    await page.click("#book")
    await refused(
        page, "身份证号的最后一位（校验码）与前 17 位对不上，请逐位核对后重新输入。", number
    )
    await page.click("#lang")
    await expect(page.locator("#pick-error")).to_have_text(
        "The last character (the check character) does not match the first 17: please check "
        "each one and type it again."
    )
    reason = "birth_date"
    await page.click("#book")
    await refused(
        page,
        "The date of birth in the ID number (characters 7–14) is not a real date: please check it.",
        number,
    )
    assert sent == [number, number]
    await page.unroute("**/api/v1/halls/demo/appointments")
    await page.click("#book")
    await page.wait_for_selector("#booking", state="visible")
    await nothing_keeps(page, number)
    assert not errors, errors
