"""Model files kept in PostgreSQL, so that a bot on any machine loads what a worker trained."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import NotFound
from ..i18n import tr
from ..storage import Store
from ..storage.database import Database
from ..storage.records import ModelRecord
from .queue_setup import SCHEMA_LOCK

_FILES_TABLE = """
CREATE TABLE IF NOT EXISTS trainer_model_files (
    version TEXT NOT NULL,
    name TEXT NOT NULL,
    content BYTEA NOT NULL,
    PRIMARY KEY (version, name)
)
"""


class ModelFiles:
    """Model folders stored in PostgreSQL, so any machine can load any model."""

    def __init__(self, database: Database) -> None:
        self.db = database
        with database.transaction():
            # CREATE ... IF NOT EXISTS is not safe against a second process doing the same at
            # the same moment (a fresh database, bots and workers started together): take turns.
            database.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
            database.execute(_FILES_TABLE)

    def upload(self, version: str, folder: Path) -> None:
        with self.db.transaction():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                self.db.execute(
                    "INSERT INTO trainer_model_files (version, name, content) VALUES (?, ?, ?)"
                    " ON CONFLICT (version, name) DO UPDATE SET content = excluded.content",
                    (version, path.relative_to(folder).as_posix(), path.read_bytes()),
                )

    def download(self, version: str, folder: Path) -> Path:
        """The model's folder on this machine, fetched once (a finished folder is never edited)."""
        if folder.is_dir():
            return folder
        rows = self.db.execute(
            "SELECT name, content FROM trainer_model_files WHERE version = ?", (version,)
        )
        if not rows:
            raise NotFound(tr("model.files_missing", model=version))
        partial = folder.with_name(f".download-{version}-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        for row in rows:
            target = partial / row["name"]
            if partial.resolve() not in target.resolve().parents:
                raise ValueError(f"model {version} has a file outside its folder: {row['name']}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(bytes(row["content"]))
        try:
            partial.rename(folder)
        except OSError:  # another process of this machine fetched it at the same moment
            shutil.rmtree(partial, ignore_errors=True)
        return folder


class UploadingStore(Store):
    """The worker's store: a model's files reach the database before its row does."""

    def __init__(self, database: Database, files: ModelFiles) -> None:
        super().__init__(database)
        self.files = files

    def add_model(self, model: ModelRecord) -> None:
        if model.path:
            self.files.upload(model.version, Path(model.path))
        super().add_model(model)
