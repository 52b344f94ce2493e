"""Real-name tickets (实名取号) over the API, on SQLite and PostgreSQL (a real server): a service
switched to real-name asks for an ID number, checks it, keeps only its keyed digest, limits the
tickets one person takes a day (cancelled ones aside; a retry is no second ticket; ten kiosks at
once give one), recognises the person across a key rotation, books and checks in by ID; no
response, stream frame, export or database file ever holds the number."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import os
import secrets
import stat
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from callnext.domain.clock import utcnow
from callnext.domain.identity import check_character, parse_person_keys
from callnext.runtime.config import Settings
from callnext.runtime.person_keys import key_file
from callnext.store.database import Database
from callnext.store.schema import appointments, tickets

from ..hall_day import need_today
from ..helpers import Api, running_app
from .test_api_appointments import enable, first_slot, manager, move

HALL = "/api/v1/halls/demo"


def id_number(serial: int, born: str = "19800101") -> str:
    """A valid resident ID number (its check character computed), from Hangzhou (330106)."""
    first17 = f"330106{born}{serial:03d}"
    return first17 + check_character(first17)


ALICE, BOB = id_number(12), id_number(57, "19921130")


def new_keys(*names: str) -> str:
    return ",".join(f"{n}:{base64.b64encode(secrets.token_bytes(32)).decode()}" for n in names)


@pytest.fixture
def keyed(settings: Settings) -> Settings:
    """The demo hall's server with a key of its own (as a deployment on PostgreSQL has)."""
    return dataclasses.replace(settings, person_keys=parse_person_keys(new_keys("k1")))


async def real_name(api: Api, code: str = "B", limit: int | None = 1) -> None:
    body = {"services": {code: {"real_name": True, "person_daily_limit": limit}}}
    status, answer = await api.request("PATCH", HALL + "/settings", body,
                                       token=await manager(api))  # fmt: skip
    assert status == 200, answer


async def take(
    api: Api, number: str | None, service: str = "B", key: str | None = None
) -> tuple[int, Any]:
    body: dict[str, Any] = {"service": service}
    if number is not None:
        body["id_number"] = number
    headers = {"Idempotency-Key": key} if key else None
    return await api.request("POST", HALL + "/tickets", body, headers=headers)


async def persons(db: Database, table: Any = tickets) -> list[str | None]:
    return await db.run_read(
        lambda conn: [r[0] for r in conn.execute(select(table.c.person).order_by(table.c.pk))]
    )


@pytest.fixture
async def served(keyed: Settings) -> AsyncIterator[tuple[Api, Database]]:
    async with running_app(keyed) as api:
        db = Database(keyed.db_url)
        try:
            await real_name(api)
            yield api, db
        finally:
            await db.close()


async def test_a_real_name_service_asks_for_a_checked_id_number_and_refusals_change_nothing(
    served: tuple[Api, Database],
) -> None:
    api, db = served
    settings = await api.request("GET", HALL + "/settings", token=await manager(api))
    b = next(s for s in settings[1]["services"] if s["code"] == "B")
    assert (b["real_name"], b["person_daily_limit"]) == (True, 1)
    shown = {s["code"]: s["real_name"] for s in (await api.hall())["services"]}
    assert shown["B"] is True
    assert shown["A"] is False
    wrong_check = ALICE[:17] + ("0" if ALICE[17] != "0" else "1")
    refusals = [
        (None, 400, "id_number_required", None),
        ("3301", 400, "bad_id_number", "shape"),
        (ALICE[:17] + "Y", 400, "bad_id_number", "shape"),
        (id_number(1, "19801332")[:17] + "0", 400, "bad_id_number", "birth_date"),
        (wrong_check, 400, "bad_id_number", "check_character"),
    ]
    for typed, status, code, reason in refusals:
        got, answer = await take(api, typed)
        body = answer["error"]
        assert (got, body["code"]) == (status, code), (typed, body)
        assert body.get("reason") == reason
        assert typed is None or len(typed) < 14 or typed[6:14] not in body["message"]
    assert await persons(db) == []  # nothing issued
    status, answer = await api.request("PATCH", HALL + "/settings", {
        "services": {"B": {"person_daily_limit": 0}}}, token=await manager(api))  # fmt: skip
    assert (status, answer["error"]["code"]) == (400, "bad_person_limit")


async def test_one_ticket_a_day_per_person_cancelled_ones_aside_and_a_retry_is_the_same(
    served: tuple[Api, Database],
) -> None:
    api, db = served
    status, first = await take(api, " ".join([ALICE[:6], ALICE[6:14], ALICE[14:]]), key="k-1")
    assert status == 201, first
    again = await take(api, ALICE, key="k-1")  # the kiosk's retry: the same ticket, no 409
    assert again[0] == 201
    assert again[1]["id"] == first["id"]
    status, refused = await take(api, ALICE.lower())
    assert (status, refused["error"]["code"], refused["error"]["limit"]) == (
        409,
        "person_limit_reached",
        1,
    )
    assert ALICE not in json.dumps(refused)
    assert (await take(api, BOB))[0] == 201  # another person
    assert (await take(api, ALICE, service="A"))[0] == 201  # another service: not real-name
    stored = await persons(db)
    assert stored[0] is not None
    assert stored[0].startswith("k1:")
    assert len(stored[0]) == 67
    assert stored[1] != stored[0]
    assert stored[2] is None
    status, _ = await api.request("POST", f"/api/v1/tickets/{first['id']}/cancel")
    assert status == 200
    status, retaken = await take(api, ALICE)  # a cancelled ticket does not count
    assert status == 201, retaken
    assert (await take(api, ALICE))[0] == 409


async def test_the_limit_holds_under_ten_kiosks_at_once_and_a_wider_limit_counts(
    served: tuple[Api, Database],
) -> None:
    api, db = served
    answers = await asyncio.gather(*(take(api, ALICE) for _ in range(10)))
    assert sorted(status for status, _ in answers) == [201] + [409] * 9
    await real_name(api, limit=3)
    assert [(await take(api, ALICE))[0] for _ in range(3)] == [201, 201, 409]
    await real_name(api, limit=None)
    assert [(await take(api, ALICE))[0] for _ in range(4)] == [201] * 4
    assert len(await persons(db)) == 7


async def test_no_response_frame_export_or_database_file_holds_the_number(
    served: tuple[Api, Database], keyed: Settings
) -> None:
    api, db = served
    status, ticket = await take(api, ALICE)
    assert status == 201
    token = await manager(api)
    seen = [json.dumps(ticket)]
    for path in (f"/api/v1/tickets/{ticket['id']}", HALL, HALL + "/tickets", HALL + "/stats",
                 HALL + "/export?format=csv"):  # fmt: skip
        status, body = await api.request("GET", path, token=token)
        assert status == 200, (path, body)
        seen.append(json.dumps(body, ensure_ascii=False))
    digest = (await persons(db))[0]
    assert digest is not None
    for text in seen:
        assert ALICE not in text
        assert ALICE[6:14] not in text
        assert digest[3:] not in text
    if keyed.db_url.startswith("sqlite"):
        path = Path(keyed.db_url.removeprefix("sqlite:///"))
        kept = b"".join(  # the database, its WAL, the key file: every byte the hall keeps
            p.read_bytes() for p in path.parent.glob(path.name + "*")
        )
        assert ALICE.encode() not in kept
        assert ALICE[6:14].encode() not in kept
        assert digest.encode() in kept


async def test_a_rotated_key_still_knows_yesterdays_digests(settings: Settings) -> None:
    old = new_keys("k1")
    first = dataclasses.replace(settings, person_keys=parse_person_keys(old))
    async with running_app(first) as api:
        await real_name(api)
        assert (await take(api, ALICE))[0] == 201
    rotated = dataclasses.replace(
        settings, person_keys=parse_person_keys(new_keys("k2") + "," + old)
    )
    async with running_app(rotated) as api:
        status, refused = await take(api, ALICE)  # known under k1: the limit holds
        assert (status, refused["error"]["code"]) == (409, "person_limit_reached")
        assert (await take(api, BOB))[0] == 201
        db = Database(settings.db_url)
        try:
            assert [p[:3] if p else p for p in await persons(db)] == ["k1:", "k2:"]
        finally:
            await db.close()
    dropped = dataclasses.replace(settings, person_keys=parse_person_keys(new_keys("k3")))
    async with running_app(dropped) as api:  # k1 dropped: ALICE is someone new
        assert (await take(api, ALICE))[0] == 201


async def test_without_keys_sqlite_makes_its_own_file_and_postgresql_refuses(
    settings: Settings,
) -> None:
    async with running_app(settings) as api:
        await real_name(api)
        status, body = await take(api, ALICE)
        path = key_file(settings.db_url)
        if path is None:  # PostgreSQL: no key, no digest another process could not share
            assert (status, body["error"]["code"]) == (503, "real_name_unavailable")
            return
        assert status == 201, body
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert parse_person_keys(path.read_text().strip())[0].id == "k1"
    kept = path.read_text()
    async with running_app(settings) as api:  # started again: the same key, the same person
        assert (await take(api, ALICE))[0] == 409
    assert path.read_text() == kept


async def test_booking_by_id_number_and_checking_in_by_it(served: tuple[Api, Database]) -> None:
    """A real-name service is booked with an ID number, once a day per person, and the kiosk
    checks the booking in by that number: the ticket keeps the booking's digest."""
    api, db = served
    await enable(api, capacity=10)
    await real_name(api, code="A")
    slot = await first_slot(api)
    body = {"service": "A", "start": slot["start"]}
    status, refused = await api.request("POST", HALL + "/appointments", body)
    assert (status, refused["error"]["code"], refused["error"]["field"]) == (
        422,
        "field_required",
        "id_number",
    )
    status, made = await api.request("POST", HALL + "/appointments", {**body, "id_number": ALICE})
    assert status == 201, made
    assert ALICE not in json.dumps(made)
    status, twice = await api.request("POST", HALL + "/appointments", {**body, "id_number": ALICE})
    assert (status, twice["error"]["code"]) == (409, "person_limit_reached")
    assert (await persons(db, appointments))[0] is not None
    need_today(timedelta(hours=1))
    await move(db, made["id"], utcnow() + timedelta(minutes=5))  # its slot: in 5 minutes
    status, none = await api.request("POST", HALL + "/checkin", {"id_number": BOB})
    assert (status, none["error"]["code"]) == (404, "appointment_not_found")
    status, missing = await api.request("POST", HALL + "/checkin", {})
    assert (status, missing["error"]["code"]) == (400, "missing_field")
    status, checked = await api.request("POST", HALL + "/checkin", {"id_number": ALICE})
    assert status == 201, checked
    assert checked["appointment"]["code"] == made["code"]
    status, again = await api.request("POST", HALL + "/checkin", {"id_number": ALICE})
    assert (status, again["again"]) == (200, True)
    assert again["ticket"]["number"] == checked["ticket"]["number"]
    stored = await persons(db)
    assert stored == [(await persons(db, appointments))[0]]  # the ticket keeps the booking's
