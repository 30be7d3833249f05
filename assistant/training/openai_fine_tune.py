"""One fine-tuning job on OpenAI's side: the training file uploaded, the job started, polled
with its progress until it ends, and cancelled remotely when ours is.

The training file is chat JSONL (system prompt naming the labels, user = text, assistant =
label). Kept apart from the backend's run (openai_backend.py), which decides what to train on
and measures the result, and from the classification calls (openai_classify.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from typing import Any

import openai

from ..config.core import OpenAISettings
from ..errors import UserError
from ..i18n import Field, keyed, numeral
from .base import Cancelled, Example, ProgressFn
from .openai_classify import system_prompt

log = logging.getLogger(__name__)

MIN_TRAINING_LINES = 10
"""OpenAI rejects fine-tuning files with fewer examples than this."""
_POLL_FAILURES = 5
"""Consecutive failed status polls (network or 5xx) after which the job fails."""

# Where a fine-tuning job is, as a rough share of the whole job (once training steps are
# reported, 0.2 to 0.8 by step); each status has its progress message,
# `progress.fine_tuning.<status>`.
_STATUS_PROGRESS = {"validating_files": 0.1, "queued": 0.15, "running": 0.2}


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


async def start_fine_tune(
    client: openai.AsyncOpenAI,
    settings: OpenAISettings,
    file_name: str,
    examples: list[Example],
    labels: list[str],
) -> str:
    """Upload `examples` as the training file `file_name` and start fine-tuning
    `settings.base_model` on it; the remote job's id."""
    data = training_jsonl(examples, labels)
    upload = await client.files.create(
        file=(file_name, data, "application/jsonl"),
        purpose="fine-tune",
    )
    create: dict[str, Any] = {"model": settings.base_model, "training_file": upload.id}
    if settings.n_epochs is not None:
        create["method"] = {
            "type": "supervised",
            "supervised": {"hyperparameters": {"n_epochs": settings.n_epochs}},
        }
    remote = await client.fine_tuning.jobs.create(**create)
    return remote.id


async def poll_fine_tune(
    client: openai.AsyncOpenAI,
    settings: OpenAISettings,
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
                await _pause(settings, cancelled)
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
            await _report(client, remote_id, remote.status, progress)
            await _pause(settings, cancelled)
    except (Cancelled, asyncio.CancelledError):
        await _cancel_remote(client, settings, remote_id)
        raise


async def _report(
    client: openai.AsyncOpenAI, remote_id: str, status: str, progress: ProgressFn
) -> None:
    """Where the fine-tune is: its training step once it reports steps, else its status."""
    step = await _latest_step(client, remote_id)
    base = _STATUS_PROGRESS.get(status, 0.2)
    if step is not None:
        done, total, loss = step
        shown = 0.2 + 0.6 * min(done / total, 1.0)
        if loss is None:
            progress(shown, "progress.fine_tuning.step", step=done, total=total)
        else:
            # written in the reader's language ("0,693")
            loss_shown = numeral(loss, _loss_places(loss))
            progress(
                shown, "progress.fine_tuning.step.loss", step=done, total=total, loss=loss_shown
            )
    elif status in _STATUS_PROGRESS:
        progress(base, f"progress.fine_tuning.{status}")
    else:
        progress(base, "progress.fine_tuning", status=status)


def _loss_places(loss: float) -> int:
    """Decimals that show a training loss to three significant digits, at least three (0.693,
    0.000123: near the end of a fine-tune a loss can be that small)."""
    if loss == 0:
        return 3
    return min(8, max(3, 2 - math.floor(math.log10(abs(loss)))))


async def _pause(settings: OpenAISettings, cancelled: asyncio.Event) -> None:
    """Wait one poll interval, or less if the job is cancelled meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(cancelled.wait(), settings.poll_seconds)


async def _latest_step(
    client: openai.AsyncOpenAI, remote_id: str
) -> tuple[int, int, float | None] | None:
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
            if isinstance(loss, int | float) and math.isfinite(loss):
                return step, total, float(loss)
            return step, total, None
    return None


async def _cancel_remote(
    client: openai.AsyncOpenAI, settings: OpenAISettings, remote_id: str
) -> None:
    try:
        await asyncio.wait_for(client.fine_tuning.jobs.cancel(remote_id), settings.timeout_seconds)
        log.info("cancelled OpenAI fine-tuning job %s", remote_id)
    except (openai.OpenAIError, TimeoutError) as exc:
        log.warning("could not cancel OpenAI fine-tuning job %s: %r", remote_id, exc)
