"""Contract, section Statistics: a day built through the API, its figures recomputed here from
the manager's ticket list with the contract's own definitions, and the CSV form of the same."""

from __future__ import annotations

import asyncio
import csv
import io
import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ..helpers import Api

TZ = ZoneInfo("Asia/Shanghai")
COUNTS = ("issued", "called", "served", "no_show", "cancelled", "waiting", "completed_same_day")
SUMMARIES = ("wait_s", "service_s")
POINTS = ("avg", "p50", "p90", "max")
SECONDS_TOLERANCE = 0.002  # the list shows milliseconds, the server rounds to 3 decimals
RATE_TOLERANCE = 1e-4  # the server rounds the rate to 4 decimals


def today() -> str:
    return datetime.now(TZ).date().isoformat()


def at(stamp: str | None) -> datetime | None:
    return None if stamp is None else datetime.fromisoformat(stamp)


# -- the contract's definitions, written again here ------------------------------------------


def nearest_rank(ordered: list[float], p: float) -> float:
    """The ⌈p·n⌉-th smallest value."""
    return ordered[math.ceil(p * len(ordered)) - 1]


def summary(values: list[float]) -> dict[str, float | None]:
    if not values:
        return dict.fromkeys(POINTS)
    ordered = sorted(values)
    return {
        "avg": sum(ordered) / len(ordered),
        "p50": nearest_rank(ordered, 0.5),
        "p90": nearest_rank(ordered, 0.9),
        "max": ordered[-1],
    }


def is_served(t: dict[str, Any]) -> bool:
    return t["outcome"] in ("completed", "pending")


def expected_figures(tickets: list[dict[str, Any]], day: str) -> dict[str, Any]:
    """Counts, rate and summaries of one group, straight from the contract's wording."""
    served = [t for t in tickets if is_served(t)]
    same_day = [
        t
        for t in served
        if t["outcome"] == "completed"
        and t["completed_at"] is not None
        and at(t["completed_at"]).astimezone(TZ).date().isoformat() == day  # type: ignore[union-attr]
    ]
    waits = [
        (at(t["called_at"]) - at(t["issued_at"])).total_seconds()  # type: ignore[operator]
        for t in tickets
        if t["called_at"] is not None
    ]
    services = [
        (at(t["finished_at"]) - at(t["called_at"])).total_seconds()  # type: ignore[operator]
        for t in served
    ]
    return {
        "issued": len(tickets),
        "called": sum(1 for t in tickets if t["called_at"] is not None),
        "served": len(served),
        "no_show": sum(1 for t in tickets if t["status"] == "no_show"),
        "cancelled": sum(1 for t in tickets if t["status"] == "cancelled"),
        "waiting": sum(1 for t in tickets if t["status"] == "waiting"),
        "completed_same_day": len(same_day),
        "same_day_completion_rate": len(same_day) / len(served) if served else None,
        "wait_s": summary(waits),
        "service_s": summary(services),
    }


def assert_figures(got: dict[str, Any], want: dict[str, Any], where: str) -> None:
    for name in COUNTS:
        assert got[name] == want[name], (where, name, got[name], want[name])
    rate, want_rate = got["same_day_completion_rate"], want["same_day_completion_rate"]
    if want_rate is None:
        assert rate is None, (where, rate)
    else:
        assert rate == pytest.approx(want_rate, abs=RATE_TOLERANCE), (where, rate, want_rate)
    for group in SUMMARIES:
        for point in POINTS:
            value, expected = got[group][point], want[group][point]
            if expected is None:
                assert value is None, (where, group, point, value)
            else:
                assert value == pytest.approx(expected, abs=SECONDS_TOLERANCE), (
                    where, group, point, value, expected,
                )  # fmt: skip


def assert_groups(got: dict[str, Any], groups: dict[str, list[dict[str, Any]]], day: str) -> None:
    """Every non-empty group is present and right; any extra key is an empty group."""
    assert set(groups) <= set(got), (sorted(groups), sorted(got))
    for key, fig in got.items():
        assert_figures(fig, expected_figures(groups.get(key, []), day), key)


# -- building the day -------------------------------------------------------------------------


async def step(api: Api, window: int, action: str, body: Any = None) -> Any:
    await asyncio.sleep(0.01)  # distinct, non-zero times
    status, answer = await api.window(window, action, body)
    assert status == 200, (window, action, answer)
    return answer


async def build_day(api: Api) -> dict[str, dict[str, Any]]:
    """A known mix: completed, pending then completed, pending, no-show, a no-show who came back,
    cancelled, transferred (served elsewhere, or waiting again), current, still waiting."""
    issued = {}
    for service, priority in [("A", False), ("A", False), ("A", False), ("A", False),
                              ("A", True), ("B", False), ("B", False), ("C", False),
                              ("C", False), ("A", False), ("A", False), ("B", False)]:  # fmt: skip
        ticket = await api.issue(service, priority=priority)
        issued[ticket["number"]] = ticket
        await asyncio.sleep(0.005)
    assert (await step(api, 1, "call-next"))["called"]["number"] == "A005"  # priority
    assert (await step(api, 1, "call-next"))["called"]["number"] == "A001"
    assert (await step(api, 2, "call-next"))["called"]["number"] == "A002"
    assert (await step(api, 3, "call-next"))["called"]["number"] == "A003"
    assert (await step(api, 4, "call-next"))["called"]["number"] == "A004"
    body = await step(api, 1, "call-next", {"finish": "pending"})
    assert body["called"]["number"] == "A006"
    await step(api, 2, "finish", {"outcome": "no_show"})
    await step(api, 3, "transfer", {"service": "B"})
    await step(api, 4, "finish", {"outcome": "completed"})
    assert (await step(api, 5, "call-next"))["called"]["number"] == "A003"  # issued before B001
    assert (await step(api, 5, "call-next"))["called"]["number"] == "B001"
    assert (await step(api, 6, "call-next"))["called"]["number"] == "B002"
    await step(api, 6, "finish", {"outcome": "pending"})
    assert (await step(api, 7, "call-next"))["called"]["number"] == "C001"
    await step(api, 7, "finish", {"outcome": "completed"})
    status, _ = await api.request("POST", f"/api/v1/tickets/{issued['A007']['id']}/cancel")
    assert status == 200
    assert (await step(api, 8, "call-next"))["called"]["number"] == "C002"
    await step(api, 8, "transfer", {"service": "A"})
    await step(api, 1, "finish", {"outcome": "no_show"})  # A006
    await step(api, 2, "call", {"number": "A002"})  # came back
    await step(api, 2, "finish", {"outcome": "completed"})
    await asyncio.sleep(0.01)
    token = await api.login("manager")
    status, _ = await api.request(
        "POST", f"/api/v1/tickets/{issued['A001']['id']}/complete", token=token
    )
    assert status == 200
    return issued


async def get_stats(api: Api, query: str) -> tuple[int, Any]:
    token = await api.login("manager")
    return await api.request("GET", f"/api/v1/halls/demo/stats?{query}", token=token)


async def todays_stats(api: Api) -> dict[str, Any]:
    status, stats = await get_stats(api, f"date={today()}")
    assert status == 200, stats
    return stats  # type: ignore[no-any-return]


async def stats_csv(api: Api, day: str) -> list[list[str]]:
    """GET /stats?format=csv, parsed with the csv module."""
    token = await api.login("manager")
    url = f"{api.base}/api/v1/halls/demo/stats?date={day}&format=csv"
    async with api.session.get(url, headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200
        assert resp.content_type == "text/csv"
        return list(csv.reader(io.StringIO(await resp.text())))


# -- the tests --------------------------------------------------------------------------------


async def test_stats_match_a_recomputation_from_the_ticket_list(api: Api) -> None:
    """Every figure of GET /stats equals the contract's definition applied to the day's tickets:
    hall totals, per_service (by the ticket's service) and per_window (the finishing window)."""
    await build_day(api)
    day = today()
    status, stats = await get_stats(api, f"date={day}")
    assert status == 200, stats
    tickets = await api.day_tickets()
    assert stats["date"] == day

    # A few figures known from the scenario itself, so that list and stats cannot agree wrongly.
    assert stats["issued"] == 12
    assert stats["called"] == 10  # all but A007 (cancelled) and B003
    assert stats["served"] == 7  # A005 A001 A004 A003 B002 C001 A002
    assert stats["completed_same_day"] == 6  # B002 is still pending
    assert (stats["no_show"], stats["cancelled"], stats["waiting"]) == (1, 1, 2)
    assert stats["same_day_completion_rate"] == pytest.approx(6 / 7, abs=RATE_TOLERANCE)

    assert_figures(stats, expected_figures(tickets, day), "hall")
    by_service: dict[str, list[dict[str, Any]]] = {}
    by_window: dict[str, list[dict[str, Any]]] = {}
    for t in tickets:
        by_service.setdefault(t["service"], []).append(t)
        if t["finished_at"] is not None and t["window"] is not None:
            by_window.setdefault(str(t["window"]), []).append(t)
    assert set(by_service) == {"A", "B", "C"}
    assert set(by_window) == {"1", "2", "4", "5", "6", "7"}  # 3 and 8 only transferred
    assert_groups(stats["per_service"], by_service, day)
    assert_groups(stats["per_window"], by_window, day)
    assert stats["per_window"]["1"]["issued"] == 3  # A005, A001 (pending → completed), A006
    assert stats["per_window"]["5"]["served"] == 1  # the transferred A003


async def test_completed_later_on_the_same_day_counts_as_same_day(api: Api) -> None:
    """A pending matter completed later that day counts in completed_same_day; still pending
    does not; nothing served gives a null rate."""
    ticket = await api.issue("C")
    stats = await todays_stats(api)
    assert stats["served"] == 0
    assert stats["same_day_completion_rate"] is None
    await step(api, 7, "call-next")
    await step(api, 7, "finish", {"outcome": "pending"})
    stats = await todays_stats(api)
    assert (stats["served"], stats["completed_same_day"]) == (1, 0)
    assert stats["same_day_completion_rate"] == 0
    assert stats["service_s"]["max"] is not None
    token = await api.login("w7")
    status, _ = await api.request("POST", f"/api/v1/tickets/{ticket['id']}/complete", token=token)
    assert status == 200
    stats = await todays_stats(api)
    assert (stats["served"], stats["completed_same_day"]) == (1, 1)
    assert stats["same_day_completion_rate"] == 1
    assert stats["per_window"]["7"]["completed_same_day"] == 1


async def test_csv_has_the_same_values_as_json(api: Api) -> None:
    """?format=csv: a header row, the hall row, one row per service and per window; every value
    equals the JSON's (empty for null)."""
    await build_day(api)
    day = today()
    status, stats = await get_stats(api, f"date={day}")
    assert status == 200
    header, *rows = await stats_csv(api, day)
    assert len(rows) == 1 + len(stats["per_service"]) + len(stats["per_window"])
    records = [dict(zip(header, row, strict=True)) for row in rows]
    assert records[0]["scope"] == "hall"
    expected = [("hall", "", stats)]
    expected += [("service", k, v) for k, v in stats["per_service"].items()]
    expected += [("window", k, v) for k, v in stats["per_window"].items()]
    assert [(r["scope"], r["key"]) for r in records] == [(s, k) for s, k, _ in expected]
    for record, (_scope, _key, fig) in zip(records, expected, strict=True):
        assert record["date"] == day
        flat = {name: fig[name] for name in (*COUNTS, "same_day_completion_rate")}
        for group in SUMMARIES:
            flat.update({f"{group}_{p}": fig[group][p] for p in POINTS})
        assert set(flat) <= set(header)
        for name, value in flat.items():
            if value is None:
                assert record[name] == "", (name, record[name])
            else:
                assert float(record[name]) == pytest.approx(value, abs=1e-9), name


@pytest.mark.engine_independent
async def test_bad_format_and_bad_date_are_400(api: Api) -> None:
    """format must be json or csv and date YYYY-MM-DD: else 400, never a 500."""
    for query in ("format=xml", f"date={today()}&format=pdf", "date=2024-02-30", "date=today"):
        status, body = await get_stats(api, query)
        assert status == 400, (query, body)
        assert body["error"]["code"]


async def test_stats_are_for_managers(api: Api) -> None:
    """Managers read statistics: no token → 401, staff → 403."""
    status, _ = await api.request("GET", "/api/v1/halls/demo/stats")
    assert status == 401
    token = await api.login("w1")
    status, _ = await api.request("GET", "/api/v1/halls/demo/stats", token=token)
    assert status == 403


async def test_another_day_is_all_zeros_with_null_summaries(api: Api) -> None:
    """A day with no tickets: every count 0, the rate and every summary null."""
    await build_day(api)
    other = (datetime.now(TZ).date() - timedelta(days=3)).isoformat()
    status, stats = await get_stats(api, f"date={other}")
    assert status == 200, stats
    assert stats["date"] == other
    assert all(stats[name] == 0 for name in COUNTS), stats
    assert stats["same_day_completion_rate"] is None
    assert all(stats[g][p] is None for g in SUMMARIES for p in POINTS)
    for group in ("per_service", "per_window"):
        for key, fig in stats[group].items():
            assert_figures(fig, expected_figures([], other), f"{group} {key}")
    header, hall, *_rest = await stats_csv(api, other)
    record = dict(zip(header, hall, strict=True))
    assert all(record[name] == "0" for name in COUNTS), record
    assert record["same_day_completion_rate"] == ""
    assert all(record[f"{g}_{p}"] == "" for g in SUMMARIES for p in POINTS), record
