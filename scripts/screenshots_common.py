"""What every group of scripts/screenshots.py shares: saving a page's shot."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page


async def save(page: Page, path: Path) -> None:
    """The page as shown (animations stopped) to `path`, then closed."""
    await page.wait_for_timeout(300)
    await page.screenshot(path=path, animations="disabled")
    await page.close()
    print(f"wrote {path}")
