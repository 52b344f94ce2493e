"""Service guides (办事指南, 一次告知): what to bring and notes per service, in Chinese and
English, kept by the manager (settings PATCH and the service's PUT), refused whole when any part
is bad, and read by citizens: GET …/guides (anonymous, nothing private in it), the phone page's
and the booking page's config."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from callnext.domain import guide

from ..helpers import Api

HALL = "/api/v1/halls/demo"
SETTINGS = HALL + "/settings"
EMPTY = {"materials": [], "materials_en": [], "notes": "", "notes_en": ""}


async def as_manager(api: Api, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    return await api.request(method, path, body, token=await api.login("manager"))


async def settings(api: Api) -> dict[str, Any]:
    status, body = await as_manager(api, "GET", SETTINGS)
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def guide_of(body: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s["guide"] for s in body["services"] if s["code"] == code)  # type: ignore[no-any-return]


def page_config(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="config">(.*?)</script>', html, re.S)
    assert found, html[:500]
    return json.loads(found.group(1))  # type: ignore[no-any-return]


async def test_the_demo_hall_has_real_guides(api: Api) -> None:
    """Real-estate registration asks for the usual papers, in both languages."""
    a = guide_of(await settings(api), "A")
    assert a["materials"][:4] == ["身份证原件", "不动产权证书", "购房合同", "完税凭证"]
    assert a["materials_en"][0] == "ID card (original)"
    assert len(a["materials"]) == len(a["materials_en"]) > guide.SLIP_ITEMS  # "… more" shows
    assert a["notes"]
    assert a["notes_en"]


async def test_a_guide_is_set_in_part_trimmed_and_audited(api: Api) -> None:
    new = {"materials": [" 身份证原件 ", "户口簿"], "notes": "  请带原件。\r\n复印件一份。 "}
    status, body = await as_manager(api, "PATCH", SETTINGS, {"services": {"C": {"guide": new}}})
    assert status == 200, body
    c = guide_of(body, "C")
    assert c["materials"] == ["身份证原件", "户口簿"]
    assert c["notes"] == "请带原件。\n复印件一份。"  # trimmed, line breaks kept as \n
    assert c["materials_en"] == ["ID card (original)"]  # not asked: kept
    assert guide_of(await settings(api), "C") == c
    status, body = await as_manager(api, "PATCH", SETTINGS, {"services": {"C": {"guide": EMPTY}}})
    assert status == 200, body
    assert guide_of(body, "C") == EMPTY  # a guide may be emptied
    status, log = await as_manager(api, "GET", HALL + "/audit")
    asked = [e["detail"] for e in log["entries"] if e["action"] == "settings.changed"]
    assert asked[1] == {"services": {"C": {"guide": new}}}


async def test_the_service_editor_saves_a_guide(api: Api) -> None:
    """PUT …/services/{code} (the settings page's service editor) takes the same guide, also
    for a new service; a new service without one has an empty guide."""
    body = {"name": "户籍办理", "guide": {"materials": ["户口簿"], "materials_en": ["Hukou"]}}
    status, answer = await as_manager(api, "PUT", HALL + "/services/D", body)
    assert status == 201, answer
    assert guide_of(answer, "D") == {**EMPTY, "materials": ["户口簿"], "materials_en": ["Hukou"]}
    status, answer = await as_manager(api, "PUT", HALL + "/services/E", {"name": "其他"})
    assert status == 201, answer
    assert guide_of(answer, "E") == EMPTY
    status, answer = await as_manager(
        api, "PUT", HALL + "/services/D", {"guide": {"materials": ["x", " "]}}
    )
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (400, "bad_guide",
                                                                          "materials")  # fmt: skip
    assert guide_of(await settings(api), "D")["materials"] == ["户口簿"]


def patch_a(guide_body: Any, **more: Any) -> dict[str, Any]:
    return {**more, "services": {"A": {"guide": guide_body}}}


LONG = "长" * (guide.MAX_ITEM + 1)
BAD_GUIDES = [
    (patch_a({"materials": ["身份证", ""]}), "bad_guide", "materials", "item 2"),
    (patch_a({"materials": ["身份证", "   "]}), "bad_guide", "materials", "item 2"),
    (patch_a({"materials": [LONG]}), "bad_guide", "materials", "at most 80"),
    (patch_a({"materials_en": ["x"] * (guide.MAX_ITEMS + 1)}), "bad_guide", "materials_en", "20"),
    (patch_a({"materials": ["a\tb"]}), "bad_guide", "materials", "U+0009"),
    (patch_a({"materials": ["a\nb"]}), "bad_guide", "materials", "U+000A"),
    (patch_a({"materials_en": ["\x1b@"]}), "bad_guide", "materials_en", "U+001B"),
    (patch_a({"materials": "身份证原件"}), "bad_guide", "materials", "list"),
    (patch_a({"materials": [3]}), "bad_guide", "materials", "text"),
    (patch_a({"materials": None}), "bad_guide", "materials", "list"),
    (patch_a({"notes": "注" * (guide.MAX_NOTES + 1)}), "bad_guide", "notes", "at most 500"),
    (patch_a({"notes_en": "a\x07b"}), "bad_guide", "notes_en", "U+0007"),
    (patch_a({"notes": 5}), "bad_guide", "notes", "text"),
    (patch_a(["身份证原件"]), "bad_guide", None, "object"),
    (patch_a({"material": ["身份证原件"]}), "unknown_field", None, "material"),
    # one good change and a bad one, in the same guide, or beside it: nothing is made
    (patch_a({"notes": "ok", "materials": [""]}), "bad_guide", "materials", "item 1"),
    (patch_a({"materials": [""]}, notice="changed"), "bad_guide", "materials", "item 1"),
    ({"services": {"A": {"guide": {"notes": "ok"}}, "B": {"guide": {"notes_en": "\x00"}}}},
     "bad_guide", "notes_en", "services.B.guide.notes_en"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "code", "field", "said"), BAD_GUIDES)
@pytest.mark.engine_independent
async def test_a_bad_guide_is_refused_naming_its_field_and_changes_nothing(
    api: Api, body: Any, code: str, field: str | None, said: str
) -> None:
    before, seq = await settings(api), (await api.hall())["seq"]
    status, answer = await as_manager(api, "PATCH", SETTINGS, body)
    assert (status, answer["error"]["code"]) == (400, code), answer
    assert answer["error"].get("field") == field
    assert said in answer["error"]["message"]
    assert await settings(api) == before
    assert (await api.hall())["seq"] == seq  # no hall.updated either


@pytest.mark.engine_independent
async def test_staff_and_strangers_cannot_change_a_guide(api: Api) -> None:
    body = patch_a({"notes": "hacked"})
    for token in (None, await api.login("w1")):
        status, _answer = await api.request("PATCH", SETTINGS, body, token=token)
        assert status in (401, 403)
    assert guide_of(await settings(api), "A")["notes"] != "hacked"


async def test_citizens_read_the_guides_with_nothing_private(api: Api) -> None:
    """GET …/guides: anonymous, every service's guide and names only (no ticket, no staff)."""
    ticket = await api.issue("A")
    status, body = await api.request("GET", HALL + "/guides")
    assert status == 200, body
    assert [s["code"] for s in body["services"]] == ["A", "B", "C"]
    assert set(body["services"][0]) == {"code", "name", "name_en", "guide"}
    assert body["services"][0]["guide"] == guide_of(await settings(api), "A")
    raw = json.dumps(body, ensure_ascii=False)
    for private in (ticket["id"], "w1", "daily_quota"):
        assert private not in raw
    status, _ = await as_manager(api, "PATCH", SETTINGS, patch_a({"notes_en": "Changed."}))
    assert status == 200
    _status, body = await api.request("GET", HALL + "/guides")
    assert body["services"][0]["guide"]["notes_en"] == "Changed."  # at once, as set
    status, body = await api.request("GET", "/api/v1/halls/nowhere/guides")
    assert (status, body["error"]["code"]) == (404, "hall_not_found")


async def test_the_phone_and_booking_pages_carry_the_guide(api: Api) -> None:
    """/t/{id}: its own service's guide; /halls/{hall}/book: each service's, to show before
    confirming."""
    ticket = await api.issue("B")
    status, html = await api.request("GET", f"/t/{ticket['id']}")
    assert status == 200
    expected = guide_of(await settings(api), "B")
    assert page_config(html)["guide"] == expected
    status, html = await api.request("GET", "/halls/demo/book")
    assert status == 200
    services = page_config(html)["services"]
    assert services["A"]["guide"] == guide_of(await settings(api), "A")
    assert services["B"]["guide"] == expected
