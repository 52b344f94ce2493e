"""The follow-ups of dissatisfied ratings (差评回访) over the API, on SQLite and PostgreSQL: a
rating of 1–2 opens one in its own transaction (3–5 none), due in the hall's working days; the
managers list, assign, mark contacted, resolve or close as unreachable; each change is audited
and announced after commit (never its note on a public stream); refusals change nothing; the
day's figures recompute from the list."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import update

from callnext.domain import followup
from callnext.domain.clock import local_day, utcnow
from callnext.runtime.config import Settings
from callnext.store.database import Database
from callnext.store.schema import followups

from ..helpers import Api, read_events
from .test_api_ratings import app_and_db, rate, serve

HALL = "/api/v1/halls/demo"
TZ = "Asia/Shanghai"


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[tuple[Api, Database]]:
    async with app_and_db(settings) as pair:
        yield pair


async def manager(api: Api, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    return await api.request(method, HALL + path, body, token=await api.login("manager"))


async def listed(api: Api, state: str = "all") -> dict[str, Any]:
    status, body = await manager(api, "GET", f"/followups?state={state}")
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def rated(api: Api, score: int, window: int = 1, comment: str | None = None) -> str:
    """A ticket served at `window` and rated `score`; its number."""
    ticket = await serve(api, window)
    reasons = ["long_wait"] if score <= 3 else []
    status, body = await rate(api, ticket["id"], {"score": score, "reasons": reasons,
                                                  "comment": comment})  # fmt: skip
    assert status == 201, body
    return str(ticket["number"])


async def test_a_dissatisfied_rating_opens_a_followup_due_in_working_days(
    served: tuple[Api, Database],
) -> None:
    api, _db = served
    low = await rated(api, 1, comment="等了一个多小时")
    await rated(api, 3)
    await rated(api, 5)
    two = await rated(api, 2, window=2)
    body = await listed(api)
    assert [f["number"] for f in body["followups"]] == [two, low]  # newest first, 3–5 none
    first = body["followups"][1]
    today = local_day(utcnow(), TZ)
    settings = (await manager(api, "GET", "/settings"))[1]
    assert settings["followup_due_days"] == 5
    assert first["due"] == followup.due_date(today, 5, settings["closed_dates"])
    assert (first["state"], first["overdue"], first["assignee"], first["note"]) == (
        "open", False, None, None)  # fmt: skip
    assert first["rating"]["score"] == 1
    assert first["rating"]["comment"] == "等了一个多小时"
    assert first["rating"]["reasons"] == ["long_wait"]
    assert (first["service"], first["window"], first["staff"]) == ("A", 1, "w1")
    assert "id" not in first["rating"]
    assert "ticket" not in first
    assert body["counts"] == {"open": 2, "overdue": 0, "closed": 0}
    assert {"manager", "w1"} <= set(body["assignees"])
    status, one = await manager(api, "GET", f"/followups/{first['id']}")
    assert (status, one) == (200, first)


async def test_a_followup_is_assigned_contacted_and_resolved_audited_and_announced(
    served: tuple[Api, Database],
) -> None:
    api, _db = served
    number = await rated(api, 1, window=3)
    fid = (await listed(api))["followups"][0]["id"]
    seq = (await api.hall())["seq"]
    status, body = await manager(api, "POST", f"/followups/{fid}/assign", {"assignee": "w3"})
    assert (status, body["assignee"], body["state"]) == (200, "w3", "open"), body
    status, body = await manager(api, "POST", f"/followups/{fid}/contacted",
                                 {"note": "已电话联系 138xxxx"})  # fmt: skip
    assert (status, body["state"], body["note"]) == (200, "contacted", "已电话联系 138xxxx")
    assert body["contacted_at"] is not None
    status, body = await manager(api, "POST", f"/followups/{fid}/resolve",
                                 {"note": "  已道歉，加急办结  "})  # fmt: skip
    assert status == 200, body
    assert (body["state"], body["note"], body["closed_by"]) == ("resolved", "已道歉，加急办结",
                                                                "manager")  # fmt: skip
    assert (await listed(api, "open"))["followups"] == []
    assert [f["id"] for f in (await listed(api, "closed"))["followups"]] == [fid]
    # audited: who did what, the note kept out of the log
    status, log = await manager(api, "GET", "/audit")
    entries = [e for e in log["entries"] if e["action"].startswith("followup.")]
    assert [e["action"] for e in entries][:4] == [
        "followup.resolved",
        "followup.contacted",
        "followup.assigned",
        "followup.opened",
    ]
    assert all(e["ticket"] == number and e["window"] == 3 for e in entries[:4])
    assert entries[2]["detail"] == {"followup": fid, "state": "open", "assignee": "w3"}
    assert entries[0]["actor"] == "manager"
    assert entries[3]["actor"] is None  # opened by the citizen's rating
    assert "138" not in json.dumps(log)
    # events after commit: the followup on /ws/v1 for the hall's staff, not on /ws/v2
    events = await read_events(api, seq)
    assert [e["event"] for e in events] == ["followup.changed"] * 3
    assert events[-1]["followup"] == {"id": fid, "state": "resolved"}
    url = f"{api.ws_base}/ws/v2/halls/demo?since={seq}"
    async with asyncio.timeout(10), api.session.ws_connect(url) as ws:
        frame = json.loads((await ws.receive()).data)
    assert frame["event"] == "followup.changed"
    assert "followup" not in frame
    assert "138" not in json.dumps(frame)


async def state_of(api: Api) -> list[Any]:
    return [await listed(api), (await manager(api, "GET", "/audit"))[1], (await api.hall())["seq"]]


REFUSALS = [
    ("resolve", {}, 400, "missing_note"),
    ("resolve", {"note": "   "}, 400, "missing_note"),
    ("resolve", {"note": "x" * (followup.MAX_NOTE + 1)}, 400, "bad_note"),
    ("resolve", {"note": 5}, 400, "bad_note"),
    ("contacted", {"note": "ok", "extra": 1}, 400, "unknown_field"),
    ("assign", {}, 400, "missing_field"),
    ("assign", {"assignee": "stranger"}, 400, "unknown_assignee"),
    ("assign", {"assignee": "n1"}, 400, "unknown_assignee"),  # another hall's account
    ("assign", {"assignee": 7}, 400, "wrong_type"),
]


@pytest.mark.parametrize(("action", "body", "status", "code"), REFUSALS)
async def test_bad_changes_are_refused_and_change_nothing(
    api: Api, action: str, body: dict[str, Any], status: int, code: str
) -> None:
    await rated(api, 2)
    fid = (await listed(api))["followups"][0]["id"]
    before = await state_of(api)
    got, answer = await manager(api, "POST", f"/followups/{fid}/{action}", body)
    assert (got, answer["error"]["code"]) == (status, code), answer
    assert await state_of(api) == before


async def test_refused_by_state_unknown_or_of_another_kind(api: Api) -> None:
    await rated(api, 1)
    fid = (await listed(api))["followups"][0]["id"]
    for path, status, code in [
        (f"/followups/{fid + 100}/contacted", 404, "followup_not_found"),
        ("/followups/0/contacted", 404, "followup_not_found"),
    ]:
        got, answer = await manager(api, "POST", path, {})
        assert (got, answer["error"]["code"]) == (status, code), answer
    got, answer = await manager(api, "GET", "/followups?state=late")
    assert (got, answer["error"]["code"]) == (400, "bad_state")
    assert (await manager(api, "POST", f"/followups/{fid}/contacted"))[0] == 200
    got, answer = await manager(api, "POST", f"/followups/{fid}/unreachable", {})
    assert (got, answer["error"]["code"]) == (409, "already_contacted")
    assert (await manager(api, "POST", f"/followups/{fid}/resolve", {"note": "ok"}))[0] == 200
    before = await state_of(api)
    for action, body in (("assign", {"assignee": "w1"}), ("contacted", {}),
                         ("resolve", {"note": "again"}), ("unreachable", {})):  # fmt: skip
        got, answer = await manager(api, "POST", f"/followups/{fid}/{action}", body)
        assert (got, answer["error"]["code"]) == (409, "followup_closed"), answer
    assert await state_of(api) == before
    status, answer = await api.request("GET", HALL + "/followups", token=await api.login("w1"))
    assert (status, answer["error"]["code"]) == (403, "wrong_role")


async def test_overdue_ones_are_counted_and_the_days_figures_recompute(
    served: tuple[Api, Database],
) -> None:
    api, db = served
    for _ in range(3):
        await rated(api, 1)
    ids = [f["id"] for f in (await listed(api))["followups"]]
    # the first two were due yesterday (as time would make them); one of them is closed today
    yesterday = "2000-01-03"  # any past day will do
    stmt = update(followups).where(followups.c.id.in_(ids[:2])).values(due=yesterday)
    await db.run_write(lambda conn: conn.execute(stmt))
    assert (await manager(api, "POST", f"/followups/{ids[0]}/unreachable", {}))[0] == 200
    body = await listed(api)
    assert body["counts"] == {"open": 2, "overdue": 1, "closed": 1}
    assert [f["id"] for f in (await listed(api, "overdue"))["followups"]] == [ids[1]]
    assert [f["overdue"] for f in body["followups"]] == [False, True, False]
    today = local_day(utcnow(), TZ)
    for path in ("/stats", "/report"):
        status, figures = await manager(api, "GET", path)
        assert status == 200, figures
        rows = [(f, today, today if f["closed_at"] else None) for f in body["followups"]]
        want = {
            "opened": sum(opened == today for _, opened, _c in rows),
            "closed_in_time": sum(bool(c) and c <= f["due"] for f, _o, c in rows),
            "closed_late": sum(bool(c) and c > f["due"] for f, _o, c in rows),
            "overdue": sum(f["due"] < today and not c for f, _o, c in rows),
        }
        assert (
            figures["followups"]
            == want
            == {"opened": 3, "closed_in_time": 0, "closed_late": 1, "overdue": 1}
        )


async def test_the_due_days_are_the_halls_setting(api: Api) -> None:
    status, body = await manager(api, "PATCH", "/settings", {"followup_due_days": 10})
    assert (status, body["followup_due_days"]) == (200, 10), body
    await rated(api, 2)
    first = (await listed(api))["followups"][0]
    today = local_day(utcnow(), TZ)
    assert first["due"] == followup.due_date(today, 10, body["closed_dates"])
    for bad in (0, 31, "5", None, True):
        status, answer = await manager(api, "PATCH", "/settings", {"followup_due_days": bad})
        assert (status, answer["error"]["code"]) == (400, "bad_followup_due_days")
    assert (await manager(api, "GET", "/settings"))[1]["followup_due_days"] == 10
