"""A real headless Chromium for the page tests and the screenshots: Debian's /usr/bin/chromium
driven by Playwright (never `playwright install`: no download, no network)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator

from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = os.environ.get("CALLNEXT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# An unattended screen: sound without a tap (without it, Chromium waits for a user gesture).
AUTOPLAY = "--autoplay-policy=no-user-gesture-required"


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (scripts/setup --system installs it)"
    return None


@contextlib.asynccontextmanager
async def launch(autoplay: bool = False) -> AsyncIterator[Browser]:
    """A headless Chromium; `autoplay` lets pages play sound with no user gesture."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[*FLAGS, AUTOPLAY] if autoplay else FLAGS,
        )
        try:
            yield browser
        finally:
            await browser.close()


async def text(page: Page, selector: str) -> str:
    """The element's visible text, whitespace collapsed."""
    return " ".join((await page.inner_text(selector)).split())


async def wait_text(page: Page, selector: str, expected: str) -> None:
    """Until the element's text contains `expected`."""
    await page.wait_for_function(
        "([sel, want]) => document.querySelector(sel)?.innerText.includes(want)",
        arg=[selector, expected],
    )
