"""Classify and measure: `test` on typed or attached sentences, on another dataset's labelled
examples, or the current model's held-out figures."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import TYPE_CHECKING, Any

from .. import datasets
from ..batch import normalize_label
from ..errors import BadInput, LimitExceeded, NotFound, PathRefused
from ..evaluation import confusion_matrix_png, evaluate, metrics_table
from ..i18n import number_text, tr, tr_count
from ..markup import quoted
from ..messages import Attachment, Reply, ReplyFile, Request
from ..reports import label_counts, model_line, numbers_meaning, spoken_percent
from .data import is_label_folder
from .model import current_model, training_set
from .registry import Param, command
from .targets import prefixed
from .test_items import items_from_attachment, parse_items, typed_dataset, typed_items

if TYPE_CHECKING:
    from ..app import Assistant

SHOWN_PREDICTIONS = 20
"""Predictions listed in the chat reply; all of them are in the attached predictions.json."""
SHOWN_UNKNOWN_LABELS = 10
"""Labels the model never learnt named in the reply; the rest are counted (a column of ids
read as labels named 3,000 of them); all are in the reply's data and predictions.json."""
_TYPED_KEYS = ("test.predictions", "test.labelled_title", "test.measured")
_DATASET_KEYS = ("test.dataset.predictions", "test.dataset.title", "test.dataset.measured")
"""The heading, the chart's title and the measurement's line of a `test` reply, for items
typed or attached, and for the examples of a dataset."""


def _held_out_reply(app: Assistant, guild_id: str) -> Reply:
    """`test` with no input: report the current model's held-out measurements."""
    dataset, model = current_model(app, guild_id)
    metrics = model.metrics
    files = []
    matrix = metrics.get("confusion_matrix")
    if matrix:
        labels = metrics.get("labels", model.labels)
        title = tr("test.held_out_title", model=model.version, name=dataset.name)
        files.append(
            ReplyFile("confusion_matrix.png", data=confusion_matrix_png(matrix, labels, title))
        )
    table = metrics_table(metrics) if metrics.get("per_label") else ""
    return Reply(
        text=tr("test.current", model=model_line(model))
        + f"\n{table}\n{numbers_meaning(metrics)}\n"
        + tr("test.hint"),
        speech=tr("status.accuracy.speech", accuracy=spoken_percent(metrics.get("accuracy"))),
        files=files,
        data={"model": model.version, "dataset": dataset.name, "metrics": metrics},
    )


@command(
    "test",
    "Classify sentences; with labels, also measure accuracy, precision, recall and F1.",
    Param("json", "json", 'JSON list of strings or {"text", "label"} objects'),
    Param("dataset", "str", "Another dataset: measure the model on its labelled examples"),
    attachments=True,
    aliases=("predict", "classify"),
)
async def test(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    limit = app.config.limits.test_items
    # `/test` has a `dataset` option: its `json` one (and `test json:` typed) holds items, a
    # plain sentence too
    plain = request.source == "slash"
    written = None if plain else prefixed((options["json"] or "").strip(), "file")
    if written is not None:  # `test file:checks.json`: read as the same file attached would be
        attached = await asyncio.to_thread(_data_file, app, written)
        request = dataclasses.replace(request, attachments=[*request.attachments, attached])
        options = {**options, "json": None}
    if not plain and (given := typed_items(options["json"])) is not None:
        options, plain = {**options, "json": given}, True
    name = options["dataset"] or (None if plain else typed_dataset(options["json"]))
    if name is not None:
        if request.attachments or (options["dataset"] and options["json"]):
            raise BadInput(tr("test.dataset_or_items"))
        return await asyncio.to_thread(_on_dataset, app, request.guild_id, name)
    if not options["json"] and not request.attachments:
        # drawing the confusion matrix takes 0.2-1 s: off the event loop
        return await asyncio.to_thread(_held_out_reply, app, request.guild_id)
    items = parse_items(options["json"], limit, plain=plain) if options["json"] else []
    notes: list[str] = []
    for attachment in request.attachments:
        items += await asyncio.to_thread(
            items_from_attachment, attachment.data, attachment.filename, limit - len(items), notes
        )
    # Loading the model, classifying, measuring, drawing and writing predictions.json for
    # 5,000 items: all in a worker thread, so the event loop (live voice) never waits.
    reply = await asyncio.to_thread(_classify, app, request.guild_id, items)
    reply.text = "\n".join([*notes, reply.text])
    return reply


def _data_file(app: Assistant, written: str) -> Attachment:
    """A file of the data folder named with `file:`, within the attachments' size limit, as
    an attachment of its path there (a name `test` said it found no dataset or folder of)."""
    path = app.root.file(written)
    size, limit = path.stat().st_size, app.config.limits.attachment_bytes
    if size > limit:
        raise LimitExceeded(
            tr(
                "upload.file_too_big",
                path=app.root.relative(path),
                size=tr_count("number.bytes", size),
                limit=tr_count("number.bytes", limit),
            )
        )
    return Attachment(filename=app.root.relative(path), data=path.read_bytes())


def _on_dataset(app: Assistant, guild_id: str, name: str) -> Reply:
    """`test <dataset>` (in a worker thread): the active dataset's model measured on the
    labelled examples of another dataset, or of a folder read as `select_dataset` reads it (a
    label folder, `reviews/negative`, labels its files with its name)."""
    active, _ = current_model(app, guild_id)
    stored = app.store.dataset_named(guild_id, name)
    if stored is not None and stored.id == active.id:
        # Its own examples taught the model: only the held-out ones measure it honestly.
        reply = _held_out_reply(app, guild_id)
        reply.text = tr("test.own_dataset", name=active.name) + "\n" + reply.text
        return reply
    if stored is not None:
        shown, rows = stored.name, training_set(app, stored)
    else:
        try:
            folder = app.root.folder(name)
        except NotFound:
            raise NotFound(tr("test.no_dataset", name=name)) from None
        except PathRefused:
            if " " not in name.strip():
                raise
            # words no name can be ("test <a pasted review of 5,000 characters>") were "That
            # path is too long": they name no dataset, and a sentence to classify is quoted
            raise NotFound(
                tr("test.no_dataset_words", name=_shortened(name), count=number_text(len(name)))
            ) from None
        shown = app.root.relative(folder)
        if shown == ".":
            raise PathRefused(tr("select.root_refused"))
        label = normalize_label(folder.name) if is_label_folder(app, folder) else None
        batch = datasets.folder_examples(app.root, folder, label, app.config.limits)
        rows = datasets.dedupe(batch.rows, {})
    limit = app.config.limits.test_items
    if not rows:
        raise BadInput(tr("test.dataset_empty", name=shown))
    if len(rows) > limit:
        raise LimitExceeded(
            tr(
                "test.dataset_too_big",
                name=shown,
                count=number_text(len(rows)),
                limit=number_text(limit),
            )
        )
    return _classify(app, guild_id, [(e.text, e.label) for e in rows], measured_on=shown)


def _shortened(words: str, most: int = 40) -> str:
    """The start of `words`, at most `most` characters and an ellipsis when cut."""
    words = " ".join(words.split())
    return words if len(words) <= most else words[:most].rstrip() + "…"


def _classify(
    app: Assistant,
    guild_id: str,
    items: list[tuple[str, str | None]],
    measured_on: str | None = None,
) -> Reply:
    """The `test` reply for these items (in a worker thread); `measured_on`: the dataset they
    are the examples of (`test <dataset>`), else they were typed or attached."""
    dataset, model = current_model(app, guild_id)
    keys = _TYPED_KEYS if measured_on is None else _DATASET_KEYS
    classifier = app.jobs.registry.load_classifier(model)
    predictions = classifier.predict([text for text, _ in items])
    result: dict[str, Any] = {
        "model": model.version,
        "dataset": dataset.name,
        "dataset_id": dataset.id,
        "predictions": [
            {"text": text, "prediction": p.label, "score": round(p.score, 4)}
            | ({"label": label} if label is not None else {})
            for (text, label), p in zip(items, predictions, strict=True)
        ],
    }
    if measured_on is not None:
        result["measured_on"] = measured_on
    files: list[ReplyFile] = []
    labelled = [(label, p.label) for (_, label), p in zip(items, predictions, strict=True) if label]
    unknown = _unknown_labels(labelled, model.labels)
    if unknown:
        # The model can never predict a label it was not trained on: those items would only
        # pull every figure down (a typo'd label scored the model 0%). Measured without them.
        labelled = [(label, guess) for label, guess in labelled if label not in unknown]
        result["unknown_labels"] = unknown
    names = {"model": model.version, "name": dataset.name, "dataset": measured_on}
    lines = [
        tr_count(keys[0], len(items), **names) + ": " + label_counts([p.label for p in predictions])
    ]
    for number, item in enumerate(result["predictions"][:SHOWN_PREDICTIONS], start=1):
        mark = ""
        if "label" in item:
            wrong = " ✗ " + tr("test.labelled", label=item["label"])
            mark = " ✓" if item["label"] == item["prediction"] else wrong
        lines.append(
            f"{number}. “{quoted(item['text'], 80)}” → **{item['prediction']}** "
            f"({number_text(item['score'], 2)}){mark}"
        )
    if len(items) > SHOWN_PREDICTIONS:
        lines.append(tr("test.more", count=number_text(len(items) - SHOWN_PREDICTIONS)))
    if unknown:
        left_out = sum(label in unknown for _, label in items)
        lines.append(
            tr_count(
                "test.unknown_labels",
                left_out,
                model=model.version,
                labels=_some_labels(unknown),
                known=", ".join(model.labels),
            )
        )
    speech = (
        label_counts([p.label for p in predictions])
        if len(items) > 1
        else tr("test.one.speech", label=predictions[0].label)
    )
    if labelled:
        truth, guessed = zip(*labelled, strict=True)
        labels = sorted({*model.labels, *truth})
        metrics = evaluate(list(truth), list(guessed), labels)
        result["metrics"] = metrics
        title = tr_count(keys[1], len(labelled), **names)
        png = confusion_matrix_png(metrics["confusion_matrix"], labels, title)
        files.append(ReplyFile("confusion_matrix.png", data=png))
        lines += [
            "",
            metrics_table(metrics),
            tr_count(keys[2], len(labelled), dataset=measured_on),
        ]
        if measured_on is not None:
            # another dataset may hold texts this model learnt from: on those it is no test
            texts = [text for text, label in items if label]
            overlap = app.jobs.registry.trained_on(model, texts)
            result["trained_on"] = overlap
            if overlap:
                total = number_text(len(texts))
                lines.append(
                    tr_count("test.dataset.overlap", overlap, total=total, model=model.version)
                )
        speech = tr("test.accuracy.speech", accuracy=spoken_percent(metrics["accuracy"]))
    if len(items) > SHOWN_PREDICTIONS or labelled:
        body = json.dumps(result, indent=2, ensure_ascii=False).encode()
        files.append(ReplyFile("predictions.json", data=body))
    return Reply(
        text="\n".join(lines),
        speech=speech,
        files=files,
        data=result,
        kind="prediction",
    )


def _some_labels(labels: list[str]) -> str:
    """The first SHOWN_UNKNOWN_LABELS of `labels`, and how many more there are."""
    shown = ", ".join(labels[:SHOWN_UNKNOWN_LABELS])
    if len(labels) <= SHOWN_UNKNOWN_LABELS:
        return shown
    more = number_text(len(labels) - SHOWN_UNKNOWN_LABELS)
    return tr("labels.and_more", labels=shown, count=more)


def _unknown_labels(labelled: list[tuple[str, str]], known: list[str]) -> list[str]:
    """The labels of the items that the model does not have, in the order first given."""
    have = set(known)
    return list(dict.fromkeys(label for label, _ in labelled if label not in have))
