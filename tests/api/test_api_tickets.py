"""Contract, section Tickets: the ticket's shape, numbering, idempotent issue, reading,
cancelling, completing later, and the manager's list of a day's tickets."""

from __future__ import annotations

import asyncio
import math
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ..helpers import Api, read_events

TZ = ZoneInfo("Asia/Shanghai")
TICKET_FIELDS = {
    "id", "hall", "number", "service", "priority", "status", "outcome", "window",
    "issued_at", "called_at", "finished_at", "completed_at", "recalls",
}  # fmt: skip
RFC3339_SHANGHAI = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$")


def today() -> str:
    return datetime.now(TZ).date().isoformat()


def assert_error(status: int, body: Any, expected: int) -> None:
    """Every error is {"error": {"code": snake_case, "message": …}} with the right status."""
    assert status == expected, body
    assert re.fullmatch(r"[a-z][a-z0-9_]*", body["error"]["code"]), body
    assert isinstance(body["error"]["message"], str)


async def get_ticket(api: Api, ticket_id: str) -> dict[str, Any]:
    status, body = await api.request("GET", f"/api/v1/tickets/{ticket_id}")
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def test_issued_ticket_has_exactly_the_contract_shape(api: Api) -> None:
    """A new ticket: every field of the contract, waiting, with ahead and est_wait_s."""
    await api.staff(1)  # a staffed window serves A: there is an estimate
    before = datetime.now(TZ)
    ticket = await api.issue("A")
    after = datetime.now(TZ)
    assert TICKET_FIELDS | {"ahead", "est_wait_s"} <= ticket.keys()
    assert ticket["hall"] == "demo"
    assert ticket["number"] == "A001"
    assert ticket["service"] == "A"
    assert ticket["priority"] is False
    assert ticket["status"] == "waiting"
    assert ticket["outcome"] is None
    assert ticket["window"] is None
    assert ticket["called_at"] is None
    assert ticket["finished_at"] is None
    assert ticket["completed_at"] is None
    assert ticket["recalls"] == 0
    assert ticket["ahead"] == 0
    assert isinstance(ticket["est_wait_s"], int)
    assert ticket["est_wait_s"] >= 0
    assert RFC3339_SHANGHAI.match(ticket["issued_at"]), ticket["issued_at"]
    issued = datetime.fromisoformat(ticket["issued_at"])
    assert before - timedelta(seconds=1) <= issued <= after + timedelta(seconds=1)


async def test_ids_are_distinct_and_carry_at_least_64_random_bits(api: Api) -> None:
    """The id is opaque and unguessable (at least 64 random bits)."""
    tickets = [await api.issue("A") for _ in range(20)]
    ids = [t["id"] for t in tickets]
    assert len(set(ids)) == len(ids)
    for ticket_id in ids:
        assert re.fullmatch(r"[A-Za-z0-9_\-]+", ticket_id), ticket_id
        alphabet = 16 if re.fullmatch(r"[0-9a-f]+", ticket_id) else 64
        assert len(ticket_id) * math.log2(alphabet) >= 64, ticket_id
        assert not ticket_id.isdigit()
    # Sequential or time-based ids share long prefixes; random ones almost never do.
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assert a[:4] != b[:4], (a, b)
    # A neighbour of a real id is not a ticket.
    mutated = ids[0][:-1] + ("A" if ids[0][-1] != "A" else "B")
    status, body = await api.request("GET", f"/api/v1/tickets/{mutated}")
    assert_error(status, body, 404)


async def test_numbers_count_per_service_independently(api: Api) -> None:
    """A001, A002, … per hall, service and local day; B and C have their own sequences."""
    services = ["A", "A", "B", "A", "C", "B", "C", "C"]
    numbers = [(await api.issue(s))["number"] for s in services]
    assert numbers == ["A001", "A002", "B001", "A003", "C001", "B002", "C002", "C003"]


async def test_priority_flag_is_kept_and_shares_the_sequence(api: Api) -> None:
    """`priority` is part of the ticket; a priority ticket takes the service's next number."""
    plain = await api.issue("A")
    urgent = await api.issue("A", priority=True)
    assert plain["priority"] is False
    assert urgent["priority"] is True
    assert urgent["number"] == "A002"
    assert (await get_ticket(api, urgent["id"]))["priority"] is True


async def test_same_idempotency_key_gives_the_same_ticket_once(api: Api) -> None:
    """An Idempotency-Key makes a retry return the same ticket instead of a second one."""
    first = await api.issue("A", key="kiosk-7-tap-1")
    again = await api.issue("A", key="kiosk-7-tap-1")
    assert again["id"] == first["id"]
    assert again["number"] == first["number"] == "A001"
    assert again["issued_at"] == first["issued_at"]
    listed = await api.day_tickets()
    assert [t["id"] for t in listed] == [first["id"]]
    issued = [e for e in await read_events(api) if e["event"] == "ticket.issued"]
    assert [e["ticket"]["id"] for e in issued] == [first["id"]]
    # The next ticket is A002: the retry used no number.
    assert (await api.issue("A"))["number"] == "A002"


async def test_concurrent_retries_with_one_key_make_one_ticket(api: Api) -> None:
    """A double tap (retries racing each other) with one Idempotency-Key: one ticket."""
    answers = await asyncio.gather(*(api.issue("C", key="double-tap") for _ in range(6)))
    assert {t["id"] for t in answers} == {answers[0]["id"]}
    assert {t["number"] for t in answers} == {"C001"}
    assert len(await api.day_tickets()) == 1


async def test_different_idempotency_keys_give_different_tickets(api: Api) -> None:
    """Two keys are two requests: two tickets, two numbers."""
    one = await api.issue("A", key="key-one")
    two = await api.issue("A", key="key-two")
    assert one["id"] != two["id"]
    assert [one["number"], two["number"]] == ["A001", "A002"]
    assert len(await api.day_tickets()) == 2


async def test_get_ticket_by_id(api: Api) -> None:
    """GET /api/v1/tickets/{id} is public and answers the ticket; an unknown id is 404."""
    issued = await api.issue("B")
    read = await get_ticket(api, issued["id"])
    assert read.keys() >= TICKET_FIELDS
    for name in TICKET_FIELDS:
        assert read[name] == issued[name], name
    status, body = await api.request("GET", "/api/v1/tickets/no-such-ticket-id-here")
    assert_error(status, body, 404)


async def test_estimated_waits_follow_the_open_windows_and_their_work(api: Api) -> None:
    """est_wait_s plays the open, staffed windows forward (docs/api.md): A has a 300 s
    default. Window 1's staff took it; the others paused (their staff acted there)."""
    await api.staff(1)
    for window in (2, 3, 4, 7, 8):  # only window 1 calls A now
        assert (await api.window(window, "pause", {"reason": "test"}))[0] == 200
    tickets = [await api.issue("A") for _ in range(3)]
    ests = [(await get_ticket(api, t["id"]))["est_wait_s"] for t in tickets]
    assert ests == [0, 300, 600]
    assert tickets[2]["est_wait_s"] == 600  # told at issue
    snapshot = {s["code"]: s for s in (await api.hall())["services"]}
    assert snapshot["A"]["est_wait_s"] == 900
    await api.window(1, "call-next")  # A001 at window 1: about 300 s of work ahead of A002
    est = (await get_ticket(api, tickets[1]["id"]))["est_wait_s"]
    assert 295 <= est <= 300
    assert (await api.window(2, "resume"))[0] == 200  # a second window for A
    assert (await get_ticket(api, tickets[1]["id"]))["est_wait_s"] == 0
    assert (await get_ticket(api, tickets[2]["id"]))["est_wait_s"] in range(295, 301)


async def test_ahead_counts_priority_first_and_only_the_same_service(api: Api) -> None:
    """`ahead` = tickets called before it: priority ones first, other services not counted."""
    await api.staff(1, 2, 3, 4, 7, 8)
    a1 = await api.issue("A")
    b1 = await api.issue("B")
    a2 = await api.issue("A")
    a3 = await api.issue("A", priority=True)
    b2 = await api.issue("B", priority=True)
    c1 = await api.issue("C")
    aheads = {
        t["number"]: (await get_ticket(api, t["id"]))["ahead"] for t in (a1, b1, a2, a3, b2, c1)
    }
    assert aheads == {"A001": 1, "B001": 1, "A002": 2, "A003": 0, "B002": 0, "C001": 0}
    a4 = await api.issue("A", priority=True)
    assert a4["ahead"] == 1  # behind the earlier priority ticket only
    assert (await get_ticket(api, a1["id"]))["ahead"] == 2
    for t in (a1, a2, a4):  # six idle staffed windows serve A: one takes each of them at once
        assert (await get_ticket(api, t["id"]))["est_wait_s"] == 0


async def test_ahead_and_est_wait_only_while_waiting(api: Api) -> None:
    """`ahead` and `est_wait_s` are present while the ticket waits, and only then."""
    first = await api.issue("A")
    second = await api.issue("A")
    status, body = await api.window(1, "call-next")
    assert status == 200, body
    called = body["called"]
    assert called["id"] == first["id"]
    assert "ahead" not in called
    assert "est_wait_s" not in called
    read = await get_ticket(api, first["id"])
    assert "ahead" not in read
    assert "est_wait_s" not in read
    still = await get_ticket(api, second["id"])
    assert still["ahead"] == 0
    assert "est_wait_s" in still
    status, body = await api.window(1, "finish", {"outcome": "completed"})
    assert status == 200, body
    assert "ahead" not in body["finished"]


async def test_cancel_a_waiting_ticket_only(api: Api) -> None:
    """POST /tickets/{id}/cancel → the ticket, cancelled; only a waiting ticket (else 409)."""
    leaving = await api.issue("A")
    staying = await api.issue("A")
    status, body = await api.request("POST", f"/api/v1/tickets/{leaving['id']}/cancel")
    assert status == 200, body
    assert body["id"] == leaving["id"]
    assert body["status"] == "cancelled"
    assert "ahead" not in body
    assert (await get_ticket(api, leaving["id"]))["status"] == "cancelled"
    assert (await get_ticket(api, staying["id"]))["ahead"] == 0
    status, body = await api.request("POST", f"/api/v1/tickets/{leaving['id']}/cancel")
    assert_error(status, body, 409)
    # A cancelled ticket is never called; a called ticket cannot be cancelled.
    status, body = await api.window(1, "call-next")
    assert body["called"]["id"] == staying["id"]
    status, body = await api.request("POST", f"/api/v1/tickets/{staying['id']}/cancel")
    assert_error(status, body, 409)
    assert (await get_ticket(api, staying["id"]))["status"] == "called"
    status, body = await api.request("POST", "/api/v1/tickets/unknown-ticket-id/cancel")
    assert_error(status, body, 404)


async def test_pending_then_completed_later(api: Api) -> None:
    """Finished as pending: outcome pending, completed_at null; POST /complete (staff) sets it."""
    ticket = await api.issue("A")
    await api.window(1, "call-next")
    status, body = await api.window(1, "finish", {"outcome": "pending"})
    assert status == 200, body
    pending = body["finished"]
    assert pending["status"] == "done"
    assert pending["outcome"] == "pending"
    assert pending["completed_at"] is None
    assert pending["finished_at"] is not None
    path = f"/api/v1/tickets/{ticket['id']}/complete"
    status, body = await api.request("POST", path)
    assert_error(status, body, 401)
    assert (await get_ticket(api, ticket["id"]))["outcome"] == "pending"
    await asyncio.sleep(0.01)
    status, done = await api.request("POST", path, token=await api.login("w3"))
    assert status == 200, done
    assert done["id"] == ticket["id"]
    assert done["status"] == "done"
    assert done["outcome"] == "completed"
    assert done["finished_at"] == pending["finished_at"]
    assert RFC3339_SHANGHAI.match(done["completed_at"])
    assert datetime.fromisoformat(done["completed_at"]) > datetime.fromisoformat(
        done["finished_at"]
    )
    assert await get_ticket(api, ticket["id"]) == done
    status, body = await api.request("POST", path, token=await api.login("manager"))
    assert_error(status, body, 409)


async def test_complete_refuses_a_ticket_that_is_not_pending(api: Api) -> None:
    """Only a pending outcome can be completed later: waiting or completed tickets → 409."""
    waiting = await api.issue("A")
    token = await api.login("manager")
    status, body = await api.request(
        "POST", f"/api/v1/tickets/{waiting['id']}/complete", token=token
    )
    assert_error(status, body, 409)
    assert (await get_ticket(api, waiting["id"]))["outcome"] is None


async def test_finished_completed_at_the_window_gets_completed_at(api: Api) -> None:
    """Finished as completed at the window: completed_at = finished_at."""
    await api.issue("C")
    await api.window(8, "call-next")
    status, body = await api.window(8, "finish", {"outcome": "completed"})
    assert status == 200, body
    assert body["finished"]["completed_at"] == body["finished"]["finished_at"] is not None


async def test_manager_lists_every_ticket_of_the_local_day(api: Api) -> None:
    """GET /halls/{hall}/tickets?date= (manager) → every ticket issued that local day."""
    issued = [await api.issue(s) for s in ("A", "B", "C", "A")]
    await api.window(1, "call-next")
    await api.request("POST", f"/api/v1/tickets/{issued[1]['id']}/cancel")
    token = await api.login("manager")
    status, body = await api.request(
        "GET", f"/api/v1/halls/demo/tickets?date={today()}", token=token
    )
    assert status == 200, body
    listed = body["tickets"]
    assert sorted(t["id"] for t in listed) == sorted(t["id"] for t in issued)
    by_id = {t["id"]: t for t in listed}
    for ticket in listed:
        assert ticket.keys() >= TICKET_FIELDS
        alone = await get_ticket(api, ticket["id"])
        # An estimate counts down with the current service's elapsed time: a second apart (a
        # loaded machine), the two reads may differ by it, and by nothing else.
        wait, wait_alone = ticket.pop("est_wait_s", None), alone.pop("est_wait_s", None)
        assert ticket == alone
        assert (wait is None) == (wait_alone is None)
        assert wait is None or abs(wait - wait_alone) <= 2, (wait, wait_alone)
    assert by_id[issued[0]["id"]]["status"] == "called"
    assert by_id[issued[1]["id"]]["status"] == "cancelled"
    other_day = (datetime.now(TZ).date() - timedelta(days=1)).isoformat()
    status, body = await api.request(
        "GET", f"/api/v1/halls/demo/tickets?date={other_day}", token=token
    )
    assert status == 200, body
    assert body["tickets"] == []


@pytest.mark.parametrize("bad", ["2024-13-01", "yesterday", "2024-1-5", "20240105", ""])
@pytest.mark.engine_independent
async def test_ticket_list_rejects_a_bad_date(api: Api, bad: str) -> None:
    """A malformed date is bad input: 400, never a 500."""
    token = await api.login("manager")
    status, body = await api.request("GET", f"/api/v1/halls/demo/tickets?date={bad}", token=token)
    assert_error(status, body, 400)


async def test_ticket_list_is_for_managers(api: Api) -> None:
    """Managers read ticket lists: no token → 401, staff → 403."""
    await api.issue("A")
    status, body = await api.request("GET", "/api/v1/halls/demo/tickets")
    assert_error(status, body, 401)
    staff = await api.login("w1")
    status, body = await api.request("GET", "/api/v1/halls/demo/tickets", token=staff)
    assert_error(status, body, 403)
