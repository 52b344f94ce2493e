#!/usr/bin/env python3
"""The region overview's shots for docs/overview.md: twelve halls with a month of simulated days
each (callnext.bench.history, as the benchmark builds them), on a server in this process, shot
by Debian's Chromium through Playwright:

    .venv/bin/python scripts/screenshots_overview.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screenshots_common import save  # noqa: E402
from tests.browser import launch, submit_login  # noqa: E402
from tests.helpers import running_app  # noqa: E402

from callnext.bench import history  # noqa: E402
from callnext.runtime.config import Settings  # noqa: E402

HALLS, DAYS = 12, 30
# (file, query, viewport, the column sorted by and its order, the sparklines' figure)
SHOTS = [
    ("overview-zh-1920x1080.png", "", (1920, 1080), None, "served"),
    ("overview-sorted-zh-1920x1080.png", "", (1920, 1080), ("longest_wait_s", 1),
     "same_day_completion_rate"),
    ("overview-en-1366x768.png", "?lang=en", (1366, 768), ("satisfied_rate", 2), "satisfied_rate"),
]  # fmt: skip


async def shoot(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'overview.db'}"
        print(f"building {HALLS} halls × {DAYS} days of simulated history")
        await history.build(url, HALLS, DAYS, (100, 300), datetime.now(UTC))
        settings = Settings(db_url=url, rate_limits=None, voice=False)
        async with running_app(settings) as api, launch(full=True) as browser:
            for name, query, (width, height), sort, metric in SHOTS:
                context = await browser.new_context(viewport={"width": width, "height": height})
                page = await context.new_page()
                await page.goto(f"{api.base}/overview{query}")
                await page.wait_for_selector("#login-view:not([hidden])")
                await submit_login(page, *history.ADMIN)
                await page.wait_for_selector("#board-view:not([hidden])[data-trend='12']")
                loads = 1
                if sort is not None:
                    field, presses = sort
                    for _ in range(presses):
                        loads += 1
                        await page.click(f"button.sort[data-field='{field}']")
                        await page.wait_for_selector(f"#board-view[data-loads='{loads}']")
                await page.select_option("#spark-metric", metric)
                await page.mouse.move(0, 0)
                await save(page, out / name)
                await context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(shoot(args.out))


if __name__ == "__main__":
    main()
