"""The store: every record the assistant keeps, in SQL shared by SQLite and PostgreSQL.

The engine is behind a small adapter (database.py); this module and schema.py are written once.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .database import Database, Row, SqliteDatabase, open_database
from .records import (
    ACTIVE_JOB_STATES,
    Correction,
    Dataset,
    Feedback,
    Job,
    ModelRecord,
    ReplyRecord,
    StoredExample,
    loads,
)
from .schema import MIGRATIONS

WRITE_CHUNK = 2_000
"""Examples written per transaction (about 20-40 ms of the database's write lock)."""


def open_store(url: str) -> Store:
    """Open the store named by a storage URL (`sqlite:///PATH`, `postgresql://…`)."""
    return Store(open_database(url))


class Store:
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

    # -- guilds and datasets -------------------------------------------------------------------

    def guild_language(self, guild_id: str) -> str | None:
        row = self._one("SELECT language FROM guilds WHERE guild_id = ?", (guild_id,))
        return None if row is None else row[0]

    def set_guild_language(self, guild_id: str, language: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO guilds (guild_id, language, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id) DO UPDATE SET language = excluded.language,"
                " updated_at = excluded.updated_at",
                (guild_id, language, time.time()),
            )

    def active_dataset(self, guild_id: str) -> Dataset | None:
        row = self._one("SELECT active_dataset FROM guilds WHERE guild_id = ?", (guild_id,))
        if row is None or row[0] is None:
            return None
        return self.dataset(guild_id, row[0])

    def dataset(self, guild_id: str, name: str) -> Dataset | None:
        row = self._one("SELECT * FROM datasets WHERE guild_id = ? AND name = ?", (guild_id, name))
        if row is None:
            return None
        folders = self._all(
            "SELECT folder, label FROM dataset_folders WHERE dataset_id = ? ORDER BY folder",
            (row["id"],),
        )
        return Dataset(
            id=row["id"],
            guild_id=guild_id,
            name=name,
            folders=tuple((f["folder"], f["label"]) for f in folders),
            model_version=row["model_version"],
        )

    def datasets(self, guild_id: str) -> list[Dataset]:
        rows = self._all("SELECT name FROM datasets WHERE guild_id = ? ORDER BY name", (guild_id,))
        return [d for r in rows if (d := self.dataset(guild_id, r[0])) is not None]

    def dataset_names(self) -> set[str]:
        """Dataset names of every guild (the voice grammar is shared by all guilds)."""
        return {r[0] for r in self._all("SELECT DISTINCT name FROM datasets")}

    def ensure_dataset(self, guild_id: str, name: str, *, activate: bool = True) -> Dataset:
        now = time.time()
        with self._tx() as db:
            db.execute(
                "INSERT INTO datasets (guild_id, name, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, name) DO NOTHING",
                (guild_id, name, now),
            )
            if activate:
                db.execute(
                    "INSERT INTO guilds (guild_id, active_dataset, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (guild_id) DO UPDATE SET active_dataset = excluded.active_dataset,"
                    " updated_at = excluded.updated_at",
                    (guild_id, name, now),
                )
        dataset = self.dataset(guild_id, name)
        assert dataset is not None
        return dataset

    def set_folder(self, dataset: Dataset, folder: str, label: str | None) -> Dataset:
        """Attach a data-root folder to a dataset (replacing the folder that had that label)."""
        with self._tx() as db:
            if label is not None:
                db.execute(
                    "DELETE FROM dataset_folders WHERE dataset_id = ? AND label = ?",
                    (dataset.id, label),
                )
            db.execute(
                "INSERT INTO dataset_folders (dataset_id, folder, label) VALUES (?, ?, ?) "
                "ON CONFLICT (dataset_id, folder) DO UPDATE SET label = excluded.label",
                (dataset.id, folder, label),
            )
        updated = self.dataset(dataset.guild_id, dataset.name)
        assert updated is not None
        return updated

    def select_dataset(
        self, guild_id: str, name: str, folder: str | None = None, label: str | None = None
    ) -> Dataset:
        """Create the dataset if needed, attach `folder` (replacing the folder that had `label`)
        and make it the active one: all or nothing, in one transaction."""
        now = time.time()
        with self._tx() as db:
            db.execute(
                "INSERT INTO datasets (guild_id, name, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, name) DO NOTHING",
                (guild_id, name, now),
            )
            dataset_id = db.execute(
                "SELECT id FROM datasets WHERE guild_id = ? AND name = ?", (guild_id, name)
            )[0][0]
            if folder is not None:
                if label is not None:
                    db.execute(
                        "DELETE FROM dataset_folders WHERE dataset_id = ? AND label = ?",
                        (dataset_id, label),
                    )
                db.execute(
                    "INSERT INTO dataset_folders (dataset_id, folder, label) VALUES (?, ?, ?) "
                    "ON CONFLICT (dataset_id, folder) DO UPDATE SET label = excluded.label",
                    (dataset_id, folder, label),
                )
            db.execute(
                "INSERT INTO guilds (guild_id, active_dataset, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id) DO UPDATE SET active_dataset = excluded.active_dataset,"
                " updated_at = excluded.updated_at",
                (guild_id, name, now),
            )
        dataset = self.dataset(guild_id, name)
        assert dataset is not None
        return dataset

    def add_examples(
        self,
        dataset: Dataset,
        examples: Iterable[tuple[str, str]],
        source: str,
        author_id: str | None,
    ) -> int:
        """Add (text, label) pairs as one addition (one `undo` removes them); repeats of stored
        examples are skipped. Returns how many were stored. Many examples take seconds to
        write: call it from a worker thread."""
        rows = ((text, label, source) for text, label in examples)
        with self._db.writer() as db:
            with db.transaction():
                addition = self._next(db, "addition")
            return self._insert_examples(db, dataset.id, rows, author_id, addition)

    def _insert_examples(
        self,
        db: Database,
        dataset_id: int,
        examples: Iterable[tuple[str, str, str]],
        author_id: str | None,
        addition: int,
        undo: Iterable[tuple[str, tuple[Any, ...]]] = (),
    ) -> int:
        """Insert the examples as addition `addition`, `WRITE_CHUNK` rows per transaction: one
        transaction for 100,000 rows held the database's write lock for seconds, and every
        other write (the event loop's included) waited for it. All or nothing all the same: if
        a chunk fails, the rows already written are deleted again, with the `undo` statements
        (the job that was to train on them)."""
        now = time.time()
        rows = (
            (dataset_id, text, label, source, author_id, now, addition)
            for text, label, source in examples
        )
        stored = 0
        try:
            while chunk := list(itertools.islice(rows, WRITE_CHUNK)):
                with db.transaction():
                    stored += db.execute_many(
                        "INSERT INTO examples (dataset_id, text, label, source, author_id,"
                        " created_at, addition_id) VALUES (?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (dataset_id, text, label) DO NOTHING",
                        chunk,
                    )
        except BaseException:
            with db.transaction():
                db.execute(
                    "DELETE FROM examples WHERE dataset_id = ? AND addition_id = ?",
                    (dataset_id, addition),
                )
                for sql, args in undo:
                    db.execute(sql, args)
            raise
        return stored

    _EXAMPLE = "SELECT id, text, label, source, author_id, created_at, addition_id FROM examples"

    def stored_examples(
        self, dataset: Dataset, *, offset: int = 0, limit: int | None = None
    ) -> list[StoredExample]:
        sql = self._EXAMPLE + " WHERE dataset_id = ? ORDER BY id"
        args: list[Any] = [dataset.id]
        if limit is not None:
            sql, args = sql + " LIMIT ? OFFSET ?", [*args, limit, offset]
        return [StoredExample(**dict(r)) for r in self._all(sql, args)]

    def stored_example(self, dataset: Dataset, example_id: int) -> StoredExample | None:
        row = self._one(
            self._EXAMPLE + " WHERE dataset_id = ? AND id = ?", (dataset.id, example_id)
        )
        return StoredExample(**dict(row)) if row else None

    def relabel_example(self, dataset: Dataset, example_id: int, label: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE examples SET label = ? WHERE dataset_id = ? AND id = ?",
                (label, dataset.id, example_id),
            )

    def remove_examples(self, dataset: Dataset, ids: Iterable[int]) -> int:
        with self._tx() as db:
            return sum(
                db.execute_count(
                    "DELETE FROM examples WHERE dataset_id = ? AND id = ?", (dataset.id, example_id)
                )
                for example_id in ids
            )

    def last_addition(self, dataset: Dataset) -> list[StoredExample]:
        """The examples the dataset's newest `train` request added (what `undo` removes)."""
        row = self._one(
            "SELECT MAX(addition_id) FROM examples WHERE dataset_id = ?"
            " AND addition_id IS NOT NULL",
            (dataset.id,),
        )
        if row is None or row[0] is None:
            return []
        rows = self._all(
            self._EXAMPLE + " WHERE dataset_id = ? AND addition_id = ? ORDER BY id",
            (dataset.id, row[0]),
        )
        return [StoredExample(**dict(r)) for r in rows]

    def examples(self, dataset: Dataset) -> list[tuple[str, str]]:
        rows = self._all(
            "SELECT text, label FROM examples WHERE dataset_id = ? ORDER BY id", (dataset.id,)
        )
        return [(r["text"], r["label"]) for r in rows]

    def count_examples(self, dataset: Dataset) -> int:
        row = self._one("SELECT COUNT(*) FROM examples WHERE dataset_id = ?", (dataset.id,))
        return int(row[0]) if row else 0

    # -- jobs ----------------------------------------------------------------------------------

    def create_job(
        self,
        *,
        guild_id: str,
        channel_id: str,
        dataset: str,
        backend: str,
        requested_by: str | None,
        n_examples: int,
        add_to: int | None = None,
        new_examples: Iterable[tuple[str, str, str]] = (),
    ) -> Job:
        """A queued job; `new_examples` ((text, label, source) rows) are added to the dataset with
        id `add_to` in the same transaction, so a job that cannot be created stores nothing.
        Many examples take seconds to write: call it from a worker thread."""
        now = time.time()
        with self._db.writer() as db:
            with db.transaction():
                job_id = db.execute(
                    "INSERT INTO jobs (guild_id, channel_id, dataset, backend, status,"
                    " requested_by, n_examples, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?) RETURNING id",
                    (guild_id, channel_id, dataset, backend, requested_by, n_examples, now, now),
                )[0][0]
                addition = self._next(db, "addition")
            if add_to is not None:
                undo = [("DELETE FROM jobs WHERE id = ?", (job_id,))]
                self._insert_examples(db, add_to, new_examples, requested_by, addition, undo)
        job = self.job(job_id)
        assert job is not None
        return job

    _JOB_FIELDS = frozenset(
        {"status", "progress", "message", "model_version", "external_id", "error", "n_examples"}
    )

    def update_job(self, job_id: int, **fields: Any) -> Job:
        unknown = set(fields) - self._JOB_FIELDS
        if unknown:
            raise ValueError(f"unknown job fields: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._tx() as db:
            db.execute(
                f"UPDATE jobs SET {assignments}, updated_at = ? WHERE id = ?",
                (*fields.values(), time.time(), job_id),
            )
        job = self.job(job_id)
        assert job is not None
        return job

    def job(self, job_id: int) -> Job | None:
        row = self._one("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return Job(**dict(row)) if row else None

    def jobs(self, guild_id: str, *, active_only: bool = False, limit: int = 20) -> list[Job]:
        sql = "SELECT * FROM jobs WHERE guild_id = ?"
        if active_only:
            sql += f" AND status IN {ACTIVE_JOB_STATES}"
        rows = self._all(sql + " ORDER BY id DESC LIMIT ?", (guild_id, limit))
        return [Job(**dict(r)) for r in rows]

    def interrupt_unfinished_jobs(self) -> list[Job]:
        """At start-up: jobs left queued or running by a previous process can never finish."""
        rows = self._all(f"SELECT id FROM jobs WHERE status IN {ACTIVE_JOB_STATES}")
        return [
            self.update_job(
                r[0], status="interrupted", message="interrupted by a restart; run train again"
            )
            for r in rows
        ]

    # -- models --------------------------------------------------------------------------------

    def add_model(self, model: ModelRecord) -> None:
        """Register a model; it becomes its dataset's current model."""
        with self._tx() as db:
            db.execute(
                "UPDATE datasets SET model_version = ? WHERE guild_id = ? AND name = ?",
                (model.version, model.guild_id, model.dataset),
            )
            db.execute(
                "INSERT INTO models (version, guild_id, dataset, backend, job_id, path,"
                " external_model, labels_json, metrics_json, n_examples, data_hash, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    model.version,
                    model.guild_id,
                    model.dataset,
                    model.backend,
                    model.job_id,
                    model.path,
                    model.external_model,
                    json.dumps(model.labels),
                    json.dumps(model.metrics),
                    model.n_examples,
                    model.data_hash,
                    model.created_at,
                ),
            )

    def latest_model(self, guild_id: str) -> ModelRecord | None:
        rows = self.models(guild_id, limit=1)
        return rows[0] if rows else None

    def current_model(self, dataset: Dataset) -> ModelRecord | None:
        """The model chosen for the dataset (`use_model`, `rollback`), else its newest."""
        if dataset.model_version is not None:
            chosen = self.model(dataset.guild_id, dataset.model_version)
            if chosen is not None and chosen.dataset == dataset.name:
                return chosen
        rows = self.models(dataset.guild_id, dataset=dataset.name, limit=1)
        return rows[0] if rows else None

    def model(self, guild_id: str, version: str) -> ModelRecord | None:
        row = self._one(
            "SELECT * FROM models WHERE guild_id = ? AND version = ?", (guild_id, version)
        )
        return self._model(row) if row else None

    def remove_models(self, guild_id: str, versions: Iterable[str]) -> int:
        """Forget these model versions (their files are the registry's to delete)."""
        with self._tx() as db:
            return sum(
                db.execute_count(
                    "DELETE FROM models WHERE guild_id = ? AND version = ?", (guild_id, version)
                )
                for version in versions
            )

    def set_current_model(self, dataset: Dataset, version: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE datasets SET model_version = ? WHERE id = ?", (version, dataset.id))

    @staticmethod
    def _model(row: Row) -> ModelRecord:
        data = dict(row)
        data["labels"] = loads(data.pop("labels_json"))
        data["metrics"] = loads(data.pop("metrics_json"))
        return ModelRecord(**data)

    def models(
        self, guild_id: str, limit: int = 20, *, dataset: str | None = None
    ) -> list[ModelRecord]:
        sql = "SELECT * FROM models WHERE guild_id = ?"
        args: list[Any] = [guild_id]
        if dataset is not None:
            sql, args = sql + " AND dataset = ?", [*args, dataset]
        rows = self._all(sql + " ORDER BY created_at DESC, version DESC LIMIT ?", [*args, limit])
        return [self._model(r) for r in rows]

    # -- replies, corrections, feedback --------------------------------------------------------

    def record_reply(
        self,
        message_id: str,
        guild_id: str,
        channel_id: str,
        kind: str,
        text: str,
        data: dict[str, Any] | None,
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO replies (message_id, guild_id, channel_id, kind, text, data_json,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING",
                (
                    message_id,
                    guild_id,
                    channel_id,
                    kind,
                    text,
                    json.dumps(data) if data is not None else None,
                    time.time(),
                ),
            )

    def reply(self, guild_id: str, message_id: str) -> ReplyRecord | None:
        row = self._one(
            "SELECT * FROM replies WHERE guild_id = ? AND message_id = ?", (guild_id, message_id)
        )
        if row is None:
            return None
        data = dict(row)
        data["data"] = loads(data.pop("data_json"))
        return ReplyRecord(**data)

    def add_correction(
        self,
        *,
        guild_id: str,
        channel_id: str,
        message_id: str,
        author_id: str,
        author_name: str,
        kind: str,
        original: str,
        correction: str,
        dataset_id: int | None = None,
    ) -> Correction:
        now = time.time()
        with self._tx() as db:
            row_id = db.execute(
                "INSERT INTO corrections (guild_id, channel_id, message_id, author_id, author_name,"
                " kind, original, correction, created_at, dataset_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    guild_id,
                    channel_id,
                    message_id,
                    author_id,
                    author_name,
                    kind,
                    original,
                    correction,
                    now,
                    dataset_id,
                ),
            )[0][0]
        row = self._one("SELECT * FROM corrections WHERE id = ?", (row_id,))
        assert row is not None
        return Correction(**dict(row))

    def corrections(
        self, guild_id: str, kind: str | None = None, *, dataset_id: int | None = None
    ) -> list[Correction]:
        sql = "SELECT * FROM corrections WHERE guild_id = ?"
        args: list[Any] = [guild_id]
        if kind is not None:
            sql, args = sql + " AND kind = ?", [*args, kind]
        if dataset_id is not None:
            sql, args = sql + " AND dataset_id = ?", [*args, dataset_id]
        return [Correction(**dict(r)) for r in self._all(sql + " ORDER BY id", args)]

    def add_feedback(
        self, *, guild_id: str, channel_id: str, author_id: str, author_name: str, text: str
    ) -> Feedback:
        with self._tx() as db:
            row_id = db.execute(
                "INSERT INTO feedback (guild_id, channel_id, author_id, author_name, text,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (guild_id, channel_id, author_id, author_name, text, time.time()),
            )[0][0]
        row = self._one("SELECT * FROM feedback WHERE id = ?", (row_id,))
        assert row is not None
        return Feedback(**dict(row))

    def feedback(self, guild_id: str, limit: int = 10) -> list[Feedback]:
        rows = self._all(
            "SELECT * FROM feedback WHERE guild_id = ? ORDER BY id DESC LIMIT ?", (guild_id, limit)
        )
        return [Feedback(**dict(r)) for r in rows]

    # -- counters ------------------------------------------------------------------------------

    def next_number(self, name: str, *, at_least: int = 0) -> int:
        """The next value of a named counter that survives restarts (console message ids)."""
        with self._tx() as db:
            return self._next(db, name, at_least)

    @staticmethod
    def _next(db: Database, name: str, at_least: int = 0) -> int:
        db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (name, at_least),
        )
        db.execute(
            "UPDATE counters SET value = CASE WHEN value < ? THEN ? ELSE value END + 1"
            " WHERE name = ?",
            (at_least, at_least, name),
        )
        return int(db.execute("SELECT value FROM counters WHERE name = ?", (name,))[0][0])

    def reply_ids(self, guild_id: str) -> list[str]:
        rows = self._all("SELECT message_id FROM replies WHERE guild_id = ?", (guild_id,))
        return [r[0] for r in rows]

    # -- voice privacy -------------------------------------------------------------------------

    def set_voice_optout(self, guild_id: str, user_id: str, opted_out: bool) -> None:
        with self._tx() as db:
            if opted_out:
                db.execute(
                    "INSERT INTO voice_optouts (guild_id, user_id, created_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (guild_id, user_id) DO NOTHING",
                    (guild_id, user_id, time.time()),
                )
            else:
                db.execute(
                    "DELETE FROM voice_optouts WHERE guild_id = ? AND user_id = ?",
                    (guild_id, user_id),
                )

    def voice_optouts(self, guild_id: str) -> set[str]:
        rows = self._all("SELECT user_id FROM voice_optouts WHERE guild_id = ?", (guild_id,))
        return {r[0] for r in rows}
