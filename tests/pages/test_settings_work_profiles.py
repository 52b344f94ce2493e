"""A window's work profile in a real Chromium under the pages' CSP: on the settings page the
window dialog orders its services with ↑/↓ (shown only for "in this order") by mouse and by
keyboard, saves `call_order` and the order through the API, marks the window's row, and the
window then calls by it; the staff console of such a window lists its queue in that order and
says so; in English too. SQLite only."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from ..browser import chromium_missing, text
from ..helpers import Api
from .test_settings_page import Pages, editor_closed, pages, settings, submit_editor, tab
from .test_staff_page import Consoles, at_desk, consoles

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]
__all__ = ["consoles", "pages"]  # the fixtures, shared

ROW_7 = "#panel-windows tr[data-number='7']"


async def listed(page: Page) -> list[str]:
    """The services in the dialog, top to bottom (checked or not)."""
    codes = await page.eval_on_selector_all(
        "#editor .ordered-choices li", "items => items.map(i => i.dataset.code)"
    )
    return [str(c) for c in codes]


async def test_a_window_set_to_call_its_services_in_order(api: Api, pages: Pages) -> None:
    page = await pages.open(api)
    await tab(page, "windows")
    await page.click(f"{ROW_7} button:not(.danger)")
    await page.wait_for_selector("#editor[open]")
    assert await listed(page) == ["A", "B", "C"]
    first_come = page.locator("#editor input[name=call_order][value=queue]")
    await expect(first_come).to_be_checked()
    await expect(page.locator("#editor .move").first).to_be_hidden()  # first come: no order
    await page.check("#editor input[name=call_order][value=services]")
    up_c = page.locator("#editor li[data-code=C] .up")
    await expect(up_c).to_be_visible()
    await up_c.click()  # A C B
    await up_c.focus()
    await page.keyboard.press("Enter")  # C A B: the focus stays on C's ↑
    assert await listed(page) == ["C", "A", "B"]
    assert await page.evaluate("document.activeElement.getAttribute('aria-label')") == "上移 C"
    await page.click("#editor li[data-code=A] .down")  # C B A
    assert await listed(page) == ["C", "B", "A"]
    await submit_editor(page)
    await editor_closed(page)
    await expect(page.locator(f"{ROW_7} .in-order-note")).to_have_text("按业务顺序叫号")
    seven = next(w for w in (await settings(api))["windows"] if w["number"] == 7)
    assert (seven["services"], seven["call_order"]) == (["C", "B", "A"], "services")
    assert "C" in await text(page, f"{ROW_7} .chips li:first-child")

    for service in "ABC":
        await api.issue(service)
    for expected in ("C001", "B001", "A001"):
        status, body = await api.window(7, "call-next", user="manager")
        assert status == 200, body
        assert body["called"]["number"] == expected

    # unchecking a service and going back to first come keeps the rest in its order
    await page.click(f"{ROW_7} button:not(.danger)")
    await page.wait_for_selector("#editor[open]")
    assert await listed(page) == ["C", "B", "A"]
    await page.uncheck("#editor li[data-code=B] input")
    await page.check("#editor input[name=call_order][value=queue]")
    await submit_editor(page)
    await editor_closed(page)
    await expect(page.locator(f"{ROW_7} .in-order-note")).to_have_count(0)
    seven = next(w for w in (await settings(api))["windows"] if w["number"] == 7)
    assert (seven["services"], seven["call_order"]) == (["C", "A"], "queue")


async def test_the_work_profile_in_english(api: Api, pages: Pages) -> None:
    page = await pages.open(api, "?lang=en")
    await tab(page, "windows")
    await page.click(f"{ROW_7} button:not(.danger)")
    await page.wait_for_selector("#editor[open]")
    legend = page.locator("#editor .call-order legend")
    await expect(legend).to_have_text("Call order")
    await page.check("#editor input[name=call_order][value=services]")
    await expect(page.locator("#editor li[data-code=B] .down")).to_have_attribute(
        "aria-label", "Move B down"
    )
    await submit_editor(page)
    await editor_closed(page)
    note = page.locator(f"{ROW_7} .in-order-note")
    await expect(note).to_have_text("Calls its services in this order")


async def test_the_console_of_a_window_in_order_says_so_and_lists_by_it(
    api: Api, consoles: Consoles
) -> None:
    """Window 7 set to C, B, A in order: its desk lists C's tickets, then B's, then A's, and its
    queue's title says 按业务顺序 C → B → A (English: in this order); window 8, first come,
    lists by the queue and says nothing of an order."""
    token = await api.login("manager")
    body = {"services": ["C", "B", "A"], "call_order": "services"}
    status, answer = await api.request("PUT", "/api/v1/halls/demo/windows/7", body, token=token)
    assert status == 200, answer
    for service in "ABCA":
        await api.issue(service)  # A001 B001 C001 A002
    page = await at_desk(consoles, api, "w7", 7)
    await expect(page.locator("#queue-order")).to_have_text("· 按业务顺序 C → B → A")
    rows = page.locator("#queue-list li")
    await expect(rows).to_have_count(4)
    assert [await r.get_attribute("data-number") for r in await rows.all()] == [
        "C001", "B001", "A001", "A002"
    ]  # fmt: skip
    other = await at_desk(consoles, api, "w8", 8, "?lang=en")
    await expect(other.locator("#queue-list li")).to_have_count(4)
    await expect(other.locator("#queue-order")).to_be_hidden()
    first = await other.locator("#queue-list li").first.get_attribute("data-number")
    assert first == "A001"
    await page.click(".lang button[data-lang='en']")  # in place: the order's words follow
    await expect(page.locator("#queue-order")).to_have_text("· in this order: C → B → A")
