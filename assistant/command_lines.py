"""Typed command lines read again as what they say: a line whose first word was taken for a
command's name ("!train the model on movie reviews", "!please undo", "@Trainer status",
"/status in 10 min") as the command its sentence, the bot's name or politeness names; read as
arguments, these were an example to learn or no command at all.

Apart from the free-text reading of `Reader` (assistant/reading.py) because it starts from a
`Request` that already names a command and only rewrites it, as the typed arguments
(assistant/typed_arguments.py) and other scripts (assistant/other_scripts.py) are apart:
`Reader` is made of all four.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import i18n
from .commands.arguments import names_an_option, parse
from .commands.registry import Command
from .errors import UserError
from .intents.address import after_politeness
from .intents.clock import without_clock_times
from .intents.guess import CommandGuesser
from .intents.matcher import IntentMatcher
from .intents.mixed_script import MIXED_FLOOR, only_command_words, scripts_differ
from .messages import Request
from .typed_arguments import ARGUMENT_MARKS, past_flags
from .typed_line import addressed

_SENTENCE_ENDS = ".?!…"
"""Marks a sentence ends with, written after a command's name as after any last word."""
_OTHER_PREFIX = re.compile(r"(?:[^\W\d_]{1,3}[!.>]|[!$?.>%&+~^]{1,2})(?=[^\W\d_])")
"""Another bot's command prefix typed out of habit before one of ours: `t!train`, `tr.status`,
`$status`, `?help`, `%archive`: letters and a mark, or marks alone."""


class CommandLineReading:
    """The command-line readings of a `Reader`, which supplies the command lookup, the guilds'
    languages and names, its politeness words, guessers and sentence reading."""

    _find_command: Callable[[str], Command | None]
    _language: Callable[[str], str]
    _lists: Callable[[str], dict[str, list[str]]]
    _names: Callable[[str, Command, dict[str, Any]], bool]

    if TYPE_CHECKING:  # the `Reader`'s own (assistant/reading.py) and its other halves
        understand: Callable[..., Request | None]

        def intents_for(self, language: str) -> IntentMatcher: ...

        def guesser(self, language: str) -> CommandGuesser: ...

        def named_options(
            self, line: str, guild_id: str, command: str
        ) -> dict[str, str] | None: ...

        def _politeness(self) -> set[str]: ...

        def _past_reason(self, request: Request) -> Request: ...

        def _written_out(self, line: str, guild_id: str) -> str: ...

    def as_sentence(self, request: Request) -> Request:
        """A typed command line that is a sentence ("!train the model on movie reviews",
        "!please select kaggle tweets") as the command the sentence says; anything else as it
        came. Read as arguments, the first added "the model on movie reviews" as an example and
        the second named no command. Quotes, brackets, braces and `name=value` mean the user
        wrote arguments, and they are left to the command's own parser."""
        if request.options is not None or request.source not in ("text", "console"):
            return request
        if slashed(request.command):
            # "/status", "/please join the voice channel": the slash of Discord's slash
            # commands typed before a line, as the console reads it off (a DM has no prefix)
            request = dataclasses.replace(request, command=request.command.lstrip("/"))
        request = self._past_other_prefix(request)
        named = self._find_command(request.command)
        # `test -d movie_reviews`: read as `test movie_reviews` is, sentence or arguments
        request = past_flags(named, request)
        if named is None or not any(p.kind in ("text", "json") or p.source for p in named.params):
            # an example or a sentence to classify keeps its times ("came in 5 minutes")
            request = _past_clock_times(request)
        bare = request.command.rstrip(_SENTENCE_ENDS)
        if bare and bare != request.command and self._find_command(bare) is not None:
            request = dataclasses.replace(request, command=bare)  # "!status?", "!cancel!"
        called = self._past_address(request)
        if called is not request:
            return self.as_sentence(called)
        named = self._find_command(request.command)
        with i18n.speaking(self._language(request.guild_id)):  # `набор:` on a Russian server
            arguments = any(mark in request.text for mark in ARGUMENT_MARKS) or (
                named is not None and names_an_option(named, request.text)
            )
        line = f"{request.command} {request.text}"
        if not request.text.strip() or arguments:
            polite = self._past_politeness(self._past_reason(request))
            if not arguments or self._find_command(polite.command) is not None:
                return polite
            # no command's parser to leave the quotes to ("!please add "a film" as positive"):
            # a sentence, read as the console reads it typed without the prefix
            said = self.understand(
                line,
                user=request.user,
                guild_id=request.guild_id,
                channel_id=request.channel_id,
                source=request.source,
            )
            return polite if said is None else self._as_sent(said, request)
        # A command's own name with arguments ("!correct negative") is read as a sentence only
        # when it is one exactly; a near sentence must not take the place of real arguments.
        # Words that are no arguments of it ("!stop the model from training") may be one.
        exact = named is not None and self._are_arguments(named, request, line)
        understood = None
        for written in dict.fromkeys(
            (line, self._written_out(line, request.guild_id) if exact else line)
        ):
            # "test on movie reviews ds": chat shorthand written out ("ds" is "dataset"), as
            # a line that is no command's arguments is respelled
            understood = understood or self.understand(
                written,
                user=request.user,
                guild_id=request.guild_id,
                channel_id=request.channel_id,
                source=request.source,
                exact=exact,
            )
        # "cancel, ..." names `cancel` with its comma
        named = named or self._find_command(request.command.rstrip(",;:"))
        if understood is None and named is not None and request.text.lstrip()[:1].isalpha():
            # the command's name, then a sentence that says it ("cancel, stop the training",
            # "cancel, останови обучение"): the sentence's words are what it takes (a dash
            # or colon there begins a reason, `_past_reason`). Not by a name alone: the
            # command's own words name its folder (`select_dataset reviews 2024`), and
            # "train model movie reviews now" is refused with both readings.
            said = self.understand(
                request.text,
                user=request.user,
                guild_id=request.guild_id,
                channel_id=request.channel_id,
                source=request.source,
                by_names=False,
            )
            understood = said if said is not None and said.command == named.name else None
            if (
                understood is None
                and scripts_differ(request.command, request.text)
                and (
                    not self._are_arguments(named, request, line)  # `language русский`
                    or self._names_with_its_words(named.name, request)
                )
            ):
                understood = self._said_in_another_script(named, request)
        if understood is None:
            return self._past_politeness(self._past_reason(request))
        return self._as_sent(understood, request)

    def _past_other_prefix(self, request: Request) -> Request:
        """`t!train`, `$status`, `?help`: a command's name after another bot's prefix
        (`_OTHER_PREFIX`), as that command; people used to other bots type their prefixes,
        and the whole word was no command's name ("I didn't find a command"). Only a name
        that is one of ours after it: "t!rex", "?what" stay as they came."""
        if self._find_command(request.command) is not None:
            return request
        prefix = _OTHER_PREFIX.match(request.command)
        name = request.command[prefix.end() :] if prefix else ""
        if not name or self._find_command(name) is None:
            return request
        return dataclasses.replace(request, command=name)

    @staticmethod
    def _as_sent(understood: Request, request: Request) -> Request:
        """What a line was read as, with the message it came in (its id, reply, files)."""
        return dataclasses.replace(
            understood,
            message_id=request.message_id,
            reply_to=request.reply_to,
            attachments=request.attachments,
            unread_files=request.unread_files,
        )

    def _said_in_another_script(self, named: Command, request: Request) -> Request | None:
        """A command's name, then words of another script that are no arguments of it and say
        the same command ("join в мой голосовой канал"; assistant/intents/mixed_script.py):
        it runs when a language's guesser takes the words for it (`MIXED_FLOOR`), with the
        name of the guild's data they hold, if it needs no other argument."""
        for language in i18n.languages():
            chances = self.guesser(language).chances(request.text)
            if not self._only_its_words(named.name, request, language):
                if max(chances, key=chances.__getitem__) != named.name:
                    continue
                if chances[named.name] < MIXED_FLOOR:
                    return None
            options = self.named_options(request.text, request.guild_id, named.name) or {}
            if any(p.required and p.name not in options for p in named.params):
                return None
            return dataclasses.replace(request, command=named.name, text="", options=options)
        return None

    def _names_with_its_words(self, command: str, request: Request) -> bool:
        """Whether the words after a command's name name the guild's data, in a language's
        words of that command ("train на kaggle tweets запусти"): read as arguments, they
        were an example to learn."""
        if not self.named_options(request.text, request.guild_id, command):
            return False
        return any(self._only_its_words(command, request, code) for code in i18n.languages())

    def _only_its_words(self, command: str, request: Request, language: str) -> bool:
        """Whether the words after a command's name are only that command's own words in
        `language` (`mixed_script.only_command_words`)."""
        return only_command_words(
            request.text,
            command,
            self.intents_for(language).typed.command_words,
            [name for values in self._lists(request.guild_id).values() for name in values],
            self._politeness(),
        )

    def _past_address(self, request: Request) -> Request:
        """`@Trainer test 'what a day'`, `trainer, status`, `bot archive movie reviews`: the
        command named after the bot's name, as that command with the words after it; else the
        request as it came. The name is no part of a command: read as one, these were "no
        command" however plainly they named one."""
        if not request.text.strip():
            return request
        line = f"{request.command} {request.text}"
        # After a command's own name only a marked call is read off ("!train, bot", "!status
        # @trainer"; read as arguments, "bot" became an example to learn); a bare name stays
        # its argument.
        named = self._find_command(request.command) is not None
        for language in dict.fromkeys((self._language(request.guild_id), i18n.ENGLISH)):
            # names only: politeness read off here would pass "is it possible to train a new
            # classifier ..." to `train` as an example to add (`_past_politeness` says when)
            address = addressed(line, language, self.intents_for(language), polite=False)
            for rest in (address.rest,) if named else (address.rest, address.loose):
                name, _, text = rest.strip().partition(" ")
                if rest != line and self._find_command(name) is not None:
                    return dataclasses.replace(request, command=name, text=text.strip())
        return request

    def _past_politeness(self, request: Request) -> Request:
        """`please undo`, `pls train "nice" positive`: the command named after leading
        politeness (the templates' skip words, `typed.polite`), when what follows its name is
        nothing, one word or marked arguments; else the request as it came. Tried only after
        the line matched no sentence: "please test how good the model is" is a sentence, and
        "could you correct that, it should be negative" read as `correct` with those words
        would store them as a label."""
        if self._find_command(request.command) is not None:
            return request
        line = self._unaddressed(f"{request.command} {request.text}", request.guild_id)
        rest = after_politeness(line, self._politeness())
        name, _, text = (rest or "").strip().partition(" ")
        name, text = name.strip(",.!?:;").lower(), text.strip()
        marked = any(mark in text for mark in ARGUMENT_MARKS)
        if not name or self._find_command(name) is None or (len(text.split()) > 1 and not marked):
            return request
        return dataclasses.replace(request, command=name, text=text)

    def _unaddressed(self, line: str, guild_id: str) -> str:
        """`line` without a call of the bot at its start or end ("go ahead and train, bot"),
        in the guild's language or English; as it came when it calls nobody."""
        for language in dict.fromkeys((self._language(guild_id), i18n.ENGLISH)):
            address = addressed(line, language, self.intents_for(language), polite=False)
            if address.called and address.rest.strip():
                return address.rest.strip()
        return line

    def _are_arguments(self, command: Command, request: Request, line: str) -> bool:
        """The request's words parse as the command's arguments (they may still be refused
        when it runs: a folder that is not there; several words are one name only when they
        name something, `names_something`), or hold a number: a near sentence has no slot for
        it, and `!cancel job 5` read as "cancel the job" would cancel another job."""
        if any(c.isdigit() for c in line):
            return True
        try:
            with i18n.speaking(self._language(request.guild_id)):
                options = parse(command, request.text)
        except UserError:
            return False
        return self._names(request.guild_id, command, options)


def _past_clock_times(request: Request) -> Request:
    """The request without the times written with digits in its words ("status in 10 min",
    "train the model on kaggle tweets in 5 minutes"; assistant/intents/clock.py): a digit makes
    a command's words its arguments, and read as them these were refused or an example to learn.
    Marked arguments are left as written (`train "back in 5 minutes" positive`)."""
    if any(mark in request.text for mark in ARGUMENT_MARKS):
        return request
    line = f"{request.command} {request.text}"
    cut = without_clock_times(line)
    if cut == line or not cut:
        return request
    command, _, text = cut.partition(" ")
    return dataclasses.replace(request, command=command, text=text.strip())


def slashed(word: str) -> bool:
    """A first word after the slash of Discord's slash commands ("/status"), typed as a
    line's first character; not "/me", which is Discord's own: the writer doing something
    ("/me is tired of cancelled meetings"), no command."""
    return word.startswith("/") and word.strip("/").lower() not in ("", "me")
