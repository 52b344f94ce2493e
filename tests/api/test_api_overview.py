"""The region's overview over the API (docs/overview.md), on SQLite and PostgreSQL: five halls
with a week of simulated history (bench/history.py: one in another timezone, real-name
tickets, ratings, people waiting now, staffed windows); every hall's row and series compared
with the hall's own …/report, …/stats and …/trend; sorting; who may read it; the exports; and
the reads' statement count, the same for two halls and for six."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, event

from callnext.bench import history
from callnext.domain.model import Role
from callnext.runtime.config import Settings
from callnext.store import accounts
from callnext.store.database import Database
from callnext.usecases.overview import read_all

from ..helpers import Api, running_app

HALLS, DAYS = 5, 7
OVERVIEW = "/api/v1/overview"


@pytest.fixture
async def region(db_url: str) -> AsyncIterator[Api]:
    """Five halls (h010 in Asia/Urumqi), a week each, the admin `region`, h001's manager and
    an admin bound to h001."""
    await history.build(db_url, HALLS, DAYS, (15, 40), datetime.now(UTC))
    db = Database(db_url)
    await db.start()
    try:
        await accounts.add_user(db, "m1", "m1-pass-word", Role.MANAGER, "h001", None)
        await accounts.add_user(db, "a1", "a1-pass-word", Role.ADMIN, "h001", None)
    finally:
        await db.close()
    settings = Settings(db_url=db_url, rate_limits=None, voice=False)
    async with running_app(settings) as api:
        await api.login(*history.ADMIN)
        yield api


async def get(api: Api, path: str, user: str = "region") -> tuple[int, Any]:
    return await api.request("GET", path, token=api.tokens.get(user))


async def test_each_row_is_the_halls_own_report(region: Api) -> None:
    status, body = await get(region, OVERVIEW)
    assert status == 200, body
    assert [r["hall"] for r in body["halls"]] == [f"h{n:03d}" for n in range(1, HALLS + 1)]
    for row in body["halls"]:
        status, rep = await get(region, f"/api/v1/halls/{row['hall']}/report")
        assert status == 200, rep
        assert row["date"] == rep["date"]
        for name in ("issued", "served", "completed_same_day", "same_day_completion_rate"):
            assert row[name] == rep[name], name
        promise = rep["promise_met"]
        decided = promise["completed_in_time"] + promise["completed_late"]
        assert row["promise_decided"] == decided + promise["overdue_open"]
        assert (row["promise_in_time"], row["promise_met_rate"]) == (
            promise["completed_in_time"], promise["rate"])  # fmt: skip
        trips = rep["trips"]
        assert row["matters_decided"] == trips["completed"] + trips["unfinished"]
        assert (row["one_trip"], row["one_trip_rate"]) == (
            trips["one_trip"],
            trips["one_trip_rate"],
        )
        sat = rep["satisfaction"]
        assert (row["ratings"], row["satisfaction_avg"], row["satisfied_rate"]) == (
            sat["n"], sat["avg"], sat["satisfied_rate"])  # fmt: skip
        assert row["waiting"] == rep["waiting"]
        longest = rep["longest_waiting"]
        if longest is None:
            assert row["longest_wait_s"] is None
        else:  # read a moment apart
            assert abs(row["longest_wait_s"] - longest["waited_s"]) <= 30
        _, windows = await get(region, f"/api/v1/halls/{row['hall']}/windows")
        staffed = sum(1 for w in windows["windows"] if w.get("staffed"))
        assert row["staffed_windows"] == staffed
        assert row["windows"] == 6
        assert row["dashboard"] == f"/halls/{row['hall']}/dashboard"
    totals = body["totals"]
    assert totals["issued"] == sum(r["issued"] for r in body["halls"])
    assert totals["waiting"] == sum(r["waiting"] for r in body["halls"])
    assert totals["same_day_completion_rate"] == round(
        sum(r["completed_same_day"] for r in body["halls"]) / totals["served"], 4
    )


async def test_a_past_day_has_no_live_figures_and_matches_its_report(region: Api) -> None:
    past = (date.today() - timedelta(days=3)).isoformat()
    status, body = await get(region, f"{OVERVIEW}?date={past}")
    assert status == 200, body
    for row in body["halls"]:
        assert row["date"] == past
        assert (row["waiting"], row["longest_wait_s"], row["staffed_windows"]) == (None,) * 3
        assert "long_wait" not in row["cues"]
        _, stats = await get(region, f"/api/v1/halls/{row['hall']}/stats?date={past}")
        assert (row["issued"], row["served"], row["same_day_completion_rate"]) == (
            stats["issued"], stats["served"], stats["same_day_completion_rate"])  # fmt: skip
        assert row["satisfied_rate"] == stats["satisfaction"]["satisfied_rate"]
    assert body["totals"]["waiting"] is None


async def test_the_trend_is_each_halls_own(region: Api) -> None:
    status, body = await get(region, f"{OVERVIEW}/trend?days=7")
    assert status == 200, body
    assert len(body["halls"]) == HALLS
    for series in body["halls"]:
        assert len(series["days"]) == 7
        query = f"from={series['from']}&to={series['to']}"
        _, trend = await get(region, f"/api/v1/halls/{series['hall']}/trend?{query}")
        for ours, theirs in zip(series["days"], trend["days"], strict=True):
            for name in ("date", "issued", "served", "same_day_completion_rate", "one_trip_rate"):
                assert ours[name] == theirs[name], (series["hall"], name)
        whole = series["range"]  # the days pooled: the hall's trend's own `trips` over them
        assert whole["served"] == sum(d["served"] for d in trend["days"])
        assert whole["one_trip_rate"] == trend["trips"]["one_trip_rate"]
        same_day = sum(d["completed_same_day"] for d in trend["days"])
        assert whole["same_day_completion_rate"] == round(same_day / whole["served"], 4)
    _, default = await get(region, f"{OVERVIEW}/trend")
    assert default["days"] == 30
    assert len(default["halls"][0]["days"]) == 30


@pytest.mark.parametrize("field", ["waiting", "served", "satisfied_rate", "name"])
async def test_sorting_puts_nulls_last_either_way(region: Api, field: str) -> None:
    for order in ("asc", "desc"):
        _, body = await get(region, f"{OVERVIEW}?sort={field}&order={order}")
        values = [r[field] for r in body["halls"]]
        known = [v for v in values if v is not None]
        key = (lambda v: v.casefold()) if field == "name" else None
        assert known == sorted(known, key=key, reverse=order == "desc")
        assert values == known + [None] * (len(values) - len(known))
        assert (body["sort"], body["order"]) == (field, order)


@pytest.mark.engine_independent
async def test_refusals(region: Api) -> None:
    for query, code in (("sort=nope", "bad_sort"), ("order=up", "bad_order"),
                        ("date=2026-13-01", "bad_date")):  # fmt: skip
        status, body = await get(region, f"{OVERVIEW}?{query}")
        assert (status, body["error"]["code"]) == (400, code)
    status, body = await get(region, f"{OVERVIEW}/trend?days=91")
    assert (status, body["error"]["code"]) == (400, "bad_days")
    status, body = await get(region, f"{OVERVIEW}/export?format=pdf")
    assert (status, body["error"]["code"]) == (400, "bad_format")
    assert (await region.request("GET", OVERVIEW))[0] == 401
    await region.login("m1", "m1-pass-word")
    await region.login("a1", "a1-pass-word")
    for user, code in (("m1", "wrong_role"), ("a1", "wrong_hall")):
        for path in (OVERVIEW, f"{OVERVIEW}/trend", f"{OVERVIEW}/export"):
            status, body = await get(region, path, user)
            assert (status, body["error"]["code"]) == (403, code), (user, path)


async def download(api: Api, query: str) -> tuple[bytes, dict[str, str]]:
    headers = {"Authorization": f"Bearer {api.tokens['region']}"}
    async with api.session.get(f"{api.base}{OVERVIEW}/export?{query}", headers=headers) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.read(), dict(resp.headers)


async def test_exports_hold_the_table_and_the_trends(region: Api) -> None:
    _, body = await get(region, f"{OVERVIEW}?sort=served&order=desc")
    data, headers = await download(region, "format=csv&lang=en&sort=served&order=desc")
    assert headers["Content-Disposition"].startswith('attachment; filename="callnext-overview-')
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Hall code", "Hall", "English name", "Date"]
    assert [r[0] for r in rows[1:-1]] == [r["hall"] for r in body["halls"]]
    assert rows[-1][0] == "Region total"
    served = rows[0].index("Served")
    assert [int(r[served]) for r in rows[1:-1]] == [r["served"] for r in body["halls"]]
    raw, _ = await download(region, "format=csv&raw=1")
    raw_rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert raw_rows[0][0] == "hall"
    assert raw_rows[-1][0] == "total"
    zh, _ = await download(region, "format=xlsx&days=7")
    book = load_workbook(io.BytesIO(zh), read_only=True)
    assert book.sheetnames == ["大厅", "近期趋势"]
    table = list(book["大厅"].values)
    assert table[0][0] == "大厅代码"
    assert len(table) == HALLS + 2
    trends = list(book["近期趋势"].values)
    assert len(trends) == 1 + HALLS * 7


def count_statements(url: str, now: datetime) -> int:
    engine = create_engine(url)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    try:
        with engine.connect() as conn:
            read = read_all(conn, now, None, 30)
            assert read.halls
            assert read.counts
    finally:
        engine.dispose()
    return len(seen)


async def test_the_reads_are_a_fixed_number_of_statements(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    counts = []
    for halls in (2, 6):
        url = f"sqlite:///{tmp_path / f'{halls}.db'}"
        await history.build(url, halls, 3, (5, 10), now)
        counts.append(count_statements(url, now))
    assert counts[0] == counts[1] == 5
