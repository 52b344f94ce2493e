"""The settings' schema components: what a manager reads and writes on the settings page
(the hall's hours, its services, windows, kiosks and accounts). Limits come from the validators'
own constants, as in schemas.py, which names them in the document's components."""

from __future__ import annotations

from ...domain import availability, followup, guide, hall_settings, trips
from ...domain.model import CallOrder, PrintMode, Role
from ...usecases.staff_accounts import MIN_PASSWORD
from ..parse import KIOSK_CODE
from .primitives import COUNT, DATE, TIME, enum, null_or, obj, ref, seconds_field, shut, text, whole

HOURS = null_or(
    {
        "type": "object",
        "description": "A weekly schedule in the hall's timezone; a day left out is closed; "
        "spans must end after they start and not overlap (400 bad_hours). null: always open "
        "(on a service: the hall's hours).",
        "properties": {
            day: {
                "type": "array",
                "maxItems": 8,
                "items": {"type": "string", "pattern": whole(availability.SPAN)},
            }
            for day in availability.WEEKDAYS
        },
        "additionalProperties": False,
    }
)
QUOTA = {"type": ["integer", "null"], "minimum": 0, "maximum": availability.MAX_QUOTA}
RATIO = {"type": ["integer", "null"], "minimum": 1, "maximum": hall_settings.MAX_RATIO}
CALL_ORDER = {
    **enum(CallOrder),
    "description": "The window's work profile: `queue`, first come across its services (the "
    "default); `services`, its services in the order listed, the first with anyone waiting "
    "(400 bad_call_order).",
}
REAL_NAME = {
    "type": "boolean",
    "description": "实名取号: a ticket of the service needs the holder's ID number (`id_number` "
    "on POST …/tickets; 400 id_number_required without it). Never stored in clear: a keyed "
    "digest (docs/real-name.md).",
}
PERSON_LIMIT = {
    "type": ["integer", "null"], "minimum": 1, "maximum": hall_settings.MAX_PERSON_DAILY,
    "description": "With real_name: the tickets one person may take for the service in a hall "
    "day (409 person_limit_reached past it; tickets they cancelled do not count); null: any "
    "number (400 bad_person_limit).",
}  # fmt: skip
ALMOST_TURN = {
    "type": "integer", "minimum": 0, "maximum": hall_settings.MAX_ALMOST_TURN,
    "description": "The phone page alerts once (快到您了) when this many tickets are ahead of "
    "its ticket; 0: it does not (400 bad_almost_turn).",
}  # fmt: skip
DUE_DAYS = {
    "type": "integer", "minimum": followup.DUE_DAYS_RANGE[0],
    "maximum": followup.DUE_DAYS_RANGE[1],
    "description": "A dissatisfied rating's follow-up (差评回访) is due this many working days "
    "after the rating (Saturdays, Sundays and closed_dates skipped; 400 bad_followup_due_days).",
}  # fmt: skip
TRIPS_WINDOW = {
    "type": "integer", "minimum": trips.WINDOW_DAYS_RANGE[0],
    "maximum": trips.WINDOW_DAYS_RANGE[1],
    "description": "Trips per matter (一次办结率): a matter's visits count up to this many "
    "calendar days from its first visit, that day included (400 bad_trips_window_days).",
}  # fmt: skip
NAME = text(200, description="Not blank once trimmed (400 missing_field).")
NO_CONTROL = r"^[^\x00-\x1f\x7f-\x9f]*$"
GUIDE_ITEM = text(
    guide.MAX_ITEM,
    minLength=1,
    pattern=NO_CONTROL,
    description="One thing to bring; trimmed, not blank (400 bad_guide).",
)
GUIDE_ITEMS = {"type": "array", "maxItems": guide.MAX_ITEMS, "items": GUIDE_ITEM}
GUIDE_NOTES = text(
    guide.MAX_NOTES,
    description="Trimmed; line breaks kept, no other control characters (400 bad_guide).",
)
GUIDE = obj(
    ("materials", "materials_en", "notes", "notes_en"),
    materials={**GUIDE_ITEMS, "description": "What to bring, in the order to show (办事指南)."},
    materials_en={**GUIDE_ITEMS, "description": "In English; empty: pages show `materials`."},
    notes={"type": "string"}, notes_en={"type": "string", "description": "Empty: `notes`."},
)  # fmt: skip
GUIDE_PATCH = shut(
    (), materials=GUIDE_ITEMS, materials_en=GUIDE_ITEMS, notes=GUIDE_NOTES, notes_en=GUIDE_NOTES,
)  # fmt: skip
GUIDE_PATCH["description"] = "Any of the guide's fields; each given one replaces the stored one."
GUIDES = obj(
    ("hall", "services"), hall={"type": "string"},
    services={"type": "array", "items": obj(("code", "name", "name_en", "guide"),
              code={"type": "string"}, name={"type": "string"}, name_en={"type": "string"},
              guide=ref("Guide"))},
)  # fmt: skip
SERVICE_SETTINGS = obj(
    ("code", "name", "name_en", "open", "hours", "daily_quota", "priority_allowed",
     "target_wait_s", "default_service_s", "priority_ratio", "guide", "real_name",
     "person_daily_limit"),
    code={"type": "string"}, name={"type": "string"}, name_en={"type": "string"},
    open={"type": "boolean"}, hours=ref("Hours"), daily_quota=QUOTA,
    priority_allowed={"type": "boolean"}, target_wait_s=COUNT, default_service_s=COUNT,
    priority_ratio=RATIO, guide=ref("Guide"), real_name=REAL_NAME, person_daily_limit=PERSON_LIMIT,
)  # fmt: skip
SETTINGS = obj(
    ("hall", "name", "name_en", "timezone", "notice", "notice_en", "hours", "closed_dates",
     "promise_s", "bind_staff_to_windows", "almost_turn_ahead", "followup_due_days",
     "trips_window_days", "windows", "services"),
    hall={"type": "string"}, name={"type": "string"}, name_en={"type": "string"},
    timezone={"type": "string"}, notice={"type": "string"}, notice_en={"type": "string"},
    hours=ref("Hours"),
    closed_dates={"type": "array", "items": DATE}, promise_s=COUNT,
    bind_staff_to_windows={"type": "boolean"}, almost_turn_ahead=ALMOST_TURN,
    followup_due_days=DUE_DAYS, trips_window_days=TRIPS_WINDOW,
    windows={"type": "array", "items": obj(("number", "name", "services", "call_order"),
             number={"type": "integer"}, name={"type": "string"},
             services={"type": "array", "items": {"type": "string"}}, call_order=CALL_ORDER)},
    services={"type": "array", "items": ref("ServiceSettings")},
)  # fmt: skip
SERVICE_PATCH = shut(
    (), open={"type": "boolean"}, hours=ref("Hours"), daily_quota=QUOTA,
    priority_allowed={"type": "boolean"}, target_wait_s=seconds_field(), priority_ratio=RATIO,
    guide=ref("GuidePatch"), real_name=REAL_NAME, person_daily_limit=PERSON_LIMIT,
)  # fmt: skip
SETTINGS_PATCH = shut(
    (), name=NAME, name_en=text(200), notice=text(hall_settings.MAX_NOTICE),
    notice_en=text(hall_settings.MAX_NOTICE, description="The ?lang=en screens' notice; empty: "
                   "they show `notice`."),
    hours=ref("Hours"),
    closed_dates={"type": "array", "maxItems": 366, "items": DATE,
                  "description": "Real dates (400 bad_dates)."},
    promise_s=seconds_field(),
    bind_staff_to_windows={"type": "boolean", "description": "Staff act only on the window "
                           "their account names (403 wrong_window elsewhere)."},
    almost_turn_ahead=ALMOST_TURN, followup_due_days=DUE_DAYS, trips_window_days=TRIPS_WINDOW,
    services={"type": "object", "additionalProperties": ref("ServicePatch"),
              "description": "Keyed by an existing service code (404 service_not_found)."},
)  # fmt: skip
SERVICE_PUT = shut(
    (), name=NAME, name_en=text(200), open={"type": "boolean"}, hours=ref("Hours"),
    daily_quota=QUOTA, priority_allowed={"type": "boolean"}, target_wait_s=seconds_field(),
    default_service_s=seconds_field(), priority_ratio=RATIO, guide=ref("GuidePatch"),
    real_name=REAL_NAME, person_daily_limit=PERSON_LIMIT,
)  # fmt: skip
SERVICE_PUT["description"] = "A new service needs its `name` (400 missing_field)."
WINDOW_PUT = shut(
    (), name=text(200),
    services={"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string"},
              "description": "Existing service codes (404 service_not_found); a new window "
              "needs them (400 wrong_type)."},
    call_order=CALL_ORDER,
)  # fmt: skip
PRINTER_URL = r"^[Tt][Cc][Pp]://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?/?$"
KIOSK_PUT = shut(
    (), name=text(200), print=enum(PrintMode),
    printer=null_or(text(300, pattern=PRINTER_URL,
                         description="tcp://host[:port]; checked further (400 bad_printer).")),
)  # fmt: skip
KIOSK_PUT["description"] = "`print: escpos` needs a `printer` (400 missing_field)."
KIOSK = obj(
    ("code", "name", "print", "printer", "keyed", "printer_status"),
    code={"type": "string", "pattern": whole(KIOSK_CODE)}, name={"type": "string"},
    print=enum(PrintMode), printer={"type": ["string", "null"]}, keyed={"type": "boolean"},
    printer_status=null_or(obj(("printer", "ok", "error", "at", "printed"),
                               printer={"type": "string"}, ok={"type": ["boolean", "null"]},
                               error={"type": ["string", "null"]}, at=null_or(TIME),
                               printed=COUNT)),
)  # fmt: skip
USER = obj(
    ("username", "role", "window", "disabled", "display_name", "staff_no"),
    username={"type": "string"}, role=enum(Role), window={"type": ["integer", "null"]},
    disabled={"type": "boolean"}, display_name={"type": "string"}, staff_no={"type": "string"},
)  # fmt: skip
USER_PUT = shut(
    (),
    role={**enum(Role), "description": "`admin` only by an admin (400 bad_value)."},
    window={"type": ["integer", "null"], "description": "A window of the hall (404)."},
    password={"type": "string", "minLength": MIN_PASSWORD, "maxLength": 256},
    disabled={"type": "boolean"},
    display_name=text(64, description="The name the window screen shows while the account "
                      "holds the window (\"\": none; never the username)."),
    staff_no=text(32, description="The staff number (工号) shown with it."),
)  # fmt: skip
USER_PUT["description"] = "A new account needs `role` and `password` (400 missing_field)."
