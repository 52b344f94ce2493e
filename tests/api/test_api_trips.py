"""Trips per matter (一次办结率) over the API, on SQLite and PostgreSQL: a history of real-name
tickets over 45 days (returns, no-shows, cancellations, a pending matter completed later, a
matter begun before the range), then …/stats, …/report and …/trend compared with a
recomputation here from the database's ticket rows (docs/reports.md's definition, written
again); the hall's trips_window_days; no answer ever holds a person digest."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import AsyncIterator
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from callnext.domain.hall_settings import parse_patch
from callnext.domain.identity import parse_person_keys, person_key
from callnext.domain.model import Finish
from callnext.runtime.config import Settings
from callnext.store.database import Database
from callnext.store.schema import tickets
from callnext.usecases import hall_config, ticketing, windows

from ..helpers import Api, running_app
from ..report_history import day, local
from .test_api_real_name import ALICE, new_keys

HALL = "/api/v1/halls/demo"
KEYS = parse_person_keys(new_keys("k1"))
WINDOW_DAYS = 10
SERVICE_WINDOW = {"B": 5, "C": 7}


def fake(name: str) -> str:
    """A stored digest for a made-up person (the domain only compares them)."""
    return "k1:" + name.encode().hex().ljust(64, "0")[:64]


P1, P2, P3, P4, P5, P6 = person_key(ALICE, KEYS[0]), *(fake(f"p{n}") for n in range(2, 7))
# (days from today, person, service, how it ends); "later": pending, completed at 18:00
HISTORY = [
    (-45, P6, "B", "completed"), (-33, P6, "B", "no_show"), (-27, P6, "B", "completed"),
    (-25, P3, "C", "no_show"), (-20, P1, "B", "no_show"), (-18, P1, "B", "completed"),
    (-14, P3, "C", "no_show"), (-12, P2, "B", "completed"), (-12, P2, "B", "cancelled"),
    (-8, P5, "C", "completed"), (-7, P5, "C", "completed"), (-5, P1, "B", "pending"),
    (-4, P3, "C", "completed"), (-3, P1, "B", "completed"), (-3, P2, "B", "cancelled"),
    (-2, P2, "B", "no_show"), (-1, P4, "B", "later"), (-1, P4, "C", "no_show"),
]  # fmt: skip


async def build(db_url: str) -> None:
    """B and C real-name (any number of tickets a day), the window at 10 days, the history."""
    db = Database(db_url)
    await db.start()
    try:
        body: dict[str, Any] = {
            "trips_window_days": WINDOW_DAYS,
            "services": {c: {"real_name": True, "person_daily_limit": None} for c in "BC"},
        }
        patch = parse_patch(await db.hall("demo"), body)
        await db.hall_write("demo", partial(hall_config.apply_settings_body, patch=patch,
                                            asked=body))  # fmt: skip
        for n, (offset, person, service, how) in enumerate(HISTORY):
            await act(db, day(offset), person, service, how, minute=n)
    finally:
        await db.close()


async def act(db: Database, on: str, person: str, service: str, how: str, minute: int) -> None:
    """One ticket issued at 9:mm, and how it ends (called and finished at 10:mm)."""

    async def at(hh: int, body: Any) -> Any:
        return await db.hall_write("demo", body, now=local(on, hh, minute))

    issue = partial(ticketing.issue_body, service=service, priority=False, key=None)
    ticket, _ = await at(9, partial(issue, persons=[person]))
    if how == "cancelled":
        await at(9, partial(ticketing.cancel_body, ticket_id=ticket["id"]))
        return
    window = SERVICE_WINDOW[service]
    await at(10, partial(windows.call_next_body, number=window, how=Finish.COMPLETED))
    finish = {"later": "pending"}.get(how, how)
    await at(11, partial(windows.finish_body, number=window, how=Finish(finish)))
    if how == "later":
        await at(18, partial(ticketing.complete_body, ticket_id=ticket["id"]))


@pytest.fixture
async def history(settings: Settings) -> AsyncIterator[tuple[Api, Settings]]:
    keyed = dataclasses.replace(settings, person_keys=KEYS)
    await build(keyed.db_url)
    async with running_app(keyed) as client:
        yield client, keyed


# -- the definition, written again --------------------------------------------------------


async def ticket_rows(db_url: str) -> list[dict[str, Any]]:
    db = Database(db_url)
    await db.start()
    try:
        t = tickets.c
        query = select(t.person, t.service, t.day, t.status, t.outcome, t.closed_reason)
        query = query.where(t.person.is_not(None))
        return await db.run_read(lambda conn: [dict(r._mapping) for r in conn.execute(query)])
    finally:
        await db.close()


def recompute(rows: list[dict[str, Any]], window: int, today: str) -> list[dict[str, Any]]:
    """Every matter: its service, first day, visits, state."""
    visits: dict[tuple[str, str], dict[str, bool]] = {}
    for r in rows:
        if r["status"] == "cancelled" and r["closed_reason"] != "expired":
            continue  # cancelled by its holder: no visit
        days = visits.setdefault((r["person"], r["service"]), {})
        days[r["day"]] = days.get(r["day"], False) or r["outcome"] == "completed"
    matters = []
    for (_, service), days in visits.items():
        ordered = sorted(days.items())
        matter: dict[str, Any] | None = None
        for d, completed in ordered:
            if matter is not None and matter["state"] is None and d <= matter["last"]:
                matter["visits"] += 1
            else:
                last = (date.fromisoformat(d) + timedelta(days=window - 1)).isoformat()
                matter = {"service": service, "first": d, "last": last, "visits": 1, "state": None}
                matters.append(matter)
            if completed:
                matter["state"] = "completed"
    for m in matters:
        if m["state"] is None:
            m["state"] = "open" if m["last"] >= today else "unfinished"
    return matters


def figures(matters: list[dict[str, Any]]) -> dict[str, Any]:
    done = [m for m in matters if m["state"] == "completed"]
    one = sum(1 for m in done if m["visits"] == 1)
    unfinished = sum(1 for m in matters if m["state"] == "unfinished")
    buckets = {"1": 0, "2": 0, "3": 0, "4+": 0}
    for m in done:
        buckets[str(m["visits"]) if m["visits"] < 4 else "4+"] += 1
    return {
        "matters": len(matters), "completed": len(done), "one_trip": one,
        "open": sum(1 for m in matters if m["state"] == "open"), "unfinished": unfinished,
        "one_trip_rate": round(one / (len(done) + unfinished), 4) if done or unfinished else None,
        "distribution": buckets,
        "mean_trips": round(sum(m["visits"] for m in done) / len(done), 3) if done else None,
    }  # fmt: skip


def expected(matters: list[dict[str, Any]], first: str, last: str) -> dict[str, Any]:
    begun = [m for m in matters if first <= m["first"] <= last]
    services = sorted({m["service"] for m in begun})
    return {
        "window_days": WINDOW_DAYS, **figures(begun),
        "per_service": {s: figures([m for m in begun if m["service"] == s]) for s in services},
    }  # fmt: skip


async def get(api: Api, path: str) -> Any:
    status, body = await api.request("GET", HALL + path, token=await api.login("manager"))
    assert status == 200, body
    assert "k1:" not in repr(body)  # never a person's digest
    return body


async def test_stats_report_and_trend_match_a_recomputation(
    history: tuple[Api, Settings],
) -> None:
    api, settings = history
    # today: Alice (P1) takes a ticket with her ID number and waits; her matter of 3 days ago
    # was completed, so this begins a new one, open
    status, ticket = await api.request("POST", HALL + "/tickets",
                                       {"service": "B", "id_number": ALICE})  # fmt: skip
    assert status == 201, ticket
    today = day(0)
    matters = recompute(await ticket_rows(settings.db_url), WINDOW_DAYS, today)
    # the history's own shape, so a broken recomputation cannot agree with a broken server
    assert sorted((m["first"], m["visits"], m["state"]) for m in matters) == sorted([
        (day(-45), 1, "completed"), (day(-33), 2, "completed"), (day(-25), 1, "unfinished"),
        (day(-20), 2, "completed"), (day(-14), 1, "unfinished"), (day(-12), 1, "completed"),
        (day(-8), 1, "completed"), (day(-7), 1, "completed"), (day(-5), 2, "completed"),
        (day(-4), 1, "completed"), (day(-2), 1, "open"), (day(-1), 1, "completed"),
        (day(-1), 1, "open"), (day(0), 1, "open"),
    ])  # fmt: skip
    for offset in (0, -1, -3, -5, -12, -20, -27, -33):
        on = day(offset)
        stats = await get(api, f"/stats?date={on}")
        assert stats["trips"] == expected(matters, on, on), on
        report = await get(api, f"/report?date={on}")
        assert report["trips"] == stats["trips"], on
    trend = await get(api, "/trend")  # the 30 days to today: P6's day-27 visit is no matter
    assert trend["trips"] == expected(matters, day(-29), today)
    assert trend["trips"]["matters"] == 12
    for entry in trend["days"]:
        fig = figures([m for m in matters if m["first"] == entry["date"]])
        assert {k: entry[k] for k in ("matters", "one_trip", "one_trip_rate")} == {
            k: fig[k] for k in ("matters", "one_trip", "one_trip_rate")
        }, entry["date"]
    week = await get(api, f"/trend?from={day(-14)}&to={day(-8)}")
    assert week["trips"] == expected(matters, day(-14), day(-8))


async def test_the_window_is_a_hall_setting(history: tuple[Api, Settings]) -> None:
    api, settings = history
    token = await api.login("manager")
    status, body = await api.request("GET", HALL + "/settings", token=token)
    assert (status, body["trips_window_days"]) == (200, WINDOW_DAYS)
    for bad in (0, 91, "30", 2.5, True, None):
        status, answer = await api.request("PATCH", HALL + "/settings",
                                           {"trips_window_days": bad}, token=token)  # fmt: skip
        assert (status, answer["error"]["code"]) == (400, "bad_trips_window_days"), bad
    status, body = await api.request("PATCH", HALL + "/settings", {"trips_window_days": 90},
                                     token=token)  # fmt: skip
    assert (status, body["trips_window_days"]) == (200, 90)
    # 90 days: P3's three visits of C are one matter, completed on the third
    matters = recompute(await ticket_rows(settings.db_url), 90, day(0))
    trend = await get(api, f"/trend?from={day(-45)}&to={day(0)}")
    assert trend["trips"]["window_days"] == 90
    assert trend["trips"] == {**expected(matters, day(-45), day(0)), "window_days": 90}
    assert trend["trips"]["distribution"]["3"] == 1


async def test_staff_may_not_read_them(history: tuple[Api, Settings]) -> None:
    api, _ = history
    for path in ("/stats", "/report", "/trend"):
        status, _body = await api.request("GET", HALL + path, token=await api.login("w1"))
        assert status == 403, path


async def test_a_hall_without_real_name_tickets_has_no_matters(api: Api) -> None:
    body = await get(api, "/stats")
    assert body["trips"] == {
        "window_days": 30, "matters": 0, "completed": 0, "one_trip": 0, "open": 0,
        "unfinished": 0, "one_trip_rate": None,
        "distribution": {"1": 0, "2": 0, "3": 0, "4+": 0}, "mean_trips": None, "per_service": {},
    }  # fmt: skip
    assert (await get(api, "/trend"))["trips"]["matters"] == 0


async def test_the_xlsx_summary_has_each_days_trips_and_no_export_a_digest(
    history: tuple[Api, Settings],
) -> None:
    api, _ = history
    token = await api.login("manager")
    query = f"from={day(-29)}&to={day(0)}"
    trend = await get(api, f"/trend?{query}")
    files = {}
    for fmt, extra in (("xlsx", "&raw=1"), ("xlsx", ""), ("csv", "&raw=1"), ("csv", "")):
        url = f"{api.base}{HALL}/export?{query}&format={fmt}{extra}"
        async with api.session.get(url, headers={"Authorization": f"Bearer {token}"}) as resp:
            assert resp.status == 200, await resp.text()
            files[fmt + extra] = await resp.read()
    for data in files.values():  # never a digest, in any layout (an XLSX is zipped: unzipped)
        texts = [data]
        if data[:2] == b"PK":
            sheet = zipfile.ZipFile(io.BytesIO(data))
            texts = [sheet.read(n) for n in sheet.namelist()]
        assert not any(b"k1:" in t for t in texts)
    book = load_workbook(io.BytesIO(files["xlsx&raw=1"]))
    header, *rows = book["summary"].iter_rows(values_only=True)
    assert [dict(zip(header, row, strict=True)) for row in rows] == trend["days"]
    assert sum(r[header.index("matters")] for r in rows) == trend["trips"]["matters"]
    words = load_workbook(io.BytesIO(files["xlsx"]))
    header, *rows = words["每日汇总"].iter_rows(values_only=True)
    assert header[-3:] == ("新事项", "一次办结", "一次办结率")
    by_day = {r[0]: r for r in rows}
    for entry in trend["days"]:
        assert list(by_day[entry["date"]][-3:]) == [
            entry["matters"],
            entry["one_trip"],
            entry["one_trip_rate"],
        ], entry["date"]
