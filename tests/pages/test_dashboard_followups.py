"""The dashboard's follow-up card (差评回访) in a real Chromium under the page's CSP: the open and
overdue counts (overdue in the warning colour), and the list worked by pointer and keyboard:
assign, contacted, resolve with a note (refused without one, in words, nothing changed),
unreachable; zh by default, en by the toggle."""

# ruff: noqa: F401, F811  (the tests take the `pages` fixture imported from test_dashboard_page)

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from playwright.async_api import Page

from callnext.runtime.config import Settings

from ..browser import chromium_missing, wait_js
from ..helpers import Api
from .test_dashboard_page import Pages, board, log_in, pages, text, today

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]


async def rated_low(api: Api, scores: tuple[int, ...]) -> list[str]:
    """Tickets served at window 1 and rated each of `scores`; their numbers."""
    numbers = []
    for score in scores:
        await api.issue("A")
        assert (await api.window(1, "call-next"))[0] == 200
        finished = (await api.window(1, "finish", {"outcome": "completed"}))[1]["finished"]
        body = {"score": score, "reasons": ["long_wait"] if score <= 3 else [], "comment": "等太久"}
        status, answer = await api.request("POST", f"/api/v1/tickets/{finished['id']}/rating", body)
        assert status == 201, answer
        numbers.append(finished["number"])
    return numbers


async def followups(api: Api, state: str = "all") -> dict[str, Any]:
    token = await api.login("manager")
    status, body = await api.request(
        "GET", f"/api/v1/halls/demo/followups?state={state}", token=token
    )
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def make_overdue(db_url: str, number: str) -> None:
    """As time would: the follow-up of `number` was due before today."""
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    try:
        conn.execute(
            "UPDATE followups SET due = '2000-01-03' WHERE rating_id = "
            "(SELECT id FROM ratings WHERE number = ?)", (number,)
        )  # fmt: skip
        conn.commit()
    finally:
        conn.close()


def item(number: str) -> str:
    return f"#fu-list li[data-number='{number}']"


async def count(page: Page, key: str) -> str:
    return await text(page, f"#fu-counts [data-key='{key}'] .big")


async def test_the_card_counts_and_works_the_followups(
    api: Api, settings: Settings, pages: Pages
) -> None:
    first, second, third = await rated_low(api, (1, 2, 1))
    await rated_low(api, (4,))  # a satisfied one opens none
    make_overdue(settings.db_url, first)
    page = await pages.open(api)
    await log_in(page)
    await board(page, today().isoformat())
    await page.wait_for_selector(item(third))
    assert await text(page, "#fu-title") == "差评回访"
    assert (await count(page, "open"), await count(page, "overdue")) == ("3", "1")
    overdue_tile = "#fu-counts [data-key='overdue']"
    assert "warn" in (await page.get_attribute(overdue_tile, "class") or "")
    colour = await page.eval_on_selector(f"{overdue_tile} .big", "e => getComputedStyle(e).color")
    assert colour == "rgb(255, 138, 101)"  # --over, the warning colour
    assert "超期" in await text(page, f"{item(first)} .due")
    assert "等太久" in await text(page, item(first))
    assert await page.locator("#fu-list li").count() == 3  # newest first
    numbers = await page.eval_on_selector_all("#fu-list li", "l => l.map(e => e.dataset.number)")
    assert numbers == [third, second, first]
    ids = {f["number"]: f["id"] for f in (await followups(api))["followups"]}

    # assign by keyboard: focus the select, choose w1 with the arrow keys' value
    await page.select_option(f"#fu-assign-{ids[first]}", "w1")
    await wait_js(page, "n => document.querySelector(`#fu-assign-${n}`)?.value === 'w1'",
                  ids[first])  # fmt: skip
    assert next(f for f in (await followups(api))["followups"]
                if f["number"] == first)["assignee"] == "w1"  # fmt: skip

    # resolve without a note: refused in words next to it, nothing changed
    await page.click(f"{item(first)} .fu-resolve")
    await page.wait_for_selector(f"{item(first)} .fu-error:not([hidden])")
    assert "请填写回访记录" in await text(page, f"{item(first)} .fu-error")
    assert (await followups(api, "closed"))["followups"] == []

    # contacted by keyboard (Enter on the focused button), then resolved with a note
    await page.focus(f"{item(first)} .fu-contacted")
    await page.keyboard.press("Enter")
    await page.wait_for_selector(f"{item(first)}.state-contacted")
    await page.fill(f"#fu-note-{ids[first]}", "已电话道歉，当场加急办结")
    await page.click(f"{item(first)} .fu-resolve")
    await page.wait_for_selector(item(first), state="detached")  # gone from the open list
    assert (await count(page, "open"), await count(page, "overdue")) == ("2", "0")

    # unreachable by touch-sized button
    await page.click(f"{item(second)} .fu-unreachable")
    await page.wait_for_selector(item(second), state="detached")
    closed = {f["number"]: f for f in (await followups(api, "closed"))["followups"]}
    assert closed[first]["state"] == "resolved"
    assert closed[first]["note"] == "已电话道歉，当场加急办结"
    assert closed[second]["state"] == "unreachable"
    assert closed[first]["closed_by"] == "manager"

    # the closed ones, by the filter; then English
    await page.select_option("#fu-filter", "closed")
    await page.wait_for_selector(f"{item(first)}.state-resolved")
    assert "已电话道歉" in await text(page, item(first))
    assert await page.locator(f"{item(first)} button").count() == 0  # nothing left to do
    await page.click(".lang button[data-lang=en]")
    await page.wait_for_selector("#fu-title:text('Follow-ups')")
    assert "Resolved" in await text(page, f"{item(first)} .state")
    height = await page.eval_on_selector("#fu-filter", "e => e.getBoundingClientRect().height")
    assert height >= 40  # large enough for a finger
