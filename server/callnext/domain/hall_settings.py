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
from .model import Hall, Kiosk, PrintMode

HALL_FIELDS = frozenset({"notice", "hours", "closed_dates", "promise_s", "services"})
SERVICE_FIELDS = frozenset({"open", "hours", "daily_quota", "priority_allowed", "target_wait_s"})
KIOSK_FIELDS = frozenset({"name", "print", "printer"})
MAX_NOTICE = 500
SECONDS_RANGE = (60, 7 * 86400)  # a wait target or a promise: a minute to a week


@dataclass(frozen=True)
class SettingsPatch:
    """Column values to write: on the hall row, and per service code."""

    hall: dict[str, Any] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)


def _refuse_unknown(body: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        names = ", ".join(sorted(allowed))
        raise Invalid("unknown_field", f"{where}: unknown field {unknown[0]!r}; known: {names}.")


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid("wrong_type", f"Field {name!r} must be true or false.")
    return value


def _text(value: object, name: str, max_len: int) -> str:
    if not isinstance(value, str) or len(value) > max_len or "\x00" in value:
        raise Invalid("wrong_type", f"Field {name!r} must be text of at most {max_len} characters.")
    return value


def _seconds(value: object, name: str) -> int:
    low, high = SECONDS_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid("bad_seconds", f"{name} must be a whole number of seconds, {low}–{high}.")
    return value


def _hours_text(value: object) -> str | None:
    hours = parse_hours(value)
    return None if hours is None else json.dumps(hours_json(hours))


def _service_patch(code: str, body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Invalid("wrong_type", f"services.{code} must be an object.")
    _refuse_unknown(body, SERVICE_FIELDS, f"services.{code}")
    values: dict[str, Any] = {}
    if "open" in body:
        values["open"] = _bool(body["open"], f"services.{code}.open")
    if "priority_allowed" in body:
        values["priority_allowed"] = _bool(body["priority_allowed"], "priority_allowed")
    if "hours" in body:
        values["hours"] = _hours_text(body["hours"])
    if "daily_quota" in body:
        values["daily_quota"] = parse_quota(body["daily_quota"])
    if "target_wait_s" in body:
        values["target_wait_s"] = _seconds(body["target_wait_s"], f"services.{code}.target_wait_s")
    return values


def parse_patch(hall: Hall, body: dict[str, Any]) -> SettingsPatch:
    """The changes a PATCH body asks for, all validated; Invalid/NotFound refuse them all."""
    _refuse_unknown(body, HALL_FIELDS, "settings")
    values: dict[str, Any] = {}
    if "notice" in body:
        values["notice"] = _text(body["notice"], "notice", MAX_NOTICE).strip()
    if "hours" in body:
        values["hours"] = _hours_text(body["hours"])
    if "closed_dates" in body:
        values["closed_dates"] = json.dumps(list(parse_dates(body["closed_dates"])))
    if "promise_s" in body:
        values["promise_s"] = _seconds(body["promise_s"], "promise_s")
    per_service: dict[str, dict[str, Any]] = {}
    services = body.get("services", {})
    if not isinstance(services, dict):
        raise Invalid("wrong_type", "services must be an object keyed by service code.")
    for code, service_body in services.items():
        if hall.service(code) is None:
            raise NotFound("service_not_found", f"No service {code!r} in hall {hall.code}.")
        per_service[code] = _service_patch(code, service_body)
    return SettingsPatch(hall=values, services=per_service)


def settings_json(hall: Hall) -> dict[str, Any]:
    """The hall's editable settings, as GET /settings shows them."""
    return {
        "hall": hall.code,
        "notice": hall.notice,
        "hours": hours_json(hall.hours),
        "closed_dates": list(hall.closed_dates),
        "promise_s": hall.promise_s,
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
            }
            for s in hall.services
        ],
    }


def parse_kiosk(code: str, body: dict[str, Any], check_printer: Any) -> Kiosk:
    """A kiosk's settings from a PUT body; `check_printer(url)` raises ValueError if bad."""
    _refuse_unknown(body, KIOSK_FIELDS, f"kiosk {code}")
    name = _text(body.get("name", ""), "name", 200)
    try:
        mode = PrintMode(body.get("print", PrintMode.NONE.value))
    except ValueError as exc:
        allowed = ", ".join(m.value for m in PrintMode)
        raise Invalid("bad_value", f"Field 'print' must be one of: {allowed}.") from exc
    printer = body.get("printer")
    if printer is not None:
        printer = _text(printer, "printer", 300)
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
    }
