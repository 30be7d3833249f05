"""A command's typed arguments that go on to another command: "train on movie reviews and then
test it", "test the model, then archive movie reviews".

Read as arguments, the first stored "on movie reviews and then test it" as an example to learn
and the second classified its words. A joiner (`typed.joiners`: "then", "and then", "и потом")
that begins a clause naming a command makes the line two commands, which are refused by name.
Quoted words are the user's own and are not looked into.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from .social import SOCIAL

WRITTEN_AS_IS = frozenset({"feedback", "correct"})
"""Commands that keep their words as written: an opinion may name commands ("the new test
command is slow and then it hangs")."""
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|«[^»]*»|\'[^\']*\'|`[^`]*`')
"""Quoted words in a command's arguments (an example, a sentence to classify)."""


def next_command(
    text: str, joiners: Iterable[str], says: Callable[[str], str | None]
) -> str | None:
    """The command that words after a joiner in `text` say, or None. `says(clause)`: the
    command a clause names (its first word, or the clause as a template sentence)."""
    unquoted = _QUOTED.sub(" ", text)
    for found in _joined(tuple(sorted(set(joiners)))).finditer(unquoted):
        rest = unquoted[found.end() :].strip()
        said = says(rest) if rest else None
        if said is not None and said not in SOCIAL:  # "... and thanks" asks nothing
            return said
    return None


@functools.lru_cache(maxsize=8)
def _joined(joiners: tuple[str, ...]) -> re.Pattern[str]:
    """A joiner ("then", "and then") that begins a clause: after a comma or a space."""
    either = "|".join(re.escape(j) for j in sorted(joiners, key=len, reverse=True) if j)
    return re.compile(rf"(?:^|[\s,;]+)(?:{either})\s+", re.I)


__all__ = ["WRITTEN_AS_IS", "next_command"]
