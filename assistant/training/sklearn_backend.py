"""Local backend: TF-IDF word 1-2-grams (optionally character 2-5-grams) + logistic regression.

Training runs in a separate process so the bot's event loop never stalls on CPU work, and so
cancelling is a matter of terminating that process: nothing it wrote survives, because it only
ever writes into the registry's staging folder.

Measured at 100,000 short texts on a 2-core machine (bench/training_bench.py):
- the process is started once and kept warm between jobs: a fresh one re-imported scikit-learn
  for every job (1.5-2.8 s);
- the model is saved and loaded with `pickle` (protocol 5): `joblib.dump` took 3.7 s where
  pickle takes 0.75 s, and loading 1-1.5 s where pickle takes 0.2 s;
- word n-grams alone are as accurate as words plus characters on held-out data and fit 2-4x
  faster, so character n-grams are off unless `trainer.sklearn.char_ngrams` asks for them;
- BLAS/OpenMP run `trainer.sklearn.threads` threads (1 by default): with the library's default
  of one per core, a machine already busy with voice made the fit 5-10x slower;
- the vocabulary is learnt once from every text (no labels) and serves the held-out fit and
  the refit on all examples: vectorizing was the slowest step, and the refit repeated it;
- the logistic regression stops at `trainer.sklearn.tolerance` (1e-3: 26 iterations where
  1e-4 took 178, same held-out accuracy), and the n-grams cut by `max_features` are not
  pickled (kept by scikit-learn for introspection only);
- the process is started while the job's examples are stored (`warm_up`);
- the same examples with the same settings as the newest model reuse that model's fit.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import pickle
import shutil
from pathlib import Path
from typing import Any

from ..config import Config
from ..config.core import SklearnSettings
from ..errors import NotFound
from ..i18n import numeral
from ..storage.records import Job, ModelRecord
from .base import (
    Backend,
    Classifier,
    Example,
    Prediction,
    ProgressFn,
    TrainedModel,
)
from .registry import ModelRegistry
from .sklearn_worker import WorkerPool

log = logging.getLogger(__name__)

MODEL_FILE = "model.pkl"
LEGACY_MODEL_FILE = "model.joblib"
"""Models saved before pickle was chosen; still loaded (with joblib)."""


class SklearnBackend(Backend):
    name = "sklearn"

    settings: SklearnSettings

    def __init__(self, config: Config, registry: ModelRegistry) -> None:
        super().__init__(config, registry)
        self._workers = WorkerPool()

    async def run(
        self,
        job: Job,
        examples: list[Example],
        progress: ProgressFn,
        cancelled: asyncio.Event,
    ) -> TrainedModel:
        prepared = await self.prepare(examples)
        labels, held_out, digest = prepared.labels, prepared.held_out, prepared.digest
        fingerprint = self.fingerprint()
        previous = self._same_as(job, digest, fingerprint)
        with self.registry.staging(job.guild_id) as stage:
            model_path = stage.path / MODEL_FILE
            if previous is not None:
                progress(0.5, "progress.reusing", model=previous.version)
                await asyncio.to_thread(_link_or_copy, _model_file(previous), model_path)
                metrics = dict(previous.metrics, reused_from=previous.version)
            else:
                header = {
                    "model_path": str(model_path),
                    "held_out": held_out,
                    "labels": labels,
                    "settings": self.settings.model_dump(),
                }
                estimate = self.estimate_seconds(job.guild_id, job.dataset, len(examples))
                if estimate is None:
                    progress(0.02, "progress.training", count=len(examples))
                else:
                    seconds = numeral(round(estimate))  # in the reader's language
                    progress(0.02, "progress.training.about", count=len(examples), seconds=seconds)
                metrics = await self._train(header, examples, progress, cancelled)
                metrics["pipeline"] = fingerprint
            return TrainedModel(
                version=stage.version,
                path=str(stage.path),
                external_model=None,
                labels=labels,
                metrics=metrics,
                n_examples=len(examples),
                data_hash=digest,
                held_out=frozenset(held_out),
            )

    def estimate_seconds(self, guild_id: str, dataset: str, n_examples: int) -> float | None:
        # Fitting grows about linearly with the examples (measured 10,000 to 1,000,000).
        models = self.registry.store.models(guild_id, limit=1, dataset=dataset)
        if not models or not models[0].metrics.get("fit_seconds") or not models[0].n_examples:
            return None
        last = models[0]
        return max(1.0, float(last.metrics["fit_seconds"]) * n_examples / last.n_examples)

    def fingerprint(self) -> str:
        """What a fit depends on besides the examples: the settings and this code's pipeline."""
        settings = json.dumps(self.settings.model_dump(), sort_keys=True)
        return "words-lr-2:" + hashlib.sha256(settings.encode()).hexdigest()[:16]

    def _same_as(self, job: Job, digest: str, fingerprint: str) -> ModelRecord | None:
        """The newest model, if it was fitted on exactly these examples with these settings."""
        previous = self.registry.store.latest_model(job.guild_id)
        if (
            previous is None
            or previous.backend != self.name
            or previous.dataset != job.dataset
            or previous.data_hash != digest
            or previous.metrics.get("pipeline") != fingerprint
            or not _model_file(previous).is_file()
        ):
            return None
        return previous

    async def _train(
        self,
        header: dict[str, Any],
        examples: list[Example],
        progress: ProgressFn,
        cancelled: asyncio.Event,
    ) -> dict[str, Any]:
        worker = await self._workers.take(self.settings.threads)
        try:
            metrics = await worker.run(header, examples, progress, cancelled)
        except BaseException:
            # Cancelled, failed or interrupted half-way: that process's state is unknown.
            await asyncio.to_thread(worker.stop)
            raise
        self._workers.give_back(worker)
        return metrics

    def load(self, record: ModelRecord) -> Classifier:
        path = _model_file(record)
        if not path.is_file():
            raise NotFound.said("model.folder_missing", model=record.version)
        if path.name == LEGACY_MODEL_FILE:
            import joblib

            return SklearnClassifier(joblib.load(path))
        return _load_pickle(path)

    def warm_up(self) -> None:
        # Starting the training process (imports included) took about 2 s: while the job's
        # examples are stored, not after.
        self._workers.prestart(self.settings.threads)

    def close(self) -> None:
        """End the warm training process."""
        self._workers.close()


def _model_file(record: ModelRecord) -> Path:
    folder = Path(record.path or "")
    legacy = folder / LEGACY_MODEL_FILE
    return legacy if legacy.is_file() else folder / MODEL_FILE


def _load_pickle(path: Path) -> SklearnClassifier:
    # Only the bot writes these files, into its own state folder (like joblib, pickle runs code).
    with open(path, "rb") as file:
        return SklearnClassifier(pickle.load(file))


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # model files are never written in place: sharing is safe
    except OSError:
        shutil.copyfile(source, target)


class SklearnClassifier(Classifier):
    def __init__(self, pipeline: Any) -> None:
        self._pipeline = pipeline
        self._labels = [str(label) for label in pipeline.classes_]

    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    def predict(self, texts: list[str]) -> list[Prediction]:
        if not texts:
            return []
        probabilities = self._pipeline.predict_proba(texts)
        result = []
        for row in probabilities:
            best = int(row.argmax())
            result.append(Prediction(self._labels[best], float(row[best])))
        return result
