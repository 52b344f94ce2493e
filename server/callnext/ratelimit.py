"""Per-client token buckets for ticket issuing and login attempts."""

from __future__ import annotations

import time
from collections import OrderedDict

from .config import RateLimit

MAX_CLIENTS = 10_000  # oldest buckets are forgotten past this


class RateLimiter:
    def __init__(self, limits: dict[str, RateLimit] | None) -> None:
        self.limits = limits
        self._buckets: OrderedDict[tuple[str, str], tuple[float, float]] = OrderedDict()

    def allow(self, kind: str, client: str) -> float | None:
        """None when allowed; otherwise the seconds until the client may try again."""
        if self.limits is None or kind not in self.limits:
            return None
        rule = self.limits[kind]
        rate = rule.count / rule.per_s
        now = time.monotonic()
        tokens, stamp = self._buckets.pop((kind, client), (float(rule.count), now))
        tokens = min(float(rule.count), tokens + (now - stamp) * rate)
        allowed = tokens >= 1.0
        self._buckets[(kind, client)] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return None if allowed else (1.0 - tokens) / rate
