"""The options whose values name the guild's data: the slots the templates fill from the
dataset, folder and file lists (`NAME_LISTS`), whatever each command calls them (`dir`,
`data_dir`, `dataset`, `path`)."""

from __future__ import annotations

from collections.abc import Iterator

from hassil import Intents
from hassil.expression import Expression, Group, ListReference, RuleReference, Sentence

from .matcher import NAME_LISTS


def name_options(intents: Intents) -> frozenset[str]:
    """Every slot name a template fills from a list of names."""
    rules = intents.expansion_rules
    found: set[str] = set()
    for intent in intents.intents.values():
        for data in intent.data:
            for sentence in data.sentences:
                found.update(_named_slots(sentence, rules, set()))
    return frozenset(found)


def _named_slots(
    e: Expression | Sentence, rules: dict[str, Sentence], seen: set[str]
) -> Iterator[str]:
    if isinstance(e, Sentence):
        yield from _named_slots(e.expression, rules, seen)
    elif isinstance(e, ListReference):
        if e.list_name in NAME_LISTS:
            yield e.slot_name
    elif isinstance(e, RuleReference):
        if e.rule_name in rules and e.rule_name not in seen:  # a rule is read once
            seen.add(e.rule_name)
            yield from _named_slots(rules[e.rule_name], rules, seen)
    elif isinstance(e, Group):
        for item in e.items:
            yield from _named_slots(item, rules, seen)
