"""Screenshots of real-name tickets at the kiosk (docs/real-name.md): the ID screen as a card
reader fills it (Chinese, portrait), a wrong number refused (English, landscape), and the second
ticket of the day refused. Run through scripts/screenshots.py (--only real_name)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page
from screenshots_common import save
from tests.browser import launch
from tests.helpers import Api

from callnext.domain.identity import check_character

FIRST17 = "33010619850612004"
NUMBER = FIRST17 + check_character(FIRST17)  # an ID number made up for the pictures


async def _kiosk(browser: Browser, api: Api, query: str, size: tuple[int, int]) -> Page:
    page = await browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.on("pageerror", lambda e: print("page error:", e))
    await page.goto(api.base + "/halls/demo/kiosk" + query)
    await page.wait_for_selector(".service[data-code='B']:not([disabled])")
    await page.click(".service[data-code='B']")
    await page.wait_for_selector("#id", state="visible")
    return page


async def shoot_real_name(api: Api, out: Path) -> None:
    token = await api.login("manager")
    quota = next(s["daily_quota"] for s in (await api.hall())["services"] if s["code"] == "B")
    body = {"services": {"B": {"real_name": True, "person_daily_limit": 1, "daily_quota": None}}}
    status, answer = await api.request("PATCH", "/api/v1/halls/demo/settings", body, token=token)
    assert status == 200, answer
    async with launch(full=True) as browser:
        page = await _kiosk(browser, api, "", (1080, 1920))
        await page.keyboard.type(NUMBER[:15])  # a reader part-way through its characters
        await save(page, out / "kiosk-id-zh-1080x1920.png")
        page = await _kiosk(browser, api, "?lang=en", (1920, 1080))
        await page.keyboard.type(NUMBER[:17] + ("1" if NUMBER[17] != "1" else "2"))
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#id-error:not([hidden])")
        await save(page, out / "kiosk-id-en-1920x1080.png")
        for name in ("", "kiosk-id-limit-zh-1080x1920.png"):
            page = await _kiosk(browser, api, "", (1080, 1920))
            await page.keyboard.type(NUMBER)
            await page.keyboard.press("Enter")
            await page.wait_for_selector("#ticket:not([hidden]), #failure:not([hidden])")
            if name:
                await save(page, out / name)
            else:
                await page.close()
    body = {"services": {"B": {"real_name": False, "daily_quota": quota}}}  # as it was
    status, answer = await api.request("PATCH", "/api/v1/halls/demo/settings", body, token=token)
    assert status == 200, answer
