"""Posting in a thread after the moment a command was typed there.

discord.py forgets a thread once it is archived, and a thread left alone archives itself
(after an hour to a week of quiet: a training job, or a voice session answering in the thread
it was joined from, outlives that). Discord opens an archived thread again when one posts in
it, so the thread is remembered here from the replies sent into it. A thread a moderator
locked or deleted meanwhile takes no post at all, nor does a private thread a member removed me
from (discord.py keeps that one, but Discord refuses all of it): what was meant for it goes to
the thread's parent channel, saying so, and `status` keeps a job's result either way. What
was meant for a private thread is not shown there (private_results.py): the channel's other
members cannot see that thread."""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import discord

from assistant import i18n
from assistant.messages import Reply

from .members import pinging
from .private_results import tell_privately

if TYPE_CHECKING:
    from .client import TrainerBot

log = logging.getLogger(__name__)

REMEMBERED = 512
"""Threads remembered (the most recently answered): a thread object is small."""


class ThreadPosts:
    def __init__(self, bot: TrainerBot) -> None:
        self.bot = bot
        self._threads: OrderedDict[int, discord.Thread] = OrderedDict()
        self._closed: set[int] = set()
        """Threads that refused a post (locked, deleted): their posts go to the parent."""
        self._noted: set[int] = set()
        """Threads whose moved posts have said where they come from."""
        self._left: set[int] = set()
        """Private threads I was removed from: discord.py keeps them, Discord refuses posts."""
        bot.add_listener(self._removed, "on_thread_remove")
        bot.add_listener(self._joined, "on_thread_join")

    async def _removed(self, thread: discord.Thread) -> None:
        """A member removed me from `thread` (THREAD_MEMBERS_UPDATE): of a public one I am
        a member again by posting there; a private one I may no longer see."""
        if thread.is_private():
            self._left.add(thread.id)
            self._closed.add(thread.id)

    async def _joined(self, thread: discord.Thread) -> None:
        """Added to `thread` (again): posts go to it again."""
        self._left.discard(thread.id)
        self._closed.discard(thread.id)

    def saw(self, channel: Any) -> None:
        """A reply went to `channel`: if it is a thread, remember it."""
        if isinstance(channel, discord.Thread):
            self._threads[channel.id] = channel
            self._threads.move_to_end(channel.id)
            while len(self._threads) > REMEMBERED:
                self._threads.popitem(last=False)

    def channel(self, channel_id: str) -> discord.abc.Messageable | None:
        """The channel or thread `channel_id` names, an archived thread included."""
        if not channel_id.isdigit():
            return None
        found: Any = self.bot.get_channel(int(channel_id))
        if isinstance(found, discord.Thread) and found.id not in self._left:
            self._closed.discard(found.id)  # in discord.py's cache again: open again
        found = found or self._threads.get(int(channel_id))
        return found if isinstance(found, discord.abc.Messageable) else None

    def private(self, channel_id: str) -> bool:
        """True when `channel_id` is a private thread (one I was removed from included)."""
        channel = self.channel(channel_id)
        return isinstance(channel, discord.Thread) and channel.is_private()

    async def deliver(
        self,
        channel_id: str,
        reply: Reply,
        *,
        guild_id: str,
        member: str | None = None,
        **send: Any,
    ) -> discord.Message | None:
        """`reply` to the channel `channel_id` (`Delivery.deliver` with `send`); to a thread
        that takes no post now, in its parent channel instead, naming the thread and pinging
        `member` (the id of whom it answers), who would not see it otherwise (of a private
        thread, only a note there, and `reply` to `member` directly)."""
        channel = self.channel(channel_id)
        if channel is None:
            log.info("channel %s not found; not posting %r", channel_id, reply.text[:60])
            return None
        delivery = self.bot.delivery
        if not (isinstance(channel, discord.Thread) and channel.id in self._closed):
            sent = await delivery.deliver(channel, reply, guild_id=guild_id, **send)
            if sent is not None or not isinstance(channel, discord.Thread):
                return sent
            self._closed.add(channel.id)
        parent = channel.parent
        if not isinstance(parent, discord.abc.Messageable):  # a forum post's forum takes none
            log.info("thread %s takes no post and has no text channel above it", channel.id)
            return None
        if channel.is_private():  # only a note there: the result is the thread's members'
            job = (reply.data or {}).get("job_id")
            if job is None:
                # a voice session's transcript or answer: said aloud already; in writing it
                # was for the thread's members alone, and it is no job's result to point to
                log.info(
                    "private thread %s takes no post; not posting %r", channel.id, reply.text[:60]
                )
                return None
            return await tell_privately(
                self.bot, channel, parent, reply, job, guild_id=guild_id, member=member
            )
        ping, mentions = pinging(member)
        if ping or channel.id not in self._noted:  # said once, or to whom it concerns
            self._noted.add(channel.id)
            language = self.bot.assistant.language(guild_id)
            note = i18n.message(language, "discord.thread_gone", thread=channel.name, member=ping)
            reply = dataclasses.replace(reply, text=f"{note.strip()}\n{reply.text}")
        return await delivery.deliver(parent, reply, guild_id=guild_id, allowed_mentions=mentions)
