"""The OpenAPI document's part for appointments (预约, docs/appointments.md): operations and
schemas, with the limits taken from domain/appointment.py."""

from __future__ import annotations

from ...domain import appointment as ap
from ...domain.appointment import CheckinKind, FieldRule, Order, OutsideWindow, Status
from ...domain.model import Json
from .operations import AS_KIOSK, HALL, IDEM, MANAGERS, P_CODE, P_HALL, STAFF, operation
from .operations import param as p
from .primitives import COUNT, DATE, ID_NUMBER, RATE, TIME, enum, null_or, obj, ref, shut, text

WEEKLY: Json = {
    "type": ["object", "null"],
    "description": 'A weekly schedule like {"mon": ["09:00-12:00"]}; null: the service\'s '
    "own hours (the hall's holidays always apply).",
}  # fmt: skip


def _limited(low: int, high: int) -> Json:
    return {"type": "integer", "minimum": low, "maximum": high}


FIELDS = obj(("name", "phone"), name=enum(FieldRule), phone=enum(FieldRule))
POLICY_PROPS: Json = {
    "enabled": {"type": "boolean"},
    **{name: _limited(*limits) for name, limits in ap.CHECKIN_LIMITS.items()},
    "order": enum(Order),
    "outside_window": enum(OutsideWindow),
    "fields": FIELDS,
}
SERVICE_PROPS: Json = {
    "enabled": {"type": "boolean"},
    **{name: _limited(*limits) for name, limits in ap.SERVICE_LIMITS.items()},
    "hours": WEEKLY,
}
SLOT_TIMES: Json = {"start": TIME, "end": TIME}
TIMES_PROPS: Json = {
    "service": {"type": "string"}, "day": DATE, **SLOT_TIMES, "status": enum(Status),
    "checkin_opens": TIME, "checkin_closes": TIME, "checkin_kind": null_or(enum(CheckinKind)),
    "checked_in_at": null_or(TIME), "cancelled_at": null_or(TIME),
}  # fmt: skip
PERSONAL: Json = {
    "name": {"type": "string", "description": "Given only if the booking holds one; masked."},
    "phone": {"type": "string", "description": "Given only if the booking holds one; masked."},
}
CODE: Json = {"type": "string", "pattern": f"^[{ap.CODE_ALPHABET}]{{{ap.CODE_LEN}}}$"}
LINK = null_or(obj(("id", "number", "url"), id={"type": "string"}, number={"type": "string"},
                   url={"type": "string"}))  # fmt: skip
APPOINTMENT_PROPS: Json = {
    "id": {"type": "string", "description": "The holder's secret (its URLs)."},
    "code": CODE, "hall": {"type": "string"}, **TIMES_PROPS, "url": {"type": "string"},
    "qr": {"type": "string"}, "created_at": TIME, "ticket": LINK,
}  # fmt: skip
LISTED_PROPS: Json = {"code": CODE, **TIMES_PROPS, "ticket": {"type": ["string", "null"]}}
FIGURE_NAMES = ("booked", "checked_in", "on_time", "early", "late", "cancelled", "missed",
                "pending")  # fmt: skip
FIGURES = obj(
    [*FIGURE_NAMES, "no_show_rate", "punctuality", "mean_delay_s", "punctual_within_s"],
    **dict.fromkeys(FIGURE_NAMES, COUNT), no_show_rate=RATE, punctuality=RATE,
    mean_delay_s={"type": ["number", "null"], "minimum": 0}, punctual_within_s=COUNT,
)  # fmt: skip


def components() -> Json:
    return {
        "Booking": obj([*POLICY_PROPS, "services"], **POLICY_PROPS, services={
            "type": "array", "items": ref("ServiceBooking")}),
        "ServiceBooking": obj(["service", *SERVICE_PROPS], service={"type": "string"},
                              **SERVICE_PROPS),
        "BookingPatch": shut((), **{**POLICY_PROPS, "fields": shut((), name=enum(FieldRule),
                                                                  phone=enum(FieldRule))}),
        "ServiceBookingBody": shut((), **SERVICE_PROPS),
        "Slots": obj(("service", "day", "slots"), service={"type": "string"}, day=DATE,
                     slots={"type": "array", "items": obj(
                         ("start", "end", "capacity", "booked", "free"), **SLOT_TIMES,
                         capacity=COUNT, booked=COUNT, free=COUNT)}),
        "BookableDays": obj(("service", "days"), service={"type": "string"},
                            days={"type": "array", "items": obj(("day", "free"), day=DATE,
                                                                free=COUNT)}),
        "AppointmentBody": shut(("service", "start"), service=text(3),
                                start={**TIME, "description": "A slot's start, as listed."},
                                name={"type": ["string", "null"]},
                                phone={"type": ["string", "null"]},
                                id_number={**ID_NUMBER, "description": "Needed to book a "
                                           "real-name service (422 field_required); lets the "
                                           "kiosk check in by ID. " + ID_NUMBER["description"]}),
        "Appointment": obj(list(APPOINTMENT_PROPS), **APPOINTMENT_PROPS, **PERSONAL),
        "ListedAppointment": obj(list(LISTED_PROPS), **LISTED_PROPS, **PERSONAL),
        "AppointmentDay": obj(("day", "service", "counts", "appointments"), day=DATE,
                              service={"type": ["string", "null"]},
                              counts=ref("AppointmentFigures"), appointments={
                                  "type": "array", "items": ref("ListedAppointment")}),
        "AppointmentFigures": FIGURES,
        "CheckinBody": shut((), code=text(32, description="The booking's code; case and "
                            "spaces or dashes do not matter. Give it or `id_number` (400 "
                            "missing_field)."), kiosk=text(32),
                            id_number={**ID_NUMBER, "description": "Check in by the ID number "
                                       "the booking was made with: the person's first booking "
                                       "of today not yet checked in. " +
                                       ID_NUMBER["description"]}),
        "Checkin": obj(("appointment", "ticket", "kind", "again"),
                       appointment=ref("Appointment"), ticket=ref("IssuedTicket"),
                       kind=enum(CheckinKind), again={"type": "boolean"}),
    }  # fmt: skip


def paths() -> Json:
    """The appointments' operations (built with operations.py's blocks)."""
    p_id = p("id", "path", {"type": "string"}, "The appointment's id (unknown: 404).")
    service = p("service", "query", {"type": "string"}, "The service (404 service_not_found).")
    day = p("day", "query", DATE, "The hall's local day (400 invalid_day).")
    booking = ref("Booking")
    made = {"description": "The booking (name and phone masked).",
            "content": {"application/json": {"schema": ref("Appointment")}}}  # fmt: skip
    slots = {"description": "A day's open slots, or without `day` the bookable days.",
             "content": {"application/json": {"schema": {
                 "oneOf": [ref("Slots"), ref("BookableDays")]}}}}  # fmt: skip
    again = {200: {"description": "Checked in already (again: true): the same ticket.",
                   "content": {"application/json": {"schema": ref("Checkin")}}}}  # fmt: skip
    return {
        HALL + "/booking": {
            "get": operation("The booking policy and each service's booking (public)", booking,
                             params=(P_HALL,), errors=(404,)),
            "patch": operation("Change some of the booking policy (audited)", booking,
                               roles=MANAGERS, params=(P_HALL,), body=ref("BookingPatch"),
                               errors=(404, 422)),
        },
        HALL + "/services/{code}/booking": {"put": operation(
            "A service's whole booking: slots, capacity, days ahead, hours (audited)",
            ref("ServiceBooking"), roles=MANAGERS, params=(P_HALL, P_CODE),
            body=ref("ServiceBookingBody"), errors=(404, 422))},
        HALL + "/slots": {"get": operation(
            "Open slots of a service and day, or its bookable days (public)", slots,
            params=(P_HALL, {**service, "required": True}, day), errors=(400, 404, 409))},
        HALL + "/appointments": {
            "post": operation("Book a slot (the citizen; rate-limited)", made,
                              params=(P_HALL, {**IDEM, "description": "A retry with the same "
                                               "key answers the same booking."}),
                              body=ref("AppointmentBody"), errors=(404, 409, 422, 429),
                              status=201),
            "get": operation("A day's bookings and figures (names and phones in full for "
                             "managers only)", ref("AppointmentDay"), roles=STAFF,
                             params=(P_HALL, day, {**service, "description": "Only this "
                                                   "service."}), errors=(400, 404)),
        },
        HALL + "/checkin": {"post": {**operation(
            "Check in by code at the kiosk: a ticket as a walk-in's, queued by the slot when "
            "on time", ref("Checkin"), params=(P_HALL,), body=ref("CheckinBody"),
            errors=(401, 404, 409, 429), status=201, more=again), **AS_KIOSK}},
        "/api/v1/appointments/{id}": {"get": operation(
            "A booking by its id (its holder)", ref("Appointment"), params=(p_id,),
            errors=(404,))},
        "/api/v1/appointments/{id}/cancel": {"post": operation(
            "Cancel a booking (its place is free again)", ref("Appointment"), params=(p_id,),
            errors=(404, 409))},
    }  # fmt: skip
