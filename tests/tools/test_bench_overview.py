"""`python -m callnext.bench.overview`: the region's overview timed through a real server, run
small (three halls, three days) from a real subprocess on each engine: it runs, prints a p50 and
p95 per request, and the region's figures it prints are sane. Not a timed test."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from ..conftest import PG_SKIP_REASON, PG_URL

ENGINES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[pytest.mark.postgres,
               pytest.mark.skipif(PG_SKIP_REASON is not None, reason=PG_SKIP_REASON or "")],
    ),
]  # fmt: skip
REQUESTS = ("overview", "trend 30 days", "export csv", "export xlsx")


@pytest.mark.parametrize("engine", ENGINES)
def test_the_overview_bench_runs_and_its_figures_are_sane(engine: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "callnext.bench.overview", "--halls", "3", "--days", "3",
         "--tickets", "20,40", "--runs", "2", "--db", engine, "--pg", PG_URL],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert re.search(rf"^{engine}: 3 halls × 3 days, [\d,]+ tickets", out, re.M), out
    for name in REQUESTS:
        found = re.search(rf"^  {name}\s+(\d+)\s+(\d+)\s+([\d,]+)$", out, re.M)
        assert found, (name, out)
        p50, p95, size = int(found[1]), int(found[2]), int(found[3].replace(",", ""))
        assert 0 <= p50 <= p95
        assert size > 100
    line = (
        r"region: waiting (\d+), issued (\d+), served (\d+), same-day (\S+), "
        r"promise met (\S+), one-trip (\S+), satisfied (\S+)$"
    )
    region = re.search(line, out, re.M)
    assert region, out
    waiting, issued, served = (int(region[i]) for i in (1, 2, 3))
    assert 0 < served <= issued
    assert waiting <= issued
    for rate in region.groups()[3:]:
        assert rate == "None" or 0 <= float(rate) <= 1, out
    assert "load average before" in out
