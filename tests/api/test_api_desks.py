"""The staff desk API (docs/api.md, "Staff desks"): taking and leaving a window, takeovers, and
what a window's console reads (its queue, its day, the hall's pending matters)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from callnext.runtime.config import Settings

from ..helpers import LIVE_S, Api, read_events, running_app, wait_until
from .test_api_windows import assert_error

DEMO = "/api/v1/halls/demo"


async def session(api: Api, username: str) -> str:
    """A new session (its own token, unlike Api.login which keeps one per user)."""
    status, body = await api.request(
        "POST", "/api/v1/login", {"username": username, "password": "demo"}
    )
    assert status == 200, body
    return str(body["token"])


async def act(api: Api, token: str, window: int, action: str, body: Any = None) -> tuple[int, Any]:
    return await api.request("POST", f"{DEMO}/windows/{window}/{action}", body, token=token)


async def take(api: Api, token: str, window: int, force: bool = False) -> Any:
    status, body = await act(api, token, window, "take", {"force": force})
    assert status == 200, body
    return body


async def desk(api: Api, token: str, window: int) -> Any:
    status, body = await api.request("GET", f"{DEMO}/windows/{window}/desk", token=token)
    assert status == 200, body
    return body


async def test_taking_a_window_names_its_staff_everywhere(api: Api) -> None:
    token = await session(api, "w1")
    taken = await take(api, token, 1)
    assert taken["window"]["number"] == 1
    assert taken["window"]["staff"] == "w1"
    assert datetime.fromisoformat(taken["window"]["staff_since"]).utcoffset() is not None
    assert len(taken["desk"]) == 16
    snapshot = await api.hall()
    window1 = next(w for w in snapshot["windows"] if w["number"] == 1)
    assert (window1["staff"], window1["staff_since"]) == ("w1", taken["window"]["staff_since"])
    others = [w["staff"] for w in snapshot["windows"] if w["number"] != 1]
    assert others == [None] * 7
    _status, me = await api.request("GET", "/api/v1/me", token=token)
    assert me["desk"] == {"window": 1, "desk": taken["desk"], "holds": True}
    # taking it again from the same session changes nothing and says the same
    seq = snapshot["seq"]
    assert await take(api, token, 1) == {**taken, "window": taken["window"]}
    assert (await api.hall())["seq"] == seq


async def test_the_stream_tells_who_took_and_left_a_window(api: Api) -> None:
    since = (await api.hall())["seq"]
    first, second = await session(api, "w1"), await session(api, "manager")
    held = await take(api, first, 1)
    status, body = await act(api, second, 1, "take", {"force": True})
    assert status == 200, body
    assert (await act(api, second, 1, "release"))[0] == 200
    frames = await read_events(api, since)
    got = [(f["event"], f["window"], f["staff"], f.get("taken_from")) for f in frames]
    assert got == [
        ("window.taken", 1, "w1", None),
        ("window.taken", 1, "manager", "w1"),
        ("window.released", 1, "manager", None),
    ]
    assert frames[0]["desk"] == held["desk"]
    assert frames[1]["desk"] == body["desk"] != held["desk"]
    assert all(f["ticket"] is None for f in frames)


async def test_a_window_in_use_is_not_taken_without_force(api: Api) -> None:
    first, second = await session(api, "w1"), await session(api, "w2")
    held = await take(api, first, 1)
    status, body = await act(api, second, 1, "take")
    assert_error(status, body, 409)
    assert body["error"]["code"] == "window_in_use"
    assert body["error"]["staff"] == "w1"
    assert body["error"]["since"] == held["window"]["staff_since"]
    assert "w1" in body["error"]["message"]
    assert (await api.hall())["windows"][0]["staff"] == "w1"  # nothing changed


async def test_a_takeover_stops_the_old_console_but_not_the_contract(api: Api) -> None:
    await api.issue("A")
    await api.issue("A")
    old, new = await session(api, "w1"), await session(api, "w3")
    await take(api, old, 1)
    await take(api, new, 1, force=True)
    for action, body in [("call-next", None), ("recall", None), ("finish", None),
                         ("transfer", {"service": "B"}), ("call", {"number": "A001"}),
                         ("pause", {"reason": "x"}), ("resume", None)]:  # fmt: skip
        status, answer = await act(api, old, 1, action, body)
        assert_error(status, answer, 409)
        assert answer["error"]["code"] == "window_taken", action
        assert answer["error"]["staff"] == "w3"
        assert "w3" in answer["error"]["message"]
    assert (await api.hall())["windows"][0]["current"] is None  # none of it happened
    # the new holder acts; a session that never took a window acts as the contract says
    assert (await act(api, new, 1, "call-next"))[1]["called"]["number"] == "A001"
    status, body = await api.window(1, "call-next", user="w5")
    assert status == 200
    assert body["called"]["number"] == "A002"
    # the old session may act on other windows, and take its window back
    assert (await act(api, old, 2, "call-next"))[0] == 200
    status, me = await api.request("GET", "/api/v1/me", token=old)
    assert me["desk"]["holds"] is False
    await take(api, old, 1, force=True)
    assert (await act(api, old, 1, "recall"))[0] == 200


async def test_a_session_holds_one_window(api: Api) -> None:
    token = await session(api, "manager")
    await take(api, token, 1)
    await take(api, token, 2)
    staff = {w["number"]: w["staff"] for w in (await api.hall())["windows"]}
    assert (staff[1], staff[2]) == (None, "manager")


async def test_release_and_logout_free_the_window(api: Api) -> None:
    token = await session(api, "w1")
    await take(api, token, 1)
    status, body = await act(api, await session(api, "w2"), 1, "release")
    assert_error(status, body, 409)
    assert body["error"]["code"] == "window_not_held"
    status, body = await act(api, token, 1, "release")
    assert status == 200
    assert body["window"]["staff"] is None
    assert_error(*(await act(api, token, 1, "release")), 409)
    await take(api, token, 1)
    status, _ = await api.request("POST", "/api/v1/logout", token=token)
    assert status == 200
    assert (await api.hall())["windows"][0]["staff"] is None
    # with its holder logged out, the window is free to take without force
    await take(api, await session(api, "w2"), 1)


async def test_a_hold_of_an_expired_session_does_not_block(settings: Settings) -> None:
    """The session lives LIVE_S: long enough for two logins on a loaded machine (a 1 s
    lifetime ran out before the second login there), then the test waits for its end."""
    async with running_app(replace(settings, token_ttl=timedelta(seconds=LIVE_S))) as api:
        token = await session(api, "w1")
        await take(api, token, 1)
        status, body = await act(api, await session(api, "w2"), 1, "take")
        assert body["error"]["code"] == "window_in_use"  # a live holder blocks

        async def expired() -> bool:
            return (await api.request("GET", "/api/v1/me", token=token))[0] == 401

        await wait_until(expired, timeout=LIVE_S + 30, interval=0.25)
        status, body = await act(api, token, 1, "call-next")
        assert_error(status, body, 401)
        assert body["error"]["code"] == "bad_token"  # the console says: log in again
        await take(api, await session(api, "w2"), 1)  # no force needed


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/windows/99/take", {}, 404, "window_not_found"),
        ("/windows/1/take", {"force": "yes"}, 400, "wrong_type"),
        ("/windows/1/take", [1], 400, None),
        ("/windows/99/release", {}, 404, "window_not_found"),
    ],
)
@pytest.mark.engine_independent
async def test_bad_takes_are_refused_and_change_nothing(
    api: Api, path: str, body: Any, status: int, code: str | None
) -> None:
    token = await session(api, "w1")
    seq = (await api.hall())["seq"]
    got, answer = await api.request("POST", DEMO + path, body, token=token)
    assert_error(got, answer, status)
    if code:
        assert answer["error"]["code"] == code
    assert (await api.hall())["seq"] == seq


@pytest.mark.engine_independent
async def test_desk_calls_need_a_staff_token_of_the_hall(api: Api) -> None:
    for path in ("/windows/1/desk", "/windows", "/pending"):
        status, body = await api.request("GET", DEMO + path)
        assert_error(status, body, 401)
        status, body = await api.request("GET", DEMO + path, token="not-a-token")
        assert_error(status, body, 401)
        assert body["error"]["code"] == "bad_token"
    status, body = await act(api, "", 1, "take")
    assert_error(status, body, 401)


async def test_the_desk_shows_the_windows_queue_in_call_order(api: Api) -> None:
    manager = await api.login("manager")
    status, body = await api.request(
        "PATCH", f"{DEMO}/settings", {"services": {"A": {"target_wait_s": 120}}}, token=manager
    )
    assert status == 200
    assert body["services"][0]["target_wait_s"] == 120
    began = time.monotonic()  # no ticket has waited longer than the test has run since
    for service, priority in [("A", False), ("B", False), ("A", True), ("C", False)]:
        await api.issue(service, priority)
    token = await session(api, "w1")
    view = await desk(api, token, 1)  # window 1 serves A only
    assert [t["number"] for t in view["queue"]["tickets"]] == ["A002", "A001"]
    assert view["queue"]["waiting"] == 2
    first = view["queue"]["tickets"][0]
    assert first["priority"] is True
    assert first["target_wait_s"] == 120
    assert 0 <= first["waited_s"] <= time.monotonic() - began + 1
    assert "id" not in first
    view7 = await desk(api, token, 7)  # window 7 serves A, B, C
    assert [t["number"] for t in view7["queue"]["tickets"]] == ["A002", "A001", "B001", "C001"]
    assert view7["queue"]["tickets"][2]["target_wait_s"] == 900  # the default
    assert view["desk"] is None
    assert view["window"]["current"] is None


async def test_the_queue_lists_thirty_and_counts_all(api: Api) -> None:
    for _ in range(33):
        await api.issue("B")
    view = await desk(api, await session(api, "w5"), 5)
    assert view["queue"]["waiting"] == 33
    assert len(view["queue"]["tickets"]) == 30
    assert view["queue"]["tickets"][-1]["number"] == "B030"


async def test_the_desk_counts_the_windows_day(api: Api) -> None:
    for _ in range(6):
        await api.issue("A")
    token = await session(api, "w1")
    await take(api, token, 1)
    await act(api, token, 1, "call-next")  # A001
    await act(api, token, 1, "call-next", {"finish": "pending"})  # A001 pending, A002
    await act(api, token, 1, "call-next", {"finish": "no_show"})  # A002 no-show, A003
    await act(api, token, 1, "transfer", {"service": "B"})  # A003 leaves
    await act(api, token, 1, "call-next")  # A004
    await api.window(2, "call-next")  # A005 at another window
    view = await desk(api, token, 1)
    today = view["today"]
    assert {k: today[k] for k in ("called", "served", "completed", "pending", "no_show")} == {
        "called": 3, "served": 1, "completed": 0, "pending": 1, "no_show": 1,
    }  # fmt: skip
    assert today["service_s_avg"] is not None
    assert today["wait_s_avg"] is not None
    assert view["window"]["current"]["number"] == "A004"
    assert view["window"]["staff"] == "w1"
    assert view["desk"] is not None
    await act(api, token, 1, "finish")
    today = (await desk(api, token, 1))["today"]
    assert (today["served"], today["completed"]) == (2, 1)


async def test_pending_matters_count_down_the_promise_and_close(api: Api) -> None:
    manager = await api.login("manager")
    status, _ = await api.request("PATCH", f"{DEMO}/settings", {"promise_s": 1800}, token=manager)
    assert status == 200
    await api.issue("A")
    await api.issue("B")
    await api.window(1, "call-next")
    accepting = time.monotonic()  # A001's 30 minutes run from its finish, after this
    await api.window(1, "finish", {"outcome": "pending"})
    await api.window(5, "call-next")
    await api.window(5, "finish", {"outcome": "pending"})
    token = await session(api, "w2")
    status, body = await api.request("GET", f"{DEMO}/pending", token=token)
    assert status == 200, body
    assert body["promise_s"] == 1800
    assert [m["number"] for m in body["pending"]] == ["A001", "B001"]
    first = body["pending"][0]
    accepted, due = (datetime.fromisoformat(first[k]) for k in ("accepted_at", "due_at"))
    assert (due - accepted).total_seconds() == 1800
    assert first["accepted_at"] == first["finished_at"]
    assert 1800 - (time.monotonic() - accepting) - 1 <= first["left_s"] <= 1800
    assert first["id"]
    assert first["window"] == 1
    assert first["outcome"] == "pending"
    assert [m["number"] for m in (await desk(api, token, 2))["pending"]] == ["A001", "B001"]
    status, _ = await api.request("POST", f"/api/v1/tickets/{first['id']}/complete", token=token)
    assert status == 200
    status, body = await api.request("GET", f"{DEMO}/pending", token=token)
    assert [m["number"] for m in body["pending"]] == ["B001"]


async def test_every_window_with_its_holder_and_day(api: Api) -> None:
    await api.issue("B")
    token = await session(api, "w5")
    await take(api, token, 5)
    await act(api, token, 5, "call-next")
    status, body = await api.request("GET", f"{DEMO}/windows", token=await api.login("w8"))
    assert status == 200, body
    assert [w["number"] for w in body["windows"]] == list(range(1, 9))
    five = body["windows"][4]
    assert (five["staff"], five["current"]["number"], five["today"]["called"]) == ("w5", "B001", 1)
    assert body["windows"][0]["today"]["called"] == 0
