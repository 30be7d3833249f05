"""A typed line whose short head names feedback, then a colon or a dash: "some feedback: the
reports are clear", "bug — the progress bar froze". The rest is the feedback as written (its
words may name commands: "the new test command is useful" asks for no test); the head words are
each language's `typed.feedback_words`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .address import either
from .matcher import Intent, normalize

_HEAD_END = re.compile(r":|\s[—–-]+\s")
"""Where a labelled line's head ends: a colon, or a dash with spaces ("feedback — ...")."""
_LONGEST_HEAD = 8
"""Most words of a labelled head ("an idea for the people who made you:")."""


def labelled_feedback(
    line: str,
    words: list[str],
    questions: Sequence[str] = (),
    recipients: tuple[Sequence[str], Sequence[str]] = ((), ()),
) -> Intent | None:
    """`line` as feedback when its head of at most eight words names feedback, else None; a
    head that asks (`questions`: "what kind of review is this:") labels no feedback, nor one
    meant for someone else ("my feedback for the team: fewer meetings please"): `recipients`
    is the words that say whom it is for ("for") and those that mean the bot ("you", "the
    devs")."""
    head = _feedback_head(line, words, questions)
    end = _HEAD_END.search(line)
    if head is None or end is None or _for_someone_else(head, *recipients):
        return None
    return Intent("feedback", {"text": line[end.end() :].strip()}, normalize(line))


def passed_on_feedback(
    line: str,
    passes: Sequence[str],
    makers: Sequence[str],
    called: tuple[Sequence[str], Sequence[str]] = ((), ()),
) -> Intent | None:
    """`line` as feedback when it ends asking to pass it on to the bot's makers ("many
    clients say the answers are slow, please pass this to the people who made you"): the
    feedback is what comes before (`passes`: "pass this to"; `makers`: "the developers";
    `called`: the words for "as" and what feedback is called, "as feedback", may end it)."""
    passes, makers = [p for p in passes if p.strip()], [m for m in makers if m.strip()]
    if not passes or not makers:
        return None
    verbs, whom = either(passes), either(makers)
    tail = (
        rf"[\s,.;:!—–-]*(?:(?:please|pls|plz|kindly|can you|could you)\s+)?(?:{verbs})\s+(?:{whom})"
    )
    # "... pass that on to the devs as feedback?": the tail may say what it is
    links, kinds = ([w for w in words if w.strip()] for words in called)
    as_kind = rf"(?:\s+{either(links)}\s+(?:an?\s+)?{either(kinds)})?" if links and kinds else ""
    found = re.search(rf"{tail}{as_kind}[\s.!?]*$", line, re.I)
    if found is None:
        return None
    text = line[: found.start()].strip()
    return Intent("feedback", {"text": text}, normalize(line)) if normalize(text) else None


def for_someone_else(
    line: str,
    words: list[str],
    questions: Sequence[str] = (),
    recipients: tuple[Sequence[str], Sequence[str]] = ((), ()),
) -> bool:
    """Whether `line`'s head names feedback meant for someone else ("feedback for the
    kitchen staff: the soup was cold"): no feedback for the bot, whichever template says
    "feedback ..."."""
    head = _feedback_head(line, words, questions)
    return head is not None and _for_someone_else(head, *recipients)


def _feedback_head(line: str, words: list[str], questions: Sequence[str]) -> list[str] | None:
    """The words of `line`'s head when it is one of at most eight words that names feedback
    and asks nothing, before a colon or a dash and some words; else None."""
    end = _HEAD_END.search(line)
    if end is None:
        return None
    head, body = line[: end.start()], line[end.end() :]
    head_words = f" {normalize(head)} "
    if not body.strip() or len(head_words.split()) > _LONGEST_HEAD:
        return None
    if not any(f" {normalize(word)} " in head_words for word in words if word.strip()):
        return None
    if any(f" {normalize(word)} " in head_words for word in questions if word.strip()):
        return None
    return head_words.split()


def _for_someone_else(head: list[str], marks: Sequence[str], bot: Sequence[str]) -> bool:
    """Whether `head` says whom its feedback is for, after one of `marks`, and that is not
    one of `bot` (the bot and its makers)."""
    marked = [at for at, word in enumerate(head) if word in {normalize(m) for m in marks}]
    if not marked:
        return False
    whom = head[marked[-1] + 1 :]
    bots = {normalize(b) for b in bot}
    # "for the people who made you", "для тех, кто тебя сделал": the bot's makers
    return bool(whom) and " ".join(whom) not in bots and not any(word in bots for word in whom)


__all__ = ["for_someone_else", "labelled_feedback", "passed_on_feedback"]
