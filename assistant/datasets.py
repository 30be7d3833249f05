"""Turn attachments, files and folders into labelled examples, within the configured limits.

Formats and the label rule (the README's "Where labels come from" shows the same examples):
- `.txt` attachment or file named with `file:`: one example per line, labelled by the request
  (`positive` unless `false` is given);
- `.csv`/`.tsv` with a column of texts (`text`, `review`, ...) and an optional one of labels,
  `.jsonl` (a row a line) and `.json` (a list of rows) with `text` and optional `label` fields:
  one example per row; a row without a label gets the request's label (file_rows.py);
- a folder or a `.zip`: every `.txt` inside is ONE example (the whole file). Its label is the
  name of the sub-folder it sits in (`reviews/negative/1.txt` -> negative); files at the top
  get the request's label. `.csv`, `.tsv` and `.jsonl` inside are read as above (a `.json`
  there is skipped: metadata as often as rows). A request that says `positive=true/false`
  labels every `.txt` that way instead of by sub-folder.

Reading stops as soon as a limit is crossed (examples per upload, labels, characters per
example, expanded bytes), so a hostile file never costs more than the limit.
"""

from __future__ import annotations

import io
import logging
import lzma
import stat
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from .batch import POSITIVE, Batch, normalize_label, refuse_spreadsheet, suffix
from .config import Limits
from .errors import BadInput, LimitExceeded
from .file_rows import parse_text_file
from .i18n import number_text, tr, tr_count
from .markup import code
from .sandbox import DataRoot
from .training.base import Example

log = logging.getLogger(__name__)

METHODS = {6: "implode", 9: "deflate64", 93: "zstd", 95: "xz", 98: "ppmd", 99: "aes"}
"""The names of compression methods found in zips that zipfile does not read (Windows
Explorer writes deflate64 past 2 GB, 7-Zip and WinZip the others); another is its number."""
ARCHIVE_FOLDER = "archives"
"""Where `archive` writes, inside the data root; not a dataset."""
TEXT_TYPES = (".txt", ".csv", ".tsv", ".jsonl")
"""The files a folder or a zip is read from; others in it (images, a `dataset_info.json` beside
the data) are skipped."""
ACCEPTED_TYPES = (*TEXT_TYPES, ".json", ".zip")
ARCHIVES = (".zip", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz")
"""Archives found inside a zip or a folder: never opened, but named in the reply (`Batch`)."""
"""The files `train` takes attached or named with `file:`."""


def _one_file_example(
    batch: Batch, body: str, parent: str, label: str | None, default: str, where: str
) -> None:
    """A `.txt` inside a folder or zip: one example, labelled by its sub-folder."""
    if label is not None:
        batch.add(body, label, where)
    elif parent:
        batch.add(body, normalize_label(parent), tr("origin.folder_in", folder=parent, where=where))
    else:
        batch.add(body, default, where)


def parse_zip(batch: Batch, data: bytes, name: str, label: str | None, default: str) -> None:
    """Examples from a zip of text files. Sizes are checked as read: declared sizes can lie."""
    limits = batch.limits
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BadInput(tr("upload.bad_zip", name=name)) from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > limits.zip_files:
        raise LimitExceeded(
            tr(
                "upload.zip_files",
                name=name,
                count=number_text(len(members)),
                limit=number_text(limits.zip_files),
            )
        )
    for member in members:
        _check_member(member, name)
    budget = limits.zip_expanded_bytes
    for member in members:
        kind = suffix(member.filename)
        if kind not in TEXT_TYPES or mac_metadata(member.filename):
            _skipped(batch, kind, member.filename)
            continue  # images, nested zips, macOS's metadata: skipped, never extracted
        if member.file_size > budget:
            raise LimitExceeded(_zip_too_big(name, limits))
        content = _read_member(archive, member, name, budget)
        budget -= len(content)
        if budget < 0:
            raise LimitExceeded(_zip_too_big(name, limits))
        parent = PurePosixPath(member.filename).parent.name
        if kind == ".txt":
            body = batch.decode(content, member.filename)
            where = code(name)
            _one_file_example(batch, body, parent, label, default, where)
        else:
            parse_text_file(batch, content, member.filename, label or default)


def _skipped(batch: Batch, kind: str, path: str) -> None:
    """A file of a zip or a folder that is not read: an archive is noted (`Batch.archives`),
    as its examples would be missed unsaid."""
    if kind in ARCHIVES and not mac_metadata(path):
        batch.archives[path] = None


def mac_metadata(path: str) -> bool:
    """macOS's own files beside the user's: a zip made by its Compress holds an AppleDouble
    `._NAME` (extended attributes, binary) for each file under `__MACOSX/`, and a folder
    copied from a Mac to a foreign disk holds `._NAME` files too."""
    parts = PurePosixPath(path).parts
    return "__MACOSX" in parts[:-1] or parts[-1].startswith("._")


def _check_member(member: zipfile.ZipInfo, name: str) -> None:
    """Refuse a zip whose member names leave its folder (`../x.txt`, `/etc/x.txt`) or that
    holds symbolic links: their folder would become a label `..`, a link's content is the
    path it points to, and unpacked elsewhere either could write outside."""
    path = PurePosixPath(member.filename.replace("\\", "/"))
    unsafe = (
        path.is_absolute() or ".." in path.parts or ":" in (path.parts[0] if path.parts else "")
    )
    link = stat.S_ISLNK(member.external_attr >> 16)
    if unsafe or link:
        where = tr("origin.member", member=member.filename, name=name)
        raise BadInput(tr("upload.unsafe_member", where=where))


def _read_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, budget: int
) -> bytes:
    """At most `budget + 1` bytes of one member; a damaged member is a clear refusal."""
    where = tr("origin.member", member=member.filename, name=name)
    if member.flag_bits & 0x1:
        raise BadInput(tr("upload.encrypted", where=where))
    try:
        with archive.open(member) as handle:
            return handle.read(budget + 1)
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError) as exc:
        # bad CRC, lying sizes: the library's words (English) are logged, ours are shown
        log.info("zip member %s of %s is damaged: %s", member.filename, name, exc)
        raise BadInput(tr("upload.damaged", where=where, reason=tr(_damage(exc)))) from None
    except NotImplementedError as exc:  # a compression method zipfile cannot read
        log.info("zip member %s of %s: %s", member.filename, name, exc)
        method = METHODS.get(member.compress_type, str(member.compress_type))
        raise BadInput(tr("upload.compression", where=where, method=method)) from None
    except RuntimeError as exc:  # encrypted without the flag we check above
        log.info("zip member %s of %s cannot be read: %s", member.filename, name, exc)
        raise BadInput(tr("upload.unreadable", where=where)) from None


def _damage(exc: Exception) -> str:
    """The message key saying, in the user's language, what is wrong with a damaged member."""
    if isinstance(exc, EOFError):  # the compressed data stops before the file's end
        return "upload.damaged.ended"
    if isinstance(exc, zipfile.BadZipFile):
        # "Bad CRC-32 for file …"; else its header ("Bad magic number", "Overlapped entries")
        return "upload.damaged.checksum" if "CRC" in str(exc) else "upload.damaged.header"
    return "upload.damaged.data"  # zlib's, lzma's, bz2's "invalid data"


def _zip_too_big(name: str, limits: Limits) -> str:
    limit = tr_count("number.bytes", limits.zip_expanded_bytes)
    return tr("upload.zip_too_big", name=name, limit=limit)


def parse_attachment(batch: Batch, data: bytes, name: str, label: str | None, default: str) -> None:
    """An attachment (or a file named with `file:`): `.txt` is one example per line."""
    limits = batch.limits
    if len(data) > limits.attachment_bytes:
        raise LimitExceeded(
            tr(
                "upload.too_big",
                name=name,
                size=tr_count("number.bytes", len(data)),
                limit=tr_count("number.bytes", limits.attachment_bytes),
            )
        )
    kind = suffix(name)
    refuse_spreadsheet(name)
    if kind not in ACCEPTED_TYPES:
        if not kind:  # "files of type `none`" read as if `none` were a type
            raise BadInput(tr("upload.no_type", name=name))
        raise BadInput(tr("upload.bad_type", name=name, kind=kind))
    if not data:
        raise BadInput(tr("upload.empty", name=name))
    if kind == ".zip":
        parse_zip(batch, data, name, label, default)
    else:
        parse_text_file(batch, data, name, label or default)


def read_file(batch: Batch, root: DataRoot, path: Path, label: str | None, default: str) -> None:
    """Examples from one file in the data root (same formats as attachments)."""
    limits = batch.limits
    size = path.stat().st_size
    if size > limits.attachment_bytes:
        raise LimitExceeded(
            tr(
                "upload.file_too_big",
                path=root.relative(path),
                size=tr_count("number.bytes", size),
                limit=number_text(limits.attachment_bytes),
            )
        )
    parse_attachment(batch, path.read_bytes(), root.relative(path), label, default)


def read_folder(
    batch: Batch, root: DataRoot, folder: Path, label: str | None, default: str = POSITIVE
) -> None:
    """Examples from a folder: each `.txt` file is one example; `.csv`/`.jsonl` add their rows.

    With `label` None, a `.txt` file's label is the name of the sub-folder it sits in below
    `folder` (`reviews/positive/1.txt` -> positive); files directly in `folder` get `default`.
    """
    limits = batch.limits
    budget = limits.zip_expanded_bytes
    top = root.relative(folder)
    for path in root.walk_files(folder):
        kind = suffix(path.name)
        if kind not in TEXT_TYPES or mac_metadata(path.name):
            _skipped(batch, kind, root.relative(path))
            continue
        budget -= path.stat().st_size
        if budget < 0:
            raise LimitExceeded(
                tr(
                    "upload.folder_too_big",
                    folder=top,
                    limit=tr_count("number.bytes", limits.zip_expanded_bytes),
                )
            )
        name = root.relative(path)  # a folder's sub-folders each have their `1.txt`
        if kind == ".txt":
            parent = "" if path.parent == folder else path.parent.name
            body = batch.decode(path.read_bytes(), name)
            _one_file_example(batch, body, parent, label, default, tr("origin.folder", folder=top))
        else:
            parse_text_file(batch, path.read_bytes(), name, label or default)


def folder_examples(root: DataRoot, folder: Path, label: str | None, limits: Limits) -> Batch:
    batch = Batch(limits)
    read_folder(batch, root, folder, label)
    return batch


def dedupe(rows: Iterable[Example], corrections: dict[str, str]) -> list[Example]:
    """Drop exact repeats; a corrected text keeps only its corrected label."""
    seen: set[Example] = set()
    result = []
    for row in rows:
        fixed = Example(row.text, corrections.get(row.text, row.label))
        if fixed not in seen:
            seen.add(fixed)
            result.append(fixed)
    for text, label in corrections.items():
        if Example(text, label) not in seen:
            seen.add(Example(text, label))
            result.append(Example(text, label))
    return result
