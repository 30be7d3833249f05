"""The store's plumbing, shared by every kind of record: one engine adapter (database.py), one
way to run a transaction and a query. Written once for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .database import Database, Row, SqliteDatabase
from .schema import MIGRATIONS


class StoreBase:
    def __init__(self, database: Database | str | Path) -> None:
        """`database`: an open engine adapter, or the path of a SQLite file."""
        self._db = database if not isinstance(database, str | Path) else SqliteDatabase(database)
        self._db.migrate(MIGRATIONS)

    # -- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[Database]:
        with self._db.transaction():
            yield self._db

    def _all(self, sql: str, args: Iterable[Any] = ()) -> list[Row]:
        return self._db.execute(sql, tuple(args))

    def _one(self, sql: str, args: Iterable[Any] = ()) -> Row | None:
        rows = self._all(sql, args)
        return rows[0] if rows else None

    @property
    def database(self) -> Database:
        """The engine adapter (for parts that keep tables of their own, like the job queue)."""
        return self._db

    @property
    def schema_version(self) -> int:
        return self._db.schema_version

    def close(self) -> None:
        self._db.close()

    # -- counters ------------------------------------------------------------------------------

    def next_number(self, name: str, *, at_least: int = 0) -> int:
        """The next value of a named counter that survives restarts (console message ids)."""
        with self._tx() as db:
            return self._next(db, name, at_least)

    @staticmethod
    def _next(db: Database, name: str, at_least: int = 0, count: int = 1) -> int:
        """The counter moved on by `count` (from `at_least`, if it is below), as its last value:
        the `count` numbers up to it are this caller's."""
        db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (name, at_least),
        )
        db.execute(
            "UPDATE counters SET value = CASE WHEN value < ? THEN ? ELSE value END + ?"
            " WHERE name = ?",
            (at_least, at_least, count, name),
        )
        return int(db.execute("SELECT value FROM counters WHERE name = ?", (name,))[0][0])
