"""Per-user rate limits: a sliding window per user id, so one person cannot flood the bot.

With SQLite one process serves every guild, so the window lives in its memory. With PostgreSQL
several bot processes (Discord shards) serve the guilds, and one user may be in guilds on
different shards: the window is then kept in the database (`SharedRateLimits`)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from assistant.config import DiscordSettings
from assistant.storage.database import Database, is_postgres
from assistant.storage.ratelimits import SharedRateLimits


class Limiter(Protocol):
    def hit(self, user_id: str) -> float:
        """Record one command; return 0 when allowed, else the seconds to wait (not recorded)."""
        ...


def make_rate_limiter(settings: DiscordSettings, database: Database, url: str) -> Limiter:
    """In the database when the store is shared (PostgreSQL), else in this process."""
    if is_postgres(url):
        return SharedRateLimiter(settings.rate_limit_count, settings.rate_limit_seconds, database)
    return RateLimiter(settings.rate_limit_count, settings.rate_limit_seconds)


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


class SharedRateLimiter:
    """The same window, counted in the database across every bot process."""

    def __init__(
        self,
        count: int,
        per_seconds: float,
        database: Database,
        clock: Callable[[], float] = time.time,  # wall clock: shared between machines
    ) -> None:
        self.count = count
        self.per_seconds = per_seconds
        self._limits = SharedRateLimits(database)
        self._clock = clock

    def hit(self, user_id: str) -> float:
        return self._limits.hit(user_id, self.count, self.per_seconds, self._clock())
