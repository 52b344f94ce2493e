"""Contract, sections Windows, Queue order and The hall: every window action and its answer,
the order in which tickets are called, and what the hall snapshot shows."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime
from typing import Any

import pytest

from ..helpers import Api


def assert_error(status: int, body: Any, expected: int) -> None:
    """Every error is {"error": {"code": snake_case, "message": …}} with the right status."""
    assert status == expected, body
    assert re.fullmatch(r"[a-z][a-z0-9_]*", body["error"]["code"]), body
    assert isinstance(body["error"]["message"], str)


async def ok(api: Api, window: int, action: str, body: Any = None) -> Any:
    status, answer = await api.window(window, action, body)
    assert status == 200, answer
    return answer


async def calls(api: Api, window: int, times: int) -> list[str | None]:
    """The numbers `times` successive call-next at `window` call (None: nobody waited)."""
    out = []
    for _ in range(times):
        called = (await ok(api, window, "call-next"))["called"]
        out.append(called["number"] if called else None)
    return out


# -- call-next --------------------------------------------------------------------------------


async def test_call_next_finishes_completed_by_default(api: Api) -> None:
    """call-next without a body finishes the current ticket as completed, then calls the next."""
    first = await api.issue("A")
    second = await api.issue("A")
    body = await ok(api, 1, "call-next")
    assert body == {"finished": None, "called": body["called"]}
    called = body["called"]
    assert called["id"] == first["id"]
    assert called["status"] == "called"
    assert called["window"] == 1
    assert called["called_at"] is not None
    assert called["finished_at"] is None
    body = await ok(api, 1, "call-next")
    finished = body["finished"]
    assert finished["id"] == first["id"]
    assert finished["status"] == "done"
    assert finished["outcome"] == "completed"
    assert finished["window"] == 1
    assert finished["called_at"] == called["called_at"]
    assert finished["completed_at"] == finished["finished_at"] is not None
    assert body["called"]["id"] == second["id"]


@pytest.mark.parametrize(
    ("how", "status", "outcome"),
    [("completed", "done", "completed"), ("pending", "done", "pending"),
     ("no_show", "no_show", None)],
)  # fmt: skip
async def test_call_next_finishes_the_way_asked(
    api: Api, how: str, status: str, outcome: str | None
) -> None:
    """call-next {"finish": completed | pending | no_show} finishes the current ticket so."""
    await api.issue("B")
    nxt = await api.issue("B")
    await ok(api, 5, "call-next")
    body = await ok(api, 5, "call-next", {"finish": how})
    assert body["finished"]["status"] == status
    assert body["finished"]["outcome"] == outcome
    assert body["finished"]["finished_at"] is not None
    assert (body["finished"]["completed_at"] is not None) == (how == "completed")
    assert body["called"]["id"] == nxt["id"]


async def test_call_next_with_nobody_waiting(api: Api) -> None:
    """Nobody waits: called is null; a current ticket is still finished."""
    assert await ok(api, 2, "call-next") == {"finished": None, "called": None}
    ticket = await api.issue("A")
    await ok(api, 2, "call-next")
    body = await ok(api, 2, "call-next")
    assert body["called"] is None
    assert body["finished"]["id"] == ticket["id"]
    assert body["finished"]["status"] == "done"
    windows = {w["number"]: w for w in (await api.hall())["windows"]}
    assert windows[2]["current"] is None


@pytest.mark.engine_independent
async def test_call_next_rejects_a_bad_finish(api: Api) -> None:
    """A finish that is not completed | pending | no_show is a 400 and changes nothing."""
    ticket = await api.issue("A")
    await ok(api, 1, "call-next")
    status, body = await api.window(1, "call-next", {"finish": "maybe"})
    assert_error(status, body, 400)
    windows = {w["number"]: w for w in (await api.hall(staff=True))["windows"]}
    assert windows[1]["current"]["id"] == ticket["id"]


# -- recall and finish ------------------------------------------------------------------------


async def test_recall_announces_the_same_ticket_again(api: Api) -> None:
    """recall → {"called": ticket}, the current ticket with recalls + 1; 409 without one."""
    status, body = await api.window(3, "recall")
    assert_error(status, body, 409)
    await api.issue("A")
    called = (await ok(api, 3, "call-next"))["called"]
    for expected in (1, 2):
        body = await ok(api, 3, "recall")
        assert list(body) == ["called"]
        assert body["called"]["id"] == called["id"]
        assert body["called"]["recalls"] == expected
        assert body["called"]["status"] == "called"
        assert body["called"]["called_at"] == called["called_at"]  # the first call
    await ok(api, 3, "finish", {"outcome": "completed"})
    status, body = await api.window(3, "recall")
    assert_error(status, body, 409)


@pytest.mark.parametrize(
    ("outcome", "status", "kept"),
    [("completed", "done", "completed"), ("pending", "done", "pending"),
     ("no_show", "no_show", None)],
)  # fmt: skip
async def test_finish_each_outcome(api: Api, outcome: str, status: str, kept: str | None) -> None:
    """finish {"outcome"} → {"finished": ticket}; then the window has no current ticket."""
    ticket = await api.issue("A")
    await ok(api, 4, "call-next")
    body = await ok(api, 4, "finish", {"outcome": outcome})
    assert list(body) == ["finished"]
    assert body["finished"]["id"] == ticket["id"]
    assert body["finished"]["status"] == status
    assert body["finished"]["outcome"] == kept
    assert body["finished"]["window"] == 4
    assert body["finished"]["finished_at"] is not None
    status_code, again = await api.window(4, "finish", {"outcome": outcome})
    assert_error(status_code, again, 409)


# -- transfer ---------------------------------------------------------------------------------


async def test_transfer_keeps_number_and_issued_at_and_its_place(api: Api) -> None:
    """A transferred ticket waits again in B with its number and issued_at: it comes after B
    tickets issued before it and before those issued after it; window 5 can call it."""
    b_before = await api.issue("B")
    await asyncio.sleep(0.005)
    moving = await api.issue("A")
    await asyncio.sleep(0.005)
    b_after = await api.issue("B")
    await ok(api, 1, "call-next")
    body = await ok(api, 1, "transfer", {"service": "B"})
    assert list(body) == ["transferred"]
    moved = body["transferred"]
    assert moved["id"] == moving["id"]
    assert moved["status"] == "waiting"
    assert moved["service"] == "B"
    assert moved["number"] == "A001"
    assert moved["issued_at"] == moving["issued_at"]
    assert moved["window"] is None
    assert moved["ahead"] == 1  # B001 only
    windows = {w["number"]: w for w in (await api.hall())["windows"]}
    assert windows[1]["current"] is None
    assert await calls(api, 1, 1) == [None]  # window 1 serves A only
    assert await calls(api, 5, 3) == [b_before["number"], "A001", b_after["number"]]


async def test_transfer_errors(api: Api) -> None:
    """transfer needs a current ticket (409) and a known service (404)."""
    status, body = await api.window(1, "transfer", {"service": "B"})
    assert_error(status, body, 409)
    ticket = await api.issue("A")
    await ok(api, 1, "call-next")
    status, body = await api.window(1, "transfer", {"service": "Z"})
    assert_error(status, body, 404)
    status, body = await api.window(1, "transfer", {})
    assert_error(status, body, 400)
    windows = {w["number"]: w for w in (await api.hall(staff=True))["windows"]}
    assert windows[1]["current"]["id"] == ticket["id"]


# -- call by number ---------------------------------------------------------------------------


async def test_call_a_waiting_ticket_of_any_service(api: Api) -> None:
    """call {"number"} → {"called": ticket}, whatever its service; 409 while the window is busy."""
    await api.issue("A")
    c1 = await api.issue("C")
    body = await ok(api, 1, "call", {"number": "C001"})
    assert list(body) == ["called"]
    assert body["called"]["id"] == c1["id"]
    assert body["called"]["status"] == "called"
    assert body["called"]["window"] == 1
    status, body = await api.window(1, "call", {"number": "A001"})
    assert_error(status, body, 409)
    status, body = await api.window(2, "call", {"number": "C001"})
    assert_error(status, body, 409)  # already called at window 1
    status, body = await api.window(2, "call", {"number": "A999"})
    assert_error(status, body, 404)
    status, body = await api.window(2, "call", {"number": "not a number"})
    assert_error(status, body, 400)
    assert (await ok(api, 2, "call", {"number": "A001"}))["called"]["window"] == 2


# Each spelling becomes "A003" in domain/numbering's pure normalise_number, so the store sees
# the same call for every row: "A3" and the bare "3" run on both engines, the rest on SQLite.
SPELLINGS = ["A3", "3", *(pytest.param(typed, marks=pytest.mark.engine_independent)
                          for typed in ("a3", "A003", "a 3", "Ａ３", " a-003 "))]  # fmt: skip


@pytest.mark.parametrize("typed", SPELLINGS)
async def test_call_accepts_what_staff_type(api: Api, typed: str) -> None:
    """ "A3", "a3", "a 3", full-width "Ａ３" all mean A003; a bare "3" too at window 1, which
    serves only A."""
    for _ in range(3):
        await api.issue("A")
    body = await ok(api, 1, "call", {"number": typed})
    assert body["called"]["number"] == "A003"


async def test_call_refuses_a_bare_number_where_it_is_ambiguous(api: Api) -> None:
    """Window 7 serves A, B and C: "3" needs its letter (400 number_needs_letter); text that is
    no number is 400 bad_ticket_number; neither calls anyone."""
    for _ in range(3):
        await api.issue("A")
    status, body = await api.window(7, "call", {"number": "3"})
    assert_error(status, body, 400)
    assert body["error"]["code"] == "number_needs_letter"
    for typed in ("A0", "3A", "A 3 B", "ＡＢＣＤ３"):
        status, body = await api.window(7, "call", {"number": typed})
        assert_error(status, body, 400)
        assert body["error"]["code"] == "bad_ticket_number", typed
    status, body = await api.window(7, "call", {"number": "a 9"})
    assert_error(status, body, 404)
    hall = await api.hall(staff=True)
    assert all(w["current"] is None for w in hall["windows"])
    assert hall["services"][0]["waiting"] == 3


async def test_call_a_no_show_who_came_back(api: Api) -> None:
    """A no-show ticket can be called again by number; called_at stays the first call."""
    ticket = await api.issue("A")
    first = (await ok(api, 2, "call-next"))["called"]
    await ok(api, 2, "finish", {"outcome": "no_show"})
    await asyncio.sleep(0.005)
    body = await ok(api, 3, "call", {"number": ticket["number"]})
    again = body["called"]
    assert again["id"] == ticket["id"]
    assert again["status"] == "called"
    assert again["window"] == 3
    assert again["outcome"] is None
    assert again["finished_at"] is None
    assert again["called_at"] == first["called_at"]
    done = (await ok(api, 3, "finish", {"outcome": "completed"}))["finished"]
    assert done["status"] == "done"
    status, body = await api.window(4, "call", {"number": ticket["number"]})
    assert_error(status, body, 409)  # done tickets are not called again


# -- pause and resume -------------------------------------------------------------------------


async def test_pause_and_resume(api: Api) -> None:
    """pause {"reason"} / resume → {"window": …}; a paused window calls nobody (409)."""
    await api.issue("A")
    body = await ok(api, 3, "pause", {"reason": "lunch"})
    assert list(body) == ["window"]
    window = body["window"]
    assert window["number"] == 3
    assert window["status"] == "paused"
    assert window["pause_reason"] == "lunch"
    assert window["services"] == ["A"]
    assert window["current"] is None
    status, answer = await api.window(3, "call-next")
    assert_error(status, answer, 409)
    status, answer = await api.window(3, "call", {"number": "A001"})
    assert_error(status, answer, 409)
    hall = await api.hall()
    assert {w["number"]: w["status"] for w in hall["windows"]}[3] == "paused"
    assert hall["services"][0]["waiting"] == 1  # nothing was called
    body = await ok(api, 3, "resume")
    assert body["window"]["status"] == "open"
    assert body["window"].get("pause_reason") is None
    assert (await ok(api, 3, "call-next"))["called"]["number"] == "A001"


# -- queue order ------------------------------------------------------------------------------


async def test_priority_first_then_earliest_issued(api: Api) -> None:
    """Priority tickets first, then the earliest issued_at."""
    for priority in (False, False, True, False, True):
        await api.issue("A", priority=priority)
    assert await calls(api, 2, 6) == ["A003", "A005", "A001", "A002", "A004", None]


async def test_windows_only_call_their_services(api: Api) -> None:
    """Window 5 serves B only and never gets an A ticket; window 7 takes A, B, C by order."""
    for service in ("A", "C", "B", "A", "B", "C"):
        await api.issue(service)
    assert await calls(api, 5, 3) == ["B001", "B002", None]
    assert await calls(api, 7, 5) == ["A001", "C001", "A002", "C002", None]


async def test_shared_window_puts_priority_of_any_service_first(api: Api) -> None:
    """At a window serving several services, a later priority ticket comes before earlier ones."""
    await api.issue("A")
    await api.issue("C")
    await api.issue("B", priority=True)
    assert await calls(api, 8, 4) == ["B001", "A001", "C001", None]


# -- the hall snapshot ------------------------------------------------------------------------


async def test_hall_snapshot_shows_current_waiting_and_recent(api: Api) -> None:
    """windows[].current, services[].waiting and est_wait_s, recent newest first."""
    await api.staff(*range(1, 9))
    for service in ("A", "A", "A", "B", "A", "A"):
        await api.issue(service)
    hall = await api.hall()
    services = {s["code"]: s for s in hall["services"]}
    assert {c: s["waiting"] for c, s in services.items()} == {"A": 5, "B": 1, "C": 0}
    # six idle staffed windows serve A, four B: a ticket taken now is called at once
    assert services["A"]["est_wait_s"] == 0
    assert services["C"]["est_wait_s"] == 0
    assert all(s["open"] is True for s in services.values())
    assert hall["recent"] == []

    for window in (1, 2, 5):
        await ok(api, window, "call-next")
    hall = await api.hall()
    services = {s["code"]: s for s in hall["services"]}
    assert {c: s["waiting"] for c, s in services.items()} == {"A": 3, "B": 0, "C": 0}
    current = {w["number"]: w["current"] for w in hall["windows"]}
    assert current[1]["number"] == "A001"
    assert current[2]["number"] == "A002"
    assert current[5]["number"] == "B001"
    assert current[1]["status"] == "called"
    assert current[1]["window"] == 1
    assert all(current[n] is None for n in (3, 4, 6, 7, 8))
    assert [(r["number"], r["window"]) for r in hall["recent"]] == [
        ("B001", 5), ("A002", 2), ("A001", 1),
    ]  # fmt: skip
    stamps = [datetime.fromisoformat(r["at"]) for r in hall["recent"]]
    assert stamps == sorted(stamps, reverse=True)
    assert all(r["at"].endswith("+08:00") for r in hall["recent"])

    await ok(api, 1, "recall")
    hall = await api.hall()
    assert (hall["recent"][0]["number"], hall["recent"][0]["window"]) == ("A001", 1)
    await ok(api, 1, "finish", {"outcome": "completed"})
    current = {w["number"]: w["current"] for w in (await api.hall())["windows"]}
    assert current[1] is None
    assert current[2]["number"] == "A002"


async def test_recent_never_shows_a_call_without_a_window(api: Api) -> None:
    """Each entry of `recent` is a call to a window: a transferred ticket, waiting again, is not
    shown as called to nowhere; once another window calls it, it shows there."""
    await api.issue("A")
    await ok(api, 1, "call-next")
    await ok(api, 1, "transfer", {"service": "B"})
    hall = await api.hall()
    assert all(isinstance(r["window"], int) for r in hall["recent"]), hall["recent"]
    await ok(api, 5, "call-next")
    recent = (await api.hall())["recent"]
    assert (recent[0]["number"], recent[0]["window"]) == ("A001", 5)


async def test_call_next_says_where_its_time_went(api: Api) -> None:
    """Call-next's Server-Timing header: the token check, the wait for the writer, the
    transaction, the COMMIT and the fan-out to the displays, each a duration within the call's
    round trip; a refused call on the same connection carries none."""
    await api.issue("A")
    token = await api.login("w1")
    url = api.base + "/api/v1/halls/demo/windows/1/call-next"
    headers = {"Authorization": f"Bearer {token}"}
    async with api.session.ws_connect(api.base.replace("http", "ws") + "/ws/v2/halls/demo") as ws:
        await ws.receive_json()  # the snapshot: this display now takes the fan-out
        started = time.perf_counter()
        async with api.session.post(url, headers=headers) as resp:
            assert resp.status == 200
            timing = resp.headers["Server-Timing"]
        round_trip_ms = (time.perf_counter() - started) * 1000
        frame = await ws.receive_json()
        assert frame["event"] == "ticket.called"
    durations = {}
    for metric in timing.split(", "):
        name, dur = metric.split(";dur=")
        durations[name] = float(dur)
    assert list(durations) == ["auth", "queue", "tx", "commit", "fanout"]
    assert all(ms >= 0 for ms in durations.values())
    assert sum(durations.values()) <= round_trip_ms
    assert durations["tx"] > 0
    async with api.session.post(url, headers=headers, json={"finish": "maybe"}) as resp:
        assert resp.status == 400
        assert "Server-Timing" not in resp.headers
