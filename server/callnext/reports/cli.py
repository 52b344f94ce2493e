"""`callnext report`: a hall's day in the terminal, as aligned tables (Chinese names are two
columns wide: the columns are aligned by display width)."""

from __future__ import annotations

import asyncio
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ..domain import report
from ..domain.clock import local_day, utcnow
from ..domain.errors import NotFound
from ..domain.model import Hall
from ..store import reads
from ..store.database import Database, normalize_url
from ..store.open_errors import cannot_open, sqlite_path

GAP = "  "
INDENT = "  "
NONE = "-"


# -- cells ---------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Terminal columns: wide and full-width characters take two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int, *, right: bool) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def m_ss(seconds: float | None) -> str:
    """Seconds as minutes:seconds (75:03 past the hour); '-' for none."""
    if seconds is None:
        return NONE
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def percent(rate: float | None) -> str:
    return NONE if rate is None else f"{rate * 100:.1f}%"


def clock(stamp: str | None) -> str:
    """An RFC 3339 stamp (already in the hall's offset) as HH:MM:SS."""
    return NONE if stamp is None else datetime.fromisoformat(stamp).strftime("%H:%M:%S")


def table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """Lines of a table: the first `left` columns aligned left, the others right."""
    widths = [display_width(h) for h in header]
    for row in rows:
        widths = [max(w, display_width(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            pad(c, w, right=i >= left) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return (INDENT + GAP.join(parts)).rstrip()

    return [line(header), *(line(r) for r in rows)]


# -- the report ----------------------------------------------------------------------------

Figures = dict[str, Any]
Column = tuple[str, Callable[[Figures], str]]


def _count(name: str) -> Callable[[Figures], str]:
    return lambda fig: str(fig[name])


def _time(group: str, point: str) -> Callable[[Figures], str]:
    return lambda fig: m_ss(fig[group][point])


SAME_DAY: Column = ("same day", lambda fig: percent(fig["same_day_completion_rate"]))
SERVICE_COLUMNS: list[Column] = [
    ("issued", _count("issued")), ("called", _count("called")), ("served", _count("served")),
    ("no-show", _count("no_show")), ("cancelled", _count("cancelled")),
    ("waiting", _count("waiting")), SAME_DAY, ("wait avg", _time("wait_s", "avg")),
    ("wait p90", _time("wait_s", "p90")), ("service avg", _time("service_s", "avg")),
    ("level", lambda fig: percent(fig["service_level"]["rate"])),
]  # fmt: skip
# A window's group is the tickets it finished: none of them waits or was cancelled.
WINDOW_COLUMNS: list[Column] = [
    ("finished", _count("issued")), ("served", _count("served")),
    ("no-show", _count("no_show")), SAME_DAY, ("wait avg", _time("wait_s", "avg")),
    ("service avg", _time("service_s", "avg")), ("service p90", _time("service_s", "p90")),
    ("first call", lambda fig: clock(fig["first_call_at"])),
    ("last finish", lambda fig: clock(fig["last_finish_at"])),
]  # fmt: skip


def _group_table(first: str, columns: list[Column], rows: list[tuple[str, Figures]]) -> list[str]:
    header = [first, *(name for name, _ in columns)]
    return table(header, [[label, *(cell(fig) for _, cell in columns)] for label, fig in rows])


def _totals(data: dict[str, Any]) -> list[str]:
    rows = [(label, str(data[key])) for label, key in (
        ("issued", "issued"), ("called", "called"), ("served", "served"),
        ("no-show", "no_show"), ("cancelled", "cancelled"), ("waiting", "waiting"),
    )]  # fmt: skip
    rate = percent(data["same_day_completion_rate"])
    rows.append(("completed same day", f"{data['completed_same_day']}  ({rate})"))
    level = data["service_level"]
    rows.append((
        "service level",
        f"{percent(level['rate'])}  ({level['within_target']} of {level['called']} called "
        "within their service's target wait)",
    ))  # fmt: skip
    promise = data["promise_met"]
    rows.append((
        "promise met",
        f"{percent(promise['rate'])}  (of {promise['pending']} pending: "
        f"{promise['completed_in_time']} in time, {promise['completed_late']} late, "
        f"{promise['overdue_open']} overdue, {promise['open_in_time']} open; "
        f"due in {m_ss(promise['promise_s'])})",
    ))  # fmt: skip
    longest = data["longest_waiting"]
    if longest is not None:
        rows.append(("longest waiting", f"{longest['number']}  {m_ss(longest['waited_s'])}"))
    width = max(display_width(label) for label, _ in rows)
    return [INDENT + pad(label, width, right=False) + GAP + value for label, value in rows]


def render(data: dict[str, Any], hall: Hall) -> str:
    """The day's report as text: totals, times, then a table per service and per window."""
    lines = [f"{hall.name} ({hall.code})  {data['date']}  {hall.timezone}", ""]
    lines += _totals(data)
    lines.append("")
    lines += table(
        ("times (m:ss)", "avg", "p50", "p90", "max"),
        [[label, *(m_ss(data[key][p]) for p in ("avg", "p50", "p90", "max"))]
         for label, key in (("wait", "wait_s"), ("service", "service_s"))],
    )  # fmt: skip
    services = []
    for code, fig in data["per_service"].items():
        service = hall.service(code)
        services.append((f"{code} {service.name}" if service else code, fig))
    lines += ["", "per service", *_group_table("service", SERVICE_COLUMNS, services)]
    windows = []
    for number, fig in data["per_window"].items():
        window = hall.window(int(number))
        name = window.name if window and window.name else f"window {number}"
        windows.append((name, {**fig, **data["per_window_throughput"][number]}))
    lines += ["", "per window (the tickets each window finished)"]
    lines += _group_table("window", WINDOW_COLUMNS, windows)
    return "\n".join(lines)


def _is_day(value: str) -> bool:
    try:
        return len(value) == 10 and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


async def _report(db_url: str, hall_code: str, day: str | None) -> str:
    db = Database(db_url)
    try:
        await db.start()
        hall = await db.hall(hall_code)
        now = utcnow()
        day = day or local_day(now, hall.timezone)
        tickets = await reads.tickets_of_day(db, hall, day)
        return render(report.day_report(day, tickets, hall, now), hall)
    finally:
        await db.close()


def run(db_url: str, hall: str, day: str | None) -> int:
    """Print the report; exit 1 with one line for a bad date, an unknown hall or a database
    that cannot be opened."""
    if day is not None and not _is_day(day):
        return _fail(f"bad date {day!r}: use YYYY-MM-DD")
    path = sqlite_path(normalize_url(db_url))
    if path is not None and not path.exists():  # a report creates nothing
        return _fail(f"cannot open the database {path}: no such file")
    try:
        text = asyncio.run(_report(db_url, hall, day))
    except NotFound as exc:
        return _fail(exc.message)
    except (SQLAlchemyError, OSError) as exc:
        return _fail(cannot_open(db_url, exc))
    print(text)
    return 0


def _fail(reason: str) -> int:
    print(f"callnext: {reason}", file=sys.stderr)
    return 1
