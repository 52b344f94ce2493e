"""The shipped load benchmark (`callnext bench`) runs against a real server and its floor."""

from __future__ import annotations

import re

import pytest

from callnext import cli
from callnext.bench import load as bench
from callnext.bench.floor import raise_open_files

from ..helpers import serving

FIGURE = r"p50\s+[\d.]+ ms = +[\d.]+ × floor\s+p99\s+[\d.]+ ms = +[\d.]+ × floor"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bench_measures_callnext_and_the_floor(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving(db_url) as server:
        code = cli.main(
            ["bench", "--server", server.base, "--displays", "5,10", "--tickets", "20",
             "--calls", "5", "--concurrency", "4"]
        )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    for count in (5, 10):
        section = out.split(f"== {count} displays")[1].split("==")[0]
        assert re.search(r"ticket\.called frame \d{3,} bytes", section), section
        assert re.search(r"durable tickets/s \(4 concurrent kiosks\): [\d,]+", section), section
        for name in ("first", "last"):
            assert re.search(rf"call-next → {name} display\s+{FIGURE}\s+\(n=5\)", section), section
            assert re.search(
                rf"floor POST → {name} display p50 +[\d.]+ ms +p99 +[\d.]+ ms", section
            )
        stage = r"{} [\d.]+ / [\d.]+"
        stages = "   ".join(stage.format(n) for n in ("auth", "queue", "tx", "commit", "fanout"))
        assert re.search(rf"in the server \(Server-Timing\), p50 / p99 ms: {stages}", section)
        assert re.search(r"memory per idle display: -?[\d.]+ KB +floor -?[\d.]+ KB", section)
        fan_out = r"first → last display \(the fan-out\) p50 +[\d.]+ ms +p99 +[\d.]+ ms;"
        assert re.search(fan_out + r" +floor p50 +[\d.]+ ms +p99 +[\d.]+ ms", section), section
        # call-next over a window's current ticket: its ticket.finished, then the ticket.called
        assert re.search(r"frames per press to each display: [12] \(the floor", section), section
        latencies = r"( [\d.]+ / [\d.]+ ms \|){3}"
        row = (
            rf"\| {count} \| [\d,]+ \|{latencies} [\d.]+ × \| -?[\d.]+ \(-?[\d.]+\) \|"
            r" [\d.]+ \([\d.]+\) ms \|"
        )
        assert re.search(row, out), out


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bench_without_the_floor_measures_callnext_alone(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--no-floor: callnext's figures with no floor server, no floor displays, no ratio."""
    with serving(db_url) as server:
        code = cli.main(
            ["bench", "--server", server.base, "--displays", "6", "--tickets", "40",
             "--calls", "10", "--concurrency", "4", "--no-floor"]
        )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "floor" not in out.split("| displays |")[0], out  # no floor line before the table
    for name in ("first", "last"):
        assert re.search(rf"call-next → {name} display\s+p50\s+[\d.]+ ms\s+p99\s+[\d.]+ ms\s+"
                         r"\(n=10\)", out), out  # fmt: skip
    assert re.search(r"memory per idle display: -?[\d.]+ KB\n", out), out
    # the server's own count of its queue plays during the presses (/metrics): the first press
    # at each of windows 1–8 staffs it (the windows that call changed: played in the
    # transaction); the presses at windows 1 and 2 again play nothing themselves, and the queue
    # is played after their commits
    plays = re.search(r"the queue played during the 10 presses: (\d+) in a transaction, "
                      r"(\d+) after a commit", out)  # fmt: skip
    assert plays, out
    assert (int(plays[1]), int(plays[2])) == (8, 2), out
    latencies = r"( [\d.]+ / [\d.]+ ms \|){2}"
    row = rf"\| 6 \| [\d,]+ \|{latencies} — \| — \| -?[\d.]+ \(n/a\) \| [\d.]+ \(—\) ms \|"
    assert re.search(row, out), out


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bench_with_a_third_party_client_and_a_long_queue(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--client websockets: callnext's and the floor's displays read by the websockets library
    in a process of its own; --waiting N: N tickets left after the presses (the queue topped up
    to N + --calls: a second run on the same server starts from the same queue)."""
    argv = ["--displays", "7", "--waiting", "30", "--calls", "4", "--concurrency", "4"]
    with serving(db_url) as server:
        assert cli.main(["bench", "--server", server.base, *argv, "--no-floor"]) == 0
        first = capsys.readouterr().out
        code = cli.main(["bench", "--server", server.base, *argv, "--client", "websockets"])
    out = capsys.readouterr().out
    assert "waiting at the first press: 34\n" in first, first
    assert code == 0, out
    assert "display client websockets (its own process)" in out, out
    assert "waiting at the first press: 34\n" in out, out
    for name in ("first", "last"):
        assert re.search(rf"call-next → {name} display\s+{FIGURE}\s+\(n=4\)", out), out
    assert re.search(r"frames per press to each display: [12] \(the floor", out), out


@pytest.mark.parametrize("argv", [["--waiting", "-1"], ["--waiting", "x"], ["--client", "curl"]])
def test_bench_refuses_a_bad_waiting_or_client(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["bench", *argv])
    assert exited.value.code == 2
    assert f"argument {argv[0]}:" in capsys.readouterr().err


def test_bench_parses_display_counts() -> None:
    parser = cli._parser()
    args = parser.parse_args(["bench", "--displays", "100,1000,5000"])
    assert args.displays == [100, 1000, 5000]
    with pytest.raises(SystemExit):
        parser.parse_args(["bench", "--displays", "0"])
    assert bench.main is not None  # python -m callnext.bench keeps its own entry point


def test_bench_takes_tickets_and_calls_per_display_count() -> None:
    """Fewer tickets for the big counts: one value for all, or one per display count."""
    parser = cli._parser()
    args = parser.parse_args(
        ["bench", "--displays", "100,10000", "--tickets", "1000,100", "--calls", "50"]
    )
    assert bench.per_count(args.tickets, args.displays, 100) == 1000
    assert bench.per_count(args.tickets, args.displays, 10000) == 100
    assert bench.per_count(args.calls, args.displays, 10000) == 50
    args = parser.parse_args(["bench", "--displays", "100,1000,5000", "--tickets", "10,20"])
    with pytest.raises(SystemExit):
        bench.per_count(args.tickets, args.displays, 1000)
    for bad in ("0", "x", ""):
        with pytest.raises(SystemExit):
            parser.parse_args(["bench", "--tickets", bad])


def test_bench_reads_server_timing() -> None:
    header = "auth;dur=0.190, queue;dur=0.3, tx;dur=2.912, commit;dur=0.7, fanout;dur=8.1"
    assert bench.server_timing(header) == {
        "auth": 0.19, "queue": 0.3, "tx": 2.912, "commit": 0.7, "fanout": 8.1,
    }  # fmt: skip
    assert bench.server_timing("") == {}
    assert bench.server_timing('cache;desc="hit", db;dur=bad, x;dur=1.5') == {"x": 1.5}


def test_bench_refuses_before_it_starts_what_cannot_run_here(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """More displays than this process may hold sockets for (callnext's and the floor's at
    once), or --tickets that do not match --displays: a clear error and exit 1 at once, not a
    crash minutes into the run (no server is needed to find out)."""
    limit = raise_open_files()
    too_many = str(limit // 2)  # two sockets each, plus the files besides: over the limit
    nowhere = "http://127.0.0.1:9"
    assert cli.main(["bench", "--server", nowhere, "--displays", f"10,{too_many}"]) == 1
    err = capsys.readouterr().err
    assert f"{limit // 2:,} displays need" in err
    assert f"may open {limit:,} (its hard limit)" in err
    args = ["bench", "--server", nowhere, "--displays", "10,20,30", "--tickets", "5,6"]
    assert cli.main(args) == 1
    assert (
        "--tickets and --calls take one value, or one per display count" in capsys.readouterr().err
    )
    assert bench.refusal(cli._parser().parse_args(["bench", "--displays", "10"]), limit) is None
    # --no-floor holds one socket per display: twice as many fit
    alone = cli._parser().parse_args(["bench", "--displays", too_many, "--no-floor"])
    assert bench.refusal(alone, limit) is None
    alone = cli._parser().parse_args(["bench", "--displays", str(limit), "--no-floor"])
    assert "(callnext's displays at once)" in (bench.refusal(alone, limit) or "")
