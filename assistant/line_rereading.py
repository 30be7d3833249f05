"""A typed line read again in another form, when as written it says no command (or only
greets): without the name signed under it, asked of the bot rather than of a third person or
as a permission, and from its later sentences past a greeting. Each is read by the reader's
own `read` (`Reader.understand` with the line's flags), so every rule applies to it again;
the languages are the guild's and English, whose commands are typed everywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from . import i18n
from .intents.address import after_greeting
from .intents.parts import sentence_tails
from .intents.sign_off import without_sign_off
from .messages import Request
from .typed_line import asked_of_you

Read = Callable[[str], Request | None]
"""A line -> the request it says, or None (`Reader.understand` with the line's flags)."""


def unsigned(text: str, languages: Iterable[str], read: Read) -> Request | None:
    """The request of `text` without the name signed under it ("... archive movie reviews?
    Cheers, Tom"; `typed.sign_offs`): read first, since a name at the end of a line calls
    someone else ("..., Sara?"). Not feedback: it keeps every word."""
    for language in languages:
        line = without_sign_off(text, i18n.word_list(language, "typed.sign_offs"))
        found = None if line is None else read(line)
        if found is not None and found.command != "feedback":
            return found
    return None


def asked_of_bot(text: str, languages: Iterable[str], read: Read) -> Request | None:
    """The request of `text` asked as a permission, or of the bot named in the third person,
    read as asked of it ("is it ok if I archive kaggle tweets?", "would the bot mind
    leaving?"; assistant/typed_line.py `asked_of_you`)."""
    for language in languages:
        turned = asked_of_you(text, language)
        found = None if turned is None else read(turned)
        if found is not None:
            return found
    return None


def past_greeting(text: str, greetings: Iterable[set[str]], read: Read) -> Request | None:
    """The request in a later sentence of a line that opens with a greeting (one of
    `greetings`, each language's), when one asks for a command other than `hi`: "Hello
    Trainer, thanks for all your help this week. Could you send over the report.txt file?
    Kind regards, Siobhan" greeted and asked no more; "Hi Trainer, sorry to be a pain, ...
    Could you archive movie reviews? Cheers, Tom" was read as nothing."""
    if all(after_greeting(text, words) is None for words in greetings):
        return None
    for tail in sentence_tails(text):
        found = read(tail)
        if found is not None and found.command != "hi":
            return found
    return None
