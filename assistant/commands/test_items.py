"""What `test` classifies: a JSON list typed after the command, or an attached file.

Attached files: `.json` (the same list), `.jsonl` (one string or {"text", "label"} object per
line), `.csv` or `.tsv` (a column of texts and an optional one of labels) or `.txt` (a
sentence a line).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ..batch import EXAMPLE_KEEPS, normalize_label, refuse_spreadsheet, suffix
from ..errors import BadInput, LimitExceeded
from ..file_rows import columns_note, json_file_rows, refuse_table
from ..i18n import number_text, tr
from ..json_rows import as_row, fields_note, rows_of
from ..markup import code, visible
from ..text_files import csv_records, csv_table, decode_text
from ..userjson import loads
from ..userjson import reason as json_reason
from .option_names import spoken_usage
from .polite import strip_polite
from .quoted_text import BETWEEN_QUOTED, QUOTES, tokenize
from .registry import REGISTRY
from .targets import Marked, prefixed

Item = tuple[str, str | None]
TEST_TYPES = (".json", ".jsonl", ".csv", ".tsv", ".txt")
EXCERPT_CHARS, EXCERPT_BEFORE = 200, 120
"""A JSON mistake is shown in up to this many characters of its line, this many before it."""


def _loads(raw: str, where: str, example: str | None = None) -> Any:
    """`raw` as JSON; a mistake is refused showing where it is, and `example` (`test`'s own,
    unless the command reading it gives its own) as the right form."""
    try:
        return loads(raw, where)  # deep nesting, huge numbers, lone surrogates: refused there
    except json.JSONDecodeError as exc:
        lines = raw.splitlines()
        line = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else raw[:80]
        # up to 200 characters of the line around the mistake, with a mark under it
        start = max(0, min(exc.colno - 1 - EXCERPT_BEFORE, len(line) - EXCERPT_CHARS))
        text = ("…" if start else "") + line[start : start + EXCERPT_CHARS]
        pointer = " " * (exc.colno - 1 - start + (1 if start else 0)) + "^"
        raise BadInput(
            tr(
                "test.bad_json",
                where=where,
                reason=json_reason(exc),
                line=exc.lineno,
                column=exc.colno,
                text=text,
                pointer=pointer,
                example=example or tr("test.json_example"),
            )
        ) from None


def _item(value: object, number: int) -> Item:
    """One item to classify; its text as an example's is kept (`Batch.add`): a NUL or a
    right-to-left override dropped, so that a correction of it trains on the same text.
    Fields named as a CSV's columns are (`sentence`, `review`, `sentiment`) are read as
    `text` and `label` (`json_rows.as_row`)."""
    value = as_row(value)
    if isinstance(value, str) and (text := visible(value, keep=EXAMPLE_KEEPS)).strip():
        return text, None
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        text = visible(value["text"], keep=EXAMPLE_KEEPS)
        if text.strip():
            label = value.get("label")
            if label is None:
                return text, None
            try:
                return text, normalize_label(label)
            except BadInput as exc:
                raise BadInput(tr("test.item_problem", number=number, problem=exc)) from None
    raise BadInput(tr("test.bad_item", number=number))


def _check_count(count: int, limit: int) -> None:
    if count > limit:
        raise LimitExceeded(tr("test.too_many", limit=number_text(limit), count=number_text(count)))


def typed_dataset(text: str | None) -> str | None:
    """The dataset `test reviews` names, else None: typed words that are no JSON (a list, an
    object or a quoted string starts with a bracket, a brace or a quote) are a dataset's name,
    as are the words after `dataset:` or `folder:` (as `train folder:NAME` names one), or
    the language's words for them (`набор:`, `папка:`)."""
    words = strip_polite(text or "").strip()
    kinds: list[Marked] = ["dataset", "folder"]
    for kind in kinds:
        named = prefixed(words, kind)
        if named == "":  # `test dataset:`, the name forgotten: no JSON to show a mistake in
            no_value(words.partition(":")[0])
        if named is not None:
            return named
    return words if words and not _written_items(words) else None


def typed_items(text: str | None) -> str | None:
    """The items after a typed `json:` (or `json=`), the name of `/test`'s option written
    out (`test json:["a lovely film"]`): read as that option is, a plain sentence too; None
    when the line does not start so (`test ["a lovely film"]`)."""
    words = (text or "").strip()
    for mark in ("json:", "json="):
        if words.lower().startswith(mark):
            if not (rest := words[len(mark) :].strip()):
                no_value(words[: len(mark) - 1])
            return rest
    return None


def no_value(name: str) -> None:
    """`test`'s option `name:` typed with nothing after it, refused as `train`'s are."""
    command = REGISTRY.get("test")
    usage = spoken_usage(command) if command else "test"
    raise BadInput(tr("args.no_value", name=name, written=f"{name}:", usage=usage))


def _written_items(text: str) -> bool:
    """Whether `text` starts as items to classify are written: JSON's bracket, brace or
    quote, or another quote a sentence is typed in (`'what a day'`, `«какой день»`)."""
    return text.lstrip()[:1] in "[{«" + QUOTES


def _single_quoted(raw: str) -> list[str] | None:
    """Typed sentences in the quotes people write besides JSON's: `test 'what a day'`,
    `test 'good' 'bad'`, `test 'great', 'awful'`, `проверь «какой день»`, and several in
    JSON's double quotes without its brackets (`test "great", "awful"`); None when `raw` is no
    such thing (JSON, or anything else, is read as JSON and refused as such when it is not)."""
    text = raw.strip()
    json_quote = text[:1] == '"'
    if len(text) < 3 or not (json_quote or text[0] in _OPENING):
        return None
    try:
        tokens = [t for t in tokenize(text) if t.quoted or t.value not in BETWEEN_QUOTED]
    except BadInput:
        if json_quote:
            return None  # refused as JSON, showing where its string is left open
        raise
    # one "text" is JSON's own, escapes and all
    if tokens and all(t.quoted for t in tokens) and (len(tokens) > 1 or not json_quote):
        return [token.value for token in tokens if token.value.strip()] or None
    if not json_quote and (text[-1] == _OPENING[text[0]] or text[:1] + text[-1:] == "'’"):
        inner = text[1:-1].strip()  # "'don't do it'": an apostrophe inside is part of it
        return [inner] if inner else None
    return None


_OPENING = {"'": "'", "‘": "’", "«": "»"}
"""Quotes a typed sentence may open with, other than JSON's double quote, and their closing."""


def parse_items(
    raw: str,
    limit: int,
    where: str | None = None,
    example: str | None = None,
    *,
    plain: bool = False,
) -> list[Item]:
    """A JSON list of strings or of {"text", "label"} objects (one string or object is fine);
    `example`: the right form a JSON mistake is shown with (`test`'s by default). `plain`:
    words that do not start as JSON does are one sentence (`/test json:what a lovely film`,
    where the `dataset` option names datasets)."""
    if plain and not _written_items(raw):
        return [_item(raw.strip(), 1)]
    # typed only: a file (`where` names it) says it is JSON by its suffix and is read as such
    quoted = None if where else _single_quoted(raw)
    if quoted:
        _check_count(len(quoted), limit)
        return [_item(text, number) for number, text in enumerate(quoted, start=1)]
    value = _loads(raw, where or tr("test.typed_json"), example)
    # `{"text": [...], "label": [...]}` (a table's columns) or `{"data": [...]}`: their rows
    return _items(rows_of(value, where or tr("test.typed_json")), limit)


def _items(value: object, limit: int) -> list[Item]:
    """The items of a JSON value: a list of them, or one."""
    if isinstance(value, str | dict):
        value = [value]
    if not isinstance(value, list) or not value:
        raise BadInput(tr("test.not_list"))
    _check_count(len(value), limit)
    return [_item(item, number) for number, item in enumerate(value, start=1)]


def items_from_attachment(
    data: bytes, name: str, limit: int, notes: list[str] | None = None
) -> list[Item]:
    """The items of one attached file; which columns of a CSV were read is added to `notes`
    when they are not `text` and `label` (as `train` says it)."""
    kind = suffix(name)
    refuse_spreadsheet(name)
    if kind not in TEST_TYPES:
        raise BadInput(tr("test.bad_type", name=name))
    if not data:
        raise BadInput(tr("upload.empty", name=name))
    text = decode_text(data, name)
    if kind == ".json":
        value = _loads(text, code(name))
        said = notes if notes is not None else []
        return _items(json_file_rows(value, name, said, "test.fields.no_label"), limit)
    items: list[Item] = []
    if kind == ".txt":  # one sentence a line, as `train` reads a .txt
        refuse_table(text, name)
        for number, line in enumerate(io.StringIO(text), start=1):
            if line.strip():
                _check_count(len(items) + 1, limit)
                items.append(_item(line.strip(), number))
    elif kind == ".jsonl":
        for number, line in enumerate(io.StringIO(text), start=1):
            if line.strip():
                _check_count(len(items) + 1, limit)
                where = tr("test.file_line", name=name, number=number)
                row = _loads(line, where)
                if not items and notes is not None:
                    note = fields_note(row, name, "test.fields.no_label")
                    notes.extend([note] if note else [])
                items.append(_item(row, number))
    else:
        try:
            table = csv_table(text, name)
            if (
                notes is not None
                and (note := columns_note(table, name, "test.columns.no_label")) is not None
            ):
                notes.append(note)
            for number, row in enumerate(csv_records(table, name), start=1):
                _check_count(len(items) + 1, limit)
                label = row.get(table.label) if table.label is not None else None
                value = {"text": row.get(table.text) or "", "label": (label or "").strip() or None}
                items.append(_item(value, number))
        except csv.Error as exc:
            raise BadInput(tr("test.bad_csv", name=name, reason=exc)) from None
    if not items:
        raise BadInput(tr("test.no_items", name=name))
    return items
