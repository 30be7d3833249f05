"""Marks of a name said as words, as phone dictation and people reading a name aloud write them:
"movie underscore reviews" is `movie_reviews`, "report dot txt" and "report точка txt" are
`report.txt`. Each language's `typed.dictated` pairs ("underscore = _") say which words; a line
is read so only when it was read no other way, so "connect the dots" stays as written."""

from __future__ import annotations

import re
from collections.abc import Mapping

_EXTENSION = re.compile(r"[^\W_]{1,5}")
"""What a dot joins a name to: a file's extension ("txt", "json"), not any next word."""
_LETTER = re.compile(r"[^\W\d_]")
"""One letter said alone, as an extension is spelt ("t x t")."""


def with_marks(line: str, marks: Mapping[str, str]) -> str | None:
    """`line` with each word of `marks` between two words written as its mark, joining them
    ("movie underscore reviews": `movie_reviews`), or None when it holds none. A dot joins only
    an extension after it ("report dot txt"; "a dot on the map" stays), one said letter by
    letter too ("report dot t x t": `report.txt`)."""
    words = line.split()
    out: list[str] = []
    at = 0
    while at < len(words):
        word = words[at]
        mark = marks.get(word.lower())
        after = words[at + 1] if at + 1 < len(words) else ""
        # a dot joins only an extension ("a dot on the map" stays)
        dot_alone = mark == "." and not _EXTENSION.fullmatch(after.rstrip(".,!?"))
        if mark is None or not out or not after or dot_alone:
            out.append(word)
            at += 1
            continue
        # the rest of the name: the word after the mark, or an extension's letters said apart
        end = at + 2
        if mark == ".":
            while (
                end < len(words)
                and _LETTER.fullmatch(words[end - 1])
                and _LETTER.fullmatch(words[end].rstrip(".,!?"))
            ):
                end += 1
        out[-1] += mark + "".join(words[at + 1 : end])
        at = end
    return " ".join(out) if len(out) < len(words) else None


__all__ = ["with_marks"]
