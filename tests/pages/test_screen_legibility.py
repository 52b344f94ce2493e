"""The lobby and window screens as the public reads them, in a real Chromium: every frame of
every animation keeps text readable (WCAG contrast >= 4.5:1, sampled with the Web Animations
API), a burst of calls shows the newest at once, a long notice pages by whole lines, the English
notice, when tickets are next issued, and the window screen between calls and when unstaffed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page

from ..browser import chromium_missing, launch, wait_js
from ..helpers import Api

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    # What a screen draws does not depend on the database engine (the stream's frames are the
    # same: tests/stream/ runs them on both); SQLite alone keeps these ~40 s of Chromium once.
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

LOBBY = "/halls/demo/display"
WINDOW_1 = "/halls/demo/windows/1/display"
MIN_CONTRAST = 4.5
SAMPLES = 40  # points sampled through each animation

# Every visible element with text of its own: its colour over its background (the first opaque
# background up its ancestors, the translucent ones composited on top), as a WCAG ratio.
CONTRASTS = """() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) throw new Error(`colour ${c}`);
    const p = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3]))
    .concat(1);
  const lum = (c) => {
    const f = (v) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let bg = [255, 255, 255, 1];
    for (const layer of layers.reverse()) bg = over(layer, bg);
    return bg;
  };
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const bg = background(el);
    const fg = over(parse(getComputedStyle(el).color), bg);
    const [a, b] = [lum(fg), lum(bg)];
    out.push({ text: el.textContent.trim().slice(0, 24),
      ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) });
  }
  return out;
}"""

# Resolves once an animation runs (checked every frame), with every animation paused at once.
PAUSE_AT_FLASH = """() => new Promise((resolve) => {
  const check = () => {
    const all = document.getAnimations();
    if (!all.length) return requestAnimationFrame(check);
    for (const a of all) a.pause();
    resolve(all.length);
  };
  check();
})"""

SEEK = """(f) => {
  for (const a of document.getAnimations()) {
    const d = a.effect.getComputedTiming().duration;
    a.currentTime = Math.min(f * d, d - 1);
  }
}"""


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch() as b:
        yield b


async def open_screen(browser: Browser, url: str, size: tuple[int, int] = (1280, 720)) -> Page:
    """A screen at `url`, once its stream's snapshot is drawn."""
    page = await browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    async with page.expect_console_message(lambda m: "callnext: snapshot" in m.text):
        await page.goto(url)
    assert not errors, errors
    return page


async def text(page: Page, selector: str) -> str:
    return " ".join((await page.inner_text(selector)).split())


async def worst_contrast_through_animations(page: Page, trigger: Any) -> tuple[float, str]:
    """Run `trigger` (a call), pause every animation as the highlight starts, and read every
    text's contrast at SAMPLES points through them: the worst ratio and where."""
    paused = asyncio.ensure_future(page.evaluate(PAUSE_AT_FLASH))
    await trigger()
    assert await asyncio.wait_for(paused, 20) >= 1
    worst = (99.0, "")
    for i in range(SAMPLES + 1):
        await page.evaluate(SEEK, i / SAMPLES)
        for item in await page.evaluate(CONTRASTS):
            if item["ratio"] < worst[0]:
                worst = (item["ratio"], f"{item['text']!r} at {i / SAMPLES:.0%}")
    return worst


async def test_every_frame_of_every_highlight_is_readable(api: Api, browser: Browser) -> None:
    """The lobby at 1920×1080 and 1280×720, the window screen: the call's highlight (hero, the
    list's first line, the window's number) never puts text on a background it cannot be read
    on; at rest neither."""
    for _ in range(4):
        await api.issue("A")
    for number, size in ((1, (1920, 1080)), (2, (1280, 720))):
        page = await open_screen(browser, api.base + LOBBY, size)
        worst = await worst_contrast_through_animations(
            page, lambda n=number: api.window(n, "call-next")
        )
        print(f"lobby {size}: worst contrast {worst[0]:.2f} ({worst[1]})")
        assert worst[0] >= MIN_CONTRAST, (size, worst)
        await page.close()
    page = await open_screen(browser, api.base + WINDOW_1, (1920, 1080))
    worst = await worst_contrast_through_animations(page, lambda: api.window(1, "call-next"))
    print(f"window screen: worst contrast {worst[0]:.2f} ({worst[1]})")
    assert worst[0] >= MIN_CONTRAST, worst
    await page.evaluate("() => document.getAnimations().forEach((a) => a.finish())")
    at_rest = min(item["ratio"] for item in await page.evaluate(CONTRASTS))
    assert at_rest >= MIN_CONTRAST


async def test_a_burst_shows_the_newest_call_big_at_once(api: Api, browser: Browser) -> None:
    """Five windows call within a second: the hero shows the fifth caller's number as soon as
    it is called, the list shows all five newest first, each marked as just called."""
    for _ in range(5):
        await api.issue("A")
    await api.issue("B")
    page = await open_screen(browser, api.base + LOBBY, (1920, 1080))
    for window in (1, 2, 3, 4):
        assert (await api.window(window, "call-next"))[0] == 200
    assert (await api.window(5, "call-next"))[0] == 200  # B001, the newest
    await wait_js(
        page, "document.querySelector('#hero-number').textContent === 'B001'", timeout=3000
    )
    assert await text(page, "#hero-window") == "5号窗口"
    shown = await page.eval_on_selector_all(
        "#recent li:not([hidden])",
        "lis => lis.map(li => [li.innerText.replace(/\\s+/g, ' '),"
        " li.classList.contains('fresh')])",
    )
    assert shown == [
        ["B001 5号窗口", True], ["A004 4号窗口", True], ["A003 3号窗口", True],
        ["A002 2号窗口", True], ["A001 1号窗口", True],
    ]  # fmt: skip
    await asyncio.sleep(1.5)  # the sounds may still play in turn: the hero stays the newest
    assert await text(page, "#hero-number") == "B001"


LINES = """() => {
  const view = document.querySelector('.notice-view').getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(document.getElementById('notice-text'));
  const tops = new Map();
  for (const r of range.getClientRects()) {
    const key = Math.round(r.top);
    tops.set(key, Math.max(tops.get(key) ?? 0, r.bottom));
  }
  return { view: [view.top, view.bottom],
    lines: [...tops].map(([top, bottom]) => [top, bottom]).sort((a, b) => a[0] - b[0]) };
}"""


async def patch_settings(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    token = await api.login("manager")
    status, answer = await api.request("PATCH", "/api/v1/halls/demo/settings", body, token=token)
    assert status == 200, answer
    return answer  # type: ignore[no-any-return]


async def test_a_long_notice_pages_through_whole_lines(api: Api, browser: Browser) -> None:
    """A 500-character notice: a screenful at a time, never half a line, every line shown on
    some page; "1/N" says there is more; a short notice has no pages."""
    rule = "条：请携带身份证原件及复印件，按叫号顺序到窗口办理。"
    notice = "".join(f"第{i}{rule}" for i in range(1, 30))[:500]
    await patch_settings(api, {"notice": notice})
    for size in ((1920, 1080), (1280, 720)):
        page = await open_screen(browser, api.base + LOBBY + "?notice_s=2", size)
        pages = int((await text(page, "#notice-page")).split("/")[1])
        geometry = await page.evaluate(LINES)
        total = len(geometry["lines"])
        assert pages >= 3, pages
        assert total >= 2 * pages - 1, (pages, total)
        seen: set[str] = set()
        for n in range(1, pages + 1):
            await wait_js(
                page,
                "(n) => document.getElementById('notice-page').textContent.startsWith(n + '/')",
                arg=n,
                timeout=6000,
            )
            view = await page.evaluate(LINES)
            top, bottom = view["view"]
            inside = [ln for ln in view["lines"] if ln[1] > top + 0.5 and ln[0] < bottom - 0.5]
            assert inside, n
            for ln in inside:  # every line in the view is whole
                assert ln[0] >= top - 1, (size, n, ln, top)
                assert ln[1] <= bottom + 1, (size, n, ln, bottom)
            seen.update(f"{ln[0] - view['lines'][0][0]:.0f}" for ln in inside)
        assert len(seen) == total, (size, len(seen), total)
        await page.close()
    await patch_settings(api, {"notice": "今日 12:00–13:30 午休"})
    page = await open_screen(browser, api.base + LOBBY)
    assert await text(page, "#notice") == "今日 12:00–13:30 午休"
    assert await text(page, "#notice-page") == ""


async def test_english_screens_show_the_english_notice(api: Api, browser: Browser) -> None:
    """?lang=en shows the hall's English notice, live when it changes; without one, the Chinese
    notice; the settings API keeps and returns it."""
    answer = await patch_settings(api, {"notice": "中午不休息", "notice_en": "Open at noon"})
    assert answer["notice_en"] == "Open at noon"
    zh = await open_screen(browser, api.base + LOBBY)
    en = await open_screen(browser, api.base + LOBBY + "?lang=en")
    assert await text(zh, "#notice") == "中午不休息"
    assert await text(en, "#notice") == "Open at noon"
    assert (await api.hall())["notice_en"] == "Open at noon"
    await patch_settings(api, {"notice_en": ""})
    await wait_js(en, "document.getElementById('notice-text').textContent === '中午不休息'")
    await patch_settings(api, {"notice_en": "Lunch 12:00–13:30"})
    await wait_js(en, "document.getElementById('notice-text').textContent === 'Lunch 12:00–13:30'")
    assert await text(zh, "#notice") == "中午不休息"
    token = await api.login("manager")
    status, body = await api.request(
        "PATCH", "/api/v1/halls/demo/settings", {"notice_en": "x" * 501}, token=token
    )
    assert status == 400, body
    assert "notice_en" in body["error"]["message"], body


async def test_outside_hours_the_lobby_says_when_tickets_open(api: Api, browser: Browser) -> None:
    """Today closed (a closed date), hours 09:00–17:00 every day: the lobby says tickets start
    tomorrow at 09:00 (明天 09:00 开始取号 / Tickets from 09:00 tomorrow), not 暂停取号; a
    service the manager switched off still says 暂停取号."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    every_day = {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    await patch_settings(
        api, {"hours": every_day, "closed_dates": [today], "services": {"C": {"open": False}}}
    )
    state = {s["code"]: s for s in (await api.hall())["services"]}
    assert state["A"]["closed_reason"] == "hall_closed_today"
    assert state["A"]["next_open_at"].endswith("T09:00:00.000+08:00")
    assert state["C"]["next_open_at"] is None
    zh = await open_screen(browser, api.base + LOBBY)
    en = await open_screen(browser, api.base + LOBBY + "?lang=en")
    zh_queues, en_queues = await text(zh, "#queues"), await text(en, "#queues")
    assert zh_queues.count("明天 09:00 开始取号") == 2, zh_queues
    assert "暂停取号" in zh_queues  # C, switched off
    assert en_queues.count("Tickets from 09:00 tomorrow") == 2, en_queues


async def test_the_window_screen_between_calls_and_unstaffed(api: Api, browser: Browser) -> None:
    """Nobody at window 1: 暂停服务 / Closed. Its staff member takes it: the window's name, their
    display name and 工号, 请留意叫号; no login name. A call: the number; finished: back to the
    staff. They leave: 暂停服务 again."""
    token = await api.login("manager")
    status, body = await api.request(
        "PUT", "/api/v1/halls/demo/users/w1", {"display_name": "王芳", "staff_no": "A1023"},
        token=token,
    )  # fmt: skip
    assert status == 200, body
    assert (body["display_name"], body["staff_no"]) == ("王芳", "A1023")
    await api.issue("A")
    page = await open_screen(browser, api.base + WINDOW_1, (1920, 1080))
    assert await text(page, "#number") == "暂停服务"
    assert await text(page, "#paused-2") == "Closed"
    await api.staff(1)
    await page.wait_for_selector("#on-duty:not([hidden])")
    assert await page.is_hidden("#number")
    assert await text(page, "#desk-name") == "1号窗口"
    assert await text(page, "#staff") == "工作人员：王芳"
    assert await text(page, "#staff-no") == "工号：A1023"
    assert await text(page, "#sub") == "请留意叫号"
    assert "w1" not in await text(page, "main")
    window = next(w for w in (await api.hall())["windows"] if w["number"] == 1)
    assert (window["staff_name"], window["staff_no"]) == ("王芳", "A1023")
    en = await open_screen(browser, api.base + WINDOW_1 + "?lang=en")
    assert await text(en, "#staff") == "Staff: 王芳"
    assert await text(en, "#sub") == "Please watch for your number"
    await api.window(1, "call-next")
    await wait_js(page, "document.querySelector('#number').textContent === 'A001'")
    assert await page.is_hidden("#on-duty")
    await api.window(1, "finish", {"outcome": "completed"})
    await page.wait_for_selector("#on-duty:not([hidden])")
    assert (await api.window(1, "release"))[0] == 200
    await wait_js(page, "document.querySelector('#number').textContent === '暂停服务'")
    assert await page.is_hidden("#on-duty")
