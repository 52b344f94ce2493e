"""The demo hall answers as the contract describes it."""

from __future__ import annotations

from ..helpers import Api


async def test_demo_hall_matches_the_contract(api: Api) -> None:
    hall = await api.hall()
    assert hall["hall"] == "demo"
    assert hall["name"] == "演示政务服务中心"
    assert hall["timezone"] == "Asia/Shanghai"
    assert [s["code"] for s in hall["services"]] == ["A", "B", "C"]
    serving = {w["number"]: w["services"] for w in hall["windows"]}
    assert [n for n, s in serving.items() if "A" in s] == [1, 2, 3, 4, 7, 8]
    assert [n for n, s in serving.items() if "B" in s] == [5, 6, 7, 8]
    assert [n for n, s in serving.items() if "C" in s] == [7, 8]


async def test_issue_then_call_next(api: Api) -> None:
    ticket = await api.issue("A")
    assert ticket["number"] == "A001"
    status, body = await api.window(1, "call-next")
    assert status == 200
    assert body["finished"] is None
    assert body["called"]["id"] == ticket["id"]
    assert body["called"]["window"] == 1
