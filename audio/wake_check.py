"""Was it the wake word, or a name that sounds like it?

Whisper tiny writes "hey trader, help" as "Hat Raider, Hell" and "hey rainer" as "Here in a":
no name to notice in its transcript, and a grammar sentence with the wake phrase then scores
well. So, before a command acts on the neural stage's word, the same sentence is scored with
each real word one sound away from the wake word in its place ("rainer", "trader", "trainee",
from the pronunciation dictionary): when one of them is clearly the more probable, the speech
was addressed to someone else.

Each word is scored the ways Whisper writes a word of address, lower case and capitalised with
a comma after it ("Hey Rainer, train"), the best form counting, and only as the beginning of
the transcript: the wake phrase and the command's first word. Written in lower case without
the comma, a name lost against "trainer" even where the model's own transcript said "Hey
Rainer" (a name in lower case is an unlikely text), and the rest of the command only added the
language model's preference for "trainer" before "train the model". Measured on tuning voices
only (5 espeak-ng voices, 230 commands, 45 calls to near names, every condition): whole
sentences in lower case with a margin of 2 caught 14 of 45 calls and refused 2 commands; the
beginnings in the written forms with a margin of 1.5 catch 33 of 45 and refuse 1 command
(bench/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .asr.neural import NeuralResult, WhisperModel

HEAD_SLACK = 0.1
"""Natural log: how clearly a name must lose on the transcript's own decoding to be dropped
unscored (that decoding differs from scoring by about 0.01 per token)."""
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


def addressed(word: str) -> tuple[str, str]:
    """How a transcript writes `word` when someone is called by it: "trainer," and "Trainer,"."""
    word = word.lower()
    return f"{word},", f"{word.capitalize()},"


def other_name(
    model: WhisperModel,
    heard: NeuralResult,
    sentences: Iterable[str],
    wake_words: frozenset[str],
    margins: Mapping[str, float],
) -> str | None:
    """The name the audio more probably began with than the wake word, by more than its margin
    in `margins` (name -> natural log; negative: the wake word must win by that much), or None.
    `sentences` are the command as spoken with each wake phrase ("Hey trainer help")."""
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(wake_words))) + r")\b", re.I)
    said: dict[str, None] = {}
    alternatives: dict[str, str] = {}
    """Beginning as scored -> the name in it."""
    for sentence in sentences:
        found = pattern.search(sentence)
        if found is None:
            continue
        head = sentence[: found.start()]
        following = sentence[found.end() :].split()[:1]
        tail = f" {following[0]}" if following else ""
        for form in addressed(found.group(1)):
            said.setdefault(f"{head}{form}{tail}", None)
        for name in margins:
            for form in addressed(name):
                alternatives.setdefault(f"{head}{form}{tail}", name)
    if not said or not alternatives:
        return None
    others = list(alternatives)
    seen = model.head_bounds(heard, list(said), others)
    if seen is not None:
        # The transcript began with the wake word: what the decoder saw while writing it
        # bounds every name, and when none can win (the usual case), nothing is decoded.
        own_seen, seen_bounds = seen
        if all(
            bound - own_seen - margins[alternatives[text]] <= -HEAD_SLACK
            for text, bound in zip(others, seen_bounds, strict=True)
        ):
            return None
    own_scores, bounds = model.score_bounding(heard, list(said), others, ended=False)
    own = max(own_scores)
    # Only a beginning whose bound could beat the wake word is decoded: most names lose on
    # their first token already ("Hey Ra..." against "Hey trainer"), and the answer is the
    # same as scoring them all.
    contenders = [
        text
        for text, bound in zip(others, bounds, strict=True)
        if bound - own - margins[alternatives[text]] > 0
    ]
    if not contenders:
        return None
    scores = model.score(heard, contenders, ended=False)
    over = {
        text: score - own - margins[alternatives[text]]
        for text, score in zip(contenders, scores, strict=True)
    }
    best = max(over, key=lambda text: over[text])
    return alternatives[best] if over[best] > 0 else None


@dataclass(frozen=True)
class WakeChoice:
    """How the model would go on after a wake phrase's first word ("Hey ...")."""

    margin: float
    """Log probability of the wake word's first token minus that of the likeliest other
    token there (natural log; negative: the model would write something else)."""
    instead: str
    """That likeliest other token as written ("Tina")."""


def wake_choice(
    model: WhisperModel, heard: NeuralResult, wake_phrases: Iterable[str]
) -> WakeChoice | None:
    """Whether the model, forced to begin with a wake phrase's first word ("Hey", "Hey,"),
    would write the wake word next: read where the wake word is likeliest. None for wake
    phrases of one word (nothing to force) or without audio.

    A generic name test, with no list of names: for "hey tina" the model's choice after "Hey"
    is "Tina", for "hey banana" "Mah", for "hey trevor" "tre", while the wake word still
    comes first or close for a real command however garbled the rest ("Here to become join
    us"). Calibrated on tuning and calibration voices (bench/README.md)."""
    leads: dict[str, list[int]] = {}
    """Forced beginning as written -> the first tokens of the wake words after it."""
    for phrase in wake_phrases:
        words = phrase.split()
        if len(words) < 2:
            continue
        lead, rest = words[0].capitalize(), " ".join(words[1:])
        firsts = [model.tokens(rest)[0], model.tokens(rest[:1].upper() + rest[1:])[0]]
        for form in (lead, f"{lead},"):
            leads.setdefault(form, [])
            leads[form] += [t for t in firsts if t not in leads[form]]
    if not leads or heard.encoded is None:
        return None
    forms = list(leads)
    prefixes = [model.tokens(form) for form in forms]
    steps = model.continuations(heard, prefixes, [len(p) for p in prefixes])
    best: tuple[float, float, int] | None = None
    """(the wake word's log probability, its margin, the other token) where it is likeliest."""
    for form, (_cost, row) in zip(forms, steps, strict=True):
        if len(row) <= 1:
            continue
        wake = leads[form]
        own = float(np.logaddexp.reduce(row[wake]))
        others = row.copy()
        others[wake] = -np.inf
        other = int(np.argmax(others))
        if best is None or own > best[0]:
            best = (own, own - float(others[other]), other)
    if best is None:
        return None
    return WakeChoice(best[1], model.token_text(best[2]))
