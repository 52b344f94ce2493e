"""Appointments, pure (domain/appointment.py, appointment_stats.py): slots from hours, holidays,
days ahead; the check-in window and where a booked ticket stands; codes; masking; fields; the
policy's validation; the day's figures."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from callnext.domain import appointment as ap
from callnext.domain.appointment import (
    Appointment,
    CheckinKind,
    FieldRule,
    Order,
    OutsideWindow,
    Policy,
    ServiceBooking,
    Status,
)
from callnext.domain.appointment_stats import PUNCTUAL_S, appointment_stats
from callnext.domain.availability import parse_hours
from callnext.domain.errors import Conflict, Unprocessable

TZ = "Asia/Shanghai"
# Thursday 2026-11-26, 10:07 in Shanghai.
NOW = datetime(2026, 11, 26, 2, 7, tzinfo=UTC)
HOURS = parse_hours({"mon": ["09:00-12:00", "13:30-17:00"], "tue": ["09:00-12:00"],
                     "wed": ["09:00-12:00"], "thu": ["09:00-12:00", "13:30-17:00"],
                     "fri": ["09:00-12:00"]})  # fmt: skip
BOOKING = ServiceBooking("A", enabled=True, slot_min=30, capacity=2, days_ahead=7)


def local(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00+08:00").astimezone(UTC)


def appt(start: datetime, status: Status = Status.BOOKED, **changes: Any) -> Appointment:
    base = Appointment(
        pk=1, id="id", code="ABCD2345", hall="demo", service="A",
        day=start.astimezone(ap.zone(TZ)).date().isoformat(), start=start,
        end=start + timedelta(minutes=30), status=status, created_at=start - timedelta(days=1),
    )  # fmt: skip
    return replace(base, **changes)


# -- slots ----------------------------------------------------------------------------------


def test_day_slots_fill_each_span_with_whole_slots() -> None:
    slots = ap.day_slots("2026-11-26", TZ, HOURS, 45)
    starts = [s.start.astimezone(ap.zone(TZ)).strftime("%H:%M") for s in slots]
    # 09:00-12:00 holds four 45-min slots; 13:30-17:00 holds four (16:30 would end at 17:15).
    assert starts == ["09:00", "09:45", "10:30", "11:15", "13:30", "14:15", "15:00", "15:45"]
    assert all(s.end - s.start == timedelta(minutes=45) for s in slots)
    assert ap.day_slots("2026-11-28", TZ, HOURS, 30) == []  # Saturday: no hours
    assert len(ap.day_slots("2026-11-28", TZ, None, 60)) == 24  # no hours: all day


def test_bookable_days_skip_holidays_and_closed_weekdays_up_to_days_ahead() -> None:
    days = ap.bookable_days("2026-11-26", BOOKING, HOURS, ("2026-11-30",))
    # Thu 26, Fri 27, (Sat, Sun closed), (Mon 30 a holiday), Tue 1, Wed 2, Thu 3 = today + 7.
    assert days == ["2026-11-26", "2026-11-27", "2026-12-01", "2026-12-02", "2026-12-03"]
    assert ap.bookable_days("2026-11-26", replace(BOOKING, days_ahead=0), HOURS, ()) == [
        "2026-11-26"
    ]


def test_open_slots_leave_out_started_ones_and_far_days() -> None:
    today = ap.open_slots("2026-11-26", NOW, TZ, BOOKING, HOURS, ())
    assert today[0].start == local("2026-11-26", "10:30")  # 10:00 began at 10:00 < 10:07
    assert ap.open_slots("2026-12-04", NOW, TZ, BOOKING, HOURS, ()) == []  # 8 days ahead
    assert ap.open_slots("2026-11-25", NOW, TZ, BOOKING, HOURS, ()) == []  # yesterday


@pytest.mark.parametrize(
    ("start", "why"),
    [
        (local("2026-11-26", "10:00"), "begun"),
        (local("2026-11-26", "10:15"), "slot's start"),
        (local("2026-11-26", "12:00"), "slot's start"),  # the lunch break
        (local("2026-11-30", "09:00"), "closed that day"),
        (local("2026-12-04", "09:00"), "next 7 days"),
    ],
)
def test_a_time_that_is_no_open_slot_is_refused(start: datetime, why: str) -> None:
    with pytest.raises(Conflict) as err:
        ap.bookable_slot(start, NOW, TZ, BOOKING, HOURS, ("2026-11-30",))
    assert err.value.code == "slot_not_bookable"
    assert why in err.value.message


def test_an_open_slot_is_bookable() -> None:
    slot = ap.bookable_slot(local("2026-11-27", "11:30"), NOW, TZ, BOOKING, HOURS, ())
    assert slot.end == local("2026-11-27", "12:00")


def test_slots_across_a_daylight_saving_change_keep_their_local_times() -> None:
    slots = ap.day_slots("2026-03-08", "America/New_York", None, 60)  # 23 hours that day
    assert len(slots) == 23
    assert {s.start.astimezone(ap.zone("America/New_York")).hour for s in slots} == set(
        range(24)
    ) - {2}


# -- check-in -------------------------------------------------------------------------------


POLICY = Policy(enabled=True, checkin_early_min=30, checkin_late_min=15)


@pytest.mark.parametrize(
    ("minutes", "kind"),
    [(-31, CheckinKind.EARLY_WALK_IN), (-30, CheckinKind.ON_TIME), (0, CheckinKind.ON_TIME),
     (15, CheckinKind.ON_TIME), (16, CheckinKind.LATE_WALK_IN)],
)  # fmt: skip
def test_the_window_classifies_a_check_in(minutes: int, kind: CheckinKind) -> None:
    start = local("2026-11-26", "11:00")
    now = start + timedelta(minutes=minutes)
    decided = ap.decide_checkin(appt(start), now, TZ, POLICY)
    assert decided.kind is kind
    assert decided.queue_at == (start if kind is CheckinKind.ON_TIME else None)


def test_order_first_puts_a_booked_ticket_a_day_before_its_slot() -> None:
    start = local("2026-11-26", "11:00")
    first = replace(POLICY, order=Order.FIRST)
    decided = ap.decide_checkin(appt(start), start, TZ, first)
    assert decided.queue_at == start - timedelta(hours=24)
    assert ap.queue_at(start, Order.SLOT_TIME) == start


def test_refuse_policy_refuses_outside_the_window() -> None:
    start = local("2026-11-26", "11:00")
    refuse = replace(POLICY, outside_window=OutsideWindow.REFUSE)
    with pytest.raises(Conflict) as early:
        ap.decide_checkin(appt(start), start - timedelta(minutes=31), TZ, refuse)
    assert early.value.code == "checkin_too_early"
    assert early.value.extra["opens_at"] == "2026-11-26T10:30:00.000+08:00"
    with pytest.raises(Conflict) as late:
        ap.decide_checkin(appt(start), start + timedelta(minutes=16), TZ, refuse)
    assert late.value.code == "checkin_too_late"


@pytest.mark.parametrize(
    ("status", "start", "code"),
    [
        (Status.CANCELLED, local("2026-11-26", "11:00"), "appointment_cancelled"),
        (Status.MISSED, local("2026-11-25", "11:00"), "checkin_too_late"),
        (Status.BOOKED, local("2026-11-25", "23:50"), "checkin_too_late"),  # yesterday
        (Status.BOOKED, local("2026-11-27", "00:10"), "appointment_not_today"),
    ],
)
def test_what_cannot_check_in(status: Status, start: datetime, code: str) -> None:
    now = local("2026-11-26", "00:00") if start.day == 26 else local("2026-11-26", "00:05")
    with pytest.raises(Conflict) as err:
        ap.decide_checkin(appt(start, status), now, TZ, POLICY)
    assert err.value.code == code


def test_missed_is_still_booked_once_the_window_closed() -> None:
    start = local("2026-11-26", "11:00")
    a = appt(start)
    assert ap.shown_status(a, start + timedelta(minutes=15), POLICY) is Status.BOOKED
    assert ap.shown_status(a, start + timedelta(minutes=16), POLICY) is Status.MISSED
    done = replace(a, status=Status.CHECKED_IN)
    assert ap.shown_status(done, start + timedelta(hours=5), POLICY) is Status.CHECKED_IN


# -- codes, masking, fields -----------------------------------------------------------------


def test_codes_are_8_crockford_characters() -> None:
    rng = random.Random(7)
    codes = {ap.new_code(rng.randrange) for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 8
        assert not set(code) & set("ILOU")
        assert ap.normalise_code(code) == code


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("abcd2345", "ABCD2345"), ("ABCD-2345", "ABCD2345"), (" abcd 2345 ", "ABCD2345"),
     ("oIlx-yz89", "011XYZ89"), ("ABCD234", None), ("ABCD23456", None), ("ABCD23U5", None),
     ("ABCD23%5", None), ("", None)],
)  # fmt: skip
def test_codes_are_read_as_a_person_types_them(typed: str, stored: str | None) -> None:
    assert ap.normalise_code(typed) == stored


def test_masking() -> None:
    assert ap.mask_name("张三") == "张*"
    assert ap.mask_name("欧阳娜娜") == "欧***"
    assert ap.mask_name("李") == "李*"
    assert ap.mask_phone("13812345678") == "138****5678"
    assert ap.mask_phone("+8613812345678") == "+86*******5678"
    assert ap.mask_phone("12345") == "***45"


def test_personal_fields_as_the_hall_asks() -> None:
    off = POLICY
    assert ap.personal_fields(off, None, None) == (None, None)
    asks = replace(POLICY, name_field=FieldRule.REQUIRED, phone_field=FieldRule.OPTIONAL)
    assert ap.personal_fields(asks, " 张三 ", None) == ("张三", None)
    assert ap.personal_fields(asks, "张三", "138-1234-5678") == ("张三", "138-1234-5678")
    cases = [
        (asks, None, None, "field_required", "name"),
        (asks, "  ", None, "field_required", "name"),
        (asks, "张" * 41, None, "invalid_field", "name"),
        (asks, "张\n三", None, "invalid_field", "name"),
        (asks, "张三", "1234", "invalid_field", "phone"),
        (asks, "张三", "138 1234 5678", "invalid_field", "phone"),
        (asks, "张三", 13812345678, "invalid_field", "phone"),
        (off, "张三", None, "invalid_field", "name"),  # not asked: not kept either
    ]
    for policy, name, phone, code, field in cases:
        with pytest.raises(Unprocessable) as err:
            ap.personal_fields(policy, name, phone)
        assert (err.value.code, err.value.extra["field"]) == (code, field), (name, phone)
        assert err.value.status == 422


# -- the policy and a service's booking, validated --------------------------------------------


def test_patch_policy_changes_only_the_fields_given() -> None:
    patched = ap.patch_policy(Policy(), {"enabled": True, "fields": {"phone": "required"}})
    assert patched == Policy(enabled=True, phone_field=FieldRule.REQUIRED)
    assert ap.policy_json(patched)["fields"] == {"name": "off", "phone": "required"}
    again = ap.patch_policy(patched, {"order": "first", "outside_window": "refuse",
                                      "checkin_early_min": 0, "checkin_late_min": 240})  # fmt: skip
    assert (again.order, again.outside_window, again.checkin_late_min) == (
        Order.FIRST, OutsideWindow.REFUSE, 240)  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field"),
    [({"enabled": 1}, "enabled"), ({"checkin_early_min": -1}, "checkin_early_min"),
     ({"checkin_late_min": 241}, "checkin_late_min"), ({"checkin_late_min": True},
     "checkin_late_min"), ({"order": "last"}, "order"), ({"outside_window": None},
     "outside_window"), ({"fields": []}, "fields"), ({"fields": {"email": "off"}}, "email"),
     ({"fields": {"name": "maybe"}}, "fields.name"), ({"colour": "red"}, "colour")],
)  # fmt: skip
def test_patch_policy_refuses_with_the_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(Unprocessable) as err:
        ap.patch_policy(Policy(), body)
    assert (err.value.code, err.value.extra["field"]) == ("invalid_booking", field)


def test_a_service_booking_takes_defaults_for_fields_left_out() -> None:
    booking = ap.parse_service_booking("A", {"enabled": True, "hours": {"mon": ["09:00-10:00"]}})
    assert booking == ServiceBooking("A", enabled=True, hours=parse_hours(
        {"mon": ["09:00-10:00"]}))  # fmt: skip
    shown = ap.service_booking_json(booking)
    assert shown["hours"]["mon"] == ["09:00-10:00"]
    assert (shown["slot_min"], shown["capacity"], shown["days_ahead"]) == (15, 1, 7)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"slot_min": 4}, "slot_min"), ({"slot_min": 241}, "slot_min"), ({"capacity": 0},
     "capacity"), ({"capacity": 101}, "capacity"), ({"days_ahead": 61}, "days_ahead"),
     ({"days_ahead": 1.5}, "days_ahead"), ({"hours": {"mon": ["9-10"]}}, "hours"),
     ({"hours": []}, "hours"), ({"service": "B"}, "service")],
)  # fmt: skip
def test_a_service_booking_refuses_with_the_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(Unprocessable) as err:
        ap.parse_service_booking("A", body)
    assert (err.value.code, err.value.extra["field"]) == ("invalid_booking", field)


# -- the day's figures ----------------------------------------------------------------------


def test_appointment_stats() -> None:
    start = local("2026-11-26", "09:00")
    now = local("2026-11-26", "12:00")
    made = [
        appt(start, Status.CHECKED_IN, pk=1, checkin_kind=CheckinKind.ON_TIME, ticket_pk=11,
             checked_in_at=start - timedelta(minutes=10)),  # called at 09:03: punctual
        appt(start, Status.CHECKED_IN, pk=2, checkin_kind=CheckinKind.ON_TIME, ticket_pk=12,
             checked_in_at=start + timedelta(minutes=10)),  # called 09:20: 10 min past check-in
        appt(start, Status.CHECKED_IN, pk=3, checkin_kind=CheckinKind.EARLY_WALK_IN,
             ticket_pk=13, checked_in_at=start - timedelta(hours=1)),
        appt(start, Status.CHECKED_IN, pk=4, checkin_kind=CheckinKind.ON_TIME, ticket_pk=14,
             checked_in_at=start),  # not called yet: not in punctuality
        appt(start, pk=5),  # missed (computed)
        appt(start, Status.CANCELLED, pk=6),
        appt(local("2026-11-26", "16:00"), pk=7),  # still to come
    ]  # fmt: skip
    called = {11: start + timedelta(minutes=3), 12: start + timedelta(minutes=20),
              13: start, 14: None}  # fmt: skip
    figures = appointment_stats(made, called, now, POLICY)
    assert figures == {
        "booked": 7, "checked_in": 4, "on_time": 3, "early": 1, "late": 0, "cancelled": 1,
        "missed": 1, "pending": 1, "no_show_rate": 0.2, "punctuality": 0.5,
        "mean_delay_s": (180 + 600) / 2, "punctual_within_s": PUNCTUAL_S,
    }  # fmt: skip


def test_appointment_stats_of_an_empty_day_are_nulls_not_errors() -> None:
    figures = appointment_stats([], {}, NOW, POLICY)
    assert figures["booked"] == 0
    assert (figures["no_show_rate"], figures["punctuality"], figures["mean_delay_s"]) == (
        None, None, None)  # fmt: skip
