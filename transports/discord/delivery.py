"""The one way a reply reaches Discord: render it, send it with its buttons, record it for
`correct`, follow its job. Typed and slash commands, audio messages, button clicks, the voice
sessions' text side and finished-job announcements all go through `Delivery.deliver`."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any

import discord

from assistant import i18n
from assistant.messages import Reply

from .components import reply_view
from .pages import Paged, PageStore
from .progress import JobProgress
from .render import render, shows_embeds
from .retry import again
from .thread_posts import ThreadPosts

if TYPE_CHECKING:
    from .client import TrainerBot

log = logging.getLogger(__name__)
_NO_DIRECT_MESSAGES = 50007
"""Discord's code for "Cannot send messages to this user" (direct messages closed)."""


class Delivery:
    def __init__(self, bot: TrainerBot) -> None:
        self.bot = bot
        self.progress = JobProgress(bot, bot.config.discord.progress_edit_interval_s)
        """Edits the reply that started a job with its progress."""
        self.pages = PageStore()
        """Pages of long replies, for their Previous / Next buttons."""
        self.threads = ThreadPosts(bot)
        """Threads answered in, for what is posted there later (a job's result)."""

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
        replied = send.get("reference")
        if isinstance(replied, discord.Message | discord.PartialMessage):
            # The member may delete their message while the command runs: Discord then
            # refuses a reply to it, unless told to send it as a plain message.
            send["reference"] = replied.to_reference(fail_if_not_exists=False)
        embeds = shows_embeds(destination)
        limit = self.bot.config.limits.send_file_bytes
        rendered = render(reply, limit, language, embeds=embeds)
        own_view = "view" not in send  # a confirm prompt brings its own buttons
        if own_view:
            _set_view(send, language, reply, len(rendered.pages))
        tries = 0

        async def attempt() -> discord.Message | None:
            nonlocal tries
            tries += 1  # a file is read once by a send: another attempt renders it afresh
            fresh = rendered if tries == 1 else render(reply, limit, language, embeds=embeds)
            return await destination.send(**fresh.kwargs(), **send)

        try:
            # a 429 or a 5xx is tried again: a reply is not lost to Discord's passing trouble
            message = await again(attempt, f"a reply ({reply.text[:60]!r})")
        except discord.HTTPException as exc:
            # a member who takes no direct messages (50007) is expected, not a fault
            level = logging.INFO if exc.code == _NO_DIRECT_MESSAGES else logging.ERROR
            log.log(level, "could not send a reply (%s): %s", reply.text[:60], exc)
            if not rendered.files:
                return None
            # e.g. Attach Files denied, or a file Discord refused: say so without the files
            reply = without_files(reply, exc, language)
            rendered = render(reply, 0, language, embeds=embeds)
            if own_view:  # the buttons of the reply as it was may not fit it now
                _set_view(send, language, reply, len(rendered.pages))
            try:
                message = await destination.send(**rendered.kwargs(), **send)
            except discord.HTTPException:
                return None
        if message is None:
            return None
        # an interaction's answer knows its channel by id only; the context has the thread
        # (a private one I am not in is known from the interaction alone)
        self.threads.saw(getattr(destination, "channel", None))
        self.threads.saw(message.channel)
        if len(rendered.pages) > 1:
            self.pages.put(message.id, Paged(reply, rendered.title, rendered.pages, embeds))
        if record:
            self.bot.assistant.record_reply(
                reply,
                message_id=str(message.id),
                guild_id=guild_id,
                channel_id=str(message.channel.id),
            )
            if reply.job_id is not None:
                # what the message shows as text: nothing when its pages are embeds
                self.progress.follow(reply.job_id, message, rendered.content or "")
        return message


def _set_view(send: dict[str, Any], language: str, reply: Reply, pages: int) -> None:
    """The reply's own buttons (pages, feedback), if it has any, as `send`'s view."""
    send.pop("view", None)
    view = reply_view(language, reply, pages)
    if view is not None:
        send["view"] = view


MISSING_PERMISSIONS = 50013
"""Discord's error code when the bot lacks a permission in the channel."""


def without_files(reply: Reply, exc: discord.HTTPException, language: str) -> Reply:
    """`reply` as it can be sent when its files could not be: why they are missing, in the
    guild's language. A reply whose file was the answer (`getfile`, `export`) is only why."""
    missing = isinstance(exc, discord.Forbidden) and exc.code == MISSING_PERMISSIONS
    why = i18n.message(language, "discord.cannot_attach" if missing else "discord.not_attached")
    if reply.kind == "file":
        return Reply(text=why, ok=False, kind="error")
    return dataclasses.replace(reply, text=f"{reply.text}\n{why}", files=[])
