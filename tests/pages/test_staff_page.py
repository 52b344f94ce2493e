"""The staff console (/halls/{hall}/staff) in a real browser (headless Chromium through
Playwright) against a real server, on SQLite only (the page is under test, not the database).

Each action works by its button and by its key, and the server's state (read through the API,
not the DOM) says it happened; disabled actions say why; the queue is coloured against the
target wait; pending matters count down and are completed from the list; an expired session goes
back to the login form; two staff on two windows get different tickets; a takeover tells the
console that lost its window; the manager works every window from one page; zh and en; the
keyboard alone logs in and calls.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from ..browser import (
    TIMEOUT_MS,
    BrowserPages,
    chromium_missing,
    launch,
    submit_login,
    text,
    wait_js,
    wait_text,
)
from ..helpers import Api, wait_until

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

STAFF = "/halls/demo/staff"
LOBBY = "/halls/demo/display"


class Consoles(BrowserPages):
    """Staff consoles, each in its own browser context; at the end none of them had a script
    error."""

    def __init__(self, browser: Browser) -> None:
        super().__init__(browser, STAFF, (1366, 768))

    async def open(self, api: Api, query: str = "", size: tuple[int, int] | None = None) -> Page:
        page = await self.new_page(api.base, query, size)
        await page.wait_for_selector("#login-view:not([hidden])")
        return page


@pytest.fixture
async def consoles() -> AsyncIterator[Consoles]:
    async with launch() as browser:
        opened = Consoles(browser)
        yield opened
        assert not opened.problems, opened.problems


async def message(page: Page, expected: str) -> None:
    await wait_text(page, "#message", expected)


async def take(page: Page, n: int) -> None:
    """From the picker, take window `n` and wait for its desk to load."""
    await page.click(f".window-button[data-window='{n}']")
    await desk_loaded(page, n)


async def desk_loaded(page: Page, n: int) -> None:
    await page.wait_for_selector(f"#desk-view[data-window='{n}'][data-loaded='true']")


# The picker's button of window n, or the login form's error: what a login ended in.
LOGIN_ENDED = """(n) => {
  const button = document.querySelector(`.window-button[data-window='${n}']`);
  if (button && button.offsetParent !== null) return "picker";
  const error = document.getElementById("login-error");
  return !error.hidden && error.textContent ? `login refused: ${error.textContent}` : null;
}"""


async def at_desk(consoles: Consoles, api: Api, user: str, n: int, query: str = "") -> Page:
    page = await consoles.open(api, query)
    await submit_login(page, user)
    assert await wait_js(page, LOGIN_ENDED, n) == "picker"  # else: why, in the page's words
    await take(page, n)
    return page


async def window(api: Api, n: int) -> dict[str, Any]:
    """Window `n` as the server has it now (the hall snapshot)."""
    return next(w for w in (await api.hall())["windows"] if w["number"] == n)


async def ticket(api: Api, number: str) -> dict[str, Any]:
    return next(t for t in await api.day_tickets() if t["number"] == number)


async def current(api: Api, n: int) -> str | None:
    cur = (await window(api, n))["current"]
    return cur["number"] if cur else None


async def until_current(api: Api, n: int, number: str | None) -> None:
    async def done() -> bool:
        return await current(api, n) == number

    await wait_until(done, timeout=30)


def backdate(db_url: str, sql: str, *params: Any) -> None:
    """Move stored times back (integer microseconds), as if the tickets were older."""
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


async def manager_patch(api: Api, patch: dict[str, Any]) -> None:
    token = await api.login("manager")
    status, body = await api.request("PATCH", "/api/v1/halls/demo/settings", patch, token=token)
    assert status == 200, body


# ---- logging in, taking a window ----


async def test_login_errors_then_the_picker_with_my_window_first(
    api: Api, consoles: Consoles
) -> None:
    """A wrong password says so and stays on the form; the right one shows the hall's windows,
    the user's own first and marked, with who holds each."""
    page = await consoles.open(api)
    assert await text(page, "#login-view h2") == "工作人员登录"
    await submit_login(page, "w3", "wrong")
    await wait_text(page, "#login-error", "用户名或密码错误")
    assert await page.is_visible("#login-view")
    assert await page.evaluate("document.activeElement.id") == "password"

    status, _ = await api.request(
        "POST", "/api/v1/halls/demo/windows/2/take", {}, token=await api.login("w2")
    )
    assert status == 200
    await submit_login(page, "w3")
    await page.wait_for_selector("#picker-view:not([hidden]) .window-button[data-window='8']")
    await wait_text(page, ".window-button[data-window='2']", "w2 正在使用")
    order = await page.eval_on_selector_all(
        "#window-buttons .window-button", "bs => bs.map(b => b.dataset.window)"
    )
    assert order == ["3", "1", "2", "4", "5", "6", "7", "8"]
    assert "您的窗口" in await text(page, ".window-button[data-window='3']")
    assert "mine" in (await page.get_attribute(".window-button[data-window='3']", "class") or "")
    assert await text(page, "#where") == "w3"


async def test_take_a_window_and_call_next_reaches_the_lobby(api: Api, consoles: Consoles) -> None:
    """w1 takes window 1 (the server records the hold); "Call next" shows the ticket on the
    desk and on the lobby screen, open in another page."""
    await api.issue("A")
    lobby = await consoles.browser.new_page(viewport={"width": 1280, "height": 720})
    async with lobby.expect_console_message(lambda m: "stream online" in m.text):
        await lobby.goto(api.base + LOBBY)
    page = await at_desk(consoles, api, "w1", 1)
    assert (await window(api, 1))["staff"] == "w1"
    assert await text(page, "#where") == "1号窗口 · w1"
    assert await text(page, "#queue-count") == "· 1 人等候"

    shown = asyncio.ensure_future(
        wait_js(
            lobby, "document.querySelector('#hero-number').textContent === 'A001'", timeout=30_000
        )
    )
    start = time.monotonic()
    await page.click("[data-action='next']")
    await asyncio.wait_for(shown, 30)
    print(f"the call took {time.monotonic() - start:.3f} s to reach the lobby")
    await message(page, "已呼叫 A001")
    await wait_text(page, "#cur-number", "A001")
    assert await current(api, 1) == "A001"
    await wait_text(page, "#cur-since", "已叫 0:0")


async def test_reload_goes_back_to_the_window_this_tab_holds(api: Api, consoles: Consoles) -> None:
    page = await at_desk(consoles, api, "w4", 4)
    await page.reload()
    await desk_loaded(page, 4)
    assert await text(page, "#where") == "4号窗口 · w4"
    await page.click("#leave")
    await page.wait_for_selector("#picker-view:not([hidden])")
    await message(page, "已离开 4号窗口")
    assert (await window(api, 4))["staff"] is None
    await page.reload()
    await page.wait_for_selector("#picker-view:not([hidden]) .window-button")


# ---- every action, by button and by key ----


async def act(page: Page, how: str, action: str, key: str) -> None:
    if how == "button":
        await page.click(f"[data-action='{action}']")
    else:
        await page.keyboard.press(key)


@pytest.mark.parametrize("how", ["button", "key"])
async def test_every_action(api: Api, consoles: Consoles, how: str) -> None:
    """Call next, recall, complete, accept as pending, no-show, transfer, call a number, pause
    and resume, each by its button or by its shortcut key; the server's tickets and window say
    each happened. Actions that cannot run are disabled, and their key says why."""
    for _ in range(5):
        await api.issue("A")
    page = await at_desk(consoles, api, "w1", 1)
    await page.click("#queue-title")  # keys go to the page, not to a field
    for action in ("recall", "complete", "pending", "no_show", "transfer"):
        assert await page.is_disabled(f"[data-action='{action}']"), action
    assert await page.is_enabled("[data-action='call']")
    await page.keyboard.press("r")
    await message(page, "当前没有号")
    assert (await ticket(api, "A001"))["status"] == "waiting"

    await act(page, how, "next", "n")
    await message(page, "已呼叫 A001")
    assert await current(api, 1) == "A001"
    await page.wait_for_selector("[data-action='recall']:enabled")
    assert await page.is_disabled("[data-action='call']")
    assert "当前号按办结处理" in await text(page, "[data-action='next']")

    await act(page, how, "recall", "r")
    await message(page, "已重呼 A001（第 1 次）")
    assert (await ticket(api, "A001"))["recalls"] == 1
    await wait_text(page, "#cur-recalls", "重呼 1 次")

    await act(page, how, "complete", "c")
    await message(page, "A001 已办结")
    a001 = await ticket(api, "A001")
    assert (a001["status"], a001["outcome"]) == ("done", "completed")
    assert await current(api, 1) is None
    await page.wait_for_selector("#cur-idle:not([hidden])")

    await act(page, how, "next", "n")
    await message(page, "已呼叫 A002")
    await act(page, how, "pending", "p")
    await message(page, "A002 已受理为承诺件")
    assert (await ticket(api, "A002"))["outcome"] == "pending"
    await page.wait_for_selector("#pending-list li[data-number='A002']")

    await act(page, how, "next", "n")
    await message(page, "已呼叫 A003")
    await act(page, how, "no_show", "x")
    await message(page, "A003 记为未到")
    assert (await ticket(api, "A003"))["status"] == "no_show"

    await act(page, how, "next", "n")
    await message(page, "已呼叫 A004")
    await act(page, how, "transfer", "t")
    await page.wait_for_selector("#d-transfer[open]")
    assert await text(page, "#d-transfer-title") == "将 A004 转移到"
    assert await page.is_disabled("#d-transfer input[value='A']")  # its own service
    if how == "button":
        await page.click("#d-transfer label:has(input[value='B'])")
        await page.click("#d-transfer button[type=submit]")
    else:
        await page.keyboard.press("c")  # a letter picks the service…
        await page.keyboard.press("ArrowUp")  # …the arrow keys move…
        await page.keyboard.press("Enter")  # …Enter transfers
    await message(page, "A004 已转到 水电气过户")
    a004 = await ticket(api, "A004")
    assert (a004["service"], a004["status"]) == ("B", "waiting")

    await act(page, how, "call", "g")
    await page.wait_for_selector("#d-call[open]")
    if how == "button":
        await page.fill("#d-call-number", "a003")
        await page.click("#d-call button[type=submit]")
    else:
        await page.keyboard.type("nrcx")  # typing: no shortcut fires
        assert await current(api, 1) is None
        await page.fill("#d-call-number", "A003")
        await page.keyboard.press("Enter")
    await message(page, "已呼叫 A003")
    assert await current(api, 1) == "A003"
    await act(page, how, "complete", "c")
    await message(page, "A003 已办结")

    await act(page, how, "pause", "s")
    await page.wait_for_selector("#d-pause[open]")
    if how == "button":
        await page.click("#d-pause label:has(input[value='r_meeting'])")
        await page.click("#d-pause button[type=submit]")
    else:
        await page.keyboard.press("ArrowDown")
        await page.keyboard.press("Enter")
    await message(page, "窗口已暂停")
    paused = await window(api, 1)
    assert (paused["status"], paused["pause_reason"]) == ("paused", "会议")
    await wait_text(page, "#paused-note", "暂停：会议")
    await wait_text(page, "[data-action='pause']", "恢复")
    assert await page.is_disabled("[data-action='next']")
    await page.keyboard.press("n")
    await message(page, "窗口已暂停，请先恢复")
    assert await current(api, 1) is None

    await act(page, how, "pause", "s")
    await message(page, "窗口已恢复服务")
    assert (await window(api, 1))["status"] == "open"
    await page.wait_for_selector("[data-action='next']:enabled")


async def test_dialogs_close_on_escape_and_keys_wait_for_them(api: Api, consoles: Consoles) -> None:
    """Escape closes each dialog without acting; while a dialog is open, the desk's keys do
    nothing; "?" lists the shortcuts."""
    await api.issue("A")
    page = await at_desk(consoles, api, "w2", 2)
    await page.keyboard.press("n")
    await until_current(api, 2, "A001")
    await page.keyboard.press("?")
    await page.wait_for_selector("#d-help[open]")
    assert "叫下一位" in await text(page, "#d-help-keys")
    await page.keyboard.press("c")  # not while the help is open
    await page.keyboard.press("Escape")
    await page.wait_for_selector("#d-help", state="hidden")
    assert await current(api, 2) == "A001"
    await page.keyboard.press("t")
    await page.wait_for_selector("#d-transfer[open]")
    await page.keyboard.press("Escape")
    await page.wait_for_selector("#d-transfer", state="hidden")
    await page.keyboard.press("s")
    await page.wait_for_selector("#d-pause[open]")
    await page.keyboard.press("Escape")
    await page.wait_for_selector("#d-pause", state="hidden")
    assert (await window(api, 2))["status"] == "open"
    assert (await ticket(api, "A001"))["service"] == "A"


# ---- the queue, pending matters ----


async def test_the_queue_is_coloured_against_the_target_wait(
    api: Api, consoles: Consoles, db_url: str
) -> None:
    """Target 60 s for A: a ticket waiting 70 s is red ("超时"), one of 40 s amber ("接近目标"),
    a new one green; a ticket issued while the desk is open joins the list."""
    await manager_patch(api, {"services": {"A": {"target_wait_s": 60}}})
    for _ in range(3):
        await api.issue("A")
    await api.issue("B")  # not window 1's service
    backdate(db_url, "UPDATE tickets SET issued_at = issued_at - ? WHERE number = 'A001'", 70e6)
    backdate(db_url, "UPDATE tickets SET issued_at = issued_at - ? WHERE number = 'A002'", 40e6)
    page = await at_desk(consoles, api, "w1", 1)
    await page.wait_for_selector("#queue-list li[data-number='A003']")
    rows = await page.eval_on_selector_all(
        "#queue-list li",
        "lis => lis.map(li => [li.dataset.number, li.className, "
        "li.querySelector('.cue').textContent, li.querySelector('.waited').textContent])",
    )
    assert [r[:3] for r in rows] == [
        ["A001", "wait-over", "超时"],
        ["A002", "wait-near", "接近目标"],
        ["A003", "wait-ok", ""],
    ]
    assert rows[0][3].startswith("1:1"), rows
    assert await text(page, "#queue-count") == "· 3 人等候"
    red = await page.eval_on_selector(
        "#queue-list li.wait-over .waited", "e => getComputedStyle(e).color"
    )
    green = await page.eval_on_selector(
        "#queue-list li.wait-ok .waited", "e => getComputedStyle(e).color"
    )
    assert red != green

    await api.issue("A")
    await page.wait_for_selector("#queue-list li[data-number='A004'].wait-ok", timeout=TIMEOUT_MS)
    assert await text(page, "#queue-count") == "· 4 人等候"


async def test_pending_matters_count_down_and_are_completed_from_the_list(
    api: Api, consoles: Consoles, db_url: str
) -> None:
    """A ticket accepted as pending joins the hall's pending list with the promise's time left;
    past due it turns red and says "超时"; "办结" asks, then completes it on the server."""
    await api.issue("A")
    await api.issue("A")
    page = await at_desk(consoles, api, "w1", 1)
    await page.keyboard.press("n")
    await message(page, "已呼叫 A001")
    await page.keyboard.press("p")
    await message(page, "A001 已受理为承诺件")
    row = "#pending-list li[data-number='A001']"
    await page.wait_for_selector(row)
    assert "不动产登记" in await text(page, row)
    await wait_text(page, f"{row} .left", "剩 59:")
    assert await text(page, "#pending-count") == "(1)"

    # Accepted 61 minutes ago: overdue by about a minute (the list re-reads on the next event).
    backdate(
        db_url, "UPDATE tickets SET finished_at = finished_at - ? WHERE number = 'A001'", 3660e6
    )
    await api.issue("A")  # an event of window 1's queue: the desk reads itself again
    await page.wait_for_selector(f"{row}.overdue")
    await wait_text(page, f"{row} .left", "超时 1:")

    await page.click(f"{row} button.done")
    await page.wait_for_selector("#d-confirm[open]")
    assert await text(page, "#d-confirm-text") == "确认承诺件 A001 已办结？"
    await page.click("#d-confirm-ok")
    await message(page, "承诺件 A001 已办结")
    a001 = await ticket(api, "A001")
    assert a001["outcome"] == "completed"
    assert a001["completed_at"] is not None
    await page.wait_for_selector(row, state="detached")
    await page.wait_for_selector("#pending-empty:not([hidden])")


# ---- sessions: expiry, two staff, takeover ----


async def test_an_expired_session_goes_back_to_the_login_form(api: Api, consoles: Consoles) -> None:
    """The token dies (logged out elsewhere): the next action lands on the login form with the
    expired message and the username kept; logging in again works."""
    await api.issue("A")
    page = await at_desk(consoles, api, "w1", 1)
    token = await page.evaluate("JSON.parse(sessionStorage.getItem('callnext.staff')).token")
    status, _ = await api.request("POST", "/api/v1/logout", token=token)
    assert status == 200
    await page.keyboard.press("n")
    await page.wait_for_selector("#login-view:not([hidden])")
    await message(page, "登录已过期，请重新登录")
    assert await page.input_value("#username") == "w1"
    assert await page.evaluate("document.activeElement.id") == "password"
    assert await current(api, 1) is None
    await page.fill("#password", "demo")
    await page.press("#password", "Enter")
    await page.wait_for_selector("#picker-view:not([hidden])")


async def test_two_staff_calling_at_once_get_different_tickets(
    api: Api, consoles: Consoles
) -> None:
    for _ in range(4):
        await api.issue("A")
    one = await at_desk(consoles, api, "w1", 1)
    two = await at_desk(consoles, api, "w2", 2)
    await asyncio.gather(one.keyboard.press("n"), two.keyboard.press("n"))
    await wait_until(lambda: both_called(api), timeout=30)
    first, second = await current(api, 1), await current(api, 2)
    assert {first, second} == {"A001", "A002"}
    await wait_text(one, "#cur-number", str(first))
    await wait_text(two, "#cur-number", str(second))
    # Each desk's queue follows the other's calls.
    await wait_text(one, "#queue-count", "2 人等候")
    await wait_text(two, "#queue-count", "2 人等候")


async def both_called(api: Api) -> bool:
    return None not in (await current(api, 1), await current(api, 2))


async def test_a_takeover_tells_the_console_that_lost_the_window(
    api: Api, consoles: Consoles
) -> None:
    """w1 holds window 1; w5 takes it over (asked first, with who and since when): w1's console
    says so and goes back to the picker; w1's actions on window 1 stop."""
    await api.issue("A")
    first = await at_desk(consoles, api, "w1", 1)
    other = await consoles.open(api)
    await submit_login(other, "w5")
    await other.click(".window-button[data-window='1']")
    await other.wait_for_selector("#d-confirm[open]")
    question = await text(other, "#d-confirm-text")
    assert re.fullmatch(r"1号窗口正由 w1 使用（\d\d:\d\d 起），要接管吗？", question), question
    await other.click("#d-confirm-ok")
    await desk_loaded(other, 1)
    assert (await window(api, 1))["staff"] == "w5"

    await first.wait_for_selector("#picker-view:not([hidden])")
    await message(first, "1号窗口已被 w5 接管")
    await wait_text(first, ".window-button[data-window='1']", "w5 正在使用")
    await other.keyboard.press("n")
    await until_current(api, 1, "A001")


async def test_cancelling_a_takeover_keeps_the_picker(api: Api, consoles: Consoles) -> None:
    token = await api.login("w1")
    status, _ = await api.request("POST", "/api/v1/halls/demo/windows/1/take", {}, token=token)
    assert status == 200
    page = await consoles.open(api, "?lang=en")
    await submit_login(page, "w2")
    await page.click(".window-button[data-window='1']")
    await page.wait_for_selector("#d-confirm[open]")
    question = await text(page, "#d-confirm-text")
    assert re.fullmatch(r"Window 1 is in use by w1 since \d\d:\d\d\. Take it over\?", question)
    await page.keyboard.press("Escape")
    await page.wait_for_selector("#d-confirm", state="hidden")
    assert await page.is_visible("#picker-view")
    assert (await window(api, 1))["staff"] == "w1"


async def test_a_lost_server_keeps_the_desk_and_says_so(api: Api, consoles: Consoles) -> None:
    """A desk read that fails keeps the last state on screen under the offline banner, and is
    retried until it works; an action that gets no answer says so and leaves the desk usable."""
    await api.issue("A")
    page = await at_desk(consoles, api, "w7", 7)
    await page.keyboard.press("n")
    await message(page, "已呼叫 A001")
    await page.route("**/windows/7/desk", lambda route: route.abort())
    await page.route("**/windows/7/call-next", lambda route: route.abort())
    await api.issue("A")
    await page.wait_for_selector("#offline:not([hidden])")
    assert await text(page, "#offline") == "连接服务器失败，正在重试…"
    assert await text(page, "#cur-number") == "A001"
    await page.keyboard.press("n")
    await message(page, "连接服务器失败，请稍后重试")
    assert await current(api, 7) == "A001"
    await page.unroute("**/windows/7/desk")
    await page.wait_for_selector("#offline", state="hidden")
    await wait_text(page, "#queue-count", "1 人等候")
    assert await page.is_enabled("[data-action='next']")


# ---- the manager ----


async def test_the_manager_sees_every_window_and_works_one_from_its_card(
    api: Api, consoles: Consoles
) -> None:
    await api.issue("B")
    await api.issue("A")
    await api.window(4, "pause", {"reason": "午休"})
    page = await consoles.open(api)
    await submit_login(page, "manager")
    await page.wait_for_selector("#overview-view:not([hidden]) .card[data-window='8']")
    assert await page.locator(".card").count() == 8
    await wait_text(page, ".card[data-window='4'] .state", "暂停：午休")
    await wait_text(page, "#ov-services li[data-service='B']", "1 人等候")

    await page.click(".card[data-window='5'] [data-action='next']")
    await message(page, "已呼叫 B001")
    assert await current(api, 5) == "B001"
    assert (await window(api, 5))["staff"] is None  # a manager acts without taking it
    await wait_text(page, ".card[data-window='5'] .cur", "B001")
    await wait_text(page, "#ov-services li[data-service='B']", "0 人等候")
    await page.click(".card[data-window='5'] [data-action='no_show']")
    await message(page, "B001 记为未到")
    assert (await ticket(api, "B001"))["status"] == "no_show"

    await page.click(".card[data-window='5'] .open")
    await desk_loaded(page, 5)
    assert await page.is_hidden("#leave")
    await page.click("#take-this")  # a manager may take a window too
    await page.wait_for_selector("#leave:not([hidden])")
    assert (await window(api, 5))["staff"] == "manager"
    await page.click("#to-overview")
    await wait_text(page, ".card[data-window='5'] .holder", "manager")


# ---- languages, keyboard ----


async def test_chinese_by_default_and_english_in_place(api: Api, consoles: Consoles) -> None:
    page = await consoles.open(api)
    assert await page.evaluate("document.documentElement.lang") == "zh-CN"
    assert await text(page, "#login-submit") == "登录"
    await page.click(".lang button[data-lang='en']")
    assert await text(page, "#login-submit") == "Log in"
    assert await text(page, "#hall-name") == "Demo Service Hall"
    assert page.url.endswith("?lang=en")
    await submit_login(page, "w6")
    await page.wait_for_selector(".window-button[data-window='6']")
    assert "Your window" in await text(page, ".window-button[data-window='6']")
    await take(page, 6)
    assert await text(page, "#where") == "Window 6 · w6"
    assert "Call next" in await text(page, "[data-action='next']")
    await page.keyboard.press("x")
    await message(page, "No current ticket")
    await page.click(".lang button[data-lang='zh']")
    assert "叫下一位" in await text(page, "[data-action='next']")
    await page.click("#logout")  # the server lets go of the window too
    await page.wait_for_selector("#login-view:not([hidden])")
    await message(page, "已退出")
    assert (await window(api, 6))["staff"] is None

    english = await consoles.open(api, "?lang=en")
    assert await text(english, "#login-view h2") == "Staff log in"


async def test_the_keyboard_alone_logs_in_and_calls(api: Api, consoles: Consoles) -> None:
    """Tab and Enter only: the username field has focus, Tab to the password, Enter logs in,
    Enter on the focused (own) window takes it, Enter on the focused Call next calls. The focus
    is always visible."""
    await api.issue("A")
    page = await consoles.open(api)
    assert await page.evaluate("document.activeElement.id") == "username"
    await page.keyboard.type("w3")
    await page.keyboard.press("Tab")
    await page.keyboard.type("demo")
    await page.keyboard.press("Enter")
    await page.wait_for_selector(".window-button[data-window='3']")
    await wait_js(page, "document.activeElement.dataset.window === '3'")
    await page.keyboard.press("Enter")
    await desk_loaded(page, 3)
    await wait_js(page, "document.activeElement.dataset.action === 'next'")
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    await page.keyboard.press("Enter")
    await until_current(api, 3, "A001")
    await message(page, "已呼叫 A001")
    # Tab reaches the other actions
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.dataset.action") == "recall"
