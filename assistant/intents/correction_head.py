"""A correction written label first, then why: "correct positive, you were wrong", "исправь:
позитивный, ты ошибся", "fix negative - it is sarcasm". No reply is named: the label is for my
last prediction (`commands.notes`), and the words after the comma or dash say why. The head
words are each language's `typed.correct_words`."""

from __future__ import annotations

import re

from .matcher import Intent, normalize

_LABEL_THEN_WHY = re.compile(r"\s*([^\s,;:–—]+?)\s*(?:[,;:]|\s-+(?=\s|$)|[–—]+)(.*)", re.S)
"""One word (a label may hold a hyphen: `not-spam`), then a comma, semicolon or colon, or a
dash (with a space before it when it is a hyphen), then anything."""
_REPLY_NUMBER = re.compile(r"#?\d+")


def label_first(text: str) -> tuple[str, str] | None:
    """(label, why) of `text` written as a label, a comma or dash, and words ("positive, you
    were wrong": `positive`, "you were wrong"); None for anything else, a reply's number first
    among it (`#12, negative` names a reply)."""
    found = _LABEL_THEN_WHY.fullmatch(text)
    if found is None or _REPLY_NUMBER.fullmatch(found[1]):
        return None
    return found[1], found[2].strip()


def labelled_correction(
    line: str, heads: list[str], persons: list[str], matched: Intent | None
) -> Intent | None:
    """`line` as a correction of my last prediction when one of `heads` begins it (a colon may
    follow, a comma may not: "Исправьте, пожалуйста, ..." is politeness) and a label and a
    comma or dash come next; else `matched`, what the templates made of the line. A word of
    `persons` is no label ("correct me, the meeting is at 5", "поправь меня, если ..."). What
    the templates found stays, unless it is a correction they read from a clause without
    the label ("ты ошибся") or with this same one ("fix negative" of "fix negative - ...")."""
    head, _, rest = line.strip().partition(" ")
    first = label_first(rest)
    if first is None or head.endswith(",") or normalize(head) not in _words(heads):
        return matched
    label = normalize(first[0])
    if label in _words(persons):
        return matched
    if matched is not None and matched.name != "correct":
        return matched
    if matched is not None and normalize(str(matched.slots.get("text") or label)) != label:
        return matched
    return Intent("correct", {"text": rest.strip()}, normalize(line))


def _words(listed: list[str]) -> set[str]:
    return {normalize(word) for word in listed}


__all__ = ["label_first", "labelled_correction"]
