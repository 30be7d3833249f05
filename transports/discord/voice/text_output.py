"""The voice session's text side: post transcripts, answers and announcements in a channel.

Implements `states.output.TextOutput` (+ `send_reply`, so files and error embeds survive), and
records each sent reply so that `correct` works on answers given by voice too.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from assistant.messages import Reply

if TYPE_CHECKING:
    from ..client import TrainerBot

log = logging.getLogger(__name__)


class ChannelTextOutput:
    def __init__(self, bot: TrainerBot) -> None:
        self.bot = bot

    async def send_text(self, channel_id: str, text: str) -> None:
        await self.send_reply(channel_id, Reply(text=text))

    async def send_reply(self, channel_id: str, reply: Reply) -> None:
        """To the channel, or the thread, the session answers in (an archived thread too;
        one closed meanwhile: its parent channel)."""
        posts = self.bot.delivery.threads
        channel = posts.channel(channel_id)
        guild = getattr(channel, "guild", None)
        guild_id = str(guild.id) if guild is not None else channel_id
        await posts.deliver(channel_id, reply, guild_id=guild_id)
