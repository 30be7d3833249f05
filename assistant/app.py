"""The assistant: owns the store, the data root and the job manager, and runs commands.

Transports build a `Request`, `await handle(request)`, render the `Reply`, and, once the reply is
sent, `record_reply` it under the message id it got, so `correct` can refer to it later.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import secrets
from collections.abc import Awaitable, Callable
from functools import cached_property

from . import permissions
from .commands import REGISTRY, load_all
from .commands.arguments import finish, parse
from .config import Config
from .datasets import ARCHIVE_FOLDER
from .errors import CannotStart, UserError
from .intents.matcher import IntentMatcher, to_request
from .messages import Reply, Request, Source, User
from .sandbox import DataRoot
from .storage import Store, open_store
from .training.jobs import JobManager

log = logging.getLogger(__name__)

NamesListener = Callable[[dict[str, list[str]]], Awaitable[None]]


class Assistant:
    def __init__(self, config: Config, store: Store | None = None) -> None:
        load_all()
        self.config = config
        self.commands = REGISTRY
        self.root = DataRoot(config.data_root)
        config.state_dir.mkdir(parents=True, exist_ok=True)
        self.store = store or open_store(config.database_url)
        self.jobs = JobManager(self.store, config)
        self._names_listeners: list[NamesListener] = []
        self._names: dict[str, list[str]] | None = None

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

    async def close(self) -> None:
        await self.jobs.close()
        self.store.close()

    async def handle(self, request: Request) -> Reply:
        """Run one command. Never raises: problems come back as a `Reply` with `ok=False`."""
        command = self.commands.get(request.command)
        if command is None:
            return self._unknown(request.command)
        try:
            permissions.check(request.user, command.permission, self.config.permissions)
            if request.options is not None:
                options = finish(command, request.options)
            else:
                options = parse(command, request.text)
            reply = await command.handler(self, request, options)
            await self._check_names()
            return reply
        except UserError as exc:
            return Reply(text=str(exc), ok=False, kind="error")
        except Exception:
            reference = secrets.token_hex(3)
            log.exception("command %s failed (ref %s)", request.command, reference)
            return Reply(
                text=f"Sorry, something went wrong on my side (reference `{reference}`). "
                "The details are in the log.",
                speech="Sorry, something went wrong on my side.",
                ok=False,
                kind="error",
            )

    def _unknown(self, name: str) -> Reply:
        names = [c.name for c in self.commands.all()]
        close = difflib.get_close_matches(name.lower(), names, n=1)
        hint = f" Did you mean `{close[0]}`?" if close else ""
        return Reply(
            text=f"I don't know the command `{name}`.{hint} Type `help` to see what I can do.",
            ok=False,
            kind="error",
        )

    @cached_property
    def intents(self) -> IntentMatcher:
        """The voice intents, for typed free text. Typed names match as written, so the
        pronunciation dictionary is not needed here."""
        return IntentMatcher.from_settings(self.config.voice, is_word=lambda _word: True)

    def understand(
        self,
        text: str,
        *,
        user: User,
        guild_id: str,
        channel_id: str,
        source: Source = "text",
    ) -> Request | None:
        """Free text ("please train the model on reviews") as a request, or None."""
        self.intents.update_lists(self.speakable_lists(guild_id))
        intent = self.intents.match(text)
        if intent is None:
            return None
        request = to_request(intent, user, guild_id, channel_id)
        return dataclasses.replace(request, source=source)

    def speakable_names(self) -> dict[str, list[str]]:
        """`speakable_lists` for every guild at once: the voice grammar is shared."""
        folders = self.speakable_lists("")["folder"]
        return {
            "dataset": sorted({*folders, *self.store.dataset_names()}),
            "folder": folders,
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
        names = self.speakable_names()
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
        """Names a user may say: datasets and folders under the data root, files for getfile."""
        folders = sorted(
            p.name
            for p in self.root.root.iterdir()
            if p.is_dir() and not p.is_symlink() and p.name != ARCHIVE_FOLDER
        )
        datasets = sorted({*folders, *(d.name for d in self.store.datasets(guild_id))})
        return {"dataset": datasets, "folder": folders}
