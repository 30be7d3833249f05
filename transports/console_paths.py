"""Paths on the owner's own disk typed at the console (`+attach PATH`, `say FILE.wav ...`).

Typed names follow the README's rule for names: the words that together name an existing file
are that name, so `+attach my notes.txt` needs no quotes; quoted words are one path as typed.
"""

from __future__ import annotations

from pathlib import Path

from assistant.commands.quoted_text import Token, tokenize
from assistant.errors import UserError
from audio.decode import AUDIO_SUFFIXES


def first_path(tokens: list[Token]) -> tuple[Path, int]:
    """The path the first tokens name, and how many tokens it took: the longest run of unquoted
    words that together name something that exists, else the first word alone."""
    if tokens and not tokens[0].quoted:
        run = 1
        while run < len(tokens) and not tokens[run].quoted:
            run += 1
        for count in range(run, 1, -1):
            joined = Path(" ".join(t.value for t in tokens[:count])).expanduser()
            if joined.exists():
                return joined, count
    return Path(tokens[0].value).expanduser(), 1


def names_audio(rest: str) -> bool:
    """The words after `say` name a file to speak: one that exists, or a name of audio that
    may be missing (`say hello.wav` is told the file is not there)."""
    try:
        tokens = tokenize(rest)
    except UserError:
        return True  # `say "my clip.wav`: the console says the quote is never closed
    return any(
        path.exists() or path.suffix.lower() in AUDIO_SUFFIXES for path in typed_paths(tokens)
    )


def typed_paths(tokens: list[Token]) -> list[Path]:
    """Every path the tokens name, in order (`say a.wav my voice.wav`)."""
    paths: list[Path] = []
    while tokens:
        path, used = first_path(tokens)
        paths.append(path)
        tokens = tokens[used:]
    return paths
