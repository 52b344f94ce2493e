"""The settings page (/halls/{hall}/settings) in a real browser (headless Chromium through
Playwright) against a real server, on SQLite only (the page is under test, not the database).

Only managers get in; each change made on the page is checked through the API (not the DOM) and,
where it shows, on an open lobby screen; a refused change shows the server's error next to its
field and changes nothing; new services and windows call tickets; new accounts log in; the audit
tab says who did what; changes made elsewhere arrive live without clobbering a form being
edited; the tabs work from the keyboard alone; zh by default, English by ?lang=en and the toggle.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from ..browser import BrowserPages, chromium_missing, launch, submit_login, text, wait_js, wait_text
from ..helpers import Api, wait_until

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

PAGE = "/halls/demo/settings"
SETTINGS = "/api/v1/halls/demo/settings"


class Pages(BrowserPages):
    """Settings pages, each in its own browser context; at the end none of them had a script
    error."""

    def __init__(self, browser: Browser) -> None:
        super().__init__(browser, PAGE, (1366, 768))

    async def open(
        self, api: Api, query: str = "", user: str | None = "manager", password: str = "demo"
    ) -> Page:
        """The page at `query`; logged in as `user` (a manager: once the tabs show)."""
        page = await self.new_page(api.base, query)
        await page.wait_for_selector("#login-view:not([hidden])")
        if user:
            await submit_login(page, user, password)
            await page.wait_for_selector("#main-view:not([hidden])")
        return page


@pytest.fixture
async def pages() -> AsyncIterator[Pages]:
    async with launch() as browser:
        opened = Pages(browser)
        yield opened
        assert not opened.problems, opened.problems


async def settings(api: Api) -> dict[str, Any]:
    status, body = await api.request("GET", SETTINGS, token=await api.login("manager"))
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def service(api: Api, code: str) -> dict[str, Any]:
    return next(s for s in (await settings(api))["services"] if s["code"] == code)


async def audit(api: Api) -> list[dict[str, Any]]:
    token = await api.login("manager")
    status, body = await api.request("GET", "/api/v1/halls/demo/audit", token=token)
    assert status == 200, body
    return body["entries"]  # type: ignore[no-any-return]


async def patch(api: Api, body: dict[str, Any]) -> None:
    """A change by another manager's session (not the page's)."""
    status, answer = await api.request("PATCH", SETTINGS, body, token=await api.login("manager"))
    assert status == 200, answer


async def tab(page: Page, name: str) -> None:
    await page.click(f"#tab-{name}")
    await page.wait_for_selector(f"#panel-{name}:not([hidden])")


async def submit_editor(page: Page) -> None:
    await page.click("#editor button[type=submit]")


async def editor_closed(page: Page) -> None:
    await page.wait_for_selector("#editor", state="hidden")


async def can_log_in(api: Api, user: str, password: str) -> dict[str, Any] | None:
    body = {"username": user, "password": password}
    status, answer = await api.request("POST", "/api/v1/login", body)
    assert status in (200, 401), answer
    return answer if status == 200 else None  # type: ignore[no-any-return]


async def test_the_page_its_404_and_the_index_link(api: Api) -> None:
    async with api.session.get(api.base + PAGE) as resp:
        assert resp.status == 200
        assert resp.headers["Cache-Control"] == "no-store"
        html = await resp.text()
    assert '"timezone": "Asia/Shanghai"' in html
    assert "settings.js" in html
    async with api.session.get(api.base + "/halls/nowhere/settings") as resp:
        assert resp.status == 404
        assert "nowhere" in await resp.text()
    async with api.session.get(api.base + "/") as resp:
        assert 'href="/halls/demo/settings"' in await resp.text()


async def test_only_managers_get_in(api: Api, pages: Pages) -> None:
    page = await pages.open(api, user=None)
    await submit_login(page, "manager", "wrong")
    await wait_text(page, "#login-error", "用户名或密码不正确")
    assert await page.is_hidden("#main-view")
    await submit_login(page, "w1", "demo")
    await wait_text(page, "#login-error", "需要管理员权限")
    assert await page.is_hidden("#main-view")
    assert await page.evaluate("sessionStorage.getItem('callnext.settings')") is None
    await submit_login(page, "manager", "demo")
    await page.wait_for_selector("#main-view:not([hidden])")
    assert await page.is_hidden("#login-error")
    assert "manager" in await text(page, "#who")
    await page.reload()  # the tab keeps its session
    await page.wait_for_selector("#main-view:not([hidden])")
    await page.click("#logout")
    await page.wait_for_selector("#login-view:not([hidden])")
    assert await page.evaluate("sessionStorage.getItem('callnext.settings')") is None


async def test_a_new_notice_reaches_the_settings_and_an_open_lobby(api: Api, pages: Pages) -> None:
    notice = "今天下午 14:00 起暂停办理不动产登记"
    lobby = await pages.browser.new_page(viewport={"width": 1280, "height": 720})
    await lobby.goto(api.base + "/halls/demo/display")
    await lobby.wait_for_selector("#queues li")
    assert await lobby.is_hidden("#notice")
    page = await pages.open(api)
    await page.fill("#panel-hall textarea[data-field=notice]", notice)
    await page.click("#hall-save")
    await wait_text(page, "#message", "已保存")
    assert (await settings(api))["notice"] == notice
    await wait_text(lobby, "#notice", notice)
    # only what changed was sent: the audit log says "notice", nothing else
    assert (await audit(api))[0]["detail"] == {"notice": notice}
    # our own change is not taken for someone else's
    await page.wait_for_timeout(500)
    assert await page.is_hidden("#conflict")
    assert await page.input_value("#panel-hall textarea[data-field=notice]") == notice


async def test_an_english_notice_reaches_an_english_lobby(api: Api, pages: Pages) -> None:
    """The hall tab's English notice: kept, and shown on ?lang=en lobbies (the Chinese one on
    Chinese lobbies)."""
    lobby = await pages.browser.new_page(viewport={"width": 1280, "height": 720})
    await lobby.goto(api.base + "/halls/demo/display?lang=en")
    await lobby.wait_for_selector("#queues li")
    page = await pages.open(api)
    await page.fill("#panel-hall textarea[data-field=notice]", "请携带身份证")
    await page.fill("#panel-hall textarea[data-field=notice_en]", "Please bring your ID card")
    await page.click("#hall-save")
    await wait_text(page, "#message", "已保存")
    assert (await settings(api))["notice_en"] == "Please bring your ID card"
    await wait_text(lobby, "#notice", "Please bring your ID card")
    assert (await audit(api))[0]["detail"] == {
        "notice": "请携带身份证", "notice_en": "Please bring your ID card",
    }  # fmt: skip


async def test_staff_are_bound_to_their_windows_from_the_hall_tab(api: Api, pages: Pages) -> None:
    """Issue 20.6: no API, CLI or page could switch bind_staff_to_windows on."""
    page = await pages.open(api)
    box = "#panel-hall input[data-field=bind_staff_to_windows]"
    assert not await page.is_checked(box)
    assert "窗口人员只能操作本人的窗口" in await text(
        page, "#panel-hall .field[data-field=bind_staff_to_windows]"
    )
    await page.check(box)
    await page.click("#hall-save")
    await wait_text(page, "#message", "已保存")
    assert (await settings(api))["bind_staff_to_windows"] is True
    assert (await audit(api))[0]["detail"] == {"bind_staff_to_windows": True}
    status, body = await api.window(4, "call-next", user="w3")
    assert (status, body["error"]["code"]) == (403, "wrong_window")


# A number on the hall tab: (field, its default, its label, a good value, a bad one, the words
# the bad one gets next to its field).
HALL_NUMBERS = [
    ("almost_turn_ahead", "3", "快到您了", 5, 99, "须为 0 到 50 的整数（0 为不提醒）"),
    ("followup_due_days", "5", "差评回访时限", 7, 0, "须为 1 到 30 的整数（工作日）"),
    ("trips_window_days", "30", "一次办结统计期", 14, 91, "须为 1 到 90 的整数（天）"),
]


@pytest.mark.parametrize(("name", "default", "label", "good", "bad", "why"), HALL_NUMBERS)
async def test_a_number_of_the_hall_tab_is_saved_audited_or_refused(
    api: Api, pages: Pages, name: str, default: str, label: str, good: int, bad: int, why: str
) -> None:
    """How many ahead the phone says 快到您了, 差评回访时限 in working days, and the trips
    window of 一次办结率 in days: saved and audited;
    a bad number is refused next to its field, in words, and nothing changes."""
    page = await pages.open(api)
    box = f"#panel-hall input[data-field={name}]"
    assert await page.input_value(box) == default
    field = f"#panel-hall .field[data-field={name}]"
    assert label in await text(page, field)
    await page.fill(box, str(good))
    await page.click("#hall-save")
    await wait_text(page, "#message", "已保存")
    assert (await settings(api))[name] == good
    assert (await audit(api))[0]["detail"] == {name: good}
    await page.fill(box, str(bad))
    await page.click("#hall-save")
    await wait_text(page, f"{field} .field-error", why)
    assert await page.get_attribute(box, "aria-invalid") == "true"
    assert (await settings(api))[name] == good


async def test_a_new_service_and_window_call_its_tickets(api: Api, pages: Pages) -> None:
    page = await pages.open(api)
    await tab(page, "services")
    await page.click("#add-service")
    await page.fill("#editor input[data-field=code]", "D")
    await page.fill("#editor input[data-field=name]", "公积金提取")
    await page.fill("#editor input[data-field=name_en]", "Housing fund")
    await page.check("#editor input[value=ratio]")
    await page.fill("#editor input.ratio", "2")
    await submit_editor(page)
    await editor_closed(page)
    await page.wait_for_selector("#panel-services tr[data-code=D]")
    assert "1 优先 : 2 普通" in await text(page, "#panel-services tr[data-code=D]")
    d = await service(api, "D")
    assert (d["name"], d["name_en"], d["priority_ratio"]) == ("公积金提取", "Housing fund", 2)
    assert (d["open"], d["priority_allowed"], d["target_wait_s"]) == (True, True, 900)

    await tab(page, "windows")
    await page.click("#add-window")
    assert await page.input_value("#editor input[data-field=number]") == "9"
    await page.check("#editor input[value=D]")
    await submit_editor(page)
    await editor_closed(page)
    await page.wait_for_selector("#panel-windows tr[data-number='9']")
    windows = {w["number"]: w for w in (await settings(api))["windows"]}
    assert windows[9]["services"] == ["D"]

    ticket = await api.issue("D")
    status, body = await api.window(9, "call-next", user="manager")
    assert status == 200, body
    assert body["called"]["number"] == ticket["number"] == "D001"


async def test_ticket_hours_for_a_weekday(api: Api, pages: Pages) -> None:
    page = await pages.open(api)
    await page.check("#panel-hall input[value=weekly]")  # starts as Mon–Fri 09:00-17:00
    saturday = "#panel-hall .day[data-day=sat]"
    assert "不发号" in await text(page, saturday)
    await page.click(f"{saturday} button.small")
    await page.fill(f"{saturday} input[data-part=from]", "09:00")
    await page.fill(f"{saturday} input[data-part=to]", "12:00")
    monday = "#panel-hall .day[data-day=mon]"
    await page.fill(f"{monday} input[data-part=to]", "12:00")
    await page.click(f"{monday} button.small")
    await page.fill(f"{monday} .span:nth-child(2) input[data-part=from]", "13:30")
    await page.fill(f"{monday} .span:nth-child(2) input[data-part=to]", "17:00")
    await page.click("#hall-save")
    await wait_text(page, "#message", "已保存")
    hours = (await settings(api))["hours"]
    assert hours["mon"] == ["09:00-12:00", "13:30-17:00"]
    assert hours["tue"] == hours["fri"] == ["09:00-17:00"]
    assert hours["sat"] == ["09:00-12:00"]
    assert hours["sun"] == []
    # the services follow the hall's hours
    await tab(page, "services")
    assert "同大厅" in await text(page, "#panel-services tr[data-code=A]")


async def test_a_bad_value_shows_the_servers_error_and_changes_nothing(
    api: Api, pages: Pages
) -> None:
    page = await pages.open(api)
    await tab(page, "services")
    await page.click("#panel-services tr[data-code=A] button:has-text('编辑')")
    await page.fill("#editor input[data-field=name]", "新名字")
    await page.fill("#editor input[data-field=target_wait_s]", "0")
    await submit_editor(page)
    error = "#editor .field[data-field=target_wait_s] .field-error"
    await page.wait_for_selector(error)
    assert "1 分钟到 7 天" in await text(page, error)
    assert "bad_seconds" in await text(page, error)  # the server's own code and message
    assert await page.get_attribute("#editor input[data-field=target_wait_s]", "aria-invalid")
    assert await page.get_attribute("#message", "data-kind") == "error"
    assert await page.is_visible("#editor")  # still open, to be fixed
    a = await service(api, "A")
    assert (a["name"], a["target_wait_s"]) == ("不动产登记", 900)  # all or nothing
    await page.keyboard.press("Escape")
    await editor_closed(page)
    assert "不动产登记" in await text(page, "#panel-services tr[data-code=A]")
    assert "15 分钟" in await text(page, "#panel-services tr[data-code=A]")

    await tab(page, "hall")
    await page.fill("#panel-hall input[data-field=promise_s]", "0")
    await page.click("#hall-save")
    await page.wait_for_selector("#panel-hall .field[data-field=promise_s] .field-error")
    assert (await settings(api))["promise_s"] == 3600
    assert await audit(api) == []  # a refused change writes nothing
    await page.click("#hall-revert")
    assert await page.input_value("#panel-hall input[data-field=promise_s]") == "60"
    assert await page.is_hidden("#panel-hall .field-error")


async def test_a_staff_account_is_added_reset_and_removed(api: Api, pages: Pages) -> None:
    page = await pages.open(api)
    await tab(page, "staff")
    await page.wait_for_selector("#panel-staff tr[data-user=w1]")
    await page.click("#add-user")
    await page.fill("#editor input[data-field=username]", "zhang")
    await page.select_option("#editor select[data-field=window]", "3")
    await page.fill("#editor input[data-field=display_name]", "张伟")  # on the window screen
    await page.fill("#editor input[data-field=staff_no]", "B2041")
    await page.fill("#editor input[data-field=password]", "123")
    await submit_editor(page)
    await page.wait_for_selector("#editor .field[data-field=password] .field-error")
    assert await can_log_in(api, "zhang", "123") is None
    await page.fill("#editor input[data-field=password]", "secret1")
    await submit_editor(page)
    await editor_closed(page)
    await page.wait_for_selector("#panel-staff tr[data-user=zhang]")
    login = await can_log_in(api, "zhang", "secret1")
    assert login is not None
    assert (login["role"], login["hall"], login["window"]) == ("staff", "demo", 3)
    assert "张伟 · B2041" in await text(page, "#panel-staff tr[data-user=zhang] th")
    token = await api.login("manager")
    users = (await api.request("GET", "/api/v1/halls/demo/users", token=token))[1]["users"]
    zhang = next(u for u in users if u["username"] == "zhang")
    assert (zhang["display_name"], zhang["staff_no"]) == ("张伟", "B2041")

    await page.click("#panel-staff button[aria-label='重设密码 zhang']")
    await page.fill("#editor input[data-field=password]", "another1")
    await submit_editor(page)
    await editor_closed(page)
    await wait_until(lambda: _logs_in(api, "zhang", "another1"))
    assert await can_log_in(api, "zhang", "secret1") is None

    await page.click("#panel-staff button[aria-label='删除 zhang']")
    await page.wait_for_selector("#confirm[open]")
    assert "zhang" in await text(page, "#confirm-text")
    await page.click("#confirm-ok")
    await page.wait_for_selector("#panel-staff tr[data-user=zhang]", state="detached")
    assert await can_log_in(api, "zhang", "another1") is None


async def _logs_in(api: Api, user: str, password: str) -> bool:
    return await can_log_in(api, user, password) is not None


async def test_the_audit_tab_says_who_did_what(api: Api, pages: Pages) -> None:
    page = await pages.open(api)
    await page.fill("#panel-hall textarea[data-field=notice]", "请携带身份证")
    await page.click("#hall-save")
    await wait_text(page, "#message", "已保存")
    await api.issue("A")
    assert (await api.window(1, "call-next"))[0] == 200
    await tab(page, "audit")
    await wait_text(page, "#audit-table", "呼叫 A001 到 1号窗口")
    shown = await page.locator("#audit-table tbody tr").all_inner_texts()
    rows = [" ".join(r.split()) for r in shown]
    assert any(r.startswith(tuple("0123456789")) and "w1 呼叫 A001 到 1号窗口" in r for r in rows)
    assert any("manager 修改设置 公告 公告: 请携带身份证" in r for r in rows), rows
    # live: a staff action shows while the tab is open
    assert (await api.window(1, "recall"))[0] == 200
    await wait_text(page, "#audit-table", "重呼 A001")
    # only one person's actions
    await page.select_option("#audit-actor", "w1")
    await wait_js(page, "document.querySelectorAll('#audit-table tbody tr').length === 2")
    assert "manager" not in await text(page, "#audit-table tbody")
    # English words for the same entries
    await page.click(".lang button[data-lang=en]")
    await wait_text(page, "#audit-table", "called A001 to window 1")
    assert "Time" in await text(page, "#audit-table thead")


async def test_the_tabs_work_from_the_keyboard_alone(api: Api, pages: Pages) -> None:
    page = await pages.open(api)
    await page.locator("body").click(position={"x": 5, "y": 300})
    for _ in range(12):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.id") == "tab-hall":
            break
    assert await page.evaluate("document.activeElement.id") == "tab-hall"
    outline = "getComputedStyle(document.activeElement).outlineStyle"
    assert await page.evaluate(outline) != "none"  # focus is seen

    async def selected() -> list[str]:
        return await page.evaluate(
            "[document.activeElement.id,"
            " document.querySelector('[role=tab][aria-selected=true]').id]"
        )

    await page.keyboard.press("ArrowRight")
    assert await selected() == ["tab-services", "tab-services"]
    assert await page.is_visible("#panel-services")
    assert await page.is_hidden("#panel-hall")
    await page.keyboard.press("End")
    assert await selected() == ["tab-audit", "tab-audit"]
    await page.keyboard.press("ArrowRight")  # wraps around
    assert await selected() == ["tab-hall", "tab-hall"]
    await page.keyboard.press("ArrowLeft")
    assert await selected() == ["tab-audit", "tab-audit"]
    await page.keyboard.press("Home")
    await page.keyboard.press("ArrowRight")
    assert await selected() == ["tab-services", "tab-services"]
    # Tab leaves the tab list for the panel, then its controls; Enter opens, Escape closes
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "panel-services"
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "add-service"
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#editor[open]")
    assert await page.evaluate("document.activeElement.dataset.field") == "code"
    await page.keyboard.press("Escape")
    await editor_closed(page)
    assert await page.evaluate("document.activeElement.id") == "add-service"
    # the tab is in the address: a reload opens it again
    await page.reload()
    await page.wait_for_selector("#panel-services:not([hidden])")


async def test_chinese_first_english_by_query_and_toggle(api: Api, pages: Pages) -> None:
    page = await pages.open(api)
    assert await page.get_attribute("html", "lang") == "zh-CN"
    assert [await text(page, f"#tab-{t}") for t in ("hall", "services", "audit")] == [
        "大厅", "业务", "日志",
    ]  # fmt: skip
    await page.click(".lang button[data-lang=en]")
    assert await page.get_attribute("html", "lang") == "en"
    assert await text(page, "#tab-services") == "Services"
    assert await text(page, "#hall-save") == "Save"
    assert await text(page, "#hall-name") == "Demo Service Hall"
    await tab(page, "services")
    assert "Target wait" in await text(page, "#panel-services thead")
    assert "Real estate registration" in await text(page, "#panel-services tr[data-code=A]")
    english = await pages.open(api, "?lang=en", user=None)
    assert await text(page, "#tab-hall") == "Hall"
    assert await text(english, "#login-submit") == "Log in"
    await submit_login(english, "w2", "demo")
    await wait_text(english, "#login-error", "Managers only")


async def test_changes_made_elsewhere_arrive_but_never_clobber_an_edit(
    api: Api, pages: Pages
) -> None:
    page = await pages.open(api)
    notice = "#panel-hall textarea[data-field=notice]"
    await patch(api, {"notice": "系统维护中"})
    await wait_js(
        page,
        "document.querySelector('#panel-hall textarea[data-field=notice]').value === '系统维护中'",
    )
    assert await page.is_hidden("#conflict")
    # a new service elsewhere shows in the table at once
    token = await api.login("manager")
    status, _ = await api.request(
        "PUT", "/api/v1/halls/demo/services/E", {"name": "社保"}, token=token
    )
    assert status == 201
    await tab(page, "services")
    await page.wait_for_selector("#panel-services tr[data-code=E]")
    await tab(page, "hall")
    # now the manager is typing: another change must not wipe it
    await page.fill(notice, "我的草稿")
    await patch(api, {"promise_s": 7200})
    await page.wait_for_selector("#conflict:not([hidden])")
    assert "已被他人修改" in await text(page, "#conflict")
    assert await page.input_value(notice) == "我的草稿"
    await page.click("#conflict-reload")
    await page.wait_for_selector("#conflict", state="hidden")
    assert await page.input_value(notice) == "系统维护中"
    assert await page.input_value("#panel-hall input[data-field=promise_s]") == "120"


async def test_removals_ask_first_and_say_why_they_are_refused(api: Api, pages: Pages) -> None:
    page = await pages.open(api)
    await tab(page, "services")
    await page.click("#panel-services button[aria-label='删除 A']")
    await page.wait_for_selector("#confirm[open]")
    assert "不动产登记" in await text(page, "#confirm-text")
    await page.click("#confirm-cancel")  # no: nothing is sent
    await page.wait_for_selector("#confirm", state="hidden")
    assert await page.is_hidden("#message") or await text(page, "#message") == ""
    await page.click("#panel-services button[aria-label='删除 A']")
    await page.click("#confirm-ok")
    await wait_text(page, "#message", "仍有窗口办理此业务")
    assert "service_in_use" in await text(page, "#message")
    assert await page.get_attribute("#message", "data-kind") == "error"
    assert await page.is_visible("#panel-services tr[data-code=A]")
    assert any(s["code"] == "A" for s in (await settings(api))["services"])

    await tab(page, "windows")
    await page.click("#panel-windows button[aria-label='删除 8号窗口']")
    await page.click("#confirm-ok")
    await wait_text(page, "#message", "已删除：8号窗口")
    await page.wait_for_selector("#panel-windows tr[data-number='8']", state="detached")
    assert 8 not in [w["number"] for w in (await settings(api))["windows"]]
    assert await page.evaluate("document.activeElement.id") == "add-window"
