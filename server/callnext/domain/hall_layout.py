"""The hall's layout a manager edits: its services (code, names, times, quota, priority policy)
and its windows (number, name, the services they call and how), validated whole before anything
changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from .availability import parse_quota
from .clock import zone
from .errors import Conflict, Invalid, NotFound
from .guide import parse_guide
from .hall_settings import (
    hours_text,
    parse_ratio,
    parse_real_name,
    refuse_unknown,
    seconds,
    text,
    truth,
)  # fmt: skip
from .model import CallOrder, Hall, Status

HALL_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
SERVICE_CODE = re.compile(r"[A-Z]{1,3}")
SERVICE_FIELDS = frozenset(
    {"name", "name_en", "open", "hours", "daily_quota", "priority_allowed", "target_wait_s",
     "default_service_s", "priority_ratio", "guide", "real_name", "person_daily_limit"}
)  # fmt: skip
WINDOW_FIELDS = frozenset({"name", "services", "call_order"})
MAX_WINDOW = 9999  # the announcement's file names allow four digits


@dataclass(frozen=True)
class NewHall:
    """A hall to create: no services and windows yet (they are added after)."""

    code: str
    name: str
    name_en: str
    timezone: str


def new_hall(code: str, name: str, name_en: str, timezone: str) -> NewHall:
    """A new hall's code, names and timezone, checked (the API's POST and `callnext hall add`)."""
    if not HALL_CODE.fullmatch(code):
        raise Invalid("bad_hall_code", "A hall code is 1–32 letters, digits, '_' or '-'.")
    if not name.strip():
        raise Invalid("missing_field", "A hall needs a name.")
    try:
        zone(timezone)
    except (ValueError, ZoneInfoNotFoundError) as exc:
        raise Invalid(
            "bad_timezone", f"Unknown timezone {timezone!r} (e.g. Asia/Shanghai)."
        ) from exc
    return NewHall(code, name.strip(), name_en.strip(), timezone)


def service_code(code: str) -> str:
    if not SERVICE_CODE.fullmatch(code):
        raise Invalid("bad_service_code", "A service code is 1–3 capital letters, as in A001.")
    return code


def parse_service(hall: Hall, code: str, body: dict[str, Any]) -> dict[str, Any]:
    """Column values for a PUT of a service (a new one needs its name)."""
    refuse_unknown(body, SERVICE_FIELDS, f"service {code}")
    values: dict[str, Any] = {}
    for name in ("name", "name_en"):
        if name in body:
            values[name] = text(body[name], name, 200).strip()
    if "name" in values and not values["name"]:
        raise Invalid("missing_field", "A service needs a name.")
    if hall.service(service_code(code)) is None and not values.get("name"):
        raise Invalid("missing_field", f"A new service needs its 'name' (service {code}).")
    for name in ("open", "priority_allowed"):
        if name in body:
            values[name] = truth(body[name], name)
    for name in ("target_wait_s", "default_service_s"):
        if name in body:
            values[name] = seconds(body[name], name)
    if "daily_quota" in body:
        values["daily_quota"] = parse_quota(body["daily_quota"])
    if "priority_ratio" in body:
        values["priority_ratio"] = parse_ratio(body["priority_ratio"])
    if "hours" in body:
        values["hours"] = hours_text(body["hours"])
    if "guide" in body:
        values.update(parse_guide(f"service {code}.guide", body["guide"]))
    values.update(parse_real_name(body, f"service {code}"))
    return values


@dataclass(frozen=True)
class WindowDef:
    number: int
    name: str
    services: tuple[str, ...]
    call_order: CallOrder = CallOrder.QUEUE


def parse_window(hall: Hall, number: int, body: dict[str, Any]) -> WindowDef:
    """A window's definition from a PUT: its name, the services it calls, in order, and its work
    profile (`call_order`); what the body leaves out stays as it was."""
    refuse_unknown(body, WINDOW_FIELDS, f"window {number}")
    if not 1 <= number <= MAX_WINDOW:
        raise Invalid("bad_window", f"A window number is 1–{MAX_WINDOW}.")
    existing = hall.window(number)
    name = text(body.get("name", existing.name if existing else f"{number}号窗口"), "name", 200)
    codes = body.get("services", list(existing.services) if existing else None)
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        raise Invalid("wrong_type", "services must be a non-empty list of service codes.")
    for code in codes:
        if hall.service(code) is None:
            raise NotFound("service_not_found", f"No service {code!r} in hall {hall.code}.")
    if len(set(codes)) != len(codes):
        raise Invalid("bad_value", "A service is listed twice.")
    order = call_order(body.get("call_order", existing.call_order if existing else "queue"))
    return WindowDef(number, name.strip() or f"{number}号窗口", tuple(codes), order)


def call_order(value: Any) -> CallOrder:
    """A window's work profile: `queue` (first come across its services) or `services` (its
    services in the order listed), else 400 bad_call_order."""
    try:
        return CallOrder(value)
    except ValueError:
        allowed = " or ".join(repr(o.value) for o in CallOrder)
        raise Invalid("bad_call_order", f"call_order must be {allowed}, not {value!r}.") from None


def check_service_removable(hall: Hall, code: str, open_tickets: int) -> None:
    """A service goes only when no window calls it and no ticket of it waits or is at a window."""
    if hall.service(code) is None:
        raise NotFound("service_not_found", f"No service {code!r} in hall {hall.code}.")
    serving = [w.number for w in hall.windows_serving(code)]
    if serving:
        windows = ", ".join(map(str, serving))
        raise Conflict("service_in_use", f"Windows {windows} still call service {code}.")
    if open_tickets:
        raise Conflict("service_in_use", f"{open_tickets} tickets of service {code} still wait.")


def check_window_removable(hall: Hall, number: int, current_status: Status | None) -> None:
    window = hall.window(number)
    if window is None:
        raise NotFound("window_not_found", f"No window {number} in hall {hall.code}.")
    if current_status is not None:
        raise Conflict("window_busy", f"Window {number} still has a current ticket.")
    if window.desk is not None:
        raise Conflict("window_in_use", f"Window {number} is held by {window.desk.user}.")
