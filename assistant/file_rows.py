"""One file's examples by its kind: `.txt` a line each, `.csv`/`.tsv` a row each (its columns
of texts and labels, `text_files.csv_table`), `.jsonl` a row a line and `.json` a list of rows
(or a table's columns); a row without a label gets the request's."""

from __future__ import annotations

import csv
import json

from .batch import Batch, normalize_label, suffix
from .errors import BadInput
from .i18n import tr, tr_count
from .json_rows import fields_note, labelled_row, list_key, rows_of
from .markup import code
from .text_files import (
    TEXT_LABEL_COLUMNS,
    CsvTable,
    csv_records,
    csv_table,
    label_like,
    lines_of,
)
from .userjson import loads
from .userjson import reason as json_reason


def _from_lines(batch: Batch, text: str, name: str, label: str) -> None:
    refuse_table(text, name)
    for number, line in enumerate(lines_of(text), start=1):
        batch.add(line, label, code(name), _long_at(batch, line, name, number))


def _long_at(batch: Batch, text: str, name: str, line: int) -> str:
    """Where a row is, for the refusal of a text over the limit: its line then (the row's
    reading does not format a line's name for every row of 100,000), else the file."""
    if len(text) <= batch.limits.example_chars:
        return code(name)
    return tr("test.file_line", name=name, number=line)


TABLE_SEPARATORS = ("\t", ";", "|")


def refuse_table(text: str, name: str) -> None:
    """A `.txt` whose every line ends in a separator and one of a few short labels is a table
    of texts and labels (`i feel great;joy`, as datasets shared on Kaggle are), whose labels
    would be learnt inside the texts: refused, saying how to send it as one."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 3:
        return
    for separator in TABLE_SEPARATORS:
        tails = [line.rsplit(separator, 1)[1].strip() for line in lines if separator in line]
        if len(tails) < len(lines) or not all(map(label_like, tails)):
            continue
        labels = sorted(set(tails))
        if len(labels) <= max(2, len(lines) // 2):
            shown = tr("upload.tab") if separator == "\t" else f"`{separator}`"
            header = f"text{separator}label".replace("\t", "\\t")  # shown as `text\tlabel`
            raise BadInput(
                tr(
                    "upload.txt_table",
                    name=name,
                    separator=shown,
                    count=len(labels),
                    labels=", ".join(labels[:5]) + (", …" if len(labels) > 5 else ""),
                    header=header,
                    kind=".tsv" if separator == "\t" else ".csv",
                )
            )


def _from_csv(batch: Batch, text: str, name: str, default_label: str) -> None:
    try:
        table = csv_table(text, name)
        if (note := columns_note(table, name)) is not None:
            batch.remarks.append(note)
        labelled = [0, 0]  # rows without a label, rows with one
        for row in csv_records(table, name):
            raw = (row.get(table.label) or "").strip() if table.label is not None else ""
            text = row.get(table.text) or ""
            labelled[bool(raw)] += bool(text.strip())
            where = _long_at(batch, text, name, table.reader.line_num + table.skipped)
            if raw:
                origin = _column(name, table.label or "")
                batch.add(text, _row_label(raw, name, table), origin, where)
            else:
                batch.add(text, default_label, code(name), where)
        _note_unlabelled(batch, name, labelled, default_label)
    except csv.Error as exc:
        raise BadInput(tr("test.bad_csv", name=name, reason=exc)) from None


def _row_label(raw: str, name: str, table: CsvTable) -> str:
    """A row's label, or the refusal of it naming the row's (last) line."""
    try:
        return normalize_label(raw)
    except BadInput as exc:
        line = table.reader.line_num + table.skipped
        where = tr("test.file_line", name=name, number=line)
        raise BadInput(tr("upload.at", where=where, problem=exc)) from None


def _note_unlabelled(batch: Batch, name: str, labelled: list[int], default: str) -> None:
    """A file whose rows mostly have labels and some none (an empty cell, a row short of its
    label): those got the request's label, which is said, as it may be a mistake."""
    without, with_label = labelled
    if without and with_label:
        batch.remarks.append(tr_count("upload.unlabelled", without, name=name, label=default))


def columns_note(
    table: CsvTable, name: str, unlabelled: str = "upload.columns.no_label"
) -> str | None:
    """Which columns were read, when they are not called `text` and `label` (or the table has
    no header line: `great film,positive` on its first line); None when they are.
    `unlabelled`: the message for a table with no column of labels (what becomes of them)."""
    if table.headerless:
        return tr("upload.no_header", name=name)
    if (table.text.strip().lower(), (table.label or "label").strip().lower()) == TEXT_LABEL_COLUMNS:
        return None
    if table.label is None:
        return tr(unlabelled, name=name, text=table.text)
    return tr("upload.columns", name=name, text=table.text, label=table.label)


def _column(name: str, column: str = "label") -> str:
    return tr("origin.column", name=name, column=column)


def _from_jsonl(batch: Batch, text: str, name: str, default_label: str) -> None:
    labelled = [0, 0]  # rows without a label, rows with one
    first = True
    for number, line in enumerate(lines_of(text), start=1):
        if not line.strip():
            continue
        where = tr("test.file_line", name=name, number=number)
        try:
            item = loads(line.rstrip("\r\n"), where)  # a mistake at its end is on this line
        except json.JSONDecodeError as exc:
            raise BadInput(
                tr(
                    "upload.bad_json_line",
                    name=name,
                    number=number,
                    reason=json_reason(exc),
                    column=exc.colno,
                )
            ) from None
        if first and (note := fields_note(item, name)) is not None:
            batch.remarks.append(note)
        first = False
        labelled[_json_row(batch, item, name, where, default_label)] += 1
    _note_unlabelled(batch, name, labelled, default_label)


def _from_json(batch: Batch, text: str, name: str, default_label: str) -> None:
    """A `.json` file: a list of rows as a `.jsonl` file's (strings or objects), one such row,
    an object of columns (`{"text": [...], "label": [...]}`, as pandas writes a table), or an
    object wrapping a list of rows (`json_rows.rows_of`)."""
    try:
        value = loads(text, code(name))
    except json.JSONDecodeError as exc:
        raise BadInput(
            tr(
                "upload.bad_json_line",
                name=name,
                number=exc.lineno,
                reason=json_reason(exc),
                column=exc.colno,
            )
        ) from None
    rows = json_file_rows(value, name, batch.remarks)
    labelled = [0, 0]  # rows without a label, rows with one
    for number, item in enumerate(rows, start=1):
        where = tr("upload.json_item", name=name, number=number)
        labelled[_json_row(batch, item, name, where, default_label)] += 1
    _note_unlabelled(batch, name, labelled, default_label)


def _json_row(batch: Batch, item: object, name: str, where: str, default_label: str) -> bool:
    """One row of a `.jsonl` or `.json` file: a string, or an object with a `text` (a string
    or a number) and an optional `label` (a word or a number; `null` is none). A text or label
    that is a list or an object is refused rather than stored as Python writes it; fields
    named as a CSV's columns are (`sentence`, `review`, `sentiment`) are read as those.
    Whether the row had its own label."""
    item, label_field = labelled_row(item)
    if isinstance(item, str | int | float) and not isinstance(item, bool):
        item = {"text": item}
    if not isinstance(item, dict) or not str(item.get("text", "")).strip():
        raise BadInput(tr("upload.no_text_field", where=where))
    text, raw = item["text"], item.get("label")
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise BadInput(tr("upload.text_not_string", where=where))
    if raw is None:
        batch.add(str(text), default_label, code(name), where)
        return False
    try:
        label = normalize_label(raw)
    except BadInput as exc:
        raise BadInput(tr("upload.at", where=where, problem=exc)) from None
    batch.add(str(text), label, tr("origin.field", name=name, field=label_field or "label"), where)
    return True


def json_file_rows(
    value: object, name: str, notes: list[str], unlabelled: str = "upload.fields.no_label"
) -> list[object]:
    """The rows of a parsed `.json` file (`rows_of`); what was read when it is not plain
    (the list an object wraps, fields not called `text` and `label`) is added to `notes`."""
    wrapper = list_key(value)
    rows = rows_of(value, code(name))
    if wrapper is not None:
        notes.append(tr("upload.wrapped", name=name, field=wrapper))
    if not isinstance(rows, list):
        rows = [rows]
    if rows and (note := fields_note(rows[0], name, unlabelled)) is not None:
        notes.append(note)
    return rows


def parse_text_file(batch: Batch, data: bytes, name: str, default_label: str) -> None:
    """Examples from one `.txt` (a line each), `.csv` or `.jsonl` file's bytes."""
    kind = suffix(name)
    text = batch.decode(data, name)
    if kind in (".csv", ".tsv"):
        _from_csv(batch, text, name, default_label)
    elif kind == ".jsonl":
        _from_jsonl(batch, text, name, default_label)
    elif kind == ".json":
        _from_json(batch, text, name, default_label)
    else:
        _from_lines(batch, text, name, default_label)
