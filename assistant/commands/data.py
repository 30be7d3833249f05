"""Datasets: choose the active dataset or make a new one (files and archives: files.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..batch import Batch, label_for
from ..datasets import ARCHIVE_FOLDER, folder_examples
from ..errors import BadInput, NotFound, PathRefused, UserError
from ..i18n import tr, tr_count
from ..label_conflicts import conflicts_note
from ..markup import MENTIONS_AND_MARKS, bold, marked_up
from ..messages import Reply, Request
from ..names import dataset_name
from ..reports import folder_lines, label_counts
from ..sandbox import same_name
from ..storage.records import Dataset
from .polite import strip_polite
from .quoted_text import tokenize
from .registry import Command, Param, command
from .targets import PathKind, whole_line_path

if TYPE_CHECKING:
    from ..app import Assistant


def _list_datasets(app: Assistant, guild_id: str) -> Reply:
    active = app.store.active_dataset(guild_id)
    names = app.speakable_lists(guild_id)["dataset"]
    if not names:
        return Reply(
            text=tr("datasets.none"),
            speech=tr("datasets.none.speech"),
            data={"datasets": []},
        )
    active_mark = " " + tr("datasets.active_mark")
    lines = [f"- {bold(n)}" + (active_mark if active and n == active.name else "") for n in names]
    return Reply(
        text=f"**{tr('datasets.title')}**\n" + "\n".join(lines) + "\n\n" + tr("datasets.hint"),
        speech=tr("datasets.speech", count=len(names), names=", ".join(names[:5])),
        data={"datasets": names, "active": active.name if active else None},
    )


@command(
    "select_dataset",
    "Choose the active dataset (a folder in the data folder), or list them.",
    Param("dir", "str", "Folder inside the data folder", words=True),
    Param("positive", "bool", "Use the folder as the positive (true) or negative (false) examples"),
    permission="select_dataset",
    aliases=("dataset", "use"),
)
async def select_dataset(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    if not strip_polite(options["dir"] or "").strip():
        return _list_datasets(app, request.guild_id)
    name, note = options["dir"], ""
    if request.options is None:  # typed: unquoted words may be one name, as getfile takes them
        name, note = whole_line_path(name, app.root, "select_dataset", "folder")
    reply = await _select(app, request.guild_id, name, options["positive"])
    if note:
        reply.text += f"\n{note}"
    return reply


WHOLE_LINE_NAMES: dict[str, tuple[str, PathKind]] = {
    "archive": ("dir", "folder"),
    "getfile": ("path", "file"),
}
"""Commands whose whole line is one path of the data root (`whole_line_path`): the option
and the kind of path it names."""


def _names_a_path(app: Assistant, words: object, command: Command, kind: PathKind) -> bool:
    """Several typed words name something in the data root, or a path it refuses (out of the
    root, said so when it runs): "archive the dataset kaggle tweets" names nothing there, and
    may be the sentence it says."""
    if not isinstance(words, str) or len(words.split()) < 2:
        return True
    try:
        name, _note = whole_line_path(words, app.root, command.name, kind)
        app.root.resolve(name)
    except NotFound:
        return False
    except UserError:
        return True
    return True


def names_something(app: Assistant, guild_id: str, command: Command, typed: dict[str, Any]) -> bool:
    """Whether the words of each `words` option of a typed command (`select_dataset movie
    reviews`) name a folder of the data root or a dataset, when there are several: words that
    name nothing are no name, and the line may be the sentence it says ("use dataset linkout",
    "use the dataset reviewz")."""
    whole = WHOLE_LINE_NAMES.get(command.name)
    if whole is not None and not _names_a_path(app, typed.get(whole[0]), command, whole[1]):
        return False
    for param in command.params:
        words = typed.get(param.name)
        if not param.words or not isinstance(words, str) or len(words.split()) < 2:
            continue
        try:
            name, note = whole_line_path(words, app.root, command.name, "folder")
        except UserError:  # a path out of the root: the command refuses it, saying so
            continue
        if not note and app.store.dataset_named(guild_id, name) is None:
            return False
    return True


async def _select(app: Assistant, guild_id: str, name: str, positive: bool | None) -> Reply:
    stored = app.store.dataset_named(guild_id, name)
    if stored is not None and positive is None and _by_name(app, stored):
        return _select_stored(app, guild_id, stored)
    return await _select_folder(app, guild_id, name, positive)


def _is_folder_dataset(dataset: Dataset) -> bool:
    """A dataset made by `select_dataset <folder>` has its folder's name: selecting it by that
    name reads the folder again (the reply counts its files, a broken file is found now). Any
    other stored dataset, made with `create_dataset` or given folders with `select_dataset
    <folder> true/false`, is selected by its name whatever folders it has: its name is what
    `select_dataset` lists, and a folder of that name is no part of it."""
    return any(folder == dataset.name for folder, _ in dataset.folders)


def _by_name(app: Assistant, stored: Dataset) -> bool:
    """Selected as it is stored, rather than by reading its folder: any dataset that is not a
    folder's own, and a folder dataset whose folder was deleted (its added examples and
    models remain)."""
    return not _is_folder_dataset(stored) or not _folder_exists(app, stored.name)


def _folder_exists(app: Assistant, name: str) -> bool:
    try:
        return app.root.resolve(name, must_exist=False).is_dir()
    except UserError:  # a name that would leave the root: not a folder of it
        return False


def _select_stored(app: Assistant, guild_id: str, stored: Dataset) -> Reply:
    """Make a stored dataset active as it is: its added examples and the folders it reads."""
    dataset = app.store.select_dataset(guild_id, stored.name)
    n = app.store.count_examples(dataset)
    lines = [tr_count("select.stored", n, name=dataset.name), *folder_lines(dataset)]
    return Reply(
        text="\n".join(lines),
        speech=tr("select.speech", name=dataset.name),
        data={"dataset": dataset.name, "folder": None, "label": None, "examples": n},
    )


async def _select_folder(app: Assistant, guild_id: str, path: str, positive: bool | None) -> Reply:
    """A folder of the data root as a dataset of its own, or (with `positive`) as one label of
    the active dataset."""
    folder = app.root.folder(path)
    rel = app.root.relative(folder)
    if rel == ".":
        raise PathRefused(tr("select.root_refused"))
    refuse_archives(app, folder, "select.archives")
    # Selected again by its name, a folder dataset keeps the label it was given ("true").
    label = _kept_label(app, guild_id, rel) if positive is None else label_for(positive)
    if label is None:
        _refuse_label_folder(app, folder, rel)
    current = app.store.active_dataset(guild_id) if positive is not None else None
    name = current.name if current else rel  # the dataset the folder is, or is joined to
    if marked_up(
        name, MENTIONS_AND_MARKS
    ):  # as a label cannot: every reply would show its markup as Discord's
        raise BadInput(tr("select.markup_name", folder=rel))
    # Read (and so check) the folder before anything is written: a failure switches nothing.
    batch = await asyncio.to_thread(folder_examples, app.root, folder, label, app.config.limits)
    rows = batch.rows
    if positive is None:
        dataset = app.store.select_dataset(guild_id, rel, rel, label)
    else:
        dataset = app.store.join_folder(guild_id, name, rel, label)  # `undo` takes it back
    counts = label_counts([r.label for r in rows]) or tr("select.no_examples")
    role = tr("select.role", label=label) if label else ""
    chosen = tr("select.folder", name=dataset.name, folder=rel, role=role, counts=counts)
    loose = [tr("select.top_files", folder=rel)] if label is None and _top_files(batch, rel) else []
    return Reply(
        text="\n".join(
            [
                chosen,
                *loose,
                *batch.notes(tr("upload.read_as.resave")),
                *conflicts_note(rows),
                *_trained_too(app, dataset, rel),
            ]
        ),
        speech=tr_count("select.folder.speech", len(rows), name=dataset.name),
        data={"dataset": dataset.name, "folder": rel, "label": label, "examples": len(rows)},
    )


def _top_files(batch: Batch, rel: str) -> bool:
    """Some files directly in the folder `rel`, in no label folder, were read (as positive)."""
    return tr("origin.folder", folder=rel) in batch.sources.get(label_for(True), {})


def is_label_folder(app: Assistant, folder: Path) -> bool:
    """A folder with files and no folders of its own, inside a folder of the data root: a
    label folder of a dataset (`reviews/negative`), its name the label of its files."""
    if folder.parent == app.root.root or any(entry.is_dir() for entry in _entries(folder)):
        return False
    return any(entry.is_file() for entry in _entries(folder))


def _refuse_label_folder(app: Assistant, folder: Path, rel: str) -> None:
    """A label folder read as a dataset would give every file of it the label `positive`.
    Refused, naming the dataset and how to give the label."""
    if is_label_folder(app, folder):
        dataset = app.root.relative(folder.parent)
        raise BadInput(tr("select.label_folder", folder=rel, label=folder.name, dataset=dataset))


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []  # unreadable: reading the folder reports it


def _trained_too(app: Assistant, dataset: Dataset, rel: str) -> list[str]:
    """What else the dataset trains on besides the folder `rel` just read: its other folders
    and its added examples, as `status` shows them."""
    others = tuple(f for f in dataset.folders if f[0] != rel)
    lines = folder_lines(dataclasses.replace(dataset, folders=others))
    added = app.store.count_examples(dataset)
    return lines + ([tr_count("select.added", added)] if added else [])


def refuse_archives(app: Assistant, folder: Path, reason: str) -> None:
    """The archives folder (or one in it) holds zips, which no folder dataset reads and no
    archive holds: refused with the message `reason`."""
    archives = app.root.root / ARCHIVE_FOLDER
    if folder == archives or archives in folder.parents:
        raise PathRefused(tr(reason, folder=ARCHIVE_FOLDER))


def _kept_label(app: Assistant, guild_id: str, rel: str) -> str | None:
    """The label the folder dataset `rel` gives its folder, if it exists and gives one."""
    stored = app.store.dataset(guild_id, rel)
    return (
        next((label for folder, label in stored.folders if folder == rel), None) if stored else None
    )


@command(
    "create_dataset",
    "Start a new, empty dataset and make it active (add examples with `train`).",
    Param("name", "str", "Name of the new dataset (one word)", required=True, words=True),
    permission="select_dataset",
)
async def create_dataset(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    name = _one_word(options["name"])
    if app.store.dataset(request.guild_id, name) is not None:
        raise BadInput(tr("create.exists", name=name))
    if same_name(name) == same_name(ARCHIVE_FOLDER):  # `select_dataset` refuses that folder
        raise BadInput(tr("create.archives", name=name))
    on_disk = app.root.root / name
    if app.root.leads_out(on_disk):  # not a folder `select_dataset` would take, as is_folder says
        raise BadInput(tr("create.link_out", name=name))
    if on_disk.is_dir():
        raise BadInput(tr("create.is_folder", name=name))
    if os.path.lexists(on_disk):  # a file, or a link that loops or leads nowhere
        raise BadInput(tr("create.is_taken", name=name))
    _refuse_alike(app, request.guild_id, name)
    dataset = app.store.select_dataset(request.guild_id, name)
    return Reply(
        text=tr("create.done", name=dataset.name),
        speech=tr("create.done.speech", name=dataset.name),
        data={"dataset": dataset.name},
    )


def _refuse_alike(app: Assistant, guild_id: str, name: str) -> None:
    """A name that differs from a dataset's or from a name in the data folder only in case
    (`Reviews` beside the folder `reviews`) would make a second thing that reads as the first,
    and `select_dataset Reviews`, which takes the folder in any case, would find the new
    dataset instead: refused, naming the one there is."""
    for dataset in app.store.datasets(guild_id):
        if same_name(dataset.name) == same_name(name):
            raise BadInput(tr("create.exists", name=dataset.name))
    alike = app.root.named_alike(name)
    if alike is not None:
        on_disk = app.root.root / alike
        if app.root.leads_out(on_disk):
            raise BadInput(tr("create.link_out", name=alike))
        raise BadInput(
            tr("create.is_folder" if on_disk.is_dir() else "create.is_taken", name=alike)
        )


def _one_word(written: str) -> str:
    """The name `create_dataset` was given, or the refusal: a dataset's name is one word (it is
    typed in every `select_dataset`, `test <dataset>` and spoken request), with or without
    quotes. Typed, the option holds every word after the command (quotes kept), so that `my
    data` is told so, not "too many arguments"."""
    words = [word for token in tokenize(written) for word in token.value.split()]
    joined = dataset_name("-".join(words))  # refused here when no name can be made of them
    if len(words) == 1:
        return joined
    raise BadInput(tr("create.one_word", name=joined))
