"""The audit log (GET /api/v1/halls/{hall}/audit): settings changes and every staff action,
with who did it, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime

import pytest

from ..helpers import Api
from .test_api_windows import assert_error

AUDIT = "/api/v1/halls/demo/audit"


async def entries(api: Api, query: str = "") -> list[dict[str, object]]:
    status, body = await api.request("GET", AUDIT + query, token=await api.login("manager"))
    assert status == 200, body
    return body["entries"]  # type: ignore[no-any-return]


async def test_staff_actions_and_settings_changes_are_audited(api: Api) -> None:
    ticket = await api.issue("A")
    await api.issue("A")
    await api.window(1, "call-next")
    await api.window(1, "recall")
    await api.window(1, "call-next", {"finish": "pending"})
    await api.window(2, "pause", {"reason": "午休"}, user="manager")
    manager = await api.login("manager")
    status, _ = await api.request(
        "PATCH", "/api/v1/halls/demo/settings", {"notice": "今日下午停电检修"}, token=manager
    )
    assert status == 200
    status, _ = await api.request(
        "POST", f"/api/v1/tickets/{ticket['id']}/complete", token=await api.login("w3")
    )
    assert status == 200
    log = await entries(api)
    got = [(e["actor"], e["action"], e["window"], e["ticket"]) for e in reversed(log)]
    assert got == [
        ("w1", "ticket.called", 1, "A001"),
        ("w1", "ticket.recalled", 1, "A001"),
        ("w1", "ticket.finished", 1, "A001"),
        ("w1", "ticket.called", 1, "A002"),
        ("manager", "window.paused", 2, None),
        ("manager", "settings.changed", None, None),
        ("w3", "ticket.completed", 1, "A001"),
    ]
    assert log[1]["detail"] == {"notice": "今日下午停电检修"}
    finished = next(e for e in log if e["action"] == "ticket.finished")
    assert finished["detail"] == {"service": "A", "status": "done", "outcome": "pending"}
    assert log[2]["detail"] == {"reason": "午休"}
    stamps = [datetime.fromisoformat(str(e["at"])) for e in log]
    assert stamps == sorted(stamps, reverse=True)
    assert all(str(e["at"]).endswith("+08:00") for e in log)
    # citizens' and kiosks' tickets are not staff actions
    assert not any(e["action"] == "ticket.issued" for e in log)
    only_w1 = await entries(api, "?actor=w1&limit=2")
    assert [(e["action"], e["ticket"]) for e in only_w1] == [
        ("ticket.called", "A002"),
        ("ticket.finished", "A001"),
    ]


async def test_a_refused_action_leaves_no_audit_entry(api: Api) -> None:
    status, body = await api.window(1, "recall")  # nobody is at window 1
    assert_error(status, body, 409)
    status, body = await api.request(
        "PATCH", "/api/v1/halls/demo/settings", {"promise_s": 1},
        token=await api.login("manager"),
    )  # fmt: skip
    assert_error(status, body, 400)
    assert await entries(api) == []


async def test_takes_and_kiosk_changes_are_audited(api: Api) -> None:
    token = await api.login("w4")
    await api.request("POST", "/api/v1/halls/demo/windows/4/take", token=token)
    manager = await api.login("manager")
    await api.request("PUT", "/api/v1/halls/demo/kiosks/K1", {"name": "东门"}, token=manager)
    await api.request("DELETE", "/api/v1/halls/demo/kiosks/K1", token=manager)
    got = [(e["actor"], e["action"]) for e in reversed(await entries(api))]
    assert got == [
        ("w4", "window.taken"),
        ("manager", "kiosk.created"),
        ("manager", "kiosk.deleted"),
    ]


@pytest.mark.parametrize(
    ("query", "user", "status"),
    [("", None, 401), ("", "w1", 403), ("?date=2026-13-01", "manager", 400),
     ("?limit=0", "manager", 400), ("?limit=x", "manager", 400)],
)  # fmt: skip
@pytest.mark.engine_independent
async def test_audit_needs_a_manager_and_good_parameters(
    api: Api, query: str, user: str | None, status: int
) -> None:
    token = await api.login(user) if user else None
    got, body = await api.request("GET", AUDIT + query, token=token)
    assert_error(got, body, status)


async def test_an_earlier_day_is_empty_not_an_error(api: Api) -> None:
    await api.window(1, "pause", {"reason": "x"})
    assert await entries(api, "?date=2020-01-01") == []
