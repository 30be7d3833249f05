"""Typed free text -> command where it is near a template sentence without being one.

Voice and typed text share the exact template match (matcher.py). Typing adds a reading of its
own: the nearest template sentence when it is close enough (`TYPED_GATE`: typos, a word more
or less), and the index of the words the templates are written with, which tells a typo from
another command's word and a sentence from a mistyped command name. It lives here, apart from
the templates, slot lists and wake phrase, because speech never takes this path (it snaps in
audio/, under gates of its own).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from functools import cached_property
from itertools import pairwise
from typing import Any

from .matcher import Intent, IntentMatcher, normalize
from .typos import replaced_word

TYPED_GATE = 0.88
"""Least similarity for typed text to count as the nearest template sentence (typos, a word
more or less): measured, typos of real commands score 0.93-0.98, unrelated sentences 0.5-0.76."""
_CANDIDATES = 8
"""Near sentences looked at, nearest first, for one that is no other word and no other
command's than the line's words say."""
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
"""A word of a template: letters, an apostrophe inside ("what's")."""
_SLOT = re.compile(r"\{[^}]*\}")
"""A slot in a template ({dataset:data_dir}): names, not words."""
_RULE = re.compile(r"<(\w+)>")


class TypedMatcher:
    """The typed reading of one `IntentMatcher` (`IntentMatcher.typed`): its near-sentence
    index is rebuilt when the matcher's lists change."""

    def __init__(self, matcher: IntentMatcher) -> None:
        self.matcher = matcher
        self._near: Any = None
        self._near_version = -1

    @cached_property
    def command_words(self) -> dict[str, frozenset[str]]:
        """Each word written in the templates ("evaluate", "score", "what's" and "whats") -> the
        commands whose sentences have it, rules such as <model> read in place."""
        data = self.matcher.data
        rules = {name: str(rule) for name, rule in (data.get("expansion_rules") or {}).items()}
        found: dict[str, set[str]] = defaultdict(set)
        for name, intent in (data.get("intents") or {}).items():
            for block in intent.get("data") or []:
                for sentence in block.get("sentences") or []:
                    text = _SLOT.sub(" ", _with_rules(str(sentence).lower(), rules))
                    for word in _WORD.findall(text):
                        # both "what's" (as typed words are respelled to) and "whats"
                        found[word].add(name)
                        found[word.replace("'", "")].add(name)
        return {word: frozenset(names) for word, names in found.items()}

    @property
    def template_words(self) -> frozenset[str]:
        """Every word of a template sentence: one a line may begin with, as opposed to a
        mistyped command name."""
        return frozenset(self.command_words)

    def match(self, text: str, says: Callable[[str], str | None] | None = None) -> Intent | None:
        """Typed free text: an exact match, else the nearest template sentence when it is
        close enough (`TYPED_GATE`: typos, a small word more or less). hassil 3 has no fuzzy
        matcher of its own, so the near sentence comes from the same index the speech side
        snaps to (assistant/intents/snap.py). Single words are left to the command-name
        "did you mean" instead. `says(line)`: the command the line's words as a whole say, if
        any (assistant/intents/guess.py); a near sentence that drops a word of other commands
        is not taken when they say another command."""
        matcher = self.matcher
        intent = matcher.match(text)
        if intent is not None:
            return intent
        wake, rest = matcher.split_wake(text)
        if len(rest.split()) < 2:
            return None
        near_sentences = self._near_sentences()
        last = matcher.match(text, last_resort=True)
        # compared as the index compared them: "please" is no word "from" stands in for
        written = near_sentences.without_politeness(normalize(rest))
        described = self._described_by_label(written)
        said: str | None = None
        snaps = near_sentences.nearest(rest, _CANDIDATES, least=TYPED_GATE)
        tied = {s.intent.name for s in snaps if s.intent and snaps[0].score == s.score}
        if says is not None and len(tied) > 1:
            # equally near sentences of two commands ("use dataset X", "zip dataset X" for
            # "dataset X"): the command the line's words say first, not the index's order
            first = says(rest)
            snaps.sort(key=lambda snap: (-snap.score, not snap.intent or snap.intent.name != first))
        for snap in snaps:
            if snap.intent is None or replaced_word(written, normalize(snap.sentence)):
                continue  # "сделай активным датасет" is no typo of "сделай архив датасет"
            if described - set(normalize(snap.sentence).split()):
                continue  # "это был негативный опыт" is no "это был негативный [отзыв]"
            other = says is not None and self._other_command_word(
                rest, snap.sentence, snap.intent.name
            )
            if said is None and other and says is not None:
                said = says(rest) or ""
            if said and said != snap.intent.name:
                continue  # "evaluate the model" is no typo of "update the model": the nearest
                # sentence of the command the words say is, if there is one
            near = Intent(snap.intent.name, snap.intent.slots, snap.intent.text, wake)
            # "select dataset cats" is nearest to "select dataset", which drops the name it gave
            if last is not None and last.name == near.name and set(last.slots) > set(near.slots):
                return last
            return near
        return last

    def _described_by_label(self, text: str) -> set[str]:
        """The words of `text` right after a label ("positive", "негативный") that are no word
        the corrections say of a reply: a near sentence that lacks one is not taken, as the
        label then says what that is ("a negative experience", "positive vibes"), not what a
        reply should have been. Read once per line, not per near sentence."""
        labels = {form for form, _value in self.matcher.spoken_lists().get("label", [])}
        # "a positive one", "негативный отзыв": words the corrections say of a reply
        said = {w for w, names in self.command_words.items() if "correct" in names}
        return {after for word, after in pairwise(text.split()) if word in labels} - said

    def _other_command_word(self, text: str, sentence: str, command: str) -> str | None:
        """A word of `text` that the near `sentence` lacks and that only other commands'
        sentences have, or None. Such a word is no typo: "evaluate the model on kaggle tweets"
        is near "update the model on kaggle tweets" letter by letter, yet "evaluate" is
        `test`'s word."""
        kept = set(sentence.replace("'", "").split())
        polite = {normalize(w) for w in self.matcher.intents.skip_words}
        for word in normalize(text).replace("'", "").split():
            commands = self.command_words.get(word)
            if commands and command not in commands and word not in kept | polite:
                return word
        return None

    def _near_sentences(self) -> Any:
        from .snap import GrammarSnapper

        version = self.matcher.lists_version
        if self._near is None:
            self._near = GrammarSnapper(self.matcher, typed=True)
        elif self._near_version != version:
            self._near.rebuild()
        self._near_version = version
        return self._near


def _with_rules(text: str, rules: dict[str, str], depth: int = 0) -> str:
    """`text` with each <rule> replaced by the rule's own text (rules may use rules)."""
    if depth > 8:  # a rule that uses itself
        return text
    return _RULE.sub(lambda m: f"({_with_rules(rules.get(m[1], ''), rules, depth + 1)})", text)


__all__ = ["TYPED_GATE", "TypedMatcher"]
