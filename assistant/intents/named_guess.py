"""A typed line no reading took that names one of the guild's datasets, folders or files, read
as the command its words most likely say, with that name.

The guesser (guess.py) alone never runs a command: chat about trains and tests scores as
confidently as a request. A name of the guild's own data in the line ("Give us a quick test of
the model on kaggle tweets, would you") is evidence that the line is said to the bot about that
data, and the command must be one that takes such a name, which it is given.

Measured on the tuning halves of the phrasing corpora (bench/phrasing_bench.py, 196 command
lines no reading took, 654 lines of chat): with the guess at `NAMED_GUESS_FLOOR` or more and one
name in the line, 19 right, none wrong, and no chat line; at 0.5, a chat line ("movie reviews
these days are all paid promos") and a wrong command came in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from .matcher import Intent, IntentMatcher, normalize

NAMED_GUESS_FLOOR = 0.7
"""Least probability of the likeliest command for a line that names the guild's data."""
_NAME_SLOT = re.compile(r"\{(dataset|folder|file):(\w+)\}")
"""A template's slot that takes a name of the guild's data ({dataset:data_dir})."""


def named_guess(
    line: str, matcher: IntentMatcher, chances: Callable[[str], dict[str, float]]
) -> Intent | None:
    """The command `line` most likely says, with the one name of the guild's data in it, when
    that command takes such a name; else None."""
    if not _names_in(line, matcher):
        return None
    likely = chances(line)
    command = max(likely, key=likely.__getitem__, default=None)
    if command is None or likely[command] < NAMED_GUESS_FLOOR:
        return None
    options = named_options(line, matcher, command)
    return None if options is None else Intent(command, options, normalize(line), False)


def named_options(line: str, matcher: IntentMatcher, command: str) -> dict[str, str] | None:
    """`command`'s option for the one name of the guild's data in `line` ({"dir":
    "movie_reviews"} for archive), when the line names one and the command takes that kind
    of name; else None."""
    named = _names_in(line, matcher)
    if len({value for _, value in named}) != 1:
        return None
    slots = name_slots(matcher).get(command, {})
    for kind, value in named:
        if kind in slots:
            return {slots[kind]: value}
    return None


def _names_in(line: str, matcher: IntentMatcher) -> set[tuple[str, str]]:
    """(list, name) of each data name `line` has, as written or as its spoken form."""
    words = f" {normalize(line).replace('_', ' ')} "
    found: dict[tuple[str, str], str] = {}
    for kind, pairs in matcher.spoken_lists().items():
        if kind not in ("dataset", "folder", "file"):
            continue
        for form, value in pairs:
            if not isinstance(value, str):
                continue
            # a file by its whole name: "report" of "the report is due friday" is no file
            forms = {normalize(form)} if kind != "file" else set()
            for written in {*forms, normalize(value).replace("_", " ")}:
                if written and f" {written} " in words:
                    found[(kind, value)] = max(found.get((kind, value), ""), written, key=len)
    # "movie reviews" holds "reviews": with both datasets, the line names the longer one
    return {
        name
        for name, written in found.items()
        if not any(
            len(other) > len(written) and f" {written} " in f" {other} " for other in found.values()
        )
    }


@lru_cache(maxsize=8)
def name_slots(matcher: IntentMatcher) -> dict[str, dict[str, str]]:
    """Each command's slot for each kind of name its templates take: train's dataset is its
    `data_dir`, archive's folder its `dir`."""
    found: dict[str, dict[str, str]] = {}
    for command, intent in (matcher.data.get("intents") or {}).items():
        for block in intent.get("data") or []:
            for sentence in block.get("sentences") or []:
                for kind, slot in _NAME_SLOT.findall(str(sentence)):
                    found.setdefault(command, {}).setdefault(kind, slot)
    return found


__all__ = ["NAMED_GUESS_FLOOR", "name_slots", "named_guess", "named_options"]
