"""Texts given more than one label: kept (people's data is noisy), and told in one line."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from .i18n import tr_count
from .markup import quoted
from .training.base import Example

SHOWN_CHARS = 60
"""The most of the quoted text the line shows."""


def conflicts_note(new: Iterable[Example], existing: Iterable[Example] = ()) -> list[str]:
    """“2 texts are given more than one label, e.g. “same” (neg, pos); all were kept.”: the
    texts of `new` whose labels differ among `new` and `existing` (the dataset they join),
    quoting the first; nothing when there are none."""
    added = list(new)
    texts = {e.text for e in added}
    labels: dict[str, set[str]] = {e.text: set() for e in added}
    for example in chain(existing, added):
        if example.text in texts:
            labels[example.text].add(example.label)
    mixed = [text for text, given in labels.items() if len(given) > 1]
    if not mixed:
        return []
    first = mixed[0]
    shown = ", ".join(sorted(labels[first]))
    return [tr_count("train.conflicts", len(mixed), text=quoted(first, SHOWN_CHARS), labels=shown)]
