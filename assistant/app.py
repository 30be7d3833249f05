"""The assistant: owns the store, the data root and the job manager, and runs commands.

Transports build a `Request`, `await handle(request)`, render the `Reply`, and, once the reply is
sent, `record_reply` it under the message id it got, so `correct` can refer to it later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable

from . import i18n, permissions, speakable
from .child_process import children_stopped
from .commands import REGISTRY, load_all
from .commands.arguments import finish
from .commands.data import names_something
from .commands.registry import Command
from .commands.slash_values import slash_options
from .config import Config
from .errors import (
    CannotStart,
    DatabaseUnreachable,
    LimitExceeded,
    PermissionDenied,
    UserError,
    environment_problem,
)
from .heap import freeze_startup_objects, wait_for_builds
from .markup import code
from .messages import Reply, Request, User
from .names import look_alike
from .reading import Reader
from .sandbox import DataRoot
from .storage import Store, open_store
from .training.jobs import JobManager
from .training.queue import make_job_manager

log = logging.getLogger(__name__)
_NAME_ENDS = ".?!,;:…"
"""What a sentence ends with, written after a command's name as after any last word."""

NamesListener = Callable[[dict[str, list[str]]], Awaitable[None]]
Diagnostics = Callable[[str], list[str]]
"""guild id -> lines for admins' `status` (e.g. the voice receiver's counters)."""


BUILDS_WAIT = 60.0
"""Seconds `close` waits for learners still running (a first start learns for a few)."""

_NAMED_FIRST = ("archive", "getfile")
"""Commands that run without arguments (the active dataset's folder is archived; `getfile`
asks which file) but are no suggestion to take with one answer: what they act on is best
named."""


class Assistant:
    def __init__(
        self, config: Config, store: Store | None = None, *, dry_run: bool = False
    ) -> None:
        """`dry_run` (`simulate` without `--act`): the folders are not made, the records are
        an in-memory copy of the database (an SQLite file is left as it is, or not made; a
        PostgreSQL server is not connected to, and the records start empty), and `start`
        recovers nothing: a bot running on the same folders keeps its job."""
        load_all()
        self.config = config
        self.dry_run = dry_run
        self.commands = REGISTRY
        self.root = DataRoot(
            config.data_root, allow_hard_links=config.allow_hard_links, create=not dry_run
        )
        if not dry_run:
            config.state_dir.mkdir(parents=True, exist_ok=True)
        self.store = store or open_store(config.database_url, copy=dry_run)
        # A dry run runs no job, and its in-memory records have no queue: jobs stay in-process.
        self.jobs = (
            JobManager(self.store, config) if dry_run else make_job_manager(self.store, config)
        )
        self._names_listeners: list[NamesListener] = []
        self.diagnostics_providers: list[Diagnostics] = []
        """Transports add these; admins see their lines in `status`."""
        self._names: dict[str, list[str]] | None = None
        self.reading = Reader(
            config.voice,
            self.commands,
            find_command=self.find_command,
            language=self.language,
            lists=self.typed_lists,
            names=lambda guild_id, command, options: names_something(
                self, guild_id, command, options
            ),
        )
        """What typed lines say (assistant/reading.py)."""

    async def start(self) -> None:
        permissions.check_rules(self.config.permissions, self.commands.all(include_hidden=True))
        if self.config.voice.intents_file is not None:
            try:  # a broken file would otherwise fail every typed sentence later
                _ = self.reading.intents
            except ValueError as exc:  # unreadable: the message names the file
                raise CannotStart(str(exc)) from None
            except Exception as exc:  # readable but not valid templates
                path = self.config.voice.intents_file
                raise CannotStart(f"voice.intents_file {path} is not valid: {exc}") from None
        # a dry run beside a running bot must not mark its job interrupted nor remove its
        # unfinished model folder
        for job in [] if self.dry_run else self.jobs.recover():
            log.warning("job %s was still running when the bot stopped; marked interrupted", job.id)
        freeze_startup_objects()

    async def close(self, *, wait_for_learning: bool = True) -> None:
        """Stop the jobs and close the store. Learners started beside start-up read the store,
        so closing waits for them: seconds, except on a first start, whose learning in a child
        process (up to a minute under load) is kept for every later start. Without
        `wait_for_learning` (a signal, Ctrl-C, the Discord bot stopping) that learning is
        stopped instead and the next start learns it."""
        await self.jobs.close()
        with contextlib.ExitStack() as closing:
            if not wait_for_learning:
                closing.enter_context(children_stopped())
            await asyncio.to_thread(wait_for_builds, BUILDS_WAIT)
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
        `read`: the transport has already read it as a sentence (`reading.as_sentence`), so it
        is not read again (a line no template matches costs a fuzzy search)."""
        try:
            return await self._handle(request, read=read)
        except DatabaseUnreachable as exc:  # reading the line needs it too (dataset names)
            log.error("command %s failed: %s", request.command, exc)
            text = self.text(request.guild_id, "error.database_unreachable")
            return Reply(text=text, ok=False, kind="error")

    async def _handle(self, request: Request, *, read: bool) -> Reply:
        if not read:
            # Off the loop: the first sentence of a language builds its templates (tens of ms).
            request = await asyncio.to_thread(self.reading.as_sentence, request)
        command = self.find_command(request.command)
        if command is None:
            line = f"{request.command} {request.text}".strip()
            return await self.not_understood(
                line, request.guild_id, name=request.command, user=request.user
            )
        with i18n.speaking(self.language(request.guild_id)):
            reply = await self._run(command, request)
            unused = self.unused_files(command, request)
        if unused:
            reply.text = f"{reply.text}\n{unused}" if reply.text else unused
        return reply

    def unused_files(self, command: Command, request: Request) -> str:
        """What is said of files sent with a command that takes none (`status` with a file,
        read or left undownloaded by the transport): that they were not used, and which
        commands take files; empty when nothing was left unused. In the language spoken."""
        if command.attachments:
            return ""
        names = [a.filename for a in request.attachments] + list(request.unread_files)
        if not names:
            return ""
        takers = [c.name for c in self.commands.all() if c.attachments]
        return i18n.tr(
            "upload.unused.single" if len(names) == 1 else "upload.unused",
            command=command.name,
            names=", ".join(code(name) for name in names),
            takers=", ".join(code(name) for name in takers),
        )

    async def refusal(self, request: Request) -> Reply | None:
        """What the command would refuse (permission, options, its own `check`), found without
        running it, or None when it would run."""
        command = self.find_command(request.command)
        if command is None:
            return None
        with i18n.speaking(self.language(request.guild_id)):
            reply = await self._run(command, request, check_only=True)
        return None if reply.ok else reply

    async def _run(self, command: Command, request: Request, check_only: bool = False) -> Reply:
        """`handle` for a known command, in the guild's language (`i18n.tr`); `check_only`
        runs its `check` instead (an empty Reply when it passes)."""
        try:
            permissions.check(
                request.user, command.permission, self.config.permissions, command.name
            )
            limit = self.config.limits.request_chars
            if len(request.text) > limit:
                raise LimitExceeded(
                    i18n.tr_count(
                        "error.request_too_long", len(request.text), limit=i18n.number_text(limit)
                    )
                )
            if request.options is not None:
                given = request.options
                if request.source == "slash":  # members type quotes into options too
                    given = slash_options(command, given)
                options = finish(command, given)
            else:
                options = self.reading.parse_typed(command, request)
            if check_only:
                if command.check is not None:
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
                return Reply(text=i18n.tr(problem), ok=False, kind="error")
            reference = secrets.token_hex(3)
            log.exception("command %s failed (ref %s)", request.command, reference)
            return Reply(
                text=i18n.tr("error.internal", reference=reference),
                speech=i18n.tr("error.internal.speech"),
                ok=False,
                kind="error",
            )

    def find_command(self, name: str) -> Command | None:
        """A command by its name, an alias, or its name in any language (`обучить`); with the
        punctuation a sentence ends with after it ("!status?", "!cancel!") too."""
        found = self.commands.get(name)
        if found is None:
            found = self.commands.get(i18n.localized_names().get(name.lower(), ""))
        bare = name.rstrip(_NAME_ENDS)
        if found is None and bare and bare != name:
            return self.find_command(bare)
        return found

    async def not_understood(
        self, line: str, guild_id: str, name: str | None = None, user: User | None = None
    ) -> Reply:
        """The answer to a line that is no command: `name`, the word typed where a command's
        name goes (`!pleas`), is named in it. The hint is the command nearest to that word, else
        the command the line's words most likely meant (assistant/intents/guess.py). Nothing
        runs on the guess; it is offered to run (`yes`, a button) only to a `user` who may."""
        language = self.language(guild_id)
        two = None if name else await asyncio.to_thread(self.reading.two_commands, line, guild_id)
        if two is not None:
            text = i18n.message(language, "error.two_commands", first=two[0], second=two[1])
            return Reply(text=text, ok=False, kind="error")
        close = self.reading.did_you_mean(name) if name else None
        options, found = None, None
        if close is None:
            close = await asyncio.to_thread(self.reading.guess_command, line, guild_id)
            found = self.find_command(close) if close else None
            if found is not None:  # "zip the movie reviews folder": `archive movie_reviews`
                options = await asyncio.to_thread(
                    self.reading.named_options, line, guild_id, found.name
                )
        shown = _with_name(found.name, close, options) if close and found and options else close
        if shown is None:  # a name that cannot be shown as typed: the command alone
            shown, options = close, None
        hint = i18n.message(language, "error.did_you_mean", name=shown) if shown else ""
        if close and name:
            hint += look_alike(name, close, language)  # `trаin`, a Cyrillic `а`: alike to see
        key = "error.unknown_command" if name else "error.not_understood"
        text = i18n.message(language, key, name=name, hint=hint)
        runnable = self.runnable(close, user, options) if close else None
        data = None
        if runnable:
            data = {"suggested": runnable, "suggested_line": shown, "suggested_options": options}
        return Reply(text=text, ok=False, kind="error", data=data)

    def runnable(
        self, name: str, user: User | None = None, options: dict[str, str] | None = None
    ) -> str | None:
        """The command `name` names when it may run with just `options` (or none) and without
        being asked about first (`test`, `status`; `archive` and `getfile` only with what they
        act on named; not `undo`), so a suggestion of it can be taken with one answer; else
        None. With `user`: only a command their roles allow (one offered and then refused is
        no help)."""
        command = self.find_command(name)
        if command is None or command.check is not None or command.hidden:
            return None
        if user is not None and not self.allowed(command.name, user):
            return None
        given = options or {}
        if given and not set(given) <= {p.name for p in command.params}:
            return None
        if command.name in _NAMED_FIRST and not given:
            return None
        if any(p.required and p.name not in given for p in command.params):
            return None
        return command.name

    def allowed(self, name: str, user: User) -> bool:
        """Whether config.yaml's roles let `user` run the command `name` (an unknown name is
        refused by `handle` itself). A transport asks before downloading what the command
        would read: a member without the role costs no download."""
        command = self.find_command(name)
        if command is None:
            return True
        try:
            permissions.check(user, command.permission, self.config.permissions)
        except PermissionDenied:
            return False
        return True

    def language(self, guild_id: str) -> str:
        """The guild's language (`language` command), else config.yaml's, else English; the
        latter too while the database cannot be reached (the reply says so, and must be said)."""
        try:
            chosen = self.store.guild_language(guild_id)
        except DatabaseUnreachable:
            chosen = None
        return i18n.chosen(chosen, self.config.language)

    def text(self, guild_id: str, key: str, **fields: object) -> str:
        """A reply from the message catalog, in the guild's language."""
        return i18n.message(self.language(guild_id), key, **fields)

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
        """Remember a sent reply so that `correct <message_id>` can find it (not while the
        database cannot be reached: the reply itself may say so)."""
        try:
            self.store.record_reply(
                message_id, guild_id, channel_id, reply.kind, reply.text, reply.data
            )
        except DatabaseUnreachable as exc:
            log.info("reply %s not kept for `correct`: %s", message_id, exc)

    def typed_lists(self, guild_id: str) -> dict[str, list[str]]:
        """`speakable_lists` with every file a typed line may name, not only the voice
        grammar's newest."""
        return self.speakable_lists(guild_id, files=speakable.MAX_TYPED_FILES)

    def speakable_lists(
        self, guild_id: str, files: int = speakable.MAX_FILES
    ) -> dict[str, list[str]]:
        """Names a user may say: datasets and folders under the data root, the `files` newest
        files for getfile (assistant/speakable.py)."""
        folders = speakable.folder_names(self.root)
        datasets = sorted({*folders, *(d.name for d in self.store.datasets(guild_id))})
        names = speakable.file_names(self.root, files)
        return {"dataset": datasets, "folder": folders, "file": names}


def _with_name(command: str, name: str, options: dict[str, str]) -> str | None:
    """The typed line that runs `command` (as the guild calls it: `name`) with its one named
    option (`archive movie_reviews`, `train kaggle tweets`; a path of two words quoted, as
    `target.words_as_name` asks, where a quoted name is the text itself for `train` and
    `test`), or None for a name no typed line carries plainly (a quote, a backtick, a line
    break in it)."""
    [value] = options.values()
    if any(mark in value for mark in '"`\n\r'):
        return None
    quoted = command in _NAMED_FIRST and any(c.isspace() for c in value)
    return f'{name} "{value}"' if quoted else f"{name} {value}"
