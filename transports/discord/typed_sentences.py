"""A typed line that names no command is read as a sentence ("!please train the model",
"!could you undo the last addition"): the command it says runs as if typed by its name, with
the message's files where it takes files, and asks first where it is destructive.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING, Any

from discord.ext import commands

from assistant.commands.registry import Command as CoreCommand
from assistant.errors import UserError
from assistant.messages import Reply, Request

from .confirming import CONFIRMED

if TYPE_CHECKING:
    from .cog_commands import CommandsCog


async def answer_sentence(cog: CommandsCog, ctx: commands.Context[Any], name: str) -> None:
    """Read `!name ...` (no command of that name) as a sentence and answer it; its reply is
    recorded, its job followed, as a command's."""
    request = cog.request(ctx, name, None, [])
    meant = await asyncio.to_thread(cog.assistant.reading.as_sentence, request)
    spec = cog.assistant.find_command(meant.command)
    if (
        spec is not None
        and spec.attachments
        and ctx.message.attachments
        and cog.assistant.allowed(spec.name, meant.user)
    ):
        # read only for a command that takes files: "!lol" with a video is no upload;
        # nor for a member the core is about to refuse (their files cost no download)
        try:
            found = await cog.read_attachments(list(ctx.message.attachments), request.guild_id)
        except UserError as exc:
            await cog.send(ctx, Reply(text=str(exc), ok=False, kind="error"))
            return
        meant = dataclasses.replace(meant, attachments=found)
    elif spec is not None and not spec.attachments and ctx.message.attachments:
        # "!please show the status" with a file: not downloaded, and said so
        unread = tuple(item.filename for item in ctx.message.attachments)
        meant = dataclasses.replace(meant, unread_files=unread)
    # "!please undo" is `undo`: a destructive command asks first however it is named.
    if spec is not None and spec.name in CONFIRMED:
        options = dict(meant.options or {})
        if await cog.ask_first(ctx, spec, options, words=_arguments_of(meant, spec)):
            return
    await cog.deliver(ctx, await cog.assistant.handle(meant, read=True))


def _arguments_of(meant: Request, spec: CoreCommand) -> str:
    """The arguments a command read from a sentence takes, as a command line would give them:
    its words when they were left to its parser (`!please remove 3`), else its one confirmed
    option's value. A sentence read as options ("!please undo", "!please remove example 3")
    keeps the words it was said with, which are no arguments of the command."""
    if meant.options is None:
        return meant.text
    option = CONFIRMED[spec.name]
    return "" if option is None else str(meant.options.get(option) or "")
