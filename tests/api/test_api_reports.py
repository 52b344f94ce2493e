"""The manager's reports over HTTP: GET …/report (a day), …/trend (days), …/export (CSV, XLSX).

Today's day is driven through the API and checked against a recomputation from the manager's
ticket list; past days come from tests/report_history.py, with exact known figures."""

from __future__ import annotations

import bisect
import codecs
import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from callnext.runtime.config import Settings

from ..helpers import Api, running_app
from ..report_history import D1, D2, OLD, TZ, build_history, day
from .test_api_stats import at, build_day

TICKET_HEADER = [
    "day", "number", "service", "service_name", "priority", "status", "outcome",
    "closed_reason", "window", "issued_at", "called_at", "finished_at", "completed_at",
    "wait_s", "service_s", "recalls", "transfers", "staff", "rating",
    "followup", "followup_due", "followup_overdue", "followup_assignee", "followup_note",
]  # fmt: skip
EDGES_MIN = [0, 5, 10, 15, 20, 30, 45, 60]


@pytest.fixture
async def past(settings: Settings) -> AsyncIterator[Api]:
    """A server on a database that already holds the demo hall's history."""
    await build_history(settings.db_url)
    async with running_app(settings) as client:
        yield client


async def get(api: Api, path: str, user: str | None = "manager") -> tuple[int, Any]:
    token = await api.login(user) if user else None
    return await api.request("GET", f"/api/v1/halls/demo/{path}", token=token)


async def download(api: Api, query: str) -> tuple[bytes, dict[str, str]]:
    token = await api.login("manager")
    url = f"{api.base}/api/v1/halls/demo/export?{query}"
    async with api.session.get(url, headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.read(), dict(resp.headers)


# -- today, through the API, against a recomputation ----------------------------------------


def seconds(later: str, earlier: str) -> float:
    return (at(later) - at(earlier)).total_seconds()  # type: ignore[operator]


def local_hour(stamp: str | None, on: str) -> int | None:
    if stamp is None:
        return None
    moment = at(stamp).astimezone(TZ)  # type: ignore[union-attr]
    return moment.hour if moment.date().isoformat() == on else None


def recompute(tickets: list[dict[str, Any]], on: str, targets: dict[str, int], now: str) -> Any:
    """The report's additions, from the ticket list and the definitions in docs/reports.md."""
    called = [t for t in tickets if t["called_at"] is not None]
    waits = {t["number"]: seconds(t["called_at"], t["issued_at"]) for t in called}
    within = [t for t in called if waits[t["number"]] <= targets[t["service"]]]
    served = [t for t in tickets if t["outcome"] in ("completed", "pending")]
    accepted = [
        t for t in served
        if t["outcome"] == "pending" or seconds(t["completed_at"], t["finished_at"]) > 0
    ]  # fmt: skip
    in_time = [t for t in accepted if t["outcome"] == "completed"
               and seconds(t["completed_at"], t["finished_at"]) <= 3600]  # fmt: skip
    hourly = [{"hour": h, "arrivals": 0, "calls": 0, "served": 0} for h in range(24)]
    for field, stamp in [
        *(("arrivals", t["issued_at"]) for t in tickets),
        *(("calls", t["called_at"]) for t in tickets),
        *(("served", t["finished_at"]) for t in served),
    ]:
        hour = local_hour(stamp, on)
        if hour is not None:
            hourly[hour][field] += 1
    histogram = [0] * len(EDGES_MIN)
    for wait in waits.values():
        histogram[bisect.bisect_right(EDGES_MIN, wait / 60) - 1] += 1
    waiting = sorted((t for t in tickets if t["status"] == "waiting"), key=lambda t: t["issued_at"])
    return {
        "service_level": {"called": len(called), "within_target": len(within)},
        "pending": len(accepted),
        "completed_in_time": len(in_time),
        "open": sum(1 for t in accepted if t["outcome"] == "pending"),
        "hourly": hourly,
        "histogram": histogram,
        "longest": waiting[0]["number"] if waiting else None,
        "longest_s": seconds(now, waiting[0]["issued_at"]) if waiting else None,
    }


async def test_todays_report_matches_a_recomputation(api: Api) -> None:
    """The contract's figures equal GET /stats; each addition equals its definition applied
    to the manager's ticket list."""
    await build_day(api)
    on = day(0)
    status, got = await get(api, f"report?date={on}")
    assert status == 200, got
    _, stats = await get(api, f"stats?date={on}")
    for name, value in stats.items():
        if name != "per_service":
            assert got[name] == value, name
    for code, fig in stats["per_service"].items():
        assert {k: v for k, v in got["per_service"][code].items() if k != "service_level"} == fig
    tickets = await api.day_tickets()
    _, settings = await get(api, "settings")
    targets = {s["code"]: s["target_wait_s"] for s in settings["services"]}
    want = recompute(tickets, on, targets, got["now"])
    level = got["service_level"]
    assert {k: level[k] for k in ("called", "within_target")} == want["service_level"]
    assert level["rate"] == round(level["within_target"] / level["called"], 4)
    promise = got["promise_met"]
    assert promise["pending"] == want["pending"] == 2  # A001 (completed later) and B002
    assert promise["completed_in_time"] == want["completed_in_time"] == 1
    assert promise["open_in_time"] + promise["overdue_open"] == want["open"] == 1
    if local_hour(got["now"], on) is not None:  # not across midnight
        assert got["hourly"] == want["hourly"]
    assert [b["count"] for b in got["wait_histogram"]] == want["histogram"]
    assert got["longest_waiting"]["number"] == want["longest"]
    assert got["longest_waiting"]["waited_s"] == pytest.approx(want["longest_s"], abs=1)
    throughput = got["per_window_throughput"]
    assert set(throughput) == set(got["per_window"])
    for number, row in throughput.items():
        assert row["served"] == got["per_window"][number]["served"]
        assert row["service_s_avg"] == got["per_window"][number]["service_s"]["avg"]
        mine = [t for t in tickets if str(t["window"]) == number and t["finished_at"]]
        assert at(row["first_call_at"]) == min(at(t["called_at"]) for t in mine)  # type: ignore[type-var]
        assert at(row["last_finish_at"]) == max(at(t["finished_at"]) for t in mine)  # type: ignore[type-var]


# -- past days with known figures ------------------------------------------------------------


def stamp(offset: int, clock: str) -> str:
    return f"{day(offset)}T{clock}.000+08:00"


async def test_a_past_days_report_has_the_known_figures(past: Api) -> None:
    status, got = await get(past, f"report?date={day(D1)}")
    assert status == 200, got
    assert (got["date"], got["issued"], got["called"], got["served"]) == (day(D1), 5, 4, 3)
    assert (got["no_show"], got["cancelled"], got["waiting"], got["expired"]) == (1, 1, 0, 0)
    assert got["wait_s"] == {"avg": 1522.5, "p50": 570.0, "p90": 3540.0, "max": 3540.0}
    assert got["service_level"] == {"called": 4, "within_target": 2, "rate": 0.5}
    assert got["per_service"]["A"]["service_level"]["rate"] == 0.6667
    assert got["promise_met"] == {
        "promise_s": 3600, "pending": 1, "completed_in_time": 0, "completed_late": 1,
        "overdue_open": 0, "open_in_time": 0, "rate": 0.0,
    }  # fmt: skip
    busy = {r["hour"]: (r["arrivals"], r["calls"], r["served"]) for r in got["hourly"]
            if r["arrivals"] or r["calls"] or r["served"]}  # fmt: skip
    assert busy == {9: (4, 3, 2), 10: (0, 1, 1), 14: (1, 0, 0)}
    assert [b["count"] for b in got["wait_histogram"]] == [0, 2, 0, 0, 1, 0, 1, 0]
    assert got["per_window_throughput"] == {
        "1": {"served": 2, "service_s_avg": 750.0, "first_call_at": stamp(D1, "09:05:00"),
              "last_finish_at": stamp(D1, "09:35:00")},
        "5": {"served": 1, "service_s_avg": 1200.0, "first_call_at": stamp(D1, "10:00:00"),
              "last_finish_at": stamp(D1, "10:20:00")},
    }  # fmt: skip
    assert got["longest_waiting"] is None
    status, yesterday = await get(past, f"report?date={day(D2)}")
    assert status == 200
    assert (yesterday["promise_met"]["overdue_open"], yesterday["promise_met"]["rate"]) == (1, 0)
    status, admin = await get(past, f"report?date={day(D1)}", user="boss")
    assert status == 200
    assert admin["promise_met"] == got["promise_met"]


D1_TREND = {
    "issued": 5, "called": 4, "served": 3, "no_show": 1, "cancelled": 1, "waiting": 0,
    "completed_same_day": 3, "same_day_completion_rate": 1.0, "wait_s_avg": 1522.5,
    "wait_s_p90": 3540.0, "service_s_avg": 900.0,
    "matters": 0, "one_trip": 0, "one_trip_rate": None,  # no real-name tickets
}  # fmt: skip
D2_TREND = {
    "issued": 2, "called": 2, "served": 2, "no_show": 0, "cancelled": 0, "waiting": 0,
    "completed_same_day": 1, "same_day_completion_rate": 0.5, "wait_s_avg": 450.0,
    "wait_s_p90": 600.0, "service_s_avg": 300.0,
    "matters": 0, "one_trip": 0, "one_trip_rate": None,  # no real-name tickets
}  # fmt: skip
EMPTY_DAY = {
    "issued": 0, "called": 0, "served": 0, "no_show": 0, "cancelled": 0, "waiting": 0,
    "completed_same_day": 0, "same_day_completion_rate": None, "wait_s_avg": None,
    "wait_s_p90": None, "service_s_avg": None,
    "matters": 0, "one_trip": 0, "one_trip_rate": None,  # no real-name tickets
}  # fmt: skip


async def test_trend_defaults_to_the_30_days_ending_today(past: Api) -> None:
    await past.issue("A")  # today: one waiting
    status, got = await get(past, "trend")
    assert status == 200, got
    assert (got["hall"], got["from"], got["to"]) == ("demo", day(-29), day(0))
    assert [d["date"] for d in got["days"]] == [day(n) for n in range(-29, 1)]
    by_date = {d.pop("date"): d for d in got["days"]}
    assert by_date.pop(day(D1)) == D1_TREND
    assert by_date.pop(day(D2)) == D2_TREND
    assert by_date.pop(day(0)) == {**EMPTY_DAY, "issued": 1, "waiting": 1}
    assert all(d == EMPTY_DAY for d in by_date.values())


async def test_trend_of_a_given_range_up_to_366_days(past: Api) -> None:
    status, got = await get(past, f"trend?from={day(OLD)}&to={day(OLD + 1)}")
    assert status == 200, got
    assert [d["cancelled"] for d in got["days"]] == [1, 0]
    status, got = await get(past, f"trend?from={day(-365)}&to={day(0)}")
    assert status == 200, got
    assert len(got["days"]) == 366
    assert sum(d["issued"] for d in got["days"]) == 8
    status, got = await get(past, f"trend?to={day(D1)}")  # 30 days ending with `to`
    assert (got["from"], got["to"], len(got["days"])) == (day(D1 - 29), day(D1), 30)


# -- exports ---------------------------------------------------------------------------------


def csv_text(value: Any) -> str:
    """A cell of the workbook as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def comparable(text: str) -> str | float:
    """A number as a number (the workbook gives 300.0 back as 300), anything else as text."""
    try:
        return float(text)
    except ValueError:
        return text


async def test_csv_export_has_every_ticket_of_the_range(past: Api) -> None:
    """UTF-8 with a BOM, an attachment named after the hall and the range, one row per ticket
    by day then issue order, times in the hall's local time."""
    await past.issue("A")
    query = f"from={day(OLD)}&to={day(0)}&format=csv&raw=1"
    body, headers = await download(past, query)
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    name = f"callnext-demo-{day(OLD)}-{day(0)}.csv"
    assert headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert body.startswith(codecs.BOM_UTF8)
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header == TICKET_HEADER
    assert [(r[0], r[1]) for r in rows] == [
        (day(OLD), "A001"),
        *((day(D1), n) for n in ("A001", "A002", "B001", "A003", "A004")),
        (day(D2), "C001"), (day(D2), "B001"), (day(0), "A001"),
    ]  # fmt: skip
    d1 = day(D1)
    records = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in rows}
    assert list(records[(d1, "A002")].values()) == [
        d1, "A002", "A", "不动产登记", "0", "done", "completed", "", "1", f"{d1} 09:00:30",
        f"{d1} 09:10:00", f"{d1} 09:30:00", f"{d1} 11:00:00", "570.0", "1200.0", "0", "0", "", "",
        "", "", "", "", "",  # no rating, no follow-up
    ]  # fmt: skip
    no_show = records[(d1, "A003")]
    assert (no_show["status"], no_show["outcome"], no_show["completed_at"]) == ("no_show", "", "")
    assert (no_show["wait_s"], no_show["service_s"]) == ("1680.0", "")
    today = records[(day(0), "A001")]
    assert (today["status"], today["called_at"], today["wait_s"]) == ("waiting", "", "")
    _, default = await download(past, "raw=1")  # csv, the 30 days ending today
    assert default["Content-Disposition"].endswith(f'-{day(-29)}-{day(0)}.csv"')


async def test_xlsx_export_has_tickets_summary_and_services(past: Api) -> None:
    """The tickets sheet holds what the CSV holds; summary is the trend of the range; services
    has the hall's and each service's figures over the whole range."""
    await past.issue("A")
    query = f"from={day(OLD)}&to={day(0)}"
    body, headers = await download(past, query + "&format=xlsx&raw=1")
    assert headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert headers["Content-Disposition"].endswith(f'-{day(0)}.xlsx"')
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["tickets", "summary", "services"]
    csv_body, _ = await download(past, query + "&format=csv&raw=1")
    want = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))
    got = [[csv_text(v) for v in row] for row in book["tickets"].iter_rows(values_only=True)]
    assert [[comparable(c) for c in row] for row in got] == [
        [comparable(c) for c in row] for row in want
    ]
    issued_at = book["tickets"]["J3"].value  # day(D1)'s A001
    assert isinstance(issued_at, datetime)
    assert issued_at.isoformat() == f"{day(D1)}T09:00:00"

    _, trend = await get(past, f"trend?{query}")
    header, *days = book["summary"].iter_rows(values_only=True)
    assert [dict(zip(header, row, strict=True)) for row in days] == trend["days"]

    header, *rows = book["services"].iter_rows(values_only=True)
    services = {row[1] or "hall": dict(zip(header, row, strict=True)) for row in rows}
    assert list(services) == ["hall", "A", "B", "C"]
    a = services["A"]
    assert (a["name"], a["issued"], a["called"], a["served"]) == ("不动产登记", 6, 3, 2)
    assert (a["no_show"], a["cancelled"], a["waiting"], a["completed_same_day"]) == (1, 2, 1, 2)
    assert (a["wait_s_avg"], a["wait_s_p50"], a["wait_s_p90"]) == (850.0, 570.0, 1680.0)
    assert (a["service_s_avg"], a["service_s_p50"], a["service_s_max"]) == (750.0, 300.0, 1200.0)
    assert (a["service_level_within_target"], a["service_level"]) == (2, 0.6667)
    assert a["target_wait_s"] == 900
    b = services["B"]
    assert (b["issued"], b["same_day_completion_rate"], b["wait_s_p90"]) == (2, 0.5, 3540.0)
    assert (b["service_level_called"], b["service_level"]) == (2, 0.5)
    hall = services["hall"]
    assert hall["name"] == "演示政务服务中心"
    for name in ("issued", "called", "served", "no_show", "cancelled", "waiting"):
        assert hall[name] == sum(s[name] for k, s in services.items() if k != "hall"), name


# -- errors ----------------------------------------------------------------------------------

ERRORS = [
    # (path under the hall, user, status, code)
    ("report", None, 401, "missing_token"),
    ("trend", None, 401, "missing_token"),
    ("export", None, 401, "missing_token"),
    ("report", "w1", 403, "wrong_role"),
    ("trend", "w1", 403, "wrong_role"),
    ("export?format=xlsx", "w1", 403, "wrong_role"),
    ("report", "north-manager", 403, "wrong_hall"),
    ("export", "north-manager", 403, "wrong_hall"),
    ("report?date=2024-02-30", "manager", 400, "bad_date"),
    ("report?date=today", "manager", 400, "bad_date"),
    ("trend?from=2026-13-01", "manager", 400, "bad_date"),
    ("trend?to=yesterday", "manager", 400, "bad_date"),
    ("trend?from=2026-03-02&to=2026-03-01", "manager", 400, "bad_range"),
    ("trend?from=2025-01-01&to=2026-01-02", "manager", 400, "bad_range"),  # 367 days
    ("export?from=2026-03-02&to=2026-03-01", "manager", 400, "bad_range"),
    ("export?from=0001-01-01&to=9999-12-31", "manager", 400, "bad_range"),
    ("export?format=pdf", "manager", 400, "bad_format"),
    ("export?from=2026-1-1", "manager", 400, "bad_date"),
    ("export?lang=fr", "manager", 400, "bad_lang"),
    ("export?raw=yes", "manager", 400, "bad_value"),
    ("trend?to=0001-01-05", "manager", 200, None),  # the default start stops at year 1
]


async def test_errors_are_the_contracts_json_and_change_nothing(past: Api) -> None:
    before = (await past.hall())["seq"], await past.day_tickets()
    for path, user, status, code in ERRORS:
        got, body = await get(past, path, user)
        assert got == status, (path, user, body)
        if code is not None:
            assert set(body) == {"error"}, body
            assert body["error"]["code"] == code, (path, body)
            assert body["error"]["message"]
    token = await past.login("manager")
    for path in ("report", "trend", "export"):
        status, body = await past.request("GET", f"/api/v1/halls/nohall/{path}", token=token)
        assert (status, body["error"]["code"]) == (404, "hall_not_found")
        status, body = await past.request(
            "GET", f"/api/v1/halls/demo/{path}", headers={"Authorization": "Bearer nope"}
        )
        assert status == 401, body
    assert ((await past.hall())["seq"], await past.day_tickets()) == before
