"""A real headless Chromium for the page tests and the screenshots: Debian's /usr/bin/chromium
driven by Playwright (never `playwright install`: no download, no network)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from .strict import missing

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
# A page test's default wait: what must show took over 10 s on a loaded 2-core machine.
TIMEOUT_MS = 30000


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None (under CALLNEXT_TEST_STRICT, an error)."""
    if not os.access(CHROMIUM, os.X_OK):
        return missing(f"no Chromium at {CHROMIUM} (scripts/setup --test --system installs it)")
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
        _bypass_csp_by_default(browser)
        try:
            yield browser
        finally:
            await browser.close()


def _bypass_csp_by_default(browser: Browser) -> None:
    """Contexts bypass the pages' Content-Security-Policy unless a test says bypass_csp=False:
    Playwright's wait_for_function evaluates its predicate from a string, which the pages'
    `script-src 'self'` forbids. tests/test_security.py runs every page under the real CSP."""
    plain_context, plain_page = browser.new_context, browser.new_page

    async def new_context(**options: Any) -> BrowserContext:
        options.setdefault("bypass_csp", True)
        return await plain_context(**options)

    async def new_page(**options: Any) -> Page:
        options.setdefault("bypass_csp", True)
        return await plain_page(**options)

    browser.new_context = new_context  # type: ignore[method-assign]
    browser.new_page = new_page  # type: ignore[method-assign]


async def text(page: Page, selector: str) -> str:
    """The element's visible text, whitespace collapsed."""
    return " ".join((await page.inner_text(selector)).split())


async def wait_text(page: Page, selector: str, expected: str) -> None:
    """Until the element's text contains `expected`."""
    await page.wait_for_function(
        "([sel, want]) => document.querySelector(sel)?.innerText.includes(want)",
        arg=[selector, expected],
    )


class BrowserPages:
    """Pages at `path`, each in its own browser context (its own sessionStorage, as another PC
    or tab would be); `problems` collects their script errors (a test asserts there are none)."""

    def __init__(self, browser: Browser, path: str, size: tuple[int, int]) -> None:
        self.browser = browser
        self.path = path
        self.size = size
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []

    async def new_page(
        self, base: str, query: str = "", size: tuple[int, int] | None = None, **options: Any
    ) -> Page:
        """A page at base + path + query in a fresh context (`options`: the context's)."""
        width, height = size or self.size
        context = await self.browser.new_context(
            viewport={"width": width, "height": height}, **options
        )
        self.contexts.append(context)
        page = await context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        await page.goto(base + self.path + query)
        return page


async def submit_login(page: Page, username: str, password: str = "demo") -> None:
    """Log in with the staff-side pages' login form (_login.html)."""
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.press("#password", "Enter")
