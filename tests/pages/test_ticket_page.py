"""The citizen's ticket page on a phone (/t/{id}) in a real browser (headless Chromium).

Against a real server (SQLite only: the page is under test): the page shows the number, the
service and the place in the line, live; a call shows "go to window N" within 1 s with a
vibration, a new title and a notification (when allowed), again on a recall; a transfer waits
again in the new service; cancel asks first; English by ?lang= or the phone's language, and a
toggle; a restart of the server is caught up without a reload; no other ticket's id in the page.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, WebSocketRoute

from ..browser import TIMEOUT_MS, chromium_missing, launch, wait_js
from ..helpers import Api, ServerProcess, wait_until

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
}
# Records the page's alerts: navigator.vibrate and `new Notification` calls.
RECORD_ALERTS = """
window.vibrations = [];
Object.defineProperty(navigator, "vibrate", {
  configurable: true,
  value: (pattern) => { window.vibrations.push(pattern); return true; },
});
window.notifications = [];
if ("Notification" in window) {
  const Real = window.Notification;
  window.Notification = class {
    constructor(title, options = {}) {
      window.notifications.push({ title, body: options.body, tag: options.tag });
    }
    static get permission() { return Real.permission; }
    static requestPermission(...args) { return Real.requestPermission(...args); }
  };
}
"""
GO_SHOWN = "!document.getElementById('go').hidden"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch(full=True) as b:  # notifications: the page asks for them, a test grants them
        yield b


async def phone_context(browser: Browser, **options: Any) -> BrowserContext:
    context = await browser.new_context(**{"locale": "zh-CN", **PHONE, **options})
    await context.add_init_script(RECORD_ALERTS)
    return context


async def open_ticket(context: BrowserContext, url: str, deaf_stream: bool = False) -> Page:
    """The ticket page at `url` once its stream is connected, marked (`window.firstLoad`: a
    reload would lose it). `deaf_stream`: the page's WebSocket opens but hears nothing."""
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    if deaf_stream:
        await page.route_web_socket("**/ws/v2/**", lambda ws: None)
    async with page.expect_console_message(lambda m: "stream online" in m.text, timeout=10000):
        await page.goto(url)
    assert not errors, errors
    await page.evaluate("window.firstLoad = true")
    return page


async def open_phone(browser: Browser, url: str, **options: Any) -> Page:
    return await open_ticket(await phone_context(browser, **options), url)


async def not_reloaded(page: Page) -> bool:
    return bool(await page.evaluate("window.firstLoad === true"))


async def text(page: Page, selector: str) -> str:
    return " ".join((await page.inner_text(selector)).split())


async def wait_text(page: Page, selector: str, expected: str) -> None:
    """Until the element's text is `expected` (whitespace aside)."""
    await wait_js(
        page,
        "([sel, want]) => document.querySelector(sel)?.textContent.replace(/\\s+/g, '') === want",
        arg=[selector, expected.replace(" ", "")],
        timeout=TIMEOUT_MS,
    )


async def ticket(api: Api, ticket_id: str) -> dict[str, Any]:
    status, body = await api.request("GET", f"/api/v1/tickets/{ticket_id}")
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def test_no_staffed_window_the_page_says_so_then_estimates(
    api: Api, browser: Browser
) -> None:
    """Nobody works at a window of A: the page says no window serves it and gives no figure;
    once someone takes window 1 the estimate comes, live."""
    await api.issue("A")
    mine = await api.issue("A")
    page = await open_phone(browser, f"{api.base}/t/{mine['id']}")
    assert await text(page, "#ahead") == "前面还有1人"
    assert await text(page, "#wait") == "暂无窗口办理，无法估计等候时间"
    assert await page.is_visible("#wait")
    await api.staff(1)  # window 1 calls A001 at once, then this one after A's 300 s
    await wait_text(page, "#wait", "预计等候约 5 分钟")
    assert await not_reloaded(page)


async def test_waiting_page_follows_the_line_live(api: Api, browser: Browser) -> None:
    """Number, service, "2 ahead", the estimate; a later ticket changes nothing, a priority one
    moves in front, calls move us up to "you are next": all without a reload, and a burst of
    events costs at most a GET a second."""
    await api.staff(1)  # someone works at a window of A: there is an estimate
    await api.issue("A")
    await api.issue("A")
    mine = await api.issue("A")
    await api.issue("B")
    page = await open_phone(browser, f"{api.base}/t/{mine['id']}")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/v1/tickets/" in r.url else None)
    assert await text(page, "#number") == "A003"
    assert await text(page, "#service") == "不动产登记"
    assert await text(page, "#status") == "排队中"
    assert await text(page, "#ahead") == "前面还有2人"
    est = (await ticket(api, mine["id"]))["est_wait_s"]
    assert await text(page, "#wait") == f"预计等候约 {max(1, math.ceil(est / 60))} 分钟"
    assert await page.title() == "快到您了 · A003"  # 2 ahead: the demo's 3 (test_ticket_almost)
    assert await page.is_hidden("#go")
    assert await page.is_visible("#cancel")

    await api.issue("A")  # behind us
    await api.issue("A", priority=True)  # in front of us
    await wait_text(page, "#ahead", "前面还有3人")
    await api.window(1, "call-next")  # the priority ticket
    await wait_text(page, "#ahead", "前面还有2人")
    await api.window(2, "call-next")
    await api.window(7, "call-next")
    await wait_text(page, "#ahead", "下一位就是您")
    assert await page.is_hidden("#wait")
    assert await page.is_hidden("#go")

    requests.clear()
    await asyncio.gather(*(api.issue("A") for _ in range(6)))  # six events in a burst
    seq = (await api.hall())["seq"]
    await wait_js(page, f"window.callnextStream.seq >= {seq}")  # the page has all six

    async def refetched() -> bool:
        return bool(requests)

    await wait_until(refetched, timeout=30)
    await asyncio.sleep(2)  # two refetch periods more: what follows (a GET a second at most)
    assert 1 <= len(requests) <= 4, requests
    assert await not_reloaded(page)


async def test_a_call_shows_the_window_and_a_recall_alerts_again(
    api: Api, browser: Browser
) -> None:
    """call-next at window 3: "请到3号窗口" as the stream brings it (how fast is `callnext
    bench`'s to measure), the title says it, the phone vibrates; cancelling is no longer
    offered. A recall vibrates again."""
    mine = await api.issue("A")
    page = await open_phone(browser, f"{api.base}/t/{mine['id']}")
    assert await page.is_visible("#notify"), "permission not asked yet: the button shows"
    shown = asyncio.ensure_future(wait_js(page, GO_SHOWN, timeout=30_000))
    start = time.monotonic()
    status, body = await api.window(3, "call-next")
    await asyncio.wait_for(shown, 30)
    print(f"the call took {time.monotonic() - start:.3f} s to show")
    assert status == 200, body
    assert body["called"]["id"] == mine["id"], body
    assert await text(page, "#go-line") == "请到 3 号窗口"
    assert await text(page, "#go-2") == "Please go to window 3"
    assert await page.title() == "【请到3号窗口】A001"
    assert await page.evaluate("window.vibrations") == [[400, 200, 400]]
    assert await text(page, "#status") == "到您了"
    for hidden in ("#cancel", "#confirm", "#waiting", "#notify"):
        assert await page.is_hidden(hidden), hidden

    assert (await api.window(3, "recall"))[0] == 200
    await wait_js(page, "window.vibrations.length === 2")
    assert await text(page, "#note") == "工作人员再次呼叫您，请尽快前往。"
    assert await page.title() == "【请到3号窗口】A001"

    assert (await api.window(3, "finish"))[0] == 200
    await wait_text(page, "#status", "已办结")
    assert await page.is_hidden("#go")
    assert await page.title() == "A001 · 已办结"
    assert await page.evaluate("window.vibrations.length") == 2


async def test_a_notification_when_allowed(api: Api, browser: Browser) -> None:
    """Notification permission granted: no button, a line saying so; a notification on the
    call and another on the recall."""
    mine = await api.issue("A")
    context = await phone_context(browser)
    await context.grant_permissions(["notifications"], origin=api.base)
    page = await open_ticket(context, f"{api.base}/t/{mine['id']}")
    assert await page.evaluate("Notification.permission") == "granted"
    assert await page.is_hidden("#notify")
    assert await text(page, "#notify-note") == "已开启提醒：快到您时和到号时都会通知您。"
    await api.window(4, "call-next")
    await wait_js(page, "window.notifications.length === 1")
    note = (await page.evaluate("window.notifications"))[0]
    assert note["title"] == "【请到4号窗口】A001"
    assert note["body"] == "A001 · 演示政务服务中心"
    await api.window(4, "recall")
    await wait_js(page, "window.notifications.length === 2")


async def test_a_notification_through_the_service_worker(api: Api, browser: Browser) -> None:
    """Where `new Notification()` throws (Android Chrome), the page's service worker shows it."""
    mine = await api.issue("A")
    context = await browser.new_context(locale="zh-CN", **PHONE)
    await context.add_init_script(
        "window.Notification = class extends Notification {"
        " constructor() { throw new TypeError('Illegal constructor'); } };"
        # record what the page asks the service worker to show (and still show it): a busy
        # headless Chromium may take or drop the notification itself at its own pace
        "window.swNotes = [];"
        "const show = ServiceWorkerRegistration.prototype.showNotification;"
        "ServiceWorkerRegistration.prototype.showNotification = function (title, options) {"
        " window.swNotes.push(title); return show.call(this, title, options); };"
    )
    await context.grant_permissions(["notifications"], origin=api.base)
    page = await open_ticket(context, f"{api.base}/t/{mine['id']}")
    registration = "navigator.serviceWorker.getRegistration('/static/phone/')"
    # wait_for_function takes a promise for a truthy value and does not wait for it: poll
    # with evaluate, which does
    active = f"{registration}.then(r => r?.active?.state === 'activated')"
    await wait_until(lambda: page.evaluate(active), timeout=10)
    await api.window(2, "call-next")
    await wait_js(page, "window.swNotes.length > 0")
    assert await page.evaluate("window.swNotes") == ["【请到2号窗口】A001"]


async def test_asking_for_notifications(api: Api, browser: Browser) -> None:
    """The button asks for the permission; refused (as headless Chromium does), it goes away
    and a line says notifications are blocked."""
    mine = await api.issue("A")
    page = await open_phone(browser, f"{api.base}/t/{mine['id']}")
    await page.click("#notify")
    await page.wait_for_selector("#notify", state="hidden")
    assert await page.evaluate("Notification.permission") == "denied"
    assert await text(page, "#notify-note") == "浏览器未允许通知，请留意本页面。"


async def test_a_transfer_waits_again_in_the_new_service(api: Api, browser: Browser) -> None:
    """Called at window 1, transferred to B: the new service, "transferred", the place in B's
    line; called again at window 5: the alert again."""
    await api.issue("B")
    mine = await api.issue("A")
    page = await open_phone(browser, f"{api.base}/t/{mine['id']}")
    await api.window(1, "call-next")
    await wait_js(page, GO_SHOWN)
    status, body = await api.window(1, "transfer", {"service": "B"})
    assert status == 200, body
    await wait_text(page, "#service", "水电气过户")
    assert await text(page, "#status") == "已转办，继续排队"
    assert await page.is_hidden("#go")
    await wait_text(page, "#ahead", "前面还有1人")
    assert "水电气过户" in await text(page, "#note")
    assert await page.title() == "快到您了 · A001"  # 1 ahead in B; told on opening: no alert
    assert await page.is_visible("#cancel")
    await api.window(5, "call-next")  # B001
    await wait_text(page, "#ahead", "下一位就是您")
    await api.window(6, "call-next")  # ours
    await wait_text(page, "#go-line", "请到6号窗口")
    assert await page.evaluate("window.vibrations.length") == 2


async def test_how_a_ticket_ends_in_words(api: Api, browser: Browser) -> None:
    """Accepted as pending, then completed later; a no-show, called again by number (alerted
    again); each with its status and explanation."""
    pending = await api.issue("A")
    missed = await api.issue("A")
    page = await open_phone(browser, f"{api.base}/t/{pending['id']}?lang=en")
    await api.window(1, "call-next")
    await wait_js(page, GO_SHOWN)
    assert (await api.window(1, "finish", {"outcome": "pending"}))[0] == 200
    await wait_text(page, "#status", "Accepted, to be completed")
    assert await text(page, "#note") == "Accepted. It will be completed later; you will be told."
    token = await api.login("w1")
    path = f"/api/v1/tickets/{pending['id']}/complete"
    assert (await api.request("POST", path, token=token))[0] == 200
    await wait_text(page, "#status", "Done")
    assert await text(page, "#note") == "All done. Thank you for waiting."

    page = await open_phone(browser, f"{api.base}/t/{missed['id']}")
    await api.window(2, "call-next")
    await wait_js(page, GO_SHOWN)
    assert (await api.window(2, "finish", {"outcome": "no_show"}))[0] == 200
    await wait_text(page, "#status", "已过号")
    assert "请到咨询台或重新取号" in await text(page, "#note")
    assert await page.is_hidden("#go")
    assert (await api.window(3, "call", {"number": "A002"}))[0] == 200
    await wait_text(page, "#go-line", "请到3号窗口")
    assert await page.evaluate("window.vibrations.length") == 2


async def test_cancel_asks_first_then_cancels(api: Api, browser: Browser) -> None:
    """Cancel opens a confirmation (keyboard too: Enter opens, Escape closes, focus on "keep
    waiting"); "keep waiting" keeps it; "yes" cancels it on the server and the page says so."""
    mine = await api.issue("A")
    page = await open_phone(browser, f"{api.base}/t/{mine['id']}")
    await page.focus("#cancel")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#confirm", state="visible")
    assert await page.evaluate("document.activeElement.id") == "confirm-no"
    assert await text(page, "#confirm-text") == "确定要取消 A001 号吗？取消后需重新取号。"
    await page.keyboard.press("Escape")
    await page.wait_for_selector("#confirm", state="hidden")
    assert await page.evaluate("document.activeElement.id") == "cancel"
    await page.click("#cancel")
    await page.click("#confirm-no")
    assert await page.is_hidden("#confirm")
    assert (await ticket(api, mine["id"]))["status"] == "waiting"

    await page.click("#cancel")
    await page.click("#confirm-yes")
    await wait_text(page, "#status", "已取消")
    assert (await ticket(api, mine["id"]))["status"] == "cancelled"
    assert await text(page, "#note") == "您已取消排队。如仍需办理，请重新取号。"
    for hidden in ("#cancel", "#confirm", "#waiting", "#go", "#error"):
        assert await page.is_hidden(hidden), hidden


async def test_cancel_too_late_says_why(api: Api, browser: Browser) -> None:
    """The ticket is called while the confirmation is open and the page's stream hears
    nothing: the server refuses (409), the page says so in words and then shows the call."""
    mine = await api.issue("A")
    context = await phone_context(browser)
    page = await open_ticket(context, f"{api.base}/t/{mine['id']}", deaf_stream=True)
    await page.click("#cancel")
    await api.window(2, "call-next")
    await page.click("#confirm-yes")
    await wait_text(page, "#error", "这张号已不在排队中，无法取消。")
    await wait_js(page, GO_SHOWN)
    assert await text(page, "#go-line") == "请到 2 号窗口"
    assert (await ticket(api, mine["id"]))["status"] == "called"


async def test_an_unknown_ticket_is_a_404_page(api: Api, browser: Browser) -> None:
    page = await (await phone_context(browser)).new_page()
    for path in ("/t/AAAAAAAAAAAAAAAAAAAAAA", "/t/no.such"):
        response = await page.goto(api.base + path)
        assert response is not None, path
        assert response.status == 404, path
        assert "没有找到这张号票" in await page.content()
        assert "No such ticket" in await page.content()


async def test_english_by_query_or_phone_language_and_the_toggle(
    api: Api, browser: Browser
) -> None:
    """?lang=en, or a phone in English, gives English (in the HTML itself too); the toggle
    switches in place and remembers it in the URL; ?lang=zh wins over an English phone."""
    await api.issue("A")
    mine = await api.issue("A")
    url = f"{api.base}/t/{mine['id']}"
    async with api.session.get(url, headers={"Accept-Language": "en-US,en;q=0.9"}) as resp:
        assert resp.headers["Cache-Control"] == "no-store"
        html = await resp.text()
        assert "Your number" in html
        assert '<html lang="en">' in html
    page = await open_phone(browser, url + "?lang=en")
    assert await text(page, "#status") == "Waiting"
    assert await text(page, "#ahead") == "1 ahead of you"
    assert await text(page, "#hall-name") == "Demo Service Hall"
    assert await text(page, "#service") == "Real estate registration"

    page = await open_phone(browser, url, locale="en-US")
    assert await text(page, "#status") == "Waiting"
    assert await page.get_attribute("html", "lang") == "en"
    assert await text(page, "#lang") == "中文"
    await page.click("#lang")
    assert await text(page, "#status") == "排队中"
    assert await text(page, "#ahead") == "前面还有1人"
    assert await text(page, "#hall-name") == "演示政务服务中心"
    assert await page.get_attribute("html", "lang") == "zh-CN"
    assert page.url.endswith("?lang=zh")
    await page.click("#lang")
    assert await text(page, "#cancel") == "Cancel my ticket"
    assert await not_reloaded(page)

    page = await open_phone(browser, url + "?lang=zh", locale="en-US")
    assert await text(page, "#status") == "排队中"


async def test_the_page_holds_no_other_tickets_id(api: Api, browser: Browser) -> None:
    """Other tickets' ids travel on the hall stream; none may reach the page's HTML or DOM."""
    before = await api.issue("A")
    mine = await api.issue("A")
    page = await open_phone(browser, f"{api.base}/t/{mine['id']}")
    after = await api.issue("A")
    await api.window(1, "call-next")  # `before`
    await wait_text(page, "#ahead", "下一位就是您")
    content = await page.content()
    assert mine["id"] in content  # its own, in the page's config
    for other in (before, after):
        assert other["id"] not in content
        assert other["number"] not in content
    assert await page.eval_on_selector_all("a[href]", "links => links.length") == 0


async def test_the_page_survives_a_server_restart(db_url: str, browser: Browser) -> None:
    """The server stops: the reconnecting banner. It comes back and the ticket is called at
    once: the page shows the call (and vibrates) without a reload."""
    server = ServerProcess(db_url)
    await asyncio.to_thread(server.start)
    try:
        async with aiohttp.ClientSession() as session:
            api = Api(server.base, session)
            mine = await api.issue("A")
            page = await open_phone(browser, f"{api.base}/t/{mine['id']}")
            assert await page.is_hidden("#offline")

            await asyncio.to_thread(server.stop)
            await page.wait_for_selector("#offline", state="visible", timeout=TIMEOUT_MS)
            assert await text(page, "#offline") == "连接中断，正在重连…"

            await asyncio.to_thread(server.start)
            api.tokens.clear()
            await api.window(1, "call-next")
            await wait_js(page, GO_SHOWN, timeout=15000)
            await page.wait_for_selector("#offline", state="hidden", timeout=TIMEOUT_MS)
            assert await text(page, "#go-line") == "请到 1 号窗口"
            assert await page.evaluate("window.vibrations") == [[400, 200, 400]]
            assert await not_reloaded(page)
    finally:
        await asyncio.to_thread(server.stop)


async def test_the_page_catches_up_through_the_snapshot(api: Api, browser: Browser) -> None:
    """Its socket cut and refused while the ticket is called: once the stream is back (a fresh
    snapshot: the route drops ?since=), the page fetches the ticket and alerts."""
    mine = await api.issue("A")
    context = await phone_context(browser)
    sockets: list[WebSocketRoute] = []
    refuse = [False]

    async def route(ws: WebSocketRoute) -> None:
        if refuse[0]:
            await ws.close()
            return
        sockets.append(ws)
        ws.connect_to_server()

    page = await context.new_page()
    await page.route_web_socket("**/ws/v2/**", route)
    async with page.expect_console_message(lambda m: "stream online" in m.text):
        await page.goto(f"{api.base}/t/{mine['id']}")
    refuse[0] = True
    await sockets[0].close()
    await page.wait_for_selector("#offline", state="visible", timeout=TIMEOUT_MS)
    await api.window(8, "call-next")
    await page.evaluate("callnextStream.seq = null")  # resume with a snapshot, not a replay
    refuse[0] = False
    await wait_js(page, GO_SHOWN, timeout=15000)
    assert await text(page, "#go-line") == "请到 8 号窗口"
    assert await page.evaluate("window.vibrations.length") == 1
