"""What the estimated waits cost against the queue's length and the windows' work profiles:
`python -m callnext.bench.estimate [--waiting 100,500,2000] [--repeat 50]`.

It plays the demo hall's eight windows, all open with nobody at the counter, over a queue of
A, B and C in turn (`domain.estimate.estimate`, pure: no database), once with every window first
come and once with windows 7 and 8 (every service) taking their services in an order of their
own (C, B, A and B, C, A). The one play gives every waiting ticket's start and each service's
wait for a newcomer, whatever the windows' profiles: the two should cost the same. The layouts
alternate, so a busy machine slows both alike; each figure is the median of `--repeat` plays,
in ms (docs/performance.md).
"""

from __future__ import annotations

import argparse
import statistics
import time

from ..domain.estimate import OpenWindow, Waiting, estimate
from ..domain.model import CallOrder
from ..store.setup import DEMO

MEANS = {"A": 480.0, "B": 300.0, "C": 180.0}
IN_ORDER = {7: ("C", "B", "A"), 8: ("B", "C", "A")}


def layouts() -> dict[str, list[OpenWindow]]:
    first_come = [OpenWindow(n, codes) for n, codes in sorted(DEMO.windows.items())]
    in_order = [
        OpenWindow(w.number, IN_ORDER[w.number], order=CallOrder.SERVICES)
        if w.number in IN_ORDER
        else w
        for w in first_come
    ]
    return {"first come": first_come, "7, 8 in order": in_order}


def measure(lengths: list[int], repeat: int) -> list[tuple[int, dict[str, float]]]:
    rows = []
    for length in lengths:
        queue = [Waiting(pk, "ABC"[pk % 3]) for pk in range(length)]
        seconds: dict[str, list[float]] = {label: [] for label in layouts()}
        for _ in range(repeat):  # alternating: the same load on both
            for label, windows in layouts().items():
                begun = time.perf_counter()
                estimate(queue, windows, MEANS)
                seconds[label].append(time.perf_counter() - begun)
        rows.append((length, {k: statistics.median(v) * 1000 for k, v in seconds.items()}))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m callnext.bench.estimate", description=__doc__)
    parser.add_argument("--waiting", default="100,500,2000", help="queue lengths, comma-separated")
    parser.add_argument("--repeat", type=int, default=50, help="plays timed per length and layout")
    args = parser.parse_args(argv)
    lengths = [int(n) for n in args.waiting.split(",")]
    if any(n < 0 for n in lengths) or args.repeat < 1:
        parser.error("--waiting takes lengths ≥ 0 and --repeat a count ≥ 1")
    rows = measure(lengths, args.repeat)
    labels = list(layouts())
    print("estimate() over the demo hall's 8 windows, median ms:")
    print(f"{'waiting':>8}  " + "  ".join(f"{label:>14}" for label in labels) + "     ratio")
    for length, medians in rows:
        ratio = medians[labels[1]] / medians[labels[0]] if medians[labels[0]] else 0.0
        cells = "  ".join(f"{medians[label]:>14.3f}" for label in labels)
        print(f"{length:>8}  {cells}  {ratio:>7.2f} ×")


if __name__ == "__main__":
    main()
