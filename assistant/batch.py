"""The examples read for one request (their visible characters, within the limits), where each
label came from and how its files were read; and a label as a dataset keeps it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .config import Limits
from .errors import BadInput, LimitExceeded
from .i18n import number_text, tr, tr_count
from .markup import code, escaped, marked_up, visible
from .text_files import read_text
from .training.base import Example

POSITIVE, NEGATIVE = "positive", "negative"
MAX_LABEL_CHARS = 100
"""The longest label a dataset may have; a single longer word is no label (`correct`)."""
SHOWN_ARCHIVES = 3
"""How many skipped archives a reply names."""
EXAMPLE_KEEPS = "\t\n"
"""The only invisible characters an example keeps: a NUL, a right-to-left override or a stray
control character copied in with it is dropped (`markup.visible`); its tabs and lines stay."""


def label_for(positive: bool) -> str:
    return POSITIVE if positive else NEGATIVE


def normalize_label(raw: object) -> str:
    if isinstance(raw, list | dict):
        raise BadInput(tr("label.not_value"))
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # 1.0, as a table with an empty cell writes 1
    label = str(raw).strip().lower()
    if not label:
        raise BadInput(tr("label.empty"))
    if len(label) > MAX_LABEL_CHARS:
        raise BadInput(tr_count("label.too_long", len(label), limit=MAX_LABEL_CHARS))
    if not label.strip(".") or marked_up(label) or visible(label) != label:
        # ".." (a zip member's "../" folder), a right-to-left override, a backtick that
        # breaks the code span a reply shows a label in; and Discord's markup, since counts
        # show labels as plain words: `||` hid the reply up to the next, `[a](https://...)`
        # was a link whose words hid where it went, `<@123>` named a member, `**` was bold
        raise BadInput(tr("label.bad", label=escaped(label, also="`")))
    return label


SENTENCE_ENDS = ".!?…"
"""Marks that end a sentence, written after its last word."""


def typed_label(raw: str) -> str:
    """A label a member typed (`relabel #1 negative.`, `correct negative!`, `label:billing.`),
    as `normalize_label` reads it, without the marks that end a sentence after it: stored with
    them it was a new label `negative.`, or a correction refused as no label. Labels read from
    files keep theirs. Marks alone stay as they are (refused as no label), and so does the
    stop of an abbreviation (`n.a.`, `e.g.`: it was stored as `n.a`)."""
    if _ABBREVIATION.fullmatch(raw.strip()):
        return normalize_label(raw)
    return normalize_label(raw.rstrip(SENTENCE_ENDS) or raw)


_ABBREVIATION = re.compile(r"(?:[^\W\d_]{1,2}\.){2,}")
"""Letters in ones and twos, each with its stop: `n.a.`, `u.s.a.`, `e.g.`."""


def suffix(name: str) -> str:
    return PurePosixPath(name.lower()).suffix


SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")


def refuse_spreadsheet(name: str) -> None:
    """A workbook (Excel's own format, LibreOffice's, Apple's) is refused saying how to save it
    as the CSV that is read, rather than only that its type is not accepted."""
    if suffix(name) in SPREADSHEETS:
        raise BadInput(tr("upload.spreadsheet", name=name))


@dataclass
class Batch:
    """Examples read for one request, with where each label was first seen."""

    limits: Limits
    rows: list[Example] = field(default_factory=list)
    sources: dict[str, dict[str, None]] = field(default_factory=dict)
    """Label -> every place its examples came from, in order, e.g. "folder notes/ in
    reviews.zip" (two files can add one label); the first is announced if the label is new."""
    remarks: list[str] = field(default_factory=list)
    """How files were read, said with the reply (a CSV's columns called other than `text`)."""
    code_pages: dict[str, list[str]] = field(default_factory=dict)
    """Code page (`cp1251`) -> the files read in it, not being Unicode (`code_pages.py`)."""
    archives: dict[str, None] = field(default_factory=dict)
    """Archives found inside a zip or a folder, as their paths there: skipped, never opened."""

    def decode(self, data: bytes, name: str) -> str:
        """A file's text (`read_text`), noting the code page it was read in, if any."""
        text, code_page = read_text(data, name)
        if code_page is not None:
            self.code_pages.setdefault(code_page, []).append(name)
        return text

    def archives_shown(self, since: int = 0) -> str:
        """The archives skipped (from the `since`-th on), as code spans: the first few."""
        found = list(self.archives)[since:]
        shown = ", ".join(code(name) for name in found[:SHOWN_ARCHIVES])
        return shown + (", …" if len(found) > SHOWN_ARCHIVES else "")

    def notes(self, hint: str) -> list[str]:
        """“`a.csv` is not UTF-8: I read it as Russian text in Windows-1251 …”, a line per
        code page, naming the first file read in it, then `hint` (what to do if that is wrong);
        then the remarks, and the archives skipped."""
        pages = [
            tr(f"upload.read_as.{page}", name=names[0])
            + (" " + tr_count("upload.read_as.more", len(names) - 1) if len(names) > 1 else "")
            for page, names in self.code_pages.items()
        ]
        skipped = [tr("upload.archives_skipped", archives=self.archives_shown())]
        return [
            *pages,
            *([hint] if pages else []),
            *dict.fromkeys(self.remarks),
            *(skipped if self.archives else []),
        ]

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
                tr_count(
                    "upload.example_too_long",
                    len(body),
                    origin=where,
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
