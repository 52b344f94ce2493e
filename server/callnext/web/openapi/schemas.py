"""The OpenAPI document's schema components: every body the HTTP API reads or answers.

Limits and patterns come from the validators' own constants, so the document cannot drift from
them. Request bodies the server checks field by field refuse unknown fields
(`additionalProperties: false`), as the server does; answers are open: callnext may add fields.
"""

from __future__ import annotations

from ...domain import availability, hall_layout
from ...domain.model import CallOrder, Finish, Json, Outcome, PrintMode, Role, Status, WindowStatus
from ...live.protocol import ANNOUNCE_FILE
from ...usecases.staff_accounts import USERNAME
from ..parse import KEY_RE, TICKET_ID
from . import trips as trips_schemas
from .primitives import (
    CLOCK,
    COUNT,
    DATE,
    ID_NUMBER,
    NULL_TEXT,
    RATE,
    SECONDS,
    TIME,
    enum,
    null_or,
    obj,
    ref,
    text,
    whole,
)
from .settings_schemas import (
    GUIDE,
    GUIDE_PATCH,
    GUIDES,
    HOURS,
    KIOSK,
    KIOSK_PUT,
    QUOTA,
    SERVICE_PATCH,
    SERVICE_PUT,
    SERVICE_SETTINGS,
    SETTINGS,
    SETTINGS_PATCH,
    USER,
    USER_PUT,
    WINDOW_PUT,
)

TICKET_PROPS: Json = {
    "id": {"type": "string", "pattern": whole(TICKET_ID), "description": "Opaque, unguessable."},
    "hall": {"type": "string"},
    "number": {"type": "string", "pattern": r"^[A-Z]{1,3}[0-9]{3,}$", "examples": ["A001"]},
    "service": {"type": "string"},
    "priority": {"type": "boolean"},
    "status": enum(Status),
    "outcome": null_or(enum(Outcome)),
    "window": {"type": ["integer", "null"]},
    "issued_at": TIME,
    "called_at": null_or(TIME),
    "finished_at": null_or(TIME),
    "completed_at": null_or(TIME),
    "recalls": COUNT,
    "last_called_at": null_or(TIME),
    "transfers": COUNT,
    "day": DATE,
    "closed_reason": {"type": ["string", "null"], "enum": ["expired", None]},
    "ahead": {**COUNT, "description": "Present while the ticket waits."},
    "est_wait_s": {**null_or(COUNT), "description": "Present while the ticket waits; null while "
                   "no staffed window serves its service (no estimate)."},
    "past_closing": {"type": "boolean", "description": "Present while the ticket waits: the "
                     "estimate runs past the end of the service's hours today (may not be "
                     "served today); false without hours or an estimate."},
    "booked": {"type": "boolean", "const": True,
               "description": "Present on a ticket of an appointment (docs/appointments.md)."},
    "slot": {**TIME, "description": "With `booked`: the start of the booked slot."},
}  # fmt: skip
TICKET_REQUIRED = [
    k for k in TICKET_PROPS if k not in ("ahead", "est_wait_s", "past_closing", "booked", "slot")
]
WINDOW_PROPS: Json = {
    "number": {"type": "integer", "minimum": 1},
    "name": {"type": "string"},
    "services": {"type": "array", "items": {"type": "string"}},
    "status": enum(WindowStatus),
    "pause_reason": {"type": ["string", "null"]},
    "staff": {
        "type": ["string", "null"],
        "description": "The username holding the window (while that session lives).",
    },
    "staff_since": null_or(TIME),
    "staff_name": {
        "type": ["string", "null"],
        "description": "The holder's display name (the window screen shows it); null: none set.",
    },
    "staff_no": {"type": ["string", "null"], "description": "The holder's staff number (工号)."},
    "staffed": {"type": "boolean", "description": "Somebody works there now (docs/staff.md)."},
    "current": null_or(ref("Ticket")),
}
SHOWN = null_or(ref("ShownTicket"))  # the hall snapshot's: an id for the hall's staff only
WINDOW_DAY = obj(
    ("called", "served", "completed", "pending", "no_show", "service_s_avg", "wait_s_avg"),
    called=COUNT, served=COUNT, completed=COUNT, pending=COUNT, no_show=COUNT,
    service_s_avg=SECONDS, wait_s_avg=SECONDS,
)  # fmt: skip
SUMMARY = obj(("avg", "p50", "p90", "max"), avg=SECONDS, p50=SECONDS, p90=SECONDS, max=SECONDS)
ESTIMATE = obj(
    ("n", "mae_s", "bias_s", "mae_ratio"),
    n=COUNT, mae_s=SECONDS, bias_s=SECONDS, mae_ratio={"type": ["number", "null"]},
)  # fmt: skip
COUNT_NAMES = ("issued", "called", "served", "no_show", "cancelled", "waiting",
               "completed_same_day")  # fmt: skip
FIGURES_PROPS: Json = {
    **dict.fromkeys(COUNT_NAMES, COUNT),
    "same_day_completion_rate": RATE,
    "inconsistent": {
        **COUNT,
        "description": "Tickets with a time that runs backwards (called before issued, or "
        "finished before called): counted, but left out of every duration.",
    },
    "wait_s": ref("Summary"),
    "service_s": ref("Summary"),
    "estimate": ref("Estimate"),
    "satisfaction": ref("Satisfaction"),  # ratings (openapi_ratings.py)
}
SERVICE_LEVEL = obj(("called", "within_target", "rate"), called=COUNT, within_target=COUNT,
                    rate=RATE)  # fmt: skip
PROMISE_NAMES = ("pending", "completed_in_time", "completed_late", "overdue_open", "open_in_time")
STATS_PROPS: Json = {
    "date": DATE,
    **FIGURES_PROPS,
    "per_service": {"type": "object", "additionalProperties": ref("Figures")},
    "per_window": {"type": "object", "additionalProperties": ref("Figures")},
    "per_staff": {"type": "object", "additionalProperties": ref("StaffFigures")},
    "appointments": ref("AppointmentFigures"),  # appointments (openapi_appointments.py)
    "followups": ref("FollowupFigures"),  # 差评回访 (openapi/followups.py)
    "trips": ref("Trips"),  # 一次办结率 (openapi/trips.py)
}
REPORT = obj(
    [*STATS_PROPS, "now", "expired", "service_level", "promise_met", "hourly", "wait_histogram",
     "per_window_throughput", "longest_waiting"],
    **{**STATS_PROPS,
       "per_service": {"type": "object", "additionalProperties": ref("ReportFigures")}},
    now=TIME, expired=COUNT, service_level=ref("ServiceLevel"),
    promise_met=obj(["promise_s", *PROMISE_NAMES, "rate"], promise_s=COUNT,
                    **dict.fromkeys(PROMISE_NAMES, COUNT), rate=RATE),
    hourly={"type": "array", "minItems": 24, "maxItems": 24, "items": obj(
        ("hour", "arrivals", "calls", "served"),
        hour={"type": "integer", "minimum": 0, "maximum": 23},
        arrivals=COUNT, calls=COUNT, served=COUNT)},
    wait_histogram={"type": "array", "items": obj(
        ("from_min", "to_min", "count"), from_min=COUNT, to_min={"type": ["integer", "null"]},
        count=COUNT)},
    per_window_throughput={"type": "object", "additionalProperties": obj(
        ("served", "service_s_avg", "first_call_at", "last_finish_at"), served=COUNT,
        service_s_avg=SECONDS, first_call_at=null_or(TIME), last_finish_at=null_or(TIME))},
    longest_waiting=null_or(obj(("number", "service", "issued_at", "waited_s"),
                                number={"type": "string"}, service={"type": "string"},
                                issued_at=TIME, waited_s=COUNT)),
)  # fmt: skip
TREND_DAY = obj(
    ["date", *COUNT_NAMES, "same_day_completion_rate", "wait_s_avg", "wait_s_p90",
     "service_s_avg", *trips_schemas.TREND_DAY_PROPS],
    date=DATE, **dict.fromkeys(COUNT_NAMES, COUNT), same_day_completion_rate=RATE,
    wait_s_avg=SECONDS, wait_s_p90=SECONDS, service_s_avg=SECONDS,
    **trips_schemas.TREND_DAY_PROPS,
)  # fmt: skip

SERVICE_STATE = obj(
    ("code", "name", "name_en", "priority_allowed", "daily_quota", "real_name", "waiting",
     "est_wait_s", "open", "closed_reason", "opens_at", "closes_at", "remaining",
     "next_open_at", "past_closing"),
    code={"type": "string"}, name={"type": "string"}, name_en={"type": "string"},
    priority_allowed={"type": "boolean"}, daily_quota=QUOTA,
    real_name={"type": "boolean", "description": "A ticket needs the holder's ID number: the "
               "kiosk asks for it first."},
    waiting=COUNT,
    est_wait_s={**null_or(COUNT), "description": "null: no staffed window serves it now."},
    open={"type": "boolean"},
    closed_reason=null_or(enum(availability.Closed)), opens_at=null_or(CLOCK),
    closes_at=null_or(CLOCK), remaining={"type": ["integer", "null"], "minimum": 0},
    next_open_at={**null_or(TIME), "description": "While closed: when tickets are next issued "
                  "(later today or a later day); null while open, switched off, or nothing "
                  "opens within 14 days."},
    past_closing={"type": "boolean", "description": "Open, and a ticket taken now is "
                  "estimated to wait past the end of the service's hours today."},
)  # fmt: skip
HALL = obj(
    ("hall", "name", "name_en", "timezone", "seq", "notice", "notice_en", "services", "windows",
     "recent"),
    hall={"type": "string"}, name={"type": "string"}, name_en={"type": "string"},
    timezone={"type": "string"}, seq=COUNT, notice={"type": "string"},
    notice_en={"type": "string", "description": "Empty: English screens show `notice`."},
    services={"type": "array", "items": ref("ServiceState")},
    windows={"type": "array", "items": ref("HallWindow")},
    recent={"type": "array", "maxItems": 10, "items": obj(
        ("number", "window", "at"), number={"type": "string"}, window={"type": "integer"},
        at=TIME)},
)  # fmt: skip
PENDING_MATTER = obj(
    [*TICKET_REQUIRED, "accepted_at", "due_at", "left_s"],
    **TICKET_PROPS, accepted_at=TIME, due_at=TIME,
    left_s={"type": "integer", "description": "Negative once overdue."},
)  # fmt: skip
QUEUE_ITEM = obj(
    ("number", "service", "priority", "issued_at", "waited_s", "target_wait_s", "transfers"),
    number={"type": "string"}, service={"type": "string"}, priority={"type": "boolean"},
    issued_at=TIME, waited_s=COUNT, target_wait_s={"type": ["integer", "null"]},
    transfers=COUNT, booked={"type": "boolean"}, slot=null_or(TIME),
)  # fmt: skip

DESK = obj(
    ("now", "window", "desk", "queue", "today", "pending", "promise_s"),
    now=TIME, window=ref("Window"), desk={"type": ["string", "null"]},
    queue=obj(("waiting", "tickets", "call_order"), waiting=COUNT,
              tickets={"type": "array", "maxItems": 30, "items": ref("QueueItem")},
              call_order={**enum(CallOrder), "description": "The window's work profile: the "
                          "order of `tickets` (docs/staff.md)."}),
    today=ref("WindowDay"), pending={"type": "array", "items": ref("PendingMatter")},
    promise_s=COUNT,
)  # fmt: skip
AUDIT = obj(("date", "entries"), date=DATE, entries={"type": "array", "items": obj(
    ("at", "actor", "action", "window", "ticket", "detail"), at=TIME,
    actor={"type": ["string", "null"]}, action={"type": "string"},
    window={"type": ["integer", "null"]}, ticket={"type": ["string", "null"]},
    detail={"type": ["object", "null"], "description": "What was asked."})})  # fmt: skip
TREND = obj(("hall", "from", "to", "days", "trips"), hall={"type": "string"}, to=DATE,
            days={"type": "array", "items": ref("TrendDay")}, **{"from": DATE},
            trips=ref("Trips"))  # fmt: skip
SESSION = obj(
    ("token", "role", "hall", "username", "window", "expires_at"), token={"type": "string"},
    role=enum(Role), hall={"type": ["string", "null"]}, username={"type": "string"},
    window={"type": ["integer", "null"]}, expires_at=TIME,
)  # fmt: skip
ME = obj(
    ("username", "role", "hall", "window", "desk"), username={"type": "string"}, role=enum(Role),
    hall={"type": ["string", "null"]}, window={"type": ["integer", "null"]},
    desk=null_or(obj(("window", "desk", "holds"), window={"type": "integer"},
                     desk={"type": "string"}, holds={"type": "boolean"})),
)  # fmt: skip
ISSUE = obj(
    ("service",), service=text(3), priority={"type": ["boolean", "null"], "default": False},
    id_number={**ID_NUMBER, "description": "Needed by a real-name service (400 "
               "id_number_required; 409 person_limit_reached past its daily limit per person; "
               "503 real_name_unavailable where the server has no person keys), ignored by "
               "others. " + ID_NUMBER["description"]},
    kiosk={**text(32), "type": ["string", "null"],
           "description": "A registered kiosk's code (404 kiosk_not_found); with its key "
                          "(X-Kiosk-Key) once it has one."},
)  # fmt: skip
HALLS = obj(("halls",), halls={"type": "array", "items": obj(
    ("hall", "name", "name_en"), hall={"type": "string"}, name={"type": "string"},
    name_en={"type": "string"})})  # fmt: skip


def components() -> Json:
    """Every named schema of the document."""
    error = obj(
        ("code", "message"), code={"type": "string", "pattern": r"^[a-z0-9_]+$"},
        message={"type": "string"},
        staff={"type": ["string", "null"], "description": "window_in_use, window_taken: who."},
        since={**TIME, "description": "window_in_use: since when."},
        field={"type": "string", "description": "The field refused: 422 (appointments); "
               "400 bad_guide (materials, materials_en, notes or notes_en)."},
        opens_at={**TIME, "description": "checkin_too_early: when check-in opens."},
        status={"type": "string", "description": "appointment_not_cancellable: its status."},
        reason={"type": "string", "enum": ["shape", "birth_date", "check_character"],
                "description": "bad_id_number: what is wrong with the ID number (never the "
                "number itself)."},
        limit={"type": "integer", "description": "person_limit_reached: the service's "
               "tickets (or bookings) per person a day."},
    )  # fmt: skip
    outcomes = ["printed", "failed", "not_again", "browser", "none"]
    printed = obj(("mode", "status", "error"), mode=enum(PrintMode),
                  status={"type": "string", "enum": outcomes}, error=NULL_TEXT)  # fmt: skip
    return {
        "Error": obj(("error",), error=error),
        "Ticket": obj(TICKET_REQUIRED, **TICKET_PROPS),
        "IssuedTicket": obj(TICKET_REQUIRED, **TICKET_PROPS, print=printed),
        "PendingMatter": PENDING_MATTER,
        "Window": obj(list(WINDOW_PROPS), **WINDOW_PROPS),
        "HallWindow": obj(list(WINDOW_PROPS), **(WINDOW_PROPS | {"current": SHOWN})),
        "ShownTicket": {**obj([k for k in TICKET_REQUIRED if k != "id"], **TICKET_PROPS),
                        "description": "A ticket with its `id` only for the hall's staff."},
        "WindowWithDay": obj([*WINDOW_PROPS, "today"], **WINDOW_PROPS, today=ref("WindowDay")),
        "WindowDay": WINDOW_DAY,
        "ServiceState": SERVICE_STATE,
        "Hall": HALL,
        "Hours": HOURS,
        "ServiceSettings": SERVICE_SETTINGS,
        "Settings": SETTINGS,
        "SettingsPatch": SETTINGS_PATCH,
        "ServicePatch": SERVICE_PATCH,
        "ServicePut": SERVICE_PUT,
        "Guide": GUIDE,
        "GuidePatch": GUIDE_PATCH,
        "Guides": GUIDES,
        "WindowPut": WINDOW_PUT,
        "Kiosk": KIOSK,
        "KioskPut": KIOSK_PUT,
        "User": USER,
        "UserPut": USER_PUT,
        "Summary": SUMMARY,
        "Estimate": ESTIMATE,
        "ServiceLevel": SERVICE_LEVEL,
        "Figures": obj(list(FIGURES_PROPS), **FIGURES_PROPS),
        "ReportFigures": obj([*FIGURES_PROPS, "service_level"], **FIGURES_PROPS,
                             service_level=ref("ServiceLevel")),
        "DayStats": obj(list(STATS_PROPS), **STATS_PROPS),
        "Report": REPORT,
        "TrendDay": TREND_DAY,
        "QueueItem": QUEUE_ITEM,
        "Desk": DESK,
        "WindowsView": obj(("now", "windows"), now=TIME,
                           windows={"type": "array", "items": ref("WindowWithDay")}),
        "PendingView": obj(("now", "promise_s", "pending"), now=TIME, promise_s=COUNT,
                           pending={"type": "array", "maxItems": 200,
                                    "items": ref("PendingMatter")}),
        "Audit": AUDIT,
        "Trend": TREND,
        "Halls": HALLS,
        "Users": obj(("users",), users={"type": "array", "items": ref("User")}),
        "Kiosks": obj(("kiosks",), kiosks={"type": "array", "items": ref("Kiosk")}),
        "Health": obj(("status", "database"), status={"type": "string",
                                                      "enum": ["ok", "unavailable"]},
                      database={"type": "string"}, process={"type": "integer"},
                      reasons={"type": "array", "items": {"type": "string"}}),
        "Login": SESSION,
        "LoginBody": obj(("username", "password"), username=text(64), password=text(256)),
        "Me": ME,
        "IssueBody": ISSUE,
    }  # fmt: skip


# Request parts the operations share.
FINISH = {**null_or(enum(Finish)), "maxLength": 32, "default": Finish.COMPLETED.value}
USERNAME_PATTERN = whole(USERNAME)
IDEMPOTENCY_KEY = whole(KEY_RE)
SERVICE_CODE = whole(hall_layout.SERVICE_CODE)
ANNOUNCE_NAME = whole(ANNOUNCE_FILE)
WINDOW_MAX = hall_layout.MAX_WINDOW
