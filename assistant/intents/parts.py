"""A typed line of several sentences: "Could you halt the training? I picked the wrong dataset.",
"how accurate is the model? run a test".

People write a command and a reason, or ask the same thing twice; no template holds the whole
line. Each sentence is read on its own, as a template sentence exactly (no near sentence: a
reason is often near some command); the line is the command they agree on. Sentences of one
word ("Stop. That's not funny.") are not read: alone, one word is too often chat. Sentences
that name different commands name none.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from .matcher import Intent, normalize

_END = re.compile(r"(?<=[.?!…])\s+")
"""Where a sentence ends: a full stop, question or exclamation mark, and a space."""


def by_sentence(line: str, match: Callable[[str], Intent | None]) -> Intent | None:
    """The command every sentence of `line` that says one agrees on (the one naming most
    options), or None: one sentence, none that says a command, or two commands."""
    parts = [part for part in _END.split(line.strip()) if len(normalize(part).split()) > 1]
    if len(parts) < 2:
        return None
    found = [intent for intent in map(match, parts) if intent is not None]
    if not found or len({intent.name for intent in found}) > 1:
        return None
    intent = max(found, key=lambda intent: len(intent.slots))
    if intent.name == "feedback":
        # "Can I pass along some feedback? The replies are helpful.": all of it is the feedback
        return dataclasses.replace(intent, slots={**intent.slots, "text": normalize(line)})
    return intent


__all__ = ["by_sentence"]
