"""The overview as a spreadsheet (GET /api/v1/overview/export, docs/overview.md): one row per
hall and the region's total; an XLSX adds a sheet of each hall's last days. In the admin's
words (zh, en: rates as percentages, the wait as h:mm:ss, the cues in words) or `raw`."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from ..domain.model import Json
from . import words as rw
from .export import XLSX_TYPE, Cell, _csv_text, _xlsx_row, safe_text

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {"csv": "text/csv", "xlsx": XLSX_TYPE}
COLUMNS = (
    "hall", "name", "name_en", "date", "waiting", "longest_wait_s", "staffed_windows", "windows",
    "issued", "served", "completed_same_day", "same_day_completion_rate", "promise_decided",
    "promise_in_time", "promise_met_rate", "matters_decided", "one_trip", "one_trip_rate",
    "ratings", "satisfaction_avg", "satisfied_rate", "cues",
)  # fmt: skip
SERIES_COLUMNS = (
    "hall", "name", "date", "issued", "served", "same_day_completion_rate", "one_trip_rate",
    "ratings", "satisfaction_avg", "satisfied_rate",
)  # fmt: skip
RATES = frozenset(c for c in COLUMNS if c.endswith("_rate"))
HEADERS = {
    "zh": {
        "hall": "大厅代码", "name": "大厅", "name_en": "英文名", "date": "日期",
        "waiting": "当前等候", "longest_wait_s": "最长等候", "staffed_windows": "在岗窗口",
        "windows": "窗口数", "issued": "取号", "served": "办理", "completed_same_day": "当日办结",
        "same_day_completion_rate": "当日办结率", "promise_decided": "承诺件（已到期或办结）",
        "promise_in_time": "承诺件按时办结", "promise_met_rate": "承诺兑现率",
        "matters_decided": "事项（已有结果）", "one_trip": "一次办结",
        "one_trip_rate": "一次办结率",
        "ratings": "评价数", "satisfaction_avg": "平均评分", "satisfied_rate": "满意率",
        "cues": "提示",
    },
    "en": {
        "hall": "Hall code", "name": "Hall", "name_en": "English name", "date": "Date",
        "waiting": "Waiting now", "longest_wait_s": "Longest wait", "staffed_windows":
        "Staffed windows", "windows": "Windows", "issued": "Issued", "served": "Served",
        "completed_same_day": "Completed same day",
        "same_day_completion_rate": "Same-day completion", "promise_decided":
        "Promised matters decided", "promise_in_time": "Completed within promise",
        "promise_met_rate": "Promise met", "matters_decided": "Matters decided",
        "one_trip": "One trip", "one_trip_rate": "One-trip rate", "ratings": "Ratings",
        "satisfaction_avg": "Average score", "satisfied_rate": "Satisfied", "cues": "Cues",
    },
}  # fmt: skip
CUES = {
    "zh": {"long_wait": "等候过长", "low_same_day_completion": "当日办结率偏低",
           "low_promise_met": "承诺兑现率偏低", "low_one_trip": "一次办结率偏低",
           "low_satisfied": "满意率偏低"},
    "en": {"long_wait": "Long wait", "low_same_day_completion": "Low same-day completion",
           "low_promise_met": "Low promise met", "low_one_trip": "Low one-trip rate",
           "low_satisfied": "Low satisfaction"},
}  # fmt: skip
TOTAL = {"zh": "全区合计", "en": "Region total", "raw": "total"}
SHEETS = {"zh": ("大厅", "近期趋势"), "en": ("Halls", "Trends"), "raw": ("halls", "trends")}


def _cell(name: str, value: Any, lang: str) -> Cell:
    if lang == "raw" or value is None:
        return ";".join(value) if isinstance(value, list) else value
    if name in RATES:
        return rw.Rate(value)
    if name == "longest_wait_s":
        return rw.duration(value)
    if name == "cues":
        return (
            "、".join(CUES[lang][c] for c in value)
            if lang == "zh"
            else "; ".join(CUES[lang][c] for c in value)
        )
    return value  # type: ignore[no-any-return]


def _header(columns: Sequence[str], lang: str) -> list[str]:
    return list(columns) if lang == "raw" else [HEADERS[lang][c] for c in columns]


def table_rows(lang: str, rows: Sequence[Json], totals: Json) -> list[list[Cell]]:
    """The header, a row per hall, the region's total (its code `total`, no name)."""
    header: list[Cell] = list(_header(COLUMNS, lang))
    out: list[list[Cell]] = [header]
    for row in rows:
        out.append([_cell(c, row[c], lang) for c in COLUMNS])
    total = {**dict.fromkeys(COLUMNS), **totals, "hall": TOTAL[lang], "cues": None}
    total["name"] = total["name_en"] = total["date"] = None
    out.append([_cell(c, total.get(c), lang) for c in COLUMNS])
    return out


def series_rows(lang: str, series: Sequence[Json]) -> list[list[Cell]]:
    """The header, then each hall's days, one row each."""
    header: list[Cell] = list(_header(SERIES_COLUMNS, lang))
    out: list[list[Cell]] = [header]
    for hall in series:
        name = (hall["name_en"] or hall["name"]) if lang == "en" else hall["name"]
        for day in hall["days"]:
            values = {**day, "hall": hall["hall"], "name": name}
            out.append([_cell(c, values[c], lang) for c in SERIES_COLUMNS])
    return out


def build(fmt: str, lang: str, rows: Sequence[Json], totals: Json, series: Sequence[Json]) -> bytes:
    """The file: CSV (UTF-8 with a BOM, for Excel) of the table, or XLSX of the table and the
    series."""
    table = table_rows(lang, rows, totals)
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        for cells in table:
            writer.writerow([_csv_text(safe_text(c)) for c in cells])
        return out.getvalue().encode("utf-8")
    from openpyxl import Workbook  # openpyxl: 0.1 s to import, for an XLSX only

    book = Workbook(write_only=True)
    for title, sheet_rows in zip(SHEETS[lang], (table, series_rows(lang, series)), strict=True):
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "C2"
        sheet.append(sheet_rows[0])
        for cells in sheet_rows[1:]:
            sheet.append(_xlsx_row(sheet, cells))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
