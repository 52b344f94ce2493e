"""`python -m callnext.bench.reconnect`: a reconnect storm timed on a real server's public
stream and on the floor sending a prebuilt frame of the same size, rounds alternated."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from callnext.bench import reconnect

from ..helpers import serving


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_storm_is_timed_on_callnext_and_on_the_floor(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving(db_url) as server:
        code = reconnect.main(
            ["--server", server.base, "--displays", "30", "--batch", "10", "--waiting", "12",
             "--rounds", "2"]
        )  # fmt: skip
        with urllib.request.urlopen(server.base + "/api/v1/halls/demo", timeout=10) as resp:
            status = json.load(resp)
    out = capsys.readouterr().out
    assert code == 0, out
    size = re.search(r"30 displays, 10 at a time, 12 waiting, a (\d+)-byte snapshot", out)
    assert size is not None, out
    assert int(size.group(1)) > 500  # the demo hall's public snapshot, read from the stream
    rounds = re.findall(r"round \d: callnext ([\d.]+) s, floor ([\d.]+) s, x([\d.]+)", out)
    assert len(rounds) == 2, out
    assert all(float(ours) > 0 and float(floor) > 0 for ours, floor, _ in rounds)
    assert re.search(r"median: callnext [\d.]+ s, floor [\d.]+ s, x[\d.]+", out), out
    assert sum(s["waiting"] for s in status["services"]) == 12  # issued up to --waiting


def test_a_server_that_is_not_there_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = reconnect.main(["--server", "http://127.0.0.1:9", "--displays", "5", "--rounds", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1, err
    assert err[0].startswith("callnext.bench.reconnect: "), err
