"""Appointments over the API, on SQLite and PostgreSQL (a real server): the booking policy and a
service's booking (manager), slots and booking (public), the booking by its id and cancelling,
the staff's day list (masked for staff), the statistics' and the report's "appointments",
concurrent bookings never past capacity, the rate limit; every error code, and a refused call
changes nothing. The check-in is in test_api_checkin.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from callnext.domain.clock import local_day, to_micros, utcnow
from callnext.runtime.config import RateLimit, Settings
from callnext.store.database import Database
from callnext.store.schema import appointments

from ..hall_day import need_today
from ..helpers import Api
from .test_api_ratings import app_and_db

HALL = "/api/v1/halls/demo"
TZ = "Asia/Shanghai"


@pytest.fixture
async def booked(settings: Settings) -> AsyncIterator[tuple[Api, Database]]:
    async with app_and_db(settings) as pair:
        await enable(pair[0])
        yield pair


async def manager(api: Api) -> str:
    return await api.login("manager")


async def enable(api: Api, policy: dict[str, Any] | None = None, **service: Any) -> None:
    """Booking on for the hall and for service A (15-min slots, 2 places, 7 days ahead)."""
    token = await manager(api)
    body = {"enabled": True, **(policy or {})}
    status, answer = await api.request("PATCH", HALL + "/booking", body, token=token)
    assert status == 200, answer
    put = {"enabled": True, "slot_min": 15, "capacity": 2, **service}
    status, answer = await api.request("PUT", HALL + "/services/A/booking", put, token=token)
    assert status == 200, answer


def today() -> str:
    return local_day(utcnow(), TZ)


async def first_slot(api: Api, service: str = "A") -> dict[str, Any]:
    """The first slot with a free place (today, or tomorrow late in the evening)."""
    status, days = await api.request("GET", f"{HALL}/slots?service={service}")
    assert status == 200, days
    day = next(d["day"] for d in days["days"] if d["free"] > 0)
    status, body = await api.request("GET", f"{HALL}/slots?service={service}&day={day}")
    assert status == 200, body
    return next(s for s in body["slots"] if s["free"] > 0)  # type: ignore[no-any-return]


async def book(api: Api, start: str, service: str = "A", **fields: Any) -> tuple[int, Any]:
    body = {"service": service, "start": start, **fields}
    return await api.request("POST", HALL + "/appointments", body)


async def move(db: Database, appointment_id: str, start: datetime) -> None:
    """Put a booking's slot at `start` (15 min), as if it had been booked for then."""
    stmt = (
        update(appointments)
        .where(appointments.c.id == appointment_id)
        .values(slot_start=to_micros(start), slot_end=to_micros(start + timedelta(minutes=15)),
                day=local_day(start, TZ))
    )  # fmt: skip
    await db.run_write(lambda conn: conn.execute(stmt))


async def state(api: Api) -> tuple[Any, ...]:
    """What a refused call must leave as it was: the seq, the booking, today's list, tickets."""
    token = await manager(api)
    _s, booking = await api.request("GET", HALL + "/booking")
    _s, listed = await api.request("GET", f"{HALL}/appointments?day={today()}", token=token)
    return (await api.hall())["seq"], booking, listed, len(await api.day_tickets())


# -- the booking policy and a service's booking ---------------------------------------------


async def test_the_booking_policy_public_and_changed_by_the_manager(api: Api) -> None:
    """The demo hall books A and B (store/setup.py); C keeps the defaults."""
    status, body = await api.request("GET", HALL + "/booking")
    assert status == 200, body
    assert body == {
        "enabled": True, "checkin_early_min": 30, "checkin_late_min": 15, "order": "slot_time",
        "outside_window": "walk_in", "fields": {"name": "off", "phone": "off"},
        "services": [{"service": c, "enabled": c != "C", "slot_min": 15,
                      "capacity": 1 if c == "C" else 2, "days_ahead": 7, "hours": None}
                     for c in "ABC"],
    }  # fmt: skip
    token = await manager(api)
    patch = {"enabled": True, "order": "first", "fields": {"phone": "required"}}
    status, body = await api.request("PATCH", HALL + "/booking", patch, token=token)
    assert status == 200, body
    assert (body["enabled"], body["order"], body["fields"]) == (
        True, "first", {"name": "off", "phone": "required"})  # fmt: skip
    hours = {"mon": ["09:00-11:00"], "tue": ["14:00-16:00"]}
    put = {"enabled": True, "slot_min": 20, "capacity": 3, "days_ahead": 14, "hours": hours}
    status, body = await api.request("PUT", HALL + "/services/B/booking", put, token=token)
    assert status == 200, body
    assert body["hours"]["mon"] == ["09:00-11:00"]
    status, again = await api.request("GET", HALL + "/booking")
    assert again["services"][1] == body
    assert again["order"] == "first"
    status, audit = await api.request("GET", HALL + "/audit", token=token)
    actions = [row["action"] for row in audit["entries"]]
    assert "booking.policy" in actions
    assert "booking.service" in actions


@pytest.mark.parametrize(
    ("method", "path", "body", "code", "field"),
    [
        ("PATCH", "/booking", {"checkin_early_min": 999}, "invalid_booking", "checkin_early_min"),
        ("PATCH", "/booking", {"order": "random"}, "invalid_booking", "order"),
        ("PATCH", "/booking", {"fields": {"email": "required"}}, "invalid_booking", "email"),
        ("PATCH", "/booking", {"colour": "red"}, "invalid_booking", "colour"),
        ("PUT", "/services/A/booking", {"slot_min": 3}, "invalid_booking", "slot_min"),
        ("PUT", "/services/A/booking", {"capacity": 101}, "invalid_booking", "capacity"),
        ("PUT", "/services/A/booking", {"hours": {"xyz": []}}, "invalid_booking", "hours"),
    ],
)
async def test_an_invalid_policy_is_a_422_naming_the_field_and_changes_nothing(
    api: Api, method: str, path: str, body: dict[str, Any], code: str, field: str
) -> None:
    before = await state(api)
    status, answer = await api.request(method, HALL + path, body, token=await manager(api))
    assert status == 422, answer
    assert (answer["error"]["code"], answer["error"]["field"]) == (code, field)
    assert await state(api) == before


async def test_policy_writes_refuse_others_and_unknown_services(api: Api) -> None:
    before = await state(api)
    staff = await api.login("w1")
    for token, expected in ((None, 401), (staff, 403)):
        status, _ = await api.request("PATCH", HALL + "/booking", {"enabled": True}, token=token)
        assert status == expected
        status, _ = await api.request("PUT", HALL + "/services/A/booking", {}, token=token)
        assert status == expected
    status, body = await api.request("PUT", HALL + "/services/Z/booking", {},
                                     token=await manager(api))  # fmt: skip
    assert (status, body["error"]["code"]) == (404, "service_not_found")
    status, body = await api.request("GET", "/api/v1/halls/nowhere/booking")
    assert (status, body["error"]["code"]) == (404, "hall_not_found")
    assert await state(api) == before


# -- slots ------------------------------------------------------------------------------------


async def test_slots_need_booking_on_for_the_hall_and_the_service(api: Api) -> None:
    token = await manager(api)
    await api.request("PATCH", HALL + "/booking", {"enabled": False}, token=token)
    status, body = await api.request("GET", f"{HALL}/slots?service=A")
    assert (status, body["error"]["code"]) == (409, "booking_disabled")
    await enable(api)
    status, body = await api.request("GET", f"{HALL}/slots?service=C")  # C is not bookable
    assert (status, body["error"]["code"]) == (409, "booking_disabled")
    status, body = await api.request("GET", f"{HALL}/slots?service=Z")
    assert (status, body["error"]["code"]) == (404, "service_not_found")
    for bad in ("2026-13-01", "tomorrow", "2026-1-1"):
        status, body = await api.request("GET", f"{HALL}/slots?service=A&day={bad}")
        assert (status, body["error"]["code"]) == (400, "invalid_day"), bad


async def test_slots_of_a_day_and_the_bookable_days(booked: tuple[Api, Database]) -> None:
    api, _db = booked
    status, body = await api.request("GET", f"{HALL}/slots?service=A")
    assert status == 200, body
    days = [d["day"] for d in body["days"]]
    assert len(days) in (7, 8)  # today (unless its last slot has begun) and 7 days ahead
    tomorrow = days[-7]
    status, body = await api.request("GET", f"{HALL}/slots?service=A&day={tomorrow}")
    assert status == 200, body
    slots = body["slots"]
    assert len(slots) == 96  # the demo hall has no hours: the whole day in 15-min slots
    assert slots[0]["start"] == f"{tomorrow}T00:00:00.000+08:00"
    assert slots[0] == {"start": slots[0]["start"], "end": f"{tomorrow}T00:15:00.000+08:00",
                        "capacity": 2, "booked": 0, "free": 2}  # fmt: skip
    assert next(d for d in (await api.request("GET", f"{HALL}/slots?service=A"))[1]["days"]
                if d["day"] == tomorrow)["free"] == 192  # fmt: skip
    status, far = await api.request("GET", f"{HALL}/slots?service=A&day=2099-01-01")
    assert (status, far["slots"]) == (200, [])
    status, past = await api.request("GET", f"{HALL}/slots?service=A&day=2020-01-01")
    assert (status, past["slots"]) == (200, [])
    status, now = await api.request("GET", f"{HALL}/slots?service=A&day={today()}")
    assert all(datetime.fromisoformat(s["start"]) > utcnow() for s in now["slots"])


# -- booking, reading, cancelling ------------------------------------------------------------


async def test_a_citizen_books_reads_and_cancels(booked: tuple[Api, Database]) -> None:
    api, _db = booked
    slot = await first_slot(api)
    status, made = await book(api, slot["start"])
    assert status == 201, made
    assert set(made) >= {"id", "code", "hall", "service", "day", "start", "end", "status",
                         "url", "qr"}  # fmt: skip
    assert (made["status"], made["service"], made["start"], made["end"]) == (
        "booked", "A", slot["start"], slot["end"])  # fmt: skip
    assert (made["url"], made["qr"]) == (f"/a/{made['id']}", f"/a/{made['id']}/qr.svg")
    assert len(made["code"]) == 8
    assert "name" not in made
    assert "phone" not in made
    assert made["ticket"] is None
    status, read = await api.request("GET", f"/api/v1/appointments/{made['id']}")
    assert (status, read) == (200, made)
    day = made["day"]
    status, slots = await api.request("GET", f"{HALL}/slots?service=A&day={day}")
    shown = next(s for s in slots["slots"] if s["start"] == slot["start"])
    assert (shown["booked"], shown["free"]) == (1, 1)
    status, cancelled = await api.request("POST", f"/api/v1/appointments/{made['id']}/cancel")
    assert status == 200, cancelled
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelled_at"] is not None
    status, slots = await api.request("GET", f"{HALL}/slots?service=A&day={day}")
    shown = next(s for s in slots["slots"] if s["start"] == slot["start"])
    assert (shown["booked"], shown["free"]) == (0, 2)  # the place is free again
    before = await state(api)
    status, body = await api.request("POST", f"/api/v1/appointments/{made['id']}/cancel")
    assert (status, body["error"]["code"]) == (409, "appointment_not_cancellable")
    assert await state(api) == before


async def test_a_retry_with_its_idempotency_key_answers_the_same_booking(
    booked: tuple[Api, Database],
) -> None:
    api, _db = booked
    slot = await first_slot(api)
    body = {"service": "A", "start": slot["start"]}
    key = {"Idempotency-Key": "phone-tap-1"}
    status, made = await api.request("POST", HALL + "/appointments", body, headers=key)
    assert status == 201, made
    before = await state(api)
    status, again = await api.request("POST", HALL + "/appointments", body, headers=key)
    assert (status, again) == (201, made)
    assert await state(api) == before  # no second booking, no second event
    other = {"service": "A", "start": (await first_slot(api))["start"], "name": "x"}
    status, body = await api.request("POST", HALL + "/appointments", other, headers=key)
    assert (status, body["error"]["code"]) == (409, "idempotency_key_reused")
    status, body = await api.request("POST", HALL + "/appointments", other,
                                     headers={"Idempotency-Key": "bad key\u00e9"})  # fmt: skip
    assert (status, body["error"]["code"]) == (400, "bad_idempotency_key")
    assert await state(api) == before


async def test_unknown_appointments_are_404(api: Api) -> None:
    for path in ("/api/v1/appointments/nope", "/api/v1/appointments/a%20b"):
        status, body = await api.request("GET", path)
        assert (status, body["error"]["code"]) == (404, "appointment_not_found")
        status, body = await api.request("POST", path + "/cancel")
        assert (status, body["error"]["code"]) == (404, "appointment_not_found")


async def test_name_and_phone_as_the_hall_asks_masked_when_shown(
    booked: tuple[Api, Database],
) -> None:
    api, _db = booked
    await enable(api, {"fields": {"name": "required", "phone": "optional"}})
    slot = await first_slot(api)
    before = await state(api)
    for fields, status, code, field in (
        ({}, 422, "field_required", "name"),
        ({"name": "  "}, 422, "field_required", "name"),
        ({"name": "张" * 41}, 422, "invalid_field", "name"),
        ({"name": "张三", "phone": "12ab"}, 422, "invalid_field", "phone"),
        ({"name": "张三", "phone": 138}, 422, "invalid_field", "phone"),
    ):
        got, body = await book(api, slot["start"], **fields)
        assert (got, body["error"]["code"], body["error"]["field"]) == (status, code, field)
    assert await state(api) == before
    status, made = await book(api, slot["start"], name="张三", phone="13812345678")
    assert status == 201, made
    assert (made["name"], made["phone"]) == ("张*", "138****5678")
    status, read = await api.request("GET", f"/api/v1/appointments/{made['id']}")
    assert (read["name"], read["phone"]) == ("张*", "138****5678")
    day = made["day"]
    staff = await api.login("w1")
    _s, as_staff = await api.request("GET", f"{HALL}/appointments?day={day}", token=staff)
    _s, as_manager = await api.request("GET", f"{HALL}/appointments?day={day}",
                                       token=await manager(api))  # fmt: skip
    assert (as_staff["appointments"][0]["name"], as_staff["appointments"][0]["phone"]) == (
        "张*", "138****5678")  # fmt: skip
    assert (as_manager["appointments"][0]["name"], as_manager["appointments"][0]["phone"]) == (
        "张三", "13812345678")  # fmt: skip
    for listed in (as_staff, as_manager):
        assert "id" not in listed["appointments"][0]  # the holder's secret stays theirs
    assert "13812345678" not in str(await api.hall())


async def test_booking_refusals_and_nothing_changes(booked: tuple[Api, Database]) -> None:
    api, _db = booked
    token = await manager(api)
    await api.request("PUT", HALL + "/services/A/booking",
                      {"enabled": True, "slot_min": 15, "capacity": 1}, token=token)  # fmt: skip
    slot = await first_slot(api)
    status, made = await book(api, slot["start"])
    assert status == 201, made
    start = datetime.fromisoformat(slot["start"])
    before = await state(api)
    cases = [
        ({"start": slot["start"]}, 409, "slot_full"),
        ({"start": (start + timedelta(minutes=5)).isoformat()}, 409, "slot_not_bookable"),
        ({"start": (utcnow() - timedelta(hours=1)).isoformat()}, 409, "slot_not_bookable"),
        ({"start": (start + timedelta(days=9)).isoformat()}, 409, "slot_not_bookable"),
        ({"start": slot["start"], "service": "Z"}, 404, "service_not_found"),
        ({"start": slot["start"], "service": "C"}, 409, "booking_disabled"),
        ({"start": "tomorrow at ten"}, 400, "invalid_start"),
        ({"start": "2026-12-01T10:00:00"}, 400, "invalid_start"),
        ({"start": slot["start"], "name": "张三"}, 422, "invalid_field"),  # not asked for
        ({"start": slot["start"], "email": "a@b"}, 400, "unknown_field"),
        ({}, 400, "missing_field"),
    ]
    for fields, expected, code in cases:
        body = {"service": "A", **fields}
        got, answer = await api.request("POST", HALL + "/appointments", body)
        assert (got, answer["error"]["code"]) == (expected, code), fields
    got, answer = await api.request("POST", "/api/v1/halls/nowhere/appointments", body)
    assert (got, answer["error"]["code"]) == (404, "hall_not_found")
    await api.request("PATCH", HALL + "/booking", {"enabled": False}, token=token)
    got, answer = await book(api, (start + timedelta(minutes=15)).isoformat())
    assert (got, answer["error"]["code"]) == (409, "booking_disabled")
    await api.request("PATCH", HALL + "/booking", {"enabled": True}, token=token)
    seq, booking, listed, tickets = before
    assert await state(api) == ((await api.hall())["seq"], booking, listed, tickets)
    assert (await api.hall())["seq"] == seq  # a policy change emits nothing on the stream


async def test_concurrent_bookings_never_exceed_capacity(booked: tuple[Api, Database]) -> None:
    api, _db = booked
    token = await manager(api)
    await api.request("PUT", HALL + "/services/A/booking",
                      {"enabled": True, "slot_min": 15, "capacity": 3}, token=token)  # fmt: skip
    slot = await first_slot(api)
    answers = await asyncio.gather(*(book(api, slot["start"]) for _ in range(20)))
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] * 3 + [409] * 17
    assert {b["error"]["code"] for s, b in answers if s == 409} == {"slot_full"}
    assert len({b["code"] for s, b in answers if s == 201}) == 3
    day = answers[[s for s, _ in answers].index(201)][1]["day"]
    _s, slots = await api.request("GET", f"{HALL}/slots?service=A&day={day}")
    shown = next(s for s in slots["slots"] if s["start"] == slot["start"])
    assert (shown["booked"], shown["free"]) == (3, 0)


# -- the staff's list, the figures, missed ones ----------------------------------------------


async def test_the_day_list_and_the_figures(booked: tuple[Api, Database]) -> None:
    need_today(timedelta(minutes=30), since=timedelta(hours=1))  # moved 41 minutes back: today
    api, db = booked
    slot = await first_slot(api)
    made = [(await book(api, slot["start"]))[1] for _ in range(2)]
    status, other = await book(api, (await first_slot(api))["start"])
    assert status == 201, other
    gone = made[1]
    await api.request("POST", f"/api/v1/appointments/{gone['id']}/cancel")
    await move(db, made[0]["id"], utcnow() - timedelta(minutes=40))  # its window closed
    await move(db, other["id"], utcnow() - timedelta(minutes=41))
    await move(db, gone["id"], utcnow() - timedelta(minutes=40))
    status, body = await api.request("GET", f"{HALL}/appointments", token=await api.login("w1"))
    assert status == 200, body
    assert body["day"] == today()
    assert [a["status"] for a in body["appointments"]] == ["missed", "missed", "cancelled"]
    assert body["appointments"][0]["code"] == other["code"]  # by slot
    counts = body["counts"]
    assert (counts["booked"], counts["missed"], counts["cancelled"], counts["no_show_rate"]) == (
        3, 2, 1, 1.0)  # fmt: skip
    status, read = await api.request("GET", f"/api/v1/appointments/{made[0]['id']}")
    assert read["status"] == "missed"
    status, body = await api.request("POST", f"/api/v1/appointments/{made[0]['id']}/cancel")
    assert (status, body["error"]["code"]) == (409, "appointment_not_cancellable")
    token = await manager(api)
    for path in ("/stats", "/report"):
        status, figures = await api.request("GET", HALL + path, token=token)
        assert status == 200, figures
        assert figures["appointments"] == counts, path
    status, body = await api.request("GET", f"{HALL}/appointments?service=C", token=token)
    assert body["appointments"] == []
    status, body = await api.request("GET", f"{HALL}/appointments?day=soon", token=token)
    assert (status, body["error"]["code"]) == (400, "invalid_day")
    status, body = await api.request("GET", f"{HALL}/appointments")
    assert status == 401


async def test_the_rollover_marks_past_bookings_missed(booked: tuple[Api, Database]) -> None:
    from callnext.usecases.rollover import expire_stale_tickets

    api, db = booked
    status, made = await book(api, (await first_slot(api))["start"])
    assert status == 201, made
    await move(db, made["id"], utcnow() - timedelta(days=1, hours=1))
    await expire_stale_tickets(db)
    rows = await db.run_read(lambda conn: conn.execute(
        appointments.select().where(appointments.c.id == made["id"])).all())  # fmt: skip
    assert rows[0].status == "missed"
    status, read = await api.request("GET", f"/api/v1/appointments/{made['id']}")
    assert read["status"] == "missed"


async def test_bookings_are_rate_limited(settings: Settings) -> None:
    limits = {"appointments": RateLimit(2, 60.0)}
    async with app_and_db(replace(settings, rate_limits=limits)) as (api, _db):
        await enable(api, capacity=10)
        slot = await first_slot(api)
        assert (await book(api, slot["start"]))[0] == 201
        assert (await book(api, slot["start"]))[0] == 201
        before = await state(api)
        status, body = await book(api, slot["start"])
        assert (status, body["error"]["code"]) == (429, "rate_limited")
        assert await state(api) == before
