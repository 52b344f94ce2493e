"""Counters and gauges in the Prometheus text format, with no dependency."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import ClassVar

Gauge = tuple[str, str, dict[str, str], float]  # name, help, labels, value


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in sorted(labels.items())
    )
    return "{" + inner + "}"


class Metrics:
    """Counters the process increments; gauges are read at scrape time."""

    HELP: ClassVar[dict[str, str]] = {
        "callnext_http_requests_total": "HTTP requests answered, by method, route and status.",
        "callnext_tickets_issued_total": "Tickets issued, by hall and service.",
        "callnext_calls_total": "Tickets called to a window, by hall.",
        "callnext_prints_total": "Tickets printed on a kiosk's ESC/POS printer, by hall and kiosk.",
        "callnext_print_failures_total": "Kiosk print jobs that failed, by hall and kiosk.",
    }

    def __init__(self) -> None:
        self.counters: dict[str, Counter[tuple[tuple[str, str], ...]]] = {
            name: Counter() for name in self.HELP
        }

    def inc(self, name: str, amount: int = 1, **labels: str) -> None:
        self.counters[name][tuple(sorted(labels.items()))] += amount

    def render(self, gauges: Iterable[Gauge]) -> str:
        """Counters, then `gauges` given as (name, help, labels, value)."""
        lines: list[str] = []
        for name, help_text in self.HELP.items():
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
            for label_items, count in sorted(self.counters[name].items()):
                lines.append(f"{name}{_labels(dict(label_items))} {count}")
        seen: set[str] = set()
        for gauge, gauge_help, labels, value in gauges:
            if gauge not in seen:
                lines += [f"# HELP {gauge} {gauge_help}", f"# TYPE {gauge} gauge"]
                seen.add(gauge)
            lines.append(f"{gauge}{_labels(labels)} {value:g}")
        return "\n".join(lines) + "\n"
