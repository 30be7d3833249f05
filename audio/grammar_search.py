"""The whole grammar searched for the command the audio said, when its transcript is noise.

Scoring the sentences nearest to Whisper's transcript (audio/rescore.py) fails where tiny.en
writes noise for an accent ("He's really good" for "hey trainer, select kaggle tweets as
negative"): no sentence near that is the command. Here the model itself is walked through a
token trie of every sentence that begins with a wake phrase, a few best prefixes at a time
(beam search), so the candidates come from the sound, not from the spelling.
Ranking adds `length_bonus` per token: every token costs log probability, and without the bonus
the shortest sentence always wins ("Hey trainer stop" over "Hey trainer select ...").
Measured on the bench's misses (bench/README.md): about one search call per token of the
answer, 0.4-1 s on two busy cores.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assistant.intents.matcher import Intent, IntentMatcher, normalize

from .asr.neural import NeuralResult, WhisperModel
from .rescore import as_spoken, unrepeated

_END = -1
"""Trie key of a complete sentence (no token id is negative)."""
MAX_STEPS = 40
"""Longest answer searched, in tokens (the longest command is about 25)."""
GIVE_UP_AFTER = 2
"""Steps after which a hopeless search stops (`GIVE_UP_BELOW`)."""
GIVE_UP_BELOW = 4.0
"""A search whose best prefix is this much less probable per token than the model's own
transcript after `GIVE_UP_AFTER` steps stops: on the bench's utterances where the search ran,
it stopped 54 of 74 that found nothing and none that found the command."""


@dataclass(frozen=True)
class Found:
    """One complete sentence the search reached."""

    text: str
    """As scored ("Hey trainer select kaggle tweets as negative")."""
    log_probability: float
    """Of its tokens and the end of text, given the audio (natural log)."""
    tokens: int
    """How many tokens that counts, the end of text included."""

    def ranked(self, length_bonus: float) -> float:
        """The search's order: log probability plus `length_bonus` per token."""
        return self.log_probability + length_bonus * self.tokens


class SentenceTrie:
    """Token trie of sentences that all begin with one of a few prefixes (the wake phrases)."""

    def __init__(self, model: WhisperModel, prefixes: list[str], sentences: Iterable[str]):
        """`sentences` are whole texts as spoken, each beginning with one of `prefixes`."""
        self.root: dict[int, Any] = {}
        texts = list(sentences)
        for text, tokens in zip(texts, model.tokens_of_many(texts), strict=True):
            node = self.root
            for token in tokens:
                node = node.setdefault(token, {})
            node[_END] = text
        self.starts: list[tuple[list[int], dict[int, Any]]] = []
        for prefix in prefixes:
            ids = model.tokens(prefix)
            node = self.root
            for token in ids:
                node = node.get(token, {})
            if node:
                self.starts.append((ids, node))


def search(
    model: WhisperModel,
    heard: NeuralResult,
    trie: SentenceTrie,
    beam: int,
    floor: float | None = None,
) -> list[Found]:
    """Every sentence the beam reached, with its log probability given the audio. With a
    `floor` (log probability per token), the search gives up after `GIVE_UP_AFTER` steps when
    its best prefix is below it: no command was said.

    Where the trie has one way on (the rest of a word split into several tokens, "kag gle"),
    the beam takes it without a call: the decoder returns the logits of every position of a
    forced prefix, so those tokens are paid for at the next call. A beam is (prefix, log
    probability of its first tokens, trie node, how many last tokens are not paid for yet)."""
    beams: list[tuple[list[int], float, dict[int, Any], int]] = [
        (p, 0.0, n, len(p)) for p, n in trie.starts
    ]
    found: list[Found] = []
    end = model.end_of_text
    walk = model.walk(heard)
    for step in range(MAX_STEPS):
        if not beams:
            break
        prefixes = [p for p, *_ in beams]
        paid_from = [len(p) - unpaid for p, _, _, unpaid in beams]
        if walk is not None:
            steps = walk.continuations(prefixes, paid_from)
        else:
            steps = model.continuations(heard, prefixes, paid_from)
        grown: list[tuple[list[int], float, dict[int, Any], int]] = []
        for (prefix, cost, node, _unpaid), (paid, following) in zip(beams, steps, strict=True):
            cost += paid
            if len(following) <= 1:  # the decoder returned nothing for this prefix
                continue
            for token, child in node.items():
                if token == _END:
                    found.append(Found(child, cost + float(following[end]), len(prefix) + 1))
                else:
                    grown.append(_one_way([*prefix, token], cost + float(following[token]), child))
        grown.sort(key=lambda b: -b[1])
        beams = grown[:beam]
        if step + 1 == GIVE_UP_AFTER and floor is not None and beams:
            prefix, cost, _node, unpaid = beams[0]
            if cost / (len(prefix) - unpaid) < floor:
                break
    return found


def _one_way(
    prefix: list[int], cost: float, node: dict[int, Any]
) -> tuple[list[int], float, dict[int, Any], int]:
    """A new beam, taken along the trie while it has only one way on."""
    unpaid = 0
    while len(node) == 1 and _END not in node:
        token, node = next(iter(node.items()))
        prefix = [*prefix, token]
        unpaid += 1
    return prefix, cost, node, unpaid


class TrieCache:
    """The trie of the current grammar, rebuilt when the grammar's sentences change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sentences: list[str] | None = None
        self._wakes: list[str] = []
        self._trie: SentenceTrie | None = None

    def get(
        self, model: WhisperModel, wake_phrases: list[str], sentences: list[str]
    ) -> SentenceTrie:
        """The trie for these sentences (the snapper replaces its list when lists change)."""
        with self._lock:
            if (
                self._trie is None
                or self._sentences is not sentences
                or self._wakes != wake_phrases
            ):
                starts = [as_spoken(w) for w in wake_phrases]
                texts = (as_spoken(f"{w} {s}") for w in wake_phrases for s in sentences)
                self._trie = SentenceTrie(model, starts, texts)
                self._sentences, self._wakes = sentences, list(wake_phrases)
            return self._trie


@dataclass(frozen=True)
class Searched:
    """The search's answer for one utterance."""

    intent: Intent
    """Its command (the wake phrase was part of every sentence searched)."""
    sentence: str
    """As scored."""
    margin: float
    """Its log probability per token minus that of the model's own transcript (0 or more: at
    least as likely, token for token, as what the model wrote itself)."""
    found: int
    """How many complete sentences the beam reached."""
    ms: float
    """Time of the search."""


def search_command(
    model: WhisperModel,
    heard: NeuralResult,
    trie: SentenceTrie,
    matcher: IntentMatcher,
    beam: int,
    length_bonus: float,
) -> Searched | None:
    """The best command sentence the search reached, or None (no transcript or no command)."""
    started = time.perf_counter()
    free = as_spoken(unrepeated(heard.text))
    if not free or not trie.starts:
        return None
    own = model.score(heard, [free])[0] / (len(model.tokens(free)) + 1)
    found = search(model, heard, trie, beam, own - GIVE_UP_BELOW)
    commands = [f for f in found if _intent(matcher, f.text) is not None]
    if not commands:
        return None
    best = max(commands, key=lambda f: f.ranked(length_bonus))
    intent = _intent(matcher, best.text)
    assert intent is not None
    # The gate was set on CTranslate2's scores; the walk's differ by a few hundredths a token.
    (scored,) = model.score(heard, [best.text])
    margin = scored / best.tokens - own
    ms = (time.perf_counter() - started) * 1000
    return Searched(intent, best.text, margin, len(found), ms)


def _intent(matcher: IntentMatcher, text: str) -> Intent | None:
    wake, rest = matcher.split_wake(normalize(text))
    return matcher.match(rest) if wake and rest else None
