"""The shipped print benchmark runs against a real server and prints its figures."""

from __future__ import annotations

import re

import pytest

from callnext.bench import printer as print_bench

from ..helpers import Api


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_print_bench_measures_both_ways(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    await print_bench.run(api.base, "demo", 3, "demo")
    out = capsys.readouterr().out
    assert re.search(r"3 tickets each way, job \d{3} bytes", out), out
    assert re.search(r"issue, no printing\s+p50\s+[\d.]+ ms", out), out
    assert re.search(r"issue \+ ESC/POS print\s+p50\s+[\d.]+ ms", out), out
    assert len(await api.day_tickets()) == 6
