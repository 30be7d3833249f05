"""A typed line's words written the way the templates write them: chat shorthand ("u", "dc",
"lemme") written out, and a misspelt word ("traning", "swtich", "vocie") taken for the one
template word it is a typo of.

The near-sentence gate (`TypedMatcher.match`, assistant/intents/typed.py) forgives typos only
in a line that is nearly a whole template sentence. People misspell words of lines that are no
template sentence as written ("is the model done traning yet", "can u joim the call"); spelled
right, many of them are one. This is the last reading a typed line gets, and what it reads is
taken only when the command it names keeps the user's own words (`keeps_words`): a respelled
feedback text or sentence to classify would no longer be what the user wrote.

A word is respelled only when it is no word of the templates or the lists, has at least four
letters (three for two swapped letters: "teh", "adn"), and exactly one template word is one
edit away (a letter added, dropped, changed, or two neighbours swapped). The likeliest typo
wins where several words are one edit away: two letters swapped ("statsu" is "status", not
"stats"), then a letter left out ("staus" is "status"). Shorthand comes from
each language's `typed.shorthand` (messages.yaml: `u = you, dc = disconnect`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from .matcher import Intent, IntentMatcher, normalize


def respelled(text: str, words: Collection[str], shorthand: Mapping[str, str]) -> str:
    """`text`, normalized, with shorthand written out and typos of `words` corrected."""
    out = []
    for word in normalize(text).split():
        said = shorthand.get(word)
        if said is not None and all(w in words for w in said.split()):
            # written out, even where a template has it as written: "научи модельку заново"
            # is "научи модель заново" (a template's "модельку" is in one sentence only)
            out.append(said)
        elif word in words:
            out.append(word)
        elif said is not None:
            out.append(said)
        elif "-" in word and word.split("-")[0] in words:
            out.append(word.split("-")[0])  # a particle ("зайди-ка") or a word said twice
        else:
            out.append(_typo_of(word, words) or _unglued(word, words, shorthand) or word)
    return " ".join(out)


def respelled_in_place(text: str, words: Collection[str], shorthand: Mapping[str, str]) -> str:
    """`text` respelled word by word (`respelled`) with its punctuation where it was, so its
    clauses stay apart: "u can go now, leave teh voice"."""
    out = []
    for token in text.split():
        core = token.strip(_MARKS)
        if not core:
            out.append(token)
            continue
        start = token.index(core)
        out.append(token[:start] + respelled(core, words, shorthand) + token[start + len(core) :])
    return " ".join(out)


_MARKS = ",.!?:;…\"'«»“”‘’"
"""Marks that end a clause or sentence, kept in place by `respelled_in_place`."""


def vocabulary(matcher: IntentMatcher) -> frozenset[str]:
    """The words a typed word may be a typo of: the templates', their politeness words
    ("пожалуйста") and the lists' (names of datasets, files and labels as they are said)."""
    named = {
        word
        for pairs in matcher.spoken_lists().values()
        for form, _value in pairs
        for word in form.split()
    }
    return matcher.typed.template_words | named | {normalize(w) for w in matcher.intents.skip_words}


def keeps_words(intent: Intent, matcher: IntentMatcher, line: str) -> bool:
    """Whether each value of `intent` is a name the lists know or words `line` has as
    written: a respelled line may name "kagle tweets" as the dataset `kaggle_tweets`, but
    its feedback or sentence to classify must be the user's own words."""
    known = {
        str(value).lower()
        for pairs in matcher.spoken_lists().values()
        for _form, value in pairs
        if isinstance(value, str)
    }
    written = f" {normalize(line)} "
    for value in intent.slots.values():
        if not isinstance(value, str) or value.lower() in known:
            continue
        if f" {normalize(_unquoted(value).replace('_', ' '))} " not in written:
            return False
    return True


def _unquoted(value: str) -> str:
    """A JSON string slot (`"dull plot"`) as its text; any other value as it is."""
    try:
        loaded: Any = json.loads(value)
    except ValueError:
        return value
    return loaded if isinstance(loaded, str) else value


def _typo_of(word: str, words: Collection[str]) -> str | None:
    """The one word of `words` that `word` is a typo of, or None (none, or several)."""
    if len(word) < 3 or not word.isalpha():
        return None
    found = {w for w in words if abs(len(w) - len(word)) <= 1 and _one_edit(word, w, False)}
    # the likeliest typos first: two letters swapped ("statsu" is "status", not "stats"), then
    # a letter left out ("staus" is "status", not "stats")
    swapped = {w for w in found if _one_edit(word, w, True)}
    dropped = {w for w in found if len(w) == len(word) + 1}
    found = swapped if len(word) == 3 else swapped or dropped or found
    return found.pop() if len(found) == 1 else None


def _unglued(word: str, words: Collection[str], shorthand: Mapping[str, str]) -> str | None:
    """Two words typed without the space between them ("leavevc", "trainmodel"), written
    apart (shorthand written out: "leave voice channel"), when exactly one split makes a
    template word of at least three letters and then one of at least two; else None
    ("urself" is no "ur self")."""
    if len(word) < 5 or not word.isalpha():
        return None
    found = set()
    for at in range(3, len(word) - 1):
        first, second = word[:at], word[at:]
        said = shorthand.get(second)
        if first in words and (second in words or said is not None):
            found.add(f"{first} {said or second}")
    return found.pop() if len(found) == 1 else None


def _one_edit(a: str, b: str, swaps_only: bool) -> bool:
    """Whether `b` is `a` with one letter added, dropped or changed, or two neighbouring
    letters swapped (with `swaps_only`, only the last)."""
    if a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diffs) == 2 and diffs[1] == diffs[0] + 1
        if swapped and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]:
            return True
        return not swaps_only and len(diffs) == 1
    if swaps_only:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


__all__ = ["keeps_words", "respelled", "respelled_in_place", "vocabulary"]
