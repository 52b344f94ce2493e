"""The touch kiosk (/halls/{hall}/kiosk) in a real browser (headless Chromium through Playwright)
against a real server, on SQLite only (the page is under test, not the database).

A tap issues exactly one ticket, a double tap or a lost reply too (the retry reuses the tap's
Idempotency-Key); a server that does not answer gets a clear message and the start again;
closed services say why, live from the stream; the priority lane issues priority tickets; the
QR code is the ticket's; browser printing prints each ticket once on an 80 mm page; the language
toggle switches in place; the countdown goes back to the start; the page never reloads.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, Route, WebSocketRoute

from callnext.printing.qr import qr_svg

from ..browser import TIMEOUT_MS, chromium_missing, launch, text, wait_js, wait_text
from ..helpers import Api, free_port

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

KIOSK = "/halls/demo/kiosk"
TICKETS = "**/api/v1/halls/demo/tickets"
STREAM = re.compile(r".*/ws/v[0-9]+/halls/demo.*")  # whichever stream the page reads
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MM_80 = 80 / 25.4 * 72  # 226.77 pt
QR_LOADED = "(img => img.complete && img.naturalWidth > 0)(document.getElementById('t-qr'))"
# Instrumentation: count the page's window.print() calls, with the number on the slip then.
COUNT_PRINTS = """
window.__prints = [];
window.print = () => window.__prints.push(document.getElementById("s-number").textContent);
"""


def service(code: str) -> str:
    return f".service[data-code='{code}']"


class Kiosks:
    """Opens kiosk pages in one browser; at the end, none of them had a script error or
    navigated again (a kiosk never reloads)."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.problems: list[str] = []

    async def open(
        self,
        api: Api,
        query: str = "",
        *,
        size: tuple[int, int] = (1080, 1920),
        init: str | None = None,
        setup: Callable[[Page], Awaitable[None]] | None = None,
    ) -> Page:
        """The kiosk at `query`, once its stream is connected, its services shown and the
        hall's booking policy known (the 我有预约 entry shows or stays hidden by it)."""
        page = await self.browser.new_page(viewport={"width": size[0], "height": size[1]})
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        if init:
            await page.add_init_script(init)
        if setup:
            await setup(page)
        async with page.expect_console_message(lambda m: "stream online" in m.text):
            await page.goto(api.base + KIOSK + query)
        await page.wait_for_selector(service("A"))
        await page.wait_for_selector("#checkin-entry[data-policy]", state="attached")
        page.on("framenavigated", lambda f: self.problems.append(f"navigated to {f.url}"))
        return page


@pytest.fixture
async def kiosks() -> AsyncIterator[Kiosks]:
    async with launch() as browser:
        opened = Kiosks(browser)
        yield opened
        assert not opened.problems, opened.problems


async def shown_number(page: Page) -> str:
    await page.wait_for_selector("#ticket", state="visible", timeout=10000)
    return await text(page, "#t-number")


async def done(page: Page) -> None:
    await page.click("#done")
    await page.wait_for_selector("#start", state="visible")


async def settings(api: Api, patch: dict[str, Any]) -> None:
    token = await api.login("manager")
    status, body = await api.request("PATCH", "/api/v1/halls/demo/settings", patch, token=token)
    assert status == 200, body


async def put_kiosk(api: Api, code: str, body: dict[str, Any]) -> None:
    token = await api.login("manager")
    status, answer = await api.request(
        "PUT", f"/api/v1/halls/demo/kiosks/{code}", body, token=token
    )
    assert status in (200, 201), answer


def keys_of(page: Page) -> list[str]:
    """The Idempotency-Key of each ticket POST the page sends (retries included)."""
    keys: list[str] = []
    page.on(
        "request",
        lambda r: (
            keys.append(r.headers.get("idempotency-key", ""))
            if r.method == "POST" and r.url.endswith("/tickets")
            else None
        ),
    )
    return keys


async def test_a_tap_issues_one_ticket_with_its_qr_code(api: Api, kiosks: Kiosks) -> None:
    """One tap: one Idempotency-Key, one ticket on the server, its number, service, people
    ahead and the QR code of its phone page (/t/{id}) on the screen."""
    await api.staff(1)  # someone works at a window of A: there is an estimate to give
    page = await kiosks.open(api)
    assert "等候 0 人 · 无需等候" in await text(page, service("A"))
    keys = keys_of(page)
    await page.click(service("A"))
    assert await shown_number(page) == "A001"
    tickets = await api.day_tickets()
    assert [t["number"] for t in tickets] == ["A001"]
    assert len(set(keys)) == 1, keys  # one tap's key (its retries, past 6 s, send it again)
    assert re.fullmatch(r"[0-9a-f]{32}", keys[0]), keys
    assert await text(page, "#t-service") == "不动产登记 Real estate registration"
    assert await text(page, "#t-ahead") == "前面没有人"
    assert await text(page, "#t-print") == "请拍照或扫码保存您的号码"
    assert await page.is_hidden("#t-priority")
    assert "扫码在手机上查看进度" in await text(page, ".qr")
    assert await page.evaluate("document.activeElement.id") == "done"

    src = await page.get_attribute("#t-qr", "src")
    assert src == f"/t/{tickets[0]['id']}/qr.svg"
    await wait_js(page, QR_LOADED)
    async with api.session.get(api.base + src) as resp:
        assert resp.status == 200
        assert resp.content_type == "image/svg+xml"
        assert await resp.text() == qr_svg(f"{api.base}/t/{tickets[0]['id']}")


async def test_a_double_tap_or_a_double_enter_makes_one_ticket(api: Api, kiosks: Kiosks) -> None:
    """Each POST held until the test lets it go: the tapped button is disabled at once and
    "正在取号…" shows; the second tap (or Enter) of a double one is ignored. The keyboard reaches
    the services with Tab, and the focused one is outlined."""
    page = await kiosks.open(api)
    keys = keys_of(page)
    gate = asyncio.Event()

    async def held(route: Route) -> None:
        await gate.wait()
        await route.continue_()

    await page.route(TICKETS, held)
    await page.dblclick(service("A"))
    assert await page.is_disabled(service("A"))
    assert await text(page, "#busy") == "正在取号…"
    gate.set()
    assert await shown_number(page) == "A001"
    await done(page)

    gate.clear()
    await page.wait_for_selector(service("B") + ":enabled")
    for _ in range(8):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.dataset.code") == "B":
            break
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    await page.keyboard.press("Enter")
    await page.keyboard.press("Enter")
    assert await page.is_visible("#busy")
    gate.set()
    assert await shown_number(page) == "B001"
    assert sorted(t["number"] for t in await api.day_tickets()) == ["A001", "B001"]
    # One key per tap (the second tap or Enter sent none of its own). A request held past
    # kiosk-issue.js's 6 s (a loaded machine) is retried, with the same key: still one ticket.
    assert len(set(keys)) == 2, keys
    assert keys == sorted(keys, key=keys.index), keys  # each tap's retries follow it


async def test_a_lost_reply_is_retried_with_the_same_key(api: Api, kiosks: Kiosks) -> None:
    """The server issues the ticket but its reply never reaches the page: the page asks again
    with the same Idempotency-Key, gets the same ticket (replayed) and shows its number."""
    page = await kiosks.open(api)
    seen: list[tuple[str, dict[str, Any], dict[str, str]]] = []

    async def lose_the_first_reply(route: Route) -> None:
        response = await route.fetch()
        seen.append((route.request.headers["idempotency-key"], await response.json(),
                     response.headers))  # fmt: skip
        if len(seen) == 1:
            await route.abort("connectionreset")
        else:
            await route.fulfill(response=response)

    await page.route(TICKETS, lose_the_first_reply)
    await page.click(service("A"))
    assert await shown_number(page) == "A001"
    assert len(seen) == 2
    (key1, first, _), (key2, second, headers) = seen
    assert key1 == key2
    assert first["id"] == second["id"]
    assert headers.get("idempotent-replayed") == "true"
    assert len(await api.day_tickets()) == 1


async def test_a_server_that_does_not_answer(api: Api, kiosks: Kiosks) -> None:
    """Every POST refused: three attempts with one key, then the clear message and the start
    again. Then the stream is lost too: the banner shows, and the page still issues."""
    sockets: list[WebSocketRoute] = []

    async def stream_until_cut(ws: WebSocketRoute) -> None:
        if sockets:  # the stream is cut: every reconnect is refused
            await ws.close()
            return
        sockets.append(ws)
        ws.connect_to_server()

    async def setup(page: Page) -> None:
        await page.route_web_socket(STREAM, stream_until_cut)

    page = await kiosks.open(api, "?return=3", setup=setup)
    keys = keys_of(page)
    await page.route(TICKETS, lambda route: route.abort("connectionrefused"))
    await page.click(service("A"))
    await page.wait_for_selector("#failure", state="visible", timeout=10000)
    assert await text(page, "#f-reason") == "暂时无法取号，请稍后再试或咨询工作人员"
    assert len(keys) == 3, keys
    assert len(set(keys)) == 1, keys
    await page.wait_for_selector("#start", state="visible", timeout=6000)
    assert await api.day_tickets() == []

    await page.unroute(TICKETS)
    await sockets[0].close()
    await page.wait_for_selector("#offline", state="visible", timeout=TIMEOUT_MS)
    assert await text(page, "#offline") == "网络连接中断，正在重连…"
    await page.click(service("A"))
    assert await shown_number(page) == "A001"


def later_today(timezone: str) -> str | None:
    """A whole hour later today in the hall's time ("HH:00"), or None late in the evening."""
    hour = (datetime.now(ZoneInfo(timezone)) + timedelta(hours=1)).hour
    return f"{hour:02d}:00" if 1 <= hour <= 22 else None


async def test_closed_services_say_why_live(api: Api, kiosks: Kiosks) -> None:
    """Quota reached after the one ticket; closed by the hours for today or until later;
    switched off; a holiday: each shows its words, disabled, from the stream (no reload)."""
    await settings(api, {"services": {"A": {"daily_quota": 1}}})
    page = await kiosks.open(api)
    assert "今日剩余 1 个号" in await text(page, service("A"))
    await page.click(service("A"))
    assert await shown_number(page) == "A001"
    await done(page)
    await wait_text(page, service("A"), "今日号已发完")
    assert await page.is_disabled(service("A"))

    await settings(api, {"services": {"B": {"hours": {day: [] for day in WEEKDAYS}}}})
    await wait_text(page, service("B"), "今日已停止取号")
    assert await page.is_disabled(service("B"))
    later = later_today((await api.hall())["timezone"])
    if later is not None:
        hours = {day: [f"{later}-23:59"] for day in WEEKDAYS}
        await settings(api, {"services": {"C": {"hours": hours}}})
        await wait_text(page, service("C"), f"未到取号时间，{later} 开始")
    await settings(api, {"services": {"C": {"open": False}}})
    await wait_text(page, service("C"), "暂停取号")
    today = (await api.day_tickets())[0]["day"]
    await settings(api, {"closed_dates": [today]})
    await wait_text(page, service("B"), "今日休息")
    assert await page.locator(".service:enabled").count() == 0


async def test_a_refused_tap_says_why_and_refreshes(api: Api, kiosks: Kiosks) -> None:
    """A kiosk that missed the stream's events (dropped here) still shows A open after its
    quota went to 0: the tap is refused (409), the page says why, then shows A as it is."""

    def snapshots_only(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        server.on_message(lambda m: ws.send(m) if json.loads(m)["type"] == "snapshot" else None)

    async def setup(page: Page) -> None:
        await page.route_web_socket(STREAM, snapshots_only)

    page = await kiosks.open(api, "?return=3", setup=setup)
    await settings(api, {"services": {"A": {"daily_quota": 0}}})
    assert "等候 0 人" in await text(page, service("A"))
    await page.click(service("A"))
    await page.wait_for_selector("#failure", state="visible")
    assert await text(page, "#f-service") == "不动产登记"
    # and, once the kiosk has read the hall again (the tap's refusal makes it), when tickets
    # are issued again: the quota's day ends (the test hall is open 24 h)
    when = "今日号已发完 · 明天 00:00 开始取号"
    await wait_js(page, f"document.getElementById('f-reason').textContent === '{when}'")
    await page.click("#f-ok")
    await page.wait_for_selector("#start", state="visible")
    assert "今日号已发完" in await text(page, service("A"))
    assert await page.is_disabled(service("A"))


async def test_the_priority_lane(api: Api, kiosks: Kiosks) -> None:
    """绿色通道: marked, services without it disabled, a way back; its tickets are priority."""
    await settings(api, {"services": {"C": {"priority_allowed": False}}})
    page = await kiosks.open(api)
    assert await text(page, "#priority-entry") == "绿色通道 老年人、残疾人、孕妇"
    await page.click("#priority-entry")
    await page.wait_for_selector("#priority-bar", state="visible")
    assert "绿色通道" in await text(page, "#priority-bar")
    await wait_text(page, service("C"), "不设绿色通道")
    assert await page.is_disabled(service("C"))
    await page.click("#priority-back")
    await page.wait_for_selector("#priority-bar", state="hidden")
    await page.wait_for_selector(service("C") + ":enabled")

    await page.click("#priority-entry")
    await page.click(service("A"))
    assert await shown_number(page) == "A001"
    assert await page.is_visible("#t-priority")
    assert [t["priority"] for t in await api.day_tickets()] == [True]
    await done(page)
    assert await page.is_hidden("#priority-bar")  # the next citizen starts in the normal lane

    await settings(api, {"services": {"A": {"priority_allowed": False},
                                      "B": {"priority_allowed": False}}})  # fmt: skip
    await page.wait_for_selector("#priority-entry", state="hidden")


def media_box(pdf: bytes) -> list[float]:
    match = re.search(rb"/MediaBox\s*\[([^\]]*)\]", pdf)
    assert match, "no MediaBox"
    return [float(v) for v in match.group(1).split()]


def pdf_text(pdf: bytes) -> str:
    """The text of a Chromium PDF, enough to find a number in it: each content stream's glyph
    strings decoded with the ToUnicode map of the font they are shown in."""
    objects = dict(re.findall(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S))

    def stream(body: bytes) -> bytes:
        found = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
        if not found:
            return b""
        try:
            return zlib.decompress(found.group(1))
        except zlib.error:
            return found.group(1)

    def cmap(data: bytes) -> dict[bytes, str]:
        codes: dict[bytes, str] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
            for src, dst in re.findall(rb"<(\w+)>\s*<(\w+)>", block):
                codes[src.upper()] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
            for lo, hi, dst in re.findall(rb"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
                for i in range(int(hi, 16) - int(lo, 16) + 1):
                    codes[f"{int(lo, 16) + i:0{len(lo)}X}".encode()] = chr(int(dst, 16) + i)
        return codes

    fonts: dict[bytes, dict[bytes, str]] = {}
    for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", pdf):
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects.get(ref, b""))
        if to_unicode:
            fonts[name] = cmap(stream(objects[to_unicode.group(1)]))
    out: list[str] = []
    for body in objects.values():
        data = stream(body)
        if b"BT" not in data or b"begincmap" in data:
            continue
        codes: dict[bytes, str] = {}
        for font, glyphs in re.findall(rb"/(F\d+) [\d.]+ Tf|<([0-9A-Fa-f]+)> Tj", data):
            if font:
                codes = fonts.get(font, {})
                continue
            width = len(next(iter(codes), b"00"))
            for i in range(0, len(glyphs), width):
                out.append(codes.get(glyphs[i : i + width].upper(), "?"))
    return "".join(out)


async def test_no_staffed_window_invents_no_wait(api: Api, kiosks: Kiosks) -> None:
    """At opening nobody works at a window: the kiosk says so instead of "no wait", on its
    buttons, its ticket screen and the browser-printed slip; once someone takes a window of
    A the button shows a figure again, live."""
    await put_kiosk(api, "K1", {"name": "门口", "print": "browser"})
    page = await kiosks.open(api, "?kiosk=K1", init=COUNT_PRINTS)
    assert "等候 0 人 · 暂无窗口办理" in await text(page, service("A"))
    assert "无需等候" not in await text(page, "#services")
    await page.click(service("A"))
    assert await shown_number(page) == "A001"
    assert await text(page, "#t-ahead") == "前面没有人 · 暂无窗口办理，无法估计等候时间"
    await wait_js(page, "window.__prints.length === 1")
    slip = await page.eval_on_selector("#s-ahead", "el => el.textContent")
    assert "暂无窗口办理，无法估计等候时间" in slip
    assert "No window is serving this now; no wait estimate" in slip
    assert "分钟" not in slip
    assert "min" not in slip
    await done(page)
    await api.staff(1)  # window 1 would call A001 at once; a ticket taken now waits 300 s
    await wait_text(page, service("A"), "等候 1 人 · 约 5 分钟")


async def test_browser_printing_prints_each_ticket_once_and_others_never(
    api: Api, kiosks: Kiosks
) -> None:
    """A kiosk that prints from the browser: window.print() once per ticket, after the QR code
    loaded; the print layout is one 80 mm wide page with the number on it. Other kiosks never
    call window.print()."""
    await put_kiosk(api, "K1", {"name": "门口", "print": "browser"})
    page = await kiosks.open(api, "?kiosk=K1", init=COUNT_PRINTS)
    await page.click(service("A"))
    await wait_js(page, "window.__prints.length === 1")
    assert await page.evaluate("document.getElementById('s-qr').complete")
    assert await text(page, "#t-print") == "请取走号票"

    await page.emulate_media(media="print")
    pdf = await page.pdf(prefer_css_page_size=True, print_background=True)
    await page.emulate_media(media="screen")
    _x0, _y0, width, height = media_box(pdf)
    assert abs(width - MM_80) < 1, width
    assert 200 < height < 600, height  # one slip, as tall as its content
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1
    assert "A001" in pdf_text(pdf)

    await done(page)
    await page.click(service("B"))
    await wait_js(page, "window.__prints.length === 2")
    assert await page.evaluate("window.__prints") == ["A001", "B001"]

    # An ESC/POS kiosk whose printer is off says the print failed; a kiosk that does not print
    # asks for a photo; neither calls window.print().
    await put_kiosk(api, "K2", {"name": "侧门", "print": "escpos",
                                "printer": f"tcp://127.0.0.1:{free_port()}"})  # fmt: skip
    for query, words in (
        ("?kiosk=K2", "打印失败，请扫码或拍照保存"),
        ("", "请拍照或扫码保存您的号码"),
    ):
        page = await kiosks.open(api, query, init=COUNT_PRINTS)
        await page.click(service("C"))
        await page.wait_for_selector("#ticket", state="visible")
        assert await text(page, "#t-print") == words
        await wait_js(page, QR_LOADED)
        await page.wait_for_timeout(300)  # a print would follow the QR code at once
        assert await page.evaluate("window.__prints") == []


async def test_the_language_toggle_switches_in_place(api: Api, kiosks: Kiosks) -> None:
    """中文 → English and back, on the start and the ticket screen, with no reload; an
    unregistered ?kiosk= gets a staff line and tickets are issued without it; ?lang=en starts
    in English."""
    await api.staff(1)  # a staffed window serves A: "no wait" is a true estimate
    page = await kiosks.open(api, "?kiosk=NOPE")
    assert await text(page, "#prompt") == "请选择要办理的业务"
    assert await text(page, "#unknown-kiosk") == "取号机 NOPE 未登记"
    await page.click(".lang [data-lang='en']")
    assert await page.get_attribute("html", "lang") == "en"
    assert await text(page, "#prompt") == "Please choose a service"
    assert await text(page, "#hall-name") == "Demo Service Hall"
    assert await text(page, service("A") + " .name") == "Real estate registration"
    assert await text(page, service("A") + " .state") == "0 waiting · no wait"
    assert await text(page, "#priority-entry") == "Priority lane Elderly, disabled, pregnant"
    assert await text(page, "#unknown-kiosk") == "Kiosk NOPE is not registered"
    assert await page.get_attribute(".lang [data-lang='en']", "aria-pressed") == "true"

    await page.click(service("A"))
    assert await shown_number(page) == "A001"
    assert await text(page, "#ticket .label") == "Your number"
    assert await text(page, "#t-ahead") == "Nobody ahead of you"
    await page.click(".lang [data-lang='zh']")
    assert await text(page, "#ticket .label") == "您的号码"
    assert (await text(page, "#done")).startswith("完成")
    assert await page.get_attribute("html", "lang") == "zh-CN"

    english = await kiosks.open(api, "?lang=en")
    assert await text(english, "#prompt") == "Please choose a service"
    assert await text(english, "#hall-name") == "Demo Service Hall"
    assert "1 waiting" in await text(english, service("A"))


async def test_the_countdown_returns_to_the_start(api: Api, kiosks: Kiosks) -> None:
    """?return=3: the ticket shows "back in 3 s", counts down and goes back to the start in the
    page's own language, where the waiting count has followed the stream."""
    page = await kiosks.open(api, "?return=3&lang=en", size=(1280, 720))
    await page.click(service("A"))
    assert await shown_number(page) == "A001"
    # What the countdown says, and a lower bound on when it ends: it shows the seconds left,
    # rounded up, so "back in N s" seen at t ends after t + N - 1 (a loaded machine may be
    # a second or two behind the page: no upper bound but the wait's ceiling)
    seen_at = time.monotonic()
    said = re.fullmatch(r"back in ([1-3]) s", await text(page, "#countdown"))
    assert said is not None
    await page.click(".lang [data-lang='zh']")
    assert re.fullmatch(r"[0-3] 秒后返回", await text(page, "#countdown"))
    await page.wait_for_selector("#start", state="visible", timeout=30000)
    assert time.monotonic() - seen_at > int(said[1]) - 1
    assert await text(page, "#prompt") == "Please choose a service"
    assert "1 waiting" in await text(page, service("A"))
