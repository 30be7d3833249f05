"""Typed lines read as commands: a sentence ("please train the model on reviews"), a line that
calls the bot by name, and the command a line no template says most likely meant.

Apart from the `Assistant` because it is one question, what a typed line says, with state of
its own (each language's templates and learnt guesser) that running commands never needs.
What a command's words are once a line is a command (`parse_typed`, a reason after a dash) is
read in assistant/typed_arguments.py; a line whose first word was taken for a command's name
("!please undo", "@Trainer status") is read again in assistant/command_lines.py
(`as_sentence`); lines in another script in assistant/other_scripts.py. `Reader` is made of
all four.
"""

from __future__ import annotations

import dataclasses
import difflib
import threading
from collections.abc import Callable, Iterable
from functools import cache, cached_property, partial
from typing import Any

from . import i18n
from . import line_rereading as rereading
from .command_lines import CommandLineReading, slashed
from .commands.registry import Command, CommandRegistry
from .config import VoiceSettings
from .intents.address import (
    Address,
    calls_someone,
    said_to_someone_else,
    without_politeness,
)
from .intents.clock import without_clock_times
from .intents.correction_head import labelled_correction
from .intents.emoji_words import as_words
from .intents.feedback_head import labelled_feedback, passed_on_feedback
from .intents.guess import CommandGuesser
from .intents.listed import listed_texts
from .intents.matcher import Intent, IntentMatcher, normalize, to_request
from .intents.name_options import name_options
from .intents.named_guess import named_guess, named_options
from .intents.parts import takes_back
from .intents.slot_names import with_dictated_names, with_named_data, without_polite_names
from .intents.ticket_head import ticket_body
from .messages import Request, Source, User
from .other_scripts import OtherScriptReading
from .typed_arguments import (
    LONGEST_SENTENCE,
    ArgumentReading,
    feedback_elsewhere,
    feedback_lists,
)
from .typed_line import (
    addressed,
    greetings,
    read_line,
    read_respelled,
    read_run_on,
    said_twice,
    two_requests,
)

_OWN_WORDS = ("correct", "feedback")
"""Commands whose later sentences are what the user says, not a request taken back: "That's
wrong. No, it's negative.", "The bot is slow. No joke, minutes."."""
_SENTENCE_MARKS = ".,!?…;:"
"""What a sentence of one word may end (or be set off) with: "Archive.", "train?"."""
_HEARD = User(id="voice", name="voice")
"""Who `Reader.heard` reads for: reading needs no person."""


class Reader(CommandLineReading, ArgumentReading, OtherScriptReading):
    """Reads typed lines for the `Assistant` (`app.reading`), with its command lookup, its
    guilds' languages and the names they may say."""

    def __init__(
        self,
        voice: VoiceSettings,
        commands: CommandRegistry,
        *,
        find_command: Callable[[str], Command | None],
        language: Callable[[str], str],
        lists: Callable[[str], dict[str, list[str]]],
        names: Callable[[str, Command, dict[str, Any]], bool],
    ) -> None:
        self._voice = voice
        self._commands = commands
        self._find_command = find_command
        self._language = language
        self._lists = lists
        self._names = names
        """Whether several typed words of a command name a folder or dataset
        (`commands.data.names_something`)."""
        self._matchers: dict[str, IntentMatcher] = {}
        self._guessers: dict[str, CommandGuesser] = {}
        self._guess_lock = threading.Lock()

    @cached_property
    def intents(self) -> IntentMatcher:
        """The voice intents, for typed free text. Typed names match as written, so the
        pronunciation dictionary is not needed here."""
        return IntentMatcher.from_settings(self._voice, is_word=lambda _word: True)

    def intents_for(self, language: str) -> IntentMatcher:
        """Free-text templates of one language (English: `intents`)."""
        if language == i18n.ENGLISH:
            return self.intents
        if language not in self._matchers:
            self._matchers[language] = IntentMatcher.from_settings(
                self._voice,
                is_word=lambda _word: True,
                sentences=i18n.sentences_file(language),
            )
        return self._matchers[language]

    def understand(
        self,
        text: str,
        *,
        user: User,
        guild_id: str,
        channel_id: str,
        source: Source = "text",
        exact: bool = False,
        by_names: bool = True,
        respelt: bool = False,
        times: bool = True,
        learned_only: bool = False,
    ) -> Request | None:
        """Free text ("please train the model on reviews") as a request, or None; `exact`:
        only a template sentence itself, not the nearest one to a typo; `by_names`: a line
        no template says may be read by the name of the guild's data it holds (`_named_guess`);
        `respelt`: the line is already another one's words in one script, or written back
        (`_past_other_script`, `_transliterated`), and is not read so again; `times`: clock
        times in it may be read past (assistant/intents/clock.py); `learned_only`: what the
        words of a line say is asked only of a guesser already learned (no wait for one)."""
        if len(text) > LONGEST_SENTENCE:
            return None
        if slashed(text.split(" ", 1)[0]):
            text = text.lstrip().lstrip("/")  # "/commands": a slash command's slash
        # the same line read again another way: as written, without its times, in one script
        read_as = partial(
            self.understand,
            user=user,
            guild_id=guild_id,
            channel_id=channel_id,
            source=source,
            learned_only=learned_only,
        )
        heads = [
            head
            for language in dict.fromkeys((self._language(guild_id), i18n.ENGLISH))
            for head in i18n.word_list(language, "typed.ticket_heads")
        ]
        languages = dict.fromkeys((self._language(guild_id), i18n.ENGLISH))
        same = partial(read_as, exact=exact, by_names=by_names, respelt=respelt, times=times)
        found = rereading.unsigned(text, languages, same)  # "... Cheers, Tom"
        if found is not None:
            return found
        body = ticket_body(text, heads)
        if body is not None:
            # "Request: abort running training": the head says what kind of message it is
            found = read_as(body, exact=exact, by_names=by_names, respelt=respelt, times=times)
            if found is not None:
                return found
        timeless = without_clock_times(text) if times else text
        if timeless != text:
            # as written first: "feedback your replies come in 5 minutes" keeps its words;
            # else without the times ("train on kaggle tweets in 5 minutes")
            once = partial(read_as, exact=exact, by_names=by_names, respelt=respelt, times=False)
            return once(text) or once(timeless)
        lists = self._lists(guild_id)
        intent = None
        # The guild's language first; English commands are understood everywhere.
        for language in dict.fromkeys((self._language(guild_id), i18n.ENGLISH)):
            matcher = self.intents_for(language)
            matcher.update_lists(lists)
            unlearned = learned_only and language not in self._guessers
            says = None if exact or unlearned else self._guess_in(language)
            others = i18n.word_list(language, "typed.others")
            if calls_someone(text, self._people, greetings(language, matcher), others):
                return None  # "Sara, can you send me the file?" asks Sara
            if said_to_someone_else(text, i18n.word_list(language, "typed.said_to_others")):
                return None  # "never mind, I was talking to my sister"
            address = addressed(text, language, matcher)
            retractions = i18n.word_list(language, "typed.retractions")
            joiners = i18n.word_list(language, "typed.joiners")
            reasons = i18n.word_list(language, "typed.reasons")
            if feedback_elsewhere(address.rest, language):
                return None  # "feedback for the kitchen staff: the soup was cold"
            intent = labelled_correction(
                address.rest,
                i18n.word_list(language, "typed.correct_words"),
                i18n.word_list(language, "typed.correct_persons"),
                labelled_feedback(address.rest, *feedback_lists(language))
                or passed_on_feedback(
                    address.rest,
                    i18n.word_list(language, "typed.feedback_passes"),
                    i18n.word_list(language, "typed.feedback_makers"),
                    (
                        i18n.word_list(language, "typed.feedback_as"),
                        i18n.word_list(language, "typed.feedback_words"),
                    ),
                )
                or read_line(matcher, address, text, says, retractions, joiners, reasons, language)
                # neither is a template sentence itself (`exact`): `create_dataset again`
                # names its dataset
                or (None if exact else self._lone_command(address))
                or (None if exact else said_twice(matcher, address, language))
                or (
                    None
                    if exact
                    else read_respelled(
                        matcher, address, text, language, says, (retractions, joiners, reasons)
                    )
                )
                or (None if says is None else read_run_on(matcher, address, language, says, lists))
                or (
                    None
                    if says is None or not by_names
                    # its emoji are words too: "📦 movie reviews" archives them
                    else self._named_guess(
                        as_words(address.rest, i18n.word_pairs(language, "typed.emoji"))
                        or address.rest,
                        language,
                    )
                ),
            )
            if intent is None:
                continue
            if intent.name not in _OWN_WORDS and takes_back(address.rest, retractions):
                return None  # "could you back up the corpus? Never mind."
            plans = i18n.word_list(language, "typed.own_plans")
            if intent.name != "feedback" and _says_own_plan(address.loose or address.rest, plans):
                return None  # "I'll send the report later": what the writer will do
            intent = without_polite_names(intent, self._politeness(), lists)
            marks = i18n.word_pairs(language, "typed.dictated")
            intent = with_dictated_names(intent, marks, self._politeness())
            intent = with_named_data(intent, address.rest, matcher)
            pointers = i18n.word_list(language, "typed.plural_pointers")
            intent = listed_texts(intent, address.rest, pointers)
            # one of two requests run would drop the other unsaid
            two = (
                None
                if says is None
                else two_requests(matcher, address, says, retractions, language)
            )
            if two is not None:
                return None
            break
        if intent is None:
            found = rereading.asked_of_bot(text, languages, same)  # "is it ok if I ..."
            if found is not None:
                return found
            if not respelt:
                tails = partial(read_as, exact=exact, by_names=by_names, respelt=True, times=times)
                found = rereading.past_greeting(text, self._greetings(languages), tails)
                if found is not None:
                    return found
            # "select датасет kaggle tweets": words of one language in a line of another;
            # "otmeni obuchenie": the guild's language in Latin letters
            if respelt:
                return None
            again = partial(read_as, exact=exact, by_names=False, respelt=True)
            return (
                self._past_other_script(text, guild_id, again)
                or self._transliterated(text, guild_id, again)
                or self._emoji_written(
                    text, guild_id, partial(read_as, exact=exact, by_names=by_names, respelt=True)
                )
            )
        if intent.name == "hi" and not respelt:
            tails = partial(read_as, exact=exact, by_names=by_names, respelt=True, times=times)
            found = rereading.past_greeting(text, self._greetings(languages), tails)
            if found is not None:
                return found
        request = to_request(intent, user, guild_id, channel_id)
        return dataclasses.replace(request, source=source)

    def _greetings(self, languages: Iterable[str]) -> list[set[str]]:
        """Each language's words that greet (a line that opens with one may ask later)."""
        return [greetings(code, self.intents_for(code)) for code in languages]

    def heard(self, words: str, guild_id: str | None) -> Intent | None:
        """Words a speech recognizer wrote after the wake phrase, read as a typed line is
        ("okay so train it with kaggle tweets"): the command, or None. A name alone says no
        command here: recognizers write names for other words."""
        guild = guild_id or ""
        request = self.understand(
            words,
            user=_HEARD,
            guild_id=guild,
            channel_id="",
            source="voice",
            by_names=False,
            learned_only=True,  # a reply must not wait while it learns (seconds, once ever)
        )
        if request is None or not self._names_known(request, guild):
            return None
        return Intent(request.command, dict(request.options or {}), request.text, True)

    def _names_known(self, request: Request, guild_id: str) -> bool:
        """Every name of data `request` gives is one the guild has. Typed, "select dataset
        linkout" is read with a name it lacks, so the command can say there is none; heard,
        such a name is the model's misspelling ("select the dataset cardal tweet" for kaggle
        tweets, which the grammar had heard right)."""
        names = {str(value) for values in self._lists(guild_id).values() for value in values}
        named = _name_options(self.intents_for(i18n.ENGLISH))
        given = (value for option, value in (request.options or {}).items() if option in named)
        return all(str(value) in names for value in given)

    def two_commands(self, text: str, guild_id: str) -> tuple[str, str] | None:
        """The names of two different commands the sentences of `text` ask for, as the guild
        calls them ("please test the model. could you send over report.txt?"), or None."""
        if len(text) > LONGEST_SENTENCE:
            return None
        guild_language = self._language(guild_id)
        for language in dict.fromkeys((guild_language, i18n.ENGLISH)):
            matcher = self.intents_for(language)
            matcher.update_lists(self._lists(guild_id))
            address = addressed(text, language, matcher)
            retractions = i18n.word_list(language, "typed.retractions")
            two = two_requests(matcher, address, self._guess_in(language), retractions, language)
            if two is not None:
                return (
                    i18n.command_name(guild_language, two[0]),
                    i18n.command_name(guild_language, two[1]),
                )
        return None

    def did_you_mean(self, name: str) -> str | None:
        """The command a mistyped name was probably meant to be ("please" is no typo of
        `leave`: it is politeness; "score" no typo of `correct`: it is a word of the sentences,
        and the line's words say what it meant)."""
        word = normalize(name)
        if word in self._politeness() or any(
            word in self.intents_for(code).typed.template_words for code in i18n.languages()
        ):
            return None
        names = [c.name for c in self._commands.all()] + list(i18n.localized_names())
        close = difflib.get_close_matches(name.lower(), names, n=1)
        return close[0] if close else None

    def guess_command(self, line: str, guild_id: str, written_in: str | None = None) -> str | None:
        """The command `line` (words of `written_in`, by default the guild's language) most
        likely meant, named as the guild calls it, or None (blocking: the first guess of a
        language learns from its templates, about a second)."""
        language = self._language(guild_id)
        written = written_in or language
        command = self.guesser(written).guess(line)
        if command is None or not self._speaks_for(line, command, written):
            return None
        return i18n.command_name(language, command)

    def _speaks_for(self, line: str, command: str, language: str) -> bool:
        """Whether a word of `line` is one that `command`'s templates have and fewer than half
        the commands': "what a lovely day outside" holds only words every command has
        ("what", "a") or none has, and was offered `help` when the learnt guesser leaned so."""
        typed = self.intents_for(language).typed
        words = typed.command_words
        common = len(typed.matcher.data.get("intents") or {}) // 2
        return any(
            command in (found := words.get(word, frozenset())) and len(found) < common
            for word in normalize(line).split()
        )

    def named_options(self, line: str, guild_id: str, command: str) -> dict[str, str] | None:
        """`command`'s option for the one name of the guild's data `line` holds, when the
        command takes that kind of name (assistant/intents/named_guess.py), else None: what a
        suggestion of `command` for the line runs with."""
        matcher = self.intents_for(self._language(guild_id))
        matcher.update_lists(self._lists(guild_id))
        return named_options(line, matcher, command)

    def guesser(self, language: str) -> CommandGuesser:
        """The command guesser of one language's templates (learnt on first use)."""
        with self._guess_lock:
            if language not in self._guessers:
                self._guessers[language] = CommandGuesser(self.intents_for(language))
            return self._guessers[language]

    def _lone_command(self, address: Address) -> Intent | None:
        """A command's name said alone ("train", "archive please", "um, archive."), as that
        command with its defaults: free text and heard words are said to the bot, so its own
        name for a command asks for it, as `!train` does. A name only, in any language
        (`обучить`) or an alias (`retrain`); no typo of one ("trian" is left to "did you
        mean")."""
        said = without_politeness(address.loose or address.rest, self._politeness()).split()
        # one word and the marks a sentence ends with: `train ---` gives the command "---",
        # which it refuses, and `getfile \ud800` a name that is no text
        word = said[0].strip(_SENTENCE_MARKS).lower() if len(said) == 1 else ""
        found = self._find_command(word) if word else None
        return None if found is None else Intent(found.name, {}, word, False)

    def _named_guess(self, line: str, language: str) -> Intent | None:
        """A line that names the guild's data, as the command its words most likely say
        (assistant/intents/named_guess.py). Not a line that begins with a command's name:
        its words are that command's, which another language's guesser does not know
        ("archive movie reviews" in a Russian server)."""
        first = line.split()[0].strip(",.!?:;") if line.split() else ""
        if self._find_command(first) is not None:
            return None
        return named_guess(line, self.intents_for(language), self.guesser(language).chances)

    def _guess_in(self, language: str) -> Callable[[str], str | None]:
        """`guesser(language).guess`, learnt only when first asked (most lines never are)."""
        return lambda line: self.guesser(language).guess(line)

    def _politeness(self) -> set[str]:
        """Every language's politeness words, spoken (the templates' skip words) and written
        (`typed.polite`: "pls"); a typed command may be in English anywhere."""
        words: set[str] = set()
        for code in i18n.languages():
            words.update(self.intents_for(code).intents.skip_words)
            words.update(i18n.word_list(code, "typed.polite"))
        return words

    @cached_property
    def _people(self) -> frozenset[str]:
        """Every language's first names a line may call someone else by (`typed.people`), read
        once: each typed line is checked against them."""
        return frozenset(
            w for code in i18n.languages() for w in i18n.word_list(code, "typed.people")
        )


@cache
def _name_options(matcher: IntentMatcher) -> frozenset[str]:
    return name_options(matcher.intents)


def _says_own_plan(line: str, plans: list[str]) -> bool:
    """Whether `line` opens with what the writer will do ("I'll archive the folder later",
    "we'll test it tomorrow"): said of themselves, not asked of the bot (feedback aside: "I'll
    give you 5 stars" rates it)."""
    said = f"{normalize(line)} "
    return any(said.startswith(f"{normalize(plan)} ") for plan in plans if plan.strip())
