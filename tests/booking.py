"""Test helpers for appointments: a hall that takes bookings, its slots, a booking made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .helpers import Api

SOON = timedelta(minutes=2)  # longer than a test that opens a page and picks a slot takes
ALL_DAY = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def enable_booking(
    api: Api, services: tuple[str, ...] = ("A",), capacity: int = 2, **policy: Any
) -> None:
    """The demo hall takes bookings for `services` only (whatever the demo's own), 15-minute
    slots all day, 3 days ahead."""
    token = await api.login("manager")
    body = {"enabled": True, **policy}
    status, answer = await api.request("PATCH", "/api/v1/halls/demo/booking", body, token=token)
    assert status == 200, answer
    for code in [s["service"] for s in answer["services"]]:
        booking = {"enabled": code in services, "slot_min": 15, "capacity": capacity,
                   "days_ahead": 3, "hours": ALL_DAY}  # fmt: skip
        path = f"/api/v1/halls/demo/services/{code}/booking"
        status, answer = await api.request("PUT", path, booking, token=token)
        assert status == 200, answer


async def slots(
    api: Api,
    day: str | None = None,
    service: str = "A",
    later_than: timedelta = timedelta(0),
    at_least: int = 1,
) -> list[dict[str, Any]]:
    """The open slots of `day` (default: the first bookable day that has `at_least` of them:
    near the hall's midnight today has fewer left), as the server lists them, leaving out those
    that begin within `later_than` from now. A test that opens a page and then picks a slot by
    its time passes SOON: a slot that begins meanwhile is gone from the page (CI met one listed
    at 07:44:59 and gone at 07:45)."""
    base = f"/api/v1/halls/demo/slots?service={service}"
    if day is not None:
        days = [day]
    else:
        status, body = await api.request("GET", base)
        assert status == 200, body
        days = [bookable["day"] for bookable in body["days"]]
    later = datetime.now(UTC) + later_than
    for bookable in days:
        listed = await _day_slots(api, base, bookable)
        listed = [s for s in listed if datetime.fromisoformat(s["start"]) > later]
        if len(listed) >= at_least:
            return listed
    return []


async def _day_slots(api: Api, base: str, day: str) -> list[dict[str, Any]]:
    status, body = await api.request("GET", f"{base}&day={day}")
    assert status == 200, body
    return body["slots"]  # type: ignore[no-any-return]


async def book(api: Api, start: str, service: str = "A", **fields: str) -> dict[str, Any]:
    body = {"service": service, "start": start, **fields}
    status, answer = await api.request("POST", "/api/v1/halls/demo/appointments", body)
    assert status == 201, answer
    return answer  # type: ignore[no-any-return]
