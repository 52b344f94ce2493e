"""The hall's layout and staff accounts as a manager edits them: services, windows, users, the
priority ratio; every change validated whole, audited, and announced to screens."""

from __future__ import annotations

from typing import Any

import pytest

from callnext.domain.model import Role
from callnext.store.accounts import add_user
from callnext.store.database import Database

from ..helpers import Api, read_events
from .test_api_windows import assert_error, calls

DEMO = "/api/v1/halls/demo"


def web(*row: Any) -> Any:
    """A row the web layer refuses (parsing, validation, the caller's role) before any hall
    transaction: SQLite only (conftest.py, `engine_independent`). The rows refused inside the
    store (a 404 or 409 found there, a name taken) keep both engines."""
    return pytest.param(*row, marks=pytest.mark.engine_independent)


async def manager(api: Api, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    return await api.request(method, DEMO + path, body, token=await api.login("manager"))


async def test_a_new_service_and_window_reach_the_snapshot_and_the_screens(api: Api) -> None:
    since = (await api.hall())["seq"]
    status, body = await manager(api, "PUT", "/services/D", {
        "name": "公积金提取", "name_en": "Housing fund", "target_wait_s": 600,
        "default_service_s": 240, "daily_quota": 50, "priority_ratio": 2,
    })  # fmt: skip
    assert status == 201, body
    service = body["services"][-1]
    assert (service["code"], service["name"], service["priority_ratio"]) == ("D", "公积金提取", 2)
    status, body = await manager(
        api, "PUT", "/windows/9", {"name": "9号窗口", "services": ["D", "C"]}
    )
    assert status == 201, body
    assert body["windows"][-1] == {
        "number": 9, "name": "9号窗口", "services": ["D", "C"], "call_order": "queue"
    }  # fmt: skip
    hall = await api.hall()
    assert [s["code"] for s in hall["services"]] == ["A", "B", "C", "D"]
    assert hall["windows"][-1]["services"] == ["D", "C"]
    ticket = await api.issue("D")
    assert ticket["number"] == "D001"
    status, answer = await api.window(9, "call-next", user="manager")
    assert answer["called"]["number"] == "D001"
    frames = await read_events(api, since)
    layout = [f for f in frames if f["event"] == "hall.updated"]
    assert [f["layout"] for f in layout] == [True, True]
    assert "D" in layout[0]["queues"]


async def test_changing_a_service_keeps_what_is_not_named(api: Api) -> None:
    status, body = await manager(api, "PUT", "/services/A", {"name_en": "Real estate"})
    assert status == 200
    a = body["services"][0]
    assert (a["name"], a["name_en"], a["target_wait_s"]) == ("不动产登记", "Real estate", 900)


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        web("PUT", "/services/a", {"name": "x"}, 400, "bad_service_code"),
        web("PUT", "/services/ABCD", {"name": "x"}, 400, "bad_service_code"),
        web("PUT", "/services/E", {}, 400, "missing_field"),
        web("PUT", "/services/E", {"name": ""}, 400, "missing_field"),
        web("PUT", "/services/E", {"name": "x", "priority_ratio": 0}, 400, "bad_ratio"),
        web("PUT", "/services/E", {"name": "x", "colour": "red"}, 400, "unknown_field"),
        web("PUT", "/services/A", {"default_service_s": 5}, 400, "bad_seconds"),
        ("DELETE", "/services/A", None, 409, "service_in_use"),  # windows call it
        ("DELETE", "/services/Z", None, 404, "service_not_found"),
        web("PUT", "/windows/9", {"services": []}, 400, "wrong_type"),
        web("PUT", "/windows/9", {"services": ["Z"]}, 404, "service_not_found"),
        web("PUT", "/windows/9", {"services": ["A", "A"]}, 400, "bad_value"),
        web("PUT", "/windows/0", {"services": ["A"]}, 400, "bad_window"),
        web("PUT", "/windows/9", {"services": ["A"], "floor": 2}, 400, "unknown_field"),
        web("PUT", "/windows/7", {"call_order": "fastest"}, 400, "bad_call_order"),
        web("PUT", "/windows/9", {"services": ["A"], "call_order": None}, 400, "bad_call_order"),
        ("DELETE", "/windows/99", None, 404, "window_not_found"),
        ("PUT", "/users/w9", {"role": "staff"}, 400, "missing_field"),
        web("PUT", "/users/w9", {"role": "staff", "password": "123"}, 400, "bad_password"),
        web("PUT", "/users/w9", {"role": "admin", "password": "secret1"}, 400, "bad_value"),
        ("PUT", "/users/w9", {"role": "staff", "password": "secret1", "window": 42}, 404,
         "window_not_found"),
        web("PUT", "/users/bad name", {"role": "staff"}, 400, "bad_username"),
        ("PUT", "/users/manager", {"disabled": True}, 409, "cannot_disable_self"),
        ("DELETE", "/users/manager", None, 409, "cannot_delete_self"),
        ("DELETE", "/users/nobody", None, 404, "user_not_found"),
    ],
)  # fmt: skip
async def test_bad_layout_changes_are_refused_and_change_nothing(
    api: Api, method: str, path: str, body: Any, status: int, code: str
) -> None:
    before = await api.hall()
    got, answer = await manager(api, method, path, body)
    assert_error(got, answer, status)
    assert answer["error"]["code"] == code
    after = await api.hall()
    assert after == before
    status, log = await manager(api, "GET", "/audit")
    assert log["entries"] == []


async def test_a_window_and_a_service_are_removed_when_free(api: Api) -> None:
    await manager(api, "PUT", "/services/D", {"name": "临时"})
    await manager(api, "PUT", "/windows/9", {"services": ["D"]})
    await api.issue("D")
    status, body = await manager(api, "DELETE", "/services/D")
    assert body["error"]["code"] == "service_in_use"  # window 9 calls it
    await api.window(9, "call-next", user="manager")  # D001 at window 9
    status, body = await manager(api, "DELETE", "/windows/9")
    assert_error(status, body, 409)
    assert body["error"]["code"] == "window_busy"
    await api.window(9, "finish", user="manager")
    assert (await manager(api, "DELETE", "/windows/9"))[0] == 200
    assert (await manager(api, "DELETE", "/services/D"))[0] == 200
    hall = await api.hall()
    assert [s["code"] for s in hall["services"]] == ["A", "B", "C"]
    assert [w["number"] for w in hall["windows"]] == list(range(1, 9))


async def test_a_display_name_and_staff_number_for_the_window_screen(api: Api) -> None:
    """Kept trimmed; too long is a clear 400 that changes nothing."""
    status, body = await manager(api, "PUT", "/users/w3", {"display_name": "赵" * 65})
    assert_error(status, body, 400)  # the window screen's name: 64 characters at most
    assert body["error"]["code"] == "wrong_type"
    shown = {"display_name": " 赵敏 ", "staff_no": "C9"}
    status, body = await manager(api, "PUT", "/users/w3", shown)
    assert (status, body["display_name"], body["staff_no"]) == (200, "赵敏", "C9")
    status, body = await manager(api, "PUT", "/users/w3", {"staff_no": "C" * 33})
    assert_error(status, body, 400)
    users = (await manager(api, "GET", "/users"))[1]["users"]
    w3 = next(u for u in users if u["username"] == "w3")
    assert (w3["display_name"], w3["staff_no"]) == ("赵敏", "C9")


async def test_staff_accounts_are_kept_by_the_manager(api: Api) -> None:
    status, body = await manager(api, "PUT", "/users/w9", {
        "role": "staff", "password": "s3cret!", "window": 8,
    })  # fmt: skip
    assert status == 201, body
    assert body == {"username": "w9", "role": "staff", "window": 8, "disabled": False,
                    "display_name": "", "staff_no": ""}  # fmt: skip
    status, login = await api.request(
        "POST", "/api/v1/login", {"username": "w9", "password": "s3cret!"}
    )
    assert (status, login["hall"], login["window"]) == (200, "demo", 8)
    token = login["token"]
    status, _ = await manager(api, "PUT", "/users/w9", {"disabled": True})
    assert status == 200
    status, body = await api.request("GET", "/api/v1/me", token=token)
    assert_error(status, body, 401)  # disabling ends the sessions
    status, body = await manager(api, "GET", "/users")
    assert [u["username"] for u in body["users"]] == [
        "manager", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9",
    ]  # fmt: skip
    assert body["users"][-1]["disabled"] is True
    assert (await manager(api, "DELETE", "/users/w9"))[0] == 200
    status, log = await manager(api, "GET", "/audit")
    actions = [(e["action"], e["detail"]) for e in reversed(log["entries"])]
    assert actions[0] == (
        "user.created",
        {"username": "w9", "role": "staff", "window": 8, "password": "changed"},
    )
    assert [a for a, _ in actions] == ["user.created", "user.changed", "user.deleted"]
    assert "s3cret" not in str(log)


async def test_staff_may_not_edit_the_layout(api: Api) -> None:
    token = await api.login("w1")
    for method, path in [("PUT", "/services/D"), ("PUT", "/windows/9"), ("GET", "/users"),
                         ("PUT", "/users/w1"), ("DELETE", "/users/w2")]:  # fmt: skip
        status, body = await api.request(method, DEMO + path, {"name": "x"}, token=token)
        assert_error(status, body, 403)


async def test_a_priority_ratio_lets_normal_tickets_through(api: Api) -> None:
    """Ratio 2 on A: one priority ticket per two normal ones, the day starting with one due;
    strict on B."""
    await manager(api, "PUT", "/services/A", {"priority_ratio": 2})
    for priority in (False, False, False, True, True, True):
        await api.issue("A", priority)  # A001-A003 normal, A004-A006 priority
    assert await calls(api, 1, 7) == ["A004", "A001", "A002", "A005", "A003", "A006", None]
    await api.issue("B")
    await api.issue("B", priority=True)
    assert await calls(api, 5, 2) == ["B002", "B001"]  # strict: priority first


async def test_a_window_in_service_order_calls_its_first_service_first(api: Api) -> None:
    """Window 7 (A, B, C) set to take its services in order: A while anyone waits for it, then
    B, then C, whoever came first; its console lists the queue in that order; the change keeps
    the window's name and services and is audited; window 8 (A, B, C) still takes first come."""
    status, body = await manager(api, "PUT", "/windows/7", {"call_order": "services"})
    assert status == 200, body
    seven = next(w for w in body["windows"] if w["number"] == 7)
    assert seven == {"number": 7, "name": "7号窗口", "services": ["A", "B", "C"],
                     "call_order": "services"}  # fmt: skip
    for service in "CBAAC":
        await api.issue(service)  # C001 B001 A001 A002 C002
    token = await api.login("w7")
    status, desk = await api.request("GET", DEMO + "/windows/7/desk", token=token)
    assert status == 200, desk
    listed = [t["number"] for t in desk["queue"]["tickets"]]
    assert listed == ["A001", "A002", "B001", "C001", "C002"]
    assert await calls(api, 8, 1) == ["C001"]  # first come across all
    assert await calls(api, 7, 5) == ["A001", "A002", "B001", "C002", None]
    status, log = await manager(api, "GET", "/audit")
    change = next(e for e in log["entries"] if e["action"] == "window.changed")
    assert change["detail"]["call_order"] == "services"
    status, body = await manager(api, "PUT", "/windows/7", {"call_order": "queue"})
    assert next(w for w in body["windows"] if w["number"] == 7)["call_order"] == "queue"


async def add_admin(db_url: str) -> None:
    """An admin of every hall, `root` (password `rootpass`): the demo has none."""
    db = Database(db_url)
    await db.start()
    try:
        await add_user(db, "root", "rootpass", Role.ADMIN, None)
    finally:
        await db.close()


async def test_an_admin_creates_a_hall_and_lays_it_out(api: Api, db_url: str) -> None:
    await add_admin(db_url)
    admin = await api.login("root", "rootpass")
    body = {"hall": "east", "name": "东区分中心", "name_en": "East branch",
            "timezone": "Asia/Shanghai"}  # fmt: skip
    status, created = await api.request("POST", "/api/v1/halls", body, token=admin)
    assert status == 201, created
    assert (created["hall"], created["name"], created["services"]) == ("east", "东区分中心", [])
    assert created["almost_turn_ahead"] == 3  # the phone's 快到您了, as an older hall's
    status, again = await api.request("POST", "/api/v1/halls", body, token=admin)
    assert_error(status, again, 409)
    assert again["error"]["code"] == "hall_exists"
    for path, change in [("/services/A", {"name": "社保"}), ("/windows/1", {"services": ["A"]})]:
        status, _ = await api.request("PUT", "/api/v1/halls/east" + path, change, token=admin)
        assert status == 201
    ticket = await api.issue("A", hall="east")
    assert ticket["number"] == "A001"
    status, answer = await api.window(1, "call-next", user="root", hall="east")
    assert answer["called"]["number"] == "A001"
    halls = (await api.request("GET", "/api/v1/halls"))[1]["halls"]
    assert [h["hall"] for h in halls] == ["demo", "east"]


@pytest.mark.parametrize(
    ("body", "user", "status", "code"),
    [
        web({"hall": "x", "name": "X", "timezone": "Asia/Shanghai"}, "manager", 403, "wrong_role"),
        web(
            {"hall": "x y", "name": "X", "timezone": "Asia/Shanghai"}, "root", 400, "bad_hall_code"
        ),
        web({"hall": "x", "name": " ", "timezone": "Asia/Shanghai"}, "root", 400, "missing_field"),
        web({"hall": "x", "name": "X", "timezone": "Mars/Olympus"}, "root", 400, "bad_timezone"),
        web({"hall": "x", "name": "X", "timezone": "../etc"}, "root", 400, "bad_timezone"),
        web(
            {"hall": "x", "name": "X", "timezone": "UTC", "floor": 1}, "root", 400, "unknown_field"
        ),
        ({"hall": "demo", "name": "X", "timezone": "UTC"}, "root", 409, "hall_exists"),
    ],
)
async def test_bad_halls_are_refused(
    api: Api, db_url: str, body: Any, user: str, status: int, code: str
) -> None:
    await add_admin(db_url)
    token = await api.login(user, "rootpass" if user == "root" else "demo")
    got, answer = await api.request("POST", "/api/v1/halls", body, token=token)
    assert_error(got, answer, status)
    assert answer["error"]["code"] == code
    assert [h["hall"] for h in (await api.request("GET", "/api/v1/halls"))[1]["halls"]] == ["demo"]
