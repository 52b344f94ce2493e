"""The hall settings a manager edits (notice, hours, holidays; per service: the switch, hours,
daily quota, priority) and the kiosks' printing: validated here, whole, before anything changes.

`parse_patch` turns a PATCH body into the column values to write; any bad field refuses the
whole request. Unknown fields are refused too, so a typo never silently does nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .availability import hours_json, parse_dates, parse_hours, parse_quota
from .errors import Invalid, NotFound
from .followup import parse_due_days
from .guide import guide_json, parse_guide
from .model import Hall, Kiosk, PrintMode, Window
from .trips import parse_window_days

HALL_FIELDS = frozenset(
    {"name", "name_en", "notice", "notice_en", "hours", "closed_dates", "promise_s", "services",
     "bind_staff_to_windows", "almost_turn_ahead", "followup_due_days",
     "trips_window_days"}
)  # fmt: skip
SERVICE_FIELDS = frozenset(
    {"open", "hours", "daily_quota", "priority_allowed", "target_wait_s", "priority_ratio",
     "guide", "real_name", "person_daily_limit"}
)  # fmt: skip
KIOSK_FIELDS = frozenset({"name", "print", "printer"})
MAX_NOTICE = 500
MAX_RATIO = 20
MAX_PERSON_DAILY = 20  # real-name: tickets one person may take for a service in a day
SECONDS_RANGE = (60, 7 * 86400)  # a wait target or a promise: a minute to a week
# "Almost your turn" at N ahead: past 50 the alert would come hours early and mean nothing
MAX_ALMOST_TURN = 50


@dataclass(frozen=True)
class SettingsPatch:
    """Column values to write: on the hall row, and per service code."""

    hall: dict[str, Any] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)


def refuse_unknown(body: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        names = ", ".join(sorted(allowed))
        raise Invalid("unknown_field", f"{where}: unknown field {unknown[0]!r}; known: {names}.")


def truth(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid("wrong_type", f"Field {name!r} must be true or false.")
    return value


def text(value: object, name: str, max_len: int) -> str:
    if not isinstance(value, str) or len(value) > max_len or "\x00" in value:
        raise Invalid("wrong_type", f"Field {name!r} must be text of at most {max_len} characters.")
    return value


def seconds(value: object, name: str) -> int:
    low, high = SECONDS_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid("bad_seconds", f"{name} must be a whole number of seconds, {low}–{high}.")
    return value


def hours_text(value: object) -> str | None:
    hours = parse_hours(value)
    return None if hours is None else json.dumps(hours_json(hours))


def _service_patch(code: str, body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Invalid("wrong_type", f"services.{code} must be an object.")
    refuse_unknown(body, SERVICE_FIELDS, f"services.{code}")
    values: dict[str, Any] = {}
    if "open" in body:
        values["open"] = truth(body["open"], f"services.{code}.open")
    if "priority_allowed" in body:
        values["priority_allowed"] = truth(body["priority_allowed"], "priority_allowed")
    if "hours" in body:
        values["hours"] = hours_text(body["hours"])
    if "daily_quota" in body:
        values["daily_quota"] = parse_quota(body["daily_quota"])
    if "target_wait_s" in body:
        values["target_wait_s"] = seconds(body["target_wait_s"], f"services.{code}.target_wait_s")
    if "priority_ratio" in body:
        values["priority_ratio"] = parse_ratio(body["priority_ratio"])
    if "guide" in body:
        values.update(parse_guide(f"services.{code}.guide", body["guide"]))
    values.update(parse_real_name(body, f"services.{code}"))
    return values


def parse_real_name(body: dict[str, Any], where: str) -> dict[str, Any]:
    """实名取号: `real_name` (true: a ticket needs the holder's ID number) and
    `person_daily_limit` (the tickets one person may take for the service in a day, 1–20, or
    null for any number), as the body gives them."""
    values: dict[str, Any] = {}
    if "real_name" in body:
        values["real_name"] = truth(body["real_name"], f"{where}.real_name")
    if "person_daily_limit" in body:
        limit = body["person_daily_limit"]
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int)
            or not 1 <= limit <= MAX_PERSON_DAILY
        ):  # fmt: skip
            raise Invalid(
                "bad_person_limit",
                f"{where}.person_daily_limit must be null (no limit) or 1–{MAX_PERSON_DAILY}.",
            )
        values["person_daily_limit"] = limit
    return values


def parse_ratio(value: object) -> int | None:
    """null: strict (every priority ticket first); N: one priority ticket per N normal ones."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RATIO:
        raise Invalid("bad_ratio", f"priority_ratio must be null (strict) or 1–{MAX_RATIO}.")
    return value


def parse_almost_turn(value: object) -> int:
    """How many ahead the phone says "almost your turn" (快到您了) at; 0: it never does."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ALMOST_TURN:
        raise Invalid(
            "bad_almost_turn",
            f"almost_turn_ahead must be a whole number 0–{MAX_ALMOST_TURN} (0: no alert).",
        )
    return value


def parse_patch(hall: Hall, body: dict[str, Any]) -> SettingsPatch:
    """The changes a PATCH body asks for, all validated; Invalid/NotFound refuse them all."""
    refuse_unknown(body, HALL_FIELDS, "settings")
    values: dict[str, Any] = {}
    for name in ("name", "name_en"):
        if name in body:
            values[name] = text(body[name], name, 200).strip()
    if values.get("name") == "":
        raise Invalid("missing_field", "A hall needs a name.")
    for name in ("notice", "notice_en"):
        if name in body:
            values[name] = text(body[name], name, MAX_NOTICE).strip()
    if "hours" in body:
        values["hours"] = hours_text(body["hours"])
    if "closed_dates" in body:
        values["closed_dates"] = json.dumps(list(parse_dates(body["closed_dates"])))
    if "promise_s" in body:
        values["promise_s"] = seconds(body["promise_s"], "promise_s")
    if "bind_staff_to_windows" in body:  # staff act only on the window their account names
        values["bind_staff_to_windows"] = truth(
            body["bind_staff_to_windows"], "bind_staff_to_windows"
        )
    if "almost_turn_ahead" in body:
        values["almost_turn_ahead"] = parse_almost_turn(body["almost_turn_ahead"])
    if "followup_due_days" in body:  # 差评回访: working days to close a follow-up
        values["followup_due_days"] = parse_due_days(body["followup_due_days"])
    if "trips_window_days" in body:  # 一次办结率: the days a matter may take (domain/trips.py)
        values["trips_window_days"] = parse_window_days(body["trips_window_days"])
    per_service: dict[str, dict[str, Any]] = {}
    services = body.get("services", {})
    if not isinstance(services, dict):
        raise Invalid("wrong_type", "services must be an object keyed by service code.")
    for code, service_body in services.items():
        if hall.service(code) is None:
            raise NotFound("service_not_found", f"No service {code!r} in hall {hall.code}.")
        per_service[code] = _service_patch(code, service_body)
    return SettingsPatch(hall=values, services=per_service)


def window_settings(window: Window) -> dict[str, Any]:
    """A window as the settings show it: number, name, services and work profile."""
    return {"number": window.number, "name": window.name, "services": list(window.services),
            "call_order": window.call_order.value}  # fmt: skip


def settings_json(hall: Hall) -> dict[str, Any]:
    """The hall's editable settings, as GET /settings shows them."""
    return {
        "hall": hall.code,
        "name": hall.name,
        "name_en": hall.name_en,
        "timezone": hall.timezone,
        "notice": hall.notice,
        "notice_en": hall.notice_en,
        "hours": hours_json(hall.hours),
        "closed_dates": list(hall.closed_dates),
        "promise_s": hall.promise_s,
        "bind_staff_to_windows": hall.bind_staff_to_windows,
        "almost_turn_ahead": hall.almost_turn_ahead,
        "followup_due_days": hall.followup_due_days,
        "trips_window_days": hall.trips_window_days,
        "windows": [window_settings(w) for w in hall.windows],
        "services": [
            {
                "code": s.code,
                "name": s.name,
                "name_en": s.name_en,
                "open": s.open,
                "hours": hours_json(s.hours),
                "daily_quota": s.daily_quota,
                "priority_allowed": s.priority_allowed,
                "target_wait_s": s.target_wait_s,
                "default_service_s": s.default_service_s,
                "priority_ratio": s.priority_ratio,
                "guide": guide_json(s.guide),
                "real_name": s.real_name,
                "person_daily_limit": s.person_daily_limit,
            }
            for s in hall.services
        ],
    }


def parse_kiosk(code: str, body: dict[str, Any], check_printer: Any) -> Kiosk:
    """A kiosk's settings from a PUT body; `check_printer(url)` raises ValueError if bad."""
    refuse_unknown(body, KIOSK_FIELDS, f"kiosk {code}")
    name = text(body.get("name", ""), "name", 200)
    try:
        mode = PrintMode(body.get("print", PrintMode.NONE.value))
    except ValueError as exc:
        allowed = ", ".join(m.value for m in PrintMode)
        raise Invalid("bad_value", f"Field 'print' must be one of: {allowed}.") from exc
    printer = body.get("printer")
    if printer is not None:
        printer = text(printer, "printer", 300)
        try:
            check_printer(printer)
        except ValueError as exc:
            raise Invalid("bad_printer", str(exc)) from exc
    if mode is PrintMode.ESCPOS and printer is None:
        raise Invalid(
            "missing_field", "A kiosk that prints ESC/POS needs 'printer': tcp://host:port."
        )
    return Kiosk(code=code, name=name, print_mode=mode, printer=printer)


def kiosk_json(kiosk: Kiosk) -> dict[str, Any]:
    return {
        "code": kiosk.code,
        "name": kiosk.name,
        "print": kiosk.print_mode.value,
        "printer": kiosk.printer,
        "keyed": kiosk.key_digest is not None,  # the key itself is shown once, when set
    }
