"""A hall's tickets over a range of days as a spreadsheet: CSV (UTF-8 with a BOM, so Excel reads
the Chinese names) or XLSX (tickets, a summary row per day, the figures per service).

Built a few days at a time (`add_days`), so a long range never holds all its tickets at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from .domain import report, stats
from .domain.clock import zone
from .domain.model import Hall, Ticket

Cell = str | int | float | datetime | None
Days = Sequence[tuple[str, Sequence[Ticket]]]

TICKET_HEADER = (
    "day", "number", "service", "service_name", "priority", "status", "outcome",
    "closed_reason", "window", "issued_at", "called_at", "finished_at", "completed_at",
    "wait_s", "service_s", "recalls", "transfers",
)  # fmt: skip
TREND_HEADER = (
    "date", *stats.COUNT_FIELDS, "same_day_completion_rate", "wait_s_avg", "wait_s_p90",
    "service_s_avg",
)  # fmt: skip
SERVICE_HEADER = (
    "scope", "code", "name", *stats.COUNT_FIELDS, "same_day_completion_rate",
    *(f"{g}_{p}" for g in ("wait_s", "service_s") for p in stats.SUMMARY_FIELDS),
    "service_level_called", "service_level_within_target", "service_level", "target_wait_s",
)  # fmt: skip
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIME_COLUMNS_WIDTH = 20
# A text cell starting with one of these is a formula to Excel, LibreOffice and Sheets (OWASP,
# "CSV Injection"): `=HYPERLINK(…)`, `@SUM(…)`, `-2+3`, a tab or CR before one of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Cell) -> Cell:
    """Text a manager typed (a service's or the hall's name) as a sheet shows it, never run:
    prefixed with `'` when it would start a formula. Other cells pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(cells: Sequence[Cell]) -> list[Cell]:
    return [safe_text(c) for c in cells]


def local_time(moment: datetime | None, tz: str) -> datetime | None:
    """The hall's wall-clock time to the second, without an offset (what a sheet shows)."""
    if moment is None:
        return None
    return moment.astimezone(zone(tz)).replace(tzinfo=None, microsecond=0)


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def ticket_cells(ticket: Ticket, hall: Hall) -> list[Cell]:
    """One ticket as a row under TICKET_HEADER. The ticket's id is left out: it is the key
    to cancel the ticket."""
    tz = hall.timezone
    service = hall.service(ticket.service)
    return [
        ticket.day, ticket.number, ticket.service, service.name if service else "",
        int(ticket.priority), ticket.status.value,
        ticket.outcome.value if ticket.outcome else None,
        ticket.closed_reason.value if ticket.closed_reason else None,
        ticket.window, local_time(ticket.issued_at, tz), local_time(ticket.called_at, tz),
        local_time(ticket.finished_at, tz), local_time(ticket.completed_at, tz),
        _seconds(stats.wait_s(ticket)), _seconds(stats.service_s(ticket)),
        ticket.recalls, ticket.transfers,
    ]  # fmt: skip


def trend_cells(day: dict[str, Any]) -> list[Cell]:
    return [day[name] for name in TREND_HEADER]


def figures_cells(
    scope: str, code: str, name: str, fig: dict[str, Any], target: Cell
) -> list[Cell]:
    level = fig["service_level"]
    return [
        scope, code, name, *(fig[f] for f in stats.COUNT_FIELDS), fig["same_day_completion_rate"],
        *(fig[g][p] for g in ("wait_s", "service_s") for p in stats.SUMMARY_FIELDS),
        level["called"], level["within_target"], level["rate"], target,
    ]  # fmt: skip


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


class Export(Protocol):
    content_type: str
    extension: str

    def add_days(self, days: Days) -> None: ...

    def finish(self) -> bytes: ...


class CsvExport:
    """Every ticket, one row each, under a header row."""

    content_type = "text/csv"
    extension = "csv"

    def __init__(self, hall: Hall) -> None:
        self.hall = hall
        self.out = io.StringIO()
        self.out.write("\ufeff")
        self.writer = csv.writer(self.out)
        self.writer.writerow(TICKET_HEADER)

    def add_days(self, days: Days) -> None:
        for _day, tickets in days:
            for t in tickets:
                self.writer.writerow([_csv_text(safe_text(c)) for c in ticket_cells(t, self.hall)])

    def finish(self) -> bytes:
        return self.out.getvalue().encode("utf-8")


class XlsxExport:
    """Sheets `tickets` (one row each), `summary` (one row per day: the trend) and `services`
    (the hall's and each service's figures over the whole range)."""

    content_type = XLSX_TYPE
    extension = "xlsx"

    def __init__(self, hall: Hall) -> None:
        self.hall = hall
        self.book = Workbook(write_only=True)
        self.tickets = self._sheet("tickets", TICKET_HEADER, "issued_at")
        self.summary = self._sheet("summary", TREND_HEADER, None)
        self.hall_figures = report.RangeFigures(hall)
        self.service_figures: dict[str, report.RangeFigures] = {}

    def _sheet(self, title: str, header: Sequence[str], first_time: str | None) -> Any:
        sheet = self.book.create_sheet(title)
        sheet.freeze_panes = "A2"
        if first_time is not None:  # the four time columns, wide enough for a whole stamp
            start = header.index(first_time) + 1
            for column in range(start, start + 4):
                sheet.column_dimensions[get_column_letter(column)].width = TIME_COLUMNS_WIDTH
        sheet.append(list(header))
        return sheet

    def add_days(self, days: Days) -> None:
        for day, tickets in days:
            for t in tickets:
                self.tickets.append(safe_row(ticket_cells(t, self.hall)))
            self.summary.append(trend_cells(report.trend_day(day, tickets, self.hall.timezone)))
            self.hall_figures.add(tickets)
            for code, group in report.group_by_service(tickets).items():
                self.service_figures.setdefault(code, report.RangeFigures(self.hall)).add(group)

    def finish(self) -> bytes:
        sheet = self._sheet("services", SERVICE_HEADER, None)
        hall = figures_cells("hall", "", self.hall.name, self.hall_figures.result(), None)
        sheet.append(safe_row(hall))
        for code in sorted(self.service_figures):
            service = self.hall.service(code)
            name = service.name if service else ""
            fig = self.service_figures[code].result()
            target = report.target_wait_s(self.hall, code)
            sheet.append(safe_row(figures_cells("service", code, name, fig, target)))
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def exporter(fmt: str, hall: Hall) -> Export | None:
    """The export for `csv` or `xlsx`; None for any other format."""
    if fmt == "csv":
        return CsvExport(hall)
    if fmt == "xlsx":
        return XlsxExport(hall)
    return None
