"""Turn attachments, files and folders into labelled examples, within the configured limits.

Formats and the label rule (the README's "Where labels come from" shows the same examples):
- `.txt` attachment or file named with `file:`: one example per line, labelled by the request
  (`positive` unless `false` is given);
- `.csv` with a `text` column and an optional `label` column, and `.jsonl` with `text` and
  optional `label` fields: one example per row; a row without a label gets the request's label;
- a folder or a `.zip`: every `.txt` inside is ONE example (the whole file). Its label is the
  name of the sub-folder it sits in (`reviews/negative/1.txt` -> negative); files at the top
  get the request's label. `.csv`/`.jsonl` inside are read as above. A request that says
  `positive=true/false` labels every `.txt` that way instead of by sub-folder.

Reading stops as soon as a limit is crossed (examples per upload, labels, characters per
example, expanded bytes), so a hostile file never costs more than the limit.
"""

from __future__ import annotations

import csv
import io
import json
import re
import stat
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .config import Limits
from .errors import BadInput, LimitExceeded
from .i18n import number_text, tr
from .markup import code, escaped, visible
from .sandbox import DataRoot
from .text_files import csv_records, csv_rows, decode_text, lines_of
from .training.base import Example
from .userjson import loads

POSITIVE, NEGATIVE = "positive", "negative"
ARCHIVE_FOLDER = "archives"
"""Where `archive` writes, inside the data root; not a dataset."""
TEXT_TYPES = (".txt", ".csv", ".jsonl")
ACCEPTED_TYPES = (*TEXT_TYPES, ".zip")
MAX_LABEL_CHARS = 100
"""The longest label a dataset may have; a single longer word is no label (`correct`)."""
EXAMPLE_KEEPS = "\t\n"
"""The only invisible characters an example keeps: a NUL, a right-to-left override or a stray
control character copied in with it is dropped (`markup.visible`); its tabs and lines stay."""


MARKUP = re.compile(r"`|\|\||\]\(")
"""What no label may hold: a backtick, a spoiler's bars, a masked link's `](`."""


def label_for(positive: bool) -> str:
    return POSITIVE if positive else NEGATIVE


def normalize_label(raw: object) -> str:
    label = str(raw).strip().lower()
    if not label:
        raise BadInput(tr("label.empty"))
    if len(label) > MAX_LABEL_CHARS:
        raise BadInput(tr("label.too_long", count=number_text(len(label)), limit=MAX_LABEL_CHARS))
    if not label.strip(".") or MARKUP.search(label) or visible(label) != label:
        # ".." (a zip member's "../" folder), a right-to-left override, a backtick that
        # breaks the code span a reply shows a label in; and Discord's markup, since counts
        # show labels as plain words: `||` hid the reply up to the next, `[a](https://...)`
        # was a link whose words hid where it went
        raise BadInput(tr("label.bad", label=escaped(label, also="`")))
    return label


def suffix(name: str) -> str:
    return PurePosixPath(name.lower()).suffix


@dataclass
class Batch:
    """Examples read for one request, with where each label was first seen."""

    limits: Limits
    rows: list[Example] = field(default_factory=list)
    sources: dict[str, dict[str, None]] = field(default_factory=dict)
    """Label -> every place its examples came from, in order, e.g. "folder notes/ in
    reviews.zip" (two files can add one label); the first is announced if the label is new."""

    def add(self, text: str, label: str, origin: str, where: str | None = None) -> None:
        """`origin`: where the label came from ("the `label` column of `x.csv`"); `where`:
        where the example is, when that differs (`x.csv`)."""
        body = visible(text, keep=EXAMPLE_KEEPS).strip()
        if not body:
            return
        limits = self.limits
        where = where or origin
        if len(body) > limits.example_chars:
            raise LimitExceeded(
                tr(
                    "upload.example_too_long",
                    origin=where,
                    count=number_text(len(body)),
                    limit=number_text(limits.example_chars),
                )
            )
        if len(self.rows) >= limits.upload_examples:
            raise LimitExceeded(
                tr("upload.too_many", limit=number_text(limits.upload_examples), origin=where)
            )
        if label not in self.sources and len(self.sources) >= limits.dataset_labels:
            raise LimitExceeded(
                tr(
                    "upload.too_many_labels",
                    origin=origin,
                    limit=number_text(limits.dataset_labels),
                )
            )
        self.sources.setdefault(label, {})[origin] = None
        self.rows.append(Example(body, label))


def _from_lines(batch: Batch, text: str, name: str, label: str) -> None:
    for line in lines_of(text):
        batch.add(line, label, code(name))


def _from_csv(batch: Batch, text: str, name: str, default_label: str) -> None:
    reader = csv_rows(text)
    try:
        fieldnames = reader.fieldnames or []
        columns = {c.strip().lower(): c for c in fieldnames}
        if "text" not in columns:
            found = ", ".join(fieldnames) or tr("examples.none")
            raise BadInput(tr("upload.no_text_column", name=name, columns=found))
        for row in csv_records(reader, name):
            raw = row.get(columns["label"]) if "label" in columns else None
            if raw:
                text = row.get(columns["text"]) or ""
                batch.add(text, normalize_label(raw), _column(name), code(name))
            else:
                batch.add(row.get(columns["text"]) or "", default_label, code(name))
    except csv.Error as exc:
        raise BadInput(tr("test.bad_csv", name=name, reason=exc)) from None


def _column(name: str) -> str:
    return tr("origin.column", name=name)


def _from_jsonl(batch: Batch, text: str, name: str, default_label: str) -> None:
    for number, line in enumerate(lines_of(text), start=1):
        if not line.strip():
            continue
        try:
            item = loads(line, tr("test.file_line", name=name, number=number))
        except json.JSONDecodeError as exc:
            raise BadInput(
                tr(
                    "upload.bad_json_line",
                    name=name,
                    number=number,
                    reason=exc.msg.removesuffix(" at"),  # "Invalid control character at"
                    column=exc.colno,
                )
            ) from None
        if not isinstance(item, dict) or not str(item.get("text", "")).strip():
            raise BadInput(tr("upload.no_text_field", name=name, number=number))
        if item.get("label") is not None:
            label = normalize_label(item["label"])
            batch.add(str(item["text"]), label, _column(name), code(name))
        else:
            batch.add(str(item["text"]), default_label, code(name))


def parse_text_file(batch: Batch, data: bytes, name: str, default_label: str) -> None:
    """Examples from one `.txt` (a line each), `.csv` or `.jsonl` file's bytes."""
    kind = suffix(name)
    text = decode_text(data, name)
    if kind == ".csv":
        _from_csv(batch, text, name, default_label)
    elif kind == ".jsonl":
        _from_jsonl(batch, text, name, default_label)
    else:
        _from_lines(batch, text, name, default_label)


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
            continue  # images, nested zips, macOS's metadata: skipped, never extracted
        if member.file_size > budget:
            raise LimitExceeded(_zip_too_big(name, limits))
        content = _read_member(archive, member, name, budget)
        budget -= len(content)
        if budget < 0:
            raise LimitExceeded(_zip_too_big(name, limits))
        parent = PurePosixPath(member.filename).parent.name
        if kind == ".txt":
            body = decode_text(content, member.filename)
            where = code(name)
            _one_file_example(batch, body, parent, label, default, where)
        else:
            parse_text_file(batch, content, member.filename, label or default)


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
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:  # bad CRC, lying sizes
        raise BadInput(tr("upload.damaged", where=where, reason=exc)) from None
    except NotImplementedError as exc:  # a compression method zipfile cannot read
        raise BadInput(tr("upload.compression", where=where, reason=exc)) from None
    except RuntimeError as exc:  # encrypted without the flag we check above
        raise BadInput(tr("upload.unreadable", where=where, reason=exc)) from None


def _zip_too_big(name: str, limits: Limits) -> str:
    return tr("upload.zip_too_big", name=name, limit=number_text(limits.zip_expanded_bytes))


def parse_attachment(batch: Batch, data: bytes, name: str, label: str | None, default: str) -> None:
    """An attachment (or a file named with `file:`): `.txt` is one example per line."""
    limits = batch.limits
    if len(data) > limits.attachment_bytes:
        raise LimitExceeded(
            tr(
                "upload.too_big",
                name=name,
                size=number_text(len(data)),
                limit=number_text(limits.attachment_bytes),
            )
        )
    kind = suffix(name)
    if kind not in ACCEPTED_TYPES:
        raise BadInput(tr("upload.bad_type", name=name, kind=kind or tr("examples.none")))
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
                size=number_text(size),
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
            continue
        budget -= path.stat().st_size
        if budget < 0:
            raise LimitExceeded(
                tr(
                    "upload.folder_too_big",
                    folder=top,
                    limit=number_text(limits.zip_expanded_bytes),
                )
            )
        name = root.relative(path)  # a folder's sub-folders each have their `1.txt`
        if kind == ".txt":
            parent = "" if path.parent == folder else path.parent.name
            body = decode_text(path.read_bytes(), name)
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
