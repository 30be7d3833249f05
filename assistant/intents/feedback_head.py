"""A typed line whose short head names feedback, then a colon or a dash: "some feedback: the
reports are clear", "bug — the progress bar froze". The rest is the feedback as written (its
words may name commands: "the new test command is useful" asks for no test); the head words are
each language's `typed.feedback_words`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .matcher import Intent, normalize

_HEAD_END = re.compile(r":|\s[—–-]+\s")
"""Where a labelled line's head ends: a colon, or a dash with spaces ("feedback — ...")."""


def labelled_feedback(
    line: str,
    words: list[str],
    questions: Sequence[str] = (),
    recipients: tuple[Sequence[str], Sequence[str]] = ((), ()),
) -> Intent | None:
    """`line` as feedback when its head of at most six words names feedback, else None; a
    head that asks (`questions`: "what kind of review is this:") labels no feedback, nor one
    meant for someone else ("my feedback for the team: fewer meetings please"): `recipients`
    is the words that say whom it is for ("for") and those that mean the bot ("you", "the
    devs")."""
    end = _HEAD_END.search(line)
    if end is None:
        return None
    head, body = line[: end.start()], line[end.end() :]
    head_words = f" {normalize(head)} "
    if not body.strip() or len(head_words.split()) > 6:
        return None
    if not any(f" {normalize(word)} " in head_words for word in words if word.strip()):
        return None
    if any(f" {normalize(word)} " in head_words for word in questions if word.strip()):
        return None
    if _for_someone_else(head_words.split(), *recipients):
        return None
    return Intent("feedback", {"text": body.strip()}, normalize(line))


def _for_someone_else(head: list[str], marks: Sequence[str], bot: Sequence[str]) -> bool:
    """Whether `head` says whom its feedback is for, after one of `marks`, and that is not
    one of `bot` (the bot and its makers)."""
    marked = [at for at, word in enumerate(head) if word in {normalize(m) for m in marks}]
    if not marked:
        return False
    whom = " ".join(head[marked[-1] + 1 :])
    return bool(whom) and whom not in {normalize(b) for b in bot}


__all__ = ["labelled_feedback"]
