"""The assistant: owns the store, the data root and the job manager, and runs commands.

Transports build a `Request`, `await handle(request)`, render the `Reply`, and, once the reply is
sent, `record_reply` it under the message id it got, so `correct` can refer to it later.
"""

from __future__ import annotations

import asyncio
import dataclasses
import difflib
import logging
import secrets
import threading
from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import Any

from . import i18n, permissions, speakable
from .commands import REGISTRY, load_all
from .commands.arguments import finish, parse
from .commands.data import names_something
from .commands.registry import Command
from .config import Config
from .errors import (
    BadInput,
    CannotStart,
    LimitExceeded,
    PermissionDenied,
    UserError,
    environment_problem,
)
from .heap import freeze_startup_objects
from .intents.address import Address, after_politeness, without_address
from .intents.guess import CommandGuesser
from .intents.matcher import Intent, IntentMatcher, normalize, to_request
from .intents.parts import another_command, by_sentence
from .messages import Reply, Request, Source, User
from .sandbox import DataRoot
from .storage import Store, open_store
from .training.queue import make_job_manager

log = logging.getLogger(__name__)

_ARGUMENT_MARKS = ('"', "[", "{", "=", "`", "“", "«")
"""Characters of written arguments (`train "great film" positive`, `test ["a", "b"]`)."""

NamesListener = Callable[[dict[str, list[str]]], Awaitable[None]]
Diagnostics = Callable[[str], list[str]]
"""guild id -> lines for admins' `status` (e.g. the voice receiver's counters)."""


class Assistant:
    def __init__(self, config: Config, store: Store | None = None) -> None:
        load_all()
        self.config = config
        self.commands = REGISTRY
        self.root = DataRoot(config.data_root, allow_hard_links=config.allow_hard_links)
        config.state_dir.mkdir(parents=True, exist_ok=True)
        self.store = store or open_store(config.database_url)
        self.jobs = make_job_manager(self.store, config)
        self._names_listeners: list[NamesListener] = []
        self.diagnostics_providers: list[Diagnostics] = []
        """Transports add these; admins see their lines in `status`."""
        self._names: dict[str, list[str]] | None = None
        self._matchers: dict[str, IntentMatcher] = {}
        self._guessers: dict[str, CommandGuesser] = {}
        self._guess_lock = threading.Lock()

    async def start(self) -> None:
        if self.config.voice.intents_file is not None:
            try:  # a broken file would otherwise fail every typed sentence later
                _ = self.intents
            except ValueError as exc:  # unreadable: the message names the file
                raise CannotStart(str(exc)) from None
            except Exception as exc:  # readable but not valid templates
                path = self.config.voice.intents_file
                raise CannotStart(f"voice.intents_file {path} is not valid: {exc}") from None
        for job in self.jobs.recover():
            log.warning("job %s was still running when the bot stopped; marked interrupted", job.id)
        freeze_startup_objects()

    async def close(self) -> None:
        await self.jobs.close()
        self.store.close()

    def diagnostics(self, guild_id: str) -> list[str]:
        lines: list[str] = []
        for provider in self.diagnostics_providers:
            try:
                lines += provider(guild_id)
            except Exception:  # a diagnostic must never break `status`
                log.exception("diagnostics provider failed")
        return lines

    async def handle(self, request: Request, *, read: bool = False) -> Reply:
        """Run one command. Never raises: problems come back as a `Reply` with `ok=False`.
        `read`: the transport has already read it as a sentence (`as_sentence`), so it is not
        read again (a line no template matches costs a fuzzy search)."""
        if not read:
            # Off the loop: the first sentence of a language builds its templates (tens of ms).
            request = await asyncio.to_thread(self.as_sentence, request)
        command = self.find_command(request.command)
        if command is None:
            line = f"{request.command} {request.text}".strip()
            return await self.not_understood(
                line, request.guild_id, name=request.command, user=request.user
            )
        with i18n.speaking(self.language(request.guild_id)):
            return await self._run(command, request)

    async def refusal(self, request: Request) -> Reply | None:
        """What the command would refuse (permission, options, its own `check`), found without
        running it, or None when it would run."""
        command = self.find_command(request.command)
        if command is None or command.check is None:
            return None
        with i18n.speaking(self.language(request.guild_id)):
            reply = await self._run(command, request, check_only=True)
        return None if reply.ok else reply

    async def _run(self, command: Command, request: Request, check_only: bool = False) -> Reply:
        """`handle` for a known command, in the guild's language (`i18n.tr`); `check_only`
        runs its `check` instead (an empty Reply when it passes)."""
        try:
            permissions.check(request.user, command.permission, self.config.permissions)
            limit = self.config.limits.request_chars
            if len(request.text) > limit:
                raise LimitExceeded(
                    i18n.tr(
                        "error.request_too_long", chars=f"{len(request.text):,}", limit=f"{limit:,}"
                    )
                )
            if request.options is not None:
                options = finish(command, request.options)
            else:
                options = self._parse_typed(command, request)
            if check_only:
                assert command.check is not None
                await command.check(self, request, options)
                return Reply(text="")
            reply = await command.handler(self, request, options)
            await self._check_names()
            return reply
        except UserError as exc:
            return Reply(text=str(exc), ok=False, kind="error")
        except Exception as exc:
            problem = environment_problem(exc)
            if problem is not None:
                log.error("command %s failed: %s", request.command, exc)
                return Reply(text=problem, ok=False, kind="error")
            reference = secrets.token_hex(3)
            log.exception("command %s failed (ref %s)", request.command, reference)
            return Reply(
                text=i18n.tr("error.internal", reference=reference),
                speech=i18n.tr("error.internal.speech"),
                ok=False,
                kind="error",
            )

    @staticmethod
    def _parse_typed(command: Command, request: Request) -> dict[str, Any]:
        """`parse`, except that ordinary words after the name of a command that takes none of
        them ("cancel my subscription? nah") get a hint instead of its usage: they matched no
        sentence, so the name was most likely a word of something else. One word after the
        name is still an argument (`cancel 7`, `help train`), as in `_past_politeness`; so are
        numbers and marked arguments, written wrong, and the arguments a command needs."""
        try:
            return parse(command, request.text)
        except BadInput:
            text = request.text
            if (
                len(text.split()) < 2
                or any(p.required for p in command.params)
                or any(c.isdigit() for c in text)
                or any(mark in text for mark in _ARGUMENT_MARKS)
            ):
                raise
        raise BadInput(i18n.tr("error.bare_command", name=request.command.lower()))

    def did_you_mean(self, name: str) -> str | None:
        """The command a mistyped name was probably meant to be ("please" is no typo of
        `leave`: it is politeness; "score" no typo of `correct`: it is a word of the sentences,
        and the line's words say what it meant)."""
        word = normalize(name)
        if word in self._politeness() or any(
            word in self.intents_for(code).template_words for code in i18n.languages()
        ):
            return None
        names = [c.name for c in self.commands.all()] + list(i18n.localized_names())
        close = difflib.get_close_matches(name.lower(), names, n=1)
        return close[0] if close else None

    def find_command(self, name: str) -> Command | None:
        """A command by its name, an alias, or its name in any language (`обучить`)."""
        found = self.commands.get(name)
        if found is None:
            found = self.commands.get(i18n.localized_names().get(name.lower(), ""))
        return found

    async def not_understood(
        self, line: str, guild_id: str, name: str | None = None, user: User | None = None
    ) -> Reply:
        """The answer to a line that is no command: `name`, the word typed where a command's
        name goes (`!pleas`), is named in it. The hint is the command nearest to that word, else
        the command the line's words most likely meant (assistant/intents/guess.py). Nothing
        runs on the guess; it is offered to run (`yes`, a button) only to a `user` who may."""
        language = self.language(guild_id)
        close = self.did_you_mean(name) if name else None
        if close is None:
            close = await asyncio.to_thread(self.guess_command, line, guild_id)
        hint = i18n.message(language, "error.did_you_mean", name=close) if close else ""
        key = "error.unknown_command" if name else "error.not_understood"
        text = i18n.message(language, key, name=name, hint=hint)
        runnable = self.runnable_bare(close, user) if close else None
        data = {"suggested": runnable} if runnable else None
        return Reply(text=text, ok=False, kind="error", data=data)

    def runnable_bare(self, name: str, user: User | None = None) -> str | None:
        """The command `name` names when it may run without arguments and without being asked
        about first (`test`, `status`; not `getfile`, which needs a path, nor `undo`), so a
        suggestion of it can be taken with one answer; else None. With `user`: only a command
        their roles allow (one offered and then refused is no help)."""
        command = self.find_command(name)
        if command is None or command.check is not None or command.hidden:
            return None
        if user is not None:
            try:
                permissions.check(user, command.permission, self.config.permissions)
            except PermissionDenied:
                return None
        return None if any(p.required for p in command.params) else command.name

    def guess_command(self, line: str, guild_id: str) -> str | None:
        """The command `line` most likely meant, in the guild's language, or None (blocking:
        the first guess of a language learns from its templates, about a second)."""
        language = self.language(guild_id)
        command = self.guesser(language).guess(line)
        return None if command is None else i18n.command_name(language, command)

    def _guess_in(self, language: str) -> Callable[[str], str | None]:
        """`guesser(language).guess`, learnt only when first asked (most lines never are)."""
        return lambda line: self.guesser(language).guess(line)

    def guesser(self, language: str) -> CommandGuesser:
        """The command guesser of one language's templates (learnt on first use)."""
        with self._guess_lock:
            if language not in self._guessers:
                self._guessers[language] = CommandGuesser(self.intents_for(language))
            return self._guessers[language]

    def language(self, guild_id: str) -> str:
        """The guild's language (`language` command), else config.yaml's, else English."""
        return i18n.chosen(self.store.guild_language(guild_id), self.config.language)

    def text(self, guild_id: str, key: str, **fields: object) -> str:
        """A reply from the message catalog, in the guild's language."""
        return i18n.message(self.language(guild_id), key, **fields)

    @cached_property
    def intents(self) -> IntentMatcher:
        """The voice intents, for typed free text. Typed names match as written, so the
        pronunciation dictionary is not needed here."""
        return IntentMatcher.from_settings(self.config.voice, is_word=lambda _word: True)

    def intents_for(self, language: str) -> IntentMatcher:
        """Free-text templates of one language (English: `intents`)."""
        if language == i18n.ENGLISH:
            return self.intents
        if language not in self._matchers:
            self._matchers[language] = IntentMatcher.from_settings(
                self.config.voice,
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
    ) -> Request | None:
        """Free text ("please train the model on reviews") as a request, or None; `exact`:
        only a template sentence itself, not the nearest one to a typo."""
        lists = self.speakable_lists(guild_id)
        intent = None
        # The guild's language first; English commands are understood everywhere.
        for language in dict.fromkeys((self.language(guild_id), i18n.ENGLISH)):
            matcher = self.intents_for(language)
            matcher.update_lists(lists)
            says = None if exact else self._guess_in(language)
            address = self.address(text, language, matcher)
            retractions = i18n.word_list(language, "typed.retractions")
            intent = self._match(matcher, address, text, says, retractions)
            if intent is not None:
                break
        if intent is None:
            return None
        request = to_request(intent, user, guild_id, channel_id)
        return dataclasses.replace(request, source=source)

    @staticmethod
    def _match(
        matcher: IntentMatcher,
        address: Address,
        text: str,
        says: Callable[[str], str | None] | None,
        retractions: list[str],
    ) -> Intent | None:
        """The line without the bot's name, else as written ("приветик, тренер" is a
        greeting); a greeting and the name alone ("hey trainer", "hi bot") is `hi`. `says`:
        None for template sentences only, else what the words of a line say
        (`IntentMatcher.match_text`). `retractions`: the words that take a sentence back
        ("no wait"; assistant/intents/parts.py)."""
        if address.called and not normalize(address.rest):
            return Intent("hi", {}, "", False)
        for line in dict.fromkeys((address.rest, text, address.loose or text)):
            intent = matcher.match(line) if says is None else matcher.match_text(line, says)
            # an opinion's words take the rest of the line: another command there is asked
            feedback = intent is not None and intent.name == "feedback"
            if feedback and another_command(address.rest, matcher.match, "feedback"):
                return None
            if intent is not None:
                return intent
        return by_sentence(address.rest, matcher.match, retractions)

    @staticmethod
    def address(text: str, language: str, matcher: IntentMatcher) -> Address:
        """`text` without the bot's name where it calls the bot ("hey bot, join us";
        assistant/intents/address.py): the wake phrases' names and the language's own."""
        names = [*matcher.wake_words, *i18n.word_list(language, "typed.bot_names")]
        greetings = {p.split()[0] for p in matcher.wake_phrases if " " in p}
        greetings.update(i18n.word_list(language, "typed.greetings"))
        polite = i18n.word_list(language, "typed.polite")
        return without_address(text, names, greetings, polite)

    def as_sentence(self, request: Request) -> Request:
        """A typed command line that is a sentence ("!train the model on movie reviews",
        "!please select kaggle tweets") as the command the sentence says; anything else as it
        came. Read as arguments, the first added "the model on movie reviews" as an example and
        the second named no command. Quotes, brackets, braces and `name=value` mean the user
        wrote arguments, and they are left to the command's own parser."""
        if request.options is not None or request.source not in ("text", "console"):
            return request
        if not request.text.strip() or any(mark in request.text for mark in _ARGUMENT_MARKS):
            return self._past_politeness(request)
        line = f"{request.command} {request.text}"
        # A command's own name with arguments ("!correct negative") is read as a sentence only
        # when it is one exactly; a near sentence must not take the place of real arguments.
        # Words that are no arguments of it ("!stop the model from training") may be one.
        named = self.find_command(request.command)
        understood = self.understand(
            line,
            user=request.user,
            guild_id=request.guild_id,
            channel_id=request.channel_id,
            source=request.source,
            exact=named is not None and self._are_arguments(named, request, line),
        )
        if understood is None:
            return self._past_politeness(request)
        return dataclasses.replace(
            understood,
            message_id=request.message_id,
            reply_to=request.reply_to,
            attachments=request.attachments,
        )

    def _past_politeness(self, request: Request) -> Request:
        """`please undo`, `pls train "nice" positive`: the command named after leading
        politeness (the templates' skip words, `typed.polite`), when what follows its name is
        nothing, one word or marked arguments; else the request as it came. Tried only after
        the line matched no sentence: "please test how good the model is" is a sentence, and
        "could you correct that, it should be negative" read as `correct` with those words
        would store them as a label."""
        if self.find_command(request.command) is not None:
            return request
        rest = after_politeness(f"{request.command} {request.text}", self._politeness())
        name, _, text = (rest or "").strip().partition(" ")
        name, text = name.strip(",.!?:;").lower(), text.strip()
        marked = any(mark in text for mark in _ARGUMENT_MARKS)
        if not name or self.find_command(name) is None or (len(text.split()) > 1 and not marked):
            return request
        return dataclasses.replace(request, command=name, text=text)

    def _politeness(self) -> set[str]:
        """Every language's politeness words, spoken (the templates' skip words) and written
        (`typed.polite`: "pls"); a typed command may be in English anywhere."""
        words: set[str] = set()
        for code in i18n.languages():
            words.update(self.intents_for(code).intents.skip_words)
            words.update(i18n.word_list(code, "typed.polite"))
        return words

    def _are_arguments(self, command: Command, request: Request, line: str) -> bool:
        """The request's words parse as the command's arguments (they may still be refused
        when it runs: a folder that is not there; several words are one name only when they
        name something, `names_something`), or hold a number: a near sentence has no
        slot for it, and `!cancel job 5` read as "cancel the job" would cancel another job."""
        if any(c.isdigit() for c in line):
            return True
        try:
            with i18n.speaking(self.language(request.guild_id)):
                options = parse(command, request.text)
        except UserError:
            return False
        return names_something(self, request.guild_id, command, options)

    def speakable_names(self) -> dict[str, list[str]]:
        """`speakable_lists` for every guild at once: the voice grammar is shared."""
        folders = speakable.folder_names(self.root)
        return {
            "dataset": sorted({*folders, *self.store.dataset_names()}),
            "folder": folders,
            "file": speakable.file_names(self.root),
        }

    def subscribe_names(self, listener: NamesListener) -> None:
        """Call `await listener(names)` whenever `speakable_names` changes (checked after every
        command), so a new dataset becomes speakable without a restart."""
        self._names_listeners.append(listener)
        # The listener may have read the names a moment before subscribing and missed a change
        # in between; forget the last names so the next command always brings it up to date.
        self._names = None

    async def _check_names(self) -> None:
        if not self._names_listeners:
            return
        # Off the loop: it lists the data root and its archives (a stat per entry).
        names = await asyncio.to_thread(self.speakable_names)
        if names == self._names:
            return
        self._names = names
        for listener in self._names_listeners:
            try:
                await listener(names)
            except Exception:  # a voice grammar that failed to rebuild must not fail the command
                log.exception("updating speakable names failed")

    def record_reply(
        self, reply: Reply, *, message_id: str, guild_id: str, channel_id: str
    ) -> None:
        """Remember a sent reply so that `correct <message_id>` can find it."""
        self.store.record_reply(
            message_id, guild_id, channel_id, reply.kind, reply.text, reply.data
        )

    def speakable_lists(self, guild_id: str) -> dict[str, list[str]]:
        """Names a user may say: datasets and folders under the data root, files for getfile
        (assistant/speakable.py)."""
        folders = speakable.folder_names(self.root)
        datasets = sorted({*folders, *(d.name for d in self.store.datasets(guild_id))})
        return {"dataset": datasets, "folder": folders, "file": speakable.file_names(self.root)}
