"""One guild in voice: speakers' streams in, the conversation machine, the stages, the outputs.

The session owns no conversation state of its own: it turns audio into events for the machine
(`Conversation`), and when the machine enters a state, `StageHooks` starts that state's stage
as a task (`states/stages.py`: recognize, act, speak). Each stage reports back with an event
stamped with the serial of the state entry it belongs to; the machine drops stale ones. Speech
still in progress is watched for a wake phrase and heard at a pause
(`states/speech_in_progress.py`). What was heard, said and posted is kept in `trace`
(`states/trace.py`), so the console and the tests see what a user would see and hear.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from assistant.config.conversation import ConversationSettings
from assistant.messages import Reply, Request, User
from audio.hearing import Hearing
from audio.vad.base import UtteranceEnded

from .conversation import Conversation
from .output import TextOutput, VoiceOutput
from .parts import VoiceParts
from .pause_hearing import PauseHearing
from .speech_in_progress import SpeechInProgress
from .stages import StageHooks, Stages
from .streams import SpeakerStreams, Stream
from .trace import TraceEntry, record

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Reply]]
"""The core: `Assistant.handle` (never raises)."""
VoiceAction = Callable[[str, str], Awaitable[None]]
"""(guild_id, "join" | "leave"): the transport connects or disconnects voice."""


class GuildVoiceSession:
    """The voice conversation of one guild. Feed audio with `feed`; everything else follows."""

    def __init__(
        self,
        guild_id: str,
        parts: VoiceParts,
        handle: Handler,
        *,
        voice: VoiceOutput | None,
        text: TextOutput | None,
        text_channel_id: str,
        settings: ConversationSettings | None = None,
        on_voice_action: VoiceAction | None = None,
    ) -> None:
        self.guild_id = guild_id
        self.on_voice_action = on_voice_action
        """Called after a spoken "leave" (or "join") reply has been said."""
        self.parts = parts
        self.handle = handle
        self.voice = voice
        self.text = text
        self.text_channel_id = text_channel_id
        self.settings = settings or ConversationSettings()
        self.trace: list[TraceEntry] = []
        self.spoken_jobs: set[int] = set()
        """Jobs started by a spoken command: everyone in the voice channel heard it asked."""
        self.streams = SpeakerStreams(parts.make_vad, self)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._changed = asyncio.Event()
        self.stages = Stages(self)
        self.in_progress = SpeechInProgress(self)
        self.machine = Conversation(self.settings, guild_id=guild_id, listeners=[StageHooks(self)])
        self.pause_hearing = PauseHearing(self.hear, self.spawn)
        """Utterances heard from the speaker's pause on, before the VAD's end wait is over."""

    # --- audio in (states/streams.py calls these) -----------------------------------------------

    def feed(self, user: User, pcm16k: bytes) -> None:
        """Next chunk (typically 20 ms) of one speaker's stream, 16 kHz mono s16le."""
        self.streams.feed(user, pcm16k)

    def feed_discord(self, user: User, pcm48k_stereo: bytes) -> None:
        """Next 20 ms frame as Discord delivers it (48 kHz stereo s16le)."""
        self.streams.feed_discord(user, pcm48k_stereo)

    def end_stream(self, user_id: str) -> None:
        """A speaker left or their stream ended: close an utterance in progress."""
        self.streams.end(user_id)

    def slack_s(self) -> float:
        """How late audio may be fed without delaying anything the session does with it:
        none while the bot speaks (someone's speech is checked for the wake phrase as it
        grows), else until the first VAD could decide a start, end, pause or cut."""
        if self.machine.state == "speaking":
            return 0.0
        return self.streams.slack_s()

    def speech_started(self, stream: Stream) -> None:
        stream.started_wall = self.machine.clock()
        self.send("speech_started", speaker=stream.user.id)

    def speech_ended(self, stream: Stream, utterance: UtteranceEnded) -> None:
        self.send("speech_ended", speaker=stream.user.id, utterance=utterance)
        m = self.machine
        taken = m.state == "transcribing" and m.utterance is utterance
        if self.pause_hearing.ended(stream.user.id, utterance, recognized_next=taken) is False:
            self.note("pause_hearing", "dropped: the utterance ended otherwise", stream.user.id)

    def speech_continues(self, stream: Stream) -> None:
        self.in_progress.continues(stream)

    # --- the machine, the trace, the tasks ------------------------------------------------------

    def send(self, event: str, **data: Any) -> None:
        """Send an event; one the current state does not accept is logged and dropped."""
        m = self.machine
        before = m.state
        m.took_transition = False
        try:
            m.send(event, **data)
        except Exception:  # never let one guild's bug escape into the audio path
            log.exception("guild %s: event %s failed in %s", self.guild_id, event, before)
            return
        if not m.took_transition:
            who = data.get("speaker")
            log.debug("guild %s: %s ignored in %s (speaker %s)", self.guild_id, event, before, who)
            self.note("ignored", text=event, speaker=who, data={"state": before})

    def note(
        self,
        kind: str,
        text: str = "",
        speaker: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Add to the trace (states/trace.py) and wake `settle`."""
        record(self.trace, kind, text, speaker, data)
        self._changed.set()

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        """Run `coro` as a task of the session (`settle` waits for it, `close` cancels it)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def hear(self, pcm: bytes, in_window: bool, speaker: str | None = None) -> Hearing:
        """The one hearing path, for this guild (`VoiceParts.hear`); `speaker`: whose voice."""
        return await self.parts.hear(pcm, in_window, self.guild_id, speaker)

    # --- text out -------------------------------------------------------------------------------

    async def post(self, text: str, channel_id: str | None = None) -> None:
        self.note("posted", text)
        if self.text is None:
            return
        try:
            await self.text.send_text(channel_id or self.text_channel_id, text)
        except Exception:
            log.exception("guild %s: posting to the text channel failed", self.guild_id)

    # --- job announcements ----------------------------------------------------------------------

    async def announce(
        self,
        text: str,
        *,
        spoken: str | None = None,
        to: str | None = None,
        channel_id: str | None = None,
    ) -> None:
        """Say `spoken` (or `text`) when the bot is free, and post `text` now."""
        await self.post(text, channel_id)
        if to is not None and to not in self.streams.streams:
            to = None  # only someone in the channel gets the follow-up window
        self.send("announce", text=spoken or text, to=to)

    async def job_finished(self, job: Any, reply: Reply) -> None:
        """A training job of this guild ended: announce `reply` (`job_finished_reply`)."""
        if not self.settings.announce_jobs:
            return
        await self.announce(
            reply.text, spoken=reply.spoken, to=job.requested_by, channel_id=job.channel_id
        )

    # --- waiting and leaving --------------------------------------------------------------------

    def quiet(self) -> bool:
        """Nothing in progress: idle, or waiting in a follow-up window; no stage running."""
        m = self.machine
        free = m.state == "idle" or (m.state == "listening" and not m.capturing)
        stages = any(not t.done() for t in self._tasks)
        in_speech = self.streams.anyone_speaking()
        return free and not stages and not in_speech and not m.queued and not m.announcements

    async def settle(self, timeout: float = 30.0, *, idle: bool = False) -> bool:
        """Wait until `quiet()` (or, with `idle`, until the machine is idle); False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.machine.state == "idle" if idle else True
            if done and self.quiet():
                return True
            stages = [t for t in self._tasks if not t.done()]
            if stages:
                await asyncio.wait(stages, timeout=0.05)
            else:
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.05)
        return False

    async def close(self) -> None:
        """Leave: stop speaking, cancel stages and timers."""
        self.machine.close()
        await self.streams.close()
        self.pause_hearing.close()
        if self.voice is not None:
            self.voice.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
