"""User-facing descriptions of jobs, models and status, shared by every transport."""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from .messages import Reply
from .storage.records import Job, ModelRecord

if TYPE_CHECKING:
    from .app import Assistant


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def label_counts(labels: list[str]) -> str:
    counts = Counter(labels)
    return ", ".join(f"{label} {n:,}" for label, n in sorted(counts.items()))


def progress_bar(fraction: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def job_line(job: Job) -> str:
    """One line about a job, e.g. for status and progress messages."""
    text = f"job #{job.id} on **{job.dataset}** ({job.backend}): {job.status}"
    if job.active:
        text += f" {progress_bar(job.progress)} {job.progress * 100:.0f}%"
    if job.message and (job.active or job.status == "interrupted"):
        text += f" · {job.message}"
    if job.error:
        text += f" · {job.error}"
    return text


def model_line(model: ModelRecord) -> str:
    m = model.metrics
    return (
        f"model **{model.version}** on **{model.dataset}** ({model.backend}, "
        f"{model.n_examples:,} examples): accuracy {percent(m.get('accuracy'))}, "
        f"F1 {percent(m.get('f1'))} on {m.get('n', '?')} held-out examples"
    )


def job_finished_reply(app: Assistant, job: Job) -> Reply:
    """The announcement when a job ends, in text and speech."""
    data: dict[str, Any] = {"event": "job_finished", "job_id": job.id, "status": job.status}
    if job.status == "succeeded" and job.model_version:
        model = next(
            (m for m in app.store.models(job.guild_id, 5) if m.version == job.model_version), None
        )
        accuracy = model.metrics.get("accuracy") if model else None
        data.update(model=job.model_version, accuracy=accuracy)
        text = f"✅ Training job #{job.id} finished: " + (model_line(model) if model else "done.")
        speech = f"Training finished. Accuracy {percent(accuracy)}."
        return Reply(text=text, speech=speech.replace("%", " percent"), data=data, kind="job")
    if job.status == "cancelled":
        return Reply(text=f"Training job #{job.id} was cancelled.", data=data, kind="job")
    reason = job.error or job.message or "no reason was recorded"
    return Reply(
        text=f"❌ Training job #{job.id} {job.status}: {reason}",
        speech=f"Training {job.status}.",
        ok=False,
        data=data,
        kind="job",
    )


async def status_reply(app: Assistant, guild_id: str) -> Reply:
    store = app.store
    dataset = store.active_dataset(guild_id)
    lines = ["**Status**"]
    data: dict[str, Any] = {"dataset": None, "model": None, "jobs": []}
    if dataset is None:
        lines.append("Active dataset: none yet (`select_dataset` or `train` sets one).")
    else:
        folders = ", ".join(f"`{f}`" + (f" → {lbl}" if lbl else "") for f, lbl in dataset.folders)
        n = store.count_examples(dataset)
        lines.append(
            f"Active dataset: **{dataset.name}** · folders: {folders or 'none'} · "
            f"{n:,} added examples"
        )
        data["dataset"] = dataset.name
    model = store.latest_model(guild_id)
    if model is None:
        lines.append("Model: none yet (`train` builds one).")
    else:
        age = time.strftime("%Y-%m-%d %H:%M", time.localtime(model.created_at))
        lines.append(f"Model: {model_line(model)} · trained {age}")
        data["model"] = {"version": model.version, "metrics": model.metrics}
    jobs = store.jobs(guild_id, limit=3)
    for job in jobs:
        lines.append("- " + job_line(job))
        data["jobs"].append({"id": job.id, "status": job.status, "progress": job.progress})
    if not jobs:
        lines.append("Jobs: none.")
    corrections = len(store.corrections(guild_id, "prediction"))
    lines.append(f"Corrections of predictions (used in every training run): {corrections}")
    running = [j for j in jobs if j.active]
    speech = (
        f"Training is running, {running[0].progress * 100:.0f} percent done."
        if running
        else (
            f"The model's accuracy is {percent(model.metrics.get('accuracy'))}."
            if model
            else "There is no model yet."
        )
    )
    return Reply(text="\n".join(lines), speech=speech.replace("%", " percent"), data=data)
