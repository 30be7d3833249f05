"""A typed line of several sentences: "Could you halt the training? I picked the wrong dataset.",
"how accurate is the model? run a test".

People write a command and a reason, or ask the same thing twice; no template holds the whole
line. Each sentence is read on its own, as a template sentence exactly (no near sentence: a
reason is often near some command); the line is the command they agree on. Sentences of one
word ("Stop. That's not funny.") are not read: alone, one word is too often chat. Sentences
that name different commands name none, and so does a line where a sentence takes the command
back ("Stop the training. No wait.": `typed.retractions` in the language's messages.yaml).
A reason may follow without a comma ("zip movie reviews so I can download it later"): the
words that begin one (`typed.reasons`) end a clause too, tried last.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from .address import after_politeness
from .matcher import Intent, normalize
from .social import SOCIAL

if TYPE_CHECKING:
    from .typed import TypedMatcher

_END = re.compile(r"(?<=[.?!…])\s+")
"""Where a sentence ends: a full stop, question or exclamation mark, and a space."""
_COMMA = re.compile(r"(?<=[.?!…,;])\s+")
"""Where a clause ends at a comma or semicolon: a dash may be inside one ("the prediction is
wrong, the right answer — negative"); tried when the sentences alone say no command."""
_CLAUSE = re.compile(rf"{_COMMA.pattern}|\s+[—–-]+\s+")
"""Where a clause ends at a dash as well ("can you cancel the training job - it's taking
forever"); tried when the clauses between commas say no command."""

SENTENCE_BREAK = re.compile(r"(?<=[.?!…;])\s+|\s+[—–]+\s+")
"""Where one sentence of a message gives way to the next: a full stop, question or
exclamation mark or semicolon and a space, or a dash between spaces ("How's things, Trainer
— which model's loaded?")."""


def sentence_tails(line: str) -> list[str]:
    """`line` from its second sentence on, from its third, and so on: what a message says
    once its opening sentences are read past ("Hello Trainer, thanks for your help. Could you
    send over report.txt?")."""
    return [line[found.end() :] for found in SENTENCE_BREAK.finditer(line) if line[found.end() :]]


def by_sentence(
    line: str,
    match: Callable[[str], Intent | None],
    retractions: Iterable[str] = (),
    joiners: Iterable[str] = (),
    reasons: Iterable[str] = (),
    loosen: Callable[[str], str] | None = None,
    near: Callable[[str], Intent | None] | None = None,
) -> Intent | None:
    """The command every sentence of `line` that says one agrees on (the one naming most
    options), or None: one sentence, none that says a command, two commands, or a sentence
    after the first that begins with one of `retractions` ("no wait", "never mind"). Read by
    sentences first, then by clauses. A clause may begin with one of `joiners` ("then", "and
    also"): "test the model, then archive kaggle tweets" names two commands, so none. A clause
    may also begin with one of `reasons` ("so", "because"). `loosen`: a clause without the bot's
    bare name and chat words at its ends ("bot bounce from vc, meeting's over"), tried after
    the clause as written. `near`: the near sentence a clause may be read as, last ("cancel
    that training" is no template, but begins with a word only `cancel` has)."""

    def said(part: str) -> Intent | None:
        # the joiners read off as politeness is read off before a command's name
        part = after_politeness(part, joiners) or part
        found = match(part)
        loose = loosen(part) if loosen is not None else part
        if found is None and loose != part:
            found = match(loose)
        if found is not None or near is None:
            return found
        # "could you send over report.txt": the first word after the politeness leads
        return near(part) or (near(loose) if loose != part else None)

    return (
        _agreed(line, _END, said, retractions)
        or _agreed(line, _COMMA, said, retractions)
        or _agreed(line, _CLAUSE, said, retractions)
        or _agreed(line, _with_reasons(tuple(reasons)), said, retractions)
    )


@lru_cache(maxsize=8)
def _with_reasons(reasons: tuple[str, ...]) -> re.Pattern[str]:
    """Clause ends, and the space before a word that begins a reason."""
    if not reasons:
        return _CLAUSE
    words = "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(reasons, key=len)[::-1])
    return re.compile(rf"{_CLAUSE.pattern}|\s+(?=(?:{words})(?:\s|$))", re.I)


def _agreed(
    line: str,
    ends: re.Pattern[str],
    match: Callable[[str], Intent | None],
    retractions: Iterable[str],
) -> Intent | None:
    sentences = [part for part in ends.split(line.strip()) if normalize(part)]
    if any(_retracts(part, retractions) for part in sentences[1:]):  # "No, stop it. ..." asks
        return None
    parts = [part for part in sentences if len(normalize(part).split()) > 1]
    if len(parts) < 2:
        return None
    found = [intent for intent in map(match, parts) if intent is not None]
    if not found or len({intent.name for intent in found}) > 1:
        return None
    intent = max(found, key=lambda intent: len(intent.slots))
    if intent.name == "feedback":
        # "Can I pass along some feedback? The replies are helpful.": all of it is the feedback
        # as written: case, commas and emoji are part of what was said
        return dataclasses.replace(intent, slots={**intent.slots, "text": line.strip()})
    return intent


def only_said(
    line: str, said: Callable[[str], Intent | None], retractions: Iterable[str] = ()
) -> Intent | None:
    """The command of the one sentence of `line` that says one as a near sentence does, when
    the line has more than one and no other says any: "the manager wants the numbers from
    yesterday. could you send over report.txt?". Context comes first in work chat; a
    sentence that says another command, or two that say one, leave the line to the rest."""
    found = _said_by_sentences(line, said, retractions)
    return found[0] if found is not None and len(found) == 1 else None


def two_said(
    line: str,
    said: Callable[[str], Intent | None],
    retractions: Iterable[str] = (),
) -> tuple[str, str] | None:
    """The first two different commands sentences of `line` say, as near sentences do, other
    than social ones (assistant/intents/social.py), or None: "please test the model. could
    you send over report.txt?" asks two things, and running one of them drops the other
    unsaid. Thanks and greetings around a request ("thanks a lot. please test the model") ask
    nothing of their own."""
    found = _said_by_sentences(line, said, retractions) or []
    names = list(dict.fromkeys(i.name for i in found if i.name not in SOCIAL))
    return (names[0], names[1]) if len(names) > 1 else None


def _said_by_sentences(
    line: str, said: Callable[[str], Intent | None], retractions: Iterable[str]
) -> list[Intent] | None:
    """What each sentence of more than one word says, in order, when the line has at least two
    such sentences; None when it has fewer or a later one takes back what came before."""
    if takes_back(line, retractions):
        return None  # "Please stop the training. No wait."
    sentences = [part for part in _END.split(line.strip()) if len(normalize(part).split()) > 1]
    if len(sentences) < 2:
        return None
    return [intent for intent in map(said, sentences) if intent is not None]


def before_own_plan(line: str, plans: Iterable[str], joiners: Iterable[str]) -> str | None:
    """`line` up to a clause that says what the writer will do ("stop the training and I will
    start again later", "zip it, I'll download it tomorrow"), or None when it has none or
    nothing before it."""
    said = "|".join(r"\s+".join(map(re.escape, p.split())) for p in plans if p.strip())
    joined = "|".join(r"\s+".join(map(re.escape, j.split())) for j in joiners if j.strip())
    if not said:
        return None
    lead = rf"(?:\s*[,;]\s*|\s+(?:{joined})\s+)" if joined else r"\s*[,;]\s*"
    found = re.search(rf"{lead}(?:{said})(?=\s|$)", line, re.I)
    if found is None or not normalize(line[: found.start()]):
        return None
    return line[: found.start()]


def another_command(line: str, match: Callable[[str], Intent | None], name: str) -> bool:
    """A sentence of `line` after its first names a command other than `name`: "The bot is
    not working. Please cancel the training." is no feedback, though its first words are."""
    sentences = [part for part in _END.split(line.strip()) if len(normalize(part).split()) > 1]
    return any((found := match(part)) is not None and found.name != name for part in sentences[1:])


def takes_back(line: str, retractions: Iterable[str]) -> bool:
    """Whether a sentence of `line` after its first takes back what came before ("Stop the
    training. No wait.")."""
    sentences = [part for part in _END.split(line.strip()) if normalize(part)]
    return any(_retracts(part, retractions) for part in sentences[1:])


def _retracts(sentence: str, retractions: Iterable[str]) -> bool:
    """`sentence` begins with words that take back what came before ("No wait.", "actually
    no, keep going")."""
    words = normalize(sentence).split()
    return any(words[: len(w.split())] == w.split() for w in retractions)


def led(typed: TypedMatcher, clause: str, says: Callable[[str], str | None]) -> Intent | None:
    """The near sentence of a clause that begins with a word only that command's templates
    have ("cancel that training"), or None: a clause's near sentence alone is too often a
    reason's ("I picked the wrong dataset"), not a command."""
    words = normalize(clause).split()
    found = typed.match(clause, says) if len(words) > 1 else None
    if found is None or typed.command_words.get(words[0]) != frozenset({found.name}):
        return None
    return found


__all__ = [
    "another_command",
    "before_own_plan",
    "by_sentence",
    "led",
    "only_said",
    "takes_back",
    "two_said",
]
