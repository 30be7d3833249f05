"""A line written as a ticket or an e-mail's subject: "Request: abort running training",
"Ticket #12: cancel job in progress", "Заявка: статус задачи". The head says what kind of
message it is, not what is asked: the words after the colon are read as a line of their own.
A head is only such words (each language's `typed.ticket_heads`, and a ticket's number), so
"feature request: join voice by itself" stays the feedback its head names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .matcher import normalize

_HEAD = re.compile(r"^\s*([^:\n]{1,40}):\s*(\S.*)$", re.DOTALL)
_NUMBER = re.compile(r"^(?:#|№|no\.?)?\d+$", re.IGNORECASE)


def ticket_body(line: str, heads: Sequence[str]) -> str | None:
    """The words after a head made only of `heads` words (and a ticket's number), else None."""
    found = _HEAD.match(line)
    if found is None:
        return None
    words = [w for w in found.group(1).split() if not _NUMBER.match(w.strip("#№"))]
    known = {normalize(h) for h in heads if h.strip()}
    if not words or normalize(" ".join(words)) not in known:
        return None
    return found.group(2).strip()


__all__ = ["ticket_body"]
