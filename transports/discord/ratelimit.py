"""Per-user rate limits: a sliding window per user id, so one person cannot flood the bot."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self, count: int, per_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.count = count
        self.per_seconds = per_seconds
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def hit(self, user_id: str) -> float:
        """Record one command; return 0 when allowed, else the seconds to wait (not recorded)."""
        now = self._clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.per_seconds:
            hits.popleft()
        if len(hits) >= self.count:
            return max(0.1, hits[0] + self.per_seconds - now)
        hits.append(now)
        if len(self._hits) > 10_000:  # forget idle users so memory stays bounded
            self._forget(now)
        return 0.0

    def _forget(self, now: float) -> None:
        for user_id in [
            u for u, h in self._hits.items() if not h or h[-1] <= now - self.per_seconds
        ]:
            del self._hits[user_id]
