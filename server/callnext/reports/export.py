"""A hall's tickets over a range of days as a spreadsheet: CSV (UTF-8 with a BOM, so Excel reads
the Chinese names) or XLSX (tickets, a summary row per day, the figures per service).

Two layouts: in the manager's words (report_words.py: zh or en headers, states in words, h:mm:ss,
percentages), and `raw` for programs (snake_case headers, codes, seconds with 3 decimals). Both
name who served each ticket and its rating. Built a few days at a time (`add_days`), so a long
range never holds all its tickets at once.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from ..domain import followup, report, stats
from ..domain.clock import zone
from ..domain.model import Hall, Ticket
from ..store.report_sql import Served
from . import words as rw

Cell = str | int | float | datetime | timedelta | None
Days = Sequence[tuple[str, Sequence[Ticket]]]
ServedBy = Mapping[int, Served]  # ticket pk → who served it, its rating
NOBODY = Served()

# A 差评's follow-up (差评回访) on its ticket's row: state, due day, overdue now, who, the note
FOLLOWUP_HEADER = (
    "followup", "followup_due", "followup_overdue", "followup_assignee", "followup_note",
)  # fmt: skip
TICKET_HEADER = (
    "day", "number", "service", "service_name", "priority", "status", "outcome",
    "closed_reason", "window", "issued_at", "called_at", "finished_at", "completed_at",
    "wait_s", "service_s", "recalls", "transfers", "staff", "rating",
    *FOLLOWUP_HEADER,
)  # fmt: skip
TREND_HEADER = (
    "date", *stats.COUNT_FIELDS, "same_day_completion_rate", "wait_s_avg", "wait_s_p90",
    "service_s_avg", "matters", "one_trip", "one_trip_rate",
)  # fmt: skip
NO_TRIPS = {"matters": 0, "one_trip": 0, "one_trip_rate": None}  # a day no matter began
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


# XML 1.0, and so an XLSX, cannot hold the C0 control characters but tab, LF and CR: openpyxl
# refuses the whole workbook for one (a 500 for a name pasted with one, or a citizen's comment).
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_text(value: Cell) -> Cell:
    """Text as an XLSX can hold it: each character it cannot, a visible U+FFFD (�)."""
    return XLSX_ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def local_time(moment: datetime | None, tz: str) -> datetime | None:
    """The hall's wall-clock time to the second, without an offset (what a sheet shows)."""
    if moment is None:
        return None
    return moment.astimezone(zone(tz)).replace(tzinfo=None, microsecond=0)


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def followup_cells(served: Served, today: str, w: rw.Words | None = None) -> list[Cell]:
    """The follow-up's cells (none: empty): its state (a code, or in words), its due day,
    whether it is overdue `today` (0/1, or 是/否), its assignee and note."""
    f = served.followup
    if f is None:
        return [None] * len(FOLLOWUP_HEADER)
    late = followup.is_overdue(f, today)
    if w is None:
        return [f.state.value, f.due, int(late), f.assignee, f.note]
    return [w.states[f.state.value], f.due, w.yes_no[0 if late else 1], f.assignee, f.note]


def ticket_cells(
    ticket: Ticket, hall: Hall, served: Served = NOBODY, today: str = ""
) -> list[Cell]:
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
        ticket.recalls, ticket.transfers, served.staff, served.rating,
        *followup_cells(served, today),
    ]  # fmt: skip


def ticket_words(
    ticket: Ticket, hall: Hall, served: Served, w: rw.Words, today: str = ""
) -> list[Cell]:
    """One ticket as a row under the words' header: names, its state in words, h:mm:ss."""
    tz = hall.timezone
    return [
        ticket.day, ticket.number, rw.service_name(hall, ticket.service, w),
        w.yes_no[0] if ticket.priority else w.yes_no[1], rw.state(ticket, w), ticket.window,
        served.staff, local_time(ticket.issued_at, tz), local_time(ticket.called_at, tz),
        local_time(ticket.finished_at, tz), local_time(ticket.completed_at, tz),
        rw.duration(stats.wait_s(ticket)), rw.duration(stats.service_s(ticket)),
        ticket.recalls, ticket.transfers, served.rating, rw.score_words(served.rating, w),
        *followup_cells(served, today, w),
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


class Layout:
    """The raw layout: what programs read (snake_case, codes, seconds)."""

    sheets = ("tickets", "summary", "services")
    ticket_header: Sequence[str] = TICKET_HEADER
    trend_header: Sequence[str] = TREND_HEADER
    service_header: Sequence[str] = SERVICE_HEADER
    scopes = ("hall", "service")
    first_time = TICKET_HEADER.index("issued_at")
    today = ""  # the hall's day the export is made: a follow-up is overdue after its due day

    def ticket(self, ticket: Ticket, hall: Hall, served: Served) -> list[Cell]:
        return ticket_cells(ticket, hall, served, self.today)

    def trend(self, day: dict[str, Any]) -> list[Cell]:
        return trend_cells(day)

    def figures(
        self, scope: str, code: str, name: str, fig: dict[str, Any], target: int | None
    ) -> list[Cell]:
        return figures_cells(scope, code, name, fig, target)


class WordsLayout(Layout):
    """The manager's language: words, h:mm:ss, percentages."""

    def __init__(self, words: rw.Words) -> None:
        self.words = words
        self.sheets = words.sheets
        self.ticket_header = words.ticket_header
        self.trend_header = rw.trend_header(words)
        self.service_header = rw.service_header(words)
        self.scopes = words.scopes
        self.first_time = 7  # 取号时间 / Issued

    def ticket(self, ticket: Ticket, hall: Hall, served: Served) -> list[Cell]:
        return ticket_words(ticket, hall, served, self.words, self.today)

    def trend(self, day: dict[str, Any]) -> list[Cell]:
        return rw.trend_cells(day)

    def figures(
        self, scope: str, code: str, name: str, fig: dict[str, Any], target: int | None
    ) -> list[Cell]:
        return rw.figures_cells(scope, code, name, fig, target)


def layout_for(lang: str | None, today: str = "") -> Layout:
    """`raw`, or the words of a language (zh, en); `today`: the hall's day (overdue)."""
    layout = Layout() if lang == "raw" else WordsLayout(rw.WORDS[lang or "zh"])
    layout.today = today
    return layout


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, timedelta):
        return rw.hms(value)
    if isinstance(value, rw.Rate):
        return f"{value * 100:.1f}%"
    return str(value)


XLSX_FORMATS = {timedelta: "[h]:mm:ss", rw.Rate: "0.0%"}


def _xlsx_row(sheet: Any, cells: Sequence[Cell]) -> list[Any]:
    """Durations and rates as numbers a sheet can add up, shown as h:mm:ss and 66.7%."""
    from openpyxl.cell import WriteOnlyCell  # openpyxl: 0.1 s to import, for an XLSX only

    row: list[Any] = []
    for value in safe_row(cells):
        fmt = XLSX_FORMATS.get(type(value))
        if fmt is None:
            row.append(xlsx_text(value))
            continue
        cell = WriteOnlyCell(sheet, value=float(value) if isinstance(value, rw.Rate) else value)
        cell.number_format = fmt
        row.append(cell)
    return row


class Export(Protocol):
    content_type: str
    extension: str

    def add_days(self, days: Days, served: ServedBy) -> None: ...

    def set_trips(self, by_day: Mapping[str, dict[str, Any]]) -> None: ...

    def finish(self) -> bytes: ...


class CsvExport:
    """Every ticket, one row each, under a header row."""

    content_type = "text/csv"
    extension = "csv"

    def __init__(self, hall: Hall, layout: Layout) -> None:
        self.hall = hall
        self.layout = layout
        self.out = io.StringIO()
        self.out.write("\ufeff")
        self.writer = csv.writer(self.out)
        self.writer.writerow(layout.ticket_header)

    def add_days(self, days: Days, served: ServedBy) -> None:
        for _day, tickets in days:
            for t in tickets:
                cells = self.layout.ticket(t, self.hall, served.get(t.pk, NOBODY))
                self.writer.writerow([_csv_text(safe_text(c)) for c in cells])

    def set_trips(self, by_day: Mapping[str, dict[str, Any]]) -> None:
        """The CSV has no per-day rows: nothing to add."""

    def finish(self) -> bytes:
        return self.out.getvalue().encode("utf-8")


class XlsxExport:
    """Sheets `tickets` (one row each), `summary` (one row per day: the trend) and `services`
    (the hall's and each service's figures over the whole range)."""

    content_type = XLSX_TYPE
    extension = "xlsx"

    def __init__(self, hall: Hall, layout: Layout) -> None:
        self.hall = hall
        self.layout = layout
        from openpyxl import Workbook  # see _xlsx_row

        self.book = Workbook(write_only=True)
        names = layout.sheets
        self.tickets = self._sheet(names[0], layout.ticket_header, layout.first_time)
        self.summary = self._sheet(names[1], layout.trend_header, None)
        self.hall_figures = report.RangeFigures(hall)
        self.service_figures: dict[str, report.RangeFigures] = {}
        self.trips: Mapping[str, dict[str, Any]] = {}  # a day → its trips per matter

    def set_trips(self, by_day: Mapping[str, dict[str, Any]]) -> None:
        """Each day's trips per matter (usecases/trips.day_entry) for the summary sheet."""
        self.trips = by_day

    def _sheet(self, title: str, header: Sequence[str], first_time: int | None) -> Any:
        from openpyxl.utils import get_column_letter  # see _xlsx_row

        sheet = self.book.create_sheet(title)
        sheet.freeze_panes = "A2"
        if first_time is not None:  # the four time columns, wide enough for a whole stamp
            start = first_time + 1
            for column in range(start, start + 4):
                sheet.column_dimensions[get_column_letter(column)].width = TIME_COLUMNS_WIDTH
        sheet.append(list(header))
        return sheet

    def add_days(self, days: Days, served: ServedBy) -> None:
        layout = self.layout
        for day, tickets in days:
            for t in tickets:
                cells = layout.ticket(t, self.hall, served.get(t.pk, NOBODY))
                self.tickets.append(_xlsx_row(self.tickets, cells))
            trips = self.trips.get(day, NO_TRIPS)
            trend = layout.trend({**report.trend_day(day, tickets, self.hall.timezone), **trips})
            self.summary.append(_xlsx_row(self.summary, trend))
            self.hall_figures.add(tickets)
            for code, group in report.group_by_service(tickets).items():
                self.service_figures.setdefault(code, report.RangeFigures(self.hall)).add(group)

    def finish(self) -> bytes:
        layout = self.layout
        sheet = self._sheet(layout.sheets[2], layout.service_header, None)
        hall_scope, service_scope = layout.scopes
        hall = layout.figures(hall_scope, "", self._name(None), self.hall_figures.result(), None)
        sheet.append(_xlsx_row(sheet, hall))
        for code in sorted(self.service_figures):
            fig = self.service_figures[code].result()
            target = report.target_wait_s(self.hall, code)
            row = layout.figures(service_scope, code, self._name(code), fig, target)
            sheet.append(_xlsx_row(sheet, row))
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()

    def _name(self, code: str | None) -> str:
        """The hall's (code None) or a service's name, in the layout's language."""
        words = getattr(self.layout, "words", None)
        english = words is not None and words.lang == "en"
        if code is None:
            return (self.hall.name_en or self.hall.name) if english else self.hall.name
        service = self.hall.service(code)
        if service is None:
            return ""
        return (service.name_en or service.name) if english else service.name


def exporter(fmt: str, hall: Hall, lang: str | None = "zh", today: str = "") -> Export | None:
    """The export for `csv` or `xlsx` in `lang` (zh, en, or raw); None for any other format.
    `today`: the hall's day, against which a follow-up is overdue."""
    layout = layout_for(lang, today)
    if fmt == "csv":
        return CsvExport(hall, layout)
    if fmt == "xlsx":
        return XlsxExport(hall, layout)
    return None
