"""A command's name in one script and the words after it in another ("join в мой голосовой
канал", "статус what's up"): people switch keyboards mid-line, and no template reads a line
of two languages. The reader (reading.py) runs the command when a language's guesser takes
the words for it at `MIXED_FLOOR` or more."""

from __future__ import annotations

MIXED_FLOOR = 0.5
"""Least chance of the command named first for the words after it in another script."""


def scripts_differ(name: str, words: str) -> bool:
    """Latin letters alone on one side only."""
    return _latin(name) != _latin(words)


def _latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isascii() for c in letters)


__all__ = ["MIXED_FLOOR", "scripts_differ"]
