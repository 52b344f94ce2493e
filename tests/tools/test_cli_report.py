"""`callnext report`: the real command, run as a subprocess on a database prepared through the
store (tests/report_history.py), prints a day's figures as aligned tables; bad input exits 1
with one line, as every other command's refusal does."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest

from callnext.reports.cli import display_width, m_ss, table

from ..report_history import D1, D2, build_history, day
from .test_cli import assert_one_line_failure, env

CALLNEXT = Path(sys.executable).with_name("callnext")


def report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CALLNEXT), "report", *args], capture_output=True, text=True, env=env(), timeout=60
    )


@pytest.fixture
def history_db(db_url: str) -> str:
    asyncio.run(build_history(db_url))
    return db_url


def value(out: str, label: str) -> str:
    """The text after a label of the totals (`  issued   5` → `5`)."""
    found = re.search(rf"^  {re.escape(label)}  +(.+)$", out, re.MULTILINE)
    assert found, (label, out)
    return found.group(1)


def section(out: str, title: str) -> list[str]:
    """The lines from the one that starts with `title` (excluded) to the next blank line."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title)) + 1
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


def test_a_past_day_in_the_terminal(history_db: str) -> None:
    result = report("--hall", "demo", "--date", day(D1), "--db", history_db)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[0] == f"演示政务服务中心 (demo)  {day(D1)}  Asia/Shanghai"
    counts = ("issued", "called", "served", "no-show", "cancelled", "waiting")
    assert [value(out, label) for label in counts] == ["5", "4", "3", "1", "1", "0"]
    assert value(out, "completed same day") == "3  (100.0%)"
    assert value(out, "service level").startswith("50.0%  (2 of 4 called")
    assert value(out, "promise met").startswith("0.0%  (of 1 pending: 0 in time, 1 late,")
    times = {line.split()[0]: line.split()[1:] for line in section(out, "  times (m:ss)")}
    # waits 5:00 9:30 28:00 59:00 (avg 25:22.5, shown rounded); services 5:00 20:00 20:00
    assert times == {"wait": ["25:22", "9:30", "59:00", "59:00"],
                     "service": ["15:00", "20:00", "20:00", "20:00"]}  # fmt: skip
    services = section(out, "per service")
    assert services[1].split() == [
        "A", "不动产登记", "4", "3", "2", "1", "1", "0", "100.0%", "14:10", "28:00", "12:30",
        "66.7%",
    ]  # fmt: skip
    assert services[2].split()[:3] == ["B", "水电气过户", "1"]
    windows = section(out, "per window (the tickets each window finished)")
    assert windows[1].split() == [
        "1号窗口", "3", "2", "1", "100.0%", "14:10", "12:30", "20:00", "09:05:00", "09:35:00",
    ]  # fmt: skip
    assert windows[2].split()[0] == "5号窗口"
    for rows in (services, windows):  # right-aligned last column: every line as wide
        assert len({display_width(line) for line in rows}) == 1, rows


def test_the_default_day_is_today_and_overdue_matters_show(history_db: str) -> None:
    result = report("--hall", "demo", "--db", history_db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith(f"  {day(0)}  Asia/Shanghai")
    assert value(result.stdout, "issued") == "0"
    assert value(result.stdout, "completed same day") == "0  (-)"
    yesterday = report("--hall", "demo", "--date", day(D2), "--db", history_db)
    assert "1 overdue" in value(yesterday.stdout, "promise met")


def test_unknown_hall_and_bad_date_exit_1_with_one_line(history_db: str) -> None:
    result = report("--hall", "nohall", "--db", history_db)
    assert result.returncode == 1
    assert_one_line_failure(result, "nohall")
    for bad in ("2024-02-30", "yesterday", "2024-2-1"):
        result = report("--hall", "demo", "--date", bad, "--db", history_db)
        assert result.returncode == 1
        assert_one_line_failure(result, "bad date", bad)


def test_a_missing_database_file_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    result = report("--hall", "demo", "--db", f"sqlite:///{path}")
    assert result.returncode == 1
    assert_one_line_failure(result, f"cannot open the database {path}: no such file")
    assert not path.exists()


# -- the table's cells -----------------------------------------------------------------------


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("A1") == 2
    assert display_width("不动产登记") == 10
    assert display_width("1号窗口") == 7
    assert display_width("ＡＢ") == 4  # full-width
    assert display_width("é") == 1  # e + combining acute


def test_table_aligns_by_display_width() -> None:
    lines = table(["service", "issued"], [["A 不动产登记", "12"], ["C Help", "3"]])
    assert lines == [
        "  service       issued",
        "  A 不动产登记      12",
        "  C Help             3",
    ]
    assert len({display_width(line) for line in lines}) == 1


def test_m_ss() -> None:
    assert [m_ss(v) for v in (None, 0, 59.4, 59.6, 600, 4503)] == [
        "-", "0:00", "0:59", "1:00", "10:00", "75:03",
    ]  # fmt: skip
