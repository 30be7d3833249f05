"""A quoted example and the label written after it: `"dull" is negative`, `«скучно» — негатив`.

The quotes say where the example ends, so what follows may only be its label, in any language
(`i18n.label_words`), after a linking word or not (`typed.label_links`). Read alike by a
command's arguments (assistant/commands/quoted_text.py) and by the sentence templates' slots
(assistant/intents/matcher.py), so that `train "dull" is negative` and `teach the model this:
"dull" is negative` add the same example."""

from __future__ import annotations

from .. import i18n

LABELS = ("positive", "negative")
"""The labels a word after a quoted example may name (and `true`/`false` for them)."""
BOOLS = {"true", "false"}

_CLOSING = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "„": "“"}


def label_word(word: str) -> str | None:
    """`word` (a label ending the line: `positive.`) as the value it sets after a quoted text:
    `true`, `positive`, or a language's word for a label (`негатив`); else None."""
    lower = word.rstrip(".!;,").lower()
    if lower in BOOLS or lower in LABELS:
        return lower
    return next((label for label in LABELS if lower in i18n.label_words(label)), None)


def typed_words(key: str) -> frozenset[str]:
    """A `typed.*` word list of the language spoken and English (people mix them)."""
    return frozenset(i18n.word_list(i18n.current(), key) + i18n.word_list(i18n.ENGLISH, key))


def label_after(words: str) -> str | None:
    """The label `words` name after a quoted example (`is negative`, `— негатив`, `positive`),
    else None."""
    parts = words.lstrip(",; ").split()  # `"dull", negative`
    if len(parts) == 2 and parts[0].lower() in typed_words("typed.label_links"):
        parts = parts[1:]
    return label_word(parts[0]) if len(parts) == 1 else None


def split_quoted(written: str) -> tuple[str, str] | None:
    """A text in quotes with words after it (`"dull" is negative`): the text and the words;
    None when the quotes do not close before the end (`"dull"`, `dull`)."""
    text = written.strip()
    close = _CLOSING.get(text[:1])
    end = text.find(close, 1) if close else -1
    if end < 0 or not text[end + 1 :].strip():
        return None
    return text[1:end], text[end + 1 :].strip()
