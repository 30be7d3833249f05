"""User-facing descriptions of jobs, models and status, shared by every transport."""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from .messages import Reply
from .storage.records import Job, ModelRecord

if TYPE_CHECKING:
    from .app import Assistant
    from .storage.store import Store


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def label_counts(labels: list[str]) -> str:
    counts = Counter(labels)
    return ", ".join(f"{label} {n:,}" for label, n in sorted(counts.items()))


def progress_bar(fraction: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def time_left(job: Job, now: float | None = None) -> str:
    """“about 40 s left”, extrapolated from the time spent so far; "" until it means something."""
    if not job.active or job.progress < 0.05 or job.progress >= 1:
        return ""
    spent = (now if now is not None else time.time()) - job.created_at
    left = spent * (1 - job.progress) / job.progress
    if left < 1:
        return "less than a second left"
    if left < 90:
        return f"about {left:.0f} s left"
    return f"about {left / 60:.0f} min left"


def progress_text(job: Job, width: int = 20) -> str:
    """The bar, the percentage and the time left, e.g. for a live progress line."""
    left = time_left(job)
    return f"{progress_bar(job.progress, width)} {job.progress * 100:3.0f}%" + (
        f" · {left}" if left else ""
    )


def job_line(job: Job) -> str:
    """One line about a job, e.g. for status and progress messages."""
    text = f"job #{job.id} on **{job.dataset}** ({job.backend}): {job.status}"
    if job.active:
        text += f" {progress_text(job)}"
    if job.message and (job.active or job.status == "interrupted"):
        text += f" · {job.message}"
    if job.error:
        text += f" · {job.error}"
    return text


def model_line(model: ModelRecord) -> str:
    m = model.metrics
    where = "held-out" if m.get("evaluated_on", "held_out") == "held_out" else "training"
    return (
        f"model **{model.version}** on **{model.dataset}** ({model.backend}, "
        f"{model.n_examples:,} examples): accuracy {percent(m.get('accuracy'))}, "
        f"macro F1 {percent(m.get('f1'))} on {m.get('n', '?')} {where} examples"
    )


def numbers_meaning(metrics: dict[str, Any]) -> str:
    """One sentence on what the reported numbers measure, for every training report."""
    if metrics.get("evaluated_on") == "training":
        return (
            "These numbers were measured on the training examples themselves (too few to hold "
            "any out), so they flatter the model; add examples for an honest measurement."
        )
    held = metrics.get("n_held_out", metrics.get("n", "?"))
    text = (
        f"These numbers were measured on {held} examples held out of training, so they "
        "estimate how the model does on sentences it has not seen."
    )
    if metrics.get("refit_on_all"):
        text += (
            " The model kept was then refitted on all examples (held-out ones included), so it "
            "should do at least as well."
        )
    elif metrics.get("refit_on_all") is False:
        text += " The model kept is the one measured (fitted without the held-out examples)."
    return text


def job_finished_reply(store: Store, job: Job) -> Reply:
    """The announcement when a job ends, in text and speech: the one wording every transport
    and the voice sessions use."""
    data: dict[str, Any] = {"event": "job_finished", "job_id": job.id, "status": job.status}
    if job.status == "succeeded" and job.model_version:
        model = store.model(job.guild_id, job.model_version)
        accuracy = model.metrics.get("accuracy") if model else None
        data.update(model=job.model_version, accuracy=accuracy, dataset=job.dataset)
        text = f"✅ Training job #{job.id} finished {progress_bar(1.0)} 100%: " + (
            f"{model_line(model)}.\n{numbers_meaning(model.metrics)} `test` shows the table "
            "per label."
            if model
            else "done."
        )
        speech = f"Training on {job.dataset} finished. Accuracy {percent(accuracy)}."
        return Reply(text=text, speech=speech.replace("%", " percent"), data=data, kind="job")
    if job.status == "cancelled":
        return Reply(
            text=f"Training job #{job.id} on `{job.dataset}` was cancelled.",
            speech=f"Training on {job.dataset} was cancelled.",
            data=data,
            kind="job",
        )
    reason = job.error or job.message or "no reason was recorded"
    return Reply(
        text=f"❌ Training job #{job.id} on `{job.dataset}` {job.status}: {reason}",
        speech=f"Training on {job.dataset} {job.status}. The reason is in the text channel.",
        ok=False,
        data=data,
        kind="job",
    )


async def status_reply(app: Assistant, guild_id: str) -> Reply:
    store = app.store

    def t(key: str, **fields: object) -> str:
        return app.text(guild_id, key, **fields)

    dataset = store.active_dataset(guild_id)
    lines = [f"**{t('status.title')}**"]
    data: dict[str, Any] = {"dataset": None, "model": None, "jobs": []}
    if dataset is None:
        lines.append(t("status.no_dataset"))
    else:
        folders = ", ".join(f"`{f}`" + (f" → {lbl}" if lbl else "") for f, lbl in dataset.folders)
        n = store.count_examples(dataset)
        lines.append(
            t(
                "status.dataset",
                name=dataset.name,
                folders=folders or t("status.no_folders"),
                count=f"{n:,}",
            )
        )
        data["dataset"] = dataset.name
    model = store.current_model(dataset) if dataset is not None else None
    if model is None:
        lines.append(t("status.no_model"))
    else:
        age = time.strftime("%Y-%m-%d %H:%M", time.localtime(model.created_at))
        lines.append(t("status.model", model=model_line(model), age=age))
        data["model"] = {"version": model.version, "metrics": model.metrics}
    jobs = store.jobs(guild_id, limit=3)
    for job in jobs:
        lines.append("- " + job_line(job))
        data["jobs"].append({"id": job.id, "status": job.status, "progress": job.progress})
    if not jobs:
        lines.append(t("status.no_jobs"))
    if dataset is not None:
        corrections = len(store.corrections(guild_id, "prediction", dataset_id=dataset.id))
        lines.append(t("status.corrections", count=corrections))
    running = [j for j in jobs if j.active]
    if running:
        speech = t("status.running.speech", percent=f"{running[0].progress * 100:.0f}")
    elif model:
        speech = t("status.accuracy.speech", accuracy=percent(model.metrics.get("accuracy")))
    else:
        speech = t("status.no_model.speech")
    return Reply(text="\n".join(lines), speech=speech.replace("%", " percent"), data=data)
