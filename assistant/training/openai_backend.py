"""OpenAI backend: chat fine-tuning of `base_model`, then classification by the fine-tune.

The job uploads the training split and fine-tunes on it (openai_fine_tune.py). When it
succeeds, the fine-tuned model is measured on (at most `eval_items` of) the held-out split
(openai_classify.py). The key comes from OPENAI_API_KEY only and is never logged; every API
failure becomes a `UserError` that says what to do (openai_access.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import openai

from ..config.core import OpenAISettings
from ..errors import UserError
from ..evaluation import evaluate
from ..storage.records import Job, ModelRecord
from .base import (
    Backend,
    Classifier,
    Example,
    PreparedExamples,
    ProgressFn,
    TrainedModel,
)
from .openai_access import api_key, friendly_error
from .openai_classify import OpenAIClassifier, classify_all
from .openai_fine_tune import MIN_TRAINING_LINES, poll_fine_tune, start_fine_tune

log = logging.getLogger(__name__)


class OpenAIBackend(Backend):
    name = "openai"

    settings: OpenAISettings

    def preflight(self, examples: Sequence[Example]) -> list[str]:
        labels = super().preflight(examples)
        api_key()
        return labels

    def _client(self) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            api_key=api_key(),
            base_url=self.settings.base_url,
            timeout=self.settings.timeout_seconds,
            max_retries=self.settings.max_retries,
        )

    async def run(
        self,
        job: Job,
        examples: list[Example],
        progress: ProgressFn,
        cancelled: asyncio.Event,
    ) -> TrainedModel:
        prepared = await self.prepare(examples)
        client = self._client()
        try:
            return await self._run(client, job, examples, prepared, progress, cancelled)
        except openai.OpenAIError as exc:
            log.warning("OpenAI job %s failed: %r", job.id, exc)
            raise friendly_error(exc, self.settings.base_url) from None
        finally:
            await client.close()

    async def _run(
        self,
        client: openai.AsyncOpenAI,
        job: Job,
        examples: list[Example],
        prepared: PreparedExamples,
        progress: ProgressFn,
        cancelled: asyncio.Event,
    ) -> TrainedModel:
        s = self.settings
        labels, train, held_out = prepared.labels, prepared.train, prepared.held_out
        if len(train) < MIN_TRAINING_LINES:
            # Too few to hold any out: fine-tune on everything, measure on the training data.
            train, held_out = list(range(len(examples))), []
        with self.registry.staging(job.guild_id) as stage:
            progress(0.02, "progress.uploading", count=len(train))
            remote_id = await start_fine_tune(
                client, s, f"trainer-job-{job.id}.jsonl", [examples[i] for i in train], labels
            )
            # On record at once, so the remote job can be found even if this process dies.
            self.registry.store.update_job(job.id, external_id=remote_id)
            progress(0.05, "progress.fine_tune_created", remote=remote_id)
            model_name = await poll_fine_tune(client, s, remote_id, progress, cancelled)

            evaluation = [examples[i] for i in held_out][: s.eval_items]
            evaluated_on = "held_out"
            if not evaluation:
                evaluation = [examples[i] for i in train][: s.eval_items]
                evaluated_on = "training"
            progress(0.85, "progress.measuring", model=model_name, count=len(evaluation))
            predicted = await classify_all(
                client, model_name, labels, [e.text for e in evaluation], cancelled
            )
            metrics = evaluate([e.label for e in evaluation], predicted, labels)
            metrics.update(
                evaluated_on=evaluated_on,
                n_train=len(train),
                n_held_out=len(held_out),
                fine_tuning_job=remote_id,
            )
            return TrainedModel(
                version=stage.version,
                path=str(stage.path),
                external_model=model_name,
                labels=labels,
                metrics=metrics,
                n_examples=len(examples),
                data_hash=prepared.digest,
                held_out=frozenset(held_out),
            )

    def load(self, record: ModelRecord) -> Classifier:
        if not record.external_model:
            raise UserError.said("openai.no_remote", model=record.version)
        client = openai.OpenAI(
            api_key=api_key(),
            base_url=self.settings.base_url,
            timeout=self.settings.timeout_seconds,
            max_retries=self.settings.max_retries,
        )
        return OpenAIClassifier(client, record.external_model, record.labels, self.settings)
