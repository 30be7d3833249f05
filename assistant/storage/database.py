"""Connection adapters: the one place where SQLite and PostgreSQL differ.

The store's SQL and the migrations in schema.py are written once, in the SQL both engines accept,
with `?` placeholders. An adapter runs that SQL on its engine: PostgreSQL's adapter turns `?` into
psycopg's `%s` and maps the two column types whose meaning differs (see `PostgresDatabase.ddl` in
postgres.py).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from ..errors import CannotStart


class Row(Protocol):
    """A result row readable by position (`row[0]`) and by column name (`row["id"]`)."""

    def __getitem__(self, key: int | str) -> Any: ...

    def keys(self) -> list[str]: ...


class Database(Protocol):
    """What the store needs from an engine. Every method is safe to call from any thread."""

    def execute(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        """Run one statement; rows it returns (SELECT or `RETURNING`), else an empty list."""
        ...

    def execute_count(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one statement; how many rows it changed."""
        ...

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run one statement for each row of arguments; how many rows they changed in all.
        One call into the driver: 100,000 inserts one by one took seconds."""
        ...

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Statements inside commit together or not at all; writers are serialized."""
        ...

    @contextmanager
    def writer(self) -> Iterator[Database]:
        """A connection of its own, for one long write made from a worker thread (100,000
        examples take seconds): the shared connection stays free meanwhile, so the event loop's
        reads never wait for that write."""
        ...

    def migrate(self, migrations: Sequence[str]) -> None:
        """Apply the migrations past the stored schema version, each in its own transaction."""
        ...

    @property
    def schema_version(self) -> int: ...

    def close(self) -> None: ...


def damaged_database(path: str | Path, exc: Exception) -> str:
    """What is wrong with a database file that SQLite refuses, and how to recover (README,
    Safety). The file is never changed or replaced here: it may be all that is left."""
    return (
        f"the database {path} is damaged ({exc}). It was left as it is. To recover, stop "
        f"Trainer, move it aside (mv {path} {path}.damaged), then restore a backup, or salvage "
        f'what is readable with: sqlite3 {path}.damaged ".recover" | sqlite3 {path}'
    )


class _WriteTurns:
    """The transactions of one SQLite file in this process, in the order they were asked for.
    SQLite's own busy handler polls with growing sleeps (up to 100 ms) and is not fair: a
    worker writing 100,000 rows chunk after chunk began its next chunk before the waiting
    event loop woke up, and the loop waited through chunk after chunk (1.1-1.3 s with both
    cores busy). In turns, a transaction waits for at most the one under way."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._queue: deque[object] = deque()

    @contextmanager
    def turn(self) -> Iterator[None]:
        me = object()
        with self._changed:
            self._queue.append(me)
            self._changed.wait_for(lambda: self._queue[0] is me)
        try:
            yield
        finally:
            with self._changed:
                self._queue.popleft()
                self._changed.notify_all()


_TURNS: dict[str, _WriteTurns] = {}
_TURNS_LOCK = threading.Lock()


def _turns_for(path: str | Path) -> _WriteTurns:
    """The turns of the file at `path`, shared by every connection to it in this process."""
    if str(path) == ":memory:":
        return _WriteTurns()  # every in-memory database is a database of its own
    key = str(Path(path).resolve())
    with _TURNS_LOCK:
        return _TURNS.setdefault(key, _WriteTurns())


class SqliteDatabase:
    """One SQLite connection in WAL mode guarded by a lock: every call is short."""

    def __init__(self, path: str | Path, *, check: bool = True) -> None:
        """`check`: run SQLite's quick check (at start-up; it reads the whole file)."""
        self._path = path
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._turns = _turns_for(path)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            # A truncated file opens fine and fails later, deep in some command: check it now.
            problem = self._db.execute("PRAGMA quick_check(1)").fetchone()[0] if check else "ok"
            if problem != "ok":
                raise sqlite3.DatabaseError(problem)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise CannotStart(damaged_database(path, exc)) from None

    @classmethod
    def copy_of(cls, path: str | Path) -> SqliteDatabase:
        """An in-memory copy of the database file at `path` as it is now, or an empty one when
        there is none: a dry run reads what the bot would, and writes nothing, so neither the
        file nor its folder is made or changed (the file is opened read-only)."""
        copy = cls(":memory:")
        if not Path(path).is_file():
            return copy
        # Closed cleanly, a database has no -wal file, and SQLite opening it read-only would
        # make its -wal and -shm and leave them behind: nothing is writing it then, so it is
        # read as immutable (no locks, no files). While a bot has it open, its -wal holds the
        # latest commits, read as that bot reads them.
        live = Path(f"{path}-wal").exists()
        try:
            source = sqlite3.connect(
                Path(path).absolute().as_uri() + ("?mode=ro" if live else "?immutable=1"), uri=True
            )
            try:
                source.backup(copy._db)
            finally:
                source.close()
            problem = copy._db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if problem != "ok":
                raise sqlite3.DatabaseError(problem)
        except sqlite3.DatabaseError as exc:
            copy.close()
            raise CannotStart(damaged_database(path, exc)) from None
        return copy

    def execute(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def execute_count(self, sql: str, args: Sequence[Any] = ()) -> int:
        with self._lock:
            return self._db.execute(sql, tuple(args)).rowcount

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        with self._lock:
            return self._db.executemany(sql, rows).rowcount

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._turns.turn(), self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                # After SQLITE_FULL (and some other errors) SQLite has already rolled back; a
                # second ROLLBACK would raise "cannot rollback" and hide the real error.
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    @contextmanager
    def writer(self) -> Iterator[Database]:
        if str(self._path) == ":memory:":
            yield self  # another connection would open another, empty, database
            return
        own = SqliteDatabase(self._path, check=False)
        try:
            yield own
        finally:
            own.close()

    def migrate(self, migrations: Sequence[str]) -> None:
        with self._lock:
            version = self.schema_version
            for number, script in enumerate(migrations[version:], start=version + 1):
                self._db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


def open_database(url: str, *, copy: bool = False) -> Database:
    """The engine named by a storage URL: `sqlite:///PATH`, `sqlite://:memory:`, `postgresql://…`.
    `copy` (a dry run): an SQLite file is read into memory and left as it is
    (`SqliteDatabase.copy_of`); a PostgreSQL server is not even connected to, and the records
    are an empty in-memory database (connecting to an empty database migrated it, and a dry run
    touches nothing of the configured store)."""
    if copy and is_postgres(url):
        return SqliteDatabase(":memory:")
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        return SqliteDatabase.copy_of(path) if copy else SqliteDatabase(path)
    if url == "sqlite://:memory:":
        return SqliteDatabase(":memory:")
    if url.startswith(("postgresql://", "postgres://")):
        from ..errors import DatabaseUnreachable
        from .postgres import PostgresDatabase

        try:
            return PostgresDatabase(url)
        except DatabaseUnreachable as exc:  # no server there, a wrong name or password
            raise CannotStart(str(exc)) from None
    scheme = url.split(":", 1)[0]
    raise ValueError(
        f"storage_url scheme {scheme!r} is not supported (use sqlite:///PATH or postgresql://…)"
    )


def is_postgres(url: str) -> bool:
    """True when a storage URL names a PostgreSQL server (the scaled-out deployment)."""
    return url.startswith(("postgresql://", "postgres://"))
