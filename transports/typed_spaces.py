"""A typed line's spaces as the spaces they look like.

Keyboards and clipboards put other spaces in a line: a no-break space (iOS after some words,
Option+Space on a Mac, text copied from a web page), a thin or narrow no-break space, a
zero-width space pasted after a word. Between a command and its words, "!help\u00a0train" was
the unknown command `help train`, and "!status\u200b" the unknown `status\u200b`. Both
transports read every typed line through `spaced` before anything else reads it; line breaks
and tabs stay, and so do the joiners that are parts of words and emoji.
"""

from __future__ import annotations

import unicodedata

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))
"""Zero-width space, word joiner and byte-order mark: invisible, never part of a word."""


def spaced(line: str) -> str:
    """`line` with every Unicode space (category Zs) as " ", and zero-width spaces dropped from
    its first word (a command's name) and its ends; one inside the words is kept, since a
    name on disk may hold it (`two\u200blines.txt` is refused with the character shown)."""
    if line.isascii():
        return line  # the usual case
    line = "".join(" " if unicodedata.category(c) == "Zs" else c for c in line)
    first, space, rest = line.strip().partition(" ")
    return f"{first.translate(_ZERO_WIDTH)}{space}{rest}".strip("\u200b\u2060\ufeff ")


__all__ = ["spaced"]
