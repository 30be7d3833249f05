"""A message's sign-off: "Cheers, Tom", "Kind regards, Siobhan", "— Maria", "С уважением,
Иван". People who write to the bot as they write letters sign under the request; the name
there is no part of it ("Could you archive movie reviews? Cheers, Tom" read as nothing)."""

from __future__ import annotations

import re
from collections.abc import Iterable

_NAME = r"[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*)?"
"""A name signed: one or two words."""


def without_sign_off(line: str, sign_offs: Iterable[str]) -> str | None:
    """`line` without the sign-off that ends it, or None when it ends with none: a sign-off
    word after the end of a sentence or a comma (`sign_offs`: "cheers", "kind regards"),
    with a name or without; or a dash and a name written with a capital."""
    words = sorted((re.escape(w.strip()) for w in sign_offs if w.strip()), key=len, reverse=True)
    patterns = [rf"(?<=[\s.!?,;:])[—–-]+\s*(?=[A-ZА-ЯЁ]){_NAME}[.!]?\s*$"]
    if words:
        patterns.append(
            rf"(?:(?<=[.!?,;])|(?<=[.!?,;]\s))\s*(?:{'|'.join(words)})[,!.]?(?:\s+{_NAME})?[.!]?\s*$"
        )
    for pattern in patterns:
        found = re.search(pattern, line, re.IGNORECASE if pattern is not patterns[0] else 0)
        if found is not None and line[: found.start()].strip(" ,;—–-"):
            return line[: found.start()].rstrip(" ,;—–-")
    return None
