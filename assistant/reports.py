"""User-facing descriptions of jobs, models and status, shared by every transport."""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from . import i18n
from .errors import NotFound
from .i18n import number_text, percent_text, tr, tr_count
from .markup import code
from .messages import Reply
from .storage.records import Dataset, Job, ModelRecord

if TYPE_CHECKING:
    from .app import Assistant
    from .storage.store import Store


def percent(value: float | None) -> str:
    return tr("percent.none") if value is None else percent_text(value, 1)


def spoken_percent(value: float | None) -> str:
    """`percent` as words for text-to-speech (“87.5 percent”, “87,5 процента”)."""
    if value is None:
        return tr("percent.none")
    return f"{number_text(value * 100, 1)} {tr('percent.word')}"


def label_counts(labels: list[str]) -> str:
    counts = Counter(labels)
    return ", ".join(f"{label} {number_text(n)}" for label, n in sorted(counts.items()))


def folder_lines(dataset: Dataset) -> list[str]:
    """“Folder `reviews` as **negative**.”: the data-root folders a dataset reads, and the label
    each gives (none: the labels come from its sub-folders)."""
    return [
        tr("examples.folder.labelled" if label else "examples.folder", folder=folder, label=label)
        for folder, label in dataset.folders
    ]


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
        return tr("time_left.second")
    if left < 90:
        return tr("time_left.seconds", seconds=f"{left:.0f}")
    return tr("time_left.minutes", minutes=f"{left / 60:.0f}")


def progress_text(job: Job, width: int = 20) -> str:
    """The bar, the percentage and the time left, e.g. for a live progress line."""
    left = time_left(job)
    # as wide at 5% as at 100%: the line redrawn in place keeps its length
    done = percent_text(job.progress).rjust(len(percent_text(1)))
    return f"{progress_bar(job.progress, width)} {done}" + (f" · {left}" if left else "")


def job_line(job: Job) -> str:
    """One line about a job, e.g. for status and progress messages."""
    text = tr("job.line", job=job.id, name=job.dataset, backend=job.backend, status=status(job))
    if job.active:
        text += f" {progress_text(job)}"
    if job.message and (job.active or job.status == "interrupted"):
        text += f" · {i18n.render(job.message)}"
    if job.error:
        text += f" · {i18n.render(job.error)}"
    return text


def model_line(model: ModelRecord) -> str:
    m = model.metrics
    held_out = m.get("evaluated_on", "held_out") == "held_out"
    key = "model.line.held_out" if held_out else "model.line.training"
    n = m.get("n")
    return tr(
        # "on 1 held-out example" (`.one`); a record stored without its count reads "?"
        i18n.plural_key(i18n.current(), key, n) if isinstance(n, int | float) else key,
        model=model.version,
        name=model.dataset,
        backend=model.backend,
        count=number_text(model.n_examples),
        accuracy=percent(m.get("accuracy")),
        f1=percent(m.get("f1")),
        n=_counted(n),
    )


def _counted(value: Any) -> str:
    """A count a model's metrics hold, written as replies write numbers ("12,000", "12 000");
    "?" when a record made before it was stored has none."""
    return number_text(int(value)) if isinstance(value, int | float) else "?"


def numbers_meaning(metrics: dict[str, Any]) -> str:
    """One sentence on what the reported numbers measure, for every training report."""
    if metrics.get("evaluated_on") == "training":
        return tr("metrics.on_training")
    held = metrics.get("n_held_out", metrics.get("n"))
    if isinstance(held, int | float):
        text = tr_count("metrics.held_out", int(held))  # "1 example held out" (`.one`)
    else:
        text = tr("metrics.held_out", count=_counted(held))
    if metrics.get("refit_on_all"):
        text += " " + tr("metrics.refit")
    elif metrics.get("refit_on_all") is False:
        text += " " + tr("metrics.not_refit")
    return text


def status(job: Job) -> str:
    """A job's status word (“succeeded”, “выполнена”)."""
    key = f"job.status.{job.status}"
    return tr(key) if key in i18n.catalog(i18n.current()) else job.status


def job_finished_reply(store: Store, job: Job, language: str | None = None) -> Reply | None:
    """The announcement when a job ends, in text and speech: the one wording every transport
    and the voice sessions use. In `language`, else the guild's chosen one, else English.
    None for a cancelled job: only `cancel` cancels one, and its reply already said so (a
    second answer to one `cancel`, typed, spoken or clicked, was one too many)."""
    if job.status == "cancelled":
        return None
    with i18n.speaking(language or store.guild_language(job.guild_id) or i18n.ENGLISH):
        return _job_finished_reply(store, job)


def _job_finished_reply(store: Store, job: Job) -> Reply:
    data: dict[str, Any] = {"event": "job_finished", "job_id": job.id, "status": job.status}
    if job.status == "succeeded" and job.model_version:
        model = store.model(job.guild_id, job.model_version)
        accuracy = model.metrics.get("accuracy") if model else None
        data.update(model=job.model_version, accuracy=accuracy, dataset=job.dataset)
        text = (
            "✅ "
            + tr("job.finished", job=job.id, bar=progress_bar(1.0))
            + " "
            + (
                tr(
                    "job.finished.model",
                    model=model_line(model),
                    meaning=numbers_meaning(model.metrics),
                )
                if model
                else tr("job.finished.done")
            )
        )
        speech = tr("job.finished.speech", name=job.dataset, accuracy=spoken_percent(accuracy))
        return Reply(text=text, speech=speech, data=data, kind="job")
    reason = i18n.render(job.error or job.message) or tr("job.no_reason")
    return Reply(
        text="❌ "
        + tr("job.failed", job=job.id, name=job.dataset, status=status(job), reason=reason),
        speech=tr("job.failed.speech", name=job.dataset, status=status(job)),
        ok=False,
        data=data,
        kind="job",
    )


def job_status_reply(store: Store, guild_id: str, job_id: int) -> Reply:
    """`status 3`: one job of the guild, as `status` lists it, and the model it made (a job of
    another guild is none of this one's)."""
    job = store.job(job_id)
    if job is None or job.guild_id != guild_id:
        raise NotFound(tr("job.missing", job=job_id))
    if job.active:
        speech = tr_count("status.running.speech", round(job.progress * 100))
    else:
        speech = tr("job.status.spoken", job=job.id, status=status(job))
    data: dict[str, Any] = {
        "jobs": [{"id": job.id, "status": job.status, "progress": job.progress}]
    }
    text = job_line(job)
    # the model a finished job made: its result, for one who could not see it announced
    model = store.model(guild_id, job.model_version) if job.model_version else None
    if job.status == "succeeded" and model is not None:
        text += "\n" + model_line(model)
        data["model"] = {"version": model.version, "metrics": model.metrics}
    return Reply(text=text, speech=speech, data=data)


async def status_reply(app: Assistant, guild_id: str) -> Reply:
    """`status`, in the language of the request (`i18n.tr`)."""
    store = app.store
    t = tr
    dataset = store.active_dataset(guild_id)
    lines = [f"**{t('status.title')}**"]
    data: dict[str, Any] = {"dataset": None, "model": None, "jobs": []}
    if dataset is None:
        lines.append(t("status.no_dataset"))
    else:
        folders = ", ".join(code(f) + (f" → {lbl}" if lbl else "") for f, lbl in dataset.folders)
        n = store.count_examples(dataset)
        lines.append(
            tr_count(
                "status.dataset", n, name=dataset.name, folders=folders or t("status.no_folders")
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
        speech = tr_count("status.running.speech", round(running[0].progress * 100))
    elif model:
        speech = t("status.accuracy.speech", accuracy=spoken_percent(model.metrics.get("accuracy")))
    else:
        speech = t("status.no_model.speech")
    return Reply(text="\n".join(lines), speech=speech, data=data)
