"""Rate limits shared by bot processes: with PostgreSQL two processes (two connections, as two
shards would have) count one user's commands in one window; with SQLite the window stays in the
one process's memory."""

from __future__ import annotations

from pathlib import Path

from assistant.config import DiscordSettings
from assistant.storage.store import open_store
from tests.postgres import PostgresServer
from transports.discord.ratelimit import RateLimiter, SharedRateLimiter, make_rate_limiter


def test_two_processes_share_one_users_window(postgres: PostgresServer) -> None:
    url = postgres.new_database()
    now = [1_000.0]
    first, second = (open_store(url) for _ in range(2))
    try:
        a, b = (
            SharedRateLimiter(3, 10.0, s.database, clock=lambda: now[0]) for s in (first, second)
        )
        assert [a.hit("alice"), b.hit("alice"), a.hit("alice")] == [0, 0, 0]
        assert b.hit("alice") == 10.0  # the fourth, in either process, waits for the first
        assert a.hit("bob") == 0  # other users are not affected
        now[0] += 4.0
        assert a.hit("alice") == 6.0  # a refused command is not counted
        now[0] += 6.5
        assert b.hit("alice") == 0
        # Expired hits are removed: the table holds the last window only.
        rows = first.database.execute("SELECT user_id FROM rate_limit_hits ORDER BY id")
        assert [r[0] for r in rows] == ["alice"]
    finally:
        first.close()
        second.close()


def test_sqlite_keeps_the_window_in_the_process(tmp_path: Path, postgres: PostgresServer) -> None:
    settings = DiscordSettings()
    url = f"sqlite:///{tmp_path / 'trainer.db'}"
    store = open_store(url)
    try:
        assert isinstance(make_rate_limiter(settings, store.database, url), RateLimiter)
    finally:
        store.close()
    shared_url = postgres.new_database()
    shared = open_store(shared_url)
    try:
        limiter = make_rate_limiter(settings, shared.database, shared_url)
        assert isinstance(limiter, SharedRateLimiter) and limiter.count == settings.rate_limit_count
    finally:
        shared.close()
