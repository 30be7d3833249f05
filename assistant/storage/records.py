"""Rows as plain dataclasses, so callers never index tuples."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ACTIVE_JOB_STATES = ("queued", "running")
FINAL_JOB_STATES = ("succeeded", "failed", "cancelled", "interrupted")


@dataclass(frozen=True)
class Dataset:
    id: int
    guild_id: str
    name: str
    folders: tuple[tuple[str, str | None], ...]
    """(folder relative to the data root, label or None to infer labels from the layout)."""
    model_version: str | None = None
    """The model `test` and `correct` use (set by training, `use_model` and `rollback`);
    None means the dataset's newest model."""


@dataclass(frozen=True)
class StoredExample:
    """An example added with `train` (folder files are read from the data root instead)."""

    id: int
    text: str
    label: str
    source: str
    """Where it came from: console, text, slash, voice."""
    author_id: str | None
    created_at: float
    addition_id: int | None
    """The `train` request that added it; `undo` removes the newest addition."""


@dataclass(frozen=True)
class FolderChange:
    """A folder that `select_dataset FOLDER true/false` gave a dataset, with what it changed;
    `undo` puts back what was before."""

    id: int
    dataset_id: int
    addition_id: int
    """From the counter the `train` additions take theirs from: which of the two came last."""
    folder: str
    label: str | None
    folders_before: tuple[tuple[str, str | None], ...]
    started_dataset: bool
    """The change made the dataset (none was active): `undo` removes it again."""
    active_before: str | None


@dataclass(frozen=True)
class Job:
    id: int
    guild_id: str
    channel_id: str
    dataset: str
    backend: str
    status: str
    """queued, running, succeeded, failed, cancelled or interrupted."""
    progress: float
    message: str
    """What the job does now or how it ended, as a key and fields (`i18n.deferred`; older rows:
    plain English text): show it with `i18n.render`, in the reader's language; `error` likewise
    (mostly text rendered when the job failed)."""
    requested_by: str | None
    n_examples: int
    model_version: str | None
    external_id: str | None
    error: str | None
    created_at: float
    updated_at: float

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_JOB_STATES


@dataclass(frozen=True)
class ModelRecord:
    version: str
    guild_id: str
    dataset: str
    backend: str
    job_id: int | None
    path: str | None
    external_model: str | None
    labels: list[str]
    metrics: dict[str, Any]
    n_examples: int
    data_hash: str
    created_at: float


@dataclass(frozen=True)
class ReplyRecord:
    message_id: str
    guild_id: str
    channel_id: str
    kind: str
    text: str
    data: dict[str, Any] | None
    created_at: float


@dataclass(frozen=True)
class Correction:
    id: int
    guild_id: str
    channel_id: str
    message_id: str
    author_id: str
    author_name: str
    kind: str
    original: str
    correction: str
    created_at: float
    dataset_id: int | None = None
    """The dataset of the corrected prediction (None for transcripts and old rows)."""


@dataclass(frozen=True)
class Feedback:
    id: int
    guild_id: str
    channel_id: str
    author_id: str
    author_name: str
    text: str
    created_at: float


def loads(value: str | None) -> Any:
    return json.loads(value) if value else None
