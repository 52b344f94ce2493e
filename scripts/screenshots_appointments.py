#!/usr/bin/env python3
"""Screenshots of appointments for docs/appointments.md: booking on a phone (zh, en, the booking
with its code and QR code), check-in at the kiosk (the start with 我有预约, the code's keyboard,
the booked ticket and its 80 mm slip, too early), the staff console's 今日预约 and the dashboard's
appointments panel, the settings page's booking tab, and the booking form of a real-name service
(实名取号) asking for the ID number (zh; en with a mistyped one refused).

Runs a demo server in this process on a temporary SQLite file (services A and B take bookings,
15-minute slots all day) and shoots each page with Debian's Chromium through Playwright:

    .venv/bin/python scripts/screenshots_appointments.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.booking import book, enable_booking, slots  # noqa: E402
from tests.browser import launch, submit_login, wait_js  # noqa: E402
from tests.helpers import Api, running_app  # noqa: E402

from callnext.domain.identity import check_character  # noqa: E402
from callnext.runtime.config import Settings  # noqa: E402

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NO_PRINT_DIALOG = "window.print = () => {};"  # headless: the slip is shot, not printed
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
    "has_touch": True, "locale": "zh-CN",
}  # fmt: skip


async def save(page: Page, path: Path, full_page: bool = False) -> None:
    await page.wait_for_timeout(400)
    await page.screenshot(path=path, animations="disabled", full_page=full_page)
    print(f"wrote {path}")


async def a_day_of_bookings(api: Api) -> list[dict[str, Any]]:
    """Walk-ins waiting, and today's bookings: some checked in, one cancelled, some to come."""
    await enable_booking(api, ("A", "B"), capacity=2, order="first",
                         fields={"name": "optional", "phone": "off"})  # fmt: skip
    token = await api.login("manager")
    hour = datetime.now(ZoneInfo((await api.hall())["timezone"])).hour  # a few hours from now
    hours = {day: [f"{hour:02d}:00-{min(hour + 3, 24):02d}:00"] for day in WEEKDAYS}
    for code in ("A", "B"):
        booking = {"enabled": True, "slot_min": 15, "capacity": 2, "days_ahead": 3, "hours": hours}
        path = f"/api/v1/halls/demo/services/{code}/booking"
        status, body = await api.request("PUT", path, booking, token=token)
        assert status == 200, body
    for service in ("A", "A", "B", "A"):
        await api.issue(service)
    today = await slots(api, None, "A")
    made = [await book(api, s["start"], "A", name="张三") for s in today[:4]]
    made += [await book(api, today[0]["start"], "A")]  # the first slot is full now
    made += [await book(api, s["start"], "B") for s in (await slots(api, None, "B"))[1:3]]
    for a in (made[0], made[5]):
        await check_in(api, a)
    status, body = await api.request("POST", f"/api/v1/appointments/{made[3]['id']}/cancel")
    assert status == 200, body
    status, body = await api.window(3, "call-next")  # the booked ticket first (order "first")
    assert status == 200, body
    await check_in(api, made[1])  # waiting, ahead of the walk-ins: marked in the desks' queues
    return made


async def check_in(api: Api, appointment: dict[str, Any]) -> None:
    code = {"code": appointment["code"]}
    status, body = await api.request("POST", "/api/v1/halls/demo/checkin", code)
    assert status == 201, body


async def shoot_phone(browser: Browser, api: Api, out: Path) -> None:
    context = await browser.new_context(**PHONE)
    for lang in ("zh", "en"):
        page = await context.new_page()
        await page.goto(f"{api.base}/halls/demo/book?lang={lang}")
        await page.click("#services label[data-value='A']")
        await page.click("#days label:not(.full)")
        await page.click("#slots label:not(.full) >> nth=1")
        if lang == "zh":  # the chosen slot in sight, its confirm stuck to the screen's foot
            await page.wait_for_timeout(300)
            await page.screenshot(path=out / "phone-book-chosen-zh.png", animations="disabled")
            print(f"wrote {out / 'phone-book-chosen-zh.png'}")
        await page.fill("#name", "李四" if lang == "zh" else "Li Si")
        await save(page, out / f"phone-book-{lang}.png", full_page=True)
        if lang == "zh":
            await page.click("#book")
            await wait_js(page, "document.querySelector('#b-qr').naturalWidth > 0")
            await save(page, out / "phone-booked-zh.png", full_page=True)
        await page.close()
    await context.close()


async def shoot_real_name(browser: Browser, api: Api, out: Path) -> None:
    """B booked by real name: the form asks for the ID number; in English a number one digit
    short is refused (the number made up for the picture)."""
    token = await api.login("manager")
    body = {"services": {"B": {"real_name": True, "person_daily_limit": 1}}}
    status, answer = await api.request("PATCH", "/api/v1/halls/demo/settings", body, token=token)
    assert status == 200, answer
    context = await browser.new_context(**PHONE)
    for lang in ("zh", "en"):
        page = await context.new_page()
        await page.goto(f"{api.base}/halls/demo/book?lang={lang}")
        await page.click("#services label[data-value='B']")
        await page.click("#days label:not(.full)")
        await page.click("#slots label:not(.full) >> nth=1")
        if lang == "en":
            first17 = "33010619850612004"
            await page.fill("#id_number", (first17 + check_character(first17))[:17])
            await page.click("#book")
            await page.wait_for_selector("#pick-error:not([hidden])")
        await page.evaluate("document.getElementById('id-row').scrollIntoView({block: 'center'})")
        await save(page, out / f"phone-book-real-name-{lang}.png")
        await page.close()
    await context.close()


async def kiosk(browser: Browser, api: Api, size: tuple[int, int], query: str = "") -> Page:
    page = await browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.on("pageerror", lambda e: print("page error:", e))
    await page.add_init_script(NO_PRINT_DIALOG)
    await page.goto(f"{api.base}/halls/demo/kiosk{query}")
    await page.wait_for_selector("#checkin-entry:not([hidden])")
    return page


async def shoot_kiosk(browser: Browser, api: Api, out: Path) -> None:
    page = await kiosk(browser, api, (1920, 1080))
    await save(page, out / "kiosk-booking-start-zh-1920x1080.png")
    await page.click("#checkin-entry")
    await page.keyboard.type("7KQ4M2XD")
    await save(page, out / "kiosk-checkin-zh-1920x1080.png")
    await page.close()
    page = await kiosk(browser, api, (1080, 1920), "?lang=en")
    await page.click("#checkin-entry")
    await page.keyboard.type("7KQ4M2")
    await save(page, out / "kiosk-checkin-en-1080x1920.png")
    await page.close()
    fresh = await book(api, (await slots(api, None, "A"))[1]["start"], "A")
    page = await kiosk(browser, api, (1080, 1920), "?print=browser")
    await page.keyboard.type(fresh["code"])
    await page.keyboard.press("Enter")
    await wait_js(page, "document.getElementById('s-qr').complete")
    await save(page, out / "kiosk-checkin-ticket-zh-1080x1920.png")
    await page.emulate_media(media="print")
    await page.set_viewport_size({"width": 302, "height": 1200})  # 80 mm at 96 dpi
    await page.locator("#slip").screenshot(path=out / "kiosk-print-booked-80mm.png")
    print(f"wrote {out / 'kiosk-print-booked-80mm.png'}")
    await page.close()
    token = await api.login("manager")
    await api.request("PATCH", "/api/v1/halls/demo/booking", {"outside_window": "refuse"},
                      token=token)  # fmt: skip
    later = await book(api, (await slots(api, None, "A"))[-1]["start"], "A")
    page = await kiosk(browser, api, (1920, 1080))
    await page.keyboard.type(later["code"])
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#checkin-msg:not([hidden])")
    await save(page, out / "kiosk-checkin-too-early-zh-1920x1080.png")
    await page.close()


async def logged_in(browser: Browser, api: Api, path: str, user: str, lang: str) -> Page:
    page = await browser.new_page(viewport={"width": 1366, "height": 768})
    page.on("pageerror", lambda e: print("page error:", e))
    await page.goto(f"{api.base}/halls/demo/{path}?lang={lang}")
    await page.wait_for_selector("#login-view:not([hidden])")
    await submit_login(page, user)
    return page


async def shoot_staff_and_dashboard(browser: Browser, api: Api, out: Path) -> None:
    for lang, n in (("zh", 1), ("en", 2)):
        page = await logged_in(browser, api, "staff", f"w{n}", lang)
        await page.click(f".window-button[data-window='{n}']")
        await page.wait_for_selector("#desk-appts:not([hidden]) .appt-list li")
        await save(page, out / f"staff-appointments-{lang}-1366x768.png")
        await page.close()
    page = await logged_in(browser, api, "staff", "manager", "zh")
    await page.wait_for_selector("#ov-appts:not([hidden]) .appt-list li")
    await page.locator("#ov-appts").scroll_into_view_if_needed()
    await save(page, out / "staff-overview-appointments-zh-1366x768.png")
    await page.close()
    for lang in ("zh", "en"):
        page = await logged_in(browser, api, "dashboard", "manager", lang)
        await page.wait_for_selector("#appts:not([hidden]) #appts-list li")
        await page.wait_for_timeout(600)
        path = out / f"dashboard-appointments-{lang}-1366.png"
        await page.locator("#appts").screenshot(path=path)
        print(f"wrote {path}")
        await page.close()


async def shoot_settings(browser: Browser, api: Api, out: Path) -> None:
    for lang in ("zh", "en"):
        page = await logged_in(browser, api, "settings", "manager", lang)
        await page.click("#tab-booking")
        await page.wait_for_selector("#panel-booking .booking-policy")
        await save(page, out / f"settings-booking-{lang}-1366x768.png")
        if lang == "zh":
            await page.click("#panel-booking tr[data-code='A'] button")
            await page.wait_for_selector("#editor[open]")
            await save(page, out / "settings-booking-service-zh-1366x768.png")
        await page.close()


async def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            db_url=f"sqlite:///{tmp}/demo.db", demo=True, demo_all_day=True, rate_limits=None
        )
        async with running_app(settings) as api, launch(full=True) as browser:
            await a_day_of_bookings(api)
            await shoot_phone(browser, api, out)
            await shoot_staff_and_dashboard(browser, api, out)
            await shoot_settings(browser, api, out)
            await shoot_kiosk(browser, api, out)
            await shoot_real_name(browser, api, out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(out))
