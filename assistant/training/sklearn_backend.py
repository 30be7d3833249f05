"""Local backend: TF-IDF (word 1-2-grams, optionally char 2-5-grams) + logistic regression.

Training runs in a separate process (spawn context, one per job) so the bot's event loop never
stalls on CPU work, and so cancelling is a matter of terminating that process: nothing it wrote
survives, because it only ever writes into the registry's staging folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import queue as queue_module
import traceback
from collections.abc import Sequence
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import NotFound, UserError
from ..storage.records import Job, ModelRecord
from .base import (
    Backend,
    Cancelled,
    Classifier,
    Example,
    Prediction,
    ProgressFn,
    TrainedModel,
    check_examples,
    data_hash,
    split_examples,
)
from .registry import ModelRegistry

log = logging.getLogger(__name__)

MODEL_FILE = "model.joblib"
_POLL_SECONDS = 0.05
"""How often the event loop looks at the worker's queue; bounds cancel and progress latency."""


class SklearnBackend(Backend):
    name = "sklearn"

    def __init__(self, config: Config, registry: ModelRegistry) -> None:
        self.settings = config.trainer.sklearn
        self.registry = registry

    async def run(
        self,
        job: Job,
        examples: list[Example],
        progress: ProgressFn,
        cancelled: asyncio.Event,
    ) -> TrainedModel:
        # checking, splitting and hashing tens of thousands of examples: off the event loop
        labels, held_out, payload, digest = await asyncio.to_thread(self._prepare, examples)
        with self.registry.staging(job.guild_id) as stage:
            payload["model_path"] = str(stage.path / MODEL_FILE)
            progress(0.02, "starting a training process")
            metrics = await _run_worker(payload, progress, cancelled, name=f"trainer-job-{job.id}")
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

    def preflight(self, examples: Sequence[Example]) -> list[str]:
        return check_examples(examples, self.settings.min_examples)

    def _prepare(self, examples: list[Example]) -> tuple[list[str], list[int], dict[str, Any], str]:
        labels = self.preflight(examples)
        train, held_out = split_examples(examples, self.settings.test_size, self.settings.seed)
        payload = {
            "train_texts": [examples[i].text for i in train],
            "train_labels": [examples[i].label for i in train],
            "test_texts": [examples[i].text for i in held_out],
            "test_labels": [examples[i].label for i in held_out],
            "labels": labels,
            "settings": self.settings.model_dump(),
        }
        return labels, held_out, payload, data_hash(examples)

    def load(self, record: ModelRecord) -> Classifier:
        import joblib

        path = Path(record.path or "") / MODEL_FILE
        if not path.is_file():
            raise NotFound(
                f"The files of model {record.version} are missing from the model folder; "
                "run `train` again."
            )
        return SklearnClassifier(joblib.load(path))


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


async def _run_worker(
    payload: dict[str, Any], progress: ProgressFn, cancelled: asyncio.Event, *, name: str
) -> dict[str, Any]:
    """Run `_train` in a fresh process, relaying its progress; returns the metrics."""
    context = multiprocessing.get_context("spawn")
    messages: multiprocessing.Queue[tuple[Any, ...]] = context.Queue()
    process: SpawnProcess = context.Process(
        target=_train, args=(messages, payload), name=name, daemon=True
    )
    # Starting pipes the pickled payload to the child, which reads it only once its interpreter
    # is up: with a big dataset that blocks for a while, so it happens off the event loop.
    starting = asyncio.get_running_loop().run_in_executor(None, process.start)
    try:
        await asyncio.shield(starting)
        while True:
            result = _drain(messages, progress)
            if result is not None:
                await asyncio.to_thread(process.join, 10)
                return result
            if cancelled.is_set():
                raise Cancelled()
            if not process.is_alive():
                # It may have posted its result just before exiting: look once more.
                result = _drain(messages, progress)
                if result is not None:
                    return result
                raise RuntimeError(f"training process exited with code {process.exitcode}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(cancelled.wait(), _POLL_SECONDS)
    finally:
        if not starting.done():
            # Cancelled while starting: the process must exist before it can be stopped.
            await asyncio.wait([starting])
        if process.is_alive():
            process.terminate()
            await asyncio.to_thread(process.join, 0.5)
            if process.is_alive():
                process.kill()
                await asyncio.to_thread(process.join, 0.5)
        # A terminated writer may leave the queue's pipe half-written: never wait on it.
        messages.cancel_join_thread()
        messages.close()


def _drain(
    messages: multiprocessing.Queue[tuple[Any, ...]], progress: ProgressFn
) -> dict[str, Any] | None:
    """Relay queued progress; the metrics once the worker is done; raise its error if it failed."""
    while True:
        try:
            message = messages.get_nowait()
        except queue_module.Empty:
            return None
        kind = message[0]
        if kind == "progress":
            progress(message[1], message[2])
        elif kind == "done":
            return dict(message[1])
        elif kind == "error":
            user_message, details = message[1], message[2]
            if user_message:
                raise UserError(user_message)
            log.error("training process failed:\n%s", details)
            raise RuntimeError("the training process failed")


def _train(messages: multiprocessing.Queue[tuple[Any, ...]], payload: dict[str, Any]) -> None:
    """Worker process body: fit, evaluate, save. Communicates only through `messages`."""

    def report(fraction: float, text: str) -> None:
        messages.put(("progress", fraction, text))

    try:
        report(0.05, "loading scikit-learn")
        import joblib
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        from ..evaluation import evaluate

        settings = payload["settings"]
        train_texts: list[str] = payload["train_texts"]
        report(0.2, f"vectorising {len(train_texts)} texts")
        parts: list[tuple[str, Any]] = [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=(1, 2), sublinear_tf=True, max_features=settings["max_features"]
                ),
            )
        ]
        if settings.get("char_ngrams", True):
            vectoriser = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(2, 5),
                sublinear_tf=True,
                max_features=settings["max_features"],
            )
            parts.append(("chars", vectoriser))
        features = FeatureUnion(parts)
        try:
            matrix = features.fit_transform(train_texts)
        except ValueError as exc:
            if "empty vocabulary" in str(exc):
                messages.put(("error", "None of the examples contain words I can learn from.", ""))
                return
            raise
        report(0.4, f"fitting logistic regression on {matrix.shape[1]} features")
        # Balanced class weights: users' datasets are often lopsided (many more positives).
        model = LogisticRegression(C=settings["C"], max_iter=2000, class_weight="balanced")
        model.fit(matrix, payload["train_labels"])
        pipeline = Pipeline([("features", features), ("classifier", model)])

        if payload["test_texts"]:
            report(0.75, f"evaluating on {len(payload['test_texts'])} held-out examples")
            texts, truth, evaluated_on = payload["test_texts"], payload["test_labels"], "held_out"
        else:
            report(0.75, "evaluating on the training data (too few examples to hold any out)")
            texts, truth, evaluated_on = train_texts, payload["train_labels"], "training"
        metrics = evaluate(truth, [str(p) for p in pipeline.predict(texts)], payload["labels"])
        metrics["evaluated_on"] = evaluated_on
        metrics["n_train"] = len(train_texts)
        metrics["n_held_out"] = len(payload["test_texts"])

        report(0.9, "saving the model")
        joblib.dump(pipeline, payload["model_path"])
        messages.put(("done", metrics))
    except Exception as exc:
        messages.put(("error", None, f"{exc!r}\n{traceback.format_exc()}"))
