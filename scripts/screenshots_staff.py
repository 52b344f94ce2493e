"""The staff console's shots for docs/staff.md: login, picker, each desk view in both languages
at a desk PC's two sizes, the dialogs, the manager's overview, a refused number, a window in
its own order. scripts/screenshots.py runs them as its group `staff`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page
from screenshots_common import save
from tests.browser import launch
from tests.helpers import Api

STAFF = "/halls/demo/staff"
STAFF_SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}


def an_earlier_morning(db_path: str) -> None:
    """Spread the tickets over the last forty minutes or so (the shots are taken seconds after
    they were issued; a ticket is never called before it was issued): older tickets wait longer,
    so the desk's queue shows green, amber and red; one pending matter was accepted over an hour
    ago (overdue), the other twenty minutes ago."""
    conn = sqlite3.connect(db_path)
    try:
        pks = [row[0] for row in conn.execute("SELECT pk FROM tickets ORDER BY pk")]
        for i, pk in enumerate(pks):
            back = int((len(pks) - i) * 55 * 1e6)
            conn.execute(
                "UPDATE tickets SET issued_at = issued_at - ?, called_at = called_at - ?,"
                " last_called_at = last_called_at - ?, finished_at = finished_at - ?"
                " WHERE pk = ?",
                (back, min(back, int(200e6)), min(back, int(200e6)), min(back, int(60e6)), pk),
            )
        pending = [
            row[0]
            for row in conn.execute("SELECT pk FROM tickets WHERE outcome = 'pending' ORDER BY pk")
        ]
        for pk, back in zip(pending, (3900e6, 1200e6), strict=False):
            conn.execute(
                "UPDATE tickets SET issued_at = issued_at - ?, called_at = called_at - ?,"
                " last_called_at = last_called_at - ?, finished_at = finished_at - ? WHERE pk = ?",
                (int(back), int(back), int(back), int(back), pk),
            )
        conn.commit()
    finally:
        conn.close()


async def staff_page(browser: Browser, api: Api, user: str, lang: str, size: str) -> Page:
    width, height = STAFF_SIZES[size]
    page = await browser.new_page(viewport={"width": width, "height": height})
    page.on("pageerror", lambda e: print("page error:", e))
    await page.goto(api.base + STAFF + ("?lang=en" if lang == "en" else ""))
    await page.wait_for_selector("#login-view:not([hidden])")
    if user:
        await page.fill("#username", user)
        await page.fill("#password", "demo")
        await page.press("#password", "Enter")
    return page


async def staff_desk(browser: Browser, api: Api, lang: str, size: str) -> Page:
    """w3 at window 3 with its current ticket (recalled once), the A queue, the pending list."""
    page = await staff_page(browser, api, "w3", lang, size)
    # w3 still holds window 3 from the last shot's console: the page goes back to it at once
    await page.wait_for_selector(".window-button[data-window='3'], #desk-view[data-loaded='true']")
    if await page.is_visible(".window-button[data-window='3']"):
        await page.click(".window-button[data-window='3']")
    await page.wait_for_selector("#desk-view[data-loaded='true'], #d-confirm[open]")
    if await page.is_visible("#d-confirm"):  # the previous shot's console still holds it
        await page.click("#d-confirm-ok")
    await page.wait_for_selector("#desk-view[data-loaded='true']")
    return page


async def shoot_staff(api: Api, out: Path, db_path: str) -> None:
    """Two pending matters, the morning spread over half an hour, then each console view in
    both languages at a desk PC's two usual sizes."""
    for window in (2, 7):
        status, body = await api.window(window, "finish", {"outcome": "pending"})
        assert status == 200, body
    assert (await api.window(3, "recall"))[0] == 200
    an_earlier_morning(db_path)
    async with launch(full=True) as browser:
        for lang, size in (("zh", "1366x768"), ("en", "1920x1080")):
            await save(
                await staff_page(browser, api, "", lang, size),
                out / f"staff-login-{lang}-{size}.png",
            )
        page = await staff_page(browser, api, "w3", "zh", "1366x768")
        await page.wait_for_selector(".window-button[data-window='8'] .holder:not(:empty)")
        await save(page, out / "staff-picker-zh-1366x768.png")
        for lang in ("zh", "en"):
            for size in STAFF_SIZES:
                page = await staff_desk(browser, api, lang, size)
                await save(page, out / f"staff-desk-{lang}-{size}.png")
        page = await staff_desk(browser, api, "zh", "1366x768")
        await page.keyboard.press("t")
        await page.wait_for_selector("#d-transfer[open]")
        await save(page, out / "staff-transfer-zh-1366x768.png")
        page = await staff_desk(browser, api, "en", "1920x1080")
        await page.keyboard.press("s")
        await page.wait_for_selector("#d-pause[open]")
        await save(page, out / "staff-pause-en-1920x1080.png")
        page = await staff_desk(browser, api, "en", "1366x768")
        await page.keyboard.press("?")
        await page.wait_for_selector("#d-help[open]")
        await save(page, out / "staff-help-en-1366x768.png")
        for lang, size in (("zh", "1920x1080"), ("en", "1366x768"), ("zh", "1366x768")):
            page = await staff_page(browser, api, "manager", lang, size)
            await page.wait_for_selector(".card .holder:not(:empty)")
            await page.wait_for_selector("#ov-pending-list li")
            await save(page, out / f"staff-overview-{lang}-{size}.png")
        await save(await call_refused(browser, api), out / "staff-call-zh-1366x768.png")
        await shoot_in_order(browser, api, out / "staff-in-order-zh-1366x768.png")


async def shoot_in_order(browser: Browser, api: Api, path: Path) -> None:
    """Window 8 (A, B and C) set to call C, then B, then A (its work profile), at w8's desk;
    the window goes back to first come after the shot."""
    token = await api.login("manager")

    async def put_window_8(body: dict[str, Any]) -> None:
        status, answer = await api.request("PUT", "/api/v1/halls/demo/windows/8", body, token=token)
        assert status == 200, answer

    await put_window_8({"services": ["C", "B", "A"], "call_order": "services"})
    page = await staff_page(browser, api, "w8", "zh", "1366x768")
    await at_window(page, 8)
    await page.wait_for_selector("#queue-order:not([hidden])")
    await save(page, path)
    await put_window_8({"services": ["A", "B", "C"], "call_order": "queue"})


async def at_window(page: Page, n: int) -> None:
    """From the login, window `n`'s desk: picked, or at once where the account holds it."""
    either = f".window-button[data-window='{n}'], #desk-view[data-window='{n}'][data-loaded='true']"
    await page.wait_for_selector(either)
    if await page.is_visible(f".window-button[data-window='{n}']"):
        await page.click(f".window-button[data-window='{n}']")


async def call_refused(browser: Browser, api: Api) -> Page:
    """w7 at window 7 (A, B and C) calls "3": the dialog stays open and asks for the letter."""
    page = await staff_page(browser, api, "w7", "zh", "1366x768")
    await at_window(page, 7)
    await page.wait_for_selector("#desk-view[data-loaded='true']")
    await page.keyboard.press("g")
    await page.fill("#d-call-number", "3")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#d-call-error:not([hidden])")
    return page
