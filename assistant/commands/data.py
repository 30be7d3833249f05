"""Datasets and files: choose the active dataset, archive a folder, fetch a file."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import speakable
from ..datasets import ARCHIVE_FOLDER, Batch, folder_examples, label_for
from ..errors import BadInput, LimitExceeded, NotFound, PathRefused, UserError
from ..i18n import number_text, tr, tr_count
from ..markup import code, visible
from ..messages import Reply, ReplyFile, Request
from ..names import dataset_name
from ..reports import folder_lines, label_counts
from ..storage.records import Dataset
from .arguments import strip_polite, tokenize
from .registry import Command, Param, command
from .targets import FILE_PREFIX, FOLDER_PREFIX, whole_line_path

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
    lines = [f"- **{n}**" + (active_mark if active and n == active.name else "") for n in names]
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
        name, note = whole_line_path(name, app.root, "select_dataset", FOLDER_PREFIX)
    reply = await _select(app, request.guild_id, name, options["positive"])
    if note:
        reply.text += f"\n{note}"
    return reply


LISTED_NAMES = 10
"""Folders or files named when `archive` or `getfile` asks which one is meant."""
WHOLE_LINE_NAMES = {"archive": ("dir", FOLDER_PREFIX), "getfile": ("path", FILE_PREFIX)}
"""Commands whose whole line is one path of the data root (`whole_line_path`): the option
and the prefix that marks it."""


def _names_a_path(app: Assistant, words: object, command: Command, prefix: str) -> bool:
    """Several typed words name something in the data root, or a path it refuses (out of the
    root, said so when it runs): "archive the dataset kaggle tweets" names nothing there, and
    may be the sentence it says."""
    if not isinstance(words, str) or len(words.split()) < 2:
        return True
    try:
        name, _note = whole_line_path(words, app.root, command.name, prefix)
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
            name, note = whole_line_path(words, app.root, command.name, FOLDER_PREFIX)
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
    _refuse_archives(app, folder, "select.archives")
    # Selected again by its name, a folder dataset keeps the label it was given ("true").
    label = _kept_label(app, guild_id, rel) if positive is None else label_for(positive)
    if label is None:
        _refuse_label_folder(app, folder, rel)
    # Read (and so check) the folder before anything is written: a failure switches nothing.
    batch = await asyncio.to_thread(folder_examples, app.root, folder, label, app.config.limits)
    rows = batch.rows
    if positive is None:
        dataset = app.store.select_dataset(guild_id, rel, rel, label)
    else:
        current = app.store.active_dataset(guild_id)
        name = current.name if current else rel
        dataset = app.store.join_folder(guild_id, name, rel, label)  # `undo` takes it back
    counts = label_counts([r.label for r in rows]) or tr("select.no_examples")
    role = tr("select.role", label=label) if label else ""
    chosen = tr("select.folder", name=dataset.name, folder=rel, role=role, counts=counts)
    loose = [tr("select.top_files", folder=rel)] if label is None and _top_files(batch, rel) else []
    return Reply(
        text="\n".join([chosen, *loose, *_trained_too(app, dataset, rel)]),
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


def _refuse_archives(app: Assistant, folder: Path, reason: str) -> None:
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
    on_disk = app.root.root / name
    if app.root.leads_out(on_disk):  # not a folder `select_dataset` would take, as is_folder says
        raise BadInput(tr("create.link_out", name=name))
    if on_disk.is_dir():
        raise BadInput(tr("create.is_folder", name=name))
    if os.path.lexists(on_disk):  # a file, or a link that loops or leads nowhere
        raise BadInput(tr("create.is_taken", name=name))
    dataset = app.store.select_dataset(request.guild_id, name)
    return Reply(
        text=tr("create.done", name=dataset.name),
        speech=tr("create.done.speech", name=dataset.name),
        data={"dataset": dataset.name},
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


def _zip_folder(app: Assistant, folder: Path, stem: str) -> tuple[int, Path]:
    limits = app.config.limits
    archives = app.root.root / ARCHIVE_FOLDER
    files = [p for p in app.root.walk_files(folder) if archives not in p.resolve().parents]
    total = sum(p.stat().st_size for p in files)
    if len(files) > limits.archive_files:
        raise LimitExceeded(
            tr(
                "archive.too_many",
                count=number_text(len(files)),
                limit=number_text(limits.archive_files),
            )
        )
    if total > limits.archive_bytes:
        raise LimitExceeded(
            tr("archive.too_big", size=number_text(total), limit=number_text(limits.archive_bytes))
        )
    try:
        archives.mkdir(parents=True, exist_ok=True)
        handle, partial_name = tempfile.mkstemp(suffix=".partial", dir=archives)
    except OSError as exc:
        raise PathRefused(
            tr("archive.cannot_write", folder=ARCHIVE_FOLDER, reason=exc.strerror)
        ) from None
    partial = Path(partial_name)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in files:
                zf.write(path, path.relative_to(folder).as_posix())
        return len(files), _publish(partial, archives, stem, app.root.name_max)
    finally:
        partial.unlink(missing_ok=True)  # a crash or a full disk never leaves a partial archive


def _publish(partial: Path, archives: Path, stem: str, name_max: int) -> Path:
    """Give the finished archive its timestamped name without ever replacing another archive
    (two archives of one folder within a second get `-2`, `-3`...): a hard link fails if the
    name is taken, where a rename would silently overwrite. A folder's name as long as the file
    system allows is cut short to leave room for the timestamp."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = f"{_fitting(stem, name_max - len(f'-{stamp}-999.zip'))}-{stamp}"
    for number in range(1, 1000):
        target = archives / (f"{base}.zip" if number == 1 else f"{base}-{number}.zip")
        try:
            os.link(partial, target)
        except FileExistsError:
            continue
        return target
    raise LimitExceeded(tr("archive.too_fast"))


def _fitting(stem: str, limit: int) -> str:
    """`stem` cut to at most `limit` bytes of UTF-8, never inside a character."""
    return stem.encode("utf-8", "surrogatepass")[:limit].decode("utf-8", "ignore")


def _archive_stem(rel: str) -> str:
    """A file name from a folder path: invisible characters (a right-to-left override could
    make `evil‮piz.exe` look like `evilexe.zip`) become `_`."""
    if rel == ".":
        return "data"
    return visible(rel.replace("/", "-").replace("\\", "_"), instead="_")


@command(
    "archive",
    "Zip a folder of the data folder into archives/.",
    Param("dir", "text", "Folder inside the data folder (default: the active dataset's)"),
    permission="archive",
)
async def archive(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    if not strip_polite(options["dir"] or "").strip():
        # "zip it up", "archive the folder": the active dataset's folder is meant
        return await archive(app, request, {**options, "dir": _active_folder(app, request)})
    name, note = whole_line_path(
        options["dir"], app.root, "archive", FOLDER_PREFIX, typed=request.typed
    )
    folder = app.root.folder(name)
    _refuse_archives(app, folder, "archive.of_archives")  # no archive holds an archive
    rel = app.root.relative(folder)
    count, target = await asyncio.to_thread(_zip_folder, app, folder, _archive_stem(rel))
    size = target.stat().st_size
    archived = app.root.relative(target)
    files = (
        [ReplyFile(target.name, path=target)] if size <= app.config.limits.send_file_bytes else []
    )
    done = tr_count("archive.done", count, folder=rel, name=archived, size=number_text(size))
    if not files:
        done += " " + tr("archive.not_attached")
    return Reply(
        text="\n".join([done, *([note] if note else [])]),
        speech=tr_count("archive.done.speech", count),
        files=files,
        data={"archive": archived, "files": count, "bytes": size},
    )


def _active_folder(app: Assistant, request: Request) -> str:
    """The folder `archive` named with none zips: the active dataset's one folder; else the
    question which, naming the folders there are."""
    dataset = app.store.active_dataset(request.guild_id)
    folders = [folder for folder, _label in dataset.folders] if dataset is not None else []
    if len(folders) == 1:
        return f"{FOLDER_PREFIX}{folders[0]}"
    names = folders or speakable.folder_names(app.root)
    if not names:
        raise BadInput(tr("archive.no_folders"))
    listed = ", ".join(code(name) for name in names[:LISTED_NAMES])
    raise BadInput(tr("archive.which", folders=listed, example=names[0]))


@command(
    "getfile",
    "Send a file from the data folder.",
    Param("path", "text", "File inside the data folder"),
    permission="getfile",
)
async def getfile(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    if not strip_polite(options["path"] or "").strip():  # "send the file (pls)": which one?
        names = speakable.file_names(app.root, LISTED_NAMES)
        if not names:
            raise BadInput(tr("getfile.no_files"))
        listed = ", ".join(code(name) for name in names)
        raise BadInput(tr("getfile.which", files=listed, example=names[0]))
    # `file:NAME`, as `train` takes it, and a name with spaces typed without quotes
    name, note = whole_line_path(
        options["path"], app.root, "getfile", FILE_PREFIX, typed=request.typed
    )
    path = app.root.file(name)
    size = path.stat().st_size
    limit = app.config.limits.send_file_bytes
    if size > limit:
        raise LimitExceeded(
            tr("getfile.too_big", path=name, size=number_text(size), limit=number_text(limit))
        )
    done = tr_count("getfile.done", size, path=app.root.relative(path))
    return Reply(
        text="\n".join([done, *([note] if note else [])]),
        speech=tr("getfile.done.speech"),
        files=[ReplyFile(path.name, path=path)],
        kind="file",
        data={"path": app.root.relative(path), "bytes": size},
    )
