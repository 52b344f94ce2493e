"""Appointments in a real browser (headless Chromium) against a real server (SQLite: the pages
are under test): booking on the phone page (zh, en, by keyboard, a full slot disabled, cancel),
check-in at the kiosk (typed on its keyboard, scanned onto the start screen, on time → a booked
ticket ahead of the walk-ins, too early under 'refuse' → the message and nothing changed), the
staff console's and the dashboard's panels live, and the screens ignoring appointment events."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from ..booking import SOON, book, enable_booking, slots
from ..browser import chromium_missing, launch, submit_login, wait_js
from ..helpers import Api

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
}  # fmt: skip
KIOSK = {"viewport": {"width": 1920, "height": 1080}, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 768}}
WAIT_MS = 8000


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch() as b:
        yield b


async def open_page(browser: Browser, url: str, errors: list[str], **options: Any) -> Page:
    """The page at `url` in a fresh context; `errors` collects its script errors."""
    context = await browser.new_context(**{"locale": "zh-CN", **options})
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(url)
    return page


async def today_slots(
    api: Api, later_than: timedelta = timedelta(0), count: int = 1
) -> list[dict[str, Any]]:
    """Today's open slots starting at least `later_than` from now, at least `count` of them
    (the test skips near the hall's midnight, when today has fewer left)."""
    day = datetime.now(UTC).astimezone(_hall_zone()).date().isoformat()
    found = [s for s in await slots(api, day) if _at(s["start"]) >= datetime.now(UTC) + later_than]
    if len(found) < count:
        pytest.skip(f"{len(found)} of {count} slots left today in the hall's zone (midnight)")
    return found


def _hall_zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def _at(rfc3339: str) -> datetime:
    return datetime.fromisoformat(rfc3339)


def hhmm(rfc3339: str) -> str:
    return rfc3339[11:16]


async def appointment(api: Api, appointment_id: str) -> dict[str, Any]:
    status, body = await api.request("GET", f"/api/v1/appointments/{appointment_id}")
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def choice(group: str, value: str) -> str:
    return f"#{group} label[data-value='{value}']"


# ---- the phone's booking page ----


async def test_booking_on_a_phone_in_chinese_with_a_full_slot_disabled_then_cancel(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    await enable_booking(api, capacity=1)
    listed = await slots(api, later_than=SOON, at_least=2)
    full, free = listed[0], listed[1]
    await book(api, full["start"])  # its only place is taken
    page = await open_page(browser, f"{api.base}/halls/demo/book", errors, **PHONE)
    await expect(page.locator(".page-title")).to_have_text("预约办事")
    # one bookable service: chosen already
    await expect(page.locator("#services input[value='A']")).to_be_checked()
    await expect(page.locator(choice("services", "A"))).to_contain_text("不动产登记")
    day = full["start"][:10]
    await page.tap(choice("days", day))
    await expect(page.locator(choice("slots", full["start"]) + " input")).to_be_disabled()
    await expect(page.locator(choice("slots", full["start"]) + " .c-sub")).to_have_text("已约满")
    await expect(page.locator(choice("slots", free["start"]) + " .c-sub")).to_have_text("余 1 个")
    await expect(page.locator("#book")).to_be_disabled()
    await page.tap(choice("slots", full["start"]), force=True)  # a full slot cannot be chosen
    await expect(page.locator("#book")).to_be_disabled()
    await page.tap(choice("slots", free["start"]))
    await expect(page.locator("#summary")).to_contain_text(
        f"{hhmm(free['start'])}–{hhmm(free['end'])}"
    )
    await page.tap("#book")
    await page.wait_for_selector("#booking", state="visible")
    path = page.url.removeprefix(api.base).split("?")[0]
    assert re.fullmatch(r"/a/[A-Za-z0-9_-]{16,}", path), page.url
    stored = await appointment(api, path.removeprefix("/a/"))
    assert (stored["status"], stored["start"]) == ("booked", free["start"])
    await expect(page.locator("#b-code")).to_have_text(f"{stored['code'][:4]} {stored['code'][4:]}")
    await expect(page.locator("#b-status")).to_have_text("已预约")
    opens, closes = hhmm(stored["checkin_opens"]), hhmm(stored["checkin_closes"])
    await expect(page.locator("#b-window")).to_contain_text(
        f"请在 {opens}–{closes} 之间到取号机签到"
    )
    await wait_js(page, "document.querySelector('#b-qr').naturalWidth > 0")
    # cancel, after a confirmation
    await page.tap("#cancel")
    await expect(page.locator("#confirm-text")).to_contain_text(stored["code"][:4])
    await page.tap("#confirm-no")
    assert (await appointment(api, stored["id"]))["status"] == "booked"
    await page.tap("#cancel")
    await page.tap("#confirm-yes")
    await expect(page.locator("#b-status")).to_have_text("已取消")
    await expect(page.locator("#b-window")).to_have_text("预约已取消，名额已释放。")
    assert (await appointment(api, stored["id"]))["status"] == "cancelled"
    again = {s["start"]: s for s in await slots(api, day)}
    assert again[free["start"]]["free"] == 1, "cancelling freed the place"
    await page.reload()
    await expect(page.locator("#b-status")).to_have_text("已取消")
    assert await page.is_hidden("#cancel")
    await expect(page.locator("#book-another")).to_be_visible()
    assert not errors, errors


async def test_booking_in_english_by_keyboard_with_the_fields_the_hall_asks(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    await enable_booking(api, ("A", "B"), capacity=1,
                         fields={"name": "required", "phone": "optional"})  # fmt: skip
    listed = await slots(api, service="B")
    if len(listed) < 3:  # the first bookable day is today, and its midnight is near
        pytest.skip(f"{len(listed)} of 3 slots left on the first bookable day (midnight)")
    await book(api, listed[1]["start"], "B", name="王五")  # the second slot is full
    page = await open_page(browser, f"{api.base}/halls/demo/book?lang=en", errors, **PHONE)
    await expect(page.locator(".page-title")).to_have_text("Book an appointment")
    await page.wait_for_selector("#services input[value='B']")
    for _ in range(4):  # Tab from the top to the services' group
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.name === 'service'"):
            break
    await page.keyboard.press("ArrowDown")  # A → B, chosen as the arrow moves
    await expect(page.locator("#services input[value='B']")).to_be_checked()
    await page.wait_for_selector("#days input:not([disabled])")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Space")
    day = listed[0]["start"][:10]
    await expect(page.locator(choice("days", day) + " input")).to_be_checked()
    await page.wait_for_selector("#slots input")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Space")
    await expect(page.locator(choice("slots", listed[0]["start"]) + " input")).to_be_checked()
    await page.keyboard.press("ArrowRight")  # the full one is skipped
    await expect(page.locator(choice("slots", listed[2]["start"]) + " input")).to_be_checked()
    await expect(page.locator("#name-label")).to_have_text("Name (required)")
    await expect(page.locator("#phone-label")).to_have_text("Phone (optional)")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "name"
    await page.keyboard.press("Enter")  # no name yet
    await expect(page.locator("#pick-error")).to_have_text("Please fill in: Name.")
    assert await page.evaluate("document.activeElement.id") == "name"
    await page.keyboard.type("Li Lei")
    await page.keyboard.press("Tab")
    await page.keyboard.type("13812345678")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#booking", state="visible")
    await expect(page.locator("#b-status")).to_have_text("Booked")
    await expect(page.locator("#b-service")).to_have_text("Utility transfer · 水电气过户")
    person = await page.inner_text("#b-person")
    assert "Li Lei" not in person, "masked"
    assert "13812345678" not in person, "masked"
    assert "****" in person
    await expect(page.locator("#b-window")).to_contain_text("Check in at the kiosk between")
    await page.focus("#lang")
    await page.keyboard.press("Enter")
    await expect(page.locator("#b-label")).to_have_text("预约码")
    await expect(page.locator("#b-status")).to_have_text("已预约")
    assert "lang=zh" in page.url
    assert not errors, errors


async def test_the_booking_page_of_an_unknown_id_or_hall_is_a_404(api: Api) -> None:
    for path in ("/a/nosuchbooking", "/a/no%20such", "/halls/nosuch/book"):
        status, body = await api.request("GET", path)
        assert status == 404, (path, body)
    status, _ = await api.request("GET", "/a/nosuchbooking/qr.svg")
    assert status == 404


# ---- check-in at the kiosk ----


async def kiosk_page(browser: Browser, api: Api, errors: list[str], query: str = "") -> Page:
    page = await open_page(browser, f"{api.base}/halls/demo/kiosk{query}", errors, **KIOSK)
    await page.wait_for_selector("#checkin-entry", state="visible")
    return page


async def test_check_in_typed_on_the_kiosk_gets_a_booked_ticket_ahead_of_the_walk_ins(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    await enable_booking(api, order="first")
    walk_ins = [await api.issue("A") for _ in range(2)]
    await api.staff(1)  # a staffed window serves A: the estimate is a figure, not "no window"
    slot = (await today_slots(api))[0]
    booked = await book(api, slot["start"])
    page = await kiosk_page(browser, api, errors)
    await expect(page.locator("#checkin-entry .title")).to_have_text("我有预约")
    await page.tap("#checkin-entry")
    await page.wait_for_selector("#checkin", state="visible")
    assert await page.evaluate("document.activeElement.id") == "checkin-code"
    await expect(page.locator("#checkin-keys .key")).to_have_count(34)
    for char in booked["code"]:
        await page.tap(f"#checkin-keys .key[data-key='{char}']")
    await expect(page.locator("#checkin-code")).to_have_value(booked["code"])
    await expect(page.locator("#checkin-count")).to_have_text("8 / 8")
    await page.tap("#checkin-go")
    await page.wait_for_selector("#ticket", state="visible")
    number = await page.inner_text("#t-number")
    await expect(page.locator("#t-booked")).to_have_text(f"预约 {hhmm(slot['start'])}")
    assert await page.is_hidden("#t-checkin-note")
    await expect(page.locator("#t-ahead")).to_have_text("前面没有人")
    stored = await appointment(api, booked["id"])
    assert (stored["status"], stored["checkin_kind"]) == ("checked_in", "on_time")
    assert stored["ticket"]["number"] == number
    assert number not in [t["number"] for t in walk_ins]
    status, called = await api.window(1, "call-next")
    assert status == 200, called
    assert called["called"]["number"] == number, "the booked ticket is called before the walk-ins"
    assert called["called"]["booked"] is True
    # the booking's own page now links the ticket's
    phone = await open_page(browser, f"{api.base}/a/{booked['id']}", errors, **PHONE)
    await expect(phone.locator("#b-status")).to_have_text("已签到")
    link = phone.locator("#b-ticket")
    await expect(link).to_have_text(f"查看我的号码 {number}")
    await expect(link).to_have_attribute("href", f"/t/{stored['ticket']['id']}?lang=zh")
    assert await phone.is_hidden("#cancel")
    assert not errors, errors


async def test_early_under_walk_in_gets_a_normal_ticket_and_a_cancelled_booking_is_refused(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    await enable_booking(api, checkin_early_min=10)  # outside_window "walk_in", the default
    early, other = (await today_slots(api, later_than=timedelta(minutes=30), count=2))[:2]
    booked = await book(api, early["start"])
    cancelled = await book(api, other["start"])
    await api.request("POST", f"/api/v1/appointments/{cancelled['id']}/cancel")
    page = await kiosk_page(browser, api, errors)
    await page.keyboard.type(booked["code"])
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#ticket", state="visible")
    opens = (_at(early["start"]) - timedelta(minutes=10)).astimezone(_hall_zone()).strftime("%H:%M")
    await expect(page.locator("#t-checkin-note")).to_have_text(
        f"还没到签到时间（{opens} 开始），已按普通号为您排队"
    )
    assert await page.is_hidden("#t-booked"), "queued as a walk-in: not marked 预约"
    assert (await appointment(api, booked["id"]))["checkin_kind"] == "early_walk_in"
    await page.tap("#done")
    await page.wait_for_selector("#start", state="visible")
    await page.keyboard.type(cancelled["code"])
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#checkin-msg", state="visible")
    await expect(page.locator("#checkin-msg-reason")).to_have_text(
        "这个预约已取消。如仍需办理，请返回取普通号。"
    )
    assert not errors, errors


async def test_a_scanner_typing_onto_the_start_screen_checks_in_and_a_second_scan_reprints_nothing(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    await enable_booking(api)
    slot = (await today_slots(api))[0]
    booked = await book(api, slot["start"])
    page = await kiosk_page(browser, api, errors, "?lang=en")
    await expect(page.locator("#checkin-entry .title")).to_have_text("I have an appointment")
    await page.keyboard.type(booked["code"])  # a keyboard-wedge scanner: the code, then Enter
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#ticket", state="visible")
    number = await page.inner_text("#t-number")
    await expect(page.locator("#t-booked")).to_have_text(f"Appointment {hhmm(slot['start'])}")
    tickets = len(await api.day_tickets())
    # scanned again while its ticket is still on screen (no need to wait for the countdown)
    await page.keyboard.type(f"{booked['code'][:4].lower()}-{booked['code'][4:]}")
    await page.wait_for_selector("#checkin", state="visible")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#ticket", state="visible")
    await expect(page.locator("#t-number")).to_have_text(number)
    await expect(page.locator("#t-checkin-note")).to_have_text(
        "You had already checked in: this is your number"
    )
    assert len(await api.day_tickets()) == tickets, "the second scan made no ticket"
    assert not errors, errors


async def test_too_early_under_refuse_says_when_and_changes_nothing(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    await enable_booking(api, outside_window="refuse", checkin_early_min=10)
    slot = (await today_slots(api, later_than=timedelta(minutes=30)))[0]
    booked = await book(api, slot["start"])
    tickets, seq = await api.day_tickets(), (await api.hall())["seq"]
    page = await kiosk_page(browser, api, errors)
    await page.tap("#checkin-entry")
    await page.keyboard.type(booked["code"])
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#checkin-msg", state="visible")
    opens = (_at(slot["start"]) - timedelta(minutes=10)).astimezone(_hall_zone()).strftime("%H:%M")
    await expect(page.locator("#checkin-msg-title")).to_have_text("未能签到")
    await expect(page.locator("#checkin-msg-reason")).to_have_text(
        f"还没到签到时间，请在 {opens} 之后签到。如现在办理，请返回取普通号。"
    )
    await page.tap(".lang button[data-lang='en']")
    await expect(page.locator("#checkin-msg-reason")).to_contain_text(f"check-in opens at {opens}")
    assert (await appointment(api, booked["id"]))["status"] == "booked"
    assert await api.day_tickets() == tickets, "no ticket"
    assert (await api.hall())["seq"] == seq, "no event"
    # back (to the kiosk's own language), then a code nobody booked, then one too short: said
    # on the entry screen
    await page.tap("#checkin-ok")
    await page.wait_for_selector("#start", state="visible")
    await page.tap("#checkin-entry")
    await page.keyboard.type("ZZZZ2222")
    await page.keyboard.press("Enter")
    await expect(page.locator("#checkin-error")).to_have_text(
        "没有找到这个预约码，请核对后重新输入"
    )
    assert await page.is_visible("#checkin")
    await page.tap("#checkin-keys .key[data-key='checkin_clear']")
    await page.keyboard.type("abc")
    await page.keyboard.press("Enter")
    await expect(page.locator("#checkin-error")).to_have_text("预约码是8位，请输入完整")
    await page.keyboard.press("Escape")
    await page.wait_for_selector("#start", state="visible")
    assert not errors, errors


# ---- the staff console and the dashboard ----


async def test_the_staff_and_dashboard_panels_show_the_days_bookings_live(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    await enable_booking(api)
    first, second = (await today_slots(api, count=2))[:2]
    a1 = await book(api, first["start"])
    staff = await open_page(browser, f"{api.base}/halls/demo/staff", errors, **DESK)
    await submit_login(staff, "w1")
    await staff.click(".window-button[data-window='1']")
    await staff.wait_for_selector("#desk-view[data-window='1'][data-loaded='true']")
    await staff.wait_for_selector("#desk-appts", state="visible")
    await expect(staff.locator("#desk-appts-title")).to_have_text("今日预约")
    row = staff.locator(f"#desk-appts-list li[data-code='{a1['code']}']")
    await expect(row.locator(".state")).to_have_text("待签到")
    await expect(row.locator(".slot")).to_have_text(hhmm(first["start"]))
    dash = await open_page(browser, f"{api.base}/halls/demo/dashboard", errors, **DESK)
    await submit_login(dash, "manager")
    await dash.wait_for_selector("#appts", state="visible")
    booked_tile = dash.locator("#appts-summary [data-key='booked'] .big")
    await expect(booked_tile).to_have_text("1")

    a2 = await book(api, second["start"])  # live: no reload
    await expect(staff.locator(f"#desk-appts-list li[data-code='{a2['code']}']")).to_be_visible()
    await expect(booked_tile).to_have_text("2")
    status, checked = await api.request("POST", "/api/v1/halls/demo/checkin", {"code": a1["code"]})
    assert status == 201, checked
    number = checked["ticket"]["number"]
    await expect(row.locator(".state")).to_have_text("已签到 · 准时")
    await expect(row.locator(".tno")).to_have_text(f"号 {number}")
    await expect(dash.locator("#appts-summary [data-key='checked_in'] .big")).to_have_text("1")
    mark = staff.locator(f"#queue-list li[data-number='{number}'] .booked")
    await expect(mark).to_have_text(f"预约 {hhmm(first['start'])}")
    status, body = await api.request("POST", f"/api/v1/appointments/{a2['id']}/cancel")
    assert status == 200, body
    row2 = staff.locator(f"#desk-appts-list li[data-code='{a2['code']}']")
    await expect(row2.locator(".state")).to_have_text("已取消")
    await expect(dash.locator("#appts-summary [data-key='cancelled'] .big")).to_have_text("1")
    await expect(staff.locator("#desk-appts-counts [data-field='checked_in']")).to_have_text("1")
    await expect(dash.locator(f"#appts-list li[data-code='{a1['code']}'] .state")).to_have_text(
        "已签到 · 准时"
    )
    await staff.click(".lang button[data-lang='en']")
    await expect(staff.locator("#desk-appts-title")).to_have_text("Today's appointments")
    await expect(row.locator(".state")).to_have_text("Checked in · on time")
    assert not errors, errors


async def test_the_lobby_and_window_screens_ignore_appointment_events(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    await enable_booking(api)
    lobby = await open_page(browser, f"{api.base}/halls/demo/display", errors,
                            viewport={"width": 1280, "height": 720})  # fmt: skip
    window = await open_page(browser, f"{api.base}/halls/demo/windows/1/display", errors,
                             viewport={"width": 1280, "height": 720})  # fmt: skip
    slot = (await today_slots(api))[0]
    booked = await book(api, slot["start"])
    cancelled = await book(api, slot["start"])
    await api.request("POST", f"/api/v1/appointments/{cancelled['id']}/cancel")
    status, checked = await api.request(
        "POST", "/api/v1/halls/demo/checkin", {"code": booked["code"]}
    )
    assert status == 201, checked
    status, called = await api.window(1, "call-next")
    assert status == 200, called
    number = called["called"]["number"]
    for page in (lobby, window):
        await wait_js(page, "n => document.body.innerText.includes(n)", arg=number, timeout=WAIT_MS)
        text = await page.inner_text("body")
        assert booked["code"] not in text
        assert cancelled["code"] not in text
    assert not errors, errors


# ---- the settings page ----


async def test_the_settings_page_edits_the_booking_policy_and_a_services_booking(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    await enable_booking(api)
    page = await open_page(browser, f"{api.base}/halls/demo/settings", errors, **DESK)
    await submit_login(page, "manager")
    await page.click("#tab-booking")
    await page.wait_for_selector("#panel-booking .booking-policy")
    await expect(page.locator("#tab-booking")).to_have_text("预约")
    facts = page.locator("#panel-booking .facts")
    await expect(facts.locator("[data-key='enabled'] dd")).to_have_text("开放")
    window = facts.locator("[data-key='window'] dd")
    await expect(window).to_have_text("开始前 30 分钟至开始后 15 分钟")
    await page.click("#edit-booking")
    editor = page.locator("#editor")
    await editor.locator("[data-field='checkin_early_min'] input").fill("20")
    await editor.locator("[data-field='outside_window'] select").select_option("refuse")
    await editor.locator("[data-field='fields.phone'] select").select_option("required")
    await editor.locator("button[type=submit]").click()
    await page.wait_for_selector("#editor", state="hidden")
    await expect(facts.locator("[data-key='outside'] dd")).to_have_text("不予签到")
    status, policy = await api.request("GET", "/api/v1/halls/demo/booking")
    assert status == 200, policy
    assert (policy["checkin_early_min"], policy["outside_window"]) == (20, "refuse")
    assert policy["fields"] == {"name": "off", "phone": "required"}
    # a service's booking: a refused value is said next to its field and changes nothing
    await page.click("#panel-booking tr[data-code='A'] button")
    await editor.locator("[data-field='capacity'] input").fill("500")
    await editor.locator("button[type=submit]").click()
    error = editor.locator("[data-field='capacity'] .field-error")
    await expect(error).to_be_visible()
    assert await page.evaluate("document.activeElement.dataset.field") == "capacity"
    status, policy = await api.request("GET", "/api/v1/halls/demo/booking")
    assert next(s for s in policy["services"] if s["service"] == "A")["capacity"] == 2
    await editor.locator("[data-field='capacity'] input").fill("3")
    await editor.locator("[data-field='slot_min'] input").fill("20")
    await editor.locator("input[value='null']").check()  # the service's own hours
    await editor.locator("button[type=submit]").click()
    await page.wait_for_selector("#editor", state="hidden")
    row = page.locator("#panel-booking tr[data-code='A']")
    await expect(row.locator("td.hours-cell")).to_have_text("同业务的取号时间")
    status, policy = await api.request("GET", "/api/v1/halls/demo/booking")
    a = next(s for s in policy["services"] if s["service"] == "A")
    assert (a["capacity"], a["slot_min"], a["hours"]) == (3, 20, None)
    await page.click(".lang button[data-lang='en']")
    await expect(page.locator("#tab-booking")).to_have_text("Appointments")
    await expect(facts.locator("[data-key='outside'] dd")).to_have_text("Refused")
    assert not errors, errors


async def test_a_hall_that_takes_no_bookings_says_so_and_its_kiosk_has_no_check_in(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    token = await api.login("manager")
    status, body = await api.request(
        "PATCH", "/api/v1/halls/demo/booking", {"enabled": False}, token=token
    )
    assert status == 200, body
    page = await open_page(browser, f"{api.base}/halls/demo/book?lang=en", errors, **PHONE)
    await expect(page.locator("#closed")).to_be_visible()
    await expect(page.locator(".closed-title")).to_have_text("This hall takes no bookings yet")
    assert await page.is_hidden("#pick")
    kiosk = await open_page(browser, f"{api.base}/halls/demo/kiosk", errors, **KIOSK)
    await kiosk.wait_for_selector(".service[data-code='A']")
    await kiosk.wait_for_timeout(500)
    assert await kiosk.is_hidden("#checkin-entry")
    await kiosk.keyboard.type("ABCD2345")  # typing on the start screen opens nothing
    assert await kiosk.is_hidden("#checkin")
    assert not errors, errors


async def test_a_lost_reply_to_a_booking_is_retried_with_the_same_key(
    api: Api, browser: Browser
) -> None:
    """The server books but its reply never reaches the phone: the page asks again with the
    same Idempotency-Key and shows the one booking made."""
    errors: list[str] = []
    await enable_booking(api)
    listed = await slots(api, later_than=SOON)
    page = await open_page(browser, f"{api.base}/halls/demo/book", errors, **PHONE)
    seen: list[tuple[str, dict[str, Any]]] = []

    async def lose_the_first_reply(route: Any) -> None:
        response = await route.fetch()
        seen.append((route.request.headers["idempotency-key"], await response.json()))
        if len(seen) == 1:
            await route.abort("connectionreset")
        else:
            await route.fulfill(response=response)

    await page.route("**/api/v1/halls/demo/appointments", lose_the_first_reply)
    await page.tap(choice("days", listed[0]["start"][:10]))
    await page.tap(choice("slots", listed[0]["start"]))
    await page.tap("#book")
    await page.wait_for_selector("#booking", state="visible")
    (key1, first), (key2, second) = seen
    assert key1 == key2
    assert first["id"] == second["id"]
    await expect(page.locator("#b-code")).to_have_text(f"{first['code'][:4]} {first['code'][4:]}")
    again = {s["start"]: s for s in await slots(api, listed[0]["start"][:10])}
    assert again[listed[0]["start"]]["booked"] == 1, "one booking, not two"
    assert not errors, errors
