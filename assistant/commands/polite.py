"""Polite words people add to a command (`status please`, `train "dull" false thanks`): no
arguments."""

from __future__ import annotations

import re

POLITE_WORDS = {"please", "pls", "plz", "thanks", "thank", "you", "now", "пожалуйста", "спасибо"}
"""Trailing words people add to a command (`status please`) that are not arguments."""
POLITE_TAIL = re.compile(
    r"(?:^|\s+)(?:" + "|".join(sorted(POLITE_WORDS)) + r")[.!,]*\s*$", re.IGNORECASE
)


def only_polite(text: str) -> bool:
    words = text.split()
    return bool(words) and all(w.lower().strip(".!,") in POLITE_WORDS for w in words)


def strip_polite(text: str) -> str:
    """Drop polite words at the end of a command line (`select_dataset reviews please`)."""
    while (found := POLITE_TAIL.search(text)) is not None:
        text = text[: found.start()]
    return text
