"""`python -m callnext.bench.estimate`: the estimates' play timed against the queue's length,
first come and with windows in an order of their own, from a real subprocess."""

from __future__ import annotations

import re
import subprocess
import sys


def test_the_estimate_bench_prints_both_layouts_per_length() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "callnext.bench.estimate", "--waiting", "200,20", "--repeat", "3"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "estimate() over the demo hall's 8 windows, median ms:"
    assert lines[1].split() == ["waiting", "first", "come", "7,", "8", "in", "order", "ratio"]
    row = re.compile(r"\s*(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+) ×")
    rows = [row.fullmatch(line) for line in lines[2:]]
    assert [int(m[1]) for m in rows if m] == [200, 20], run.stdout  # in the order asked
    for m in rows:
        assert m is not None
        first_come, in_order, ratio = float(m[2]), float(m[3]), float(m[4])
        assert 0 < first_come < 500
        assert 0 < in_order < 500
        assert 0 < ratio < 100


def test_the_estimate_bench_refuses_a_bad_count() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "callnext.bench.estimate", "--repeat", "0"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "--repeat a count ≥ 1" in run.stderr
