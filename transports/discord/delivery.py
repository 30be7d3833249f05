"""The one way a reply reaches Discord: render it, send it with its buttons, record it for
`correct`, follow its job. Typed and slash commands, audio messages, button clicks, the voice
sessions' text side and finished-job announcements all go through `Delivery.deliver`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from assistant.messages import Reply

from .components import reply_view
from .pages import Paged, PageStore
from .progress import JobProgress
from .render import render

if TYPE_CHECKING:
    from .client import TrainerBot

log = logging.getLogger(__name__)


class Delivery:
    def __init__(self, bot: TrainerBot) -> None:
        self.bot = bot
        self.progress = JobProgress(bot, bot.config.discord.progress_edit_interval_s)
        """Edits the reply that started a job with its progress."""
        self.pages = PageStore()
        """Pages of long replies, for their Previous / Next buttons."""

    async def deliver(
        self,
        destination: discord.abc.Messageable | discord.Webhook,
        reply: Reply,
        *,
        guild_id: str,
        record: bool = True,
        **send: Any,
    ) -> discord.Message | None:
        """Send `reply` to a channel (or a command's context: an interaction's follow-up);
        `send` adds discord.py options such as `reference`. Unless `record` is False (notices
        that are not answers), the reply is remembered for `correct` and its job followed.
        A Discord error is logged, never raised; None when nothing could be sent."""
        language = self.bot.assistant.language(guild_id)
        rendered = render(reply, self.bot.config.limits.send_file_bytes, language)
        view = reply_view(language, reply, len(rendered.pages))
        if view is not None:
            send["view"] = view
        try:
            message = await destination.send(**rendered.kwargs(), **send)
        except discord.HTTPException as exc:
            log.error("could not send a reply (%s): %s", reply.text[:60], exc)
            if not rendered.files:
                return None
            # e.g. a file Discord refused: say so without the files
            note = Reply(text=f"{reply.text}\n(I could not attach the file.)", ok=reply.ok)
            try:
                message = await destination.send(**render(note, 0, language).kwargs(), **send)
            except discord.HTTPException:
                return None
        if message is None:
            return None
        if len(rendered.pages) > 1:
            self.pages.put(message.id, Paged(reply, rendered.title, rendered.pages))
        if record:
            self.bot.assistant.record_reply(
                reply,
                message_id=str(message.id),
                guild_id=guild_id,
                channel_id=str(message.channel.id),
            )
            if reply.job_id is not None:
                self.progress.follow(reply.job_id, message, reply.text)
        return message
