"""The command a typed sentence most likely meant, when no template says it: a suggestion only.

Templates cover the phrasings someone thought of. Lines written without sight of them
("check the model's accuracy", "is the model still training") are often no template
sentence, yet their words say which command they mean. A text classifier learned from the
templates' own sentences (word and character n-grams, logistic regression) names that command
for the "did you mean" of the reply; the line itself never runs on a guess, since a guess at
`train` or `archive` acting on chatter would change data nobody asked to change.

Measured (bench/phrasing_bench.py, lines held out of all tuning): of the held-out English lines
no template matched, the guess at `GUESS_FLOOR` named the right command for about three in
four and a wrong one for about one in twenty.
"""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

from hassil import Intents
from hassil.expression import (
    Alternative,
    Expression,
    ListReference,
    RuleReference,
    Sentence,
    Sequence,
    TextChunk,
)
from hassil.intents import TextSlotList
from hassil.sample import sample_expression, sample_intents

from .. import kept
from ..child_process import in_child
from ..heap import build_in_background
from .guess_model import compiled
from .matcher import IntentMatcher
from .normalize import finish_parts, joined_parts, normalize, normalize_many, normalize_part

GUESS_FLOOR = 0.5
"""Least probability for the likeliest command to be suggested."""
PER_COMMAND = 400
"""Sentences learned from per command: `train` alone has thousands (every dataset name and
way to say it), which would only slow the fit (about 0.3 s instead of 2 s)."""
_READ_AT_ONCE = 20_000
"""Template sentences normalized together (`normalize_many`) when hassil samples them
(`_sampled`): the 2.8 million are read in batches, never all held at once."""
_PLACEHOLDERS = {"dataset": ["movie reviews"], "folder": ["movie reviews"], "file": ["report.txt"]}
"""One value per run-time list: the words around a name say the command, not the name."""
_LEARNERS = ("scikit-learn", "numpy", "scipy", "hassil")
"""What a kept model depends on besides the templates (hassil: which sentences a sample
gives)."""
_CODE = Path(__file__).parent
"""The code that samples and normalizes the sentences learned from (part of a kept model's
name)."""


_LEARNING = threading.Lock()
_LEARNED: dict[str, Any] = {}
"""Models learned in this process, by `kept.key`: the typed hint and the words' vote
learn from the same sentences."""


class CommandGuesser:
    """Learned once from a matcher's templates; `guess(text)` is thread-safe (read-only)."""

    def __init__(self, matcher: IntentMatcher) -> None:
        lists = matcher.lists_with(_PLACEHOLDERS)
        # Learners start in threads of their own (the typed hint, the spoken hint, the words'
        # vote); scipy's lazy submodules are not safe to load from two threads at once
        # ("Module 'scipy' has no attribute '_lib'"), so one learns at a time.
        with _LEARNING:
            name = kept.key(_described(matcher, lists), _LEARNERS, _CODE)
            model = _LEARNED.get(name)
            if model is None:
                # Kept as plain numbers: loading it needs no scikit-learn (guess_model.py).
                # Learned in a child process: 18 s of Python beside the event loop slowed
                # live voice (assistant/child_process.py).
                model = kept.load_or_make(
                    "guesser",
                    name,
                    lambda: in_child(_learned, matcher.data, lists),
                    lambda model: model is not None,
                )
            _LEARNED[name] = model
        self._model: Any = model

    def guess(self, text: str) -> str | None:
        """The likeliest command for `text`, or None when none reaches `GUESS_FLOOR`."""
        chances = self.chances(text)
        best = max(chances, key=chances.__getitem__, default=None)
        return best if best is not None and chances[best] >= GUESS_FLOOR else None

    def chances(self, text: str) -> dict[str, float]:
        """Each command's probability of being what `text` says ({} for no words)."""
        words = normalize(text)
        if not words:
            return {}
        probabilities = self._model.predict_proba([words])[0]
        return {str(c): float(p) for c, p in zip(self._model.classes_, probabilities, strict=True)}


def learn_in_background(learn: Callable[[], None], name: str) -> None:
    """Run `learn` in a thread of its own that the interpreter waits for at exit. Not a
    daemon: a daemon thread still learning when Python finalizes is stopped where numpy's C++
    takes the GIL back, which aborts the whole process ("terminate called without an active
    exception", seen in 1 console run of 60 under load). With the model kept on disk
    (assistant/kept.py), only the first start ever learns, so the wait is rare. What is learned
    lives as long as the process: once the last learner ends it is frozen (assistant/heap.py)."""
    build_in_background(learn, name)


def _learned(templates: dict[str, Any], lists: dict[str, Any]) -> Any:
    """The compiled model of the templates (a matcher's `data`) with these slot lists."""
    return compiled(_learn(*_examples(Intents.from_dict(templates), lists)))


def _learn(texts: list[str], commands: list[str]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
    )
    model = make_pipeline(
        features, LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000)
    )
    model.fit(texts, commands)
    return model


def _described(matcher: IntentMatcher, lists: dict[str, Any]) -> str:
    """What `_examples` samples from: the templates, the placeholders as said, the bound."""
    said = "".join(repr(lists[name]) for name in _PLACEHOLDERS)
    return f"{matcher.templates_key} {said} {PER_COMMAND}"


def _examples(intents: Intents, lists: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Up to `PER_COMMAND` distinct template sentences per command (a fixed sample)."""
    try:
        found = _said(intents, lists)
    except _Unsure:
        found = _sampled(intents, lists)
    chosen = random.Random(0)
    texts: list[str] = []
    commands: list[str] = []
    for command, sentences in found.items():
        kept = list(sentences)
        if len(kept) > PER_COMMAND:
            kept = chosen.sample(kept, PER_COMMAND)
        texts += kept
        commands += [command] * len(kept)
    return texts, commands


def _sampled(intents: Intents, lists: dict[str, Any]) -> dict[str, dict[str, None]]:
    """Each command's distinct normalized sentences, in the order hassil's sample says them."""
    found: dict[str, dict[str, None]] = defaultdict(dict)
    pairs = sample_intents(intents, slot_lists=lists)
    while said := list(islice(pairs, _READ_AT_ONCE)):
        for (intent, _), words in zip(said, normalize_many([t for _, t in said]), strict=True):
            found[intent].setdefault(words, None)
    return found


def _said(intents: Intents, lists: dict[str, Any]) -> dict[str, dict[str, None]]:
    """`_sampled`, the same, in a sixth of the CPU (1.8 s instead of 12 for the English
    templates): each part of a template is normalized once (`normalize_part`), not again in
    each of the 2.8 million sentences it is in, and no sentence is tidied by hassil first (its
    white space, at each level of a template: 5 s of the 12). Holds a command's sentences at
    once (70 MB more at the most than `_sampled`, in the child process that learns)."""
    lists = {**intents.slot_lists, **lists}
    common = _Parts(lists, intents.expansion_rules)
    found: dict[str, dict[str, None]] = {}
    for name, intent in intents.intents.items():
        sentences: list[str] = []
        for data in intent.data:
            parts = common
            if data.expansion_rules:
                parts = _Parts(lists, {**intents.expansion_rules, **data.expansion_rules})
            for sentence in data.sentences:
                if any(n in data.wildcard_list_names for n in sentence.list_names(parts.rules)):
                    continue  # as hassil's sample does
                sentences += finish_parts(parts.of(sentence.expression))
        if sentences:
            found[name] = dict.fromkeys(sentences)
    return found


class _Unsure(Exception):
    """A template whose parts may not be normalized apart (`normalize_part`)."""


class _Parts:
    """Each sentence an expression says, as joined `normalize_part`s, in hassil's order."""

    def __init__(self, lists: dict[str, Any], rules: dict[str, Sentence]) -> None:
        self.lists = lists
        self.rules = rules
        self._named: dict[str, list[str]] = {}
        """By list or rule: what each says (they are said in many templates)."""

    def of(self, expression: Expression) -> list[str]:
        if isinstance(expression, TextChunk):
            if "Σ" in expression.original_text:
                raise _Unsure
            return [normalize_part(expression.original_text)]
        if isinstance(expression, Sequence):
            said = [""]
            for item in expression.items:
                said = joined_parts(said, self.of(item))
            return said
        if isinstance(expression, Alternative):
            # A part said twice: what the second says, the first said before it.
            return list(dict.fromkeys(s for item in expression.items for s in self.of(item)))
        if isinstance(expression, RuleReference) and expression.rule_name in self.rules:
            rule = self.rules[expression.rule_name].expression
            return self._by_name(f"<{expression.rule_name}>", lambda: self.of(rule))
        if isinstance(expression, ListReference):
            values = self.lists.get(expression.list_name)
            if isinstance(values, TextSlotList) and values.values:
                return self._by_name(
                    f"{{{expression.list_name}}}",
                    lambda: [s for value in values.values for s in self.of(value.text_in)],
                )
        # Permutations (hassil strips each one's ends), ranges, wildcards, errors: hassil's.
        return [self._part(s) for s in sample_expression(expression, self.lists, self.rules)]

    def _by_name(self, name: str, said: Callable[[], list[str]]) -> list[str]:
        known = self._named.get(name)
        if known is None:
            # Said twice (a list's values): what the second says, the first said before it.
            self._named[name] = known = list(dict.fromkeys(said()))
        return known

    @staticmethod
    def _part(text: str) -> str:
        if "Σ" in text:
            raise _Unsure
        return normalize_part(text)
