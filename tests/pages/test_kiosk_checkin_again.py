"""A second check-in of the same booking at a kiosk that prints: while its ticket waits, the
slip is printed again and the kiosk says so (a kiosk that prints nothing shows the number);
once it is called, the kiosk shows the ticket's window and prints nothing. Over the API, an
ESC/POS kiosk prints again for a new check-in but not for a retry of the same request (its
Idempotency-Key). SQLite only."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from ..api.test_kiosk_printing import FakePrinter
from ..booking import book, enable_booking
from ..browser import chromium_missing, launch, text, wait_js
from ..helpers import Api
from .test_appointment_pages import KIOSK, today_slots
from .test_kiosk_page import COUNT_PRINTS, put_kiosk

pytestmark = [pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
CHECKIN = "/api/v1/halls/demo/checkin"


async def checkin(api: Api, code: str, key: str) -> tuple[int, dict[str, object]]:
    return await api.request("POST", CHECKIN, {"code": code, "kiosk": "K2"},
                             headers={"Idempotency-Key": key})  # fmt: skip


async def test_an_escpos_kiosk_reprints_for_a_new_check_in_not_for_a_retry(api: Api) -> None:
    printer = FakePrinter()
    await printer.start()
    try:
        await put_kiosk(api, "K2", {"name": "侧门", "print": "escpos", "printer": printer.url})
        await enable_booking(api)
        booked = await book(api, (await today_slots(api))[0]["start"])
        answers = [await checkin(api, booked["code"], key) for key in ("k1", "k1", "k2", "k2")]
        assert [(s, b["ticket"]["print"]["status"]) for s, b in answers] == [  # type: ignore[index]
            (201, "printed"), (200, "not_again"), (200, "printed"), (200, "not_again"),
        ]  # fmt: skip
        assert len(printer.jobs) == 2
        number = answers[0][1]["ticket"]["number"]  # type: ignore[index]
        assert all(str(number).encode() in job for job in printer.jobs)
        assert len(await api.day_tickets()) == 1
        await api.staff(1)
        assert (await api.window(1, "call-next"))[0] == 200
        status, called = await checkin(api, booked["code"], "k3")
        assert (status, called["ticket"]["print"]["status"]) == (200, "not_again")  # type: ignore[index]
        assert len(printer.jobs) == 2  # called: no slip
    finally:
        await printer.stop()


@pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")
async def test_a_second_check_in_reprints_the_slip_then_shows_the_window(api: Api) -> None:
    await put_kiosk(api, "K1", {"name": "门口", "print": "browser"})
    await enable_booking(api)
    booked = await book(api, (await today_slots(api))[0]["start"])
    errors: list[str] = []
    async with launch() as browser:
        context = await browser.new_context(**KIOSK)  # type: ignore[arg-type]
        await context.add_init_script(COUNT_PRINTS)
        page = await context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        await page.goto(f"{api.base}/halls/demo/kiosk?kiosk=K1")
        await page.wait_for_selector("#checkin-entry", state="visible")

        async def scan() -> None:
            """A keyboard-wedge scanner: the code onto whatever screen is up, then Enter."""
            await page.keyboard.type(booked["code"])
            await page.wait_for_selector("#checkin", state="visible")
            await page.keyboard.press("Enter")
            await page.wait_for_selector("#ticket", state="visible")

        await scan()
        await wait_js(page, "window.__prints.length === 1", timeout=10_000)
        number = await text(page, "#t-number")
        assert await text(page, "#t-print") == "请取走号票"
        await scan()
        await wait_js(page, "window.__prints.length === 2", timeout=10_000)
        assert await page.evaluate("window.__prints") == [number, number]
        await expect(page.locator("#t-checkin-note")).to_have_text("您已签到过，已为您补打号票")
        assert await text(page, "#t-print") == "已补打号票，请取走"

        await api.staff(2)
        status, body = await api.window(2, "call-next")
        assert (status, body["called"]["number"]) == (200, number)
        await scan()
        await expect(page.locator("#t-checkin-note")).to_have_text(
            "您已签到过，您的号已叫到，请到 2 号窗口"
        )
        assert await page.is_hidden("#t-print")
        assert await page.is_hidden("#t-ahead")
        await page.wait_for_timeout(300)  # a print would follow at once
        assert await page.evaluate("window.__prints.length") == 2
    assert errors == []
