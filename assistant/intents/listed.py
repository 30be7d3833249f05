"""Several sentences to classify written as a list after a colon: "test these: great, awful".

The templates take the words after "test these" as one sentence to classify, so the model was
asked about "great, awful" (and "classify these: a, b" about "these: a, b"). Words before the
colon that point at more than one sentence (each language's `typed.plural_pointers`: "these",
"the following", "reviews"; "эти", "следующие") say that the commas and semicolons after it
part sentences. A pointer at one sentence ("test this: great film, but too long") keeps it
whole, as do quotes, which the command reads itself.
"""

from __future__ import annotations

import dataclasses
import json
import re

from .matcher import Intent, normalize

_PARTS = re.compile(r"\s*[,;]\s*")


def listed_texts(intent: Intent, line: str, pointers: list[str]) -> Intent:
    """`intent` (`test` with one sentence) with the sentences a list after a colon in `line`
    gives, when the words before the colon point at several; else `intent` as it is."""
    raw = intent.slots.get("json")
    if intent.name != "test" or not isinstance(raw, str) or ":" not in line:
        return intent
    try:
        one = json.loads(raw)
    except ValueError:
        return intent
    head, _, tail = line.partition(":")
    parts = [p.strip(" .!?") for p in _PARTS.split(tail.strip())]
    if not isinstance(one, str) or len(parts) < 2 or not all(parts):
        return intent
    if not normalize(one).endswith(normalize(tail)):  # the sentence is not the list
        return intent
    words = f" {normalize(head)} "
    if not any(f" {normalize(p)} " in words for p in pointers):
        return intent
    texts = json.dumps(parts, ensure_ascii=False)
    return dataclasses.replace(intent, slots={**intent.slots, "json": texts})


__all__ = ["listed_texts"]
