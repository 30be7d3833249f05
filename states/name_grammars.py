"""Grammars for the names a speech server's clients send, in a recognizer worker process.

Each bot that uses a speech server sends its own names (datasets, folders, files) with every
utterance. A worker hears each utterance with a grammar of that request's names, built once
and kept for the clients that come back (`GrammarCache`): a server that rebuilt one grammar for
whoever spoke last spent 0.3 s and a new worker process on every request of two bots taking
turns, and heard one bot's speech with the other's names when their requests crossed.

What a set of names may cost is bounded before its decoder is built (the costly part): a
grammar grows with the words its names are said in (unknown words are spelled letter by
letter too), measured 0.06-0.09 MB and about a millisecond a word.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

Names = dict[str, list[str]]
"""Lists of names by list ("dataset", "folder", "file"), each sorted, without repeats."""
WORDS_PER_NAME = 8
"""Words a grammar may spend on each name a client may send (`speech_server.max_names`): a
bot's 200 names (80 datasets, as datasets and as folders, and its 40 newest files) are said in
1477 words, spelled forms included, and build in 1.4 s (+89 MB)."""
_REMEMBERED = 1024
"""Sets of names whose asking is remembered (as hashes) for `GrammarCache`'s admission."""

_Value = TypeVar("_Value")


class NamesRefused(ValueError):
    """A client's names would make a grammar over the server's bounds; the text says why."""


def names_key(names: Names) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`names` as a hashable whole (its lists in order of name)."""
    return tuple((name, tuple(values)) for name, values in sorted(names.items()))


class GrammarCache(Generic[_Value]):
    """The `size` grammars last used among those asked for more than once, and one spare.

    A set of names asked for the first time is built into the spare, not the kept ones: a
    client that sends new names with every request only ever replaces the spare, and the
    grammars of the clients that come back stay kept. Names asked for again (the spare's, or
    any asked for among the last `_REMEMBERED` sets) are kept, the least recently used going.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.kept: OrderedDict[Any, _Value] = OrderedDict()
        self.spare: tuple[Any, _Value] | None = None
        self._asked: OrderedDict[int, None] = OrderedDict()
        self.builds = 0
        """How many grammars were built (for tests and benches)."""

    def get(self, key: Any, build: Callable[[], _Value]) -> _Value:
        if key in self.kept:
            self.kept.move_to_end(key)
            return self.kept[key]
        if self.spare is not None and self.spare[0] == key:
            value, self.spare = self.spare[1], None
        else:
            value = build()
            self.builds += 1
            if hash(key) not in self._asked and len(self.kept) >= self.size:
                self._remember(key)
                self.spare = (key, value)
                return value
        self._remember(key)
        self.kept[key] = value
        while len(self.kept) > self.size:
            self.kept.popitem(last=False)
        return value

    def _remember(self, key: Any) -> None:
        self._asked[hash(key)] = None
        self._asked.move_to_end(hash(key))
        while len(self._asked) > _REMEMBERED:
            self._asked.popitem(last=False)


def recognizer_for(voice: Any, names: Names) -> Any:
    """A grammar recognizer with `names` (the voice settings' own grammar otherwise), or
    `NamesRefused` when they would be said in more words than `WORDS_PER_NAME` allows."""
    from assistant.intents.matcher import IntentMatcher
    from audio.asr.factory import build_recognizer
    from audio.asr.pronounce import Lexicon

    lexicon = Lexicon(voice.asr.pocketsphinx_dict)
    matcher = IntentMatcher.from_settings(voice, is_word=lexicon.is_word)
    matcher.update_lists(names)
    spoken = matcher.spoken_lists()
    words = sum(len(said.split()) for name in names for said, _ in spoken.get(name, []))
    most = WORDS_PER_NAME * voice.speech_server.max_names
    if words > most:
        raise NamesRefused(
            f"too many names: they are said in {words} words, more than the {most} a grammar "
            "of this server may hold"
        )
    return build_recognizer(voice, matcher, names)
