"""One `GuildVoiceSession` per guild: created on join, closed on leave; routes job events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from assistant.config.conversation import ConversationSettings
from assistant.reports import job_finished_reply

from .output import TextOutput, VoiceOutput
from .parts import VoiceParts
from .session import GuildVoiceSession, Handler, VoiceAction

log = logging.getLogger(__name__)


class SessionRegistry:
    """The voice sessions of every guild the bot is in a voice channel of."""

    def __init__(
        self,
        parts: VoiceParts,
        handle: Handler,
        settings: ConversationSettings | None = None,
        jobs: Any = None,
        on_voice_action: VoiceAction | None = None,
        aloud: Callable[[Any], bool] | None = None,
    ) -> None:
        """`jobs` is the core's job manager (`Assistant.jobs`); finished jobs are announced,
        but only those `aloud(job)` allows (the transport knows which channels are private).
        `on_voice_action(guild_id, "leave")` runs after a spoken leave reply was said."""
        self.aloud = aloud or (lambda job: True)
        self.parts = parts
        self.on_voice_action = on_voice_action
        self.handle = handle
        self.settings = settings or ConversationSettings()
        self._sessions: dict[str, GuildVoiceSession] = {}
        self._jobs = jobs
        self._unsubscribe = jobs.subscribe(self._on_job_event) if jobs is not None else None

    def get(self, guild_id: str) -> GuildVoiceSession | None:
        return self._sessions.get(guild_id)

    def __contains__(self, guild_id: str) -> bool:
        return guild_id in self._sessions

    def __len__(self) -> int:
        return len(self._sessions)

    async def join(
        self,
        guild_id: str,
        *,
        voice: VoiceOutput | None,
        text: TextOutput | None,
        text_channel_id: str,
    ) -> GuildVoiceSession:
        """The session of `guild_id`, created if needed (joining again replaces the outputs)."""
        session = self._sessions.get(guild_id)
        if session is not None:
            session.voice, session.text, session.text_channel_id = voice, text, text_channel_id
            return session
        session = GuildVoiceSession(
            guild_id,
            self.parts,
            self.handle,
            voice=voice,
            text=text,
            text_channel_id=text_channel_id,
            settings=self.settings,
            on_voice_action=self.on_voice_action,
        )
        self._sessions[guild_id] = session
        log.info("guild %s: voice session started", guild_id)
        return session

    async def leave(self, guild_id: str) -> None:
        session = self._sessions.pop(guild_id, None)
        if session is not None:
            await session.close()
            log.info("guild %s: voice session closed", guild_id)

    async def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        await asyncio.gather(*(self.leave(g) for g in list(self._sessions)))

    def announces(self, job: Any) -> bool:
        """True when a voice session announces `job`'s end (aloud and in text): the transport
        then leaves the job's result to it."""
        session = self._sessions.get(str(job.guild_id))
        if session is None or not self.settings.announce_jobs:
            return False
        # one asked for aloud is said aloud, even from a session joined in a private thread
        return job.id in session.spoken_jobs or self.aloud(job)

    async def _on_job_event(self, event: Any) -> None:
        if event.kind != "finished" or not self.announces(event.job):
            return
        session = self._sessions.get(str(event.job.guild_id))
        if session is not None and self._jobs is not None:
            reply = job_finished_reply(self._jobs.store, event.job)
            if reply is not None:
                await session.job_finished(event.job, reply)
