"""JSON rows as `train` and `test` read them, whatever their fields are called.

Datasets shared as JSON name their fields as CSVs name their columns: SST's JSON Lines rows are
`{"sentence": ..., "label": 1}`, IMDB's `{"review": ..., "sentiment": ...}`, and exports wrap
the rows in an object (`{"data": [...]}`, `{"train": [...]}`). A CSV's columns were found by
those names (`text_files.TEXT_COLUMNS`, `LABEL_COLUMNS`) while a JSON row needed `text`; the
same names are read here, and the reply says which fields were read when they are not `text`
and `label`, as it says for a CSV's columns.
"""

from __future__ import annotations

from .errors import BadInput
from .i18n import tr
from .markup import code, one_line
from .text_files import LABEL_COLUMNS, TEXT_COLUMNS, column_key


def fields(item: dict[str, object]) -> tuple[str | None, str | None]:
    """The keys of a row's text and label: the first name of `TEXT_COLUMNS` and of
    `LABEL_COLUMNS` the row has (any case, spaces around it ignored); None for none."""
    keys: dict[str, str] = {}
    for key in item:
        keys.setdefault(column_key(key), key)
    text = next((keys[k] for k in TEXT_COLUMNS if k in keys), None)
    label = next((keys[k] for k in LABEL_COLUMNS if k in keys), None)
    return text, label


def as_row(item: object) -> object:
    """A row object with its text and label under `text` and `label`; anything else (a string,
    a number, a list, an object with no text) as it is, for the caller to read or refuse."""
    return labelled_row(item)[0]


def labelled_row(item: object) -> tuple[object, str | None]:
    """`as_row`, and the key its label was under (None for none): its fields found once."""
    if not isinstance(item, dict):
        return item, None
    text, label = fields(item)
    if text is None:
        return item, None
    return {"text": item[text], "label": item[label] if label is not None else None}, label


def rows_of(value: object, where: str) -> object:
    """The rows a parsed `.json` holds: a list as it is; an object wrapping one list of rows
    (`{"data": [...]}`, `{"version": 2, "train": [...]}`) that list; an object of columns
    (`{"text": [...], "label": [...]}`, as pandas writes a table) its rows; an object of
    several lists and no text (`{"train": [...], "test": [...]}`) is refused, as which one is
    meant is not known; any other object is one row."""
    if not isinstance(value, dict):
        return value
    lists = _lists(value)
    if len(lists) == 1:
        return value[lists[0]]
    if len(lists) > 1:  # `{"train": [...], "test": [...]}`
        shown = ", ".join(code(one_line(key, 40)) for key in lists[:5])
        raise BadInput(tr("upload.json_lists", where=where, fields=shown))
    return _columns_as_rows(value, where)


def list_key(value: object) -> str | None:
    """The key of the one list an object with no text field holds (`data` of
    `{"data": [...]}`), else None."""
    lists = _lists(value) if isinstance(value, dict) else []
    return lists[0] if len(lists) == 1 else None


def _lists(value: dict[str, object]) -> list[str]:
    """The keys of an object's lists, when it has no text field (else none: its lists are
    a table's columns)."""
    if fields(value)[0] is not None:
        return []
    return [key for key, v in value.items() if isinstance(v, list)]


def _columns_as_rows(value: dict[str, object], where: str) -> object:
    """A table's columns as a list of rows: `{"text": [...], "label": [...]}` (lists of one
    length), or `{"text": {"0": ...}, "label": {"0": ...}}` (pandas' `to_json()`, rows by
    their index); any other object is one row."""
    text_key, label_key = fields(value)
    texts = value[text_key] if text_key is not None else None
    labels = value[label_key] if label_key is not None else None
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


def fields_note(item: object, name: str, unlabelled: str = "upload.fields.no_label") -> str | None:
    """Which fields of `name`'s rows were read, when they are not `text` and `label`; None
    when they are, or when `item` (its first row) is no object with a text. `unlabelled`: the
    message for rows with no label field (what becomes of them)."""
    if not isinstance(item, dict):
        return None
    text, label = fields(item)
    if text is None or (text, label or "label") == ("text", "label"):
        return None
    if label is None:
        return tr(unlabelled, name=name, text=text)
    return tr("upload.fields", name=name, text=text, label=label)
