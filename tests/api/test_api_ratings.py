"""Ratings (好差评) over the API, on SQLite and PostgreSQL: the citizen rates a served ticket once
by its id; the screen beside a window rates only the ticket just finished there; refusals change
nothing; the event goes out (no score on /ws/v2); the staff member who finished it is found from
the audit log; managers list the ratings and see satisfaction in the statistics and the report."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from callnext.domain.clock import to_micros, utcnow
from callnext.runtime.config import RateLimit, Settings
from callnext.store.database import Database
from callnext.store.schema import tickets

from ..helpers import Api, read_events, running_app

HALL = "/api/v1/halls/demo"


@contextlib.asynccontextmanager
async def app_and_db(settings: Settings) -> AsyncIterator[tuple[Api, Database]]:
    """A real server on a free port, and a second connection to its database (to age a
    ticket, as time would)."""
    async with running_app(settings) as api:
        db = Database(settings.db_url)
        try:
            yield api, db
        finally:
            await db.close()


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[tuple[Api, Database]]:
    async with app_and_db(settings) as pair:
        yield pair


async def serve(api: Api, window: int = 1, finish: str = "completed") -> dict[str, Any]:
    """A ticket issued, called and finished at `window` by its staff member (w{window})."""
    ticket = await api.issue("A" if window <= 4 else "B")
    status, body = await api.window(window, "call-next")
    assert status == 200, body
    assert body["called"]["id"] == ticket["id"], body
    status, body = await api.window(window, "finish", {"outcome": finish})
    assert status == 200, body
    return body["finished"]  # type: ignore[no-any-return]


async def age(db: Database, ticket_id: str, by: timedelta) -> None:
    """Move the ticket's finish into the past by `by`."""
    finished = to_micros(utcnow() - by)
    stmt = update(tickets).where(tickets.c.id == ticket_id).values(finished_at=finished)
    await db.run_write(lambda conn: conn.execute(stmt))


async def rate(api: Api, ticket_id: str, body: Any) -> tuple[int, Any]:
    return await api.request("POST", f"/api/v1/tickets/{ticket_id}/rating", body)


async def test_a_citizen_rates_a_served_ticket_once(served: tuple[Api, Database]) -> None:
    api, _db = served
    ticket = await serve(api, 1)
    seq = (await api.hall())["seq"]
    status, body = await rate(api, ticket["id"], {"score": 2, "reasons": ["slow_service",
                              "long_wait", "long_wait"], "comment": "  窗口人太少 "})  # fmt: skip
    assert status == 201, body
    assert body["score"] == 2
    assert body["score_name"] == "不满意"
    assert body["reasons"] == ["long_wait", "slow_service"]  # once each, catalogue order
    assert (body["comment"], body["source"], body["window"]) == ("窗口人太少", "phone", 1)
    assert body["number"] == ticket["number"]
    assert "staff" not in body
    assert (await api.request("GET", f"/api/v1/tickets/{ticket['id']}/rating")) == (200, body)
    status, again = await rate(api, ticket["id"], {"score": 5})
    assert (status, again["error"]["code"]) == (409, "already_rated")
    events = await read_events(api, seq)
    assert [e["event"] for e in events] == ["ticket.rated"]
    assert events[0]["rating"] == {"score": 2, "source": "phone"}
    assert events[0]["window"] == 1
    assert events[0]["ticket"]["id"] == ticket["id"]


async def test_the_public_stream_carries_no_score(served: tuple[Api, Database]) -> None:
    api, _db = served
    ticket = await serve(api, 2)
    seq = (await api.hall())["seq"]
    assert (await rate(api, ticket["id"], {"score": 1}))[0] == 201
    url = f"{api.ws_base}/ws/v2/halls/demo?since={seq}"
    async with asyncio.timeout(10), api.session.ws_connect(url) as ws:
        frame = json.loads((await ws.receive()).data)
    assert frame["event"] == "ticket.rated"
    assert frame["seq"] == seq + 1
    assert "rating" not in frame
    assert "id" not in frame["ticket"]
    assert frame["ticket"]["number"] == ticket["number"]


async def test_only_served_tickets_in_time_can_be_rated(served: tuple[Api, Database]) -> None:
    api, db = served
    waiting = await api.issue("C")
    assert (await rate(api, waiting["id"], {"score": 5}))[1]["error"]["code"] == "not_rateable"
    await api.window(3, "call-next")  # A: nobody; windows 1-4 serve A only
    no_show = await serve(api, 4, "no_show")
    assert (await rate(api, no_show["id"], {"score": 5}))[1]["error"]["code"] == "not_rateable"
    pending = await serve(api, 1, "pending")
    assert (await rate(api, pending["id"], {"score": 4, "reasons": ["fast"]}))[0] == 201
    old = await serve(api, 2)
    await age(db, old["id"], timedelta(days=3))
    status, body = await rate(api, old["id"], {"score": 5})
    assert (status, body["error"]["code"]) == (409, "rating_closed")
    assert (await api.request("GET", "/api/v1/tickets/nope/rating"))[0] == 404
    status, body = await api.request("GET", f"/api/v1/tickets/{old['id']}/rating")
    assert (status, body["error"]["code"]) == (404, "not_rated")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "missing_field"),
        ({"score": 0}, "bad_score"),
        ({"score": 6}, "bad_score"),
        ({"score": "5"}, "bad_score"),
        ({"score": True}, "bad_score"),
        ({"score": 4.5}, "bad_score"),
        ({"score": 5, "reasons": "fast"}, "bad_reasons"),
        ({"score": 5, "reasons": ["teleport"]}, "unknown_reason"),
        ({"score": 5, "reasons": ["attitude"]}, "reason_mismatch"),
        ({"score": 1, "reasons": ["friendly"]}, "reason_mismatch"),
        ({"score": 5, "comment": "x" * 201}, "too_long"),
        ({"score": 5, "comment": 7}, "wrong_type"),
        ({"score": 5, "stars": 5}, "unknown_field"),
    ],
)
@pytest.mark.engine_independent
async def test_bad_ratings_are_refused_and_change_nothing(
    served: tuple[Api, Database], body: dict[str, Any], code: str
) -> None:
    api, _db = served
    ticket = await serve(api, 1)
    seq = (await api.hall())["seq"]
    status, answer = await rate(api, ticket["id"], body)
    assert (status, answer["error"]["code"]) == (400, code), answer
    assert (await api.hall())["seq"] == seq
    assert (await api.request("GET", f"/api/v1/tickets/{ticket['id']}/rating"))[0] == 404


async def test_the_window_screen_rates_only_the_ticket_just_finished_there(
    served: tuple[Api, Database],
) -> None:
    api, db = served
    rateable = HALL + "/windows/1/rateable"
    assert await api.request("GET", rateable) == (200, {"window": 1, "rateable": None})
    first = await serve(api, 1)
    second = await serve(api, 1)
    status, body = await api.request("GET", rateable)
    assert status == 200
    assert body["rateable"]["number"] == second["number"]
    assert "id" not in body["rateable"]
    assert body["rateable"]["service"] == "A"
    post = HALL + "/windows/1/rating"
    status, answer = await api.request("POST", post, {"number": first["number"], "score": 5})
    assert (status, answer["error"]["code"]) == (409, "not_rateable_here")
    status, answer = await api.request("POST", HALL + "/windows/2/rating",
                                       {"number": second["number"], "score": 5})  # fmt: skip
    assert (status, answer["error"]["code"]) == (409, "not_rateable_here")
    status, answer = await api.request(
        "POST", post, {"number": second["number"].lower(), "score": 3, "reasons": ["unclear"]}
    )
    assert status == 201, answer
    assert (answer["source"], answer["score"]) == ("window", 3)
    assert (await api.request("GET", rateable))[1]["rateable"] is None
    status, answer = await api.request("POST", post, {"number": second["number"], "score": 5})
    assert (status, answer["error"]["code"]) == (409, "already_rated")
    # The citizen's phone then finds it rated; the earlier ticket can still be rated there.
    phone = await rate(api, second["id"], {"score": 5})
    assert phone[1]["error"]["code"] == "already_rated"
    assert (await rate(api, first["id"], {"score": 4}))[0] == 201
    # Ten minutes on, the screen no longer offers the ticket.
    third = await serve(api, 3)
    await age(db, third["id"], timedelta(minutes=11))
    assert (await api.request("GET", HALL + "/windows/3/rateable"))[1]["rateable"] is None
    status, answer = await api.request("POST", HALL + "/windows/3/rating",
                                       {"number": third["number"], "score": 5})  # fmt: skip
    assert (status, answer["error"]["code"]) == (409, "rating_closed")
    assert (await api.request("GET", HALL + "/windows/99/rateable"))[0] == 404
    assert (await api.request("POST", HALL + "/windows/99/rating", {"number": "A001",
                              "score": 5}))[0] == 404  # fmt: skip
    assert (await api.request("GET", "/api/v1/halls/nowhere/windows/1/rateable"))[0] == 404


async def test_a_no_show_after_a_service_leaves_nothing_to_rate_at_the_window(
    served: tuple[Api, Database],
) -> None:
    api, _db = served
    await serve(api, 1)
    await serve(api, 1, "no_show")
    assert (await api.request("GET", HALL + "/windows/1/rateable"))[1]["rateable"] is None


async def test_once_the_window_calls_someone_its_screen_rates_nothing(
    served: tuple[Api, Database],
) -> None:
    """Issue 19.3: window 8 finished A019 and called C009; the screen offered A019 to C009."""
    api, _db = served
    rateable, post = HALL + "/windows/1/rateable", HALL + "/windows/1/rating"
    first = await serve(api, 1)
    assert (await api.request("GET", rateable))[1]["rateable"]["number"] == first["number"]
    nxt = await api.issue("A")
    status, body = await api.window(1, "call-next")
    assert body["called"]["id"] == nxt["id"], (status, body)
    assert (await api.request("GET", rateable))[1]["rateable"] is None
    status, answer = await api.request("POST", post, {"number": first["number"], "score": 2})
    assert (status, answer["error"]["code"]) == (409, "not_rateable_here")
    # Sent home as a no-show, or served, the next one still stood there: still nothing.
    status, body = await api.window(1, "finish", {"outcome": "no_show"})
    assert status == 200, body
    status, answer = await api.request("POST", post, {"number": first["number"], "score": 2})
    assert (status, answer["error"]["code"]) == (409, "not_rateable_here")
    # Call-next that finishes one ticket and calls the next at once leaves nothing to rate.
    second = await api.issue("A")
    status, body = await api.window(1, "call-next")
    assert body["called"]["id"] == second["id"], (status, body)
    third = await api.issue("A")
    status, body = await api.window(1, "call-next", {"outcome": "completed"})
    assert body["finished"]["id"] == second["id"], body
    assert body["called"]["id"] == third["id"], body
    assert (await api.request("GET", rateable))[1]["rateable"] is None
    status, answer = await api.request("POST", post, {"number": second["number"], "score": 1})
    assert (status, answer["error"]["code"]) == (409, "not_rateable_here")
    # Another window's call changes nothing here.
    status, body = await api.window(1, "finish", {"outcome": "completed"})
    assert body["finished"]["id"] == third["id"], body
    await serve(api, 2)
    assert (await api.request("GET", rateable))[1]["rateable"]["number"] == third["number"]
    for ticket in (first, second):
        status, answer = await api.request("GET", f"/api/v1/tickets/{ticket['id']}/rating")
        assert (status, answer["error"]["code"]) == (404, "not_rated")
    assert (await api.request("POST", post, {"number": third["number"], "score": 4}))[0] == 201


async def test_window_ratings_are_rate_limited(settings: Settings) -> None:
    limited = replace(settings, rate_limits={"ratings": RateLimit(2, 60.0)})
    async with app_and_db(limited) as (api, _db):
        post = HALL + "/windows/1/rating"
        codes = [(await api.request("POST", post, {"number": "A001", "score": 5}))[0]
                 for _ in range(3)]  # fmt: skip
        assert codes == [409, 409, 429]


async def test_managers_list_ratings_and_see_satisfaction(served: tuple[Api, Database]) -> None:
    api, _db = served
    scores = {1: 5, 2: 1, 5: 4}  # window → score
    numbers = {}
    for window, score in scores.items():
        ticket = await serve(api, window)
        numbers[window] = ticket["number"]
        assert (await rate(api, ticket["id"], {"score": score}))[0] == 201
    unrated = await serve(api, 3)
    token = await api.login("manager")
    status, body = await api.request("GET", HALL + "/ratings", token=token)
    assert status == 200, body
    assert [r["window"] for r in body["ratings"]] == [5, 2, 1]  # newest first
    assert {r["staff"] for r in body["ratings"]} == {"w1", "w2", "w5"}
    sat = body["satisfaction"]
    assert (sat["n"], sat["avg"], sat["satisfied_rate"], sat["dissatisfied"]) == (
        3, round(10 / 3, 3), round(2 / 3, 4), 1)  # fmt: skip
    assert sat["by_score"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}
    status, low = await api.request("GET", HALL + "/ratings?max_score=2", token=token)
    assert [r["number"] for r in low["ratings"]] == [numbers[2]]
    status, by = await api.request("GET", HALL + "/ratings?staff=w5&service=B", token=token)
    assert [r["score"] for r in by["ratings"]] == [4]
    status, by = await api.request("GET", HALL + "/ratings?window=1", token=token)
    assert [r["score"] for r in by["ratings"]] == [5]
    for query, code in (("max_score=9", "bad_max_score"), ("date=soon", "bad_date"),
                        ("date=2026-01-02&to=2026-01-01", "bad_range")):  # fmt: skip
        status, err = await api.request("GET", f"{HALL}/ratings?{query}", token=token)
        assert (status, err["error"]["code"]) == (400, code)
    assert (await api.request("GET", HALL + "/ratings", token=await api.login("w1")))[0] == 403
    assert (await api.request("GET", HALL + "/ratings"))[0] == 401
    for path in ("/stats", "/report"):
        status, figures = await api.request("GET", HALL + path, token=token)
        assert status == 200
        assert figures["satisfaction"] == sat
        assert figures["per_window"]["1"]["satisfaction"]["avg"] == 5
        assert figures["per_window"]["3"]["satisfaction"]["n"] == 0  # served, not rated
        assert figures["per_service"]["A"]["satisfaction"]["n"] == 2
        assert figures["per_service"]["B"]["satisfaction"]["by_score"]["4"] == 1
        assert figures["per_staff"]["w2"]["satisfaction"]["dissatisfied"] == 1
        assert set(figures["per_staff"]) == {"w1", "w2", "w5"}
    assert unrated["number"] not in {r["number"] for r in body["ratings"]}


async def test_the_audit_log_keeps_each_rating(served: tuple[Api, Database]) -> None:
    api, _db = served
    ticket = await serve(api, 1)
    assert (await rate(api, ticket["id"], {"score": 4}))[0] == 201
    token = await api.login("manager")
    _status, body = await api.request("GET", HALL + "/audit", token=token)
    rated = [e for e in body["entries"] if e["action"] == "ticket.rated"]
    assert len(rated) == 1
    assert rated[0]["actor"] is None
    assert (rated[0]["ticket"], rated[0]["window"]) == (ticket["number"], 1)
    assert rated[0]["detail"] == {"score": 4, "source": "phone"}


async def test_the_scale_lists_five_levels_and_the_reasons(api: Api) -> None:
    status, body = await api.request("GET", "/api/v1/ratings/scale")
    assert status == 200
    assert [s["score"] for s in body["scores"]] == [5, 4, 3, 2, 1]
    assert body["scores"][0]["name"] == "非常满意"
    codes = {r["code"]: r["for"] for r in body["reasons"]}
    assert codes["long_wait"] == "low"
    assert codes["one_trip"] == "high"
    assert codes["other"] == "any"
    assert body["comment_max"] == 200


@pytest.mark.engine_independent
async def test_the_rating_screen_page_is_served_and_an_unknown_window_is_404(api: Api) -> None:
    async with api.session.get(api.base + "/halls/demo/windows/3/rate") as resp:
        assert resp.status == 200
        assert resp.headers["Cache-Control"] == "no-store"
        html = await resp.text()
    assert '"window": 3' in html
    assert "/static/rating/rate.js" in html
    async with api.session.get(api.base + "/") as resp:
        assert 'href="/halls/demo/windows/1/rate"' in await resp.text()
    for path in ("/halls/demo/windows/99/rate", "/halls/nowhere/windows/1/rate"):
        async with api.session.get(api.base + path) as resp:
            assert resp.status == 404, path
            assert resp.content_type == "text/html"
