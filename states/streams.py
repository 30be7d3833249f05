"""The live audio of one guild's speakers: one stream per person, each with its own VAD (two
people are never merged), kept on time when a client stops sending, and stamped with the
wall-clock time each utterance ended (for end-of-speech-to-reply latency).

The streams know nothing of the conversation: they call their listener (the guild session)
when someone starts speaking, keeps speaking, or finishes an utterance.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from assistant.messages import User
from audio import DISCORD_RATE, FRAME_S, RECOGNITION_FRAME_BYTES, RECOGNITION_RATE
from audio import RECOGNITION_BYTES_PER_S as BYTES_PER_S
from audio.convert import StreamDownsampler
from audio.vad.base import SpeechStarted, UtteranceEnded, VoiceActivityDetector

QUIET_GAP_S = 0.2
"""No audio from someone mid-utterance for this long: they stopped sending (Discord clients do
after a talk spurt), so their VAD is fed silence up to now, and on every tick after that until
they send again. Longer than network jitter (a stall of the event loop itself is told apart,
`_STALL_S`); shorter than the VAD's own end delay (270 ms of unvoiced audio), so the fill,
which covers the whole gap at once, does not delay the end."""
_TICK_S = 0.02
_STALL_S = 0.05
"""The ticker woke this much later than asked: the event loop was blocked (a recognizer thread
holding the GIL, a loaded machine), so the feeders' audio is queued behind it too. That tick
fills nothing: a gap the loop itself caused is not a speaker who stopped sending."""
LOST_GAP_S = 1.0
"""Mid-talk-spurt (their last frame was speech, not the silence a client ends a spurt with),
a gap counts only net of the loop's own stalls since that frame, so that stalls in a row do
not add up to a pause the speaker never made; a client that vanished mid-spurt is still
filled in once nothing came for this long."""
_ENDED_KEPT = 64
"""End times remembered (utterances waiting to be heard or answered)."""


@dataclass
class Stream:
    """One speaker's live stream: their own VAD, so two people are never merged."""

    user: User
    vad: VoiceActivityDetector
    downsampler: StreamDownsampler | None = None
    fed_s: float = 0.0
    in_speech: bool = False
    began_s: float = 0.0
    """Stream time at which the utterance in progress was found to begin (its VAD's start)."""
    checked_bytes: int = 0
    """How much of the utterance in progress was already checked for the wake phrase."""
    checking: bool = False
    """A wake-phrase check of this stream is running."""
    started_wall: float = 0.0
    """When the utterance in progress began, on the conversation's clock."""
    clock_wall: float = 0.0
    """Wall time the end of the audio fed so far corresponds to (real audio or filled silence)."""
    quiet: bool = False
    """Their client stopped sending: silence is being filled in on the clock."""
    spurt_ended: bool = False
    """Their last frame was digital silence: a client's end of a talk spurt (Discord's five
    silence frames decode to exact zeros)."""
    stalled_at: float = 0.0
    """The loop's stall total (`SpeakerStreams.stalled_s`) when their last frame came."""


class StreamListener(Protocol):
    def speech_started(self, stream: Stream) -> None: ...

    def speech_continues(self, stream: Stream) -> None: ...

    def speech_ended(self, stream: Stream, utterance: UtteranceEnded) -> None: ...


class SpeakerStreams:
    """Every speaker's stream in one guild. Feed audio with `feed` or `feed_discord`."""

    def __init__(self, make_vad: Callable[[], VoiceActivityDetector], listener: StreamListener):
        self.make_vad = make_vad
        self.listener = listener
        self.streams: dict[str, Stream] = {}
        self.users: dict[str, User] = {}
        """Everyone who spoke, latest first seen: a stream may end (a file fed in full, someone
        leaving) before a busy recognizer has finished with its last utterance, whose command
        still runs as that person, with their roles."""
        self._ended_wall: dict[int, float] = {}
        self.stalled_s = 0.0
        """How long the ticker found the event loop blocked, in all (stalls over `_STALL_S`)."""
        self._ticker: asyncio.Task[None] | None = None
        self.closed = False

    def feed(self, user: User, pcm16k: bytes) -> None:
        """Next chunk (typically 20 ms) of one speaker's stream, 16 kHz mono s16le."""
        if self.closed:
            return
        stream = self._stream(user)
        stream.clock_wall, stream.quiet = time.monotonic(), False
        stream.spurt_ended, stream.stalled_at = pcm16k.count(0) == len(pcm16k), self.stalled_s
        self._process(stream, pcm16k)
        if stream.in_speech and (self._ticker is None or self._ticker.done()):
            self._ticker = asyncio.get_running_loop().create_task(self._tick())

    def feed_discord(self, user: User, pcm48k_stereo: bytes) -> None:
        """Next 20 ms frame as Discord delivers it (48 kHz stereo s16le)."""
        stream = self._stream(user)
        if stream.downsampler is None:
            stream.downsampler = StreamDownsampler(DISCORD_RATE, 2, RECOGNITION_RATE)
        self.feed(user, stream.downsampler.process(pcm48k_stereo))

    def end(self, user_id: str) -> None:
        """A speaker left or their stream ended: close an utterance in progress."""
        stream = self.streams.pop(user_id, None)
        if stream is None:
            return
        for event in stream.vad.flush():
            if isinstance(event, UtteranceEnded):
                self._ended(stream, event)

    def ended_wall(self, utterance: UtteranceEnded | None) -> float | None:
        """Wall-clock time `utterance` ended, while it is remembered."""
        return self._ended_wall.get(id(utterance)) if utterance is not None else None

    def ended_as(self, utterance: UtteranceEnded, piece: UtteranceEnded) -> None:
        """`utterance` (pieces joined, states/piece_joining.py) ended when `piece` did."""
        wall = self._ended_wall.get(id(piece))
        if wall is not None:
            self._ended_wall[id(utterance)] = wall

    def user(self, user_id: str) -> User:
        """Who `user_id` is: their stream's user, else as last seen (`users`), else a bare
        user of that id."""
        stream = self.streams.get(user_id)
        if stream is not None:
            return stream.user
        return self.users.get(user_id) or User(id=user_id, name=user_id)

    def slack_s(self) -> float:
        """Audio every stream can take before any VAD could decide anything (a new
        speaker's VAD needs a full ring first)."""
        return min((s.vad.slack_s for s in self.streams.values()), default=1.0)

    def anyone_speaking(self) -> bool:
        return any(s.in_speech for s in self.streams.values())

    async def close(self) -> None:
        self.closed = True
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)

    def _stream(self, user: User) -> Stream:
        stream = self.streams.get(user.id)
        if stream is None:
            stream = self.streams[user.id] = Stream(user, self.make_vad())
        stream.user = self.users[user.id] = user  # as fed now: their roles may have changed
        return stream

    def _process(self, stream: Stream, pcm16k: bytes) -> None:
        stream.fed_s += len(pcm16k) / BYTES_PER_S
        for event in stream.vad.process(pcm16k):
            if isinstance(event, SpeechStarted):
                stream.in_speech = True
                stream.began_s = stream.fed_s
                stream.checked_bytes = stream.vad.speech_bytes
                self.listener.speech_started(stream)
            elif isinstance(event, UtteranceEnded):
                self._ended(stream, event)
        if stream.in_speech:
            self.listener.speech_continues(stream)

    def _ended(self, stream: Stream, utterance: UtteranceEnded) -> None:
        stream.in_speech = False
        # Wall-clock time of the end of speech: the stream is fed live, so it lies as far
        # behind now as the audio fed since then.
        self._ended_wall[id(utterance)] = time.monotonic() - (stream.fed_s - utterance.end_s)
        if len(self._ended_wall) > _ENDED_KEPT:
            self._ended_wall.pop(next(iter(self._ended_wall)))
        self.listener.speech_ended(stream, utterance)

    async def _tick(self) -> None:
        """While someone is mid-utterance, keep their VAD on time: the VAD only advances when
        audio is fed, and a Discord client stops sending after its talk spurt, so without this
        an utterance would stay open until that person spoke again."""
        woke, held = time.monotonic(), False
        while not self.closed:
            open_streams = [s for s in self.streams.values() if s.in_speech]
            if not open_streams:
                return
            await asyncio.sleep(_TICK_S)
            now, asked = time.monotonic(), woke + _TICK_S
            woke = now
            if now - asked > _STALL_S:
                self.stalled_s += now - asked
            if now - asked > _STALL_S and not held:
                # Let the feeders deliver what the stall held back first; the next tick sees
                # the gap as it is. Only one tick is held, so a loop that is late on every
                # tick still ends the utterances of people who stopped sending.
                held = True
                continue
            held = False
            for stream in open_streams:
                gap = now - stream.clock_wall
                if self.streams.get(stream.user.id) is not stream:
                    continue  # they left meanwhile
                if not stream.quiet and not self._stopped_sending(stream, gap):
                    continue
                stream.quiet = True
                frames = int(gap / FRAME_S)
                stream.clock_wall += frames * FRAME_S
                self._process(stream, bytes(frames * RECOGNITION_FRAME_BYTES))

    def _stopped_sending(self, stream: Stream, gap: float) -> bool:
        """Nothing came from `stream` for `gap` seconds: did they stop sending? Mid-spurt,
        the loop's stalls since their last frame held their audio back, not them."""
        if stream.spurt_ended:
            return gap >= QUIET_GAP_S
        held_back = self.stalled_s - stream.stalled_at
        return gap - held_back >= QUIET_GAP_S or gap >= LOST_GAP_S
