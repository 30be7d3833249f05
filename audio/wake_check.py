"""Was it the wake word, or a name that sounds like it?

Whisper tiny writes "hey trader, help" as "Hat Raider, Hell" and "hey rainer" as "Here in a":
no name to notice in its transcript, and a grammar sentence with the wake phrase then scores
well. So, before a command acts on the neural stage's word, the same sentence is scored with
each real word one sound away from the wake word in its place ("rainer", "trader", "trainee",
from the pronunciation dictionary): when one of them is clearly the more probable, the speech
was addressed to someone else. Measured on the voice bench (tuning voices): with a margin of
2 it caught 11 of 24 calls to other names and cost 2 of 138 commands (bench/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from .asr.neural import NeuralResult, WhisperModel

MAX_NAMES = 60
"""Near-homophones looked at per wake word (single words are kept, pairs dropped)."""


@lru_cache(maxsize=8)
def near_names(wake_words: frozenset[str], exclude: frozenset[str]) -> tuple[str, ...]:
    """Dictionary words one sound away from a wake word ("trainer" -> "rainer", "trader"),
    except `exclude` (the grammar's own words and the wake word's known spellings)."""
    from .asr.pronounce import Lexicon, near_homophones

    lexicon = Lexicon()
    names: dict[str, None] = {}
    for word, prons in lexicon.pronunciations(set(wake_words)).items():
        for words, _phones in near_homophones(prons, lexicon.path, MAX_NAMES, "ds"):
            name = words[0]
            if len(words) == 1 and name != word and not _is_word_of(name, exclude):
                names.setdefault(name, None)
    return tuple(names)


def _is_word_of(word: str, vocabulary: frozenset[str]) -> bool:
    """`word` or its stem is a word of the commands ("trained", "trains" for "train"): nobody is
    called that, and a command said fast sounds like one."""
    stems = {word, word.removesuffix("s"), word.removesuffix("ed"), word.removesuffix("d")}
    return bool(stems & vocabulary)


def other_name(
    model: WhisperModel,
    heard: NeuralResult,
    sentences: Iterable[str],
    wake_words: frozenset[str],
    names: tuple[str, ...],
    margin: float,
) -> str | None:
    """The name the audio more probably began with than the wake word, by more than `margin`
    (natural log), or None. `sentences` are the command as spoken with each wake phrase
    ("Hey trainer help")."""
    said = list(sentences)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(wake_words))) + r")\b", re.I)
    alternatives: list[tuple[str, str]] = []
    for sentence in said:
        if pattern.search(sentence):
            alternatives += [(name, pattern.sub(name, sentence, count=1)) for name in names]
    if not said or not alternatives:
        return None
    scores = model.score(heard, [*said, *(text for _, text in alternatives)])
    own = max(scores[: len(said)])
    best = max(range(len(alternatives)), key=lambda i: scores[len(said) + i])
    if scores[len(said) + best] - own > margin:
        return alternatives[best][0]
    return None
