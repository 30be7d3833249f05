"""How the neural model would write a grammar sentence, for scoring it as a transcript.

A candidate is scored against the model's own free transcript, which the model wrote in the
form it likes best: names capitalized ("Kaggle Tweets"), the polite words the speaker said
around the command ("could you ... please"). A candidate written only in the grammar's bare,
lower-case form pays for every difference in form as if it were a difference in sound: several
nats for a name the model rarely saw written in lower case, more for words the speaker said
and the candidate leaves out. So each candidate is also scored in the form the transcript
suggests, and the likelier form counts (bench/README.md measures it).
"""

from __future__ import annotations

import re
import threading
import weakref
from difflib import SequenceMatcher
from functools import lru_cache

from hassil.sample import sample_expression

from assistant.intents.matcher import NAME_LISTS, IntentMatcher, normalize

NOT_WORDS = re.compile(r"[^\w' ]+")
FRAME_LIKENESS = 0.6
"""How alike (difflib's ratio) the transcript's first or last words must be to one of the
grammar's polite words to be taken for them ("come you" for "could you": 0.82)."""


def as_spoken(text: str) -> str:
    """A text the way the model writes a sentence: plain words, the first one capitalized."""
    sentence = spoken_words(text)
    return sentence[:1].upper() + sentence[1:]


def spoken_words(text: str) -> str:
    """`text`'s plain words, one space apart, as the model writes them inside a sentence."""
    return " ".join(normalize(NOT_WORDS.sub(" ", text)).split())


def written_forms(text: str, names: frozenset[str], heard: str = "") -> list[str]:
    """`text` as the model writes a sentence (`as_spoken`), and, when it differs, the same with
    each word cased as the model wrote it in `heard` and the words of names (`names`, lower
    case) capitalized."""
    plain = as_spoken(text)
    words = plain.split(" ")
    cased = _cased(heard)
    named = [
        cased.get(w.lower()) or (w[:1].upper() + w[1:] if w.lower() in names else w) for w in words
    ]
    named[0] = named[0][:1].upper() + named[0][1:]
    return [plain] if named == words else [plain, " ".join(named)]


@lru_cache(maxsize=16)
def _cased(heard: str) -> dict[str, str]:
    """Each word of a transcript as the model cased it, by its lower case (read once per
    transcript, not once per candidate; never changed by a caller)."""
    return {w.lower(): w for w in (NOT_WORDS.sub("", w) for w in heard.split()) if w}


def framed(sentence: str, frame: tuple[str, str]) -> str:
    """`sentence` with the polite words of `frame` (before, after) it does not say already."""
    ask, end = frame
    if ask and (sentence == ask or sentence.startswith(ask + " ")):
        ask = ""
    if end and (sentence == end or sentence.endswith(" " + end)):
        end = ""
    return " ".join(part for part in (ask, sentence, end) if part)


class FormsOf:
    """What one matcher's grammar writes around its commands, and the words of its names; the
    lists are read again when they change."""

    def __init__(self, matcher: IntentMatcher) -> None:
        self.matcher = matcher
        rules = matcher.expansion_rules
        self.asks = _said(rules.get("ask"))
        """The polite words the voice grammar hears before a command ("could you")."""
        self.ends = _said(rules.get("end"))
        """... and after one ("please")."""
        self._names: tuple[int, frozenset[str]] = (-1, frozenset())

    @property
    def names(self) -> frozenset[str]:
        """The words of the names the grammar's lists say (datasets, folders, files)."""
        version = self.matcher.lists_version
        if self._names[0] != version:
            lists = self.matcher.spoken_lists()
            words = frozenset(
                w for name in NAME_LISTS for form, _ in lists.get(name, []) for w in form.split()
            )
            self._names = (version, words)
        return self._names[1]

    def frame(self, rest: str) -> tuple[str, str]:
        """The grammar's polite words the transcript's command part (`rest`, normalized) seems
        to begin and end with ("come you train the class if i are please": "could you",
        "please"); "" where none does."""
        words = rest.split()
        return _likeliest(words, self.asks, first=True), _likeliest(words, self.ends, first=False)

    def texts(self, phrase: str, sentence: str, frame: tuple[str, str], heard: str) -> list[str]:
        """The written forms of `sentence` after the wake phrase `phrase` ("" for none): bare,
        and with the words of `frame` around it when it has any."""
        cores = dict.fromkeys([sentence, framed(sentence, frame)])
        return [
            text for core in cores for text in written_forms(f"{phrase} {core}", self.names, heard)
        ]


_MADE: weakref.WeakKeyDictionary[IntentMatcher, FormsOf] = weakref.WeakKeyDictionary()
_MAKING = threading.Lock()


def forms_of(matcher: IntentMatcher) -> FormsOf:
    """The `FormsOf` of a matcher (made once)."""
    with _MAKING:
        made = _MADE.get(matcher)
        if made is None:
            made = _MADE[matcher] = FormsOf(matcher)
        return made


def _likeliest(words: list[str], choices: list[str], first: bool) -> str:
    """The choice the first (or last) words are likeliest to be, if alike enough; the words
    must leave more after them (a command)."""
    best, likeness = "", FRAME_LIKENESS
    for choice in choices:
        size = len(choice.split())
        if len(words) <= size:
            continue
        said = " ".join(words[:size] if first else words[-size:])
        ratio = SequenceMatcher(None, said, choice).ratio()
        if ratio >= likeness:
            best, likeness = choice, ratio
    return best


def _said(rule: object) -> list[str]:
    """Every text an expansion rule says (none for a missing rule)."""
    expression = getattr(rule, "expression", None)
    if expression is None:
        return []
    return list(dict.fromkeys(normalize(t) for t in sample_expression(expression) if t.strip()))
