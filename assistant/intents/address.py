"""A typed line that calls the bot by name: "hey bot, what can you do", "trainer: help",
"what's the status, trainer?".

People write to an assistant the way they talk to it, and the name is no part of the command:
read as one, "trainer, help" named an unknown command `trainer,` and "hey bot, join us"
matched no template. The name is taken off the line's start or end; what remains is the
command. It is taken only where it is plainly an address: after a greeting ("hey bot"), or
set off by punctuation ("bot, ..." and "..., bot"), or mentioned ("@trainer ...", "thanks
@bot"), so "bot is too slow" and "i love this bot" keep their words. A greeting and name
alone ("hey trainer") is a greeting.

The names are the wake phrases' (config.yaml) and each language's own words for the bot
(`typed.bot_names`, `typed.greetings` in its messages.yaml).

A looser reading is kept beside it (`loose`), tried only after the line and its addressed
rest matched nothing: a bare name at the start or end ("trainer status", "load another dataset
bot") and the written politeness words no template has ("pls", "plz": `typed.polite`, as
opposed to the spoken `please` every template skips). "bot is too slow" loses its name there
too, but "is too slow" is no command either.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Address:
    """A line with the bot's name taken off."""

    called: bool
    """The line called the bot by name."""
    rest: str
    """The line without the name (the whole line when `called` is False)."""
    loose: str = ""
    """`rest` without a bare name at its start or end and without written politeness words
    there: a last reading, after `rest` and the line itself."""


def without_address(
    text: str, names: Iterable[str], greetings: Iterable[str], polite: Iterable[str] = ()
) -> Address:
    """`text` with a leading or trailing call of one of `names` removed."""
    names = tuple(sorted(set(names)))
    lead, tail = _patterns(names, tuple(sorted(set(greetings))))
    if lead is None or tail is None:
        return Address(False, text, text)
    rest = lead.sub("", text, count=1)
    rest = tail.sub("", rest, count=1)
    address = Address(rest != text, rest.strip() if rest != text else text)
    return dataclasses.replace(address, loose=_loose(address.rest, names, tuple(polite)))


def _loose(text: str, names: tuple[str, ...], polite: tuple[str, ...]) -> str:
    """`text` without bare names and politeness words at its start and end."""
    return _off_ends(text, (*names, *polite), tail=True).strip() or text


def _off_ends(text: str, words: Iterable[str], *, tail: bool) -> str:
    """`text` without a run of `words`, each whole, at its start, and with `tail` at its end
    too; as it came when `words` is empty. The read-off at a command's name (`after_politeness`)
    and the last reading (`loose`) are one, so a word list reads off the same in both."""
    # the patterns ignore case: one key per set of words however it is written, compiled once
    key = tuple(sorted({w.lower() for w in words if w}))
    lead, trail = _leading(key), _trailing(key)
    if lead is None or trail is None:
        return text
    rest = lead.sub("", text)
    return trail.sub("", rest) if tail else rest


_EMOJI = "\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f000-\U0001faff"
"""Emoji and pictographs (with their joiners): chat puts them around words ("go away bot 😤")."""
_GAP = rf"[\s,:;!.?{_EMOJI}]"
"""What may stand between a word read off and the rest: spaces, punctuation and emoji."""


def either(words: Iterable[str]) -> str:
    """A pattern matching any of `words` (longest first; spaces inside as any spaces)."""
    ordered = sorted(words, key=len, reverse=True)
    return "(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in ordered) + ")"


@lru_cache(maxsize=32)
def _leading(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any run of `words`, each whole, at a line's start."""
    return re.compile(rf"^(?:\s*{either(words)}(?={_GAP}|$){_GAP}*)+", re.I) if words else None


@lru_cache(maxsize=32)
def _trailing(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any run of `words` at a line's end, after a space or punctuation."""
    return re.compile(rf"(?:{_GAP}+{either(words)}{_GAP}*)+$", re.I) if words else None


@lru_cache(maxsize=16)
def _patterns(
    names: tuple[str, ...], greetings: tuple[str, ...]
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    if not names:
        return None, None
    name, hello = either(names), either(greetings)
    end = rf"(?={_GAP}|$)"  # the whole name: not "hey bot's broken", "hello bot-maker"
    # "@trainer ..." is a mention, an address however the line goes on ("@bot is slow" too)
    mention = rf"@{name}{end}[\s,:;!.]*"
    greeted = rf"{hello}[\s,!.]+@?{name}{end}[\s,:;!.]*" if greetings else None
    marked = rf"{name}\s*[,:;!]+\s*"  # "bot, ..." but not "bot is slow"
    lead = rf"^\s*(?:{mention}|{greeted}|{marked})" if greeted else rf"^\s*(?:{mention}|{marked})"
    tail = (
        rf"(?:\s*,\s*(?:{hello}\s+)?@?{name}|\s+@{name})[\s.!?{_EMOJI}]*$"
        if greetings
        else rf"(?:\s*,\s*|\s+@){name}\W*$"
    )
    return re.compile(lead, re.I), re.compile(tail, re.I)


def calls_someone(
    text: str, people: Iterable[str], greetings: Iterable[str], others: Iterable[str] = ()
) -> bool:
    """Whether `text` calls a person by name at its start ("Sara, can you send me the file?",
    "hey Dima: ...") or its end ("... when you're back at your desk, Dave?"), or greets
    `others` first ("hey guys, how's everyone doing?"): it is said to them, not to the bot.
    (`others` alone is no call: "what can you do, mate?" may be said to the bot.)"""
    hello = tuple(sorted(set(greetings)))
    start, end = _calling(tuple(sorted(set(people))), hello)
    if start is not None and end is not None and (start.search(text) or end.search(text)):
        return True
    greeted, _ = _calling(tuple(sorted(set(others))), hello, greeting=True)
    return greeted is not None and greeted.search(text) is not None


@lru_cache(maxsize=8)
def _calling(
    people: tuple[str, ...], greetings: tuple[str, ...], greeting: bool = False
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The call of one of `people` at a line's start and at its end; with `greeting`, the
    greeting before the name is needed."""
    if not people or (greeting and not greetings):
        return None, None
    name = either(people)
    hello = rf"(?:{either(greetings)}\s+){'' if greeting else '?'}" if greetings else ""
    start = rf"^\s*{hello}@?{name}\s*[,:]"
    end = rf",\s*@?{name}[\s.!?…{_EMOJI}]*$"
    return re.compile(start, re.I), re.compile(end, re.I)


def said_to_someone_else(text: str, phrases: Iterable[str]) -> bool:
    """Whether `text` says it was meant for someone else than the bot ("never mind, I was
    talking to my sister", "sorry, that wasn't for you"): one of `phrases`, word for word,
    anywhere in it. Such a line takes nothing back and asks nothing of the bot."""
    said = f" {_bare_words(text)} "
    return any(f" {words} " in said for phrase in phrases if (words := _bare_words(phrase)))


def _bare_words(text: str) -> str:
    """`text` in lower case, its apostrophes dropped ("wasn't" as "wasnt") and other marks
    read as spaces, one space between words."""
    bare = text.lower().replace("’", "").replace("'", "")
    return " ".join(re.sub(r"[^\w\s]", " ", bare).split())


def without_politeness(text: str, polite: Iterable[str]) -> str:
    """`text` without a run of `polite` words at its start and end ("um, archive please" is
    "archive"), as the last reading (`loose`) reads them off."""
    return _off_ends(text, polite, tail=True).strip(" ,.!?:;")


def only_politeness(text: str, polite: Iterable[str]) -> bool:
    """Whether `text` is politeness alone ("please", "pls", "right now"), which names
    nothing where a name was wanted ("send me the file please")."""
    return not _off_ends(f" {text} ", polite, tail=True).strip(" ,.!?:;")


def after_politeness(line: str, polite: Iterable[str]) -> str | None:
    """`line` from its first word after leading politeness ("please undo", "could you, undo
    that", "kindly show the status"), or None when it does not begin with any. Politeness is
    the templates' skip words: "please" is no command name, and read as one it was answered
    "Did you mean `leave`?"."""
    rest = _off_ends(line, polite, tail=False)
    return rest if rest != line and rest.strip() else None


def verb_first(line: str, words: Collection[str]) -> str:
    """`line` with a first word in -ing that no template has in the form the templates have
    ("would you mind leaving the voice channel": "leave the voice channel"); as it came when
    there is no such word. English's -ing only: other languages' words do not end so."""
    first, _, rest = line.strip().partition(" ")
    word = first.lower()
    if not word.endswith("ing") or word in words:
        return line
    stem = word[:-3]
    for verb in (stem, stem + "e", stem[:-1] if stem[-2:-1] == stem[-1:] else ""):
        if verb and verb in words:
            return f"{verb} {rest}".strip()
    return line


def after_greeting(line: str, greetings: Collection[str]) -> str | None:
    """The words after a greeting that opens `line` ("morning! back from lunch", "heyyy, I'm
    new here"), or None when it opens with none. A greeting may be stretched ("heyyy",
    "hellooo"): letters written more than once are read once on both sides."""
    stretched = {_unstretched(g.lower()): g for g in greetings}
    words = line.split()
    for size in (3, 2, 1):
        head = " ".join(words[:size]).rstrip(",.!?:;")
        if len(words) > size and _unstretched(head.lower()) in stretched:
            rest = " ".join(words[size:]).strip(" ,.!?:;-")
            return rest or None
    return None


def only_address(words: str, address: Collection[str], most: int = 3) -> bool:
    """Whether `words` are a short address alone, each of them one of `address` ("all",
    "всем", "guys!", "everyone 👋"): at most `most` words, punctuation and emoji aside."""
    said = [w for w in (re.sub(r"[^\w']", "", w.replace("’", "'")) for w in words.split()) if w]
    return 0 < len(said) <= most and all(w.lower() in address for w in said)


def _unstretched(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


__all__ = [
    "Address",
    "after_greeting",
    "after_politeness",
    "either",
    "only_address",
    "said_to_someone_else",
    "verb_first",
    "without_address",
    "without_politeness",
]
