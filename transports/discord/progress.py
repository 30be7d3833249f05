"""Follow background jobs: edit the reply that started a job with its progress, and announce
the result in the job's channel when it finishes."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from assistant import i18n
from assistant.reports import job_finished_reply, progress_bar, status, time_left

from .components import page_view
from .pages import MESSAGE_CHARS
from .retry import again

if TYPE_CHECKING:
    from .client import TrainerBot

log = logging.getLogger(__name__)


@dataclass
class _Followed:
    message: discord.Message | discord.PartialMessage
    text: str
    """The reply's content as sent; empty when it was sent as embed pages, which stay."""
    edited_at: float = -math.inf
    """When it was last edited (monotonic clock; never yet: the first edit goes at once, also
    on a machine up for less than an interval, whose clock starts near 0)."""
    last_job: Any = None
    pending: asyncio.TimerHandle | None = None
    refused: bool = False
    """Discord refused an edit for good (the thread archived, the message deleted): no more
    edits until the job ends (a long job sent one doomed edit per interval for hours)."""
    editing: asyncio.Task[bool] | None = None
    """The progress edit in flight: the final edit waits for its answer, so that a refusal
    it is about to get is not asked for a second time."""


REFUSED_EDITS = (50083, 160005, 50001)
"""Discord's codes for an edit in an archived thread, in a locked one, and where I may no
longer see (Missing Access: a private thread I was removed from)."""


INVALID_WEBHOOK_TOKEN = 50027
"""Discord's code for an interaction's token used after its 15 minutes."""


def progress_line(job: Any) -> str:
    detail = f" · {i18n.render(job.message)}" if job.message else ""
    left = time_left(job)
    when = f" · {left}" if left else ""
    done = i18n.percent_text(job.progress)
    return f"`{progress_bar(job.progress, 12)}` {done} ({status(job)}){when}{detail}"


def with_progress(text: str, line: str) -> str:
    """The started reply's content with the progress line under it, within Discord's 2,000
    characters. The line is what must show, so a long text gives way, cut at a line break
    where it can be; a reply sent as embed pages (no text) keeps them, and gets the line alone.
    Cut at 2,000 at the end, the line was lost, and a paged reply showed its text twice."""
    if not text:
        return line[:MESSAGE_CHARS]
    room = MESSAGE_CHARS - len(line) - 1
    if len(text) > room:
        cut = text[: max(0, room - 1)]
        text = (cut.rpartition("\n")[0] or cut) + "…"
    return f"{text}\n{line}"[:MESSAGE_CHARS]


class JobProgress:
    def __init__(self, bot: TrainerBot, interval: float) -> None:
        self.bot = bot
        self.interval = interval
        self._followed: dict[int, _Followed] = {}
        self._early: dict[int, Any] = {}
        """Events of jobs whose reply is not sent yet (a fast job can finish first)."""
        self._unsubscribe: Any = None
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._unsubscribe = self.bot.assistant.jobs.subscribe(self.on_event)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        for followed in self._followed.values():
            if followed.pending:
                followed.pending.cancel()

    def follow(self, job_id: int, message: discord.Message, text: str) -> None:
        followed = _Followed(message, text)
        self._followed[job_id] = followed
        early = self._early.pop(job_id, None)
        if early is not None:
            self.on_event(early)

    def on_event(self, event: Any) -> None:
        job = event.job
        followed = self._followed.get(job.id)
        if followed is None:
            if len(self._early) > 100:
                self._early.clear()
            self._early[job.id] = event
            return
        followed.last_job = job
        if event.kind == "finished":
            self._followed.pop(job.id, None)
            if followed.pending:
                followed.pending.cancel()
            self._spawn(self._finish(followed, job))
            return
        # Discord rate-limits edits: at most one per interval, the latest state wins.
        if followed.pending is not None or followed.refused:
            return
        delay = max(0.0, followed.edited_at + self.interval - time.monotonic())
        followed.pending = asyncio.get_running_loop().call_later(delay, self._edit_now, followed)

    def _edit_now(self, followed: _Followed) -> None:
        followed.pending = None
        if followed.refused:
            return
        if followed.editing is not None and not followed.editing.done():
            # one edit at a time: edits sent side by side to an archived thread were all refused
            loop = asyncio.get_running_loop()
            followed.pending = loop.call_later(self.interval, self._edit_now, followed)
            return
        followed.edited_at = time.monotonic()
        job = followed.last_job
        with i18n.speaking(self.bot.assistant.language(job.guild_id)):
            line = progress_line(job)
        followed.editing = self._spawn(self._edit(followed, with_progress(followed.text, line)))

    async def _edit(
        self, followed: _Followed, content: str, *, last: bool = False, **changes: Any
    ) -> bool:
        """Edit the followed message; False when Discord refused. The `last` edit, the one
        showing the job's end, is tried again while Discord refuses it only for now (a 429,
        a 5xx): no later edit would show the end (a periodic one is not, the next one shows
        the same and more)."""

        async def edit() -> None:
            try:
                await followed.message.edit(content=content, **changes)
            except discord.HTTPException as exc:
                if exc.code != INVALID_WEBHOOK_TOKEN:
                    raise
                # a slash command's reply, edited through its interaction, whose token lasts
                # 15 minutes: the message is mine, so edit it in its channel from now on
                channel = self.bot.get_partial_messageable(followed.message.channel.id)
                followed.message = channel.get_partial_message(followed.message.id)
                await followed.message.edit(content=content, **changes)

        try:
            await (again(edit, "a job's last progress edit") if last else edit())
        except discord.HTTPException as exc:
            log.log(
                logging.WARNING if last else logging.INFO,
                "could not edit progress message: %s",
                exc,
            )
            if isinstance(exc, discord.NotFound) or exc.code in REFUSED_EDITS:
                followed.refused = True
            return False
        followed.refused = False
        return True

    async def _finish(self, followed: _Followed, job: Any) -> None:
        with i18n.speaking(self.bot.assistant.language(job.guild_id)):
            line = progress_line(job)
        # the finished job's Cancel button goes away; a paged reply's page buttons stay
        final = with_progress(followed.text, line)
        view = self._view_after(followed, job.guild_id)
        if followed.editing is not None:
            await asyncio.wait([followed.editing])
        # tried once before the result is posted, so that a refusal for now does not hold it up
        edited = not followed.refused and await self._edit(followed, final, view=view)
        # unless the guild's voice session says it aloud and posts it
        if not self.bot.voice_cog.announces(job):
            sent = await self._post_result(followed, job)
            if not edited and sent is not None and sent.channel.id == followed.message.channel.id:
                # posting opened the archived thread again: the message can show the end now
                edited = await self._edit(followed, final, view=view)
        if not edited and not followed.refused:
            await self._edit(followed, final, last=True, view=view)

    async def _post_result(self, followed: _Followed, job: Any) -> discord.Message | None:
        """The finished job's result, to its channel, an archived thread included (its
        parent, if it is closed), in reply to the message that followed it."""
        assistant = self.bot.assistant
        reply = job_finished_reply(assistant.store, job, assistant.language(job.guild_id))
        if reply is None:
            return None
        return await self.bot.delivery.threads.deliver(
            job.channel_id,
            reply,
            guild_id=job.guild_id,
            member=job.requested_by,
            reference=followed.message,
        )

    def _view_after(self, followed: _Followed, guild_id: str) -> discord.ui.View | None:
        """The buttons a finished job's reply keeps: Previous / Next at the page it shows."""
        paged = self.bot.delivery.pages.get(followed.message.id)
        if paged is None or len(paged.pages) < 2:
            return None
        language = self.bot.assistant.language(guild_id)
        return page_view(language, paged.shown, len(paged.pages))

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
