"""Guilds, datasets and their examples."""

from __future__ import annotations

import itertools
import time
import unicodedata
from collections.abc import Iterable
from typing import Any

from .base import StoreBase
from .database import Database
from .records import (
    Dataset,
    StoredExample,
)

WRITE_CHUNK = 2_000
"""Examples written per transaction (about 20-40 ms of the database's write lock)."""


class DatasetRecords(StoreBase):
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

    def dataset_named(self, guild_id: str, typed: str) -> Dataset | None:
        """The dataset a typed name means: as typed, else composed (NFC), the form a created
        dataset's name is kept in (names.py), when the keyboard wrote it decomposed. A name with
        a lone surrogate (`\ud800`, or a byte of a name on a disk that is not UTF-8) names none:
        no stored name has one, and the database refuses to be asked."""
        if not typed.isprintable() and not _storable(typed):
            return None
        composed = unicodedata.normalize("NFC", typed)
        found = self.dataset(guild_id, typed)
        return found if found is not None or composed == typed else self.dataset(guild_id, composed)

    def datasets(self, guild_id: str) -> list[Dataset]:
        rows = self._all("SELECT name FROM datasets WHERE guild_id = ? ORDER BY name", (guild_id,))
        return [d for r in rows if (d := self.dataset(guild_id, r[0])) is not None]

    def dataset_names(self) -> set[str]:
        """Dataset names of every guild (the voice grammar is shared by all guilds)."""
        return {r[0] for r in self._all("SELECT DISTINCT name FROM datasets")}

    def ensure_dataset(self, guild_id: str, name: str, *, activate: bool = True) -> Dataset:
        now = time.time()
        with self._tx() as db:
            _create(db, guild_id, name, now)
            if activate:
                _activate(db, guild_id, name, now)
        dataset = self.dataset(guild_id, name)
        assert dataset is not None
        return dataset

    def set_folder(self, dataset: Dataset, folder: str, label: str | None) -> Dataset:
        """Attach a data-root folder to a dataset (replacing the folder that had that label)."""
        with self._tx() as db:
            _attach(db, dataset.id, folder, label)
        updated = self.dataset(dataset.guild_id, dataset.name)
        assert updated is not None
        return updated

    def select_dataset(
        self, guild_id: str, name: str, folder: str | None = None, label: str | None = None
    ) -> Dataset:
        """Create the dataset if needed, attach `folder` (replacing the folder that had `label`)
        and make it the active one: all or nothing, in one transaction."""
        with self._tx() as db:
            write_selection(db, guild_id, name, folder, label)
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
                    first = self._example_numbers(db, len(chunk))
                    stored += db.execute_many(
                        "INSERT INTO examples (id, dataset_id, text, label, source, author_id,"
                        " created_at, addition_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (dataset_id, text, label) DO NOTHING",
                        [(first + at, *row) for at, row in enumerate(chunk)],
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

    def _example_numbers(self, db: Database, count: int) -> int:
        """The first of `count` new example numbers, none ever given before: SQLite gives a
        new row the largest id there plus one, so after `undo` a new example took the number
        of the one taken back (`remove #2`, read from an earlier reply, then deleted another
        example). The counter starts above the largest stored id (a database of before)."""
        top = db.execute("SELECT MAX(id) FROM examples")[0][0] or 0
        return self._next(db, "example", int(top), count) - count + 1

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


def _create(db: Database, guild_id: str, name: str, now: float) -> None:
    """Create dataset `name` unless the guild has it (inside the caller's transaction)."""
    db.execute(
        "INSERT INTO datasets (guild_id, name, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT (guild_id, name) DO NOTHING",
        (guild_id, name, now),
    )


def _activate(db: Database, guild_id: str, name: str, now: float) -> None:
    """Make dataset `name` the guild's active one (inside the caller's transaction)."""
    db.execute(
        "INSERT INTO guilds (guild_id, active_dataset, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (guild_id) DO UPDATE SET active_dataset = excluded.active_dataset,"
        " updated_at = excluded.updated_at",
        (guild_id, name, now),
    )


def write_selection(
    db: Database, guild_id: str, name: str, folder: str | None, label: str | None
) -> int:
    """`select_dataset`'s writes (inside the caller's transaction); the dataset's id."""
    now = time.time()
    _create(db, guild_id, name, now)
    dataset_id = int(
        db.execute("SELECT id FROM datasets WHERE guild_id = ? AND name = ?", (guild_id, name))[0][
            0
        ]
    )
    if folder is not None:
        _attach(db, dataset_id, folder, label)
    _activate(db, guild_id, name, now)
    return dataset_id


def _attach(db: Database, dataset_id: int, folder: str, label: str | None) -> None:
    """Give the dataset `folder`, replacing the folder that had `label` (inside the caller's
    transaction)."""
    if label is not None:
        db.execute(
            "DELETE FROM dataset_folders WHERE dataset_id = ? AND label = ?", (dataset_id, label)
        )
    db.execute(
        "INSERT INTO dataset_folders (dataset_id, folder, label) VALUES (?, ?, ?) "
        "ON CONFLICT (dataset_id, folder) DO UPDATE SET label = excluded.label",
        (dataset_id, folder, label),
    )


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
