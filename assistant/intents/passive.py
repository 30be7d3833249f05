"""Orders that say what should happen to a thing, turned round to the imperative the
templates say.

Managers write what should happen to a thing ("The current training job must be cancelled
immediately", "The active dataset should be set to kaggle_tweets", "обучение нужно срочно
отменить"); the templates say the action first ("cancel the current training job"). `active`
moves the verb to the front. Each language has its own words: auxiliaries followed by a
participle (`typed.passive`: "should be, must be, is to be"), with the participles that are
no verb plus -ed (`typed.participles`: "set = set, sent = send"), and auxiliaries followed by
the verb as the templates write it (`typed.modal`: "нужно, надо"). A language with none of
these lists turns nothing round. A need said of a thing ("we need the model retrained") is
turned round the same way (`needed`; `typed.needs`: "we need, i'd like").
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from .parts import SENTENCE_BREAK

_WORD = r"[^\W\d_][\w'-]*"


def active(
    line: str,
    passive: Collection[str],
    participles: Mapping[str, str],
    modal: Collection[str],
    verbs: Collection[str],
) -> str | None:
    """`line` with its order turned round ("the model must be retrained on movie reviews" ->
    "retrain the model on movie reviews"), or None when it is no such order: no auxiliary,
    nothing before it, or no form of a template verb (`verbs`) among the two words after it:
    "the train should be on time" stays chat. A word between the auxiliary and the verb
    ("срочно") stays in the line."""
    lowered = line.lower()
    auxiliaries = [(a, True) for a in passive] + [(a, False) for a in modal]
    for auxiliary, takes_participle in sorted(auxiliaries, key=lambda a: -len(a[0])):
        found = re.search(
            rf"(?<=\s){re.escape(auxiliary)}\s+(?P<first>{_WORD})(?:\s+(?P<second>{_WORD}))?",
            lowered,
        )
        if found is None:
            continue
        thing = line[: found.start()].strip()
        if not thing:
            return None
        for group in ("first", "second"):
            word = found.group(group)
            if word is None:
                break
            verb = _verb(word, participles, verbs) if takes_participle else _as_is(word, verbs)
            if verb is None:
                continue
            between = found.group("first") if group == "second" else ""
            rest = line[found.end(group) :].strip()
            return " ".join(w for w in (between, verb, thing, rest) if w)
        return None
    return None


def needed(
    line: str, needs: Collection[str], participles: Mapping[str, str], verbs: Collection[str]
) -> str | None:
    """A need said of a thing ("we need the model retrained on movie reviews", "I'd like the
    kaggle tweets folder zipped up") as the order the templates say ("retrain the model on
    movie reviews", "zip up the kaggle tweets folder"), or None: no need (`needs`: "we need",
    "i'd like") first, no thing after it, or no participle of a template verb within the six
    words after the thing's first ("I need my car washed" stays chat)."""
    lowered = line.lower()
    for need in sorted(needs, key=len, reverse=True):
        if not lowered.startswith(f"{need} "):
            continue
        words = line[len(need) :].split()
        for at in range(1, min(len(words), 7)):
            verb = _verb(words[at].lower().strip(",.!?"), participles, verbs)
            if verb is None:
                continue
            rest = words[at + 1 :]
            particle = rest[:1] if rest[:1] and rest[0].lower() == "up" else []
            return " ".join([verb, *particle, *words[:at], *rest[len(particle) :]])
        return None
    return None


def asked(
    line: str, asks: Collection[str], participles: Mapping[str, str], verbs: Collection[str]
) -> str | None:
    """A request asked in the passive ("could the model be retrained?", "can the kaggle tweets
    folder be zipped") as the order the templates say ("retrain the model", "zip the kaggle
    tweets folder"), or None: no modal (`asks`: "could, can") first, no "be" within the eight
    words after it, or no participle of a template verb right after "be" ("could the train be
    late?" stays chat)."""
    lowered = line.lower()
    for ask in sorted(asks, key=len, reverse=True):
        if not lowered.startswith(f"{ask} "):
            continue
        words = line[len(ask) :].split()
        for at in range(1, min(len(words) - 1, 9)):
            if words[at].lower() != "be":
                continue
            verb = _verb(words[at + 1].lower().strip(",.!?"), participles, verbs)
            return None if verb is None else " ".join([verb, *words[:at], *words[at + 2 :]])
        return None
    return None


def to_you(
    line: str, subjects: Mapping[str, str], possessives: Mapping[str, str] | None = None
) -> str | None:
    """A question that names the bot in the third person ("could the bot connect to voice?",
    "is the bot able to leave") asked of it (`subjects`: "could the bot = could you"), or
    None when no sentence of the line opens with such words. Each sentence is turned ("Would
    the bot mind disconnecting? The rehearsal is over."), and in a turned one the bot's
    possessive too (`possessives`: "its = your": "could Trainer list its commands")."""
    turned, changed = [], False
    longest_first = sorted(subjects, key=len, reverse=True)
    for piece, gap in _pieces(line):
        lowered = piece.lower()
        for said in longest_first:
            if lowered.startswith(f"{said} "):
                rest = piece[len(said) :].strip()
                for own, yours in (possessives or {}).items():
                    rest = re.sub(rf"(?<!\w){re.escape(own)}(?!\w)", yours, rest, flags=re.I)
                piece = f"{subjects[said]} {rest}".strip()
                changed = True
                break
        turned.append(piece + gap)
    return "".join(turned) if changed else None


def _pieces(line: str) -> list[tuple[str, str]]:
    """`line`'s sentences, each with the break after it (assistant/intents/parts.py)."""
    pieces, start = [], 0
    for found in SENTENCE_BREAK.finditer(line):
        pieces.append((line[start : found.start()], found.group()))
        start = found.end()
    return [*pieces, (line[start:], "")]


def _as_is(word: str, verbs: Collection[str]) -> str | None:
    return word if word in verbs else None


def _verb(participle: str, participles: Mapping[str, str], verbs: Collection[str]) -> str | None:
    """The template verb `participle` is a form of ("cancelled" -> "cancel", "zipped" ->
    "zip", "archived" -> "archive", "sent" -> "send"), or None."""
    if participle in participles:
        verb = participles[participle]
        return verb if verb in verbs else None
    if not participle.endswith("ed"):
        return None
    stem = participle[:-2]
    doubled = stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""
    for verb in (stem, stem + "e", doubled):
        if verb and verb in verbs:
            return verb
    return None


__all__ = ["active", "asked", "needed", "to_you"]
