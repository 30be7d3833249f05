"""The folders `select_dataset FOLDER true/false` gives a dataset, kept so `undo` can take the
newest back: the dataset's folders as they were, and the dataset it started (if it did)."""

from __future__ import annotations

import json
import time

from .database import Database
from .dataset_records import DatasetRecords, write_selection
from .records import Dataset, FolderChange


class FolderChangeRecords(DatasetRecords):
    def join_folder(self, guild_id: str, name: str, folder: str, label: str | None) -> Dataset:
        """`select_dataset` of dataset `name` with `folder` as its `label` examples, recorded
        with what it replaces: all or nothing, in one transaction."""
        with self._tx() as db:
            before = self.dataset(guild_id, name)
            active = db.execute("SELECT active_dataset FROM guilds WHERE guild_id = ?", (guild_id,))
            dataset_id = write_selection(db, guild_id, name, folder, label)
            addition = self._next(db, "addition")
            db.execute(
                "INSERT INTO folder_changes (dataset_id, addition_id, folder, label,"
                " folders_before, started_dataset, active_before, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    dataset_id,
                    addition,
                    folder,
                    label,
                    json.dumps(before.folders if before else []),
                    int(before is None),
                    active[0][0] if active else None,
                    time.time(),
                ),
            )
        dataset = self.dataset(guild_id, name)
        assert dataset is not None
        return dataset

    def last_folder_change(self, dataset: Dataset) -> FolderChange | None:
        row = self._one(
            "SELECT * FROM folder_changes WHERE dataset_id = ? ORDER BY addition_id DESC LIMIT 1",
            (dataset.id,),
        )
        if row is None:
            return None
        return FolderChange(
            id=row["id"],
            dataset_id=row["dataset_id"],
            addition_id=row["addition_id"],
            folder=row["folder"],
            label=row["label"],
            folders_before=tuple((f, lbl) for f, lbl in json.loads(row["folders_before"])),
            started_dataset=bool(row["started_dataset"]),
            active_before=row["active_before"],
        )

    def undo_folder_change(self, dataset: Dataset, change: FolderChange) -> Dataset | None:
        """Put the dataset's folders back as they were before `change`; a dataset the change
        started, and nothing has used since, is removed, and the active dataset is the one
        before it again (a dataset with models stays, and stays active). The dataset as it is
        now, or None once removed."""
        with self._tx() as db:
            db.execute("DELETE FROM folder_changes WHERE id = ?", (change.id,))
            db.execute("DELETE FROM dataset_folders WHERE dataset_id = ?", (dataset.id,))
            for folder, label in change.folders_before:
                db.execute(
                    "INSERT INTO dataset_folders (dataset_id, folder, label) VALUES (?, ?, ?)",
                    (dataset.id, folder, label),
                )
            removed = change.started_dataset and _unused(db, dataset)
            if removed:
                db.execute("DELETE FROM folder_changes WHERE dataset_id = ?", (dataset.id,))
                db.execute("DELETE FROM datasets WHERE id = ?", (dataset.id,))
            if removed and change.active_before != dataset.name:  # the one it replaced
                db.execute(
                    "UPDATE guilds SET active_dataset = ?, updated_at = ?"
                    " WHERE guild_id = ? AND active_dataset = ?",
                    (change.active_before, time.time(), dataset.guild_id, dataset.name),
                )
        return None if removed else self.dataset(dataset.guild_id, dataset.name)


def _unused(db: Database, dataset: Dataset) -> bool:
    """Nothing but its folders refers to the dataset: no examples, corrections, jobs, models."""
    checks = (
        ("SELECT 1 FROM examples WHERE dataset_id = ? LIMIT 1", (dataset.id,)),
        ("SELECT 1 FROM corrections WHERE dataset_id = ? LIMIT 1", (dataset.id,)),
        (
            "SELECT 1 FROM jobs WHERE guild_id = ? AND dataset = ? LIMIT 1",
            (dataset.guild_id, dataset.name),
        ),
        (
            "SELECT 1 FROM models WHERE guild_id = ? AND dataset = ? LIMIT 1",
            (dataset.guild_id, dataset.name),
        ),
    )
    return not any(db.execute(sql, args) for sql, args in checks)
