"""The check-in at the kiosk over the API, on SQLite and PostgreSQL (a real server): a booked
ticket placed by its slot (policy "slot_time") or ahead of every walk-in ("first") and called
so; outside the window a normal ticket or a refusal per policy; every error code, and a refused
check-in changes nothing; a second scan answers the same ticket; the events on /ws/v1 and
/ws/v2 carry no personal data (and no code on v2); the day's punctuality."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from callnext.domain.clock import utcnow
from callnext.runtime.config import Settings
from callnext.store.database import Database

from ..hall_day import need_today
from ..helpers import Api, frames
from .test_api_appointments import HALL, book, enable, first_slot, manager, move, state
from .test_api_ratings import app_and_db
from .test_kiosk_printing import FakePrinter, add_kiosk


@pytest.fixture
async def booked(settings: Settings) -> AsyncIterator[tuple[Api, Database]]:
    need_today(timedelta(hours=1), since=timedelta(hours=1))  # bookings from 20 min ago to 45 ahead
    async with app_and_db(settings) as pair:
        await enable(pair[0], capacity=10)
        yield pair


async def appointment_at(api: Api, db: Database, minutes: float, **fields: Any) -> dict[str, Any]:
    """A booking of service A whose slot starts `minutes` from now."""
    status, made = await book(api, (await first_slot(api))["start"], **fields)
    assert status == 201, made
    await move(db, made["id"], utcnow() + timedelta(minutes=minutes))
    return made  # type: ignore[no-any-return]


async def checkin(api: Api, code: str, **extra: Any) -> tuple[int, Any]:
    return await api.request("POST", HALL + "/checkin", {"code": code, **extra})


async def set_policy(api: Api, **policy: Any) -> None:
    status, body = await api.request("PATCH", HALL + "/booking", policy,
                                     token=await manager(api))  # fmt: skip
    assert status == 200, body


async def called_order(api: Api, count: int) -> list[str]:
    numbers = []
    for _ in range(count):
        status, body = await api.window(1, "call-next")
        assert status == 200, body
        numbers.append(body["called"]["number"])
    return numbers


async def test_on_time_by_slot_time_a_booked_ticket_goes_by_its_slot(
    booked: tuple[Api, Database],
) -> None:
    api, db = booked
    early_slot = await appointment_at(api, db, -10)  # began 10 min ago: still on time
    later_slot = await appointment_at(api, db, 10)  # in 10 min: on time (30 min early)
    w1 = await api.issue("A")
    status, first = await checkin(api, early_slot["code"].lower())
    assert status == 201, first
    assert first["kind"] == "on_time"
    assert first["again"] is False
    ticket = first["ticket"]
    assert (ticket["booked"], ticket["slot"], ticket["status"]) == (
        True, first["appointment"]["start"], "waiting")  # fmt: skip
    assert ticket["ahead"] == 0  # its slot began before w1 was issued
    assert first["appointment"]["status"] == "checked_in"
    assert first["appointment"]["ticket"]["number"] == ticket["number"]
    code = later_slot["code"]
    status, second = await checkin(api, f"{code[:4]}-{code[4:]}")  # dashes are ignored
    assert status == 201, second
    assert second["ticket"]["ahead"] == 2  # behind the first and w1: its slot is later
    w2 = await api.issue("A")
    assert w2["ahead"] == 2  # issued before the second's slot: ahead of it
    order = await called_order(api, 4)
    assert order == [ticket["number"], w1["number"], w2["number"], second["ticket"]["number"]]
    status, tickets = await api.request("GET", f"/api/v1/tickets/{ticket['id']}")
    assert (tickets["booked"], tickets["status"]) == (True, "done")


async def test_on_time_under_order_first_goes_before_every_walk_in(
    booked: tuple[Api, Database],
) -> None:
    api, db = booked
    await set_policy(api, order="first")
    made = await appointment_at(api, db, 20)
    walk_ins = [await api.issue("A") for _ in range(3)]
    status, done = await checkin(api, made["code"])
    assert status == 201, done
    assert (done["kind"], done["ticket"]["ahead"]) == ("on_time", 0)
    status, listed = await api.request("GET", HALL + "/windows/1/desk",
                                       token=await api.login("w1"))  # fmt: skip
    assert status == 200, listed
    queue = listed["queue"]["tickets"]
    assert [(t["number"], t["booked"]) for t in queue] == [
        (done["ticket"]["number"], True), *((w["number"], False) for w in walk_ins)]  # fmt: skip
    assert queue[0]["slot"] == done["ticket"]["slot"]
    order = await called_order(api, 4)
    assert order == [done["ticket"]["number"], *(w["number"] for w in walk_ins)]
    token = await manager(api)
    status, figures = await api.request("GET", HALL + "/stats", token=token)
    shown = figures["appointments"]
    assert (shown["checked_in"], shown["on_time"], shown["punctuality"]) == (1, 1, 1.0)
    assert shown["mean_delay_s"] == 0.0  # called before its slot began


async def test_a_second_scan_answers_the_same_ticket(booked: tuple[Api, Database]) -> None:
    api, db = booked
    made = await appointment_at(api, db, 0)
    status, first = await checkin(api, made["code"])
    assert status == 201, first
    before = await state(api)
    status, again = await checkin(api, made["code"])
    assert status == 200, again
    assert again["again"] is True
    assert again["ticket"]["id"] == first["ticket"]["id"]
    assert again["kind"] == "on_time"
    assert await state(api) == before  # no second ticket, no event
    status, read = await api.request("GET", f"/api/v1/appointments/{made['id']}")
    assert read["ticket"] == {"id": first["ticket"]["id"], "number": first["ticket"]["number"],
                              "url": f"/t/{first['ticket']['id']}"}  # fmt: skip
    status, body = await api.request("POST", f"/api/v1/appointments/{made['id']}/cancel")
    assert (status, body["error"]["code"]) == (409, "appointment_not_cancellable")


async def test_outside_the_window_a_walk_in_ticket_by_default(
    booked: tuple[Api, Database],
) -> None:
    api, db = booked
    early = await appointment_at(api, db, 45)
    late = await appointment_at(api, db, -20)
    walk_in = await api.issue("A")
    status, body = await checkin(api, early["code"])
    assert status == 201, body
    assert (body["kind"], body["ticket"]["ahead"]) == ("early_walk_in", 1)  # behind walk_in
    assert body["appointment"]["checkin_kind"] == "early_walk_in"
    assert "booked" not in body["ticket"]  # a walk-in's ticket: not 预约, no slot
    assert "slot" not in body["ticket"]
    status, body = await checkin(api, late["code"])
    assert (status, body["kind"], body["ticket"]["ahead"]) == (201, "late_walk_in", 2)
    assert "booked" not in body["ticket"]
    assert (await called_order(api, 1)) == [walk_in["number"]]


async def test_refusals_of_a_check_in_change_nothing(booked: tuple[Api, Database]) -> None:
    api, db = booked
    await set_policy(api, outside_window="refuse")
    too_early = await appointment_at(api, db, 45)
    too_late = await appointment_at(api, db, -16)
    tomorrow = await appointment_at(api, db, 60 * 24 + 5)
    cancelled = await appointment_at(api, db, 0)
    await api.request("POST", f"/api/v1/appointments/{cancelled['id']}/cancel")
    token = await manager(api)
    before = await state(api)
    cases = [
        ({"code": too_early["code"]}, 409, "checkin_too_early"),
        ({"code": too_late["code"]}, 409, "checkin_too_late"),
        ({"code": tomorrow["code"]}, 409, "appointment_not_today"),
        ({"code": cancelled["code"]}, 409, "appointment_cancelled"),
        ({"code": "ZZZZZZZZ"}, 404, "appointment_not_found"),
        ({"code": "not a code"}, 404, "appointment_not_found"),
        ({"code": too_early["code"], "kiosk": "nowhere"}, 404, "kiosk_not_found"),
        ({"code": 12345678}, 400, "wrong_type"),
        ({}, 400, "missing_field"),
    ]
    for body, expected, code in cases:
        status, answer = await api.request("POST", HALL + "/checkin", body)
        assert (status, answer["error"]["code"]) == (expected, code), body
        if code == "checkin_too_early":
            assert answer["error"]["opens_at"] is not None
    status, answer = await api.request("POST", "/api/v1/halls/nowhere/checkin", {"code": "A"})
    assert (status, answer["error"]["code"]) == (404, "hall_not_found")
    # The service closed now: the same 409 as ticket issuing, and the booking stays booked.
    on_time = await appointment_at(api, db, 0)
    closed = {"name": "不动产登记", "open": False}
    assert (await api.request("PUT", HALL + "/services/A", closed, token=token))[0] == 200
    before = await state(api)
    status, answer = await checkin(api, on_time["code"])
    assert (status, answer["error"]["code"]) == (409, "service_closed")
    assert await state(api) == before
    _s, read = await api.request("GET", f"/api/v1/appointments/{on_time['id']}")
    assert read["status"] == "booked"


async def test_a_past_days_booking_missed_at_rollover_is_too_late(
    booked: tuple[Api, Database],
) -> None:
    from callnext.usecases.rollover import expire_stale_tickets

    api, db = booked
    made = await appointment_at(api, db, -60 * 24)
    await expire_stale_tickets(db)
    status, answer = await checkin(api, made["code"])
    assert (status, answer["error"]["code"]) == (409, "checkin_too_late")


async def test_a_kiosk_check_in_answers_its_print_like_a_ticket(
    booked: tuple[Api, Database],
) -> None:
    api, db = booked
    token = await manager(api)
    status, _ = await api.request("PUT", HALL + "/kiosks/K1", {"print": "browser"}, token=token)
    assert status in (200, 201)
    made = await appointment_at(api, db, 0)
    status, body = await checkin(api, made["code"], kiosk="K1")
    assert status == 201, body
    assert body["ticket"]["print"]["status"] == "browser"
    status, again = await checkin(api, made["code"], kiosk="K1")
    assert (status, again["ticket"]["print"]["status"]) == (200, "browser")


async def test_a_kiosk_prints_a_booked_ticket_saying_appointment_and_reprints_it_once_more(
    booked: tuple[Api, Database],
) -> None:
    """A second check-in (no Idempotency-Key: a new request) prints the waiting ticket's slip
    again; tests/pages/test_kiosk_checkin_again.py: a retry of the same key does not."""
    api, db = booked
    printer = FakePrinter()
    await printer.start()
    await add_kiosk(api, "K2", {"print": "escpos", "printer": printer.url})
    made = await appointment_at(api, db, 5)
    status, body = await checkin(api, made["code"], kiosk="K2")
    assert status == 201, body
    assert body["ticket"]["print"]["status"] == "printed"
    status, again = await checkin(api, made["code"], kiosk="K2")
    assert (status, again["ticket"]["print"]["status"]) == (200, "printed")
    assert len(printer.jobs) == 2
    assert "预约 Appointment".encode("gb18030") in printer.jobs[0]
    assert body["ticket"]["number"].encode() in printer.jobs[0]
    await printer.stop()


async def test_events_on_v1_and_v2_carry_no_personal_data(booked: tuple[Api, Database]) -> None:
    api, db = booked
    await set_policy(api, fields={"name": "required", "phone": "required"})
    fields = {"name": "王小明", "phone": "13900001111"}
    staff = await api.staff_headers()  # v1 with the hall's staff token: the code too
    async with (
        api.session.ws_connect(api.ws_base + "/ws/v1/halls/demo", headers=staff) as v1,
        api.session.ws_connect(api.ws_base + "/ws/v2/halls/demo") as v2,
    ):
        await frames(v1, 1), await frames(v2, 1)  # the snapshots
        gone = await appointment_at(api, db, 0, **fields)
        await api.request("POST", f"/api/v1/appointments/{gone['id']}/cancel")
        made = await appointment_at(api, db, 0, **fields)
        status, done = await checkin(api, made["code"])
        assert status == 201, done
        got1, got2 = await frames(v1, 5), await frames(v2, 5)
        with pytest.raises(asyncio.TimeoutError):
            await v2.receive(0.3)
    names = ["appointment.booked", "appointment.cancelled", "appointment.booked",
             "ticket.issued", "appointment.checked_in"]  # fmt: skip
    assert [f["event"] for f in got1] == [f["event"] for f in got2] == names
    for f1, f2 in zip(got1, got2, strict=True):
        assert f1["seq"] == f2["seq"]
        if f1["event"].startswith("appointment."):
            assert set(f1["appointment"]) == {"service", "start", "code"}
            assert f2["appointment"] == {"service": "A", "start": f1["appointment"]["start"]}
            assert (f1["ticket"], f1["window"]) == (None, None)
    assert got1[0]["appointment"]["code"] == gone["code"]
    assert got1[4]["appointment"]["code"] == made["code"]
    assert got1[3]["ticket"]["booked"] is True
    text1, text2 = json.dumps(got1, ensure_ascii=False), json.dumps(got2, ensure_ascii=False)
    for secret in ("王小明", "王*", "13900001111", "139****1111", gone["id"], made["id"]):
        assert secret not in text1
        assert secret not in text2
    for code in (gone["code"], made["code"], done["ticket"]["id"]):
        assert code not in text2


def test_the_access_log_hides_appointment_ids() -> None:
    """An appointment's id cancels it, like a ticket's: its paths are logged without it."""
    from callnext.web.access_log import redact_path

    for path, shown in (
        ("/api/v1/appointments/Xy_9-a", "/api/v1/appointments/{id}"),
        ("/api/v1/appointments/Xy_9-a/cancel", "/api/v1/appointments/{id}/cancel"),
        ("/a/Xy_9-a", "/a/{id}"),
        ("/a/Xy_9-a/qr.svg", "/a/{id}/qr.svg"),
        ("/api/v1/halls/demo/appointments", "/api/v1/halls/demo/appointments"),
    ):
        assert redact_path(path) == shown  # fmt: skip
