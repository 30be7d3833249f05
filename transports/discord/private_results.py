"""A job's result meant for a private thread that takes no post now (the bot was removed
from it, or it was locked or deleted while the job ran).

Only the thread's members could see the result there, so it does not go to the thread's
channel, whose other members cannot see the thread: the member who started the job gets it
by direct message, and the channel is told only that a job from a private thread finished,
pinging that member and saying where the result is (`status <job>` when a direct message
cannot reach them). Neither the thread's name nor the result (model, accuracy, dataset) is
shown there."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

import discord

from assistant import i18n
from assistant.messages import Reply

from .members import pinging

if TYPE_CHECKING:
    from .client import TrainerBot

log = logging.getLogger(__name__)


async def tell_privately(
    bot: TrainerBot,
    thread: discord.Thread,
    parent: discord.abc.Messageable,
    reply: Reply,
    job: int,
    *,
    guild_id: str,
    member: str | None,
) -> discord.Message | None:
    """`reply` (job `job`'s result, meant for `thread`) to `member` by direct message; in
    `parent`, the thread's channel, only a note
    that pings them and says where the result is. The note, or None if none could be sent."""
    language = bot.assistant.language(guild_id)
    dm = await _direct(bot, thread.guild, reply, guild_id, member, language)
    key = "discord.private_result.sent" if dm is not None else "discord.private_result.status"
    ping, mentions = pinging(member)
    note = i18n.message(language, key, member=ping, job=job).strip()
    return await bot.delivery.deliver(
        parent,
        Reply(text=note, kind="job"),
        guild_id=guild_id,
        record=False,  # a notice: the result is in the direct message (or `status`)
        allowed_mentions=mentions,
    )


async def _direct(
    bot: TrainerBot,
    guild: discord.Guild,
    reply: Reply,
    guild_id: str,
    member: str | None,
    language: str,
) -> discord.Message | None:
    """`reply` to `member` in a direct message, saying which server it is from; None when
    they are not known or take no direct messages from me (Discord refuses: 50007)."""
    user = guild.get_member(int(member)) if member and member.isdigit() else None
    if user is None:
        return None
    head = i18n.message(language, "discord.private_result.dm", server=guild.name)
    sent = dataclasses.replace(reply, text=f"{head}\n{reply.text}")
    # not recorded: buttons and `correct` in a DM act on the DM's own records, not the server's
    return await bot.delivery.deliver(user, sent, guild_id=guild_id, record=False)
