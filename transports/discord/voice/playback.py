"""Speaking in Discord: a discord.py AudioSource fed from TTS output, interruptible (barge-in).

Implements `states.output.VoiceOutput`: `await play(speech)` returns True when it played to the
end, False when `stop()` cut it. discord.py's player thread pulls one 20 ms frame per `read()`,
so a stop takes effect within one frame.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

import discord

from audio import DISCORD_FRAME_BYTES as FRAME_BYTES
from audio.convert import to_discord
from audio.tts.base import Speech

log = logging.getLogger(__name__)


class SpeechSource(discord.AudioSource):
    """48 kHz stereo PCM in memory, frame by frame; `cut()` ends it at the next frame."""

    def __init__(self, pcm48k_stereo: bytes) -> None:
        self._pcm = pcm48k_stereo
        self._offset = 0
        self._cut = threading.Event()
        self.frames_read = 0

    def read(self) -> bytes:
        if self._cut.is_set() or self._offset >= len(self._pcm):
            return b""  # empty: discord.py's player stops
        frame = self._pcm[self._offset : self._offset + FRAME_BYTES]
        self._offset += FRAME_BYTES
        self.frames_read += 1
        return frame.ljust(FRAME_BYTES, b"\0")

    def is_opus(self) -> bool:
        return False

    def cut(self) -> None:
        self._cut.set()

    @property
    def was_cut(self) -> bool:
        return self._cut.is_set()


class DiscordVoiceOutput:
    """Plays speech through the guild's current voice client (looked up at each play, so a
    reconnected client is used)."""

    def __init__(self, voice_client: Callable[[], Any]) -> None:
        self._voice_client = voice_client
        self._source: SpeechSource | None = None

    async def play(self, speech: Speech, text: str = "") -> bool:
        vc = self._voice_client()
        if vc is None or not vc.is_connected():
            log.info("not connected to voice; not saying %r", text[:60])
            return False
        # Resampling a whole answer takes milliseconds to (on the first call, which imports
        # scipy) seconds: in a thread, so every guild's audio keeps flowing meanwhile.
        pcm = await asyncio.to_thread(to_discord, speech.pcm, speech.sample_rate, speech.channels)
        if not vc.is_connected():
            return False
        source = SpeechSource(pcm)
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Exception | None] = loop.create_future()

        def finish(error: Exception | None) -> None:
            if not done.done():
                done.set_result(error)

        def after(error: Exception | None) -> None:  # discord.py's player thread
            loop.call_soon_threadsafe(finish, error)

        if vc.is_playing():
            vc.stop_playing()  # one voice at a time: the newest answer wins
        self._source = source
        vc.play(source, after=after)
        try:
            error = await done
        except asyncio.CancelledError:
            source.cut()
            raise
        finally:
            if self._source is source:
                self._source = None
        if error is not None:
            log.warning("playback failed: %r", error)
            return False
        return not source.was_cut

    def heard(self) -> bool:
        """False in a channel where the bot lacks Speak: Discord drops its audio there (the
        join said the answers come in text). Read at each answer, as an admin may change it."""
        vc = self._voice_client()
        if vc is None:
            return True  # `play` says why nothing is played
        me = vc.guild.me
        return me is None or bool(vc.channel.permissions_for(me).speak)

    def stop(self) -> None:
        source = self._source
        if source is not None:
            source.cut()

    @property
    def playing(self) -> bool:
        return self._source is not None
