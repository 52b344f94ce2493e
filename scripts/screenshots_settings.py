"""The settings page's shots for docs/settings.md and docs/staff.md: services, a service's editor
and guide, the hall, the audit log, a window's call order, a real-name service (实名取号).
scripts/screenshots.py runs them as its group `settings`."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page
from screenshots_common import save
from tests.browser import launch
from tests.helpers import Api

SETTINGS = "/halls/demo/settings"


async def settings_page(browser: Browser, api: Api, lang: str, tab: str) -> Page:
    """The settings page at 1366×768, logged in as the manager, on `tab`."""
    page = await browser.new_page(viewport={"width": 1366, "height": 768})
    page.on("pageerror", lambda e: print("page error:", e))
    await page.goto(api.base + SETTINGS + ("?lang=en" if lang == "en" else "") + f"#{tab}")
    await page.fill("#username", "manager")
    await page.fill("#password", "demo")
    await page.press("#password", "Enter")
    await page.wait_for_selector(f"#panel-{tab}:not([hidden])")
    return page


async def shoot_settings(api: Api, out: Path) -> None:
    """The settings page: the services (one with its own hours, a quota and a 1:2 priority
    ratio), a service's editor, the hall, and the day's audit log, in both languages."""
    token = await api.login("manager")
    weekdays = {day: ["08:30-11:30"] for day in ("mon", "tue", "wed", "thu", "fri")}
    service_d = {"name": "公积金提取", "name_en": "Housing fund withdrawal", "daily_quota": 120,
                 "priority_ratio": 2, "hours": weekdays, "target_wait_s": 1200}  # fmt: skip
    for method, path, body in (
        ("PUT", "/services/D", service_d),
        ("PUT", "/windows/9", {"name": "9号窗口", "services": ["D"]}),
        ("PUT", "/users/zhang", {"role": "staff", "window": 9, "password": "secret1"}),
    ):
        status, answer = await api.request(method, "/api/v1/halls/demo" + path, body, token=token)
        assert status in (200, 201), answer
    async with launch(full=True) as browser:
        for lang in ("zh", "en"):
            page = await settings_page(browser, api, lang, "services")
            await page.wait_for_selector("#panel-services tr[data-code='D']")
            await save(page, out / f"settings-services-{lang}-1366x768.png")
            page = await settings_page(browser, api, lang, "audit")
            await page.wait_for_selector("#audit-table tbody tr")
            await save(page, out / f"settings-audit-{lang}-1366x768.png")
        page = await settings_page(browser, api, "zh", "hall")
        await save(page, out / "settings-hall-zh-1366x768.png")
        page = await settings_page(browser, api, "zh", "services")
        await page.click("#panel-services tr[data-code='D'] button:has-text('编辑')")
        await page.wait_for_selector("#editor[open]")
        await save(page, out / "settings-service-zh-1366x768.png")
        page = await settings_page(browser, api, "zh", "services")  # A's guide (办事指南)
        await page.click("#panel-services tr[data-code='A'] button:has-text('编辑')")
        await page.wait_for_selector("#editor[open]")
        await page.locator("#editor fieldset.guide").scroll_into_view_if_needed()
        await save(page, out / "settings-guide-zh-1366x768.png")
        for lang in ("zh", "en"):  # window 7's work profile: its services in an order (C first)
            page = await settings_page(browser, api, lang, "windows")
            await page.click("#panel-windows tr[data-number='7'] button:not(.danger)")
            await page.wait_for_selector("#editor[open]")
            await page.check("#editor input[name=call_order][value=services]")
            await page.click("#editor li[data-code=C] .up")
            await page.click("#editor li[data-code=C] .up")
            await save(page, out / f"settings-window-order-{lang}-1366x768.png")
        # 实名取号: B by real name, one ticket a person a day; its dialog, the table behind it
        body = {"real_name": True, "person_daily_limit": 1}
        path = "/api/v1/halls/demo/services/B"
        status, answer = await api.request("PUT", path, body, token=token)
        assert status == 200, answer
        page = await settings_page(browser, api, "zh", "services")
        await page.click("#panel-services tr[data-code='B'] button[aria-label='编辑 B']")
        await page.wait_for_selector("#editor[open] .real-name")
        await page.evaluate(
            "document.querySelector('#editor .real-name').scrollIntoView({block: 'center'})"
        )
        await save(page, out / "settings-real-name-zh-1366x768.png")
