"""Announcement render latency: `python -m callnext.bench.voice [-n 50] [--cache-dir DIR]`.

Measures, in a fresh temporary cache unless told otherwise: the worker's start, N distinct
announcements rendered one after another (cold, per language), a burst of 10 calls at once
(each waits for those before it in the one worker), and the same N again (cache hits).
The target: a call's WAV is ready within 300 ms (p99).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from pathlib import Path

from ..voice.renderer import VoiceRenderer

TARGET_MS = 300.0


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the ⌈p·n⌉-th smallest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def report(label: str, seconds: list[float], failures: int = 0) -> None:
    ms = [s * 1000 for s in seconds]
    p50, p99 = percentile(ms, 0.50), percentile(ms, 0.99)
    verdict = "ok" if p99 <= TARGET_MS and not failures else "OVER TARGET"
    print(
        f"{label:<28} n={len(ms):<3} p50={p50:8.2f} ms  p99={p99:8.2f} ms  "
        f"max={max(ms):8.2f} ms  failures={failures}  {verdict}"
    )


async def timed(renderer: VoiceRenderer, call: tuple[str, int], lang: str) -> tuple[float, bool]:
    """How long one render took (call to WAV ready), and whether it gave a file."""
    started = time.perf_counter()
    result = await renderer.render(*call, lang)
    return time.perf_counter() - started, result is not None


async def bench(cache_dir: Path, n: int) -> None:
    async with VoiceRenderer(cache_dir) as renderer:
        started = time.perf_counter()
        await renderer.warm()
        print(
            f"worker start (pyttsx3 + espeak-ng): {(time.perf_counter() - started) * 1000:.1f} ms"
        )
        calls = [(f"{'ABC'[i % 3]}{i + 1:03d}", i % 12 + 1) for i in range(n)]
        for lang in ("zh", "en"):
            runs = [await timed(renderer, c, lang) for c in calls]
            report(f"cold {lang} (one by one)", [t for t, _ in runs], sum(not ok for _, ok in runs))
        burst = [(f"D{i + 1:03d}", i + 1) for i in range(10)]
        runs = await asyncio.gather(*(timed(renderer, c, "zh") for c in burst))
        report("cold zh (burst of 10)", [t for t, _ in runs], sum(not ok for _, ok in runs))
        for lang in ("zh", "en"):
            runs = [await timed(renderer, c, lang) for c in calls]
            report(f"cached {lang}", [t for t, _ in runs], sum(not ok for _, ok in runs))
        print(f"renderer stats: {renderer.stats}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=50, help="distinct announcements per language")
    parser.add_argument("--cache-dir", type=Path, help="default: a fresh temporary directory")
    args = parser.parse_args()
    if args.cache_dir is not None:
        asyncio.run(bench(args.cache_dir, args.n))
        return
    with tempfile.TemporaryDirectory(prefix="callnext-voice-") as tmp:
        asyncio.run(bench(Path(tmp), args.n))


if __name__ == "__main__":
    main()
