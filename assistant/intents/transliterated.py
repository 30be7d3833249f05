"""A line typed in Latin letters for words of a language written in another script
("otmeni obuchenie", "arhiviruy reviews_ru", "kak toboi polzovatsya?"): people without that
keyboard at hand spell it out. The language's `typed.transliteration` pairs ("sh = ш", "yi# =
ый": `#` is a word's end) write it back, longest spelling first; names and other words that
must stay as written are left alone."""

from __future__ import annotations

from collections.abc import Callable, Mapping

_END = "#"


def written_back(line: str, letters: Mapping[str, str], keep: Callable[[str], bool]) -> str | None:
    """`line` in the script `letters` write, each word but those `keep` says stay; None when
    the line holds letters of another script already, or no word changed."""
    if not letters or any(c.isalpha() and not c.isascii() for c in line):
        return None
    keys = sorted(letters, key=len, reverse=True)
    words = []
    for word in line.split():
        core = word.strip(',.!?;:()"')
        if not core or keep(core) or not any(c.isalpha() for c in core):
            words.append(word)
            continue
        start = word.index(core)
        words.append(word[:start] + _spelt(core.lower(), letters, keys) + word[start + len(core) :])
    said = " ".join(words)
    return None if said == line else said


def _spelt(word: str, letters: Mapping[str, str], keys: list[str]) -> str:
    marked, out, at = word + _END, [], 0
    while at < len(marked):
        key = next((k for k in keys if marked.startswith(k, at)), None)
        if key is None:
            out.append(marked[at])
            at += 1
        else:
            out.append(letters[key])
            at += len(key)
    return "".join(out).replace(_END, "")


__all__ = ["written_back"]
