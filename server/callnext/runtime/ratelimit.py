"""Token buckets per (kind, client) for ticket issuing and login attempts.

A client is whatever key its kind is counted by: an address (web/client.py), a kiosk, an
account, an account at an address. Each kind keeps at most MAX_CLIENTS buckets, the least
recently used forgotten first, so one kind's traffic never pushes another's buckets out.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from .config import RateLimit

MAX_CLIENTS = 10_000  # per kind; the least recently used buckets are forgotten past this
Check = tuple[str, str]  # (kind, client)


class RateLimiter:
    def __init__(self, limits: dict[str, RateLimit] | None) -> None:
        self.limits = limits
        self._buckets: dict[str, OrderedDict[str, tuple[float, float]]] = {}

    def _level(self, kind: str, client: str, now: float) -> float | None:
        """The bucket's tokens now (None: no limit of this kind)."""
        if self.limits is None or kind not in self.limits:
            return None
        rule = self.limits[kind]
        buckets = self._buckets.get(kind)
        bucket = buckets.get(client) if buckets is not None else None
        tokens, stamp = bucket if bucket is not None else (float(rule.count), now)
        return min(float(rule.count), tokens + (now - stamp) * rule.count / rule.per_s)

    def _store(self, kind: str, client: str, tokens: float, now: float) -> None:
        buckets = self._buckets.setdefault(kind, OrderedDict())
        buckets.pop(client, None)
        buckets[client] = (tokens, now)
        while len(buckets) > MAX_CLIENTS:
            buckets.popitem(last=False)

    def take(self, *checks: Check) -> tuple[float, str] | None:
        """One request that counts against every bucket of `checks`, all or none: None when
        each had a token (each gives one); else (the seconds until all would, the kind that
        holds it up longest), and nothing is taken."""
        now = time.monotonic()
        levels = [(kind, client, self._level(kind, client, now)) for kind, client in checks]
        short: tuple[float, str] | None = None
        for kind, _client, tokens in levels:
            if tokens is not None and tokens < 1.0 and self.limits is not None:
                rule = self.limits[kind]
                wait = (1.0 - tokens) * rule.per_s / rule.count
                if short is None or wait > short[0]:
                    short = (wait, kind)
        if short is not None:
            return short
        for kind, client, tokens in levels:
            if tokens is not None:
                self._store(kind, client, tokens - 1.0, now)
        return None

    def refund(self, *checks: Check) -> None:
        """Give back what `take` took for these (a login that turned out right)."""
        now = time.monotonic()
        for kind, client in checks:
            tokens = self._level(kind, client, now)
            if tokens is not None and self.limits is not None:
                full = float(self.limits[kind].count)
                self._store(kind, client, min(full, tokens + 1.0), now)

    def allow(self, kind: str, client: str) -> float | None:
        """None when allowed (one token taken); otherwise the seconds until the client may try
        again."""
        refused = self.take((kind, client))
        return None if refused is None else refused[0]
