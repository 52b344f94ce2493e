"""Service guides (办事指南, 一次告知) in a real Chromium under the pages' CSP: the kiosk's ticket
shows 请携带 with the first 5 items and "N more" (zh, en, portrait and landscape), and prints
them on the browser's slip; the phone page shows the whole guide while the ticket waits; the
booking page shows the chosen service's guide before confirming; the settings page edits a
guide, one item a line, and shows a refusal next to its field. SQLite only."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from ..booking import enable_booking
from ..browser import chromium_missing, launch, wait_js
from ..helpers import Api
from .test_appointment_pages import PHONE, choice, open_page
from .test_kiosk_page import COUNT_PRINTS, Kiosks, kiosks, put_kiosk, service
from .test_settings_page import Pages, pages, submit_editor, tab

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]
__all__ = ["kiosks", "pages"]  # the fixtures, shared

ESTATE_ZH = ["身份证原件", "不动产权证书", "购房合同", "完税凭证", "户口簿"]  # the first 5 of 7
ESTATE_EN = ["ID card (original)", "Real estate title certificate", "Purchase contract",
             "Tax payment certificate", "Household register (hukou booklet)"]  # fmt: skip


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launch() as b:
        yield b


async def items(page: Page, box: str) -> list[str]:
    return await page.eval_on_selector_all(  # type: ignore[no-any-return]
        f"{box} .guide-item", "els => els.map((e) => e.textContent)"
    )


async def set_guide(api: Api, code: str, guide: dict[str, Any]) -> None:
    body = {"services": {code: {"guide": guide}}}
    token = await api.login("manager")
    status, answer = await api.request("PATCH", "/api/v1/halls/demo/settings", body, token=token)
    assert status == 200, answer


IN_VIEW = """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
  return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 1 && r.right <= innerWidth + 1; }"""


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
async def test_the_kiosk_ticket_says_what_to_bring(
    api: Api, kiosks: Kiosks, size: tuple[int, int]
) -> None:
    """A: 请携带 and its first 5 items, "另有 2 项" to read on the phone; English switches the
    list in place; C (one item): no "more"; a service without a guide: no box, the card as
    before. The card, the guide and Done are on screen."""
    await set_guide(api, "B", {"materials": [], "materials_en": [], "notes": ""})
    page = await kiosks.open(api, size=size)
    await page.click(service("A"))
    await page.wait_for_selector("#t-guide:not([hidden])")
    assert await items(page, "#t-guide") == ESTATE_ZH
    await expect(page.locator("#t-guide .guide-title")).to_have_text("请携带")
    await expect(page.locator("#t-guide .guide-more")).to_have_text("另有 2 项，扫码在手机上查看")
    assert await page.locator("#t-guide .guide-notes").count() == 0  # notes: on the phone
    if shots := os.environ.get("CALLNEXT_TEST_SHOTS"):
        await page.screenshot(path=f"{shots}/kiosk-guide-{size[0]}x{size[1]}.png")
    for shown in ("#t-guide", "#done", "#t-number", "#t-qr"):
        assert await page.evaluate(IN_VIEW, shown), (shown, size)
    await page.click(".lang button[data-lang=en]")
    await expect(page.locator("#t-guide .guide-title")).to_have_text("Please bring")
    assert await items(page, "#t-guide") == ESTATE_EN
    await expect(page.locator("#t-guide .guide-more")).to_contain_text("and 2 more")
    await page.click("#done")
    await page.click(service("C"))
    await page.wait_for_selector("#t-guide:not([hidden])")
    assert await items(page, "#t-guide") == ["身份证原件"]
    assert await page.locator("#t-guide .guide-more").count() == 0
    await page.click("#done")
    await page.click(service("B"))
    await page.wait_for_selector("#ticket:not([hidden]) #t-number:not(:empty)")
    assert await page.is_hidden("#t-guide")
    assert "has-guide" not in (await page.get_attribute("#ticket .card", "class") or "")


async def test_a_changed_guide_reaches_an_open_kiosk(api: Api, kiosks: Kiosks) -> None:
    """hall.updated: the kiosk reads the guides again, no reload."""
    page = await kiosks.open(api)
    await set_guide(api, "C", {"materials": ["户口簿", "居住证"]})
    await page.wait_for_timeout(1500)  # the event, then the guides' GET
    await page.click(service("C"))
    await page.wait_for_selector("#t-guide:not([hidden])")
    assert await items(page, "#t-guide") == ["户口簿", "居住证"]


async def test_the_browser_slip_prints_the_first_items(api: Api, kiosks: Kiosks) -> None:
    await put_kiosk(api, "K1", {"name": "门口", "print": "browser"})
    page = await kiosks.open(api, "?kiosk=K1", init=COUNT_PRINTS)
    await page.click(service("A"))
    await wait_js(page, "window.__prints.length === 1", timeout=10_000)
    pairs = "els => els.map((e) => [e.firstChild.textContent, e.lastChild.textContent])"
    listed = await page.eval_on_selector_all("#s-guide li", pairs)
    assert listed == [list(pair) for pair in zip(ESTATE_ZH, ESTATE_EN, strict=True)]
    assert await page.text_content("#s-guide .s-guide-title") == "请携带 Please bring"
    assert "另有 2 项" in (await page.text_content("#s-guide p:last-child") or "")


async def test_the_phone_page_shows_the_whole_guide_while_waiting(
    api: Api, browser: Browser
) -> None:
    ticket = await api.issue("A")
    errors: list[str] = []
    page = await open_page(browser, f"{api.base}/t/{ticket['id']}", errors, **PHONE)
    await page.wait_for_selector("#guide:not([hidden])")
    shown = await items(page, "#guide")
    assert shown[:5] == ESTATE_ZH
    assert len(shown) == 7  # all of them: nothing to scan here
    notes = page.locator("#guide .guide-notes")
    await expect(notes).to_have_text("原件及复印件各一份。共有人须一同到场，或提供经公证的委托书。")
    await page.click("#lang")
    await expect(page.locator("#guide .guide-title").first).to_have_text("Please bring")
    assert (await items(page, "#guide"))[0] == "ID card (original)"
    await expect(notes).to_contain_text("notarised power of attorney")
    status, _ = await api.request("POST", f"/api/v1/tickets/{ticket['id']}/cancel")
    assert status == 200
    await page.wait_for_selector("#guide", state="hidden")  # no longer waiting: no guide
    assert errors == []


async def test_the_booking_page_shows_the_services_guide_before_confirming(
    api: Api, browser: Browser
) -> None:
    await enable_booking(api, services=("A", "B"))
    errors: list[str] = []
    page = await open_page(browser, f"{api.base}/halls/demo/book", errors, **PHONE)
    await page.wait_for_selector("#services input[value='A']")
    assert await page.is_hidden("#pick-guide")  # no service chosen yet
    await page.tap(choice("services", "B"))
    await page.wait_for_selector("#pick-guide:not([hidden])")
    assert (await items(page, "#pick-guide"))[2] == "原户主的缴费卡或近期账单"
    await expect(page.locator("#pick-guide .guide-notes")).to_have_text("过户前请先结清欠费。")
    await page.tap(choice("services", "A"))
    await expect(page.locator("#pick-guide .guide-item").first).to_have_text("身份证原件")
    assert len(await items(page, "#pick-guide")) == 7
    guide_top = (await page.locator("#pick-guide").bounding_box() or {})["y"]
    bar_top = (await page.locator("#confirm-bar").bounding_box() or {})["y"]
    assert guide_top < bar_top  # read before the confirm button
    assert errors == []


async def test_the_settings_page_edits_a_guide(api: Api, pages: Pages) -> None:
    """One item a line (blank lines dropped), notes in both languages; a line too long is
    refused next to the materials, and nothing changes."""
    page = await pages.open(api)
    await tab(page, "services")
    await page.click("#panel-services tr[data-code=C] button.small:not(.danger)")
    materials = "#editor textarea[data-field=materials]"
    assert await page.input_value(materials) == "身份证原件"
    await page.fill(materials, "身份证原件\n\n  户口簿  \n居住证")
    await page.fill("#editor textarea[data-field=notes_en]", "Ask us first.")
    await submit_editor(page)
    await page.wait_for_selector("#editor", state="hidden")
    token = await api.login("manager")
    _status, body = await api.request("GET", "/api/v1/halls/demo/guides", token=token)
    c = body["services"][2]["guide"]
    assert c["materials"] == ["身份证原件", "户口簿", "居住证"]
    assert c["notes_en"] == "Ask us first."
    await page.click("#panel-services tr[data-code=C] button.small:not(.danger)")
    await page.fill(materials, "身份证原件\n" + "长" * 81)
    await submit_editor(page)
    error = "#editor .field[data-field=materials] .field-error"
    await page.wait_for_selector(f"{error}:not([hidden])")
    assert "每项不超过 80 字" in (await page.text_content(error) or "")
    assert await page.get_attribute(materials, "aria-invalid") == "true"
    _status, again = await api.request("GET", "/api/v1/halls/demo/guides")
    assert again["services"][2]["guide"] == c
