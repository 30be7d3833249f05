"""Look after a dataset's examples: list, relabel, remove, undo the last addition (examples or
a folder), export.

These act on the examples added with `train` (stored in the database). Examples read from a
folder of the data folder are that folder's files: edit the files to change them.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import TYPE_CHECKING, Any

from ..batch import typed_label
from ..csv_cells import exported
from ..errors import BadInput, NotFound
from ..i18n import number_text, tr, tr_count
from ..markup import quoted
from ..messages import Reply, ReplyFile, Request
from ..reports import folder_lines, label_counts
from ..storage.records import Dataset, FolderChange, StoredExample
from .model import active_dataset, training_set
from .option_values import in_range, shown, whole_number
from .registry import Param, command

if TYPE_CHECKING:
    from ..app import Assistant

PAGE = 20
SHOWN_CHARS = 100
"""An example's text as a reply quotes it (`quoted`)."""


def _line(example: StoredExample) -> str:
    return f"#{example.id} **{example.label}**: {quoted(example.text, SHOWN_CHARS)}"


def _example_id(raw: str) -> int:
    """The number of `relabel #12` or `remove #12`, bounded like every number an option names."""
    number = whole_number(raw)
    if number is None:
        raise BadInput(tr("examples.bad_number", raw=shown(raw)))
    return in_range(number, "example", raw)


def _check_page(dataset: Dataset, page: int, pages: int) -> None:
    """A page past the last is refused (saying how many there are), not shown empty."""
    if page > pages == 1:  # one page, not a plural form: Russian's `.one` is 21 pages too
        raise NotFound(tr("examples.no_page.single", page=page, name=dataset.name))
    if page > pages:
        # `last` unformatted: the command it is shown in takes no thousands separator
        last = str(pages)
        raise NotFound(tr_count("examples.no_page", pages, page=page, name=dataset.name, last=last))


@command(
    "examples",
    "List the active dataset's labels and its added examples with their numbers.",
    Param("page", "int", "Page of 20 examples (default 1)"),
)
async def examples(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    dataset = active_dataset(app, request.guild_id)
    page = options["page"] or 1
    total = app.store.count_examples(dataset)
    pages = max(1, -(-total // PAGE))
    _check_page(dataset, page, pages)
    everything = await asyncio.to_thread(training_set, app, dataset)
    stored = app.store.stored_examples(dataset, offset=(page - 1) * PAGE, limit=PAGE)
    counts = label_counts([e.label for e in everything]) or tr("examples.none")
    lines = [tr_count("examples.summary", len(everything), name=dataset.name, counts=counts)]
    lines += folder_lines(dataset)
    lines.append(tr("examples.page", page=page, pages=pages, total=number_text(total)))
    lines += [_line(e) for e in stored] or [tr("examples.empty_page")]
    lines.append(tr("examples.hint"))
    return Reply(
        text="\n".join(lines),
        speech=tr_count("examples.speech", len(everything), name=dataset.name),
        data={
            "dataset": dataset.name,
            "total": len(everything),
            "added": total,
            "page": page,
            "examples": [{"id": e.id, "text": e.text, "label": e.label} for e in stored],
        },
    )


@command(
    "relabel",
    "Give an added example a different label.",
    Param("example", "str", "Example number, as `examples` shows it (#12)", required=True),
    Param("label", "str", "The new label", required=True),
    permission="train",
)
async def relabel(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    await app.jobs.settled(request.guild_id)
    app.jobs.check_idle(request.guild_id)
    dataset = active_dataset(app, request.guild_id)
    number = _example_id(options["example"])
    label = typed_label(options["label"])
    example = app.store.stored_example(dataset, number)
    if example is None:
        raise NotFound(tr("examples.missing", name=dataset.name, number=number))
    if example.label == label:
        raise BadInput(tr("relabel.same", number=number, label=label))
    twins = [
        e for e in app.store.stored_examples(dataset) if e.text == example.text and e.label == label
    ]
    if twins:
        raise BadInput(tr("relabel.twin", twin=twins[0].id, label=label, number=number))
    labels = {e.label for e in await asyncio.to_thread(training_set, app, dataset)} | {label}
    if len(labels) > app.config.limits.dataset_labels:
        raise BadInput(tr("relabel.too_many_labels", limit=app.config.limits.dataset_labels))
    app.store.relabel_example(dataset, number, label)
    return Reply(
        text=tr("relabel.done", number=number, label=label, was=example.label),
        speech=tr("relabel.done.speech", label=label),
        data={"id": number, "label": label, "was": example.label},
    )


def _removable(
    app: Assistant, request: Request, options: dict[str, Any]
) -> tuple[Dataset, int, StoredExample]:
    """The example `remove` would delete, or the refusal."""
    app.jobs.check_idle(request.guild_id)
    dataset = active_dataset(app, request.guild_id)
    number = _example_id(options["example"])
    example = app.store.stored_example(dataset, number)
    if example is None:
        raise NotFound(tr("examples.missing", name=dataset.name, number=number))
    return dataset, number, example


async def _can_remove(app: Assistant, request: Request, options: dict[str, Any]) -> None:
    await app.jobs.settled(request.guild_id)
    _removable(app, request, options)


def _last_addition(
    app: Assistant, request: Request
) -> tuple[Dataset, list[StoredExample] | FolderChange]:
    """What `undo` would take back, or the refusal: the examples of the active dataset's last
    `train`, or the folder its last `select_dataset FOLDER true/false` gave it, whichever came
    last."""
    app.jobs.check_idle(request.guild_id)
    dataset = active_dataset(app, request.guild_id)
    last = app.store.last_addition(dataset)
    change = app.store.last_folder_change(dataset)
    if change is not None and (not last or (last[0].addition_id or 0) < change.addition_id):
        return dataset, change
    if not last:
        raise NotFound(tr("undo.nothing", name=dataset.name))
    return dataset, last


async def _can_undo(app: Assistant, request: Request, options: dict[str, Any]) -> None:
    await app.jobs.settled(request.guild_id)
    _last_addition(app, request)


@command(
    "remove",
    "Delete an added example from the active dataset.",
    Param("example", "str", "Example number, as `examples` shows it (#12)", required=True),
    permission="train",
    aliases=("delete",),
    check=_can_remove,
)
async def remove(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    await app.jobs.settled(request.guild_id)
    dataset, number, example = _removable(app, request, options)
    app.store.remove_examples(dataset, [number])
    return Reply(
        text=tr(
            "remove.done",
            number=number,
            label=example.label,
            text=quoted(example.text, SHOWN_CHARS),
        ),
        speech=tr("remove.done.speech"),
        data={"removed": [number]},
    )


@command(
    "undo",
    "Take back the last `train` or `select_dataset FOLDER true/false` of the active dataset.",
    permission="train",
    check=_can_undo,
)
async def undo(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    await app.jobs.settled(request.guild_id)
    dataset, last = _last_addition(app, request)
    if isinstance(last, FolderChange):
        return _undo_folder(app, dataset, last)
    app.store.remove_examples(dataset, [e.id for e in last])
    shown = "; ".join(_line(e) for e in last[:5]) + (" …" if len(last) > 5 else "")
    return Reply(
        text=tr_count(
            "undo.done",
            len(last),
            name=dataset.name,
            counts=label_counts([e.label for e in last]),
            shown=shown,
        ),
        speech=tr_count("undo.done.speech", len(last)),
        data={"removed": [e.id for e in last]},
    )


def _undo_folder(app: Assistant, dataset: Dataset, change: FolderChange) -> Reply:
    """The folder goes, and the folders it replaced come back (or the dataset it started
    goes too); the reply lists the folders the dataset reads now."""
    now = app.store.undo_folder_change(dataset, change)
    fields = {"folder": change.folder, "name": dataset.name, "label": change.label}
    if now is None:
        text = tr("undo.folder.removed", **fields)
    else:
        text = "\n".join([tr("undo.folder", **fields), *folder_lines(now)])
    return Reply(
        text=text,
        speech=tr("undo.folder.speech", folder=change.folder),
        data={"folder": change.folder, "dataset": None if now is None else now.name},
    )


@command(
    "export",
    "Send every example of the active dataset as a CSV or JSONL file.",
    Param("format", "str", "csv (default) or jsonl", choices=("csv", "jsonl")),
)
async def export(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    dataset = active_dataset(app, request.guild_id)
    kind = (options["format"] or "csv").lower()
    rows = await asyncio.to_thread(training_set, app, dataset)
    if not rows:  # a file of a header alone, "0 examples ()"
        raise BadInput(tr("export.empty", name=dataset.name))
    if kind == "jsonl":
        body = "".join(
            json.dumps({"text": e.text, "label": e.label}, ensure_ascii=False) + "\n" for e in rows
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["text", "label"])
        writer.writerows([exported(e.text), exported(e.label)] for e in rows)
        body = buffer.getvalue()
    data = body.encode("utf-8")
    limit = app.config.limits.send_file_bytes
    if len(data) > limit:
        size = tr_count("number.bytes", len(data))
        raise BadInput(tr("export.too_big", size=size, limit=tr_count("number.bytes", limit)))
    name = f"{dataset.name}.{kind}"
    return Reply(
        text=tr_count(
            "export.done",
            len(rows),
            name=dataset.name,
            counts=label_counts([e.label for e in rows]),
            file=name,
        ),
        speech=tr("export.done.speech"),
        files=[ReplyFile(name, data=data)],
        kind="file",
        data={"dataset": dataset.name, "examples": len(rows), "file": name},
    )
