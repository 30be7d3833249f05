"""The model: add examples and train it, cancel a running job (measuring it: measure.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import datasets
from ..batch import Batch, label_for, typed_label
from ..errors import BadInput, LimitExceeded, NotFound, UserError
from ..i18n import number_text, tr, tr_count
from ..label_conflicts import conflicts_note
from ..mentions import only_mentions
from ..messages import Reply, Request
from ..reports import label_counts, status
from ..storage.records import Dataset, Job, ModelRecord
from ..training.base import Example
from . import targets
from .option_values import shown
from .registry import Param, command
from .test_items import parse_items

if TYPE_CHECKING:
    from ..app import Assistant

DEFAULT_DATASET = "default"


def _new_examples(
    app: Assistant, request: Request, options: dict[str, Any]
) -> tuple[Batch, list[str]]:
    """Examples named by this request (text, file, folder, attachments) and notes about how
    the arguments were read. Reads only: nothing is stored here."""
    explicit = options["positive"]
    label = None if explicit is None else label_for(explicit)
    if options["label"]:
        if explicit is not None:
            raise BadInput(tr("train.both_labels"))
        label = typed_label(options["label"])
    if label is not None and not (options["data"] or options["data_dir"] or request.attachments):
        # `/train label:billing` alone: a label with nothing to label is no retrain
        raise BadInput(tr("train.label_without_data", label=label))
    default = label or label_for(explicit is not False)
    batch = Batch(app.config.limits)
    notes: list[str] = []
    if options["data"]:
        if only_mentions(options["data"]):
            # `train @everyone`, `train <#123>`: a mention names no example, nor asks to retrain
            mention = shown(options["data"].strip(), 60)
            raise BadInput(tr("train.mention", mention=mention, hint=tr("train.example_hint")))
        target = targets.resolve(options["data"], app.root)
        if target.note and request.typed:
            # "put them in quotes" is said to a typed line only: a slash option or a spoken
            # name is one value already, with no quotes to add (as `getfile` says it)
            notes.append(target.note)
        if target.kind == "text":
            lines = target.lines()
            for line in lines:
                if not any(c.isalpha() for c in line):
                    # `train ---`, `train -5`, `train 123`: no words to learn, likely no example
                    # at all (a flag, a number meant for another command)
                    hint = tr("train.example_hint")
                    raise BadInput(tr("train.no_letters", text=shown(line.strip(), 60), hint=hint))
                batch.add(line, default, tr("train.your_text"))
            if len(lines) > 1 and request.typed:
                notes.append(tr("train.lines_note", count=number_text(len(lines))))
        elif target.kind == "json":
            example = tr("train.json_example")
            limit = app.config.limits.upload_examples
            for text, given in parse_items(target.value, limit, example=example):
                if given is None:
                    batch.add(text, default, tr("train.your_text"))
                else:
                    batch.add(text, given, tr("train.your_json"))
        elif target.kind == "file":
            assert target.path is not None
            with _some_examples(batch, app.root.relative(target.path), "upload.no_examples"):
                datasets.read_file(batch, app.root, target.path, label, default)
        else:
            assert target.path is not None
            _read_folder(app, batch, target.path, label, default)
    if options["data_dir"]:
        _read_folder(app, batch, app.root.folder(options["data_dir"]), label, default)
    for attachment in request.attachments:
        with _some_examples(batch, attachment.filename, "upload.no_examples"):
            datasets.parse_attachment(batch, attachment.data, attachment.filename, label, default)
    return batch, notes


def _read_folder(
    app: Assistant, batch: Batch, folder: Path, label: str | None, default: str
) -> None:
    with _some_examples(batch, app.root.relative(folder), "upload.no_examples.folder"):
        datasets.read_folder(batch, app.root, folder, label, default)


@contextmanager
def _some_examples(batch: Batch, name: str, key: str) -> Iterator[None]:
    """A file or folder that adds no example is refused (message `key`), rather than read as
    nothing and answered with "training needs more examples"; one holding archives says they
    are not opened, naming them."""
    before, archives = len(batch.rows), len(batch.archives)
    yield
    if len(batch.rows) == before and len(batch.archives) > archives:
        shown = batch.archives_shown(since=archives)
        raise BadInput(tr("upload.no_examples.archives", name=name, archives=shown))
    if len(batch.rows) == before:
        raise BadInput(tr(key, name=name))


def training_set(app: Assistant, dataset: Dataset) -> list[Example]:
    """Everything the dataset holds: its folders, added examples and prediction corrections."""
    rows: list[Example] = []
    for folder, label in dataset.folders:
        path = app.root.resolve(folder, must_exist=False)
        if path.is_dir():
            rows += datasets.folder_examples(app.root, path, label, app.config.limits).rows
    rows += [Example(text, label) for text, label in app.store.examples(dataset)]
    return datasets.dedupe(rows, corrections(app, dataset))


def corrections(app: Assistant, dataset: Dataset) -> dict[str, str]:
    found = app.store.corrections(dataset.guild_id, "prediction", dataset_id=dataset.id)
    return {c.original: c.correction for c in found}


def _label_notes(batch: Batch, known: set[str], new: list[Example]) -> list[str]:
    """“This adds the label `notes` from folder `notes/` in `x.zip`: 1 example.”"""
    counts: dict[str, int] = {}
    for example in new:
        counts[example.label] = counts.get(example.label, 0) + 1
    notes = []
    for label, places in batch.sources.items():
        if label in known or not counts.get(label):
            continue
        origin = next(iter(places))
        if len(places) > 1:  # "from `a.csv` and 1 more": the count is the label's, not a.csv's
            origin = tr("train.origin_and_others", origin=origin, others=len(places) - 1)
        notes.append(tr_count("train.new_label", counts[label], label=label, origin=origin))
    return notes


@command(
    "train",
    "Add labelled examples to the active dataset and train a model on it.",
    Param(
        "data",
        "str",
        "An example text in quotes, `file:NAME` or `folder:NAME` in the data folder",
        source=True,
    ),
    Param("data_dir", "str", "A folder inside the data folder (same as `folder:NAME`)"),
    Param("positive", "bool", "Label of the new examples: true (positive, the default) or false"),
    Param("label", "str", "Any other label for the new examples, e.g. `label:billing`"),
    permission="train",
    attachments=True,
    aliases=("retrain",),
)
async def train(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    # Refused before reading anything (a refusal costs nothing); held from here until the job
    # exists, so no other command changes the examples the job is about to train on. Another
    # `train` being prepared meanwhile is waited for: it may start no job at all.
    await app.jobs.settled(request.guild_id)
    with app.jobs.preparing(request.guild_id):
        # Reading, de-duplicating and counting 100,000 examples takes a second or more: all of
        # it happens in a worker thread, so the event loop (live voice) never waits for it.
        plan = await asyncio.to_thread(_plan_training, app, request, options)
        if isinstance(plan, Reply):
            return plan
        # 100,000 rows to store are made there too (tens of ms of the loop's time otherwise).
        source = request.source
        rows = await asyncio.to_thread(lambda: [(e.text, e.label, source) for e in plan.new])
        job = await app.jobs.start(
            guild_id=request.guild_id,
            channel_id=request.channel_id,
            dataset=plan.dataset.name,
            examples=plan.examples,
            requested_by=request.user.id,
            add_to=plan.dataset.id if plan.new else None,
            new_examples=rows,
            prepared=True,
        )
    return Reply(
        text="\n".join(
            [
                *plan.notes,
                plan.added
                + tr(
                    "train.started",
                    name=plan.dataset.name,
                    count=number_text(len(plan.examples)),
                    counts=plan.counts,
                    estimate=plan.estimate,
                    job=job.id,
                ),
                *plan.started,
            ]
        ),
        speech=tr(
            "train.started.speech", name=plan.dataset.name, count=number_text(len(plan.examples))
        ),
        job_id=job.id,
        data={
            "job_id": job.id,
            "dataset": plan.dataset.name,
            "added": len(plan.new),
            "examples": len(plan.examples),
            "new_labels": plan.new_labels,
        },
    )


@dataclass(frozen=True)
class _Plan:
    """A `train` request read and checked, ready to start its job."""

    dataset: Dataset
    """The dataset the job trains (created if the guild had none)."""
    examples: list[Example]
    """Everything it will train on: the dataset's examples, then the new ones."""
    new: list[Example]
    """The examples this request adds (repeats of stored ones left out)."""
    notes: list[str]
    """How the arguments were read, new labels and where they came from."""
    started: list[str]
    """That the dataset was started by this request (none was active), said after the rest."""
    added: str
    """“Added 3 examples (…). ” or empty when the request named no examples."""
    counts: str
    """Examples per label, as the reply shows them."""
    new_labels: list[str]
    """Labels the dataset did not have before."""
    estimate: str
    """“, about 9 s” when the dataset's last fit tells how long this one will take."""


def _plan_training(app: Assistant, request: Request, options: dict[str, Any]) -> _Plan | Reply:
    """Read and check a `train` request (in a worker thread). A `Reply` when there is nothing
    to train yet (the new examples are stored for later); raises `UserError` on a refusal."""
    batch, notes = _new_examples(app, request, options)
    active = app.store.active_dataset(request.guild_id)
    if active is None and not batch.rows:  # `train` alone: there is no dataset to retrain
        raise NotFound(tr("dataset.no_active"))
    # the dataset these examples start is named for the user, who did not name it (last: the
    # reply first says what was added)
    started = [] if active else [tr("train.started_default", name=DEFAULT_DATASET)]
    existing = training_set(app, active) if active else []
    known_rows = set(existing)
    new = [e for e in dict.fromkeys(batch.rows) if e not in known_rows]
    examples = existing + new
    labels = {e.label for e in examples}
    limit = app.config.limits.dataset_labels
    if len(labels) > limit:
        raise LimitExceeded(
            tr("train.too_many_labels", count=number_text(len(labels)), limit=number_text(limit))
        )
    known_labels = {e.label for e in existing}
    notes += batch.notes(tr("upload.read_as.undo")) + _label_notes(batch, known_labels, new)
    notes += conflicts_note(new, existing)
    try:
        # whether a job may start was checked on the event loop (and `start` checks again);
        # here only whether these examples can train a model
        app.jobs.backend.preflight(examples)
    except UserError as exc:
        if not new:  # every example read was a repeat: say so, or it seems lost
            repeats = _repeats(batch.rows, new)
            raise type(exc)("\n".join([*notes, *repeats, str(exc)])) from None
        # Not trainable yet (one label, too few examples): keep the examples, train later.
        dataset = active or app.store.select_dataset(request.guild_id, DEFAULT_DATASET)
        app.store.add_examples(
            dataset, ((e.text, e.label) for e in new), request.source, request.user.id
        )
        return Reply(
            text="\n".join(
                [*notes, _added(new, batch.rows) + tr("train.later", reason=exc), *started]
            ),
            speech=tr("train.later.speech", count=number_text(len(new))),
            data={"dataset": dataset.name, "added": len(new), "examples": len(examples)},
        )
    dataset = active or app.store.select_dataset(request.guild_id, DEFAULT_DATASET)
    seconds = app.jobs.backend.estimate_seconds(request.guild_id, dataset.name, len(examples))
    return _Plan(
        dataset=dataset,
        estimate=""
        if seconds is None
        else tr("train.estimate", seconds=number_text(round(seconds))),
        examples=examples,
        new=new,
        notes=notes,
        started=started,
        added=_added(new, batch.rows) if batch.rows else "",
        counts=label_counts([e.label for e in examples]),
        new_labels=sorted({e.label for e in new} - known_labels),
    )


def _added(new: list[Example], read: list[Example]) -> str:
    counts = label_counts([e.label for e in new]) or tr("examples.none")
    return " ".join([tr_count("train.added", len(new), counts=counts), *_repeats(read, new)]) + " "


def _repeats(read: list[Example], new: list[Example]) -> list[str]:
    """What was skipped: repeats within the request (a file holding a row twice) and repeats
    of examples the dataset has, each said as what it is."""
    unique = len(set(read))
    within = [tr_count("train.repeats_within", len(read) - unique)] if len(read) > unique else []
    stored = [tr_count("train.repeats", unique - len(new))] if unique > len(new) else []
    return within + stored


def active_dataset(app: Assistant, guild_id: str) -> Dataset:
    dataset = app.store.active_dataset(guild_id)
    if dataset is None:
        raise NotFound(tr("dataset.no_active"))
    return dataset


def current_model(app: Assistant, guild_id: str) -> tuple[Dataset, ModelRecord]:
    dataset = active_dataset(app, guild_id)
    model = app.store.current_model(dataset)
    if model is None:
        raise NotFound(tr("model.none", name=dataset.name))
    return dataset, model


@command(
    "cancel",
    "Cancel the running training job.",
    Param("job", "int", "Job number (default: the running one)"),
    permission="cancel",
    aliases=("stop",),
)
async def cancel(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    job = await app.jobs.cancel(options["job"], guild_id=request.guild_id)
    if job.status != "cancelled":
        # The job got past its last check before the cancel came (its model was being saved,
        # here or on a queue worker) and ended as it would have: say so, not "Cancelled".
        raise NotFound(_not_cancelled(job))
    return Reply(
        text=tr("cancel.done", job=job.id, name=job.dataset),
        speech=tr("cancel.done.speech"),
        data={"job_id": job.id, "status": job.status},
    )


def _not_cancelled(job: Job) -> str:
    """Why a `cancel` that waited for the job cancelled nothing: how the job ended, or that it
    has not stopped yet (a worker too busy to stop within the wait)."""
    if job.status == "succeeded":
        return tr(
            "cancel.too_late.succeeded", job=job.id, name=job.dataset, model=job.model_version
        )
    if job.active:
        return tr("cancel.not_stopped", job=job.id, name=job.dataset)
    return tr("cancel.too_late", job=job.id, name=job.dataset, status=status(job))
