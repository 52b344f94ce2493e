"""Trips per matter's schemas (一次办结率, docs/reports.md): `trips` on …/stats and …/report (the
matters begun that day) and on …/trend (begun in the range), and a trend day's three figures."""

from __future__ import annotations

from ...domain import trips
from ...domain.model import Json
from .primitives import COUNT, RATE, SECONDS, obj, ref

FIGURES_PROPS: Json = {
    "matters": {**COUNT, "description": "Matters begun (their first visit) in the day or range."},
    "completed": {**COUNT, "description": "… completed within their window."},
    "one_trip": {**COUNT, "description": "… completed on their first visit."},
    "open": {**COUNT, "description": "… not completed, their window still running."},
    "unfinished": {**COUNT, "description": "… not completed within their window."},
    "one_trip_rate": {**RATE, "description": "one_trip ÷ (completed + unfinished)."},
    "distribution": {
        **obj(trips.BUCKETS, **dict.fromkeys(trips.BUCKETS, COUNT)),
        "description": "The completed matters by their visits: 1, 2, 3, 4 and more.",
    },
    "mean_trips": {**SECONDS, "description": "The mean visits of the completed matters."},
}  # fmt: skip
TRIPS = obj(
    ["window_days", *FIGURES_PROPS, "per_service"],
    window_days={**COUNT, "description": "The hall's trips_window_days, as of now."},
    **FIGURES_PROPS,
    per_service={"type": "object", "additionalProperties": ref("TripFigures"),
                 "description": "Each service with a matter begun (by the ticket's service)."},
)  # fmt: skip
TREND_DAY_PROPS: Json = {
    "matters": FIGURES_PROPS["matters"],
    "one_trip": FIGURES_PROPS["one_trip"],
    "one_trip_rate": FIGURES_PROPS["one_trip_rate"],
}


def components() -> Json:
    return {
        "TripFigures": obj(list(FIGURES_PROPS), **FIGURES_PROPS),
        "Trips": {**TRIPS, "description": "Trips per matter (一次办结率), docs/reports.md."},
    }
