"""Per-user command rate limits in the database, so every bot process (each running some
Discord shards) counts one user's commands together: a user in guilds on two shards still gets
`count` commands per window, not `count` per process."""

from __future__ import annotations

from .database import Database


class SharedRateLimits:
    """A sliding window per user over the `rate_limit_hits` table (schema migration 4)."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def hit(self, user_id: str, count: int, per_seconds: float, now: float) -> float:
        """Record one command at wall-clock `now`; 0 when allowed, else the seconds to wait
        (and the command is not recorded).

        The hit is written before the window is counted, outside a transaction: two processes
        counting at the same moment each see the other's hit, so a race can only refuse, never
        let a flood through."""
        start = now - per_seconds
        # Every user's expired hits go, so the table only ever holds the last window's.
        self.db.execute("DELETE FROM rate_limit_hits WHERE at <= ?", (start,))
        mine = self.db.execute(
            "INSERT INTO rate_limit_hits (user_id, at) VALUES (?, ?) RETURNING id", (user_id, now)
        )[0][0]
        window = self.db.execute(
            "SELECT id, at FROM rate_limit_hits WHERE user_id = ? AND at > ? ORDER BY at, id",
            (user_id, start),
        )
        ids = [row[0] for row in window]
        if mine in ids[:count]:
            return 0.0
        self.db.execute("DELETE FROM rate_limit_hits WHERE id = ?", (mine,))
        return max(0.1, float(window[0][1]) + per_seconds - now)
