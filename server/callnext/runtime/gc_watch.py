"""Python's garbage collector, kept out of a call's way and watched.

A full collection walks every tracked object, and it holds the event loop while it does: every
press and every display waits for it. A server makes about 125,000 objects once, as it starts
(modules, SQLAlchemy's tables and compiled statements, templates, the OpenAPI document), and
keeps them to the end. With 1,000 displays connected, a full collection took 86–117 ms here,
most of it walking those. `freeze_startup` moves them out of the collector's sight (gc.freeze)
once the server is up, so a full collection walks only what connections and requests made
(docs/performance.md). Objects made later are collected as before.

`GcWatch` times every collection for /metrics, so an operator sees the pauses, not guesses.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from .metrics import Gauge


def freeze_startup() -> int:
    """Collect what the start left, then freeze the rest (the server's lasting objects); how
    many are frozen now. Call once the server is up, before it takes traffic."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class GcWatch:
    """Each generation's collections since the start: how many, and their total and longest
    pause (gc.callbacks, on whatever thread collects)."""

    def __init__(self) -> None:
        self.collections = [0, 0, 0]
        self.total_s = [0.0, 0.0, 0.0]
        self.longest_s = [0.0, 0.0, 0.0]
        self._began = 0.0

    def install(self) -> None:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)

    def remove(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
            return
        pause = time.perf_counter() - self._began
        generation = int(info.get("generation", 0))
        self.collections[generation] += 1
        self.total_s[generation] += pause
        self.longest_s[generation] = max(self.longest_s[generation], pause)

    def gauges(self) -> list[Gauge]:
        out: list[Gauge] = [
            ("callnext_gc_frozen_objects",
             "Objects frozen out of the garbage collector's walks (made at the start).", {},
             float(gc.get_freeze_count())),
        ]  # fmt: skip
        for generation in range(3):
            labels = {"generation": str(generation)}
            out += [
                ("callnext_gc_collections", "Garbage collections since the start.", labels,
                 float(self.collections[generation])),
                ("callnext_gc_pause_seconds_total", "Time the garbage collector held the process.",
                 labels, self.total_s[generation]),
                ("callnext_gc_pause_seconds_max", "The longest garbage collection since the start.",
                 labels, self.longest_s[generation]),
            ]  # fmt: skip
        return out
