"""One guild in voice: speakers' streams in, the conversation machine, the stages, the outputs.

The session owns no conversation state of its own: it turns audio into events for the machine
(`Conversation`), and when the machine enters a state it starts that state's stage as a task
(recognize, act, speak). Each stage reports back with an event stamped with the serial of the
state entry it belongs to; the machine drops stale ones. What was heard, said and posted is
kept in `trace`, so the console and the tests see what a user would see and hear.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from assistant import i18n
from assistant.config.conversation import ConversationSettings
from assistant.messages import Reply, Request, User
from audio.asr.base import Transcript
from audio.hearing import Hearing
from audio.speech_text import spoken_text
from audio.tts.base import Speech
from audio.vad.base import UtteranceEnded

from .conversation import APOLOGY, Conversation, Saying
from .output import TextOutput, VoiceOutput
from .parts import VoiceParts
from .pause_hearing import PauseHearing
from .streams import BYTES_PER_S, SpeakerStreams, Stream

log = logging.getLogger(__name__)

OWN_WORDS = {
    "apology": "voice.apology",
    "not_understood": "voice.not_understood",
    "prompt": "voice.listening",
}
"""What the session says in its own words (the machine's English constants name them), read
from the guild language's catalog; answers and announcements are the commands' words."""

Handler = Callable[[Request], Awaitable[Reply]]
"""The core: `Assistant.handle` (never raises)."""
VoiceAction = Callable[[str, str], Awaitable[None]]
"""(guild_id, "join" | "leave"): the transport connects or disconnects voice."""

_TRACE_MAX = 4000
"""Trace entries kept per guild (the older half is dropped past this)."""


@dataclass
class TraceEntry:
    """Something a person in the guild could observe, or a transition, with its clock time."""

    at: float
    kind: str
    """transition, heard, said, interrupted, posted, ignored, barge_in, reply, error."""
    text: str = ""
    speaker: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


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
        self.streams = SpeakerStreams(parts.make_vad, self)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._voice_lock = asyncio.Lock()
        self._changed = asyncio.Event()
        self._answer_origin: float | None = None
        """Wall time the current answer's utterance ended, for end-of-speech-to-audio latency."""
        self.machine = Conversation(self.settings, guild_id=guild_id, listeners=[_Hooks(self)])
        self.pause_hearing = PauseHearing(self._hear, self._spawn)
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
        self._send("speech_started", speaker=stream.user.id)

    def speech_ended(self, stream: Stream, utterance: UtteranceEnded) -> None:
        self._send("speech_ended", speaker=stream.user.id, utterance=utterance)
        m = self.machine
        taken = m.state == "transcribing" and m.utterance is utterance
        if self.pause_hearing.ended(stream.user.id, utterance, recognized_next=taken) is False:
            self._note("pause_hearing", "dropped: the utterance ended otherwise", stream.user.id)

    def speech_continues(self, stream: Stream) -> None:
        self._maybe_spot_wake(stream)
        self._maybe_hear_at_pause(stream)

    def _maybe_hear_at_pause(self, stream: Stream) -> None:
        """Start hearing the utterance of the person listened to when they pause; drop that
        hearing when they go on (states/pause_hearing.py)."""
        speaker = stream.user.id
        if not stream.vad.paused:
            if self.pause_hearing.running(speaker):
                self.pause_hearing.resume(speaker)
                self._note("pause_hearing", "dropped: speech resumed", speaker)
            return
        m = self.machine
        if (
            not self.parts.hear_at_pause
            or self.pause_hearing.running(speaker)
            or m.state != "listening"
            or not m.is_listened_to(speaker)
        ):
            return
        # The window judgement the recognition stage will make (take_utterance keeps it).
        self.pause_hearing.pause(speaker, stream.vad.speech_until_pause(), m.in_window())
        self._note("pause_hearing", "started", speaker)

    def _maybe_spot_wake(self, stream: Stream) -> None:
        """While speaking, look for the wake phrase in someone else's speech as it comes."""
        m = self.machine
        if (
            m.state != "speaking"
            or not self.settings.barge_in
            or stream.checking
            or (m.saying is not None and m.saying.to == stream.user.id)
            or not m.began_while_speaking(stream.started_wall)  # no use recognizing it
        ):
            return
        interval = self.settings.wake_spotting_interval_ms / 1000 * BYTES_PER_S
        if stream.vad.speech_bytes - stream.checked_bytes < interval:
            return
        stream.checked_bytes = stream.vad.speech_bytes
        stream.checking = True
        self._spawn(self._spot_wake(stream, stream.vad.speech_so_far()))

    async def _spot_wake(self, stream: Stream, pcm: bytes) -> None:
        try:
            transcript = await self._transcribe(pcm)
        except Exception:
            log.exception("guild %s: wake spotting failed", self.guild_id)
            return
        finally:
            stream.checking = False
        if transcript.wake and self.machine.state == "speaking":
            self._note("barge_in", speaker=stream.user.id, text="wake phrase", data={"how": "wake"})
            self._send(
                "interruption",
                speaker=stream.user.id,
                in_speech=stream.in_speech,
                began_at=stream.started_wall,
            )

    # --- the machine --------------------------------------------------------------------------

    def _send(self, event: str, **data: Any) -> None:
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
            self._note("ignored", text=event, speaker=who, data={"state": before})

    def _note(self, kind: str, text: str = "", speaker: str | None = None, **kw: Any) -> None:
        self.trace.append(TraceEntry(time.monotonic(), kind, text, speaker, kw.get("data") or {}))
        if len(self.trace) > _TRACE_MAX:  # a guild can stay in voice for days
            del self.trace[: _TRACE_MAX // 2]
        self._changed.set()

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _start_stage(self, coro: Awaitable[Any]) -> None:
        self._spawn(coro)

    # --- stages (started by _Hooks on state entry) ----------------------------------------------

    async def _transcribe(self, pcm: bytes) -> Transcript:
        return await self.parts.transcribe(pcm)

    async def _hear(self, pcm: bytes, in_window: bool) -> Hearing:
        return await self.parts.hear(pcm, in_window, self.guild_id)

    async def recognize(self, serial: int, speaker: str, utterance: UtteranceEnded) -> None:
        in_window = self.machine.in_window()
        at_pause = self.pause_hearing.take(utterance, in_window)
        try:
            if at_pause is not None:
                hearing = await at_pause
            else:
                hearing = await self._hear(utterance.pcm, in_window)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("guild %s: recognition failed", self.guild_id)
            self._send("error", stage="recognition", reason=repr(exc), serial=serial)
            return
        transcript = hearing.transcript()
        seconds = len(utterance.pcm) / BYTES_PER_S
        data: dict[str, Any] = {"wake": hearing.wake, "rejected": hearing.rejected}
        data["intent"] = hearing.intent
        data |= {"seconds": seconds, "in_window": in_window, "hearing": hearing}
        data |= {"start_s": utterance.start_s, "end_s": utterance.end_s}
        data["at_pause"] = at_pause is not None
        self._note("heard", transcript.text, speaker, data=data)
        if self.settings.post_transcripts and (hearing.wake or transcript.text):
            await self._post(f"heard {self._name(speaker)}: {transcript.text or '(wake phrase)'}")
        self._send("transcript_ready", transcript=transcript, intent=hearing.intent, serial=serial)

    async def act(self, serial: int, speaker: str, intent: Any) -> None:
        user = self._user(speaker)
        utterance = self.machine.utterance
        ended = self.streams.ended_wall(utterance)
        try:
            request = self.parts.make_request(intent, user, self.guild_id, self.text_channel_id)
            reply = await self.handle(request)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the core never raises, but a transport bug must not hang us
            log.exception("guild %s: action %s failed", self.guild_id, getattr(intent, "name", "?"))
            self._send("error", stage="action", reason=repr(exc), serial=serial)
            return
        if ended is not None and utterance is not None:
            self._answer_origin = ended
            vad_s = (utterance.detected_s or utterance.end_s) - utterance.end_s
            latency = {"latency_s": time.monotonic() - ended, "vad_s": vad_s}
            self._note("reply", reply.text, speaker, data=latency)
        await self._post_reply(reply)
        self._send("action_done", reply=reply, serial=serial)

    def _words(self, key: str, **fields: object) -> str:
        """One of the session's own sentences, in the guild's language."""
        return i18n.message(self.parts.language(self.guild_id), key, **fields)

    async def speak(self, serial: int, saying: Saying) -> None:
        words = self._words(OWN_WORDS[saying.kind]) if saying.kind in OWN_WORDS else saying.text
        if saying.kind == "apology":
            await self._post(words)
        elif saying.kind == "announcement":
            pass  # posted when the job event arrived
        elif saying.kind == "not_understood":
            heard = self.machine.transcript.text if self.machine.transcript else ""
            await self._post(words + (self._words("voice.heard", heard=heard) if heard else ""))
        text = spoken_text(words, self.parts.max_spoken_chars)
        if not text:  # nothing sayable (e.g. a bare table): the text channel has it
            self._send("playback_done", serial=serial)
            return
        try:
            if saying.kind == "apology" and self.parts.apology is not None and text == APOLOGY:
                speech = self.parts.apology  # synthesized at start-up: works when output fails
            else:
                speech = await self.parts.synthesizer.synthesize(text)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("guild %s: speech synthesis failed: %r", self.guild_id, exc)
            self._send("error", stage="speech output", reason=repr(exc), serial=serial)
            return
        if self.machine.serial != serial:
            return  # interrupted while synthesizing
        origin, self._answer_origin = self._answer_origin, None
        completed = await self._play(speech, text, origin if saying.kind == "answer" else None)
        if completed is None:
            self._send("error", stage="playback", reason="output failed", serial=serial)
        elif completed:
            reply = self.machine.reply if saying.kind == "answer" else None
            self._send("playback_done", serial=serial)
            action = getattr(reply, "voice_action", None)
            if action and self.on_voice_action is not None:
                # "Bye!" has been said; now the transport may disconnect (and close us).
                self._spawn(self.on_voice_action(self.guild_id, action))

    async def _play(self, speech: Speech, text: str, origin: float | None = None) -> bool | None:
        """Play through the voice output (one at a time); None when the output failed."""
        if self.voice is None:
            self._note("said", text, data={"completed": True, "seconds": speech.seconds})
            return True
        async with self._voice_lock:
            started = time.monotonic()
            data: dict[str, Any] = {"seconds": speech.seconds}
            if origin is not None:
                data["since_speech_end_s"] = started - origin
            self._note("speaking", text, data=data)
            try:
                completed = await self.voice.play(speech, text)
            except asyncio.CancelledError:
                self.voice.stop()
                raise
            except Exception:
                log.exception("guild %s: playback failed", self.guild_id)
                return None
        kind = "said" if completed else "interrupted"
        self._note(kind, text, data={"played_s": time.monotonic() - started})
        return completed

    async def still_working(self) -> None:
        words = self._words("voice.still_working")
        try:
            speech = await self.parts.synthesizer.synthesize(words)
        except Exception as exc:
            log.warning("guild %s: could not say still working: %r", self.guild_id, exc)
            return
        await self._play(speech, words)

    def stop_playback(self) -> None:
        """Leaving speaking (barge-in, timeout, error): cut the sound now. The speak stage is
        not cancelled: its play() returns False at once, and a synthesis still running is
        dropped by its serial check."""
        if self.voice is not None:
            self.voice.stop()

    # --- text out -------------------------------------------------------------------------------

    async def _post(self, text: str, channel_id: str | None = None) -> None:
        self._note("posted", text)
        if self.text is None:
            return
        try:
            await self.text.send_text(channel_id or self.text_channel_id, text)
        except Exception:
            log.exception("guild %s: posting to the text channel failed", self.guild_id)

    async def _post_reply(self, reply: Reply) -> None:
        """Whole replies (files, errors) go through `send_reply` when the output has one."""
        send_reply = getattr(self.text, "send_reply", None)
        if send_reply is None:
            await self._post(reply.text)
            return
        self._note("posted", reply.text)
        try:
            await send_reply(self.text_channel_id, reply)
        except Exception:
            log.exception("guild %s: posting a reply failed", self.guild_id)

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
        await self._post(text, channel_id)
        if to is not None and to not in self.streams.streams:
            to = None  # only someone in the channel gets the follow-up window
        self._send("announce", text=spoken or text, to=to)

    async def job_finished(self, job: Any, reply: Reply) -> None:
        """A training job of this guild ended: announce `reply` (`job_finished_reply`)."""
        if not self.settings.announce_jobs:
            return
        await self.announce(
            reply.text, spoken=reply.spoken, to=job.requested_by, channel_id=job.channel_id
        )

    # --- helpers --------------------------------------------------------------------------------

    def _user(self, speaker: str) -> User:
        stream = self.streams.streams.get(speaker)
        if stream is not None:
            return stream.user
        return self.streams.users.get(speaker) or User(id=speaker, name=speaker)

    def _name(self, speaker: str) -> str:
        return self._user(speaker).name

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


class _Hooks:
    """Listener of the machine: starts each state's stage. Only these names are callbacks."""

    def __init__(self, session: GuildVoiceSession) -> None:
        self.s = session

    def after_transition(self, event: Any, source: Any, target: Any) -> None:
        self.s._note("transition", f"{source.id} -> {target.id}", data={"event": str(event or "")})

    def on_enter_transcribing(self) -> None:
        m = self.s.machine
        assert m.speaker is not None and m.utterance is not None
        self.s._start_stage(self.s.recognize(m.serial, m.speaker, m.utterance))

    def on_enter_acting(self) -> None:
        m = self.s.machine
        assert m.speaker is not None
        self.s._start_stage(self.s.act(m.serial, m.speaker, m.intent))

    def on_enter_speaking(self) -> None:
        m = self.s.machine
        assert m.saying is not None
        self.s._start_stage(self.s.speak(m.serial, m.saying))

    def on_exit_speaking(self) -> None:
        self.s.stop_playback()

    def notice(self) -> None:
        self.s._spawn(self.s.still_working())

    def interrupted_by_speech(self, speaker: str) -> None:
        self.s._note("barge_in", "speech", speaker, data={"how": "speech"})
