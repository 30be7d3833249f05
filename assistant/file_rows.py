"""One file's examples by its kind: `.txt` a line each, `.csv`/`.tsv` a row each (its columns
of texts and labels, `text_files.csv_table`), `.jsonl` a row a line and `.json` a list of rows
(or a table's columns); a row without a label gets the request's."""

from __future__ import annotations

import csv
import json

from .batch import Batch, normalize_label, suffix
from .errors import BadInput
from .i18n import tr
from .markup import code
from .text_files import CsvTable, csv_records, csv_table, lines_of
from .userjson import loads


def _from_lines(batch: Batch, text: str, name: str, label: str) -> None:
    for line in lines_of(text):
        batch.add(line, label, code(name))


def _from_csv(batch: Batch, text: str, name: str, default_label: str) -> None:
    try:
        table = csv_table(text, name)
        if (table.text.strip().lower(), (table.label or "label").strip().lower()) != TEXT_LABEL:
            batch.remarks.append(_columns_note(table, name))
        for row in csv_records(table, name):
            raw = row.get(table.label) if table.label is not None else None
            text = row.get(table.text) or ""
            if raw:
                origin = _column(name, table.label or "")
                batch.add(text, normalize_label(raw), origin, code(name))
            else:
                batch.add(text, default_label, code(name))
    except csv.Error as exc:
        raise BadInput(tr("test.bad_csv", name=name, reason=exc)) from None


TEXT_LABEL = ("text", "label")


def _columns_note(table: CsvTable, name: str) -> str:
    """Which columns were read, when they are not called `text` and `label`."""
    if table.label is None:
        return tr("upload.columns.no_label", name=name, text=table.text)
    return tr("upload.columns", name=name, text=table.text, label=table.label)


def _column(name: str, column: str = "label") -> str:
    return tr("origin.column", name=name, column=column)


def _from_jsonl(batch: Batch, text: str, name: str, default_label: str) -> None:
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
                    reason=exc.msg.removesuffix(" at"),  # "Invalid control character at"
                    column=exc.colno,
                )
            ) from None
        _json_row(batch, item, name, where, default_label)


def _from_json(batch: Batch, text: str, name: str, default_label: str) -> None:
    """A `.json` file: a list of rows as a `.jsonl` file's (strings or objects), one such row,
    or an object of columns (`{"text": [...], "label": [...]}`, as pandas writes a table)."""
    try:
        value = loads(text, code(name))
    except json.JSONDecodeError as exc:
        reason = exc.msg.removesuffix(" at")
        raise BadInput(
            tr(
                "upload.bad_json_line",
                name=name,
                number=exc.lineno,
                reason=reason,
                column=exc.colno,
            )
        ) from None
    rows = columns_as_rows(value, code(name)) if isinstance(value, dict) else value
    if not isinstance(rows, list):
        rows = [rows]
    for number, item in enumerate(rows, start=1):
        _json_row(
            batch, item, name, tr("upload.json_item", name=name, number=number), default_label
        )


def columns_as_rows(value: dict[str, object], where: str) -> object:
    """A table's columns as a list of rows: `{"text": [...], "label": [...]}` (lists of one
    length), or `{"text": {"0": ...}, "label": {"0": ...}}` (pandas' `to_json()`, rows by
    their index); any other object is one row."""
    texts, labels = value.get("text"), value.get("label")
    if isinstance(texts, dict) and all(isinstance(t, str) for t in texts.values()):
        if isinstance(labels, dict) and labels.keys() != texts.keys():
            raise BadInput(tr("upload.json_columns", where=where))
        labels = [labels[k] for k in texts] if isinstance(labels, dict) else labels
        texts = list(texts.values())
    if not isinstance(texts, list):
        return value
    if labels is None:
        return [{"text": t} for t in texts]
    if not isinstance(labels, list) or len(labels) != len(texts):
        raise BadInput(tr("upload.json_columns", where=where))
    return [{"text": t, "label": lab} for t, lab in zip(texts, labels, strict=True)]


def _json_row(batch: Batch, item: object, name: str, where: str, default_label: str) -> None:
    """One row of a `.jsonl` or `.json` file: a string, or an object with a `text` (a string
    or a number) and an optional `label` (a word or a number; `null` is none). A text or label
    that is a list or an object is refused rather than stored as Python writes it."""
    if isinstance(item, str | int | float) and not isinstance(item, bool):
        item = {"text": item}
    if not isinstance(item, dict) or not str(item.get("text", "")).strip():
        raise BadInput(tr("upload.no_text_field", where=where))
    text, raw = item["text"], item.get("label")
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise BadInput(tr("upload.text_not_string", where=where))
    if raw is None:
        batch.add(str(text), default_label, code(name))
        return
    try:
        label = normalize_label(raw)
    except BadInput as exc:
        raise BadInput(tr("upload.at", where=where, problem=exc)) from None
    batch.add(str(text), label, _column(name), code(name))


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
