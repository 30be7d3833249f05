"""The plainest sentence of a voice grammar that says a command: what a hint tells to say.

"Did you mean `test`?" must give words the recognizer holds: a command's name alone is often
no sentence of the voice grammar ("test" was heard as "status").
"""

from __future__ import annotations

from assistant import i18n

from .matcher import IntentMatcher
from .normalize import normalize


def spoken_example(matcher: IntentMatcher, command: str, language: str, heard: str) -> str | None:
    """A sentence of `matcher`'s voice grammar (the templates of `heard`) that says `command`
    (named as `language` calls it). Each template's plainest sentence (optional words left
    out), the shortest of those that hold the command's name ("train model", not "retrain"),
    else the shortest; the name itself where the grammar holds it alone. None when no spoken
    sentence says the command. Blocking (a few ms)."""
    from hassil.sample import sample_sentence

    intents = matcher.spoken_intents
    names = [n for n in intents.intents if command in (n, i18n.command_name(language, n))]
    if not names:
        return None
    name = normalize(i18n.command_name(heard, names[0]).replace("_", " "))
    lists, found = matcher.slot_lists(), []
    for data in intents.intents[names[0]].data:
        rules = {**intents.expansion_rules, **data.expansion_rules}
        for sentence in data.sentences:
            if any(n in data.wildcard_list_names for n in sentence.list_names(rules)):
                continue
            plainest = next(iter(sample_sentence(sentence, lists, rules, skip_optionals=True)), "")
            if words := normalize(plainest):
                found.append(words)
    if name in found:
        return name
    first = name.split()[0] if name else ""
    return min(found, key=lambda s: (first not in s.split(), len(s.split())), default=None)
