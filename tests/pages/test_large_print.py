"""Large print (大字, 适老化) on the kiosk (1080×1920, portrait) and the phone's ticket page
(390×844) in a real Chromium under the pages' real CSP: the toggle doubles the reading text
(display text, the numbers and names already large, never shrinks), nothing scrolls sideways,
no button is cut off, the toggles and the primary actions stay on the first screen; the phone
keeps the choice, the kiosk forgets it when the ticket is done or the kiosk is left."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from ..browser import TIMEOUT_MS, chromium_missing, launch, wait_js
from ..helpers import Api
from .test_screen_legibility import patch_settings

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

KIOSK = {"width": 1080, "height": 1920}
PHONE = {"width": 390, "height": 844}
DISPLAY_PX = 44  # text this large is display text (names, numbers): large print never shrinks it
READING_FACTOR = 1.9  # reading text at least about twice its size
IDLE_MS = 60000  # kiosk.js LARGE_IDLE_MS

# Every visible element with text of its own: its font size, kept in window.lpTexts so the same
# elements are measured again after the toggle.
MEASURE = """() => {
  if (!window.lpTexts) {
    window.lpTexts = [...document.querySelectorAll("body *")].filter((el) =>
      [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
  }
  return window.lpTexts.map((el) => {
    const box = el.getBoundingClientRect();
    const seen = box.width > 0 && box.height > 0 && !el.closest("[hidden], [aria-hidden=true]");
    return {text: el.textContent.trim().slice(0, 30), seen,
            px: seen ? parseFloat(getComputedStyle(el).fontSize) : 0};
  });
}"""

# Every visible button and link: its box, and whether it sits in a scrolling list.
BUTTONS = """() => [...document.querySelectorAll("button, a[href], [role=button]")]
  .filter((b) => b.getClientRects().length && !b.closest("[hidden], [aria-hidden=true]"))
  .map((b) => {
    const r = b.getBoundingClientRect();
    return {name: (b.id || b.dataset.code || b.textContent.trim()).slice(0, 30),
            left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  })"""


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch() as b:
        yield b


@pytest.fixture
async def phone_browser() -> AsyncIterator[Browser]:
    """The full browser: the phone page offers notifications there, its button in the measures."""
    async with launch(full=True) as b:
        yield b


async def open_page(browser: Browser, url: str, viewport: dict[str, int], **options: Any) -> Page:
    context = await browser.new_context(bypass_csp=False, viewport=viewport, **options)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    async with page.expect_console_message(lambda m: "stream online" in m.text):
        await page.goto(url)
    page.errors = errors  # type: ignore[attr-defined]
    return page


async def turn_on(page: Page) -> list[dict[str, Any]]:
    """Measure, press 大字, measure again: (before, after) of every text seen both times."""
    before = await page.evaluate(MEASURE)
    assert await page.get_attribute("[data-large-print]", "aria-pressed") == "false"
    await page.click("[data-large-print]")
    await page.wait_for_selector("html.large-print [data-large-print][aria-pressed='true']")
    after = await page.evaluate(MEASURE)
    return [
        {"text": a["text"], "before": b["px"], "after": a["px"]}
        for b, a in zip(before, after, strict=True)
        if b["seen"] and a["seen"]
    ]


def assert_doubled(pairs: list[dict[str, Any]]) -> None:
    assert len(pairs) >= 5, pairs
    for p in pairs:
        if p["before"] < DISPLAY_PX:
            assert p["after"] >= READING_FACTOR * p["before"], p
        else:
            assert p["after"] >= p["before"], p
    reading = [p for p in pairs if p["before"] < DISPLAY_PX]
    assert len(reading) >= 3, pairs


async def assert_fits(page: Page, first_screen: list[str]) -> None:
    """No sideways scroll; no button cut off at the sides; `first_screen` wholly on screen."""
    width, height = await page.evaluate("() => [window.innerWidth, window.innerHeight]")
    assert await page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
        "the page scrolls sideways"
    )
    for b in await page.evaluate(BUTTONS):
        assert b["left"] >= -0.5, b
        assert b["right"] <= width + 0.5, b
    for selector in first_screen:
        box = await page.locator(selector).first.bounding_box()
        assert box is not None, selector
        assert box["x"] >= -0.5, (selector, box)
        assert box["x"] + box["width"] <= width + 0.5, (selector, box)
        assert box["y"] >= -0.5, (selector, box)
        assert box["y"] + box["height"] <= height + 0.5, (selector, box)


async def assert_reachable(page: Page, selector: str) -> None:
    """Each match, scrolled into view (its list scrolls, the page does not), is wholly on
    screen and not under anything else."""
    height = await page.evaluate("() => window.innerHeight")
    for item in await page.locator(selector).all():
        await item.scroll_into_view_if_needed()
        box = await item.bounding_box()
        assert box is not None
        assert box["y"] >= 0, box
        assert box["y"] + box["height"] <= height + 0.5, box
        hit = await item.evaluate(
            """(el) => { const r = el.getBoundingClientRect();
              return el.contains(document.elementFromPoint(r.left + r.width / 2,
                                                           r.top + r.height / 2)); }"""
        )
        assert hit, await item.text_content()


KIOSK_FIRST_SCREEN = ["[data-large-print]", ".lang", "#notice", "#services .service",
                      "#priority-entry", "#checkin-entry"]  # fmt: skip
# The hall's notices as a real hall writes them: the Chinese one pages even at normal size.
NOTICE_ZH = (
    "请携带身份证原件，过号请到综合咨询窗口重新取号。午间 12:00–13:30 照常办理。"
    "办理不动产登记请提前准备不动产权证书、购房合同及完税凭证；委托他人办理的，请携带授权委托书"
    "及受托人身份证原件。水电气过户需携带原户主身份证明及新户主身份证明。"
)
NOTICE_EN = "Please bring your ID card. Missed your number? Ask at the enquiries window."

# The services wholly inside the list's box (and the screen), and how many are below it.
SHOWN = """() => {
  const box = document.getElementById("services").getBoundingClientRect();
  const items = [...document.querySelectorAll("#services .service")];
  const inside = (r) => r.top >= box.top - 1 && r.bottom <= box.bottom + 1
    && r.bottom <= window.innerHeight + 1;
  return {shown: items.filter((el) => inside(el.getBoundingClientRect()))
            .map((el) => el.dataset.code),
          below: items.filter((el) => el.getBoundingClientRect().bottom > box.bottom + 1).length};
}"""


async def assert_paged(page: Page) -> None:
    """Every service comes wholly on screen by pressing ▼ (never by a swipe, which an older
    citizen may not know); ▼ says how many are still below and is off on the last page; ▲
    goes back to the first. A list that fits has no pager."""
    codes = await page.eval_on_selector_all(
        "#services .service", "els => els.map(e => e.dataset.code)"
    )
    first = (await page.evaluate(SHOWN))["shown"]
    assert first, "the first page shows a whole service"
    seen = set(first)
    pager = page.locator("#services-pager")
    if not await pager.is_visible():
        assert seen == set(codes)
        return
    await assert_fits(page, ["#services-up", "#services-down"])
    assert await page.is_disabled("#services-up")
    for _ in codes:
        state = await page.evaluate(SHOWN)
        seen |= set(state["shown"])
        if state["below"] == 0:
            break
        assert str(state["below"]) in await page.inner_text("#services-down")
        await page.click("#services-down")
    assert seen == set(codes), (seen, codes)
    assert await page.is_disabled("#services-down")
    while await page.is_enabled("#services-up"):
        await page.click("#services-up")
    assert (await page.evaluate(SHOWN))["shown"] == first


async def assert_notice_paged(page: Page, lines: int) -> None:
    """The notice is at most `lines` whole lines high, and says "1/N" when there is more."""
    height, line, pages = await page.evaluate("""() => {
      const view = document.querySelector("#notice .notice-view");
      const text = document.getElementById("notice-text");
      return [view.clientHeight, parseFloat(getComputedStyle(text).lineHeight),
              document.getElementById("notice-page").textContent];
    }""")
    assert height <= lines * line + 0.5, (height, line)
    assert height % line < 0.5, (height, line)  # whole lines
    assert pages.startswith("1/"), pages


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_kiosk_large_print_doubles_and_fits(
    api: Api, browser: Browser, lang: str, size: tuple[int, int]
) -> None:
    """With a long notice, the hall's three services and both entries, every action is on the
    first screen: the notice pages, the services page by ▼ ▲."""
    await patch_settings(api, {"notice": NOTICE_ZH, "notice_en": NOTICE_EN + " " + NOTICE_EN})
    viewport = {"width": size[0], "height": size[1]}
    page = await open_page(browser, f"{api.base}/halls/demo/kiosk?lang={lang}", viewport)
    await page.wait_for_selector("#services .service")
    await page.wait_for_selector("#checkin-entry[data-policy='on']")  # the booking policy read
    assert_doubled(await turn_on(page))
    assert await text_of(page, "[data-large-print]") == ("大字" if lang == "zh" else "Large text")
    await assert_fits(page, KIOSK_FIRST_SCREEN)
    await assert_notice_paged(page, 2 if size[1] > size[0] else 1)
    await assert_paged(page)
    await page.click("#services .service:not(:disabled)")
    await page.wait_for_selector("#ticket:not([hidden]) #t-number:not(:empty)")
    assert await page.evaluate("() => document.documentElement.classList.contains('large-print')")
    await assert_fits(page, ["#done", "#t-number", "#t-guide .guide-title", "[data-large-print]"])
    await page.click("#done")  # the ticket is done: the next citizen gets the normal kiosk
    await page.wait_for_selector("html:not(.large-print) #start:not([hidden])")
    assert await page.get_attribute("[data-large-print]", "aria-pressed") == "false"
    assert await page.is_hidden("#services-pager")  # normal print: the three fit
    assert not page.errors  # type: ignore[attr-defined]


async def test_kiosk_large_print_ends_when_the_kiosk_is_left(api: Api, browser: Browser) -> None:
    """Turned on and left: after a minute without a touch the kiosk is back to normal text; a
    touch in that minute starts the minute again."""
    context = await browser.new_context(bypass_csp=False, viewport=KIOSK)
    page = await context.new_page()
    await page.clock.install()
    await page.goto(f"{api.base}/halls/demo/kiosk")
    await page.wait_for_selector("#services .service")
    await page.click("[data-large-print]")
    await page.wait_for_selector("html.large-print")
    await page.clock.run_for(IDLE_MS - 10000)
    await page.click("#prompt")  # a touch on the start screen, on no button
    await page.clock.run_for(IDLE_MS - 10000)
    assert await page.evaluate("() => document.documentElement.classList.contains('large-print')")
    await page.clock.run_for(10000 + 1000)
    assert not await page.evaluate(
        "() => document.documentElement.classList.contains('large-print')"
    )
    assert await page.get_attribute("[data-large-print]", "aria-pressed") == "false"


async def text_of(page: Page, selector: str) -> str:
    return " ".join((await page.inner_text(selector)).split()).removeprefix("A+ ")


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_phone_large_print_doubles_fits_and_is_kept(
    api: Api, phone_browser: Browser, lang: str
) -> None:
    ticket = await api.issue("A")
    url = f"{api.base}/t/{ticket['id']}?lang={lang}"
    page = await open_page(phone_browser, url, PHONE, is_mobile=True, has_touch=True)
    await page.wait_for_selector("#waiting:not([hidden]) #ahead b")
    await page.wait_for_selector("#cancel:not([hidden])")
    assert_doubled(await turn_on(page))
    # The toggles, what the page tells and its buttons on the first screen; the buttons stay
    # on screen as the page scrolls, and at its end nothing is left behind them.
    actions = await page.eval_on_selector_all(
        ".actions button",
        "bs => bs.filter((b) => b.getClientRects().length).map((b) => '#' + b.id)",
    )
    assert "#cancel" in actions, actions
    await assert_fits(page, ["[data-large-print]", "#lang", "#number", *actions])
    await page.evaluate("() => window.scrollTo(0, document.body.scrollHeight / 3)")
    await assert_fits(page, actions)
    await page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    await assert_fits(page, [*actions, "#issued"])
    await assert_reachable(page, "#ahead, #wait, #note")
    # The language toggle relabels it; a reload (or the next ticket's page) keeps it on.
    await page.click("#lang")
    assert await text_of(page, "[data-large-print]") == ("Large text" if lang == "zh" else "大字")
    await page.reload()
    await page.wait_for_selector("html.large-print [data-large-print][aria-pressed='true']")
    await page.click("[data-large-print]")
    await page.reload()
    await page.wait_for_selector("#ahead b")
    assert await page.get_attribute("[data-large-print]", "aria-pressed") == "false"
    assert not await page.evaluate(
        "() => document.documentElement.classList.contains('large-print')"
    )
    assert not page.errors  # type: ignore[attr-defined]


# The page's layout width, every frame for 2 s.
WIDTHS_FOR_2S = """() => new Promise((done) => {
  const widths = [], start = performance.now();
  const look = () => {
    widths.push(window.innerWidth, document.documentElement.scrollWidth);
    if (performance.now() - start < 2000) requestAnimationFrame(look); else done(widths);
  };
  look();
})"""
# Only the endless pulse still runs: the call's one-off alert is over.
ALERT_DONE = "document.getAnimations().every((a) => a.effect.getTiming().iterations === Infinity)"


async def test_phone_large_print_when_called(api: Api, phone_browser: Browser) -> None:
    """Called to a window: the yellow page in large print, the window's number on one line."""
    ticket = await api.issue("A")
    page = await open_page(phone_browser, f"{api.base}/t/{ticket['id']}", PHONE, is_mobile=True)
    await page.click("[data-large-print]")
    status, body = await api.window(1, "call-next")
    assert status == 200, body
    await page.wait_for_selector("body.status-called #go:not([hidden])")
    # Through the call's alert (the line scales up, the number pulses) the page never widens:
    # a phone would zoom it out and back with each beat.
    widths = await page.evaluate(WIDTHS_FOR_2S)
    assert set(widths) == {PHONE["width"]}, sorted(set(widths))
    await wait_js(page, ALERT_DONE)  # the measures below are of the page at rest
    await assert_fits(page, ["[data-large-print]", "#go-line"])
    line = await page.locator("#go-line b").bounding_box()
    size = await page.eval_on_selector(
        "#go-line b", "b => parseFloat(getComputedStyle(b).fontSize)"
    )
    assert line is not None
    assert line["height"] < 1.6 * size, (line, size)  # one line
