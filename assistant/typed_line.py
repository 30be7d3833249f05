"""One typed line read against one language's templates: without the bot's name
("hey bot, join us"), as written, loosely (politeness read off), by its sentences and clauses,
and last with its chat spelling written out. `Reader` (assistant/reading.py) asks each
language in turn and turns what it says into a request."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial

from . import i18n
from .intents.address import Address, after_greeting, verb_first, without_address
from .intents.matcher import Intent, IntentMatcher, normalize
from .intents.parts import (
    another_command,
    before_own_plan,
    by_sentence,
    led,
    only_said,
    two_said,
)
from .intents.passive import active, asked, needed, to_you
from .intents.run_on import from_asking, name_first
from .intents.spelling import keeps_words, respelled, respelled_in_place, vocabulary

_SAID_TWICE_WORDS = 16
"""The longest line `said_twice` cuts in two (a cut costs a template match, 2-4 ms): a
request run on into its repetition is said in a breath; a longer line is chat or context."""


def read_line(
    matcher: IntentMatcher,
    address: Address,
    text: str,
    says: Callable[[str], str | None] | None,
    retractions: list[str],
    joiners: list[str],
    reasons: list[str],
    language: str,
) -> Intent | None:
    """The line read by `_read_line`, else without what the writer says they will do after
    it ("please stop the current training and I will start again later": the plan is theirs,
    and its words, read as a second request, left the line none). Feedback keeps every word,
    so a line read as feedback only once cut is not."""
    marks = (retractions, joiners, reasons)
    found = _read_line(matcher, address, text, says, *marks, language)
    if found is not None:
        return found
    plans = i18n.word_list(language, "typed.own_plans")
    cut = before_own_plan(address.rest, plans, joiners)
    if cut is None:
        return None
    found = _read_line(matcher, addressed(cut, language, matcher), cut, says, *marks, language)
    return None if found is None or found.name == "feedback" else found


def asked_of_you(line: str, language: str) -> str | None:
    """`line` asked of the bot as the templates say it, or None when it is so already: a
    permission asked ("is it ok if I train on the tweets?" -> "can i train on the tweets?";
    `typed.permission_asks`), the bot named in the third person in any of its sentences
    ("would the bot mind leaving the call? we're done." -> "would you mind ..."; its own
    words too: "could Trainer list its commands" -> "... your commands";
    `typed.bot_subjects`, `typed.bot_possessives`)."""
    permitted = to_you(line, i18n.word_pairs(language, "typed.permission_asks"))
    to_bot = to_you(
        permitted or line,
        i18n.word_pairs(language, "typed.bot_subjects"),
        i18n.word_pairs(language, "typed.bot_possessives"),
    )
    return to_bot or permitted


def _read_line(
    matcher: IntentMatcher,
    address: Address,
    text: str,
    says: Callable[[str], str | None] | None,
    retractions: list[str],
    joiners: list[str],
    reasons: list[str],
    language: str,
) -> Intent | None:
    """The line without the bot's name, else as written ("приветик, тренер" is a
    greeting); a greeting and the name alone ("hey trainer", "hi bot") is `hi`. `says`:
    None for template sentences only, else what the words of a line say
    (`TypedMatcher.match`, assistant/intents/typed.py). `retractions`: the words that take a
    sentence back ("no wait"), `joiners` those that join a clause to the one before ("then";
    assistant/intents/parts.py), `reasons` those that begin a reason ("so I can ...")."""
    if address.called and not normalize(address.rest):
        return Intent("hi", {}, "", False)
    verbs = matcher.typed.template_words
    loose = verb_first(address.loose or text, verbs)
    turned = active(
        address.loose or text,
        i18n.word_list(language, "typed.passive"),
        i18n.word_pairs(language, "typed.participles"),
        i18n.word_list(language, "typed.modal"),
        verbs,
    )
    # politeness that was between the auxiliary and the verb is read off ("срочно")
    turned = addressed(turned, language, matcher).loose if turned else None
    wanted = needed(
        address.loose or text,
        i18n.word_list(language, "typed.needs"),
        i18n.word_pairs(language, "typed.participles"),
        verbs,
    )
    # asked in the passive ("could the model be retrained?"), or of the bot named in the
    # third person ("could the bot connect to voice?")
    asked_so = asked(
        address.rest,
        i18n.word_list(language, "typed.passive_asks"),
        i18n.word_pairs(language, "typed.participles"),
        verbs,
    )
    asked_so = addressed(asked_so, language, matcher).loose if asked_so else None
    # an answer before a request ("yes cancel that"); only at the start: "help yes" asks
    # about the console's `yes`
    assented = after_greeting(address.rest, i18n.word_list(language, "typed.assent"))
    assented = addressed(assented, language, matcher).loose if assented else None
    # chat interjections inside the line ("ur wrong lol its positive")
    unfilled = _without_fillers(address.rest, i18n.word_list(language, "typed.fillers"))
    unfilled = addressed(unfilled, language, matcher).loose if unfilled else None
    others = [found for found in (turned, wanted, asked_so, assented, unfilled) if found]
    for line in dict.fromkeys((address.rest, text, loose, *others)):
        intent = matcher.match(line) if says is None else matcher.typed.match(line, says)
        # an opinion's words take the rest of the line: another command there is asked
        feedback = intent is not None and intent.name == "feedback"
        if feedback and another_command(address.rest, matcher.match, "feedback"):
            return None
        if intent is not None:
            return intent
    greeted = after_greeting(text, greetings(language, matcher))
    others = i18n.word_list(language, "typed.others")
    # "hey guys, anyone up for games?", "hey sorry to bother everyone, ..." greet people
    firsts = [] if greeted is None else [greeted, addressed(greeted, language, matcher).loose]
    if greeted is None or any(
        part.split() and part.split()[0].strip(",.!?").lower() in others for part in firsts
    ):
        greeted = None
    if greeted is not None and says is not None and says(greeted) == "hi":
        # chat after a greeting ("morning trainer! hope the weekend treated you well",
        # "hello, I'm new here") greets; chat the guesser reads as no greeting does not, nor
        # a line that asks for a command after it ("Hi, ... I am lost, can you explain how
        # I should use this bot?": read_run_on reads it)
        asking = from_asking(greeted, i18n.word_list(language, "typed.asks"))
        request = None if asking is None else matcher.typed.match(asking, says)
        if request is None or request.name == "hi":
            return Intent("hi", {}, "", False)
        return None
    loosen = partial(_loosened, language=language, matcher=matcher)
    near = None if says is None else lambda part: led(matcher.typed, part, says)
    # the whole line too: "Good morning, Trainer. I hope you are well." greets in its first
    # sentence, which the greeted name taken off leaves as chat
    found = next(
        (
            found
            for line in dict.fromkeys((address.rest, text))
            if (
                found := by_sentence(
                    line, matcher.match, retractions, joiners, reasons, loosen, near
                )
            )
        ),
        None,
    )
    if found is not None or says is None:
        return found
    typed = lambda part: matcher.typed.match(loosen(part), says)  # noqa: E731
    return only_said(address.rest, typed, retractions)


def _loosened(part: str, language: str, matcher: IntentMatcher) -> str:
    """A sentence with its politeness read off, and where there was some, its -ing verb as the
    templates say it ("would you mind leaving the call? we're done here."; not "Leaving now.
    See you tomorrow", which says what the writer does)."""
    loose = addressed(part, language, matcher).loose
    if normalize(loose) == normalize(part):
        return loose
    return verb_first(loose, matcher.typed.template_words)


def _without_fillers(line: str, fillers: list[str]) -> str | None:
    """`line` without the chat interjections inside it (`typed.fillers`: "lol", "bruh"),
    emoji and all, or None when it has none."""
    drop = {normalize(f) for f in fillers if f.strip()}
    words = line.split()
    # at the ends they are politeness's ("haha the bot is funny" is chat about it)
    inner = [w for w in words[1:-1] if normalize(w) not in drop and normalize(w)]
    kept = [*words[:1], *inner, *words[-1:]] if len(words) > 2 else words
    return " ".join(kept) if len(kept) < len(words) else None


def said_twice(matcher: IntentMatcher, address: Address, language: str) -> Intent | None:
    """A line that asks for one command twice with no mark between ("how accurate is the
    model can you evaluate it", "help me out what options do i have"): speech runs a question
    on into the request it means. Each part a template sentence of two words or more
    (politeness read off its ends) of the same command: the part that names more, else the
    later one. Not feedback, whose words are the user's whole line."""
    words = address.rest.split()
    if len(words) > _SAID_TWICE_WORDS:
        return None
    for cut in range(1, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if min(len(normalize(head).split()), len(normalize(tail).split())) < 2:
            continue  # two sentences: "status — is it done yet" is a command and why
        first = matcher.match(addressed(head, language, matcher).loose)
        if first is None or first.name == "feedback":
            continue
        second = matcher.match(addressed(tail, language, matcher).loose)
        if second is not None and second.name == first.name:
            return second if len(second.slots) >= len(first.slots) else first
    return None


def two_requests(
    matcher: IntentMatcher,
    address: Address,
    says: Callable[[str], str | None],
    retractions: list[str],
    language: str,
) -> tuple[str, str] | None:
    """Two different commands the line's sentences ask for, each read as a template sentence
    or else as its near sentence (assistant/intents/parts.py `two_said`), or None."""

    def said(part: str) -> Intent | None:
        loose = addressed(part, language, matcher).loose
        return matcher.match(part) or matcher.match(loose) or matcher.typed.match(loose, says)

    return two_said(address.rest, said, retractions)


def read_respelled(
    matcher: IntentMatcher,
    address: Address,
    text: str,
    language: str,
    says: Callable[[str], str | None] | None,
    marks: tuple[list[str], list[str], list[str]],
) -> Intent | None:
    """The last reading: the line with its shorthand written out and its typos of template
    words corrected ("trainer u there", "is the model done traning yet";
    assistant/intents/spelling.py), when that changes it and the command keeps the user's
    own words."""
    shorthand = i18n.word_pairs(language, "typed.shorthand")
    words = vocabulary(matcher)
    called = addressed(respelled(text, words, shorthand), language, matcher)
    if called.called and not normalize(called.rest):
        return Intent("hi", {}, "", False)  # "hey trainr", "yo botr"
    line = address.loose or address.rest
    # written out, shorthand may be politeness read off at the ends ("rn": "right now")
    read = addressed(respelled(line, words, shorthand), language, matcher)
    spelled = normalize(read.loose)
    if len(spelled.split()) < 2:
        spelled = normalize(read.rest)  # "ботик классный": "бот" is the subject, not a call
    if spelled == normalize(line) or len(spelled.split()) < 2:
        return None  # one word is left to "Did you mean" (`trian` must not start a training)
    intent = _as_written_feedback(matcher.typed.match(spelled, says), spelled, line)
    if intent is None and says is not None:
        # clause by clause, the marks kept: "ok u can go now, leave the voice"
        marked = respelled_in_place(address.rest, words, shorthand)
        intent = read_line(
            matcher,
            addressed(marked, language, matcher),
            marked,
            says,
            *marks,  # the retractions, joiners and reasons `read_line` takes
            language,
        )
        intent = _as_written_feedback(intent, normalize(marked), address.rest)
    return intent if intent is not None and keeps_words(intent, matcher, text) else None


def _as_written_feedback(intent: Intent | None, spelled: str, line: str) -> Intent | None:
    """A whole line of feedback read respelled ("ботик классный" as "бот классный") kept as
    the user wrote it: the feedback is their words, not the spelling it was read in."""
    if intent is None or intent.name != "feedback":
        return intent
    if normalize(str(intent.slots.get("text", ""))) != spelled:
        return intent
    return dataclasses.replace(intent, slots={**intent.slots, "text": line.strip()})


def read_run_on(
    matcher: IntentMatcher,
    address: Address,
    language: str,
    says: Callable[[str], str | None],
    lists: dict[str, list[str]],
) -> Intent | None:
    """A request after a name put first ("kaggle tweets: archive it please"), or after words
    of context with no mark between them ("ok so i uploaded the data can you train on kaggle
    tweets now"; assistant/intents/run_on.py), read as its near sentence; None when the words
    before it say a command of their own."""
    names = [name for values in lists.values() for name in values]
    fronted = name_first(address.rest, names, i18n.word_list(language, "typed.pronouns"))
    if fronted is not None:
        return matcher.typed.match(addressed(fronted, language, matcher).loose, says)
    asked = from_asking(address.rest, i18n.word_list(language, "typed.asks"))
    if asked is None:
        return None
    context = address.rest[: len(address.rest) - len(asked)].strip()
    if context.endswith(",") and len(context.split()) <= 2:
        return None  # "Sara, can you send me the file": asked of someone else by name
    # A greeting first is no command of its own ("Hi, my friend set this up and I am lost,
    # can you explain how I should use this bot?")
    if matcher.typed.match(addressed(context, language, matcher).loose, says) is not None:
        return None
    request = addressed(asked, language, matcher)
    # the loose reading takes "bot" off "how I should use this bot" as a call
    return matcher.typed.match(request.loose, says) or matcher.typed.match(request.rest, says)


def addressed(text: str, language: str, matcher: IntentMatcher, polite: bool = True) -> Address:
    """`text` without the bot's name where it calls the bot ("hey bot, join us";
    assistant/intents/address.py): the wake phrases' names and the language's own; with
    `polite`, its loose reading reads off written politeness and greetings too."""
    names = [*matcher.wake_words, *i18n.word_list(language, "typed.bot_names")]
    hello = greetings(language, matcher)
    # a greeting before chat ("hey sorry to bother, ...") is read off loosely too
    words = [*i18n.word_list(language, "typed.polite"), *hello] if polite else []
    return without_address(text, names, hello, words)


def greetings(language: str, matcher: IntentMatcher) -> set[str]:
    """The words that greet: the wake phrases' first words ("hey") and the language's own."""
    greetings = {p.split()[0] for p in matcher.wake_phrases if " " in p}
    greetings.update(i18n.word_list(language, "typed.greetings"))
    return greetings


__all__ = [
    "addressed",
    "greetings",
    "read_line",
    "read_respelled",
    "read_run_on",
    "said_twice",
    "two_requests",
]
