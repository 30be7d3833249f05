"""Emoji that stand for a word a command is said with ("🛑" for stop, "⏳?" for how the job
is going, "❌ negative" for a prediction that was wrong): people type them as words. Each
language's `typed.emoji` pairs ("🛑 = stop") write them out; a line is read so only when it was
read no other way, so an emoji inside feedback or chat stays as the user wrote it."""

from __future__ import annotations

from collections.abc import Mapping

_DECORATIONS = {"\ufe0f", "\ufe0e", "\u200d", *map(chr, range(0x1F3FB, 0x1F400))}
"""What only changes how an emoji looks: presentation selectors, the joiner, skin tones."""


def as_words(line: str, words: Mapping[str, str]) -> str | None:
    """`line` with each emoji of `words` written as its word, or None when it holds none."""
    plain = "".join(c for c in line if c not in _DECORATIONS)
    out, changed = [], False
    for char in plain:
        word = words.get(char)
        if word is None:
            out.append(char)
        else:
            out.append(f" {word} ")
            changed = True
    return " ".join("".join(out).split()) if changed else None


__all__ = ["as_words"]
