"""The voice session's text side: post transcripts, answers and announcements in a channel.

Implements `states.output.TextOutput` (+ `send_reply`, so files and error embeds survive), and
records each sent reply so that `correct` works on answers given by voice too.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from assistant.messages import Reply

if TYPE_CHECKING:
    from ..client import TrainerBot

log = logging.getLogger(__name__)


class ChannelTextOutput:
    def __init__(self, bot: TrainerBot) -> None:
        self.bot = bot

    def _channel(self, channel_id: str) -> discord.abc.Messageable | None:
        channel = self.bot.get_channel(int(channel_id)) if channel_id.isdigit() else None
        return channel if isinstance(channel, discord.abc.Messageable) else None

    async def send_text(self, channel_id: str, text: str) -> None:
        await self.send_reply(channel_id, Reply(text=text))

    async def send_reply(self, channel_id: str, reply: Reply) -> None:
        channel = self._channel(channel_id)
        if channel is None:
            log.info("text channel %s not found; not posting %r", channel_id, reply.text[:60])
            return
        guild = getattr(channel, "guild", None)
        guild_id = str(guild.id) if guild is not None else channel_id
        await self.bot.delivery.deliver(channel, reply, guild_id=guild_id)
