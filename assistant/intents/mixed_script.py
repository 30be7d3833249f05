"""A command's name in one script and the words after it in another ("join в мой голосовой
канал", "статус what's up"): people switch keyboards mid-line, and no template reads a line
of two languages. The reader (command_lines.py) runs the command when a language's guesser takes
the words for it at `MIXED_FLOOR` or more."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .matcher import normalize

MIXED_FLOOR = 0.5
"""Least chance of the command named first for the words after it in another script."""


def scripts_differ(name: str, words: str) -> bool:
    """Latin letters alone on one side only."""
    return _latin(name) != _latin(words)


def only_command_words(
    text: str,
    command: str,
    command_words: Mapping[str, Iterable[str]],
    names: Iterable[str],
    polite: Iterable[str],
) -> bool:
    """Whether each word of `text` is a word of `command`'s own sentences (`command_words`: a
    word -> the commands whose sentences have it), a word of one of the guild's `names`, or
    `polite` ("train на kaggle tweets запусти", "cancel обучение", "status покажи"): the words
    say that command, however the guesser weighs a line of two languages. A word no sentence
    of it has ("test по математике") says something else."""
    named = {
        part
        for name in names
        for part in (*normalize(name.replace("_", " ")).split(), normalize(name))
    }
    skipped = named | {normalize(word) for word in polite}
    words = [w for w in normalize(text).split() if w not in skipped]
    return bool(words) and all(command in command_words.get(w, ()) for w in words)


def _latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isascii() for c in letters)


__all__ = ["MIXED_FLOOR", "only_command_words", "scripts_differ"]
