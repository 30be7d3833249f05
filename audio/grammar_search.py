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
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assistant.intents.matcher import Intent, IntentMatcher, normalize

from .asr.neural import MAX_TOKENS, NeuralResult, WhisperModel
from .rescore import as_spoken, unrepeated
from .written_forms import spoken_words

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
_KEPT_SPARE = 20_000
"""Sentences kept past the grammar's own (names removed) before the kept ones are pruned."""


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
    """Token trie of sentences that all begin with one of a few prefixes (the wake phrases):
    the sentences' own tokens once, each prefix leading into them."""

    def __init__(
        self, prefixes: list[tuple[str, list[int]]], sentences: Iterable[tuple[str, list[int]]]
    ) -> None:
        """`prefixes`: each as spoken ("Hey trainer") and its tokens; `sentences`: the rest of
        each text as spoken after a prefix (" select kaggle tweets") and its tokens."""
        self.root: dict[int, Any] = {}
        longest = MAX_TOKENS - max((len(ids) for _head, ids in prefixes), default=0)
        for text, tokens in sentences:
            node = self.root
            for token in tokens[:longest]:
                node = node.setdefault(token, {})
            node[_END] = text
        self.starts: list[tuple[str, list[int], dict[int, Any]]] = [
            (head, ids, self.root) for head, ids in prefixes if self.root
        ]
        """Where a search begins: the prefix as spoken, its tokens, the node after them."""


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
    beams: list[tuple[list[int], float, dict[int, Any], int, str]] = [
        (ids, 0.0, node, len(ids), head) for head, ids, node in trie.starts
    ]
    found: list[Found] = []
    end = model.end_of_text
    walk = model.walk(heard)
    for step in range(MAX_STEPS):
        if not beams:
            break
        prefixes = [p for p, *_ in beams]
        paid_from = [len(p) - unpaid for p, _, _, unpaid, _head in beams]
        if walk is not None:
            steps = walk.continuations(prefixes, paid_from)
        else:
            steps = model.continuations(heard, prefixes, paid_from)
        grown: list[tuple[list[int], float, dict[int, Any], int, str]] = []
        for (prefix, cost, node, _unpaid, head), (paid, following) in zip(
            beams, steps, strict=True
        ):
            cost += paid
            if len(following) <= 1:  # the decoder returned nothing for this prefix
                continue
            for token, child in node.items():
                if token == _END:
                    text = head + child
                    found.append(Found(text, cost + float(following[end]), len(prefix) + 1))
                else:
                    taken = cost + float(following[token])
                    grown.append(_one_way([*prefix, token], taken, child, head))
        grown.sort(key=lambda b: -b[1])
        beams = grown[:beam]
        if step + 1 == GIVE_UP_AFTER and floor is not None and beams:
            prefix, cost, _node, unpaid, _head = beams[0]
            if cost / (len(prefix) - unpaid) < floor:
                break
    return found


def _one_way(
    prefix: list[int], cost: float, node: dict[int, Any], head: str
) -> tuple[list[int], float, dict[int, Any], int, str]:
    """A new beam, taken along the trie while it has only one way on."""
    unpaid = 0
    while len(node) == 1 and _END not in node:
        token, node = next(iter(node.items()))
        prefix = [*prefix, token]
        unpaid += 1
    return prefix, cost, node, unpaid, head


class TrieCache:
    """The trie of the current grammar, rebuilt when the grammar's sentences change.

    A build wrote and tokenized every sentence once for each wake phrase (133,000 texts: 1.4 s
    of CPU), after every new name (a dataset made) and for every new hearer. The model writes
    "Hey trainer" + " " + the sentence's words, and byte-level BPE splits at spaces, so a
    sentence's words and tokens do not depend on the wake phrase before it: they are kept
    (`_said`, per model, shared by the hearers of a process) and only new sentences cost; the
    last trie is kept too, for a hearer with the same grammar (a new session, a test)."""

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
                self._trie = _trie_of(model, list(wake_phrases), sentences)
                self._sentences, self._wakes = sentences, list(wake_phrases)
            return self._trie


_built_lock = threading.Lock()
_said: weakref.WeakKeyDictionary[WhisperModel, dict[str, tuple[str, list[int]]]] = (
    weakref.WeakKeyDictionary()
)
"""Per model: a grammar sentence -> its words as the model writes them after a wake phrase
(" select kaggle tweets") and their tokens."""
_last: weakref.WeakKeyDictionary[WhisperModel, tuple[tuple[str, ...], SentenceTrie]] = (
    weakref.WeakKeyDictionary()
)
"""Per model: the last trie built, by its wake phrases and sentences."""


def _trie_of(model: WhisperModel, wake_phrases: list[str], sentences: list[str]) -> SentenceTrie:
    """The trie of `sentences` after each of `wake_phrases` (as spoken), from what is kept."""
    key = (*wake_phrases, "", *sentences)
    with _built_lock:
        last = _last.get(model)
        if last is not None and last[0] == key:
            return last[1]
        said = _said.setdefault(model, {})
        new = [s for s in dict.fromkeys(sentences) if s not in said]
        words = [spoken_words(s) for s in new]
        for sentence, text, tokens in zip(new, words, model.tokens_of_many(words), strict=True):
            said[sentence] = (f" {text}" if text else "", tokens)
        if len(said) > 2 * len(sentences) + _KEPT_SPARE:  # names gone: forget their sentences
            _said[model] = said = {s: said[s] for s in sentences}
        heads = [(head, model.tokens(head)) for head in map(as_spoken, wake_phrases)]
        trie = SentenceTrie(heads, map(said.__getitem__, sentences))
        _last[model] = (key, trie)
        return trie


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
