"""A real headless Chromium for the page tests and the screenshots: Debian's
chromium-headless-shell, or its /usr/bin/chromium where the full browser is needed, driven by
Playwright (never `playwright install`: no download, no network)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import time
from collections.abc import AsyncIterator
from typing import Any

from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    async_playwright,
    expect,
)
from playwright.async_api import Error as PlaywrightError

from .strict import missing

CHROMIUM = os.environ.get("CALLNEXT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# The same Chromium built headless-only (Debian's chromium-headless-shell, which scripts/setup
# --system installs; the build Playwright itself runs headless): the page tests' browser, but
# for those that ask for the full one (launch(full=True)). The full browser's headless mode cost
# three times its CPU per page test (issue 22: the staff page's 16 tests took 31 s of Chromium
# CPU against 10.5 s, 60 renderer processes against 20). Without the shell installed, every page
# runs in the full browser; CALLNEXT_CHROMIUM_SHELL names another shell.
SHELL = os.environ.get("CALLNEXT_CHROMIUM_SHELL") or shutil.which("chromium-headless-shell")

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
# A page test's default wait: what must show took over 10 s on a loaded 2-core machine. Playwright's
# expect() gets it too (its own default, 5 s, failed a loaded run).
TIMEOUT_MS = 30000
expect.set_options(timeout=TIMEOUT_MS)
POLL_S = 0.02  # wait_js: between two looks


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None (under CALLNEXT_TEST_STRICT, an error)."""
    if not os.access(CHROMIUM, os.X_OK):
        return missing(f"no Chromium at {CHROMIUM} (scripts/setup --test --system installs it)")
    return None


# One Chromium (and one Playwright driver) per event loop, autoplay flag and build, kept while the
# loop runs: the suite's tests share one loop per worker (pyproject: loop scope "session"), so a
# page test no longer starts a driver and a browser of its own (about a second each here).
_SHARED: dict[tuple[int, bool, str], tuple[Playwright, Browser]] = {}


async def _shared_browser(autoplay: bool, full: bool) -> Browser:
    executable = CHROMIUM if full or not SHELL else SHELL
    key = (id(asyncio.get_running_loop()), autoplay, executable)
    entry = _SHARED.get(key)
    if entry is not None and entry[1].is_connected():
        return entry[1]
    pw = await async_playwright().start()
    browser = await pw.chromium.launch(
        executable_path=executable, headless=True, args=[*FLAGS, AUTOPLAY] if autoplay else FLAGS
    )
    _SHARED[key] = (pw, browser)
    return browser


async def close_shared_browsers() -> None:
    """The shared browsers of the running loop, closed (the session's end)."""
    loop = id(asyncio.get_running_loop())
    for key in [k for k in _SHARED if k[0] == loop]:
        pw, browser = _SHARED.pop(key)
        with contextlib.suppress(PlaywrightError):
            await browser.close()
        await pw.stop()


@contextlib.asynccontextmanager
async def launch(autoplay: bool = False, full: bool = False) -> AsyncIterator[Browser]:
    """A headless Chromium; `autoplay` lets pages play sound with no user gesture; `full`: the
    full browser rather than the headless shell, where a page can be granted or asked for
    notifications (the shell's Notification.permission is "denied" whatever was granted), as a
    phone's ticket page offers them, and what the screenshots show. Its pages
    run under their real Content-Security-Policy: no test turns it off for a context (wait for
    a page's state with wait_js, which works under it; tests/pages/test_security.py fails a
    page that breaks it).
    The browser is shared by the tests of one event loop; the contexts (and so the pages) a
    test opened are closed when it leaves, so the next test starts from none."""
    browser = await _shared_browser(autoplay, full)
    before = set(browser.contexts)
    try:
        yield browser
    finally:
        for context in browser.contexts:
            if context not in before:
                with contextlib.suppress(PlaywrightError):
                    await context.close()


async def text(page: Page, selector: str) -> str:
    """The element's visible text, whitespace collapsed."""
    return " ".join((await page.inner_text(selector)).split())


def _truthy(value: Any) -> bool:
    """JavaScript's truthiness of a value `evaluate` returned ({} and [] are true there)."""
    return value not in (None, False, 0, "") and value == value  # NaN is false


async def wait_js(page: Page, expression: str, arg: Any = None, timeout: float = 30_000) -> Any:  # noqa: ASYNC109
    """Until `expression` (a JS expression, or a function called with `arg`) is truthy in the
    page → its value; `timeout` in ms. Pages run under their real CSP (script-src 'self'), which
    forbids Playwright's wait_for_function: it builds its predicate with `new Function`. This
    polls with `evaluate` instead, which runs through the DevTools protocol, outside the CSP."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        try:
            value = await page.evaluate(expression, arg)
        except PlaywrightError as exc:  # the page navigated or reloaded under the look
            if "context was destroyed" not in str(exc):
                raise
            value = None
        if _truthy(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true in {timeout / 1000:g} s: {expression} (got {value!r})")
        await asyncio.sleep(POLL_S)


async def wait_text(page: Page, selector: str, expected: str) -> None:
    """Until the element's text contains `expected`."""
    await wait_js(
        page,
        "([sel, want]) => document.querySelector(sel)?.innerText.includes(want)",
        [selector, expected],
        timeout=TIMEOUT_MS,
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
        page.on("console", self._csp_violation)
        await page.goto(base + self.path + query)
        return page

    def _csp_violation(self, message: ConsoleMessage) -> None:
        """Chromium logs each thing the CSP blocked (an inline style or script) on the console."""
        if re.search(r"Content.Security.Policy|Refused to", message.text):
            self.problems.append(f"console {message.type}: {message.text}")


async def submit_login(page: Page, username: str, password: str = "demo") -> None:
    """Log in with the staff-side pages' login form (_login.html)."""
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.press("#password", "Enter")
