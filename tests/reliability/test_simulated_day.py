"""A simulated busy day through the real store (callnext.bench.simulate): its statistics against a
recomputation from what the simulation saw, and the estimated waits against the actual ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from callnext.bench.simulate import Day, DayPlan, simulate_day
from callnext.domain import stats, trips
from callnext.domain.model import Finish
from callnext.domain.stats import nearest_rank
from callnext.store import reads, trips_sql
from callnext.store.database import Database
from callnext.store.setup import seed_demo

DAY = date(2026, 11, 23)  # a Monday


# Windows 7 and 8 (every service) take their services in an order of their own all day.
IN_ORDER = {7: ("C", "B", "A"), 8: ("B", "C", "A")}


@pytest.fixture(params=["first_come"])
async def simulated(
    db_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[dict[str, object], Day]]:
    db = Database(db_url)
    await db.start()
    try:
        await seed_demo(db, all_day=True)
        hall = await db.hall("demo")
        plan = DayPlan(in_order=IN_ORDER if request.param == "in_order" else {})
        seen = await simulate_day(db, hall, DAY, plan, seed=7)
        tickets = await reads.tickets_of_day(db, hall, DAY.isoformat())
        yield stats.day_stats(DAY.isoformat(), tickets, hall.timezone), seen
    finally:
        await db.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_busy_days_figures_match_what_happened(
    simulated: tuple[dict[str, object], Day],
) -> None:
    figures, seen = simulated
    records = list(seen.records.values())
    assert len(records) > 400  # a busy day for eight windows
    assert figures["issued"] == len(records)
    assert figures["called"] == sum(1 for r in records if r.called is not None) == len(records)
    served = [r for r in records if r.outcome in (Finish.COMPLETED, Finish.PENDING)]
    assert figures["served"] == len(served)
    assert figures["no_show"] == sum(1 for r in records if r.outcome is Finish.NO_SHOW)
    assert figures["waiting"] == 0
    waits = sorted((r.called - r.issued).total_seconds() for r in records if r.called)
    summary = figures["wait_s"]
    assert isinstance(summary, dict)
    assert summary["p50"] == pytest.approx(nearest_rank(waits, 0.5), abs=0.001)
    assert summary["p90"] == pytest.approx(nearest_rank(waits, 0.9), abs=0.001)
    assert summary["max"] == pytest.approx(waits[-1], abs=0.001)
    assert summary["avg"] == pytest.approx(sum(waits) / len(waits), abs=0.001)
    assert summary["avg"] > 600  # busy: the average citizen waits over ten minutes


@pytest.mark.parametrize("simulated", ["first_come", "in_order"], indirect=True)
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_estimated_waits_are_within_a_quarter_of_the_mean_wait(
    simulated: tuple[dict[str, object], Day], request: pytest.FixtureRequest
) -> None:
    figures, seen = simulated
    records = [r for r in seen.records.values() if r.called is not None]
    told = [r.told_s for r in records]
    assert None not in told  # every window is staffed all day: everyone was told a wait
    errors = [abs((r.called - r.issued).total_seconds() - (r.told_s or 0)) for r in records]
    waits = [(r.called - r.issued).total_seconds() for r in records]
    mae, mean_wait = sum(errors) / len(errors), sum(waits) / len(waits)
    accuracy = figures["estimate"]
    assert isinstance(accuracy, dict)
    assert accuracy["n"] == len(records)
    assert accuracy["mae_s"] == pytest.approx(mae, abs=0.01)
    assert accuracy["mae_ratio"] == pytest.approx(mae / mean_wait, abs=0.0001)
    ratio = mae / mean_wait
    print(f"{len(records)} tickets: MAE {mae:.0f} s, mean wait {mean_wait:.0f} s: {ratio:.1%}")
    per_service = figures["per_service"]
    assert isinstance(per_service, dict)
    for code, fig in per_service.items():
        print(code, fig["estimate"], fig["wait_s"]["avg"])
    # Windows that prefer one service make the others' waits less foreseeable: citizens who
    # arrive later for the preferred service go first, and no estimate foresees arrivals
    # (measured: 18.7 % first come, 25.0 % with windows 7-8 in order, A told 370 s too little).
    assert mae / mean_wait <= (0.25 if request.node.callspec.params["simulated"] == "first_come"
                               else 0.30)  # fmt: skip


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_real_name_days_have_returning_citizens(db_url: str) -> None:
    """Four days with B real-name: citizens not done (no-shows) come back on later days, so
    trips per matter has matters of two trips and more, and the report's read (the range's
    persons, their earlier tickets) cuts the same matters as all the rows do."""
    db = Database(db_url)
    await db.start()
    try:
        await seed_demo(db, all_day=True)
        plan = DayPlan(
            arrivals_per_hour={"A": 3.0, "B": 12.0, "C": 3.0}, no_show_share=0.15,
            real_name=("B",), return_share=0.8,
        )  # fmt: skip
        days = [DAY + timedelta(days=n) for n in range(4)]
        for n, on in enumerate(days):
            await simulate_day(db, await db.hall("demo"), on, plan, seed=20 + n)
        hall = await db.hall("demo")
        assert hall.service("B").real_name  # type: ignore[union-attr]
        first, last = days[0].isoformat(), days[-1].isoformat()
        rows = await db.run_read(
            lambda conn: trips_sql.real_name_tickets_in(conn, hall, "2000-01-01", last, 30)
        )
        assert {r.service for r in rows} == {"B"}
        every = trips.matters_of(rows, 30, last)
        third = days[2].isoformat()
        read_later = await db.run_read(
            lambda conn: trips_sql.real_name_tickets_in(conn, hall, third, last, 30)
        )
        later = trips.matters_of(read_later, 30, last)
        begun_later = trips.begun_between(every, third, last)
        assert trips.begun_between(later, third, last) == begun_later
        fig = trips.figures(trips.begun_between(every, first, last))
        assert fig["matters"] > 100
        assert fig["distribution"]["2"] > 0  # returns
        assert 0.5 < fig["one_trip_rate"] < 1
    finally:
        await db.close()
