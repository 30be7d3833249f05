"""Turn attachments, files and folders into labelled examples, within the configured limits.

Formats: `.txt` (an attachment or file: one example per line; inside a folder: one example per
file), `.csv` and `.jsonl` with `text` and `label` columns (multi-class), and `.zip` of those.
A folder's labels come from the caller, or from its layout: `<folder>/<label>/*.txt`.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from .config import Limits
from .errors import BadInput, LimitExceeded
from .sandbox import DataRoot
from .training.base import Example

POSITIVE, NEGATIVE = "positive", "negative"
ARCHIVE_FOLDER = "archives"
"""Where `archive` writes, inside the data root; not a dataset."""
TEXT_TYPES = (".txt", ".csv", ".jsonl")
ACCEPTED_TYPES = (*TEXT_TYPES, ".zip")


def label_for(positive: bool) -> str:
    return POSITIVE if positive else NEGATIVE


def normalise_label(raw: object) -> str:
    label = str(raw).strip().lower()
    if not label:
        raise BadInput("A label is empty; every example needs a label such as `positive`.")
    return label


def suffix(name: str) -> str:
    return PurePosixPath(name.lower()).suffix


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"`{name}` is not UTF-8 text.") from None


def _from_lines(text: str, label: str) -> list[Example]:
    return [Example(line.strip(), label) for line in text.splitlines() if line.strip()]


def _from_csv(text: str, name: str, default_label: str) -> list[Example]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower(): c for c in reader.fieldnames or []}
    if "text" not in columns:
        found = ", ".join(reader.fieldnames or []) or "none"
        raise BadInput(f"`{name}` needs a `text` column (and usually `label`); columns: {found}.")
    rows = []
    for row in reader:
        body = (row.get(columns["text"]) or "").strip()
        if body:
            raw = row.get(columns["label"]) if "label" in columns else None
            rows.append(Example(body, normalise_label(raw) if raw else default_label))
    return rows


def _from_jsonl(text: str, name: str, default_label: str) -> list[Example]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"`{name}` line {number} is not valid JSON: {exc.msg}.") from None
        if not isinstance(item, dict) or not str(item.get("text", "")).strip():
            raise BadInput(f"`{name}` line {number} needs an object with a `text` field.")
        label = normalise_label(item["label"]) if item.get("label") is not None else default_label
        rows.append(Example(str(item["text"]).strip(), label))
    return rows


def parse_text_file(data: bytes, name: str, default_label: str) -> list[Example]:
    """Examples from one `.txt`, `.csv` or `.jsonl` file's bytes."""
    kind = suffix(name)
    text = _decode(data, name)
    if kind == ".csv":
        return _from_csv(text, name, default_label)
    if kind == ".jsonl":
        return _from_jsonl(text, name, default_label)
    return _from_lines(text, default_label)


def parse_zip(data: bytes, name: str, default_label: str, limits: Limits) -> list[Example]:
    """Examples from a zip of text files. Sizes are checked as read: declared sizes can lie."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BadInput(f"`{name}` is not a valid zip file.") from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > limits.zip_files:
        raise LimitExceeded(
            f"`{name}` has {len(members):,} files; the limit is {limits.zip_files:,}."
        )
    budget = limits.zip_expanded_bytes
    rows: list[Example] = []
    for member in members:
        kind = suffix(member.filename)
        if kind not in TEXT_TYPES:
            continue  # images, nested zips, __MACOSX junk: skipped, never extracted
        if member.file_size > budget:
            raise LimitExceeded(_zip_too_big(name, limits))
        with archive.open(member) as handle:
            content = handle.read(budget + 1)
        budget -= len(content)
        if budget < 0:
            raise LimitExceeded(_zip_too_big(name, limits))
        # inside a zip, a .txt in a folder is one example with the folder's name as its label
        parent = PurePosixPath(member.filename).parent.name
        if kind == ".txt" and parent:
            body = _decode(content, member.filename).strip()
            if body:
                rows.append(Example(body, normalise_label(parent)))
        else:
            rows.extend(parse_text_file(content, member.filename, default_label))
    return rows


def _zip_too_big(name: str, limits: Limits) -> str:
    return f"`{name}` expands past the limit of {limits.zip_expanded_bytes:,} bytes."


def parse_attachment(data: bytes, name: str, default_label: str, limits: Limits) -> list[Example]:
    if len(data) > limits.attachment_bytes:
        raise LimitExceeded(
            f"`{name}` is {len(data):,} bytes; attachments may be at most "
            f"{limits.attachment_bytes:,} bytes."
        )
    kind = suffix(name)
    if kind not in ACCEPTED_TYPES:
        raise BadInput(
            f"`{name}`: files of type `{kind or 'none'}` are not accepted; "
            "send .txt, .csv, .jsonl or .zip."
        )
    if kind == ".zip":
        return parse_zip(data, name, default_label, limits)
    return parse_text_file(data, name, default_label)


def read_file(root: DataRoot, path: Path, default_label: str, limits: Limits) -> list[Example]:
    """Examples from one file in the data root (same formats as attachments)."""
    size = path.stat().st_size
    if size > limits.attachment_bytes:
        raise LimitExceeded(
            f"`{root.relative(path)}` is {size:,} bytes; the limit is {limits.attachment_bytes:,}."
        )
    return parse_attachment(path.read_bytes(), path.name, default_label, limits)


def read_folder(root: DataRoot, folder: Path, label: str | None, limits: Limits) -> list[Example]:
    """Examples from a folder: each `.txt` file is one example; `.csv`/`.jsonl` add their rows.

    With `label` None, a `.txt` file's label is the name of the folder it sits in below `folder`
    (`reviews/positive/1.txt` -> positive), and files directly in `folder` are positive.
    """
    rows: list[Example] = []
    budget = limits.zip_expanded_bytes
    for path in root.walk_files(folder):
        kind = suffix(path.name)
        if kind not in TEXT_TYPES:
            continue
        budget -= path.stat().st_size
        if budget < 0:
            raise LimitExceeded(
                f"`{root.relative(folder)}` holds more than {limits.zip_expanded_bytes:,} bytes "
                "of text; split it or raise limits.zip_expanded_bytes."
            )
        if kind == ".txt":
            body = _decode(path.read_bytes(), path.name).strip()
            if not body:
                continue
            inferred = path.parent.name if path.parent != folder else POSITIVE
            rows.append(Example(body, label or normalise_label(inferred)))
        else:
            rows.extend(parse_text_file(path.read_bytes(), path.name, label or POSITIVE))
    return rows


def check_lengths(rows: Iterable[Example], limits: Limits) -> list[Example]:
    checked = list(rows)
    for row in checked:
        if len(row.text) > limits.example_chars:
            raise LimitExceeded(
                f"An example has {len(row.text):,} characters; the limit is "
                f"{limits.example_chars:,}. Split long texts into several examples."
            )
    return checked


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
