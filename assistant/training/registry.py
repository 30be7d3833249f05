"""Model registry: one folder per model version, recorded in the store.

Layout: `<state_dir>/models/<guild>/<version>/` holding `meta.json` (metrics, labels, dataset,
data hash, backend, creation time), `data.jsonl` (every example, with the split it was in, so it
is on record what the model learnt from) and, for local backends, `model.pkl`.

A backend trains into a hidden staging folder; `commit` renames it into place and only then adds
the store row, so a cancelled or failed job never leaves a half-written model behind.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import NotFound
from ..i18n import tr
from ..storage import Store
from ..storage.records import Job, ModelRecord
from .base import Classifier, Example, TrainedModel

log = logging.getLogger(__name__)

STAGING_PREFIX = ".staging-"
_VERSION = re.compile(r"^v(\d{4,})-\d{8}T\d{6}$")


@dataclass(frozen=True)
class Staging:
    version: str
    path: Path


def _guild_folder_name(guild_id: str) -> str:
    # Guild ids are snowflakes or "console"; anything else must not be able to form a path.
    return guild_id if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", guild_id) else "_invalid"


class ModelRegistry:
    def __init__(self, state_dir: Path, store: Store) -> None:
        self.root = state_dir / "models"
        self.store = store
        self._loaders: dict[str, Callable[[ModelRecord], Classifier]] = {}
        self._cache: dict[tuple[str, str], Classifier] = {}
        self._lock = threading.Lock()

    def add_loader(self, backend: str, loader: Callable[[ModelRecord], Classifier]) -> None:
        """How to load models that `backend` made (the job manager registers every backend)."""
        self._loaders[backend] = loader

    def guild_dir(self, guild_id: str) -> Path:
        return self.root / _guild_folder_name(guild_id)

    # -- writing -------------------------------------------------------------------------------

    def new_version(self, guild_id: str) -> str:
        """Next version, e.g. `v0003-20261125T141000` (sorts by number).

        Numbers count across all guilds, because a version is the store's key for a model.
        """
        numbers = [0]
        names = [p.name for p in self.root.glob("*/*")] if self.root.is_dir() else []
        names += [record.version for record in self.store.models(guild_id, limit=1_000_000)]
        for name in names:
            match = _VERSION.match(name.removeprefix(STAGING_PREFIX))
            if match:
                numbers.append(int(match.group(1)))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        return f"v{max(numbers) + 1:04d}-{stamp}"

    @contextmanager
    def staging(self, guild_id: str) -> Iterator[Staging]:
        """A fresh staging folder; removed again if the block raises (or is cancelled)."""
        version = self.new_version(guild_id)
        path = self.guild_dir(guild_id) / f"{STAGING_PREFIX}{version}"
        path.mkdir(parents=True)
        try:
            yield Staging(version, path)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise

    def discard(self, trained: TrainedModel) -> None:
        if trained.path and Path(trained.path).name.startswith(STAGING_PREFIX):
            shutil.rmtree(trained.path, ignore_errors=True)

    def clean_staging(self) -> int:
        """At start-up: remove staging folders a crashed process left. Returns how many."""
        removed = 0
        if self.root.is_dir():
            for leftover in self.root.glob(f"*/{STAGING_PREFIX}*"):
                shutil.rmtree(leftover, ignore_errors=True)
                removed += 1
        return removed

    def commit(
        self, *, job: Job, backend: str, trained: TrainedModel, examples: Sequence[Example]
    ) -> ModelRecord:
        """Write meta.json and data.jsonl, move the folder into place and add the store row."""
        if trained.path is None:
            raise ValueError("a trained model needs its staging folder")
        staging = Path(trained.path)
        final = self.guild_dir(job.guild_id) / trained.version
        created = time.time()
        meta = {
            "version": trained.version,
            "guild_id": job.guild_id,
            "dataset": job.dataset,
            "backend": backend,
            "job_id": job.id,
            "external_model": trained.external_model,
            "labels": trained.labels,
            "metrics": trained.metrics,
            "n_examples": trained.n_examples,
            "data_hash": trained.data_hash,
            "created": datetime.fromtimestamp(created, UTC).isoformat(timespec="seconds"),
            "requested_by": job.requested_by,
        }
        with open(staging / "data.jsonl", "w", encoding="utf-8") as out:
            for index, example in enumerate(examples):
                split = "held_out" if index in trained.held_out else "train"
                row = {"text": example.text, "label": example.label, "split": split}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        (staging / "meta.json").write_text(
            json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        staging.rename(final)
        record = ModelRecord(
            version=trained.version,
            guild_id=job.guild_id,
            dataset=job.dataset,
            backend=backend,
            job_id=job.id,
            path=str(final),
            external_model=trained.external_model,
            labels=trained.labels,
            metrics=trained.metrics,
            n_examples=trained.n_examples,
            data_hash=trained.data_hash,
            created_at=created,
        )
        try:
            self.store.add_model(record)
        except BaseException:
            shutil.rmtree(final, ignore_errors=True)
            raise
        return record

    def prune(self, guild_id: str, dataset: str, keep: int) -> list[str]:
        """Delete the dataset's model versions beyond the newest `keep`, except the one in use
        and the one `rollback` would go back to. Returns the versions deleted."""
        history = self.store.models(guild_id, 1_000_000, dataset=dataset)
        if len(history) <= keep:
            return []
        chosen = self.store.dataset(guild_id, dataset)
        current = (self.store.current_model(chosen) if chosen is not None else None) or history[0]
        kept = {m.version for m in history[:keep]} | {current.version}
        older = [m for m in history if m.created_at < current.created_at]
        if older:
            kept.add(older[0].version)  # the rollback target
        doomed = [m for m in history if m.version not in kept]
        # the store first: a model it no longer lists is never loaded while its files go
        self.store.remove_models(guild_id, [m.version for m in doomed])
        for model in doomed:
            with self._lock:
                self._cache.pop((guild_id, model.version), None)
            if model.path:
                folder = Path(model.path)
                if folder.parent == self.guild_dir(guild_id):
                    shutil.rmtree(folder, ignore_errors=True)
        if doomed:
            log.info("pruned %d old models of %s/%s", len(doomed), guild_id, dataset)
        return [m.version for m in doomed]

    # -- reading -------------------------------------------------------------------------------

    @staticmethod
    def trained_on(record: ModelRecord, texts: Sequence[str]) -> int | None:
        """How many of `texts` the model was trained on: the same text is one of the examples its
        `data.jsonl` lists as learnt from (not as held out). None when its folder does not say
        (a model from before `data.jsonl`, or whose folder is on another machine)."""
        if not record.path:
            return None
        wanted, found = set(texts), set()
        try:
            with open(Path(record.path) / "data.jsonl", encoding="utf-8") as rows:
                for line in rows:
                    row = json.loads(line)
                    if row.get("split") == "train" and row.get("text") in wanted:
                        found.add(row["text"])
        except OSError:
            return None
        return sum(text in found for text in texts)

    def is_loaded(self, record: ModelRecord) -> bool:
        """The record's classifier is in memory (its first use will not read it from disk)."""
        with self._lock:
            return (record.guild_id, record.version) in self._cache

    def load_classifier(self, record: ModelRecord) -> Classifier:
        """The record's classifier, loaded once and then served from memory."""
        key = (record.guild_id, record.version)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
            loader = self._loaders.get(record.backend)
            if loader is None:
                raise NotFound(
                    tr("model.other_backend", model=record.version, backend=record.backend)
                )
            classifier = loader(record)
            # Keep one model per guild: older versions are rarely asked for again, and big.
            for stale in [k for k in self._cache if k[0] == record.guild_id]:
                del self._cache[stale]
            self._cache[key] = classifier
            return classifier
