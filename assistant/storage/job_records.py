"""Training jobs and the models they produce."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from ..i18n import deferred
from .database import Row
from .dataset_records import DatasetRecords
from .records import (
    ACTIVE_JOB_STATES,
    Dataset,
    Job,
    ModelRecord,
    loads,
)


class JobRecords(DatasetRecords):
    """Jobs add their new examples to a dataset in the transaction that creates them."""

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
            self.update_job(r[0], status="interrupted", message=deferred("job.restarted"))
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
