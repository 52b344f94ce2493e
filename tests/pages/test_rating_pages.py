"""Rating in a real browser (headless Chromium) against a real server (SQLite: the pages are under
test): on the phone page (/t/{id}) once the ticket is served, on the screen beside the window
(/halls/{hall}/windows/{n}/rate) by touch and by keyboard, and the dashboard's satisfaction
panel; zh and en; live from the stream, no reloads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from ..browser import chromium_missing, launch, submit_login
from ..helpers import Api

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
}  # fmt: skip
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
WAIT_MS = 8000


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch() as b:
        yield b


async def open_page(
    browser: Browser, url: str, errors: list[str], stream: bool = True, **options: Any
) -> Page:
    """The page at `url` (once its stream is online, when it opens one at once), marked
    (`window.firstLoad`: a reload would lose it); `errors` collects its script errors."""
    context = await browser.new_context(**{"locale": "zh-CN", **options})
    page = await context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    if stream:
        async with page.expect_console_message(lambda m: "stream online" in m.text):
            await page.goto(url)
    else:
        await page.goto(url)
    await page.evaluate("window.firstLoad = true")
    return page


async def serve(api: Api, window: int, service: str = "A") -> dict[str, Any]:
    ticket = await api.issue(service)
    status, body = await api.window(window, "call-next")
    assert status == 200, body
    assert body["called"]["id"] == ticket["id"]
    status, body = await api.window(window, "finish", {"outcome": "completed"})
    assert status == 200, body
    return body["finished"]  # type: ignore[no-any-return]


async def rating_of(api: Api, ticket_id: str) -> dict[str, Any]:
    status, body = await api.request("GET", f"/api/v1/tickets/{ticket_id}/rating")
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def test_the_phone_page_rates_the_ticket_once_it_is_served(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    ticket = await api.issue("A")
    page = await open_page(browser, f"{api.base}/t/{ticket['id']}", errors, **PHONE)
    await page.wait_for_selector("#status")
    assert await page.is_hidden("#rating"), "no form while the ticket waits"
    await api.window(1, "call-next")
    await page.wait_for_timeout(300)
    assert await page.is_hidden("#rating"), "no form while it is at the window"
    await api.window(1, "finish", {"outcome": "completed"})
    await page.wait_for_selector("#rating", state="visible", timeout=WAIT_MS)
    await expect(page.locator("#rating-ask")).to_have_text("请评价本次服务")
    await expect(page.locator("#rating-submit")).to_be_disabled()
    assert await page.locator("#rating-chips .chip").count() == 0, "reasons come with a score"
    await page.tap(".score[data-score='2']")
    await expect(page.locator(".score[data-score='2']")).to_have_attribute("aria-checked", "true")
    chips = await page.locator("#rating-chips .chip").all_inner_texts()
    assert "等候时间长" in chips
    assert "一次办成" not in chips  # praise does not go with 不满意
    await page.tap(".chip[data-reason='long_wait']")
    await page.fill("#rating-comment", "窗口太少")
    await page.tap("#rating-submit")
    await page.wait_for_selector("#rated", state="visible", timeout=WAIT_MS)
    await expect(page.locator("#rated-score")).to_have_text("您的评价：不满意")
    await expect(page.locator("#rated-reasons")).to_contain_text("等候时间长")
    assert await page.is_hidden("#rating")
    stored = await rating_of(api, ticket["id"])
    assert (stored["score"], stored["reasons"], stored["comment"]) == (2, ["long_wait"], "窗口太少")
    assert stored["source"] == "phone"
    await page.reload()
    await page.wait_for_selector("#rated", state="visible", timeout=WAIT_MS)
    assert await page.is_hidden("#rating"), "one rating per ticket: no second form"
    assert not errors, errors


async def test_the_phone_page_in_english_shows_a_rating_made_at_the_window(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    ticket = await api.issue("A")
    page = await open_page(browser, f"{api.base}/t/{ticket['id']}?lang=en", errors, **PHONE)
    await serve_called(api, 2, ticket)
    await page.wait_for_selector("#rating", state="visible", timeout=WAIT_MS)
    await expect(page.locator("#rating-ask")).to_have_text("Please rate this service")
    await expect(page.locator(".score[data-score='5'] .score-name")).to_have_text("Very satisfied")
    status, body = await api.request("POST", "/api/v1/halls/demo/windows/2/rating",
                                     {"number": ticket["number"], "score": 4})  # fmt: skip
    assert status == 201, body
    await page.wait_for_selector("#rated", state="visible", timeout=WAIT_MS)
    await expect(page.locator("#rated-score")).to_have_text("Your rating: Satisfied")
    assert await page.evaluate("window.firstLoad === true"), "no reload"
    await page.tap("#lang")
    await expect(page.locator("#rated-score")).to_have_text("您的评价：满意")
    assert not errors, errors


async def serve_called(api: Api, window: int, ticket: dict[str, Any]) -> None:
    status, body = await api.window(window, "call-next")
    assert body["called"]["id"] == ticket["id"], (status, body)
    status, body = await api.window(window, "finish", {"outcome": "pending"})
    assert status == 200, body


async def test_the_window_screen_rates_the_ticket_just_finished_there(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    page = await open_page(browser, f"{api.base}/halls/demo/windows/3/rate", errors, **TABLET)
    await page.wait_for_selector("#idle", state="visible")
    await expect(page.locator("#idle-big")).to_have_text("请对我们的服务进行评价")
    await expect(page.locator("#window-name")).to_have_text("3号窗口")
    await serve(api, 4)  # another window's ticket: nothing here
    await page.wait_for_timeout(500)
    assert await page.is_visible("#idle")
    first = await serve(api, 3)
    await page.wait_for_selector("#form", state="visible", timeout=WAIT_MS)
    await expect(page.locator("#t-number")).to_have_text(first["number"])
    await expect(page.locator("#t-service")).to_have_text("不动产登记")
    await page.keyboard.press("Enter")  # nothing chosen: nothing sent
    assert await page.is_visible("#form")
    await page.keyboard.press("2")  # the second face from the left: 满意 (4)
    await expect(page.locator(".score[data-score='4']")).to_have_attribute("aria-checked", "true")
    await page.tap(".chip[data-reason='friendly']")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#thanks", state="visible", timeout=WAIT_MS)
    await expect(page.locator("#thanks-2")).to_have_text(f"{first['number']} · 满意")
    stored = await rating_of(api, first["id"])
    assert (stored["score"], stored["reasons"], stored["source"]) == (4, ["friendly"], "window")
    await page.wait_for_selector("#idle", state="visible", timeout=WAIT_MS + 2000)
    # The next one is rated on the citizen's phone meanwhile: the screen goes back to idle.
    second = await serve(api, 3)
    await page.wait_for_selector("#form", state="visible", timeout=WAIT_MS)
    await expect(page.locator("#t-number")).to_have_text(second["number"])
    await page.tap(".score[data-score='1']")
    status, _ = await api.request("POST", f"/api/v1/tickets/{second['id']}/rating", {"score": 5})
    assert status == 201
    await page.wait_for_selector("#idle", state="visible", timeout=WAIT_MS)
    assert (await rating_of(api, second["id"]))["score"] == 5, "the phone's rating stands"
    assert not errors, errors


async def test_the_window_screen_in_english_by_touch(api: Api, browser: Browser) -> None:
    errors: list[str] = []
    page = await open_page(browser, f"{api.base}/halls/demo/windows/5/rate?lang=en", errors,
                           viewport={"width": 800, "height": 1280}, has_touch=True)  # fmt: skip
    await expect(page.locator("#window-name")).to_have_text("Window 5")
    ticket = await serve(api, 5, "B")
    await page.wait_for_selector("#form", state="visible", timeout=WAIT_MS)
    await expect(page.locator("#t-service")).to_have_text("Utility transfer")
    await expect(page.locator("#submit")).to_have_text("Choose how satisfied you are first")
    await page.tap(".score[data-score='1']")
    assert "Poor attitude" in await page.locator("#chips .chip").all_inner_texts()
    await page.tap(".chip[data-reason='attitude']")
    await page.tap("#submit")
    await page.wait_for_selector("#thanks", state="visible", timeout=WAIT_MS)
    await expect(page.locator("#thanks-big")).to_have_text("Thank you for your rating!")
    stored = await rating_of(api, ticket["id"])
    assert (stored["score"], stored["reasons"]) == (1, ["attitude"])
    assert not errors, errors


async def not_rated(api: Api, ticket_id: str) -> None:
    status, body = await api.request("GET", f"/api/v1/tickets/{ticket_id}/rating")
    assert (status, body["error"]["code"]) == (404, "not_rated"), body


async def test_the_window_screen_form_ends_the_moment_the_window_calls_the_next(
    api: Api, browser: Browser
) -> None:
    """Issue 19.3: window 8 finished A019 and called C009; the screen asked C009 to rate A019."""
    errors: list[str] = []
    page = await open_page(browser, f"{api.base}/halls/demo/windows/3/rate", errors, **TABLET)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    first = await serve(api, 3)
    await page.wait_for_selector("#form", state="visible", timeout=WAIT_MS)
    await expect(page.locator("#t-number")).to_have_text(first["number"])
    await page.tap(".score[data-score='2']")  # half filled in when the next citizen comes
    nxt = await api.issue("A")
    status, body = await api.window(3, "call-next")
    assert body["called"]["id"] == nxt["id"], (status, body)
    await page.wait_for_selector("#form", state="hidden", timeout=WAIT_MS)
    assert await page.is_visible("#idle")
    # Keys, and clicks on the faces and submit (hidden now, so from script), rate nothing.
    for key in ("2", "Enter", "1", "Enter"):
        await page.keyboard.press(key)
    await page.evaluate("""() => {
        document.querySelector(".score[data-score='1']").click();
        document.querySelector("#submit").click();
    }""")
    assert await page.is_hidden("#form")
    assert await page.is_visible("#idle")
    # A refresh (a reconnect's snapshot) brings nothing back: the server offers nothing either.
    async with page.expect_response(lambda r: r.url.endswith("/windows/3/rateable")) as info:
        await page.evaluate("window.callnextStream.resync('test')")
    await (await info.value).finished()
    await page.wait_for_timeout(200)  # the answer read and applied
    assert await page.is_hidden("#form")
    status, body = await api.request("GET", "/api/v1/halls/demo/windows/3/rateable")
    assert (status, body["rateable"]) == (200, None)
    assert not [url for url in posts if url.endswith("/rating")], posts
    await not_rated(api, first["id"])
    await not_rated(api, nxt["id"])
    assert not errors, errors


async def test_the_window_screen_shows_only_the_ticket_finished_with_nobody_new(
    api: Api, browser: Browser
) -> None:
    """Call-next that finishes one ticket and calls the next offers nothing; a finish with
    nobody called after it offers that ticket and no other."""
    errors: list[str] = []
    page = await open_page(browser, f"{api.base}/halls/demo/windows/2/rate", errors, **TABLET)
    await page.evaluate("""() => {
        window.shown = [];
        new MutationObserver(() => {
            const form = document.getElementById("form");
            if (!form.hidden) window.shown.push(document.getElementById("t-number").textContent);
        }).observe(document.getElementById("form"), { attributes: true });
    }""")
    first = await api.issue("A")
    await api.window(2, "call-next")
    second = await api.issue("A")
    status, body = await api.window(2, "call-next", {"outcome": "completed"})
    assert body["finished"]["id"] == first["id"], body
    assert body["called"]["id"] == second["id"], body
    status, body = await api.window(2, "finish", {"outcome": "completed"})
    assert status == 200, body
    await page.wait_for_selector("#form", state="visible", timeout=WAIT_MS)
    await expect(page.locator("#t-number")).to_have_text(second["number"])
    assert set(await page.evaluate("window.shown")) == {second["number"]}
    await page.keyboard.press("5")  # the rightmost face: 非常不满意
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#thanks", state="visible", timeout=WAIT_MS)
    assert (await rating_of(api, second["id"]))["score"] == 1
    await not_rated(api, first["id"])
    assert not errors, errors


async def faces_left_to_right(page: Page, box: str) -> list[int]:
    """The scores of the faces in `box` as they stand on the screen: by row, then left to right."""
    placed = []
    for face in await page.locator(f"{box} .score").all():
        where = await face.bounding_box()
        assert where is not None
        placed.append((round(where["y"]), where["x"], int(await face.get_attribute("data-score"))))
    return [score for _y, _x, score in sorted(placed)]


@pytest.mark.parametrize(
    ("lang", "viewport"),
    [("zh", {"width": 1024, "height": 768}), ("en", {"width": 800, "height": 1280})],
)
async def test_keys_1_to_5_pick_the_faces_in_their_on_screen_order(
    api: Api, browser: Browser, lang: str, viewport: dict[str, int]
) -> None:
    errors: list[str] = []
    url = f"{api.base}/halls/demo/windows/4/rate?lang={lang}"
    page = await open_page(browser, url, errors, viewport=viewport)
    await serve(api, 4)
    await page.wait_for_selector("#form", state="visible", timeout=WAIT_MS)
    order = await faces_left_to_right(page, "#scores")
    assert len({round(b["y"]) for b in [await f.bounding_box() for f in
               await page.locator("#scores .score").all()] if b}) == 1, "one row"  # fmt: skip
    assert order == [5, 4, 3, 2, 1], "非常满意 on the left"
    for key, score in enumerate(order, start=1):
        await page.keyboard.press(str(key))
        chosen = page.locator(f"#scores .score[data-score='{score}']")
        await expect(chosen).to_have_attribute("aria-checked", "true")
        assert await page.locator("#scores .score[aria-checked='true']").count() == 1
    hint = "从左到右" if lang == "zh" else "from left to right"
    await expect(page.locator("#hint")).to_contain_text(hint)
    assert not errors, errors


async def test_the_phone_page_keys_follow_the_faces_on_screen(api: Api, browser: Browser) -> None:
    """The phone's faces stack (a list of wide buttons): key 1 is the top one."""
    errors: list[str] = []
    ticket = await api.issue("A")
    page = await open_page(browser, f"{api.base}/t/{ticket['id']}", errors, **PHONE)
    await serve_called(api, 1, ticket)
    await page.wait_for_selector("#rating", state="visible", timeout=WAIT_MS)
    order = await faces_left_to_right(page, "#rating-scores")
    assert order == [5, 4, 3, 2, 1]
    await page.focus("#rating-scores .score")  # the form hears keys from within
    for key, score in enumerate(order, start=1):
        await page.keyboard.press(str(key))
        chosen = page.locator(f"#rating-scores .score[data-score='{score}']")
        await expect(chosen).to_have_attribute("aria-checked", "true")
    assert not errors, errors


async def test_the_dashboard_shows_satisfaction_and_the_dissatisfied_live(
    api: Api, browser: Browser
) -> None:
    errors: list[str] = []
    for window, score in ((1, 5), (2, 1), (5, 4)):
        ticket = await serve(api, window, "A" if window < 5 else "B")
        status, _ = await api.request(
            "POST",
            f"/api/v1/tickets/{ticket['id']}/rating",
            {"score": score, "comment": "太慢" if score == 1 else None},
        )
        assert status == 201
    page = await open_page(browser, f"{api.base}/halls/demo/dashboard", errors, stream=False,
                           viewport={"width": 1366, "height": 768})  # fmt: skip
    await submit_login(page, "manager")
    await page.wait_for_selector("#sat-low tbody tr", timeout=WAIT_MS)
    await expect(page.locator("#sat-summary [data-key='n'] .big")).to_have_text("3")
    await expect(page.locator("#sat-summary [data-key='avg'] .big")).to_have_text("3.33")
    await expect(page.locator("#sat-summary [data-key='satisfied'] .big")).to_have_text("66.7%")
    await expect(page.locator("#sat-staff tr[data-key='w2'] td").last).to_have_text("1")
    await expect(page.locator("#sat-window tr[data-key='5'] th")).to_have_text("5号窗口")
    await expect(page.locator("#sat-service tr[data-key='B'] td").nth(1)).to_have_text("4.00")
    low = page.locator("#sat-low tbody tr")
    await expect(low).to_have_count(1)
    await expect(low.first).to_contain_text("非常不满意")
    await expect(low.first).to_contain_text("太慢")
    # A new dissatisfied rating comes in: the panel follows without a reload.
    ticket = await serve(api, 3)
    status, _ = await api.request("POST", f"/api/v1/tickets/{ticket['id']}/rating",
                                  {"score": 2, "reasons": ["unclear"]})  # fmt: skip
    assert status == 201
    await expect(low).to_have_count(2, timeout=WAIT_MS)
    await expect(page.locator("#sat-low-title")).to_have_text("差评待回访（2）")
    await page.click(".lang button[data-lang='en']")
    await expect(page.locator("#ratings-title")).to_have_text("Satisfaction (ratings)")
    await expect(low.first).to_contain_text("Unclear explanation")
    assert await page.evaluate("window.firstLoad === true"), "no reload"
    assert not errors, errors
