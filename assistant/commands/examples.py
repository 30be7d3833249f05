"""Look after a dataset's examples: list, relabel, remove, undo the last addition, export.

These act on the examples added with `train` (stored in the database). Examples read from a
folder of the data folder are that folder's files: edit the files to change them.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import TYPE_CHECKING, Any

from ..datasets import normalize_label
from ..errors import BadInput, NotFound
from ..messages import Reply, ReplyFile, Request
from ..reports import label_counts
from ..storage.records import StoredExample
from .model import active_dataset, training_set
from .registry import Param, command

if TYPE_CHECKING:
    from ..app import Assistant

PAGE = 20


def _line(example: StoredExample) -> str:
    text = " ".join(example.text.split())
    shown = text if len(text) <= 100 else text[:99] + "…"
    return f"#{example.id} **{example.label}**: {shown}"


def _example_id(raw: str) -> int:
    try:
        return int(raw.strip().lstrip("#"))
    except ValueError:
        raise BadInput(f"`{raw}` is not an example number; `examples` lists them (#12).") from None


@command(
    "examples",
    "List the active dataset's labels and its added examples with their numbers.",
    Param("page", "int", "Page of 20 examples (default 1)"),
)
async def examples(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    dataset = active_dataset(app, request.guild_id)
    page = max(1, options["page"] or 1)
    everything = await asyncio.to_thread(training_set, app, dataset)
    stored = app.store.stored_examples(dataset, offset=(page - 1) * PAGE, limit=PAGE)
    total = app.store.count_examples(dataset)
    pages = max(1, -(-total // PAGE))
    lines = [
        f"**{dataset.name}**: {len(everything):,} examples for training "
        f"({label_counts([e.label for e in everything]) or 'none'})."
    ]
    for folder, label in dataset.folders:
        lines.append(f"Folder `{folder}`" + (f" as **{label}**" if label else "") + ".")
    lines.append(f"Added examples, page {page} of {pages} ({total:,} in all):")
    lines += [_line(e) for e in stored] or ["(none on this page)"]
    lines.append(
        "`relabel #N LABEL` changes one, `remove #N` deletes one, `undo` removes the last "
        "addition, `export` sends them all."
    )
    return Reply(
        text="\n".join(lines),
        speech=f"{dataset.name} has {len(everything):,} examples.",
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
    app.jobs.check_idle(request.guild_id)
    dataset = active_dataset(app, request.guild_id)
    number = _example_id(options["example"])
    label = normalize_label(options["label"])
    example = app.store.stored_example(dataset, number)
    if example is None:
        raise NotFound(f"**{dataset.name}** has no added example #{number}; `examples` lists them.")
    if example.label == label:
        raise BadInput(f"Example #{number} is already **{label}**.")
    twins = [
        e for e in app.store.stored_examples(dataset) if e.text == example.text and e.label == label
    ]
    if twins:
        raise BadInput(
            f"Example #{twins[0].id} already has this text as **{label}**; "
            f"`remove #{number}` deletes the wrong one."
        )
    labels = {e.label for e in await asyncio.to_thread(training_set, app, dataset)} | {label}
    if len(labels) > app.config.limits.dataset_labels:
        raise BadInput(f"A dataset may have at most {app.config.limits.dataset_labels} labels.")
    app.store.relabel_example(dataset, number, label)
    return Reply(
        text=f"Example #{number} is now **{label}** (was {example.label}). `train` retrains.",
        speech=f"Relabelled as {label}.",
        data={"id": number, "label": label, "was": example.label},
    )


@command(
    "remove",
    "Delete an added example from the active dataset.",
    Param("example", "str", "Example number, as `examples` shows it (#12)", required=True),
    permission="train",
    aliases=("delete",),
)
async def remove(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    app.jobs.check_idle(request.guild_id)
    dataset = active_dataset(app, request.guild_id)
    number = _example_id(options["example"])
    example = app.store.stored_example(dataset, number)
    if example is None:
        raise NotFound(f"**{dataset.name}** has no added example #{number}; `examples` lists them.")
    app.store.remove_examples(dataset, [number])
    return Reply(
        text=f"Removed example #{number} (**{example.label}**: {example.text[:100]}). "
        "`train` retrains without it.",
        speech="Removed.",
        data={"removed": [number]},
    )


@command(
    "undo",
    "Remove the examples that the last `train` added to the active dataset.",
    permission="train",
)
async def undo(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    app.jobs.check_idle(request.guild_id)
    dataset = active_dataset(app, request.guild_id)
    last = app.store.last_addition(dataset)
    if not last:
        raise NotFound(f"**{dataset.name}** has no added examples to undo.")
    app.store.remove_examples(dataset, [e.id for e in last])
    shown = "; ".join(_line(e) for e in last[:5]) + (" …" if len(last) > 5 else "")
    return Reply(
        text=f"Removed the last addition to **{dataset.name}**: {len(last):,} "
        f"example{'' if len(last) == 1 else 's'} "
        f"({label_counts([e.label for e in last])}): {shown}. `train` retrains without them.",
        speech=f"Removed {len(last):,} examples.",
        data={"removed": [e.id for e in last]},
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
    if kind == "jsonl":
        body = "".join(
            json.dumps({"text": e.text, "label": e.label}, ensure_ascii=False) + "\n" for e in rows
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["text", "label"])
        writer.writerows([e.text, e.label] for e in rows)
        body = buffer.getvalue()
    data = body.encode("utf-8")
    limit = app.config.limits.send_file_bytes
    if len(data) > limit:
        raise BadInput(
            f"The export would be {len(data):,} bytes; I can send up to {limit:,}. "
            "`archive` the dataset's folder instead."
        )
    name = f"{dataset.name}.{kind}"
    return Reply(
        text=f"**{dataset.name}**: {len(rows):,} examples ({label_counts([e.label for e in rows])})"
        f" in `{name}`. It can be attached to `train` as it is.",
        speech="I've sent the examples in the text channel.",
        files=[ReplyFile(name, data=data)],
        data={"dataset": dataset.name, "examples": len(rows), "file": name},
    )
