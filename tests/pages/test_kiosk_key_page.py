"""A kiosk's key in real Chromium, under the pages' real CSP: the settings page makes a key and
shows the kiosk's setup link once; the kiosk page opened at that link keeps the key, takes it
out of the address bar and issues on its own budget; a replaced key is told on the staff line
while the citizen still gets a ticket. SQLite only (the pages are under test)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.async_api import BrowserContext, Page

from callnext.runtime.config import Settings, parse_rate_limits

from ..browser import BrowserPages, chromium_missing, launch, submit_login, text, wait_text
from ..helpers import running_app

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

KIOSKS = "/api/v1/halls/demo/kiosks"


async def new_key_on_the_settings_page(page: Page, code: str, replaces: bool) -> str:
    """Click "新密钥" for `code` (confirming when it replaces a key) → the setup link shown."""
    await page.click(f"button[aria-label='新密钥 {code}']")
    if replaces:
        await page.wait_for_selector("#confirm[open]")
        assert "旧密钥立即失效" in await text(page, "#confirm-text")
        await page.click("#confirm-ok")
    await page.wait_for_selector("#setup-url")
    link = await page.input_value("#setup-url")
    await page.click("#editor button.primary")
    await page.wait_for_selector("#editor", state="hidden")
    return link


async def tap(page: Page, service: str = "A") -> str:
    """One ticket from the kiosk page → its number; back to the start."""
    await page.click(f".service[data-code='{service}']")
    await page.wait_for_selector("#ticket", state="visible", timeout=10000)
    number = await text(page, "#t-number")
    await page.click("#done")
    await page.wait_for_selector("#start", state="visible")
    return number


async def open_kiosk(context: BrowserContext, url: str, problems: list[str]) -> Page:
    page = await context.new_page()
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    await page.goto(url)
    await page.wait_for_selector(".service[data-code='A']")
    return page


async def test_a_kiosk_set_up_from_the_settings_page_issues_on_its_key(settings: Settings) -> None:
    """tickets=2/3600 (this address's public budget: two tickets), kiosk_tickets=50/3600: the
    kiosk issues 4 on its key (and a restart without the link keeps it), the address still has
    its own; a new key made on the settings page turns the old one away, the citizen at that
    kiosk still gets a ticket (the address's) and the staff line says what to do; the new
    link sets the kiosk right."""
    limits = parse_rate_limits("tickets=2/3600,kiosk_tickets=50/3600")
    async with running_app(replace(settings, rate_limits=limits)) as api, launch() as browser:
        manager = await api.login("manager")
        status, _ = await api.request("PUT", KIOSKS + "/K1", {"name": "门口"}, token=manager)
        assert status == 201
        pages = BrowserPages(browser, "/halls/demo/settings", (1366, 768))
        settings_page = await pages.new_page(api.base)
        await submit_login(settings_page, "manager")
        await settings_page.click("#tab-kiosks")
        await wait_text(settings_page, "tr[data-kiosk='K1']", "未设置")
        link = await new_key_on_the_settings_page(settings_page, "K1", replaces=False)
        assert link.startswith(f"{api.base}/halls/demo/kiosk?kiosk=K1&key=")
        await wait_text(settings_page, "tr[data-kiosk='K1']", "已设置")
        assert (await api.request("GET", KIOSKS + "/K1", token=manager))[1]["keyed"] is True

        problems: list[str] = []
        context = await browser.new_context(viewport={"width": 1080, "height": 1920})
        kiosk = await open_kiosk(context, link, problems)
        assert kiosk.url == f"{api.base}/halls/demo/kiosk?kiosk=K1"  # the key left the address
        assert [await tap(kiosk) for _ in range(3)] == ["A001", "A002", "A003"]
        assert await kiosk.is_hidden("#unknown-kiosk")
        await kiosk.close()
        kiosk = await open_kiosk(context, api.base + "/halls/demo/kiosk?kiosk=K1", problems)
        assert await tap(kiosk) == "A004"  # kept: the kiosk restarted without its link
        assert (await api.request("POST", "/api/v1/halls/demo/tickets", {"service": "A"}))[
            0
        ] == 201  # the address's own public ticket was never spent by the kiosk

        new_link = await new_key_on_the_settings_page(settings_page, "K1", replaces=True)
        assert new_link != link
        assert await tap(kiosk) == "A006"  # the old key: refused, so issued as a walk-in's
        assert "取号机 K1 的密钥不对" in await text(kiosk, "#unknown-kiosk")
        await kiosk.click(".lang [data-lang='en']")
        assert "Kiosk K1's key is wrong" in await text(kiosk, "#unknown-kiosk")
        limited = await api.request("POST", "/api/v1/halls/demo/tickets", {"service": "A"})
        assert limited[0] == 429  # that walk-in's ticket was this address's second
        await kiosk.close()
        kiosk = await open_kiosk(context, new_link, problems)
        assert await tap(kiosk) == "A007"  # its own budget again
        assert await kiosk.is_hidden("#unknown-kiosk")
        assert not problems, problems
        assert not pages.problems, pages.problems
