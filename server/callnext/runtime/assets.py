"""Where the pages' files live: displays/, kiosk/ and sounds/ beside server/ in a checkout, or
under <prefix>/share/callnext once installed with pip. CALLNEXT_ASSETS overrides both."""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

PARTS = ("displays", "kiosk", "sounds")


@cache
def asset_root() -> Path:
    override = os.environ.get("CALLNEXT_ASSETS")
    candidates = [Path(override)] if override else []
    candidates += [Path(__file__).resolve().parents[3], Path(sys.prefix) / "share" / "callnext"]
    for root in candidates:
        if (root / "displays").is_dir():
            return root
    raise RuntimeError(
        "callnext's page files (displays/, kiosk/) were not found; set CALLNEXT_ASSETS"
    )


def asset_dir(part: str) -> Path:
    return asset_root() / part
