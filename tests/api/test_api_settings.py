"""Hall settings (hours, holidays, per-service switch, quota, priority) and kiosks: the API,
what each setting does to issuing, the live `hall.updated` event, and refusals that change
nothing."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ..helpers import Api, read_events

TZ = ZoneInfo("Asia/Shanghai")
SETTINGS = "/api/v1/halls/demo/settings"
TICKETS = "/api/v1/halls/demo/tickets"
ALL_DAYS_CLOSED: dict[str, list[str]] = {}  # a schedule with no spans: never open
ALWAYS = {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def today() -> str:
    return datetime.now(TZ).date().isoformat()


async def patch(api: Api, body: Any, user: str = "manager") -> tuple[int, Any]:
    return await api.request("PATCH", SETTINGS, body, token=await api.login(user))


async def settings(api: Api) -> dict[str, Any]:
    status, body = await api.request("GET", SETTINGS, token=await api.login("manager"))
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def try_issue(
    api: Api, service: str, priority: bool = False, **extra: Any
) -> tuple[int, Any]:
    return await api.request("POST", TICKETS, {"service": service, "priority": priority, **extra})


def service_state(hall: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in hall["services"] if s["code"] == code)


async def test_the_demo_hall_starts_open_with_no_limits(api: Api) -> None:
    body = await settings(api)
    assert body["notice"] == ""
    assert body["hours"] is None
    assert body["closed_dates"] == []
    assert [s["code"] for s in body["services"]] == ["A", "B", "C"]
    for s in body["services"]:
        assert s["open"] is True
        assert s["hours"] is None
        assert s["daily_quota"] is None
        assert s["priority_allowed"] is True
        assert s["target_wait_s"] == 900  # 15 minutes: the staff console's colours
    assert body["promise_s"] == 3600  # the 60-minute promise on pending matters
    assert body["almost_turn_ahead"] == 3  # the phone's 快到您了 at 3 ahead
    for s in (await api.hall())["services"]:
        assert s["open"] is True
        assert s["closed_reason"] is None
        assert s["remaining"] is None


async def test_a_change_is_stored_shown_and_announced(api: Api) -> None:
    seq = (await api.hall())["seq"]
    status, body = await patch(
        api,
        {"notice": " 午休 12:00–13:30 ", "hours": ALWAYS, "closed_dates": ["2031-10-01"],
         "services": {"B": {"daily_quota": 50, "priority_allowed": False}}},
    )  # fmt: skip
    assert status == 200, body
    assert body == await settings(api)
    assert body["notice"] == "午休 12:00–13:30"  # trimmed
    assert body["hours"]["sun"] == ["00:00-24:00"]
    assert body["closed_dates"] == ["2031-10-01"]
    b = next(s for s in body["services"] if s["code"] == "B")
    assert (b["daily_quota"], b["priority_allowed"]) == (50, False)
    hall = await api.hall()
    assert hall["notice"] == "午休 12:00–13:30"
    assert service_state(hall, "B")["remaining"] == 50
    assert service_state(hall, "B")["priority_allowed"] is False
    events = await read_events(api, since=seq)
    assert [e["event"] for e in events] == ["hall.updated"]
    assert events[0]["seq"] == seq + 1
    assert events[0]["ticket"] is None
    assert events[0]["notice"] == "午休 12:00–13:30"
    assert events[0]["queues"]["B"]["remaining"] == 50


async def test_quota_closes_the_service_for_the_day(api: Api) -> None:
    assert (await patch(api, {"services": {"A": {"daily_quota": 2}}}))[0] == 200
    first = await api.issue("A", key="tap-1")
    second = await api.issue("A")
    a = service_state(await api.hall(), "A")
    assert (a["open"], a["closed_reason"], a["remaining"]) == (False, "quota_reached", 0)
    status, body = await try_issue(api, "A")
    assert status == 409, body
    assert body["error"]["code"] == "quota_reached", body
    status, body = await try_issue(api, "A", priority=True)  # priority does not jump the quota
    assert status == 409, body
    assert body["error"]["code"] == "quota_reached", body
    # a kiosk that lost the reply of an earlier tap still gets its ticket back
    assert (await api.issue("A", key="tap-1"))["id"] == first["id"]
    assert (await api.issue("B"))["number"] == "B001"  # other services go on
    numbers = [t["number"] for t in await api.day_tickets()]
    assert numbers == [first["number"], second["number"], "B001"]
    events = await read_events(api)
    queue_a = events[-1]["queues"]["A"]
    assert (queue_a["open"], queue_a["closed_reason"], queue_a["remaining"]) == (
        False, "quota_reached", 0,
    )  # fmt: skip
    # raising the quota opens it again at once
    assert (await patch(api, {"services": {"A": {"daily_quota": 3}}}))[0] == 200
    assert (await api.issue("A"))["number"] == "A003"


async def test_hours_holidays_and_the_switch_each_refuse_with_their_code(api: Api) -> None:
    assert (await patch(api, {"services": {"B": {"hours": ALL_DAYS_CLOSED}}}))[0] == 200
    status, body = await try_issue(api, "B")
    assert status == 409, body
    assert body["error"]["code"] == "outside_hours", body
    assert service_state(await api.hall(), "B")["closed_reason"] == "outside_hours"
    # the hall's hours apply to services without their own
    assert (await patch(api, {"hours": ALL_DAYS_CLOSED, "services": {"A": {"hours": ALWAYS}}}))[
        0
    ] == 200
    assert (await api.issue("A"))["number"] == "A001"
    status, body = await try_issue(api, "C")
    assert status == 409, body
    assert body["error"]["code"] == "outside_hours", body
    assert (await patch(api, {"hours": None, "closed_dates": [today()]}))[0] == 200
    status, body = await try_issue(api, "A")
    assert status == 409, body
    assert body["error"]["code"] == "hall_closed_today", body
    assert (await patch(api, {"closed_dates": [], "services": {"C": {"open": False}}}))[0] == 200
    status, body = await try_issue(api, "C")
    assert status == 409, body
    assert body["error"]["code"] == "service_closed", body
    assert [t["number"] for t in await api.day_tickets()] == ["A001"]


async def test_priority_can_be_turned_off_per_service(api: Api) -> None:
    assert (await patch(api, {"services": {"C": {"priority_allowed": False}}}))[0] == 200
    status, body = await try_issue(api, "C", priority=True)
    assert status == 409, body
    assert body["error"]["code"] == "priority_not_allowed", body
    assert (await api.issue("C"))["priority"] is False
    assert (await api.issue("A", priority=True))["priority"] is True


async def test_wait_targets_and_the_promise_are_settings(api: Api) -> None:
    status, body = await patch(api, {"promise_s": 5400, "services": {"B": {"target_wait_s": 600}}})
    assert status == 200, body
    assert body["promise_s"] == 5400
    assert [s["target_wait_s"] for s in body["services"]] == [900, 600, 900]
    assert await settings(api) == body


async def test_almost_your_turn_is_a_setting_and_audited(api: Api) -> None:
    """almost_turn_ahead: 0 (off) to 50, stored, shown by GET, in the audit log as asked."""
    for value in (0, 50, 5):
        status, body = await patch(api, {"almost_turn_ahead": value})
        assert status == 200, body
        assert body["almost_turn_ahead"] == value
        assert (await settings(api))["almost_turn_ahead"] == value
    token = await api.login("manager")
    status, log = await api.request("GET", "/api/v1/halls/demo/audit", token=token)
    assert status == 200, log
    asked = [e["detail"] for e in log["entries"] if e["action"] == "settings.changed"]
    assert asked[:3] == [{"almost_turn_ahead": 5}, {"almost_turn_ahead": 50},
                         {"almost_turn_ahead": 0}]  # fmt: skip


async def test_closing_a_service_leaves_its_queue_to_be_called(api: Api) -> None:
    """Closing stops issuing only: the tickets already waiting are still called."""
    waiting = await api.issue("A")
    assert (await patch(api, {"services": {"A": {"open": False}}}))[0] == 200
    status, body = await api.window(1, "call-next")
    assert status == 200
    assert body["called"]["id"] == waiting["id"]


BAD_PATCHES = [
    ({"services": {"A": {"daily_quota": -1}}}, 400, "bad_quota"),
    ({"services": {"A": {"daily_quota": "10"}}}, 400, "bad_quota"),
    ({"services": {"A": {"open": "no"}}}, 400, "wrong_type"),
    ({"services": {"A": {"hours": {"mon": ["9-17"]}}}}, 400, "bad_hours"),
    ({"services": {"A": {"quota": 10}}}, 400, "unknown_field"),
    ({"services": {"Z": {"open": False}}}, 404, "service_not_found"),
    ({"services": ["A"]}, 400, "wrong_type"),
    ({"hours": {"mon": ["17:00-09:00"]}}, 400, "bad_hours"),
    ({"closed_dates": ["2026-02-30"]}, 400, "bad_dates"),
    ({"closed_dates": "2026-10-01"}, 400, "bad_dates"),
    ({"notice": 5}, 400, "wrong_type"),
    ({"notice": "x" * 501}, 400, "wrong_type"),
    ({"opening": "09:00"}, 400, "unknown_field"),
    ({"promise_s": 59}, 400, "bad_seconds"),
    ({"promise_s": "3600"}, 400, "bad_seconds"),
    ({"promise_s": True}, 400, "bad_seconds"),
    ({"services": {"A": {"target_wait_s": 0}}}, 400, "bad_seconds"),
    ({"services": {"A": {"target_wait_s": 7 * 86400 + 1}}}, 400, "bad_seconds"),
    ({"services": {"A": {"target_wait_s": 90.5}}}, 400, "bad_seconds"),
    ({"almost_turn_ahead": -1}, 400, "bad_almost_turn"),
    ({"almost_turn_ahead": 51}, 400, "bad_almost_turn"),
    ({"almost_turn_ahead": True}, 400, "bad_almost_turn"),
    ({"almost_turn_ahead": "3"}, 400, "bad_almost_turn"),
    ({"almost_turn_ahead": 2.5}, 400, "bad_almost_turn"),
    ({"almost_turn_ahead": None}, 400, "bad_almost_turn"),
    ({"notice": "changed", "almost_turn_ahead": 99}, 400, "bad_almost_turn"),
    # one good change and one bad one: neither is made
    ({"notice": "changed", "services": {"A": {"daily_quota": 1.5}}}, 400, "bad_quota"),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD_PATCHES)
@pytest.mark.engine_independent
async def test_bad_settings_are_refused_and_change_nothing(
    api: Api, body: Any, status: int, code: str
) -> None:
    before, hall_before = await settings(api), await api.hall()
    got, answer = await patch(api, body)
    assert (got, answer["error"]["code"]) == (status, code), answer
    assert await settings(api) == before
    assert (await api.hall())["seq"] == hall_before["seq"]  # no event either


@pytest.mark.engine_independent
async def test_malformed_bodies_are_refused(api: Api) -> None:
    token = await api.login("manager")
    for data in (b"{", b"[]", b"", b'"text"'):
        status, body = await api.request("PATCH", SETTINGS, data=data, token=token)
        assert status == 400, (data, body)


@pytest.mark.parametrize(
    ("user", "method", "status"),
    [(None, "GET", 401), (None, "PATCH", 401), ("w1", "GET", 403), ("w1", "PATCH", 403)],
)
@pytest.mark.engine_independent
async def test_only_managers_read_or_change_settings(
    api: Api, user: str | None, method: str, status: int
) -> None:
    token = await api.login(user) if user else None
    body = {"notice": "hacked"} if method == "PATCH" else None
    got, answer = await api.request(method, SETTINGS, body, token=token)
    assert got == status, answer
    assert (await settings(api))["notice"] == ""


async def test_unknown_hall_is_404(api: Api) -> None:
    token = await api.login("manager")
    status, body = await api.request("GET", "/api/v1/halls/nowhere/settings", token=token)
    assert status == 404
    assert body["error"]["code"] == "hall_not_found"


# -- kiosks ---------------------------------------------------------------------------------


async def put_kiosk(api: Api, code: str, body: Any) -> tuple[int, Any]:
    path = f"/api/v1/halls/demo/kiosks/{code}"
    return await api.request("PUT", path, body, token=await api.login("manager"))


async def test_kiosks_are_created_replaced_listed_and_deleted(api: Api) -> None:
    token = await api.login("manager")
    status, body = await put_kiosk(api, "K1", {"name": "东门取号机", "print": "browser"})
    assert status == 201, body
    assert body == {"code": "K1", "name": "东门取号机", "print": "browser", "printer": None,
                    "keyed": False, "printer_status": None}  # fmt: skip
    status, body = await put_kiosk(
        api, "K1", {"name": "东门", "print": "escpos", "printer": "tcp://10.0.0.9"}
    )
    assert status == 200, body
    assert body["printer"] == "tcp://10.0.0.9"
    assert body["printer_status"] == {
        "printer": "tcp://10.0.0.9", "ok": None, "error": None, "at": None, "printed": 0,
    }  # fmt: skip
    status, listing = await api.request("GET", "/api/v1/halls/demo/kiosks", token=token)
    assert status == 200
    assert [k["code"] for k in listing["kiosks"]] == ["K1"]
    status, body = await api.request("DELETE", "/api/v1/halls/demo/kiosks/K1", token=token)
    assert (status, body) == (200, {"deleted": "K1"})
    status, body = await api.request("DELETE", "/api/v1/halls/demo/kiosks/K1", token=token)
    assert status == 404
    assert body["error"]["code"] == "kiosk_not_found"
    status, body = await api.request("GET", "/api/v1/halls/demo/kiosks/K1", token=token)
    assert status == 404


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"print": "laser"}, "bad_value"),
        ({"print": "escpos"}, "missing_field"),
        ({"print": "escpos", "printer": "http://10.0.0.9"}, "bad_printer"),
        ({"print": "escpos", "printer": "tcp://10.0.0.9:70000"}, "bad_printer"),
        ({"print": "none", "colour": "red"}, "unknown_field"),
        ({"name": 7}, "wrong_type"),
    ],
)
@pytest.mark.engine_independent
async def test_bad_kiosks_are_refused(api: Api, body: Any, code: str) -> None:
    status, answer = await put_kiosk(api, "K9", body)
    assert (status, answer["error"]["code"]) == (400, code), answer
    token = await api.login("manager")
    _status, listing = await api.request("GET", "/api/v1/halls/demo/kiosks", token=token)
    assert listing["kiosks"] == []


async def test_issuing_for_an_unknown_kiosk_is_refused_and_issues_nothing(api: Api) -> None:
    status, body = await try_issue(api, "A", kiosk="ghost")
    assert status == 404, body
    assert body["error"]["code"] == "kiosk_not_found", body
    status, body = await try_issue(api, "A", kiosk=["K1"])
    assert status == 400, body
    assert await api.day_tickets() == []


@pytest.mark.engine_independent
async def test_staff_cannot_configure_kiosks(api: Api) -> None:
    status, _ = await api.request(
        "PUT", "/api/v1/halls/demo/kiosks/K1", {"print": "none"}, token=await api.login("w1")
    )
    assert status == 403


def test_settings_json_round_trips() -> None:
    """What GET answers can be sent back as a PATCH (an editor saves what it loaded)."""
    from callnext.domain.hall_settings import parse_patch
    from callnext.domain.model import Hall, Service

    hall = Hall(code="h", name="h", timezone="UTC", services=(Service("A", "a"),))
    patch_ = parse_patch(hall, {"hours": ALWAYS, "services": {"A": {"hours": None}}})
    assert json.loads(patch_.hall["hours"]) == ALWAYS
    assert patch_.services == {"A": {"hours": None}}
