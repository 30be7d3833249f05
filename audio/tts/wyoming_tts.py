"""Speech output from a Wyoming speech server (`bot.py speech-server`, or any Wyoming TTS)."""

from __future__ import annotations

import asyncio

from .base import Speech, Synthesizer, TtsError


class WyomingSynthesizer(Synthesizer):
    name = "wyoming"

    def __init__(self, uri: str, voice: str | None = None, timeout_s: float = 8.0) -> None:
        from audio.asr.wyoming_engine import tcp_address

        self.uri = uri
        self._address = tcp_address(uri)  # a bad address fails at start-up, not mid-sentence
        self.voice = voice
        self.timeout_s = timeout_s

    async def synthesize(self, text: str) -> Speech:
        try:
            return await asyncio.wait_for(self._synthesize(text), self.timeout_s)
        except (TimeoutError, OSError) as exc:
            raise TtsError(f"speech server {self.uri} failed: {exc!r}") from None

    async def _synthesize(self, text: str) -> Speech:
        from wyoming.audio import AudioChunk, AudioStart, AudioStop
        from wyoming.client import AsyncTcpClient
        from wyoming.tts import Synthesize, SynthesizeVoice

        voice = SynthesizeVoice(name=self.voice) if self.voice else None
        async with AsyncTcpClient(*self._address) as client:
            await client.write_event(Synthesize(text=text, voice=voice).event())
            pcm, rate, channels = bytearray(), 0, 1
            while (event := await client.read_event()) is not None:
                if AudioStart.is_type(event.type):
                    start = AudioStart.from_event(event)
                    rate, channels = start.rate, start.channels
                    if start.width != 2:
                        raise TtsError(f"speech server sent {8 * start.width}-bit audio")
                elif AudioChunk.is_type(event.type):
                    pcm += AudioChunk.from_event(event).audio
                elif AudioStop.is_type(event.type):
                    if not rate:
                        raise TtsError("speech server sent audio without a format")
                    return Speech(bytes(pcm), rate, channels, engine=self.name)
        raise TtsError(f"speech server {self.uri} closed before the end of the speech")
