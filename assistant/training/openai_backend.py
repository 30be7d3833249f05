"""OpenAI backend: chat fine-tuning of `base_model`, then classification by the fine-tune.

The job uploads the training split as chat JSONL (system prompt naming the labels, user = text,
assistant = label), starts a fine-tuning job and polls it. When it succeeds, the fine-tuned model
is measured on (at most `eval_items` of) the held-out split. The key comes from OPENAI_API_KEY
only and is never logged; every API failure becomes a `UserError` that says what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import json
import logging
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai

from ..config.core import OpenAISettings
from ..errors import UserError
from ..evaluation import evaluate
from ..i18n import Field, keyed
from ..storage.records import Job, ModelRecord
from .base import (
    Backend,
    Cancelled,
    Classifier,
    Example,
    Prediction,
    PreparedExamples,
    ProgressFn,
    TrainedModel,
)

log = logging.getLogger(__name__)

KEY_ENV = "OPENAI_API_KEY"
MIN_TRAINING_LINES = 10
"""OpenAI rejects fine-tuning files with fewer examples than this."""
_POLL_FAILURES = 5
"""Consecutive failed status polls (network or 5xx) after which the job fails."""
_EVAL_CONCURRENCY = 4
"""Parallel classification requests while measuring: quick, yet gentle on rate limits."""

# Where a fine-tuning job is, as a rough share of the whole job (once training steps are
# reported, 0.2 to 0.8 by step); each status has its progress message,
# `progress.fine_tuning.<status>`.
_STATUS_PROGRESS = {"validating_files": 0.1, "queued": 0.15, "running": 0.2}


def api_key() -> str:
    key = os.environ.get(KEY_ENV, "").strip()
    if not key:
        raise UserError.said("openai.no_key", env=KEY_ENV)
    return key


def system_prompt(labels: list[str]) -> str:
    allowed = ", ".join(labels)
    return (
        "Classify the user's text. Answer with exactly one of these labels and nothing else: "
        f"{allowed}."
    )


def training_jsonl(examples: list[Example], labels: list[str]) -> bytes:
    """Chat fine-tuning format: one conversation per example."""
    system = system_prompt(labels)
    lines = [
        json.dumps(
            {
                "messages": [
                    {"role": "system", "content": system},
                    {"role": "user", "content": example.text},
                    {"role": "assistant", "content": example.label},
                ]
            },
            ensure_ascii=False,
        )
        for example in examples
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def closest_label(answer: str, labels: list[str]) -> tuple[str, bool]:
    """The label the model's answer names: (label, exact). Inexact answers take the closest."""
    cleaned = answer.strip().strip(".\"'`").strip().lower()
    for label in labels:
        if cleaned == label.lower():
            return label, True
    best = max(
        labels,
        key=lambda label: difflib.SequenceMatcher(None, cleaned, label.lower()).ratio(),
    )
    return best, False


def friendly_error(exc: openai.OpenAIError, base_url: str | None) -> UserError:
    """A user-facing explanation of an API failure (no key, no traceback)."""
    where: Field = base_url or keyed("openai.api")
    if isinstance(exc, openai.AuthenticationError):
        return UserError.said("openai.401", where=where, env=KEY_ENV)
    if isinstance(exc, openai.PermissionDeniedError):
        return UserError.said("openai.403", where=where, reason=_api_message(exc))
    if isinstance(exc, openai.RateLimitError):
        return UserError.said("openai.rate_limit", reason=_api_message(exc))
    if isinstance(exc, openai.APITimeoutError):
        return UserError.said("openai.timeout", where=where)
    if isinstance(exc, openai.APIConnectionError):
        return UserError.said("openai.unreachable", where=where)
    if isinstance(exc, openai.APIStatusError):
        return UserError.said("openai.status", code=exc.status_code, reason=_api_message(exc))
    return UserError.said("openai.failed", kind=type(exc).__name__)


def _api_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])[:300]
    return str(exc.message)[:300]


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
            data = training_jsonl([examples[i] for i in train], labels)
            upload = await client.files.create(
                file=(f"trainer-job-{job.id}.jsonl", data, "application/jsonl"),
                purpose="fine-tune",
            )
            create: dict[str, Any] = {"model": s.base_model, "training_file": upload.id}
            if s.n_epochs is not None:
                create["method"] = {
                    "type": "supervised",
                    "supervised": {"hyperparameters": {"n_epochs": s.n_epochs}},
                }
            remote = await client.fine_tuning.jobs.create(**create)
            # On record at once, so the remote job can be found even if this process dies.
            self.registry.store.update_job(job.id, external_id=remote.id)
            progress(0.05, "progress.fine_tune_created", remote=remote.id)
            model_name = await self._poll(client, remote.id, progress, cancelled)

            evaluation = [examples[i] for i in held_out][: s.eval_items]
            evaluated_on = "held_out"
            if not evaluation:
                evaluation = [examples[i] for i in train][: s.eval_items]
                evaluated_on = "training"
            progress(0.85, "progress.measuring", model=model_name, count=len(evaluation))
            predicted = await self._classify_all(
                client, model_name, labels, [e.text for e in evaluation], cancelled
            )
            metrics = evaluate([e.label for e in evaluation], predicted, labels)
            metrics.update(
                evaluated_on=evaluated_on,
                n_train=len(train),
                n_held_out=len(held_out),
                fine_tuning_job=remote.id,
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

    async def _poll(
        self,
        client: openai.AsyncOpenAI,
        remote_id: str,
        progress: ProgressFn,
        cancelled: asyncio.Event,
    ) -> str:
        """Wait for the fine-tune; its model name. Cancels it remotely if we are cancelled."""
        failures = 0
        try:
            while True:
                if cancelled.is_set():
                    raise Cancelled()
                try:
                    remote = await client.fine_tuning.jobs.retrieve(remote_id)
                    failures = 0
                except (openai.APIConnectionError, openai.InternalServerError) as exc:
                    # A fine-tune runs for many minutes: ride out a short network or server blip.
                    failures += 1
                    if failures >= _POLL_FAILURES:
                        raise
                    log.warning("polling %s failed (%d in a row): %r", remote_id, failures, exc)
                    await self._pause(cancelled)
                    continue
                if remote.status == "succeeded":
                    if not remote.fine_tuned_model:
                        raise UserError.said("openai.no_model")
                    return remote.fine_tuned_model
                if remote.status == "failed":
                    reason: Field = remote.error.message if remote.error else keyed("job.no_reason")
                    raise UserError.said("openai.fine_tune_failed", reason=reason)
                if remote.status == "cancelled":
                    raise UserError.said("openai.fine_tune_cancelled")
                await self._report(client, remote_id, remote.status, progress)
                await self._pause(cancelled)
        except (Cancelled, asyncio.CancelledError):
            await self._cancel_remote(client, remote_id)
            raise

    async def _report(
        self, client: openai.AsyncOpenAI, remote_id: str, status: str, progress: ProgressFn
    ) -> None:
        """Where the fine-tune is: its training step once it reports steps, else its status."""
        step = await self._latest_step(client, remote_id)
        base = _STATUS_PROGRESS.get(status, 0.2)
        if step is not None:
            done, total, loss = step
            shown = 0.2 + 0.6 * min(done / total, 1.0)
            if loss is None:
                progress(shown, "progress.fine_tuning.step", step=done, total=total)
            else:
                progress(shown, "progress.fine_tuning.step.loss", step=done, total=total, loss=loss)
        elif status in _STATUS_PROGRESS:
            progress(base, f"progress.fine_tuning.{status}")
        else:
            progress(base, "progress.fine_tuning", status=status)

    async def _pause(self, cancelled: asyncio.Event) -> None:
        """Wait one poll interval, or less if the job is cancelled meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(cancelled.wait(), self.settings.poll_seconds)

    async def _latest_step(
        self, client: openai.AsyncOpenAI, remote_id: str
    ) -> tuple[int, int, str | None] | None:
        """The newest training step, the number of steps and the training loss if OpenAI gives
        it, from the events' data rather than their English messages, so that they read in the
        guild's language; None before training steps. Events are a nicety only."""
        try:
            page = await client.fine_tuning.jobs.list_events(remote_id, limit=10)
        except openai.APIStatusError as exc:
            log.debug("events of %s unavailable: %s", remote_id, exc.status_code)
            return None
        for event in page.data:  # newest first
            data = event.data if isinstance(event.data, dict) else {}
            step, total, loss = data.get("step"), data.get("total_steps"), data.get("train_loss")
            if isinstance(step, int) and isinstance(total, int) and total > 0:
                finite = isinstance(loss, int | float) and math.isfinite(loss)
                return step, total, f"{loss:.3g}" if finite else None
        return None

    async def _cancel_remote(self, client: openai.AsyncOpenAI, remote_id: str) -> None:
        try:
            await asyncio.wait_for(
                client.fine_tuning.jobs.cancel(remote_id), self.settings.timeout_seconds
            )
            log.info("cancelled OpenAI fine-tuning job %s", remote_id)
        except (openai.OpenAIError, TimeoutError) as exc:
            log.warning("could not cancel OpenAI fine-tuning job %s: %r", remote_id, exc)

    async def _classify_all(
        self,
        client: openai.AsyncOpenAI,
        model: str,
        labels: list[str],
        texts: list[str],
        cancelled: asyncio.Event,
    ) -> list[str]:
        limit = asyncio.Semaphore(_EVAL_CONCURRENCY)

        async def one(text: str) -> str:
            async with limit:
                if cancelled.is_set():
                    raise Cancelled()
                answer = await client.chat.completions.create(**_chat_request(model, labels, text))
                return closest_label(answer.choices[0].message.content or "", labels)[0]

        tasks = [asyncio.ensure_future(one(text)) for text in texts]
        try:
            return list(await asyncio.gather(*tasks))
        finally:
            # The first failure (or a cancel) must not leave the other requests running.
            for task in tasks:
                task.cancel()

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


def _chat_request(model: str, labels: list[str], text: str) -> dict[str, Any]:
    return {
        "model": model,
        "messages": [
            {"role": "system", "content": system_prompt(labels)},
            {"role": "user", "content": text},
        ],
        "temperature": 0,
        "max_tokens": 16,
        "logprobs": True,
    }


class OpenAIClassifier(Classifier):
    """Classifies with the fine-tuned model, one blocking request per text.

    The score is the probability of the answer's tokens when the API reports logprobs, else 1.0;
    an answer that is not exactly a label maps to the closest label with at most half that.
    """

    def __init__(
        self, client: openai.OpenAI, model: str, labels: list[str], settings: OpenAISettings
    ) -> None:
        self._client = client
        self._model = model
        self._labels = list(labels)
        self._settings = settings

    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    def predict(self, texts: list[str]) -> list[Prediction]:
        # The failure is worded here, in the caller's thread: the pool's threads do not have
        # the request's language, and a Russian server read it in English.
        try:
            return self._predict(texts)
        except openai.OpenAIError as exc:
            log.warning("OpenAI classification failed: %r", exc)
            raise friendly_error(exc, self._settings.base_url) from None

    def _predict(self, texts: list[str]) -> list[Prediction]:
        if len(texts) <= 1:
            return [self._ask(text) for text in texts]
        # One request per text: a few at a time, so a long `test` list is not a long wait.
        pool = ThreadPoolExecutor(_EVAL_CONCURRENCY, thread_name_prefix="openai-predict")
        try:
            return list(pool.map(self._ask, texts))
        finally:
            # After a failure, the queued requests would fail the same way: drop them.
            pool.shutdown(wait=True, cancel_futures=True)

    def _ask(self, text: str) -> Prediction:
        answer = self._client.chat.completions.create(
            **_chat_request(self._model, self._labels, text)
        )
        choice = answer.choices[0]
        label, exact = closest_label(choice.message.content or "", self._labels)
        score = 1.0
        if choice.logprobs is not None and choice.logprobs.content:
            score = math.exp(sum(token.logprob for token in choice.logprobs.content))
        return Prediction(label, score if exact else score * 0.5)
