"""Hybrid commands generated from the core's command specs: each works as `!cmd` and `/cmd`.

Typed (`!cmd ...`) invocations hand the raw text to the core, which parses it with the same rules
as the console; slash invocations hand over typed, already-parsed options. Either way the core
returns a `Reply`, rendered here. No exception text ever reaches a user.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
import secrets
from typing import TYPE_CHECKING, Any, Optional, cast

import discord
from discord import app_commands
from discord.ext import commands
from discord.ext.commands.parameters import Parameter as CommandParameter
from discord.ext.commands.parameters import Signature as CommandSignature

from assistant import i18n
from assistant.commands.registry import Command as CoreCommand
from assistant.commands.slash_values import unquoted
from assistant.errors import LimitExceeded, UserError, environment_problem
from assistant.markup import visible
from assistant.messages import Attachment, Reply, Request, Source

from .autocomplete import OPTIONS, suggester
from .components import DYNAMIC_ITEMS
from .confirming import CONFIRMED, confirm_view, confirmable
from .interact import defer
from .members import guild_key, slow_down, to_user
from .ratelimit import make_rate_limiter
from .typed_sentences import answer_sentence

if TYPE_CHECKING:
    from .client import TrainerBot

log = logging.getLogger(__name__)

KIND_TYPES: dict[str, type] = {"str": str, "int": int, "bool": bool, "text": str, "json": str}
FILE_OPTION = "file"
"""Slash option carrying the attachment of commands that accept one."""
ADMIN_COMMAND_PERMISSIONS = discord.Permissions(manage_guild=True)
"""`default_member_permissions` of the commands config.yaml's roles restrict: Discord shows them
to members with Manage Server until a server admin allows a role (Server Settings →
Integrations); the role check still runs on every use."""


class CoreHybridCommand(commands.HybridCommand[Any, ..., Any]):
    """A hybrid command whose typed form is parsed by the core, not by discord.py."""

    async def _parse_arguments(self, ctx: commands.Context[Any]) -> None:
        if ctx.interaction is None:
            ctx.args, ctx.kwargs = [ctx], {}
            return
        await super()._parse_arguments(ctx)


def build_command(spec: CoreCommand, run: Any) -> CoreHybridCommand:
    """A hybrid command whose slash signature mirrors the spec: typed, described options."""

    async def callback(ctx: commands.Context[Any], **options: Any) -> None:
        await run(ctx, spec, options)

    # discord.py's own Parameter/Signature classes: a plain inspect.Signature in
    # __signature__ is taken as is and lacks the converter fields the hybrid machinery reads.
    parameters = [
        CommandParameter(
            "ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=commands.Context
        )
    ]
    descriptions: dict[str, str] = {}
    choices: dict[str, list[app_commands.Choice[str]]] = {}
    for param in spec.params:
        kind: Any = KIND_TYPES[param.kind]
        if param.kind == "int":
            # every number an option names counts from 1 (a page, a job): Discord's client
            # refuses `page:0` and `job:-5` itself, as the core would (`in_range`). Its largest
            # integer (2**53 - 1) is below the core's limit, so no max_value is needed.
            kind = app_commands.Range[int, 1, None]
        parameters.append(
            CommandParameter(
                param.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=kind if param.required else Optional[kind],  # noqa: UP045 - runtime
                default=inspect.Parameter.empty if param.required else None,
            )
        )
        descriptions[param.name] = (param.description or param.name)[:100]
        if param.choices:
            choices[param.name] = [app_commands.Choice(name=c, value=c) for c in param.choices[:25]]
    if spec.attachments:
        parameters.append(
            CommandParameter(
                FILE_OPTION,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=Optional[discord.Attachment],  # noqa: UP045 - evaluated at runtime
                default=None,
            )
        )
        descriptions[FILE_OPTION] = "A file to add (.txt, .csv, .jsonl, .json or .zip)"
    # Parameters without defaults must come first in a signature; the core does not care.
    parameters[1:] = sorted(parameters[1:], key=lambda p: p.default is not inspect.Parameter.empty)
    callback.__signature__ = CommandSignature(parameters)  # type: ignore[attr-defined]
    callback.__name__ = callback.__qualname__ = spec.name
    callback.__discord_app_commands_param_description__ = descriptions  # type: ignore[attr-defined]
    if choices:
        callback.__discord_app_commands_param_choices__ = choices  # type: ignore[attr-defined]
    return CoreHybridCommand(
        callback,
        name=spec.name,
        description=(spec.summary or spec.name)[:100],
        # `!обучить` is the same command as `!train` (attachments, job progress, `correct`).
        aliases=[*spec.aliases, *i18n.local_names(spec.name)],
        with_app_command=not spec.hidden,
    )


class CommandsCog(commands.Cog, name="Trainer"):
    def __init__(self, bot: TrainerBot) -> None:
        self.bot = bot
        self.assistant = bot.assistant
        settings = bot.config.discord
        self.limiter = make_rate_limiter(
            settings, self.assistant.store.database, bot.config.database_url
        )
        self._added: list[str] = []

    async def cog_load(self) -> None:
        for spec in self.assistant.commands.all(include_hidden=True):
            if self.bot.get_command(spec.name) is not None:
                log.warning("command %s already exists in Discord; core version skipped", spec.name)
                continue
            self.bot.add_command(self.native(build_command(spec, self.run), spec))
            self._added.append(spec.name)
        # Buttons of messages sent before a restart keep working: their state is in custom_id.
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.delivery.progress.start()

    def native(self, command: CoreHybridCommand, spec: CoreCommand) -> CoreHybridCommand:
        """Autocomplete on the options that name things; restricted commands hidden by default
        from members without Manage Server (the role check still runs at use)."""
        app_command = command.app_command
        if app_command is None:
            return command
        for param in spec.params:
            kind = OPTIONS.get((spec.name, param.name))
            if kind is not None:
                callback = suggester(self.bot, spec.name, spec.permission, kind)
                app_command.autocomplete(param.name)(cast(Any, callback))  # Choice[str | int]
        if spec.permission is not None and spec.permission in self.bot.config.permissions.commands:
            app_command.default_permissions = ADMIN_COMMAND_PERMISSIONS
        return command

    async def cog_unload(self) -> None:
        self.bot.delivery.progress.stop()
        for name in self._added:
            self.bot.remove_command(name)

    # -- running a command ---------------------------------------------------------------------

    async def run(
        self, ctx: commands.Context[Any], spec: CoreCommand, options: dict[str, Any]
    ) -> None:
        slash = ctx.interaction is not None
        if not can_answer(ctx):
            return
        wait = self.limiter.hit(str(ctx.author.id))
        if wait:
            language = self.assistant.language(guild_key(ctx.guild, ctx.author))
            await self.send(ctx, slow_down(wait, language))
            return
        # the 3-second interaction deadline; commands may take longer
        if ctx.interaction is not None and not await defer(ctx.interaction, f"/{spec.name}"):
            return
        if spec.name in CONFIRMED and await self.ask_first(
            ctx, spec, options, words=await self._said(ctx, spec)
        ):
            return
        upload = options.pop(FILE_OPTION, None)
        found = [upload] if upload is not None else ([] if slash else list(ctx.message.attachments))
        # files sent with a command that takes none are not downloaded: the reply names them
        unread = () if spec.attachments else tuple(item.filename for item in found)
        if not spec.attachments or not self.assistant.allowed(spec.name, to_user(ctx.author)):
            found = []  # nothing downloaded for a member the core is about to refuse
        try:
            attachments = await self.read_attachments(found, guild_key(ctx.guild, ctx.author))
        except UserError as exc:
            await self.send(ctx, Reply(text=str(exc), ok=False, kind="error"))
            return
        request = self.request(ctx, spec.name, options, attachments)
        request.unread_files = unread
        reply = await self.assistant.handle(request)
        await self.deliver(ctx, reply)

    async def _said(self, ctx: commands.Context[Any], spec: CoreCommand) -> str | None:
        """The words of a typed `!undo that` as the core will read them: the sentence "undo
        that" is `undo` with no arguments (asked about with the words it takes, none), where
        "that" read as its arguments was refused before the question. None for a slash
        command, a bare name, or a line that says another command."""
        if ctx.interaction is not None or not _rest_of_line(ctx):
            return None
        asked = self.request(ctx, spec.name, None, [])
        meant = await asyncio.to_thread(self.assistant.reading.as_sentence, asked)
        if meant.command != spec.name:
            return None
        return meant.text if meant.options is None else ""  # a sentence gives its options

    async def ask_first(
        self,
        ctx: commands.Context[Any],
        spec: CoreCommand,
        options: dict[str, Any],
        words: str | None = None,
    ) -> bool:
        """A destructive command asks for Confirm / Cancel first (roles are checked now, by the
        core in the server's language, and again on the click). False when it cannot be asked
        (an option too long for the button): the command then runs, and refuses bad input, as
        it always did. `words`: its arguments when the message named it in a sentence
        ("!please remove 3")."""
        option = CONFIRMED[spec.name]
        slash = ctx.interaction is not None
        if option is None:
            argument = ""
        elif slash:
            # read as the command will read it: `/remove example:"3"` is asked about too
            argument = unquoted(str(options.get(option) or ""))
        else:
            argument = _rest_of_line(ctx) if words is None else words.strip()
        if not confirmable(spec.name, argument):
            return False
        if option is not None and not argument:
            return False  # the command's own usage message (or its refusal)
        asked = self.request(ctx, spec.name, dict(options), [])
        if words is not None:
            asked = dataclasses.replace(asked, text=words)
        guild_id = guild_key(ctx.guild, ctx.author)
        language = self.assistant.language(guild_id)
        if not slash:  # a file sent with it is not used: said with the question or refusal
            asked.unread_files = tuple(item.filename for item in ctx.message.attachments)
        with i18n.speaking(language):
            unused = self.assistant.unused_files(spec, asked)
        refusal = await self.assistant.refusal(asked)
        if refusal is not None:  # nothing to confirm: "there is nothing to undo"
            refusal.text = f"{refusal.text}\n{unused}" if unused else refusal.text
            await self.deliver(ctx, refusal)
            return True
        prompt = i18n.message(language, f"confirm.{spec.name}", argument=argument)
        prompt = f"{prompt}\n{unused}" if unused else prompt
        send: dict[str, Any] = {"view": confirm_view(language, ctx.author.id, spec.name, argument)}
        if not slash:
            send.update(reference=ctx.message, mention_author=False)
        await self.bot.delivery.deliver(
            ctx, Reply(text=prompt), guild_id=guild_id, record=False, **send
        )
        return True

    async def handle_voice(self, request: Request) -> Reply:
        """Spoken commands count against the same per-user limit as typed ones."""
        wait = self.limiter.hit(request.user.id)
        if wait:
            return slow_down(wait, self.assistant.language(request.guild_id))
        return await self.assistant.handle(request)

    def request(
        self,
        ctx: commands.Context[Any],
        name: str,
        options: dict[str, Any] | None,
        attachments: list[Attachment],
    ) -> Request:
        slash = ctx.interaction is not None
        message = None if slash else ctx.message
        reference = message.reference if message is not None else None
        source: Source = "slash" if slash else "text"
        return Request(
            command=name,
            text="" if slash else _rest_of_line(ctx),
            user=to_user(ctx.author),
            guild_id=guild_key(ctx.guild, ctx.author),
            channel_id=str(ctx.channel.id),
            message_id=str(message.id) if message is not None else None,
            reply_to=str(reference.message_id) if reference and reference.message_id else None,
            attachments=attachments,
            options={k: v for k, v in (options or {}).items() if v is not None} if slash else None,
            source=source,
        )

    async def read_attachments(
        self, found: list[discord.Attachment], guild_id: str
    ) -> list[Attachment]:
        """Refuse by announced size before downloading; check the real size after. Refusals
        are in the guild's language."""
        limit = self.bot.config.limits.attachment_bytes
        language = self.assistant.language(guild_id)
        out = []
        for item in found:
            if item.size > limit:
                raise LimitExceeded(_too_big(language, item.filename, item.size, limit))
            try:
                data = await item.read()
            except discord.HTTPException as exc:
                log.warning("attachment %s could not be downloaded: %s", item.filename, exc)
                text = i18n.message(language, "discord.download_failed", name=item.filename)
                raise UserError(text) from None
            if len(data) > limit:
                raise LimitExceeded(_too_big(language, item.filename, len(data), limit))
            out.append(Attachment(item.filename, data, item.content_type))
        return out

    async def deliver(self, ctx: commands.Context[Any], reply: Reply) -> discord.Message | None:
        """Answer a command: send and record the reply, follow its job, act on voice (a `join`
        that cannot be done answers why instead)."""
        reply = self.bot.voice_cog.refusal(ctx, reply) or reply
        message = await self.send(ctx, reply, record=True)
        if reply.voice_action is not None:
            await self.bot.voice_cog.voice_action(ctx, reply)
        return message

    async def send(
        self, ctx: commands.Context[Any], reply: Reply, *, record: bool = False
    ) -> discord.Message | None:
        """Reply to the command's message (or its interaction); see `Delivery.deliver`."""
        options: dict[str, Any] = {}
        if ctx.interaction is None:
            options = {"reference": ctx.message, "mention_author": False}
        return await self.bot.delivery.deliver(
            ctx, reply, guild_id=guild_key(ctx.guild, ctx.author), record=record, **options
        )

    # -- errors and unknown commands -----------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """ "@Trainer" alone calls me as one calls someone: it is `hi`. (discord.py dispatches
        nothing for a prefix with no command after it.)"""
        me = self.bot.user
        if message.author.bot or me is None or message.attachments:
            return
        if message.content.strip() not in (f"<@{me.id}>", f"<@!{me.id}>"):
            return
        ctx = await self.bot.get_context(message)
        if not can_answer(ctx) or self.limiter.hit(str(message.author.id)):
            return
        # the mention is no argument (nor, with no space after it, discord.py's prefix)
        request = dataclasses.replace(self.request(ctx, "hi", None, []), text="")
        await self.deliver(ctx, await self.assistant.handle(request))

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context[Any], error: Exception) -> None:
        if isinstance(error, commands.CommandNotFound):
            name = (ctx.invoked_with or "").strip()
            seen = visible(name)  # "!<RLO>train", a zero-width space first: still a command
            if not seen or not seen[0].isalpha() or not can_answer(ctx):
                return  # "!!!", "!?" are not commands
            if self.limiter.hit(str(ctx.author.id)):
                return  # floods are not answered
            await answer_sentence(self, ctx, name)
            return
        original = getattr(error, "original", None) or getattr(error, "__cause__", None) or error
        if isinstance(error, commands.UserInputError | commands.CheckFailure):
            await self.send(ctx, Reply(text=str(error), ok=False, kind="error"))
            return
        language = self.assistant.language(guild_key(ctx.guild, ctx.author))
        problem = environment_problem(original)  # the database away: said so, in one log line
        if problem is not None:
            log.error("command %s failed: %s", ctx.command, original)
            text = i18n.message(language, problem)
        else:
            reference = secrets.token_hex(3)
            log.error("command %s failed (ref %s)", ctx.command, reference, exc_info=original)
            text = i18n.message(language, "error.internal", reference=reference)
        await self.send(ctx, Reply(text=text, ok=False, kind="error"))  # as text if I may not embed


def can_answer(ctx: commands.Context[Any]) -> bool:
    """A typed command runs only where I may post the answer: with Send Messages denied it
    would act unseen. (An interaction is answered through itself; a channel discord.py does
    not know, PartialMessageable, has no permissions to read, so it is tried.)"""
    channel = ctx.channel
    if ctx.interaction is not None or ctx.guild is None:
        return True
    if isinstance(channel, discord.PartialMessageable):
        return True
    permissions = ctx.bot_permissions
    # In a thread Discord checks Send Messages in Threads, not the parent's Send Messages.
    threaded = isinstance(channel, discord.Thread)
    if permissions.send_messages_in_threads if threaded else permissions.send_messages:
        return True
    log.warning("a command in #%s was not run: I may not send messages there", channel)
    return False


def _too_big(language: str, name: str, size: int, limit: int) -> str:
    size_, limit_ = (
        i18n.tr_count("number.bytes", size, language=language),
        i18n.tr_count("number.bytes", limit, language=language),
    )
    return i18n.message(language, "upload.too_big", name=name, size=size_, limit=limit_)


def _rest_of_line(ctx: commands.Context[Any]) -> str:
    """Everything after `!name`, unparsed (the core parses it, quotes and JSON included)."""
    content = ctx.message.content
    prefix = ctx.prefix or ""
    invoked = ctx.invoked_with or ""
    rest = content[len(prefix) :].lstrip()
    return rest[len(invoked) :].strip() if rest.lower().startswith(invoked.lower()) else rest
