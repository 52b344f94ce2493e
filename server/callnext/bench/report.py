"""`callnext bench`'s figures: one side's results at one display count, and how they print
(each run's lines, then the Markdown table of docs/performance.md). The floor's side is None
for a run with --no-floor: callnext's figures then print alone, with no ratio."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Result:
    """One side's figures at one display count (ms; KB per idle display, None: not read)."""

    displays: int
    first: list[float]
    last: list[float]
    kb_per_display: float | None
    rate: float | None = None  # durable tickets/s (callnext only)
    # callnext's own stages of each press (its Server-Timing header: auth, queue, tx, …), ms
    stages: dict[str, list[float]] = field(default_factory=dict)
    # the server's queue plays during the presses, by where (callnext_queue_plays_total)
    plays: dict[str, float] = field(default_factory=dict)

    @property
    def spread(self) -> list[float]:
        """From the first display to the last, per press: the fan-out itself."""
        return [last - first for first, last in zip(self.first, self.last, strict=True)]


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest rank: the ⌈p·n⌉-th smallest."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered))) - 1]


def _figures(values: Sequence[float]) -> tuple[float, float]:
    return statistics.median(values), percentile(values, 0.99)


def _kb(result: Result | None) -> str:
    if result is None or result.kb_per_display is None:
        return "n/a"
    return f"{result.kb_per_display:.1f}"


def report(cn: Result, fl: Result | None, size: int, concurrency: int) -> None:
    print(f"== {cn.displays} displays (/ws/v2), ticket.called frame {size} bytes")
    print(f"durable tickets/s ({concurrency} concurrent kiosks): {_rate(cn.rate)}")
    for name, ours in (("first", cn.first), ("last", cn.last)):
        p50, p99 = _figures(ours)
        if fl is None:
            print(f"call-next → {name} display  p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   "
                  f"(n={len(ours)})")  # fmt: skip
            continue
        f50, f99 = _figures(fl.first if name == "first" else fl.last)
        print(
            f"call-next → {name} display  p50 {p50:6.1f} ms = {p50 / f50:4.1f} × floor   "
            f"p99 {p99:6.1f} ms = {p99 / f99:4.1f} × floor   (n={len(ours)})"
        )
        print(f"floor POST → {name} display p50 {f50:6.1f} ms   p99 {f99:6.1f} ms")
    s50, s99 = _figures(cn.spread)
    line = f"first → last display (the fan-out) p50 {s50:6.1f} ms   p99 {s99:6.1f} ms"
    if fl is not None:
        t50, t99 = _figures(fl.spread)
        line += f";   floor p50 {t50:6.1f} ms   p99 {t99:6.1f} ms"
    print(line)
    if cn.stages:
        stages = "   ".join(
            f"{name} {statistics.median(v):.2f} / {percentile(v, 0.99):.2f}"
            for name, v in cn.stages.items()
        )
        print(f"in the server (Server-Timing), p50 / p99 ms: {stages}")
    if cn.plays:
        print(f"the queue played during the {len(cn.last)} presses: "
              f"{cn.plays.get('transaction', 0):.0f} in a transaction, "
              f"{cn.plays.get('refresh', 0):.0f} after a commit")  # fmt: skip
    if cn.kb_per_display is None:
        print("memory per idle display: not read (the server is not on this machine)")
    else:
        floor_kb = "" if fl is None else f"   floor {_kb(fl)} KB"
        print(f"memory per idle display: {cn.kb_per_display:.1f} KB{floor_kb}")


def table(rows: list[tuple[Result, Result | None]]) -> None:
    """The summary, as the Markdown table of docs/performance.md ("—": no floor was run)."""
    print("\n| displays | durable tickets/s | → first p50 / p99 | → last p50 / p99 "
          "| floor → last p50 / p99 | last p99 ÷ floor | KB / idle display (floor) "
          "| first → last p99 (floor) |")  # fmt: skip
    print("|---:|---:|---|---|---|---:|---|---|")
    for cn, fl in rows:
        (a, b), (c, d) = _figures(cn.first), _figures(cn.last)
        spread = _figures(cn.spread)[1]
        if fl is None:
            floor_last, ratio, floor_spread = "—", "—", "—"
        else:
            e, f = _figures(fl.last)
            floor_last, ratio = f"{e:.1f} / {f:.1f} ms", f"{d / f:.2f} ×"
            floor_spread = f"{_figures(fl.spread)[1]:.1f}"
        print(
            f"| {cn.displays:,} | {_rate(cn.rate)} | {a:.1f} / {b:.1f} ms | {c:.1f} / {d:.1f} ms "
            f"| {floor_last} | {ratio} | {_kb(cn)} ({_kb(fl)}) "
            f"| {spread:.1f} ({floor_spread}) ms |"
        )


def _rate(rate: float | None) -> str:
    """Durable tickets/s, or a dash where the run issued none (the queue was already full)."""
    return "—" if rate is None else f"{rate:,.0f}"
