"""The settings page's audit log in a real Chromium: every staff entry in words, zh and en — the
service by name, what the ticket became (已呼叫 / called, 未到 / no-show, 已受理（承诺件）),
never a raw code ("service: B", "status: called", "结果: 无")."""

# ruff: noqa: F401, F811  (the tests take the `pages` fixture imported from test_settings_page)

from __future__ import annotations

import os

import pytest
from playwright.async_api import Page

from ..browser import chromium_missing, wait_text
from ..helpers import Api
from .test_settings_page import Pages, pages, tab

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

RAW = ("service:", "status:", "outcome:", "called;", "no_show", "结果", ": 无", "from_service")


async def a_morning_of_staff_actions(api: Api) -> None:
    """A001 completed, A002 a no-show, A003 moved to B, A004 sent back, B001 accepted as pending,
    window 4 paused."""
    for service in "AAAAB":
        await api.issue(service)
    steps = [
        (1, "call-next", None),  # A001
        (1, "finish", {"outcome": "completed"}),
        (1, "call-next", None),  # A002
        (1, "finish", {"outcome": "no_show"}),
        (1, "call-next", None),  # A003
        (1, "transfer", {"service": "B"}),
        (2, "call-next", None),  # A004
        (2, "requeue", None),
        (5, "call-next", None),  # A003, now in B's queue ahead of B001
        (5, "finish", {"outcome": "completed"}),
        (5, "call-next", None),  # B001
        (5, "finish", {"outcome": "pending"}),
        (4, "pause", {"reason": "午休"}),
    ]
    for window, action, body in steps:
        status, answer = await api.window(window, action, body)
        assert status == 200, (action, answer)


async def audit_rows(page: Page) -> list[str]:
    rows = await page.locator("#audit-table tbody tr").all_inner_texts()
    return [" ".join(r.split()) for r in rows]


def has(rows: list[str], *parts: str) -> bool:
    return any(all(p in r for p in parts) for r in rows)


async def test_staff_entries_are_in_words_in_both_languages(api: Api, pages: Pages) -> None:
    await a_morning_of_staff_actions(api)
    page = await pages.open(api)
    await tab(page, "audit")
    await wait_text(page, "#audit-table", "午休")
    if os.environ.get("CALLNEXT_TEST_SHOTS"):
        await page.screenshot(path=os.path.join(os.environ["CALLNEXT_TEST_SHOTS"], "audit-zh.png"))
    rows = await audit_rows(page)
    assert has(rows, "w1 呼叫 A001 到 1号窗口", "业务: 不动产登记", "状态: 已呼叫"), rows
    assert has(rows, "w1 办结 A001（1号窗口）", "状态: 已办结"), rows
    assert has(rows, "w1 A002 记为未到（1号窗口）", "状态: 未到"), rows
    assert has(rows, "w1 转移 A003：不动产登记 → 水电气过户", "状态: 等候中"), rows
    assert has(rows, "w2 将 A004 送回等候队列（2号窗口）"), rows
    pending = ("w5 受理 B001 为承诺件（5号窗口）", "业务: 水电气过户", "状态: 已受理（承诺件）")
    assert has(rows, *pending), rows
    assert has(rows, "w4 暂停 4号窗口", "原因: 午休"), rows
    for row in rows:
        assert not any(raw in row for raw in RAW), row

    await page.click(".lang button[data-lang=en]")
    await wait_text(page, "#audit-table", "marked A002 as a no-show (window 1)")
    rows = await audit_rows(page)
    assert has(rows, "w1 called A001 to window 1", "service: Real estate registration"), rows
    assert has(rows, "status: called"), rows
    assert has(rows, "w1 marked A002 as a no-show (window 1)", "status: no-show"), rows
    assert has(rows, "w1 completed A001 (window 1)", "status: completed"), rows
    assert has(rows, "moved A003 from Real estate registration to Utility transfer"), rows
    assert has(rows, "w5 accepted B001 as pending (window 5)", "status: accepted as pending")
    assert has(rows, "w2 sent A004 back to its queue (window 2)"), rows
    for row in rows:
        assert "status: no_show" not in row, row
        assert "service: B;" not in row, row
        assert "service: A;" not in row, row
        assert "outcome" not in row, row


async def test_followup_entries_are_in_words(api: Api, pages: Pages) -> None:
    """差评回访: opened by the rating (the system), assigned, resolved: in words, zh and en,
    never the state's code, never the note."""
    await api.issue("A")
    assert (await api.window(1, "call-next"))[0] == 200
    finished = (await api.window(1, "finish", {"outcome": "completed"}))[1]["finished"]
    rated = await api.request("POST", f"/api/v1/tickets/{finished['id']}/rating", {"score": 1})
    assert rated[0] == 201, rated
    token = await api.login("manager")
    listed = (await api.request("GET", "/api/v1/halls/demo/followups", token=token))[1]
    fid = listed["followups"][0]["id"]
    path = f"/api/v1/halls/demo/followups/{fid}"
    assert (await api.request("POST", path + "/assign", {"assignee": "w1"}, token=token))[0] == 200
    body = {"note": "电话 13800000000 已道歉"}
    assert (await api.request("POST", path + "/resolve", body, token=token))[0] == 200
    page = await pages.open(api)
    await tab(page, "audit")
    await wait_text(page, "#audit-table", "已解决")
    rows = await audit_rows(page)
    assert has(rows, "系统 差评 A001（1 分）开始回访"), rows
    assert has(rows, "manager 将 A001 的回访交给 w1", f"回访编号 {fid}", "状态: 待回访"), rows
    assert has(rows, "manager 回访 A001 已解决", "状态: 已解决"), rows
    assert not any("13800000000" in r or "resolved" in r for r in rows), rows
    await page.click(".lang button[data-lang=en]")
    await wait_text(page, "#audit-table", "resolved the follow-up of A001")
    rows = await audit_rows(page)
    assert has(rows, "assigned the follow-up of A001 to w1", "status: to follow up"), rows
