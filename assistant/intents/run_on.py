"""Typed lines whose request is not where a sentence would put it.

Dictated or hurried lines run on without a mark ("ok so i uploaded the data can you train on
kaggle tweets now"): the request begins at the words that ask (`typed.asks`: "can you",
"please"), after words of context. And people name what they mean first, then ask about it
("movie reviews - can you train on that", "report.txt, send it to me"): the pronoun stands for
the name (`typed.pronouns`). Each gives the line's request as a sentence to read, or None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_MARK = re.compile(r"^\s*[-—–:,;]+\s*|^\s+")
"""What sets a name put first off from the request after it."""


def from_asking(line: str, asks: Iterable[str]) -> str | None:
    """`line` from the first words that ask, when other words come before them."""
    lowered = line.lower()
    starts = [
        found.start()
        for ask in asks
        for found in re.finditer(rf"(?<=\s){re.escape(ask)}(?=\s)", lowered)
    ]
    if not starts:
        return None
    start = min(starts)
    return line[start:].strip() if line[:start].strip() else None


def name_first(line: str, names: Iterable[str], pronouns: Iterable[str]) -> str | None:
    """The request after a name put first, with the pronoun that points back at it replaced
    by the name: "kaggle tweets: archive it please" -> "archive kaggle tweets please"."""
    lowered = line.lower()
    for name in sorted(names, key=len, reverse=True):
        for written in dict.fromkeys((name.lower(), name.lower().replace("_", " "))):
            if not lowered.startswith(written):
                continue
            rest = line[len(written) :]
            mark = _MARK.match(rest)
            if mark is None or not mark.group().strip():
                continue  # "movie reviews are great" is no request about them
            rest = rest[mark.end() :]
            for pronoun in sorted(pronouns, key=len, reverse=True):
                pattern = rf"(?<!\w){re.escape(pronoun)}(?!\w)"
                if re.search(pattern, rest, re.I):
                    return re.sub(pattern, name.replace("_", " "), rest, count=1, flags=re.I)
    return None


__all__ = ["from_asking", "name_first"]
