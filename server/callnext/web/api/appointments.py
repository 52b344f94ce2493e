"""Appointments (预约) over HTTP: the booking policy (public to read, the manager's to change),
slots, booking and cancelling (the citizen, by the booking's id), the kiosk's check-in by code
(a ticket as a walk-in's, printed after the commit), and the staff's day list."""

from __future__ import annotations

from datetime import date, datetime

from aiohttp import web

from ...domain.clock import local_day, utcnow
from ...domain.errors import Invalid
from ...domain.model import Role
from ...usecases import appointments
from .. import parse
from ..keys import DB, METRICS
from . import real_name
from .auth import MANAGERS, STAFF, check_rate, hall_of_url
from .kiosk_auth import issuing_kiosk
from .printing import print_at_kiosk

APPOINTMENT_ID = parse.TICKET_ID  # the same URL-safe base64
BOOK_FIELDS = frozenset({"service", "start", "name", "phone", "id_number"})


def _day(request: web.Request, name: str = "day") -> str | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise Invalid("invalid_day", f"{name} must be YYYY-MM-DD, not {value[:20]!r}.") from exc


def _start(value: str) -> datetime:
    try:
        start = datetime.fromisoformat(value)
    except ValueError as exc:
        raise Invalid("invalid_start", "start must be an RFC 3339 time, as slots list it.") from exc
    if start.tzinfo is None:
        raise Invalid("invalid_start", "start must carry its offset (RFC 3339).")
    return start


def _appointment_id(request: web.Request) -> str:
    return parse.path_part(request, "id", APPOINTMENT_ID, "appointment")


async def get_booking(request: web.Request) -> web.Response:
    """GET …/booking (public): the hall's policy and each service's booking."""
    hall = await request.app[DB].hall(request.match_info["hall"])
    return web.json_response(await appointments.booking(request.app[DB], hall))


async def patch_booking(request: web.Request) -> web.Response:
    """PATCH …/booking (manager): some of the policy's fields (422 invalid_booking)."""
    hall, account = await hall_of_url(request, MANAGERS)
    body = await parse.json_body(request)
    db = request.app[DB]
    return web.json_response(await appointments.patch_policy(db, hall.code, body, account.username))


async def put_service_booking(request: web.Request) -> web.Response:
    """PUT …/services/{code}/booking (manager): the service's whole booking."""
    hall, account = await hall_of_url(request, MANAGERS)
    body = await parse.json_body(request)
    code = request.match_info["code"]
    answer = await appointments.put_service(request.app[DB], hall.code, code, body,
                                            account.username)  # fmt: skip
    return web.json_response(answer)


async def slots(request: web.Request) -> web.Response:
    """GET …/slots?service=&day= (public): a day's open slots, or the bookable days."""
    hall = await request.app[DB].hall(request.match_info["hall"])
    service = request.query.get("service", "")
    if not service:
        raise Invalid("missing_service", "Ask for slots of one service: ?service=A.")
    day = _day(request)
    return web.json_response(await appointments.slots(request.app[DB], hall, service, day))


async def book(request: web.Request) -> web.Response:
    """POST …/appointments (public, rate-limited) {"service", "start", "name"?, "phone"?};
    an Idempotency-Key makes a retry answer the same booking."""
    hall = await request.app[DB].hall(request.match_info["hall"])
    key = parse.idempotency_key(request)
    check_rate(request, "appointments")
    body = await parse.json_body(request)
    unknown = sorted(set(body) - BOOK_FIELDS)
    if unknown:
        raise Invalid("unknown_field", f"An appointment has no field {unknown[0][:40]!r}.")
    service = parse.string(body, "service", max_len=3)
    start = _start(parse.string(body, "start", max_len=40))
    persons = real_name.persons(request, hall, body)
    made, replayed = await appointments.book(
        request.app[DB], hall.code, service, start, body, key, persons
    )
    headers = {"Location": f"/api/v1/appointments/{made['id']}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return web.json_response(made, status=201, headers=headers)


async def get_appointment(request: web.Request) -> web.Response:
    """GET /api/v1/appointments/{id} (its holder: the id is the secret)."""
    return web.json_response(
        await appointments.appointment(request.app[DB], _appointment_id(request))
    )


async def cancel(request: web.Request) -> web.Response:
    """POST /api/v1/appointments/{id}/cancel → 200 (409 appointment_not_cancellable)."""
    appointment_id = _appointment_id(request)
    hall = await appointments.hall_of_appointment(request.app[DB], appointment_id)
    return web.json_response(await appointments.cancel(request.app[DB], hall.code, appointment_id))


async def checkin(request: web.Request) -> web.Response:
    """POST …/checkin {"code" or "id_number", "kiosk"?} (as ticket issuing) → 201
    {"appointment", "ticket", "kind"}; 200 with "again": true for a booking checked in
    already. A check-in again (not a retry: a new Idempotency-Key, or none) prints its ticket's
    slip again while it waits."""
    hall = await request.app[DB].hall(request.match_info["hall"])
    body = await parse.json_body(request)
    persons = real_name.persons(request, hall, body)
    if persons is None and body.get("code") is None:
        raise Invalid(
            "missing_field", "Give the booking's 'code', or the 'id_number' it was made with."
        )
    code = None if persons is not None else parse.string(body, "code", max_len=32)
    key = parse.idempotency_key(request)
    kiosk = issuing_kiosk(request, hall, body)
    answer, again, retried = await appointments.checkin(
        request.app[DB], hall.code, code, key, persons
    )
    ticket = answer["ticket"]
    if not again:
        request.app[METRICS].inc(
            "callnext_tickets_issued_total", hall=hall.code, service=ticket["service"]
        )
    if kiosk is not None and ticket is not None:
        reprint = again and not retried and ticket["status"] == "waiting"
        printed = await print_at_kiosk(request, hall, kiosk, ticket, again and not reprint)
        answer = {**answer, "ticket": {**ticket, "print": printed}}
    return web.json_response(answer, status=200 if again else 201)


async def day_list(request: web.Request) -> web.Response:
    """GET …/appointments?day=&service= (staff of the hall): a day's bookings and figures;
    names and phones masked but for the manager."""
    hall, account = await hall_of_url(request, STAFF)
    day = _day(request) or local_day(utcnow(), hall.timezone)
    service = request.query.get("service") or None
    full = account.role in (Role.MANAGER, Role.ADMIN)
    return web.json_response(await appointments.day_list(request.app[DB], hall, day, service, full))
