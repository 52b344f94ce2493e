"""The staff console at a desk PC's small screen (1366×768) in a real Chromium, on SQLite:
a long queue gets the room (empty panels fold to their heading), the action buttons never move
between an idle and a called desk, and "call a number" takes what staff type ("A3", "a 3",
"Ａ３", a bare "3" at a one-service window) and keeps its dialog open, the input kept, with the
reason when the server refuses the number.
"""

# ruff: noqa: F401, F811  (the tests take the `consoles` fixture imported from test_staff_page)

from __future__ import annotations

import os

import pytest
from playwright.async_api import Page

from ..browser import chromium_missing, submit_login, text, wait_text
from ..helpers import Api
from .test_staff_page import Consoles, at_desk, consoles, current, message, take

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

LONG_QUEUE = 233
MIN_ROWS = 8  # queue rows a desk at 1366×768 shows with a long queue
SHOTS = os.environ.get("CALLNEXT_TEST_SHOTS")  # a folder: save what the tests saw, to look at


async def shot(page: Page, name: str) -> None:
    if SHOTS:
        await page.screenshot(path=os.path.join(SHOTS, name))


async def fully_visible_rows(page: Page, selector: str) -> int:
    """How many rows of the list are wholly on screen: inside its scroll box and the window."""
    return int(
        await page.eval_on_selector(
            selector,
            """list => {
              const box = list.getBoundingClientRect();
              const bottom = Math.min(box.bottom, window.innerHeight);
              return [...list.children].filter((li) => {
                const r = li.getBoundingClientRect();
                return r.height > 0 && r.top >= box.top - 0.5 && r.bottom <= bottom + 0.5;
              }).length;
            }""",
        )
    )


async def button_boxes(page: Page) -> dict[str, dict[str, float]]:
    boxes: dict[str, dict[str, float]] = await page.eval_on_selector_all(
        "#actions button",
        """bs => Object.fromEntries(bs.map((b) => {
          const r = b.getBoundingClientRect();
          return [b.dataset.action ?? b.id, {x: r.x, y: r.y, w: r.width, h: r.height}];
        }))""",
    )
    return boxes


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_long_queue_gets_the_room_and_empty_panels_fold(
    api: Api, consoles: Consoles, lang: str
) -> None:
    """233 waiting for A: window 1's desk shows at least eight whole queue rows; with no pending
    matter the 承诺件 panel is one line (its heading, "none" beside it); the page never scrolls."""
    for _ in range(LONG_QUEUE):
        await api.issue("A")
    page = await at_desk(consoles, api, "w1", 1, "?lang=en" if lang == "en" else "")
    await page.wait_for_selector("#queue-list li")
    await shot(page, f"fit-long-queue-{lang}.png")
    rows = await fully_visible_rows(page, "#queue-list")
    assert rows >= MIN_ROWS, rows
    assert await page.get_attribute("#desk-view .pending", "data-empty") == "true"
    pending = await page.eval_on_selector("#desk-view .pending", "s => s.offsetHeight")
    heading = await page.eval_on_selector("#pending-title", "h => h.offsetHeight")
    assert pending < heading * 2.5, (pending, heading)
    none = "no pending" if lang == "en" else "无"
    assert none in (await text(page, "#desk-view .pending")).lower()
    scroll = await page.evaluate("document.scrollingElement.scrollHeight - innerHeight")
    assert scroll <= 0, scroll


async def test_a_pending_matter_unfolds_its_panel(api: Api, consoles: Consoles) -> None:
    """Once a matter is pending the panel opens to list it, and folds again when it is done."""
    for _ in range(20):
        await api.issue("A")
    page = await at_desk(consoles, api, "w1", 1)
    await page.keyboard.press("n")
    await message(page, "已呼叫 A001")
    await page.keyboard.press("p")
    await message(page, "A001 已受理")
    await page.wait_for_selector("#desk-view .pending[data-empty='false'] #pending-list li")
    await shot(page, "fit-pending.png")
    assert await fully_visible_rows(page, "#queue-list") >= MIN_ROWS - 2
    await page.click("#pending-list .done")
    await page.click("#d-confirm-ok")
    await page.wait_for_selector("#desk-view .pending[data-empty='true']")


@pytest.mark.parametrize(
    ("lang", "size"), [("zh", (1366, 768)), ("en", (1366, 768)), ("en", (1920, 1080))]
)
async def test_the_action_buttons_never_move(
    api: Api, consoles: Consoles, lang: str, size: tuple[int, int]
) -> None:
    """Idle, called (with the "finish and call" hint), recalled and paused: every action button
    keeps its box to the pixel."""
    for _ in range(12):
        await api.issue("A")
    page = await consoles.open(api, "?lang=en" if lang == "en" else "", size)
    await submit_login(page, "w1")
    await page.wait_for_selector(".window-button[data-window='1']")
    await take(page, 1)
    await page.wait_for_selector("#cur-idle:not([hidden])")
    idle = await button_boxes(page)
    await page.keyboard.press("n")
    await page.wait_for_selector("#cur-ticket:not([hidden])")
    await page.wait_for_selector("[data-action='next'] .hint:not([hidden])")
    await shot(page, f"fit-called-{lang}-{size[0]}.png")
    assert await button_boxes(page) == idle
    await page.keyboard.press("r")
    await page.wait_for_selector("#cur-recalls:not(:empty)")
    assert await button_boxes(page) == idle
    await page.keyboard.press("c")
    await page.wait_for_selector("#cur-idle:not([hidden])")
    await page.keyboard.press("s")
    await page.wait_for_selector("#d-pause[open]")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#paused-note:not([hidden])")
    assert await button_boxes(page) == idle


async def call_typed(page: Page, typed: str) -> None:
    await page.keyboard.press("g")
    await page.wait_for_selector("#d-call[open]")
    await page.fill("#d-call-number", typed)
    await page.keyboard.press("Enter")


@pytest.mark.parametrize("typed", ["A3", "a3", "A003", "a 3", "Ａ３", "3"])
async def test_call_a_number_as_staff_type_it(api: Api, consoles: Consoles, typed: str) -> None:
    """Window 1 serves only A: each form calls A003."""
    for _ in range(4):
        await api.issue("A")
    page = await at_desk(consoles, api, "w1", 1)
    await call_typed(page, typed)
    await message(page, "已呼叫 A003")
    assert await current(api, 1) == "A003"
    assert not await page.is_visible("#d-call")


async def refused(page: Page, typed: str, reason: str) -> None:
    """The dialog stays open with `typed` in its field, marked invalid, and says `reason`."""
    await wait_text(page, "#d-call-error", reason)
    assert await page.is_visible("#d-call")
    assert await page.input_value("#d-call-number") == typed
    assert await page.get_attribute("#d-call-number", "aria-invalid") == "true"
    assert await page.evaluate("document.activeElement.id") == "d-call-number"


async def test_a_refused_number_keeps_the_dialog_and_says_why(api: Api, consoles: Consoles) -> None:
    """At window 7 (A, B and C): "3" needs its letter, "A9" is not issued today, "3A" is no
    number; each time the dialog stays with the input; then "a 2" calls A002. In English too."""
    for _ in range(3):
        await api.issue("A")
    page = await at_desk(consoles, api, "w7", 7)
    await call_typed(page, "3")
    await refused(page, "3", "请加上业务字母")
    await shot(page, "fit-call-refused-zh.png")
    await page.fill("#d-call-number", "A9")
    await page.keyboard.press("Enter")
    await refused(page, "A9", "今天没有这个号")
    await page.fill("#d-call-number", "3A")
    await page.keyboard.press("Enter")
    await refused(page, "3A", "业务字母加数字")
    assert await current(api, 7) is None
    await page.fill("#d-call-number", "a 2")
    await page.keyboard.press("Enter")
    await message(page, "已呼叫 A002")
    assert await current(api, 7) == "A002"

    page = await at_desk(consoles, api, "w8", 8, "?lang=en")
    await call_typed(page, "7")
    await refused(page, "7", "add the letter")
    await page.keyboard.press("Escape")
    await page.wait_for_selector("#d-call:not([open])", state="attached")
    await page.keyboard.press("g")
    await page.wait_for_selector("#d-call[open]")
    assert await page.input_value("#d-call-number") == ""  # a new dialog starts empty
    assert await page.is_hidden("#d-call-error")
