"""What the conversation drives: a voice output (play, stop) and a text output (send_text).

Discord (`transports/discord/voice/playback.py`) and the console implement these; two small
implementations live here: one that records in memory (tests, benchmarks) and one that writes
each answer to a numbered WAV file (console voice mode). Both can play in real time, so that a
barge-in has something to interrupt and its stop latency can be measured.
"""

from __future__ import annotations

import asyncio
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from audio import FRAME_S
from audio.tts.base import Speech


@runtime_checkable
class VoiceOutput(Protocol):
    """Plays one speech at a time in the guild's voice channel."""

    async def play(self, speech: Speech, text: str = "") -> bool:
        """Play `speech` (`text` is what it says, for captions and logs); return True when it
        played to the end, False when `stop()` cut it."""
        ...

    def stop(self) -> None:
        """Stop the current playback now (barge-in); the pending `play` returns False."""
        ...

    def heard(self) -> bool:
        """Whether what it plays can be heard at all: False where the bot is silenced (Discord
        drops its audio in a channel where it lacks the Speak permission), so that nothing is
        synthesized for nobody."""
        ...


@runtime_checkable
class TextOutput(Protocol):
    """Posts a message in a text channel of the guild."""

    async def send_text(self, channel_id: str, text: str) -> None: ...


@dataclass
class Played:
    """One playback, as a listener in the channel would have heard it."""

    text: str
    """What was meant to be said (set by the session before `play`)."""
    seconds: float
    """Length of the speech."""
    played_s: float = 0.0
    """How much of it was played before it ended or was stopped."""
    completed: bool = False
    started_at: float = 0.0
    stopped_at: float | None = None
    """Clock time when playback actually stopped after `stop()`."""
    stop_requested_at: float | None = None


class _RealtimePlayer:
    """Shared real-time playback loop: one frame (`audio.FRAME_S`) at a time until done or
    stopped; a stop takes effect between frames."""

    def __init__(self, realtime: bool = True) -> None:
        self.realtime = realtime
        self._stop = asyncio.Event()
        self._playing: Played | None = None

    async def _run(self, speech: Speech, record: Played) -> bool:
        self._stop = asyncio.Event()
        self._playing = record
        record.started_at = time.monotonic()
        try:
            if not self.realtime:
                record.played_s = speech.seconds
                record.completed = True
                return True
            start = time.monotonic()
            while True:
                elapsed = time.monotonic() - start
                if elapsed >= speech.seconds:
                    record.played_s = speech.seconds
                    record.completed = True
                    return True
                try:
                    # Sleep one frame, or less at the end; a stop wakes us at once.
                    await asyncio.wait_for(
                        self._stop.wait(), min(FRAME_S, speech.seconds - elapsed)
                    )
                except TimeoutError:
                    continue
                record.played_s = time.monotonic() - start
                record.stopped_at = time.monotonic()
                return False
        finally:
            self._playing = None

    def heard(self) -> bool:
        return True

    def stop(self) -> None:
        if self._playing is not None:
            self._playing.stop_requested_at = time.monotonic()
        self._stop.set()

    @property
    def is_playing(self) -> bool:
        return self._playing is not None


@dataclass
class Posted:
    channel_id: str
    text: str
    at: float = field(default_factory=time.monotonic)


class MemoryOutput(_RealtimePlayer):
    """Voice and text output that keeps everything in memory: what a user saw and heard."""

    def __init__(self, realtime: bool = True, keep_audio: bool = True) -> None:
        super().__init__(realtime)
        self.keep_audio = keep_audio
        """Keep every Speech played (tests compare them); off for load tests."""
        self.played: list[Played] = []
        self.posted: list[Posted] = []
        self.speech: list[Speech] = []

    async def play(self, speech: Speech, text: str = "") -> bool:
        record = Played(text, speech.seconds)
        self.played.append(record)
        if self.keep_audio:
            self.speech.append(speech)
        return await self._run(speech, record)

    async def send_text(self, channel_id: str, text: str) -> None:
        self.posted.append(Posted(channel_id, text))

    @property
    def said(self) -> list[str]:
        """Texts spoken so far (including ones that were interrupted)."""
        return [p.text for p in self.played]

    @property
    def texts(self) -> list[str]:
        return [p.text for p in self.posted]


class WavFolderOutput(_RealtimePlayer):
    """Writes each speech as `NNN-answer.wav` in a folder; texts go to a callback (print)."""

    def __init__(
        self,
        folder: Path,
        realtime: bool = True,
        print_text: bool = True,
    ) -> None:
        super().__init__(realtime)
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.print_text = print_text
        self.files: list[Path] = []
        self.played: list[Played] = []
        self.posted: list[Posted] = []

    async def play(self, speech: Speech, text: str = "") -> bool:
        path = self.folder / f"{len(self.files) + 1:03d}-answer.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(speech.channels)
            w.setsampwidth(2)
            w.setframerate(speech.sample_rate)
            w.writeframes(speech.pcm)
        self.files.append(path)
        record = Played(text, speech.seconds)
        self.played.append(record)
        if self.print_text:
            print(f"(speaking) {text}  -> {path}", flush=True)
        return await self._run(speech, record)

    async def send_text(self, channel_id: str, text: str) -> None:
        self.posted.append(Posted(channel_id, text))
        if self.print_text:
            print(f"[{channel_id}] {text}", flush=True)
