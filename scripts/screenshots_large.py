"""The large-print (大字) shots for docs/kiosk.md: the kiosk at 1080×1920 (start, zh and en; a
ticket) and the phone page at 390×844 (waiting, zh and en; called), the toggle on.
scripts/screenshots.py runs them as its group `large` (after the busy morning)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page
from tests.browser import launch, wait_js
from tests.helpers import Api

KIOSK = (1080, 1920)
PHONE = (390, 844)


async def large_page(browser: Browser, url: str, size: tuple[int, int], mobile: bool) -> Page:
    """The page at `url` with its 大字 toggle on."""
    context = await browser.new_context(
        viewport={"width": size[0], "height": size[1]}, is_mobile=mobile, has_touch=mobile,
        device_scale_factor=2 if mobile else 1, locale="zh-CN",
    )  # fmt: skip
    page = await context.new_page()
    page.on("pageerror", lambda e: print("page error:", e))
    await page.goto(url)
    await page.click("[data-large-print]")
    await page.wait_for_selector("html.large-print")
    return page


async def save(page: Page, path: Path) -> None:
    await page.wait_for_timeout(300)
    await page.screenshot(path=path, animations="disabled")
    await page.context.close()
    print(f"wrote {path}")


async def shoot_large(api: Api, out: Path) -> None:
    async with launch(full=True) as browser:
        for lang in ("zh", "en"):
            page = await large_page(
                browser, f"{api.base}/halls/demo/kiosk?lang={lang}", KIOSK, False
            )
            await page.wait_for_selector(".service")
            await save(page, out / f"kiosk-large-{lang}-1080x1920.png")
        page = await large_page(browser, f"{api.base}/halls/demo/kiosk", KIOSK, False)
        await page.click(".service[data-code='A']")
        await page.wait_for_selector("#ticket:not([hidden]) #t-number:not(:empty)")
        await wait_js(page, "document.getElementById('t-qr').complete")
        await save(page, out / "kiosk-large-ticket-zh-1080x1920.png")
        ticket = await api.issue("A")
        url = f"{api.base}/t/{ticket['id']}"
        for lang in ("zh", "en"):
            page = await large_page(browser, f"{url}?lang={lang}", PHONE, True)
            await page.wait_for_selector("#ahead b")
            await save(page, out / f"phone-large-waiting-{lang}.png")
        page = await large_page(browser, url, PHONE, True)
        await page.wait_for_selector("#ahead b")
        await api.window(7, "finish", {"outcome": "completed"})  # the phones' shot's, if any
        status, body = await api.window(7, "call", {"number": ticket["number"]})
        assert status == 200, body
        await page.wait_for_selector("#go:not([hidden])")
        await save(page, out / "phone-large-called-zh.png")
