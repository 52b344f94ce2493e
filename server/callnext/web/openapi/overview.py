"""The OpenAPI document's part for the region's overview (admin, docs/overview.md): its three
operations and schemas, with the fields, sorts and limits taken from domain/overview.py."""

from __future__ import annotations

from ...domain import overview
from ...domain.model import Json
from ...reports.export import XLSX_TYPE
from .operations import ADMIN, answer, operation
from .operations import param as p
from .primitives import COUNT, DATE, RATE, TIME, obj, ref

OVERVIEW = "/api/v1/overview"
INT_OR_NULL: Json = {"type": ["integer", "null"], "minimum": 0}
SCORE_AVG: Json = {"type": ["number", "null"], "minimum": 1, "maximum": 5}
CUE: Json = {"type": "string", "enum": ["long_wait", *(f"low_{n.removesuffix('_rate')}"
                                                     for n in overview.LOW_RATES)]}  # fmt: skip
FIGURES: Json = {
    "waiting": {**INT_OR_NULL, "description": "Tickets of today waiting now; null for a past day."},
    "longest_wait_s": {**INT_OR_NULL, "description": "Seconds the longest-waiting ticket has "
                       "waited now; null for a past day or nobody waiting."},
    "staffed_windows": {**INT_OR_NULL, "description": "Windows staffed now (a live hold, or an "
                        "action within 15 min); null for a past day."},
    "windows": {**COUNT, "description": "The hall's windows."},
    "issued": {**COUNT, "description": "Tickets issued that day."},
    "served": {**COUNT, "description": "… finished completed or pending."},
    "completed_same_day": {**COUNT, "description": "… completed on their own day."},
    "same_day_completion_rate": {**RATE, "description": "completed_same_day ÷ served."},
    "promise_decided": {**COUNT, "description": "The day's pending matters completed, or open "
                        "past the hall's promise."},
    "promise_in_time": {**COUNT, "description": "… completed within the promise."},
    "promise_met_rate": {**RATE, "description": "promise_in_time ÷ promise_decided."},
    "matters_decided": {**COUNT, "description": "Real-name matters begun that day, completed "
                        "or unfinished (trips per matter)."},
    "one_trip": {**COUNT, "description": "… completed on their first visit."},
    "one_trip_rate": {**RATE, "description": "one_trip ÷ matters_decided (一次办结率)."},
    "ratings": {**COUNT, "description": "Ratings of the day's tickets."},
    "satisfaction_avg": {**SCORE_AVG, "description": "Their mean score (1–5)."},
    "satisfied_rate": {**RATE, "description": "The share scored 4 or 5."},
}  # fmt: skip
ROW = obj(
    ["hall", "name", "name_en", "timezone", "date", "dashboard", *FIGURES, "cues"],
    hall={"type": "string"}, name={"type": "string"}, name_en={"type": "string"},
    timezone={"type": "string"}, date={**DATE, "description": "The hall's day shown."},
    dashboard={"type": "string", "description": "The hall's dashboard page."},
    **FIGURES,
    cues={"type": "array", "items": CUE, "description": "long_wait: longest_wait_s at or over "
          "thresholds.long_wait_s; low_…: a rate under its threshold over at least "
          "thresholds.min_sample."},
)  # fmt: skip
TOTALS = obj(["halls", *FIGURES], halls=COUNT, **FIGURES)
SERIES_DAY = obj(
    ("date", "issued", "served", "same_day_completion_rate", "one_trip_rate", "ratings",
     "satisfaction_avg", "satisfied_rate"),
    date=DATE, issued=COUNT, served=COUNT, same_day_completion_rate=RATE, one_trip_rate=RATE,
    ratings=COUNT, satisfaction_avg=SCORE_AVG, satisfied_rate=RATE,
)  # fmt: skip
SERIES_RANGE = {**SERIES_DAY, "properties": {**SERIES_DAY["properties"], "date": {"type": "null"}}}
THRESHOLDS = obj(
    ["long_wait_s", "min_sample", *overview.LOW_RATES],
    long_wait_s=COUNT, min_sample=COUNT, **dict.fromkeys(overview.LOW_RATES, RATE),
)  # fmt: skip
Q_DATE = p("date", "query", DATE, "A past day for every hall (live figures null); default: "
           "each hall's today (400 bad_date).")  # fmt: skip
Q_SORT = p("sort", "query", {"type": "string", "enum": list(overview.SORT_FIELDS),
                             "default": "hall"},
           "The field the halls are sorted by, nulls last (400 bad_sort).")  # fmt: skip
Q_ORDER = p("order", "query", {"type": "string", "enum": list(overview.ORDERS),
                               "default": "asc"}, "400 bad_order otherwise.")  # fmt: skip
LOW, HIGH = overview.TREND_DAYS
Q_DAYS = p("days", "query", {"type": "integer", "minimum": LOW, "maximum": HIGH,
                             "default": overview.DEFAULT_TREND_DAYS},
           "Days in each series, ending with `date` (400 bad_days).")  # fmt: skip
Q_FORMAT = p("format", "query", {"type": "string", "enum": ["csv", "xlsx"]},
             "Default csv; 400 bad_format otherwise.")  # fmt: skip
Q_LANG = p("lang", "query", {"type": "string", "enum": ["zh", "en"]},
           "Headers and cues in words (default zh; 400 bad_lang).")  # fmt: skip
Q_RAW = p("raw", "query", {"type": "string", "enum": ["1", "0", "true", "false"]},
          "1: snake_case headers, codes, seconds and shares, for programs.")  # fmt: skip


def components() -> Json:
    return {
        "OverviewRow": ROW,
        "Overview": obj(
            ("date", "now", "sort", "order", "thresholds", "halls", "totals"),
            date={"type": ["string", "null"], "description": "The day asked for; null: each "
                  "hall's today."},
            now=TIME, sort={"type": "string"}, order={"type": "string"},
            thresholds=THRESHOLDS, halls={"type": "array", "items": ref("OverviewRow")},
            totals={**TOTALS, "description": "The region: counts added, rates pooled."}),
        "OverviewTrend": obj(
            ("date", "days", "halls"), date={"type": ["string", "null"]}, days=COUNT,
            halls={"type": "array", "items": obj(
                ("hall", "name", "name_en", "from", "to", "days", "range"),
                hall={"type": "string"}, name={"type": "string"}, name_en={"type": "string"},
                to=DATE, days={"type": "array", "items": SERIES_DAY},
                range={**SERIES_RANGE, "description": "The whole range: counts added, rates "
                       "pooled over its days (date null)."}, **{"from": DATE})}),
    }  # fmt: skip


def paths() -> Json:
    export = answer("An attachment: callnext-overview-{date}.csv or .xlsx (a second sheet: "
                    "each hall's last `days` days).", "text/csv")  # fmt: skip
    export["content"][XLSX_TYPE] = {"schema": {"type": "string", "contentEncoding": "binary"}}
    read: Json = {"roles": ADMIN, "errors": (400,)}
    return {
        OVERVIEW: {"get": operation("Every hall's day side by side (admin of every hall)",
                                    ref("Overview"), params=(Q_DATE, Q_SORT, Q_ORDER), **read)},
        OVERVIEW + "/trend": {"get": operation("Every hall's last days, for sparklines",
                                               ref("OverviewTrend"), params=(Q_DATE, Q_DAYS),
                                               **read)},
        OVERVIEW + "/export": {"get": operation(
            "The overview as a spreadsheet", export,
            params=(Q_DATE, Q_SORT, Q_ORDER, Q_DAYS, Q_FORMAT, Q_LANG, Q_RAW), **read)},
    }  # fmt: skip
