"""A file's bytes as text, and a CSV's rows: the encodings and separators spreadsheets save
(UTF-8, UTF-16 with its byte-order mark or without it, a Windows code page; commas, `;`, tabs,
pipes), the names its columns of texts and labels go by, and the refusal of a CSV whose quote,
opened and never closed, took in the rows after it, or whose row has more fields than columns.

Apart from datasets.py (labelled examples from files, folders and zips, within limits) because
`test` reads its attachments through the same doors without making examples of them.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .code_pages import CONTROLS, from_code_page, mostly_utf8
from .csv_cells import imported
from .errors import BadInput
from .i18n import label_words, number_text, tr, tr_count
from .markup import code, one_line

CSV_DELIMITERS = (",", ";", "\t", "|")


def decode_text(data: bytes, name: str) -> str:
    """A file's text (`read_text`)."""
    return read_text(data, name)[0]


def read_text(data: bytes, name: str) -> tuple[str, str | None]:
    """A file's text, and the Windows code page it was read in when it is not Unicode (None
    when it is). UTF-8 (with a byte-order mark or without), or UTF-16 with its mark, as Excel
    and Notepad save "Unicode text", or without it when its zero bytes say so; else Windows-1251
    or Windows-1252 when it reads as such text (`code_pages`). Bytes that hold a zero byte and
    are no such UTF-16 are UTF-8 with a stray NUL (`_stray_controls`; examples drop it) or no
    text (a binary file, UTF-32): refused, as is UTF-8 with a byte that is not, named by its
    line."""
    utf16 = data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if not utf16 and b"\x00" in data:
        text = _bomless_utf16(data) or _stray_controls(data)
        if text is None:
            raise BadInput(tr("test.not_utf8", name=name))
        return text, None
    try:
        text = data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        if utf16:
            raise BadInput(tr("test.not_utf8", name=name)) from None
        return _not_unicode(data, name, exc)
    if utf16 and len(text) > 1 and not _spaced(text):
        # Any even run of bytes after FF FE decodes as UTF-16 (bytes of another kind read as
        # CJK ideographs); text Excel saves has spaces, tabs or lines.
        raise BadInput(tr("test.not_utf8", name=name))
    return text, None


def _not_unicode(data: bytes, name: str, error: UnicodeDecodeError) -> tuple[str, str]:
    """Bytes that are no UTF-8: UTF-8 with a stray byte (refused at its line), text in a
    Windows code page, or no text (refused)."""
    if mostly_utf8(data):
        line = data[: error.start].count(b"\n") + 1
        byte = f"0x{data[error.start]:02X}"
        raise BadInput(tr("upload.broken_utf8", name=name, line=line, byte=byte))
    read = from_code_page(data)
    if read is None:
        raise BadInput(tr("test.not_utf8", name=name))
    return read


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 saved without its byte-order mark, when that is unmistakable: an even number of
    bytes, every zero byte on one side of its pair (the high byte of a space, a digit, a Latin
    letter), and what that decodes to is lines of text: spaces, tabs or line ends, and no
    control, unassigned or private character (nor a zero one). Else None."""
    if len(data) % 2:
        return None
    for encoding, side in (("utf-16-le", 1), ("utf-16-be", 0)):
        if b"\x00" in data[1 - side :: 2]:
            continue  # zero bytes on the other side: not this byte order
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            return None
        text = text.removeprefix("\ufeff")
        return text if _reads_as_text(text) else None
    return None


def _stray_controls(data: bytes) -> str | None:
    """UTF-8 text with a NUL here and there (a field a database export ended with a NUL, a
    paste from a terminal): its text, whose examples leave the NULs out (`Batch.add`), as
    the README promises. None for bytes that are no UTF-8, or hold more control characters
    than lines: a binary file whose bytes happen to be UTF-8, UTF-32 (three NULs a letter)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    controls = sum(1 for _ in CONTROLS.finditer(text))
    return text if _spaced(text) and controls <= text.count("\n") + 1 else None


def _spaced(text: str) -> bool:
    """Text has spaces, tabs or line ends somewhere; bytes of another kind read as UTF-16 have
    none (one run of CJK ideographs)."""
    return any(c in text for c in " \t\n")


def _reads_as_text(text: str) -> bool:
    """Lines of text: spaced, and no control, unassigned or private character (what bytes of
    another kind decode to as UTF-16 without a mark to say so)."""
    return _spaced(text) and not any(_not_text(c) for c in text)


def _not_text(char: str) -> bool:
    return char not in "\t\n\r" and unicodedata.category(char) in ("Cc", "Cn", "Co", "Cs")


TEXT_COLUMNS = (
    *("text", "review", "sentence", "comment", "content", "message", "tweet", "body"),
    *("текст", "отзыв", "комментарий", "сообщение", "предложение"),
)
"""What a CSV's column of texts is called, best first: `text`, and the names datasets shared
on Kaggle and Hugging Face give it (IMDB's `review`, SST's `sentence`), in English and Russian."""
LABEL_COLUMNS = (
    *("label", "sentiment", "class", "category", "target", "tag", "intent", "topic"),
    *("rating", "stars", "метка", "класс", "категория", "тональность", "оценка"),
)
"""What its column of labels is called, best first."""


@dataclass(frozen=True)
class CsvTable:
    """A CSV's rows by its header's column names, and which columns hold texts and labels."""

    reader: csv.DictReader[str]
    text: str
    label: str | None
    skipped: int = 0
    """Lines before the header (Excel's `sep=;`), for the line numbers messages give."""
    headerless: bool = False
    """The file has no header: its two columns are read as text and label (`_headerless`)."""


SEPARATOR_LINE = re.compile(r"sep=([^\r\n])\r?\n", re.IGNORECASE)
"""The line Excel writes first, and reads, to say which separator the file uses."""


def csv_table(text: str, name: str) -> CsvTable:
    """A CSV's rows, its first line naming the columns. Fields are separated by commas, or by
    what Excel writes instead (`;` where a comma is the decimal mark: most of Europe, Russia;
    tabs in "Unicode text"), or pipes: the one that makes a column of texts (`TEXT_COLUMNS`) is
    taken, unless a `sep=;` line above the header says which. A file of two columns whose
    first line is a row is read as text and label (`_headerless`). Any other file with no
    column of texts is refused, showing the names its first line gives."""
    widest: list[str] = []
    said = SEPARATOR_LINE.match(text)
    if said:
        text = text[said.end() :]
    delimiters = (said.group(1),) if said else CSV_DELIMITERS
    for delimiter in delimiters:
        reader = csv.DictReader(lines_of(text), delimiter=delimiter)
        try:
            names = list(reader.fieldnames or [])
        except csv.Error:
            continue  # a long first line is one field over csv's limit when split wrongly
        keys = [column_key(n) for n in names]
        texts = [names[keys.index(k)] for k in TEXT_COLUMNS if k in keys]
        if texts:
            labels = [names[keys.index(k)] for k in LABEL_COLUMNS if k in keys]
            return CsvTable(reader, texts[0], labels[0] if labels else None, 1 if said else 0)
        widest = max(widest, names, key=len)
    delimiter = _headerless(text, delimiters)
    if delimiter is not None:
        reader = csv.DictReader(lines_of(text), TEXT_LABEL_COLUMNS, delimiter=delimiter)
        return CsvTable(reader, *TEXT_LABEL_COLUMNS, 1 if said else 0, headerless=True)
    raise BadInput(tr("upload.no_text_column", name=name, columns=_columns_shown(widest)))


SHOWN_COLUMNS, COLUMN_CHARS = 10, 40
"""A refused CSV's first columns named in the reply, and each one's characters shown: a
first line of 20,000 names was a reply of 100 KB."""


def _columns_shown(names: list[str]) -> str:
    shown = ", ".join(code(one_line(n, COLUMN_CHARS)) for n in names[:SHOWN_COLUMNS])
    if len(names) > SHOWN_COLUMNS:
        others = number_text(len(names) - SHOWN_COLUMNS)
        return tr("train.origin_and_others", origin=shown, others=others)
    return shown or tr("examples.none")


TEXT_LABEL_COLUMNS = ("text", "label")
HEADERLESS_SAMPLE = 1000
"""Rows of a CSV with no header looked at to tell that its first line is a row too."""
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def _headerless(text: str, delimiters: tuple[str, ...]) -> str | None:
    """The separator of a CSV with no header, two columns of texts and labels
    (`great film,positive`), or None. Its first line is a row when its second field is a
    label later rows have too, or a number or a word of sentiment (no column's name is); and
    neither field is a column's name (`TEXT_COLUMNS`, `LABEL_COLUMNS`). Any other first line
    may be a header of names unknown here (`title,score` above `hi,positive`): such a file is
    refused as before, asking for a header."""
    for delimiter in delimiters:
        try:
            rows = _first_rows(text, delimiter)
        except csv.Error:
            continue  # a field over csv's limit: not this separator, or no such table
        if not rows or any(len(row) != 2 or not all(row) for row in rows):
            continue
        (first_text, first), later = rows[0], {row[1].lower() for row in rows[1:]}
        named = {column_key(first_text), column_key(first)} & {*TEXT_COLUMNS, *LABEL_COLUMNS}
        if named or not label_like(first):
            return None
        sentiment = label_words("positive") | label_words("negative")
        said = first.lower() in (later | sentiment) or _NUMBER.fullmatch(first) is not None
        return delimiter if said else None
    return None


def _first_rows(text: str, delimiter: str) -> list[list[str]]:
    """The first rows of a CSV with any field (`HEADERLESS_SAMPLE`), their fields stripped."""
    rows = itertools.islice(csv.reader(lines_of(text), delimiter=delimiter), HEADERLESS_SAMPLE)
    return [[f.strip() for f in row] for row in rows if any(f.strip() for f in row)]


LABEL_WORDS, LABEL_CHARS = 3, 30
"""What a label looks like: a few short words (a line's end in a table saved as `.txt`, the
first line of a CSV with no header)."""


def label_like(field: str) -> bool:
    return 0 < len(field) <= LABEL_CHARS and len(field.split()) <= LABEL_WORDS


def column_key(name: str) -> str:
    return name.strip(' "\r\ufeff').lower()


SWALLOWED_LINES = 10
"""More line breaks than this in one field of a CSV may be the rows after a quote opened and
never closed (`"awful,negative` took in the rest of the file as one example's text): see
`_swallowed`. A quoted field with commas and a few lines, or a review with many paragraphs, is
read as it is."""


def csv_records(table: CsvTable, name: str) -> Iterator[dict[str | None, Any]]:
    """The rows of `table`, or the refusal at the first row with more fields than the header
    names (a text with the separator in it, not in quotes: its words after the separator would
    be read as its label) or whose field took in the rows after it (`_swallowed`), naming the
    line it starts on."""
    reader, label = table.reader, table.label
    seen: set[str] = set()
    ended = reader.line_num
    one_column = len(reader.fieldnames or []) == 1
    for row in reader:
        started, ended = ended + 1, reader.line_num
        extra = row.get(None)
        if extra and one_column:  # the whole line is the text, commas and all
            separator = reader.reader.dialect.delimiter
            row = {table.text: separator.join([row[table.text] or "", *extra])}
        elif extra and any(str(v).strip() for v in extra):
            line = started + table.skipped
            _refuse_extra(reader, name, line, len(row) - 1 + len(extra))
        short = any(value is None for value in row.values())
        for value in row.values():
            if isinstance(value, str) and _may_have_swallowed(value, short):
                rows = _swallowed(reader, row, value, label, seen)
                if rows:
                    raise BadInput(
                        tr_count(
                            "upload.swallowed",
                            rows,
                            name=name,
                            line=started + table.skipped,
                            end=ended + table.skipped,
                        )
                    )
        if label is not None and row.get(label):
            seen.add(str(row[label]).strip().lower())
        yield {key: imported(v) if isinstance(v, str) else v for key, v in row.items()}


def _may_have_swallowed(value: str, short: bool) -> bool:
    """Whether a field is worth `_swallowed`'s look: one of many lines; or one of several
    lines that the file ended inside of, its quote still open (`"awful,negative` above two rows
    took them in, however few they were). Such a field keeps the last line's line break,
    where a closed quote ends before the break, and its row is short of columns."""
    if value.count("\n") > SWALLOWED_LINES:
        return True
    return short and value.endswith("\n") and "\n" in value.rstrip("\n")


def _refuse_extra(reader: csv.DictReader[str], name: str, line: int, count: int) -> None:
    delimiter = reader.reader.dialect.delimiter
    shown = tr("upload.tab") if delimiter == "\t" else f"`{delimiter}`"
    example = f'`"great{delimiter} really"{delimiter}positive`'.replace("\t", "  ")
    columns = len(reader.fieldnames or [])
    raise BadInput(
        tr(
            "upload.extra_fields",
            name=name,
            line=line,
            count=number_text(count),
            columns=number_text(columns),
            delimiter=shown,
            example=example,
        )
    )


def _swallowed(
    reader: csv.DictReader[str],
    row: dict[str | None, Any],
    value: str,
    label: str | None,
    seen: set[str],
) -> int:
    """How many rows of the file the field `value` of `row` took in (0: none, it is text).
    Most of its lines must read as rows (the header's number of columns), and either the row
    ran short of columns (the quote was never closed: the file ended inside it) or most of those
    lines hold, in the label column, a label the rows before used."""
    columns = list(reader.fieldnames or [])
    if label is None or len(columns) < 2:
        return 0  # a text column alone: any line is a "row", and a long text is just that
    lines = value.splitlines()
    rows = csv.reader(lines, delimiter=reader.reader.dialect.delimiter)
    alike = [f for f in rows if len(f) == len(columns)]
    if len(alike) * 2 < len(lines):
        return 0
    short = any(v is None for v in row.values())
    at = columns.index(label)
    labelled = sum(f[at].strip().lower() in seen for f in alike)
    return len(alike) if short or labelled * 2 >= len(lines) else 0


def lines_of(text: str) -> Iterator[str]:
    """Lines one at a time: `splitlines()` would build millions of strings before any check."""
    return iter(io.StringIO(text, newline=None))


__all__ = [
    "CSV_DELIMITERS",
    "CsvTable",
    "csv_records",
    "csv_table",
    "decode_text",
    "label_like",
    "lines_of",
    "read_text",
]
