"""A file's bytes as text, and a CSV's rows: the encodings and separators spreadsheets save
(UTF-8, UTF-16 with its byte-order mark or without it; commas, `;`, tabs), and the refusal of a
CSV whose quote, opened and never closed, took in the rows after it.

Apart from datasets.py (labelled examples from files, folders and zips, within limits) because
`test` reads its attachments through the same doors without making examples of them.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator

from .errors import BadInput
from .i18n import tr

CSV_DELIMITERS = (",", ";", "\t")


def decode_text(data: bytes, name: str) -> str:
    """A file's text: UTF-8 (with a byte-order mark or without), or UTF-16 with its mark, as
    Excel and Notepad save "Unicode text", or without it when its zero bytes say so. Bytes that
    hold a zero byte and are no such UTF-16 are no text (a binary file, UTF-32): refused."""
    utf16 = data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if not utf16 and b"\x00" in data:
        text = _bomless_utf16(data)
        if text is None:
            raise BadInput(tr("test.not_utf8", name=name))
        return text
    try:
        text = data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(tr("test.not_utf8", name=name)) from None
    if utf16 and len(text) > 1 and not _spaced(text):
        # Any even run of bytes after FF FE decodes as UTF-16 (bytes of another kind read as
        # CJK ideographs); text Excel saves has spaces, tabs or lines.
        raise BadInput(tr("test.not_utf8", name=name))
    return text


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


def csv_rows(text: str) -> csv.DictReader[str]:
    """A CSV's rows by its header's column names. Fields are separated by commas, or by what
    Excel writes instead: `;` where a comma is the decimal mark (most of Europe, Russia), tabs
    in "Unicode text"; the one that makes a `text` column is taken."""
    end = text.find("\n")
    header = (text if end < 0 else text[:end]).lower()
    delimiter = next(
        (d for d in CSV_DELIMITERS if "text" in (c.strip(' "\r') for c in header.split(d))), ","
    )
    return csv.DictReader(lines_of(text), delimiter=delimiter)


SWALLOWED_LINES = 10
"""More line breaks than this in one field of a CSV may be the rows after a quote opened and
never closed (`"awful,negative` took in the rest of the file as one example's text): see
`_swallowed`. A quoted field with commas and a few lines, or a review with many paragraphs, is
read as it is."""


def csv_records(reader: csv.DictReader[str], name: str) -> Iterator[dict[str, str | None]]:
    """The rows of `reader` (`csv_rows`), or the refusal at the first row whose field took in
    the rows after it (`_swallowed`), naming the line it starts on."""
    columns = reader.fieldnames or []
    label = next((c for c in columns if c.strip().lower() == "label"), None)
    seen: set[str] = set()
    ended = reader.line_num
    for row in reader:
        started, ended = ended + 1, reader.line_num
        for value in row.values():
            if isinstance(value, str) and value.count("\n") > SWALLOWED_LINES:
                rows = _swallowed(reader, row, value, label, seen)
                if rows:
                    raise BadInput(
                        tr("upload.swallowed", name=name, line=started, end=ended, count=rows)
                    )
        if label is not None and row.get(label):
            seen.add(str(row[label]).strip().lower())
        yield row


def _swallowed(
    reader: csv.DictReader[str],
    row: dict[str, str | None],
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


__all__ = ["CSV_DELIMITERS", "csv_records", "csv_rows", "decode_text", "lines_of"]
