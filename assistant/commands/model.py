"""The model: add examples and train, classify and measure, cancel a running job."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from .. import datasets
from ..datasets import label_for
from ..errors import BadInput, LimitExceeded, NotFound
from ..evaluation import confusion_matrix_png, evaluate
from ..messages import Reply, ReplyFile, Request
from ..reports import label_counts, model_line, percent
from ..storage.records import Dataset
from ..training.base import Example
from .registry import Param, command

if TYPE_CHECKING:
    from ..app import Assistant

DEFAULT_DATASET = "default"
LOOKS_LIKE_FILE = (*datasets.ACCEPTED_TYPES, "/")
INLINE_JSON_CHARS = 1500


def _new_examples(app: Assistant, request: Request, options: dict[str, Any]) -> list[Example]:
    """Examples named by this request: a text or file, a folder, attachments."""
    # plain texts default to positive; a folder keeps its own layout's labels unless told
    explicit = options["positive"]
    label = label_for(explicit is not False)
    limits = app.config.limits
    rows: list[Example] = []
    data = options["data"]
    if data:
        # something that looks like a path must be a path: a typo or `../x` must not become text
        if any(mark in data.lower() for mark in LOOKS_LIKE_FILE):
            path = app.root.file(data)
            rows += datasets.read_file(app.root, path, label, limits)
        else:
            rows.append(Example(data.strip(), label))
    if options["data_dir"]:
        folder = app.root.folder(options["data_dir"])
        folder_label = None if explicit is None else label
        rows += datasets.read_folder(app.root, folder, folder_label, limits)
    for attachment in request.attachments:
        rows += datasets.parse_attachment(attachment.data, attachment.filename, label, limits)
    return datasets.check_lengths(rows, limits)


def training_set(app: Assistant, dataset: Dataset) -> list[Example]:
    """Everything the dataset holds: its folders, added examples and prediction corrections."""
    rows: list[Example] = []
    for folder, label in dataset.folders:
        path = app.root.resolve(folder, must_exist=False)
        if path.is_dir():
            rows += datasets.read_folder(app.root, path, label, app.config.limits)
    rows += [Example(text, label) for text, label in app.store.examples(dataset)]
    fixes = {
        c.original: c.correction for c in app.store.corrections(dataset.guild_id, "prediction")
    }
    return datasets.dedupe(rows, fixes)


@command(
    "train",
    "Add labelled examples to the active dataset and train a model on it.",
    Param("data", "str", "An example text, or a file inside the data folder"),
    Param("data_dir", "str", "A folder of .txt files inside the data folder, one example each"),
    Param("positive", "bool", "Label of the new examples: true (positive, the default) or false"),
    permission="train",
    attachments=True,
    aliases=("retrain",),
)
async def train(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    new = await asyncio.to_thread(_new_examples, app, request, options)
    dataset = app.store.active_dataset(request.guild_id) or app.store.ensure_dataset(
        request.guild_id, DEFAULT_DATASET
    )
    stored = 0
    if new:
        stored = app.store.add_examples(
            dataset,
            ((e.text, e.label) for e in new),
            source=request.source,
            author_id=request.user.id,
        )
    examples = await asyncio.to_thread(training_set, app, dataset)
    job = await app.jobs.start(
        guild_id=request.guild_id,
        channel_id=request.channel_id,
        dataset=dataset.name,
        examples=examples,
        requested_by=request.user.id,
    )
    added = f"Added {len(new):,} examples ({label_counts([e.label for e in new])}). " if new else ""
    if stored < len(new):
        added += f"{len(new) - stored:,} repeats of examples already stored were skipped. "
    return Reply(
        text=f"{added}Training started on **{dataset.name}**: {len(examples):,} examples "
        f"({label_counts([e.label for e in examples])}). Job #{job.id}; I'll post the result here. "
        "`status` shows progress, `cancel` stops it.",
        speech=f"Training started on {dataset.name}, {len(examples):,} examples.",
        job_id=job.id,
        data={
            "job_id": job.id,
            "dataset": dataset.name,
            "added": len(new),
            "examples": len(examples),
        },
    )


def parse_items(raw: str, limit: int) -> list[tuple[str, str | None]]:
    """`test` input: a JSON list of strings or of {"text", "label"} objects."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        line = raw.splitlines()[exc.lineno - 1] if raw.splitlines() else raw
        pointer = " " * (exc.colno - 1) + "^"
        raise BadInput(
            f"That is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}:\n"
            f'```\n{line}\n{pointer}\n```\nExample: `test ["great film", "boring"]`'
        ) from None
    if isinstance(value, str | dict):
        value = [value]
    if not isinstance(value, list) or not value:
        raise BadInput(
            "`test` needs a JSON list, e.g. "
            '`["great film", {"text": "dull", "label": "negative"}]`.'
        )
    if len(value) > limit:
        raise LimitExceeded(
            f"`test` takes at most {limit:,} items at once; you sent {len(value):,}."
        )
    items: list[tuple[str, str | None]] = []
    for index, item in enumerate(value, start=1):
        if isinstance(item, str) and item.strip():
            items.append((item, None))
        elif isinstance(item, dict) and isinstance(item.get("text"), str) and item["text"].strip():
            label = item.get("label")
            items.append(
                (item["text"], datasets.normalise_label(label) if label is not None else None)
            )
        else:
            raise BadInput(
                f"Item {index} must be a non-empty string or an object with a `text` field."
            )
    return items


def _held_out_reply(app: Assistant, guild_id: str) -> Reply:
    """`test` with no input: report the current model's held-out measurements."""
    model = app.store.latest_model(guild_id)
    if model is None:
        raise NotFound("There is no model yet. Add examples and run `train` first.")
    files = []
    matrix = model.metrics.get("confusion_matrix")
    if matrix:
        labels = model.metrics.get("labels", model.labels)
        png = confusion_matrix_png(matrix, labels, f"{model.version} (held-out)")
        files.append(ReplyFile("confusion_matrix.png", data=png))
    return Reply(
        text=f'Current {model_line(model)}.\nGive sentences to classify: `test ["great film"]`.',
        speech=f"The model's accuracy is {percent(model.metrics.get('accuracy'))}.".replace(
            "%", " percent"
        ),
        files=files,
        data={"model": model.version, "metrics": model.metrics},
    )


@command(
    "test",
    "Classify sentences; with labels, also measure accuracy, precision, recall and F1.",
    Param("json", "json", 'JSON list of strings or {"text", "label"} objects'),
    aliases=("predict", "classify"),
)
async def test(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    if not options["json"]:
        return _held_out_reply(app, request.guild_id)
    items = parse_items(options["json"], app.config.limits.test_items)
    loaded = await asyncio.to_thread(app.jobs.classifier, request.guild_id)
    if loaded is None:
        raise NotFound("There is no model yet. Add examples and run `train` first.")
    model, classifier = loaded
    predictions = await asyncio.to_thread(classifier.predict, [text for text, _ in items])
    result: dict[str, Any] = {
        "model": model.version,
        "predictions": [
            {"text": text, "prediction": p.label, "score": round(p.score, 4)}
            | ({"label": label} if label is not None else {})
            for (text, label), p in zip(items, predictions, strict=True)
        ],
    }
    files: list[ReplyFile] = []
    labelled = [(label, p.label) for (_, label), p in zip(items, predictions, strict=True) if label]
    summary = f"{len(items):,} predictions with {model.version}: " + label_counts(
        [p.label for p in predictions]
    )
    speech = summary.split(": ", 1)[1] if len(items) > 1 else f"That's {predictions[0].label}."
    if labelled:
        truth, guessed = zip(*labelled, strict=True)
        labels = sorted({*model.labels, *truth})
        metrics = evaluate(list(truth), list(guessed), labels)
        result["metrics"] = metrics
        png = confusion_matrix_png(
            metrics["confusion_matrix"], labels, f"{model.version} on your test"
        )
        files.append(ReplyFile("confusion_matrix.png", data=png))
        summary += f" · accuracy {percent(metrics['accuracy'])}, F1 {percent(metrics['f1'])}"
        speech = f"Accuracy {percent(metrics['accuracy'])}.".replace("%", " percent")
    body = json.dumps(result, indent=2, ensure_ascii=False)
    if len(body) > INLINE_JSON_CHARS:
        files.append(ReplyFile("predictions.json", data=body.encode()))
        body = body[:INLINE_JSON_CHARS] + "\n… (full result attached)"
    return Reply(
        text=f"{summary}\n```json\n{body}\n```",
        speech=speech,
        files=files,
        data=result,
        kind="prediction",
    )


@command(
    "cancel",
    "Cancel the running training job.",
    Param("job", "int", "Job number (default: the running one)"),
    permission="cancel",
    aliases=("stop",),
)
async def cancel(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    job = await app.jobs.cancel(options["job"], guild_id=request.guild_id)
    return Reply(
        text=f"Cancelled training job #{job.id} on **{job.dataset}**.",
        speech="Training cancelled.",
        data={"job_id": job.id, "status": job.status},
    )
