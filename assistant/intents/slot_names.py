"""The names a sentence's slots hold, tidied after the templates read them: politeness is
no name, a name dictated with its marks is written with them, and a command read with no
name takes the one name of the guild's data the line holds."""

from __future__ import annotations

import dataclasses

from .address import only_politeness, without_politeness
from .dictated import with_marks
from .matcher import Intent, IntentMatcher
from .named_guess import named_options

_NAME_SLOTS = ("path", "dir", "data_dir", "dataset")
"""The slots that hold a name of a file or folder."""


def without_polite_names(intent: Intent, polite: set[str], lists: dict[str, list[str]]) -> Intent:
    """`intent` without a name that is politeness alone: "send me the file please" names no
    file (a template's name at the end takes the words after it), unless a name is so."""
    names = {name for values in lists.values() for name in values}
    kept = {
        slot: value
        for slot, value in intent.slots.items()
        if not (
            slot in _NAME_SLOTS
            and isinstance(value, str)
            and value not in names
            and only_politeness(value, polite)
        )
    }
    return intent if kept == intent.slots else dataclasses.replace(intent, slots=kept)


def with_dictated_names(intent: Intent, marks: dict[str, str], polite: set[str]) -> Intent:
    """`intent` with a name said with its marks as words written with them, politeness after
    it read off: "download report dot t x t for me" named the file `report dot t x t for me`,
    which is `report.txt` (assistant/intents/dictated.py). The command still confines the
    name to the data folder."""
    kept = dict(intent.slots)
    for slot, value in intent.slots.items():
        marked = (
            with_marks(value, marks) if slot in _NAME_SLOTS and isinstance(value, str) else None
        )
        if marked is not None:
            kept[slot] = without_politeness(marked, polite) or marked
    return intent if kept == intent.slots else dataclasses.replace(intent, slots=kept)


def with_named_data(intent: Intent, line: str, matcher: IntentMatcher) -> Intent:
    """An intent read with no options, of a command that takes a name of the guild's data,
    given the one such name `line` holds: "the movie reviews folder, zip it for me" was
    `archive`, asking which folder (the clause read had no name)."""
    if intent.slots:
        return intent
    options = named_options(line, matcher, intent.name)
    return intent if options is None else dataclasses.replace(intent, slots=options)
