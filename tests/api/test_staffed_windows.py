"""Only staffed windows serve (domain/staffing.py, docs/staff.md): estimates count the open
windows a live session holds, or where a session without a hold acted in the last 15 minutes;
a hold ends with its session (leaving, logout, the account disabled, the session's expiry); with
no staffed window for a service its estimates are null. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from callnext.domain.staffing import ACTED_S
from callnext.runtime.config import Settings
from callnext.store.database import Database
from callnext.store.schema import halls, windows

from ..helpers import LIVE_S, Api, read_events, running_app, wait_until
from .test_api_desks import act, session, take
from .test_api_windows import assert_error

DEMO = "/api/v1/halls/demo"


async def ticket(api: Api, ticket_id: str) -> dict[str, Any]:
    status, body = await api.request("GET", f"/api/v1/tickets/{ticket_id}")
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def service_waits(api: Api) -> dict[str, int | None]:
    return {s["code"]: s["est_wait_s"] for s in (await api.hall())["services"]}


async def window_of(api: Api, number: int) -> dict[str, Any]:
    return next(w for w in (await api.hall())["windows"] if w["number"] == number)


async def released(api: Api, since: int, number: int) -> list[dict[str, Any]]:
    return [
        e for e in await read_events(api, since)
        if e["event"] == "window.released" and e["window"] == number
    ]  # fmt: skip


async def test_estimates_count_only_staffed_windows_0_1_3(api: Api) -> None:
    """A is served by windows 1, 2, 3, 4, 7, 8, all open. With none staffed nothing is invented;
    with window 1 staffed the five unstaffed ones cut nothing; with three staffed, three serve."""
    tickets = [await api.issue("A") for _ in range(3)]
    assert [t["est_wait_s"] for t in tickets] == [None, None, None]  # told at issue: no figure
    assert [t["ahead"] for t in tickets] == [0, 1, 2]  # `ahead` does not depend on staffing
    assert (await service_waits(api))["A"] is None
    read = await ticket(api, tickets[2]["id"])
    assert "est_wait_s" in read  # present while it waits, null: no estimate
    assert read["est_wait_s"] is None
    assert read["ahead"] == 2
    assert not any(w["staffed"] for w in (await api.hall())["windows"])

    await api.staff(1)
    assert [(await ticket(api, t["id"]))["est_wait_s"] for t in tickets] == [0, 300, 600]
    waits = await service_waits(api)
    assert waits["A"] == 900  # not 300: the unstaffed windows 2, 3, 4, 7, 8 serve nobody
    assert waits["B"] is None  # windows 5, 6, 7, 8: nobody there
    assert waits["C"] is None

    await api.staff(2, 3)
    assert [(await ticket(api, t["id"]))["est_wait_s"] for t in tickets] == [0, 0, 0]
    assert (await service_waits(api))["A"] == 300
    staffed = {w["number"]: (w["staffed"], w["staff"]) for w in (await api.hall())["windows"]}
    assert staffed[1] == (True, "w1")
    assert staffed[4] == (False, None)


async def test_the_issue_ticket_with_unstaffed_windows_added(api: Api) -> None:
    """The issue's case: C is served by windows 7 and 8; with only 7 staffed, 8 (open, nobody
    there) must not halve the estimate, and leaving window 7 leaves C with no estimate."""
    token = await session(api, "w7")
    await take(api, token, 7)
    for _ in range(4):
        await api.issue("C")
    # C's default is 300 s: four ahead at one window
    assert (await service_waits(api))["C"] == 1200
    status, _ = await act(api, token, 7, "release")
    assert status == 200
    assert (await service_waits(api))["C"] is None
    new = await api.issue("C")
    assert new["est_wait_s"] is None


async def test_logout_ends_the_hold_in_the_same_transaction(api: Api) -> None:
    token = await session(api, "w1")
    await take(api, token, 1)
    await api.issue("A")
    assert (await service_waits(api))["A"] == 300
    seq = (await api.hall())["seq"]
    status, _ = await api.request("POST", "/api/v1/logout", token=token)
    assert status == 200
    window = await window_of(api, 1)
    assert (window["staff"], window["staffed"]) == (None, False)
    assert (await service_waits(api))["A"] is None
    events = await released(api, seq, 1)
    assert [(e["staff"], e["reason"]) for e in events] == [("w1", "logout")]
    status, body = await act(api, token, 1, "call-next")
    assert_error(status, body, 401)


async def test_disabling_an_account_ends_its_hold(api: Api) -> None:
    token = await session(api, "w2")
    await take(api, token, 2)
    seq = (await api.hall())["seq"]
    manager = await api.login("manager")
    status, body = await api.request("PUT", f"{DEMO}/users/w2", {"disabled": True}, token=manager)
    assert status == 200, body
    window = await window_of(api, 2)
    assert (window["staff"], window["staffed"]) == (None, False)
    assert [e["reason"] for e in await released(api, seq, 2)] == ["account"]
    assert_error(*(await act(api, token, 2, "call-next")), 401)


async def test_an_expired_session_is_named_nowhere_and_counts_for_nothing(
    settings: Settings,
) -> None:
    """CALLNEXT_TOKEN_TTL_S short: once the session expires the public snapshot no longer
    names its user and the window serves nobody, before any sweep has run (the rollover task
    runs only at start here); the sweep then frees the window and tells the screens."""
    quick = replace(settings, token_ttl=timedelta(seconds=LIVE_S), rollover_check_s=3600)
    async with running_app(quick) as api:
        token = await session(api, "w1")
        await take(api, token, 1)
        await api.issue("A")
        window = await window_of(api, 1)
        assert (window["staff"], window["staffed"]) == ("w1", True)
        assert (await service_waits(api))["A"] == 300

        async def expired() -> bool:
            return (await window_of(api, 1))["staff"] is None

        await wait_until(expired, timeout=LIVE_S + 30)
        hall = await api.hall()
        assert "w1" not in str(hall["windows"])
        assert (await window_of(api, 1))["staffed"] is False
        assert (await service_waits(api))["A"] is None
        status, body = await api.request("GET", f"{DEMO}/windows", token=await session(api, "w2"))
        assert status == 200
        assert next(w for w in body["windows"] if w["number"] == 1)["staff"] is None


async def test_the_sweep_frees_expired_holds_with_an_event(settings: Settings) -> None:
    quick = replace(settings, token_ttl=timedelta(seconds=LIVE_S), rollover_check_s=0.2)
    async with running_app(quick) as api:
        token = await session(api, "w1")
        await take(api, token, 1)
        seq = (await api.hall())["seq"]

        async def freed() -> bool:
            return bool(await released(api, seq, 1))

        await wait_until(freed, timeout=LIVE_S + 30)
        assert [e["reason"] for e in await released(api, seq, 1)] == ["expired"]
        assert (await window_of(api, 1))["staff"] is None


async def test_acting_without_a_hold_staffs_the_window_for_a_while(
    settings: Settings, db_url: str
) -> None:
    """An integration that calls through the API without taking a window: the window serves
    for ACTED_S after its last action there, then the sweep frees it (reason idle)."""
    async with running_app(replace(settings, rollover_check_s=0.2)) as api:
        await api.issue("A")
        await api.issue("A")
        assert (await service_waits(api))["A"] is None
        status, body = await api.window(1, "call-next")  # w1's token, no take
        assert status == 200, body
        window = await window_of(api, 1)
        assert (window["staff"], window["staffed"]) == (None, True)  # nobody holds it
        waits = await service_waits(api)
        assert waits["A"] is not None
        assert waits["A"] > 0
        seq = (await api.hall())["seq"]
        # the last action is ACTED_S + 1 s old now (the configuration changes: every process
        # reads it again)
        db = Database(db_url)
        try:
            age = timedelta(seconds=ACTED_S + 1).total_seconds() * 1_000_000

            def older(conn: Any) -> None:
                conn.execute(update(windows).values(acted_at=windows.c.acted_at - int(age)))
                conn.execute(update(halls).values(config_version=halls.c.config_version + 1))

            await db.run_write(older)
        finally:
            await db.close()
        assert (await window_of(api, 1))["staffed"] is False
        assert (await service_waits(api))["A"] is None

        async def swept() -> bool:
            return bool(await released(api, seq, 1))

        await wait_until(swept, timeout=15)
        assert [e["reason"] for e in await released(api, seq, 1)] == ["idle"]


async def test_the_same_user_takes_their_window_back_without_force(api: Api) -> None:
    """The console opened again (a new login of the same user) takes the window back with no
    takeover question; the old session has lost it; another user is still refused."""
    old, new = await session(api, "w1"), await session(api, "w1")
    await take(api, old, 1)
    body = await take(api, new, 1)  # no force
    assert body["window"]["staff"] == "w1"
    status, answer = await act(api, old, 1, "call-next")
    assert_error(status, answer, 409)
    assert answer["error"]["code"] == "window_taken"
    status, answer = await act(api, await session(api, "w2"), 1, "take")
    assert_error(status, answer, 409)
    assert answer["error"]["code"] == "window_in_use"


async def test_requeue_sends_the_current_ticket_back_to_its_place(api: Api) -> None:
    first, second = await api.issue("A"), await api.issue("A")
    token = await session(api, "w1")
    await take(api, token, 1)
    status, body = await act(api, token, 1, "call-next")
    assert body["called"]["number"] == first["number"]
    seq = (await api.hall())["seq"]
    status, body = await act(api, token, 1, "requeue")
    assert status == 200, body
    back = body["requeued"]
    assert (back["status"], back["window"], back["ahead"]) == ("waiting", None, 0)
    assert back["issued_at"] == first["issued_at"]
    assert (await ticket(api, second["id"]))["ahead"] == 1
    assert (await window_of(api, 1))["current"] is None
    events = [e for e in await read_events(api, seq) if e["event"] == "ticket.transferred"]
    assert [(e["from_service"], e["requeued"]) for e in events] == [("A", True)]
    assert_error(*(await act(api, token, 1, "requeue")), 409)  # no current ticket now
    status, body = await act(api, token, 1, "call-next")
    assert body["called"]["number"] == first["number"]  # first again: it kept its place
