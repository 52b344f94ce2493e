"""The lobby and window screens in a real browser (headless Chromium through Playwright).

Against a real server: the lobby shows a call within 1 s, keeps its DOM bounded, goes offline
and comes back after a server restart without a reload, resyncs on a seq gap; the window screen
follows its window; voice mode plays chime and announcement in call order, never overlapping;
a blocked autoplay shows the enable-sound prompt, and one key plays what waited.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, Page, WebSocketRoute

from callnext.live import protocol
from callnext.runtime.config import Settings

from .. import strict
from ..browser import TIMEOUT_MS, chromium_missing, launch, wait_js
from ..helpers import ROOT, Api, ServerProcess, read_events, running_app, wait_until

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")

LOBBY = "/halls/demo/display"
STREAM = re.compile(r".*/ws/v2/halls/demo.*")
CHIME = "/sounds/chime.wav"
EVENT_NAME = re.compile(r"(TICKET|WINDOW|HALL|APPOINTMENT|FOLLOWUP)_[A-Z_]+")
EVENT_CONSTANTS = [name for name in dir(protocol) if EVENT_NAME.fullmatch(name)]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Chromium as an unattended screen runs it: sound plays without a gesture."""
    async with launch(autoplay=True) as b:
        yield b


async def open_page(browser: Browser, url: str) -> Page:
    """A page at `url`, once its stream's snapshot is drawn (it logs "callnext: snapshot …")."""
    page = await browser.new_page(viewport={"width": 1280, "height": 720})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    async with page.expect_console_message(lambda m: "callnext: snapshot" in m.text, timeout=10000):
        await page.goto(url)
    assert not errors, errors
    return page


async def text(page: Page, selector: str) -> str:
    return (await page.text_content(selector) or "").strip()


async def recent(page: Page) -> list[str]:
    """The lobby's recent calls as shown: "A001 1号窗口", newest first."""
    items = await page.eval_on_selector_all(
        "#recent li:not([hidden])", "lis => lis.map(li => li.innerText.replace(/\\s+/g, ' '))"
    )
    return [str(i).strip() for i in items]


async def test_lobby_shows_a_call_then_the_list_and_counts_follow(
    api: Api, browser: Browser
) -> None:
    """From the POST of call-next to the number in the DOM (how fast: `callnext bench` and
    docs/performance.md); the list and the waiting counts follow."""
    await api.issue("A")
    await api.issue("A")
    page = await open_page(browser, api.base + LOBBY)
    assert await text(page, "#hall-name") == "演示政务服务中心"
    assert "等候 2 人" in await text(page, "#queues")
    shown = asyncio.ensure_future(
        wait_js(
            page, "document.querySelector('#hero-number').textContent === 'A001'", timeout=30_000
        )
    )
    start = time.monotonic()
    status, body = await api.window(3, "call-next")
    await asyncio.wait_for(shown, 30)
    print(f"the call took {time.monotonic() - start:.3f} s to show")
    assert status == 200
    assert body["called"]["number"] == "A001"
    assert await text(page, "#hero-window") == "3号窗口"
    assert await recent(page) == ["A001 3号窗口"]
    assert "等候 1 人" in await text(page, "#queues")


async def test_lobby_in_english_with_a_notice(api: Api, browser: Browser) -> None:
    """?lang=en: English labels and names; ?notice= fills the notice line; the hall name is in
    the HTML itself (first paint, before the stream)."""
    async with api.session.get(api.base + LOBBY + "?lang=en") as resp:
        assert resp.status == 200
        assert "Demo Service Hall" in await resp.text()
    await api.issue("B")
    await api.window(5, "call-next")
    page = await open_page(browser, api.base + LOBBY + "?lang=en&notice=Closed+at+noon")
    assert await text(page, "#hall-name") == "Demo Service Hall"
    assert await text(page, "#notice") == "Closed at noon"
    await page.wait_for_selector("#recent li:not([hidden])")  # the snapshot, drawn
    assert await recent(page) == ["B001 Window 5"]
    assert "Utility transfer" in await text(page, "#queues")
    assert await page.get_attribute("html", "lang") == "en"


async def test_lobby_dom_stays_bounded(api: Api, browser: Browser) -> None:
    """Fifteen calls: the list shows the last 10, newest first, and the DOM does not grow."""
    for _ in range(15):
        await api.issue("A")
    page = await open_page(browser, api.base + LOBBY)
    await api.window(1, "call-next")
    await wait_js(page, "document.querySelector('#hero-number').textContent === 'A001'")
    nodes = await page.evaluate("document.getElementsByTagName('*').length")
    for _ in range(14):
        await api.window(1, "call-next")
    await wait_js(page, "document.querySelector('#recent li').textContent.startsWith('A015')")
    shown = await recent(page)
    assert shown == [f"A{n:03d} 1号窗口" for n in range(15, 5, -1)]
    assert await page.evaluate("document.getElementsByTagName('*').length") == nodes


def test_protocol_js_mirrors_protocol_py() -> None:
    """The pages' protocol.js names the same frame types, events and close codes."""
    js = (ROOT / "displays" / "static" / "shared" / "protocol.js").read_text()
    consts = dict(re.findall(r'export const (\w+) = "?([\w.]+)"?;', js))
    for name in ("SNAPSHOT", "EVENT", "CLOSE_TOO_SLOW", "CLOSE_SHUTDOWN", *EVENT_CONSTANTS):
        assert consts.get(name) == str(getattr(protocol, name)), name
    assert {consts[name] for name in EVENT_CONSTANTS} == protocol.EVENT_NAMES


async def test_pages_answer_404_for_an_unknown_hall_or_window(api: Api) -> None:
    for path in ("/halls/nowhere/display", "/halls/nowhere/windows/1/display",
                 "/halls/demo/windows/99/display"):  # fmt: skip
        async with api.session.get(api.base + path) as resp:
            assert resp.status == 404, path
            assert resp.content_type == "text/html"
            assert "404" in await resp.text()
    for path in ("/halls/demo/windows/8/display", CHIME, "/static/shared/protocol.js"):
        async with api.session.get(api.base + path) as resp:
            assert resp.status == 200, path


async def test_window_screen_shows_its_number_and_paused(api: Api, browser: Browser) -> None:
    """Window 1's screen: its current number, not another window's; "暂停服务 / Paused" with the
    reason while paused; its number again after resume. (Nobody works there yet: "暂停服务 /
    Closed", test_screen_legibility.py.)"""
    await api.issue("A")
    await api.issue("A")
    page = await open_page(browser, api.base + "/halls/demo/windows/1/display")
    assert await text(page, "#number") == "暂停服务"
    assert await text(page, "#paused-2") == "Closed"
    await api.window(1, "call-next")
    await wait_js(page, "document.querySelector('#number').textContent === 'A001'")
    await api.window(2, "call-next")  # A002 goes to window 2: not shown here
    assert (await api.window(1, "pause", {"reason": "午休"}))[0] == 200
    await wait_js(page, "document.querySelector('#number').textContent === '暂停服务'")
    assert await text(page, "#paused-2") == "Paused"
    assert await text(page, "#sub") == "午休"
    assert (await api.window(1, "resume"))[0] == 200
    await wait_js(page, "document.querySelector('#number').textContent === 'A001'")
    assert await page.is_hidden("#paused-2")


async def test_a_seq_gap_makes_the_lobby_resync(api: Api, browser: Browser) -> None:
    """A frame lost in transit (dropped here by a WebSocket route): the next frame shows a gap,
    the page reconnects without ?since= and the snapshot brings the lost call."""
    await api.issue("A")
    urls: list[str] = []
    dropped: list[int] = []

    def route(ws: WebSocketRoute) -> None:
        urls.append(ws.url)
        server = ws.connect_to_server()

        def relay(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("event") == "ticket.called" and not dropped:
                dropped.append(frame["seq"])
                return
            ws.send(message)

        server.on_message(relay)

    page = await browser.new_page()
    await page.route_web_socket(STREAM, route)
    async with page.expect_console_message(lambda m: "stream online" in m.text):
        await page.goto(api.base + LOBBY)
    await api.window(1, "call-next")

    async def seen() -> bool:
        return bool(dropped)

    await wait_until(seen, timeout=30)  # the route saw the call, and dropped it
    assert await recent(page) == [], "the dropped call showed anyway"
    async with page.expect_console_message(lambda m: "resync" in m.text):
        await api.issue("A")  # the next frame: seq dropped + 1
    await wait_js(page, "document.querySelector('#hero-number').textContent === 'A001'")
    assert await recent(page) == ["A001 1号窗口"]
    assert len(urls) == 2, urls
    assert all("since" not in url for url in urls), urls
    assert await page.evaluate("callnextStream.stats.resyncs") == 1


async def test_lobby_survives_a_server_restart_without_reload(
    db_url: str, browser: Browser
) -> None:
    """The server stops: the offline banner shows. It starts again on the same port: the page
    reconnects with ?since=, hides the banner and shows the next call; never reloaded."""
    server = ServerProcess(db_url)
    await asyncio.to_thread(server.start)
    try:
        async with aiohttp.ClientSession() as session:
            api = Api(server.base, session)
            await api.issue("A")
            await api.issue("A")
            await api.window(1, "call-next")
            page = await open_page(browser, api.base + LOBBY)
            navigations: list[str] = []
            page.on("framenavigated", lambda frame: navigations.append(frame.url))
            await page.evaluate("window.__bootId = 'first-load'")
            assert await page.is_hidden("#offline")

            await asyncio.to_thread(server.stop)
            await page.wait_for_selector("#offline", state="visible", timeout=TIMEOUT_MS)
            assert "连接中断" in await text(page, "#offline")

            await asyncio.to_thread(server.start)
            await page.wait_for_selector("#offline", state="hidden", timeout=15000)
            api.tokens.clear()
            await api.window(2, "call-next")
            await wait_js(
                page, "document.querySelector('#hero-number').textContent === 'A002'", timeout=5000
            )
            assert await recent(page) == ["A002 2号窗口", "A001 1号窗口"]
            assert await page.evaluate("window.__bootId") == "first-load"
            assert navigations == []
            urls = await page.evaluate("callnextStream.stats.urls")
            assert urls[-1].endswith("?since=3"), urls
    finally:
        await asyncio.to_thread(server.stop)


def fake_audio(frame: dict[str, Any]) -> str | None:
    """The announcement audio the test's WebSocket route sets: a known URL for each call (the
    chime file again, told apart by its query), none for a recall (as when rendering failed)."""
    if frame["event"] == "ticket.recalled":
        return None
    return f"{CHIME}?announce={frame['ticket']['number']}"


def set_audio(audio: Callable[[dict[str, Any]], str | None]) -> Callable[[WebSocketRoute], None]:
    """A WebSocket route that sets each announcement's audio: the page's playback order is
    tested apart from the server's voice renderer."""

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def relay(message: str | bytes) -> None:
            frame = json.loads(message)
            if "announce" in frame:
                frame["announce"]["audio"] = frame["announce"]["audio_en"] = audio(frame)
                message = json.dumps(frame, ensure_ascii=False)
            ws.send(message)

        server.on_message(relay)

    return route


async def played_to_the_end(page: Page, count: int) -> list[str]:
    """Once `count` sounds have played: their URLs in order, checked one after the other
    (each starts after the previous ended) and each played whole (not cut short)."""
    await wait_js(
        page,
        f"callnextSound.log.length === {count} && callnextSound.log[{count - 1}].end !== null",
        timeout=30000,
    )
    log = await page.evaluate("callnextSound.log")
    for before, after in itertools.pairwise(log):
        assert after["start"] >= before["end"], f"two sounds overlapped: {before} {after}"
    for entry in log:
        assert entry["end"] - entry["start"] > 1000, f"cut short: {entry}"  # chime: 1.2 s
    played: list[str] = await page.evaluate("window.callnextPlayed")
    return played


async def test_voice_mode_plays_chime_then_announcement_in_call_order(
    api: Api, browser: Browser
) -> None:
    """Three calls 1 s apart (each announcement lasts longer than that), then a recall with no
    audio: chime, announcement, chime, announcement … in call order, then the recall's chime."""
    for service in ("A", "B", "A"):
        await api.issue(service)
    page = await browser.new_page()
    await page.route_web_socket(STREAM, set_audio(fake_audio))
    async with page.expect_console_message(lambda m: "stream online" in m.text):
        await page.goto(api.base + LOBBY + "?mode=voice")
    numbers = []
    for window in (1, 5, 2):
        if numbers:
            await asyncio.sleep(1)
        status, body = await api.window(window, "call-next")
        assert status == 200, body
        numbers.append(body["called"]["number"])
    assert numbers == ["A001", "B001", "A002"]
    await asyncio.sleep(1)
    assert (await api.window(1, "recall"))[0] == 200
    expected = [url for n in numbers for url in (CHIME, f"{CHIME}?announce={n}")] + [CHIME]
    assert await played_to_the_end(page, 7) == expected


async def test_voice_mode_plays_the_servers_announcements(tmp_path: Path, browser: Browser) -> None:
    """With the server's own voice (espeak-ng through pyttsx3), an English screen plays each
    call's English WAV after the chime, in call order. (SQLite only: the page is under test.)"""
    settings = Settings(
        db_url=f"sqlite:///{tmp_path / 'voice.db'}", demo=True, demo_all_day=True, rate_limits=None
    )
    async with running_app(settings) as api:
        await api.issue("A")
        await api.issue("B")
        page = await open_page(browser, api.base + LOBBY + "?mode=voice&lang=en")
        await api.window(1, "call-next")
        await asyncio.sleep(1)
        await api.window(5, "call-next")
        frames = [f for f in await read_events(api) if f["event"] == "ticket.called"]
        if frames[0]["announce"]["audio_en"] is None:
            strict.skip("the server's voice is unavailable here (espeak-ng missing?)")
        urls = [f["announce"]["audio_en"] for f in frames]
        assert urls == ["/sounds/announce/en/A001-1.wav", "/sounds/announce/en/B001-5.wav"]
        assert await played_to_the_end(page, 4) == [CHIME, urls[0], CHIME, urls[1]]


async def test_blocked_autoplay_shows_the_prompt_and_one_key_plays(api: Api) -> None:
    """Without the autoplay flag and without any gesture (no evaluate before the sound is due:
    Playwright's evaluate counts as one), the chime is refused and the prompt shows; Enter on the
    focused prompt plays the waiting chime."""
    await api.issue("A")
    async with launch(autoplay=False) as browser:
        page = await browser.new_page()
        async with page.expect_console_message(lambda m: "stream online" in m.text):
            await page.goto(api.base + LOBBY + "?mode=chime")
        async with page.expect_console_message(lambda m: "play() refused" in m.text):
            await api.window(1, "call-next")
        assert await page.is_visible("#enable-sound")
        assert await page.evaluate("document.activeElement.id") == "enable-sound"
        assert await page.evaluate("window.callnextPlayed") == []
        await page.keyboard.press("Enter")
        await wait_js(page, "window.callnextPlayed.length === 1")
        assert await page.evaluate("window.callnextPlayed") == [CHIME]
        assert await page.is_hidden("#enable-sound")
