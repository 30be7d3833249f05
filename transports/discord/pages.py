"""Long replies as embed pages that fit Discord's limits, Markdown tables as code blocks.

Discord shows at most 2,000 characters of message content and 4,096 of an embed description
(6,000 in all embeds of a message), and renders no Markdown tables: their pipes come out raw.
A reply longer than one message becomes pages of embed descriptions, cut at line boundaries (a
code block cut is closed and reopened, a heading stays with what follows it);
`Previous`/`Next` buttons (components.py) turn them.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

from assistant.messages import Reply

MESSAGE_CHARS = 2000
"""Discord's limit on a message's content."""
EMBED_DESCRIPTION_CHARS = 4096
"""Discord's limit on one embed's description."""
EMBED_TOTAL_CHARS = 6000
"""Discord's limit on all embeds of one message together (titles, footers, fields)."""
PAGE_CHARS = 3800
"""One page's description: under 4,096, leaving room in the 6,000 total for title and footer."""
FENCE = "```"
TABLE_CHARS = 60
"""Widest table kept as a code block: about what an embed shows on a laptop without wrapping."""
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _cells(row: str, *, plain: bool = True) -> list[str]:
    cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
    return [c.replace("`", "").replace("**", "") for c in cells] if plain else cells


def _table_block(rows: list[str]) -> list[str]:
    """A Markdown table as an aligned monospace code block (Discord shows those well), or,
    when that would be wider than an embed shows without wrapping, one line per row:
    first cell — the other cells."""
    has_header = len(rows) > 1 and _TABLE_RULE.match(rows[1]) is not None
    table = [_cells(r) for r in rows if not _TABLE_RULE.match(r)]
    columns = max(len(r) for r in table)
    table = [r + [""] * (columns - len(r)) for r in table]
    widths = [max(len(r[c]) for r in table) for c in range(columns)]
    if sum(widths) + 2 * (columns - 1) > TABLE_CHARS:
        body = rows[2:] if has_header else rows
        return [
            " — ".join(part for part in (cells[0], " · ".join(c for c in cells[1:] if c)) if part)
            for cells in (_cells(r, plain=False) for r in body)
        ]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in table
    ]
    if has_header:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return [FENCE, *lines, FENCE]


def tables_as_code(text: str) -> str:
    """Every Markdown table (a header row, a `---` rule, rows) becomes a code block (or lines,
    when too wide)."""
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    in_code = False
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith(FENCE):
            in_code = not in_code
        if (
            not in_code
            and _TABLE_ROW.match(line)
            and i + 1 < len(lines)
            and _TABLE_RULE.match(lines[i + 1])
        ):
            end = i + 2
            while end < len(lines) and _TABLE_ROW.match(lines[end]):
                end += 1
            out += _table_block(lines[i:end])
            i = end
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


HEADING = re.compile(r"#{1,3} .*|\*\*[^*]+\*\*|.*:")
"""A line that heads what follows it: a Markdown heading, a line in bold (`**Feedback**`), a
line ending in a colon ("Models of **reviews** (newest first):")."""


def _heads(line: str, after: int) -> int:
    """How many lines at the end of a page head what follows, `line` added to `after` such
    lines (a blank line keeps them heading; any other line ends them)."""
    if HEADING.fullmatch(line.strip()):
        return after + 1
    return after + 1 if after and not line.strip() else 0


def _fill(line: str, room: int) -> tuple[str, str]:
    """`line` cut to fill `room` characters: at its last space in the second half of the
    room (the space dropped), else at the room's end; the part that fits and the rest."""
    space = line.rfind(" ", room // 2, room + 1)
    return (line[:space], line[space + 1 :]) if space > 0 else (line[:room], line[room:])


def paginate(text: str, size: int = PAGE_CHARS) -> list[str]:
    """Split at line boundaries into pieces of at most `size` characters (a longer line at a
    space); a code block cut in two is closed at the end of one page and reopened on the
    next. A page never ends in a heading (`HEADING`) of lines that follow on the next page:
    the heading goes there too, or, if the page holds nothing else, the next line begins under
    it and goes on overleaf (a `models` line longer than the room left under its heading made
    a page of the heading alone)."""
    pages: list[str] = []
    current: list[str] = []
    length = 0
    reopened = 0  # 1 when `current` begins with the fence that reopens a code block
    heads = 0  # the last lines of `current` that head what follows (outside code)
    in_code = False
    reserve = len(FENCE) + 1  # room to close an open code block

    def flush(carry: int = 0) -> None:
        """End the page; its last `carry` lines begin the next one."""
        nonlocal current, length, reopened, heads
        kept, carried = current[: len(current) - carry], current[len(current) - carry :]
        body = "\n".join(kept).strip("\n")
        if in_code:
            body += "\n" + FENCE
        if body.strip() and body.strip() != FENCE:
            pages.append(body)
        reopened = 1 if in_code else 0
        current = [FENCE] * reopened + carried
        length = sum(len(line) + 1 for line in current)
        heads = carry

    def add(piece: str) -> None:
        nonlocal length, heads
        current.append(piece)
        length += len(piece) + 1
        heads = 0 if in_code else _heads(piece, heads)

    for line in text.split("\n"):
        while length + len(line) + 1 + reserve > size:
            room = size - length - 1 - reserve
            if len(current) - reopened > heads:  # lines of its own: the page is full
                flush(heads)
            elif room <= 0:  # headings that fill a page: nothing to put under them
                flush()
            else:  # an empty page, or only its headings: the line begins here
                first, line = _fill(line, room)
                add(first)
                flush()
        add(line)
        if line.strip().startswith(FENCE):
            in_code = not in_code
    in_code = False
    flush()
    return pages or [""]


@dataclass(frozen=True)
class Paged:
    """A sent reply's pages."""

    reply: Reply
    """The reply (its other buttons, Cancel or Correct, stay on every page)."""
    title: str
    pages: list[str]
    embeds: bool = True
    """Pages as embeds, or (False: where I may not embed) as content."""
    shown: int = 0
    """The page the message shows (0-based), turned by its buttons."""


class PageStore:
    """Pages of recently sent paged replies, by message id (bounded: oldest dropped first).
    Older ones, and those sent before a restart, are paged again from the recorded reply."""

    def __init__(self, capacity: int = 200) -> None:
        self.capacity = capacity
        self._pages: OrderedDict[int, Paged] = OrderedDict()

    def put(self, message_id: int, paged: Paged) -> None:
        self._pages[message_id] = paged
        self._pages.move_to_end(message_id)
        while len(self._pages) > self.capacity:
            self._pages.popitem(last=False)

    def get(self, message_id: int) -> Paged | None:
        return self._pages.get(message_id)
