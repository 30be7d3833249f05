"""Files of the data folder: archive a folder into archives/, send a file."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import speakable
from ..datasets import ARCHIVE_FOLDER
from ..errors import BadInput, LimitExceeded, PathRefused
from ..i18n import number_text, tr, tr_count
from ..markup import code, visible
from ..messages import Reply, ReplyFile, Request
from .data import refuse_archives
from .polite import strip_polite
from .registry import Param, command
from .targets import FOLDER_PREFIX, whole_line_path

if TYPE_CHECKING:
    from ..app import Assistant

LISTED_NAMES = 10
"""Folders or files named when `archive` or `getfile` asks which one is meant."""


def _zip_folder(app: Assistant, folder: Path, stem: str) -> tuple[int, Path]:
    limits = app.config.limits
    archives = app.root.root / ARCHIVE_FOLDER
    files = [p for p in app.root.walk_files(folder) if archives not in p.resolve().parents]
    if not files:  # an empty zip would only be one more file to delete
        raise BadInput(tr("archive.empty", folder=app.root.relative(folder)))
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
            tr(
                "archive.too_big",
                size=tr_count("number.bytes", total),
                limit=tr_count("number.bytes", limits.archive_bytes),
            )
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
    name, note = whole_line_path(options["dir"], app.root, "archive", "folder", typed=request.typed)
    folder = app.root.folder(name)
    refuse_archives(app, folder, "archive.of_archives")  # no archive holds an archive
    rel = app.root.relative(folder)
    count, target = await asyncio.to_thread(_zip_folder, app, folder, _archive_stem(rel))
    size = target.stat().st_size
    archived = app.root.relative(target)
    files = (
        [ReplyFile(target.name, path=target)] if size <= app.config.limits.send_file_bytes else []
    )
    size_text = tr_count("number.bytes", size)
    done = tr_count("archive.done", count, folder=rel, name=archived, size=size_text)
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
    name, note = whole_line_path(options["path"], app.root, "getfile", "file", typed=request.typed)
    path = app.root.file(name)
    size = path.stat().st_size
    limit = app.config.limits.send_file_bytes
    if size > limit:
        raise LimitExceeded(
            tr(
                "getfile.too_big",
                path=name,
                size=tr_count("number.bytes", size),
                limit=number_text(limit),
            )
        )
    done = tr("getfile.done", path=app.root.relative(path), size=tr_count("number.bytes", size))
    return Reply(
        text="\n".join([done, *([note] if note else [])]),
        speech=tr("getfile.done.speech"),
        files=[ReplyFile(path.name, path=path)],
        kind="file",
        data={"path": app.root.relative(path), "bytes": size},
    )
