"""Classification by a fine-tuned OpenAI chat model: the prompt, the request, the answer read
as a label.

The fine-tune is trained with the same system prompt it is asked with (openai_fine_tune.py
writes it into the training file). The job measures a new model with `classify_all` (async, a
few requests at a time); a kept model classifies through `OpenAIClassifier` (blocking). Kept
apart from the fine-tuning job: these calls run long after the job, for every `test`.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai

from ..config.core import OpenAISettings
from .base import Cancelled, Classifier, Prediction
from .openai_access import friendly_error

log = logging.getLogger(__name__)

_EVAL_CONCURRENCY = 4
"""Parallel classification requests while measuring: quick, yet gentle on rate limits."""


def system_prompt(labels: list[str]) -> str:
    allowed = ", ".join(labels)
    return (
        "Classify the user's text. Answer with exactly one of these labels and nothing else: "
        f"{allowed}."
    )


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


async def classify_all(
    client: openai.AsyncOpenAI,
    model: str,
    labels: list[str],
    texts: list[str],
    cancelled: asyncio.Event,
) -> list[str]:
    """The label `model` gives each of `texts`, a few requests at a time."""
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
