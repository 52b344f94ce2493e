"""Appointments (预约): the hall's booking policy, each service's bookable slots, the check-in
window and where a booked ticket stands in the queue, booking codes, and the personal fields
(checked, and masked wherever they are shown). Pure: callers pass `now` and the hours."""

from __future__ import annotations

import enum
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from .availability import Hours, hours_json, parse_hours
from .clock import local_day, local_hhmm, rfc3339, zone
from .errors import Conflict, Invalid, Unprocessable

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LEN = 8
CODE_READS = {"O": "0", "I": "1", "L": "1"}  # what a person may type for 0 and 1 (Crockford)
MAX_NAME = 40
PHONE = re.compile(r"[0-9+\-]{5,20}")
FIRST_AHEAD = timedelta(hours=24)  # order "first": ahead of every walk-in of the day
DAY_MINUTES = 24 * 60
E = TypeVar("E", bound=enum.StrEnum)


class Order(enum.StrEnum):
    """Where a booked ticket checked in on time goes in the queue."""

    SLOT_TIME = "slot_time"  # as if issued at its slot's start
    FIRST = "first"  # ahead of every walk-in; booked ones among themselves by slot


class OutsideWindow(enum.StrEnum):
    """What a check-in outside its window gets."""

    WALK_IN = "walk_in"  # a normal ticket (queued from now)
    REFUSE = "refuse"  # 409 checkin_too_early / checkin_too_late


class FieldRule(enum.StrEnum):
    OFF = "off"
    OPTIONAL = "optional"
    REQUIRED = "required"


class Status(enum.StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    MISSED = "missed"  # still booked once the check-in window closed


class CheckinKind(enum.StrEnum):
    ON_TIME = "on_time"
    EARLY_WALK_IN = "early_walk_in"
    LATE_WALK_IN = "late_walk_in"


@dataclass(frozen=True, slots=True)
class Policy:
    """The hall's booking policy (no row stored: these defaults)."""

    enabled: bool = False
    checkin_early_min: int = 30
    checkin_late_min: int = 15
    order: Order = Order.SLOT_TIME
    outside_window: OutsideWindow = OutsideWindow.WALK_IN
    name_field: FieldRule = FieldRule.OFF
    phone_field: FieldRule = FieldRule.OFF


@dataclass(frozen=True, slots=True)
class ServiceBooking:
    """A service's bookable slots; `hours` None: the service's own opening hours."""

    service: str
    enabled: bool = False
    slot_min: int = 15
    capacity: int = 1
    days_ahead: int = 7
    hours: Hours | None = None


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Appointment:
    pk: int
    id: str
    code: str
    hall: str
    service: str
    day: str
    start: datetime
    end: datetime
    status: Status
    created_at: datetime
    name: str | None = None
    phone: str | None = None
    cancelled_at: datetime | None = None
    checked_in_at: datetime | None = None
    checkin_kind: CheckinKind | None = None
    ticket_pk: int | None = None
    person: str | None = None  # booked with an ID number: its keyed digest (identity.py)


CHECKIN_LIMITS = {"checkin_early_min": (0, 240), "checkin_late_min": (0, 240)}
SERVICE_LIMITS = {"slot_min": (5, 240), "capacity": (1, 100), "days_ahead": (0, 60)}


def invalid(field: str, message: str) -> Unprocessable:
    return Unprocessable("invalid_booking", message, extra={"field": field})


def _whole(body: dict[str, Any], name: str, low: int, high: int) -> int:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(name, f"{name} must be a whole number {low}–{high}.")
    return value


def _flag(body: dict[str, Any], name: str) -> bool:
    if not isinstance(body[name], bool):
        raise invalid(name, f"{name} must be true or false.")
    return bool(body[name])


def _choice(value: Any, kind: type[E], field: str) -> E:
    try:
        return kind(str(value) if isinstance(value, str) else "\x00")
    except ValueError as exc:
        allowed = ", ".join(k.value for k in kind)
        raise invalid(field, f"{field} must be one of: {allowed}.") from exc


def _unknown(body: dict[str, Any], allowed: set[str], what: str) -> None:
    for name in body:
        if name not in allowed:
            raise invalid(name, f"{what} has no field {name[:40]!r}.")


def patch_policy(policy: Policy, body: dict[str, Any]) -> Policy:
    """The policy with the body's fields changed (422 invalid_booking naming the field)."""
    _unknown(body, {"enabled", "order", "outside_window", "fields", *CHECKIN_LIMITS}, "booking")
    changes: dict[str, Any] = {}
    if "enabled" in body:
        changes["enabled"] = _flag(body, "enabled")
    for name, (low, high) in CHECKIN_LIMITS.items():
        if name in body:
            changes[name] = _whole(body, name, low, high)
    if "order" in body:
        changes["order"] = _choice(body["order"], Order, "order")
    if "outside_window" in body:
        changes["outside_window"] = _choice(body["outside_window"], OutsideWindow, "outside_window")
    if "fields" in body:
        fields = body["fields"]
        if not isinstance(fields, dict):
            raise invalid("fields", 'fields must be an object like {"name": "off"}.')
        _unknown(fields, {"name", "phone"}, "fields")
        for name in ("name", "phone"):
            if name in fields:
                changes[f"{name}_field"] = _choice(fields[name], FieldRule, f"fields.{name}")
    return replace(policy, **changes)


def parse_service_booking(service: str, body: dict[str, Any]) -> ServiceBooking:
    """A service's whole booking from a PUT body (a field left out takes its default)."""
    _unknown(body, {"enabled", "hours", *SERVICE_LIMITS}, "service booking")
    values: dict[str, Any] = {}
    if "enabled" in body:
        values["enabled"] = _flag(body, "enabled")
    for name, (low, high) in SERVICE_LIMITS.items():
        if name in body:
            values[name] = _whole(body, name, low, high)
    if "hours" in body:
        try:
            values["hours"] = parse_hours(body["hours"])
        except Invalid as exc:  # the same message as the service's hours, as a 422
            raise invalid("hours", exc.message) from exc
    return ServiceBooking(service, **values)


def policy_json(policy: Policy) -> dict[str, Any]:
    return {
        "enabled": policy.enabled,
        "checkin_early_min": policy.checkin_early_min,
        "checkin_late_min": policy.checkin_late_min,
        "order": policy.order.value,
        "outside_window": policy.outside_window.value,
        "fields": {"name": policy.name_field.value, "phone": policy.phone_field.value},
    }


def service_booking_json(booking: ServiceBooking) -> dict[str, Any]:
    return {
        "service": booking.service, "enabled": booking.enabled, "slot_min": booking.slot_min,
        "capacity": booking.capacity, "days_ahead": booking.days_ahead,
        "hours": hours_json(booking.hours),
    }  # fmt: skip


# -- slots ----------------------------------------------------------------------------------


def day_slots(day: str, tz: str, hours: Hours | None, slot_min: int) -> list[Slot]:
    """Every slot of a local day: from each opening span's start, `slot_min` long, whole slots
    only (no hours at all: the whole day)."""
    d = date.fromisoformat(day)
    spans = ((0, DAY_MINUTES),) if hours is None else hours.spans(d.weekday())
    midnight = datetime.combine(d, time.min, tzinfo=zone(tz))
    out = []
    for start, end in spans:
        for minute in range(start, end - slot_min + 1, slot_min):
            wall = midnight + timedelta(minutes=minute)
            begin = wall.astimezone(UTC)
            if begin.astimezone(wall.tzinfo).replace(tzinfo=None) != wall.replace(tzinfo=None):
                continue  # a local time the clocks skip (daylight saving starts)
            out.append(Slot(begin, begin + timedelta(minutes=slot_min)))
    return out


def bookable_days(
    today: str, booking: ServiceBooking, hours: Hours | None, closed_dates: tuple[str, ...]
) -> list[str]:
    """Today and the next `days_ahead` days, but for holidays and days with no hours."""
    first = date.fromisoformat(today)
    days = (first + timedelta(days=n) for n in range(booking.days_ahead + 1))
    return [
        d.isoformat()
        for d in days
        if d.isoformat() not in closed_dates and (hours is None or hours.spans(d.weekday()))
    ]


def open_slots(
    day: str, now: datetime, tz: str, booking: ServiceBooking, hours: Hours | None,
    closed_dates: tuple[str, ...],
) -> list[Slot]:  # fmt: skip
    """The slots one may still book on `day` (not started yet, within days_ahead)."""
    if day not in bookable_days(local_day(now, tz), booking, hours, closed_dates):
        return []
    return [s for s in day_slots(day, tz, hours, booking.slot_min) if s.start > now]


def bookable_slot(
    start: datetime, now: datetime, tz: str, booking: ServiceBooking, hours: Hours | None,
    closed_dates: tuple[str, ...],
) -> Slot:  # fmt: skip
    """The slot starting at `start`, if one may book it now; else 409 slot_not_bookable."""
    day = local_day(start, tz)
    for slot in open_slots(day, now, tz, booking, hours, closed_dates):
        if slot.start == start:
            return slot
    if start <= now:
        why = "it has begun or passed"
    elif day in closed_dates:
        why = "the hall is closed that day"
    elif day not in bookable_days(local_day(now, tz), booking, hours, closed_dates):
        why = f"it is not within the next {booking.days_ahead} days the service books"
    else:
        why = "no slot starts then (outside the hours, or not at a slot's start)"
    raise Conflict("slot_not_bookable", f"That time cannot be booked: {why}.")


# -- check-in -------------------------------------------------------------------------------


def checkin_window(start: datetime, policy: Policy) -> tuple[datetime, datetime]:
    """From when to when a check-in is on time (both included)."""
    early = timedelta(minutes=policy.checkin_early_min)
    return start - early, start + timedelta(minutes=policy.checkin_late_min)


def is_missed(status: Status, start: datetime, now: datetime, policy: Policy) -> bool:
    """Still booked once the check-in window closed."""
    return status is Status.MISSED or (
        status is Status.BOOKED and now > checkin_window(start, policy)[1]
    )


def shown_status(appointment: Appointment, now: datetime, policy: Policy) -> Status:
    """Its status as the API shows it: `missed` as soon as the window closed (the rollover
    stores it once the day is over)."""
    if is_missed(appointment.status, appointment.start, now, policy):
        return Status.MISSED
    return appointment.status


@dataclass(frozen=True, slots=True)
class Checkin:
    """How a check-in goes: its kind and where the ticket's place counts from (None: now)."""

    kind: CheckinKind
    queue_at: datetime | None


def queue_at(start: datetime, order: Order) -> datetime:
    """Where a booked ticket checked in on time counts from in the queue."""
    return start if order is Order.SLOT_TIME else start - FIRST_AHEAD


def decide_checkin(appointment: Appointment, now: datetime, tz: str, policy: Policy) -> Checkin:
    """A booked appointment's check-in now: on time (ordered per policy), or outside its window
    (a normal ticket, or refused per policy). 409 appointment_cancelled, checkin_too_late,
    appointment_not_today, checkin_too_early (with `opens_at`)."""
    if appointment.status is Status.CANCELLED:
        raise Conflict("appointment_cancelled", "This appointment was cancelled.")
    today = local_day(now, tz)
    opens, closes = checkin_window(appointment.start, policy)
    if appointment.status is Status.MISSED or appointment.day < today:
        raise Conflict("checkin_too_late", "This appointment's check-in time has passed.")
    if appointment.day > today:
        raise Conflict(
            "appointment_not_today", f"This appointment is on {appointment.day}, not today."
        )
    refuse = policy.outside_window is OutsideWindow.REFUSE
    if now < opens:
        if refuse:
            at = local_hhmm(opens, tz)
            raise Conflict(
                "checkin_too_early", f"Check-in opens at {at}.",
                extra={"opens_at": rfc3339(opens, tz)},
            )  # fmt: skip
        return Checkin(CheckinKind.EARLY_WALK_IN, None)
    if now > closes:
        if refuse:
            raise Conflict("checkin_too_late", "This appointment's check-in time has passed.")
        return Checkin(CheckinKind.LATE_WALK_IN, None)
    return Checkin(CheckinKind.ON_TIME, queue_at(appointment.start, policy.order))


# -- codes and personal fields --------------------------------------------------------------


def new_code(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """A booking code: 8 Crockford base32 characters (40 random bits)."""
    return "".join(CODE_ALPHABET[randbelow(len(CODE_ALPHABET))] for _ in range(CODE_LEN))


def normalise_code(text: str) -> str | None:
    """A typed or scanned code as stored: case-insensitive, spaces and dashes ignored, O read
    as 0 and I, L as 1; None when it cannot be a code."""
    cleaned = "".join(CODE_READS.get(c, c) for c in text.upper() if c not in " -\t")
    if len(cleaned) != CODE_LEN or any(c not in CODE_ALPHABET for c in cleaned):
        return None
    return cleaned


def mask_name(name: str) -> str:
    """张三 → 张*: the first character only."""
    return name[:1] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; a shorter number keeps its last two characters."""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * (len(phone) - 2) + phone[-2:]


def _field(rule: FieldRule, value: Any, name: str, check: Callable[[str], bool]) -> str | None:
    if value is not None and not isinstance(value, str):
        raise Unprocessable("invalid_field", f"{name} must be a string.", extra={"field": name})
    text = (value or "").strip()
    if rule is FieldRule.OFF:
        if text:
            raise Unprocessable(
                "invalid_field", f"This hall does not ask for a {name}.", extra={"field": name}
            )
        return None
    if not text:
        if rule is FieldRule.REQUIRED:
            raise Unprocessable("field_required", f"A {name} is required.", extra={"field": name})
        return None
    if not check(text):
        raise Unprocessable("invalid_field", f"That {name} is not valid.", extra={"field": name})
    return text


def _name_ok(text: str) -> bool:
    return len(text) <= MAX_NAME and text.isprintable()


def personal_fields(policy: Policy, name: Any, phone: Any) -> tuple[str | None, str | None]:
    """The name and phone a booking keeps, as the hall asks for them: 422 field_required,
    invalid_field (name ≤ 40 characters; phone 5–20 of digits, + and -)."""
    kept_name = _field(policy.name_field, name, "name", _name_ok)
    kept_phone = _field(policy.phone_field, phone, "phone", lambda t: bool(PHONE.fullmatch(t)))
    return kept_name, kept_phone
