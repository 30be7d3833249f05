"""Google Translate's TTS via gTTS (optional package; needs network). MP3 decoded by ffmpeg."""

from __future__ import annotations

import asyncio
import io

from .base import Speech, Synthesizer, TtsError


class GttsSynthesizer(Synthesizer):
    """gTTS with an explicit timeout: its own default is None, which can hang where DNS works
    but traffic is blocked."""

    name = "gtts"

    def __init__(self, lang: str = "en", timeout_s: float = 8.0, tld: str = "com") -> None:
        try:
            import gtts  # noqa: F401
        except ImportError:
            raise TtsError(
                "tts.engine is gtts but the gTTS package is not installed: pip install gTTS"
            ) from None
        self.lang = lang
        self.timeout_s = timeout_s
        self.tld = tld

    def _mp3(self, text: str) -> bytes:
        from gtts import gTTS

        buf = io.BytesIO()
        gTTS(text, lang=self.lang, tld=self.tld, timeout=self.timeout_s).write_to_fp(buf)
        return buf.getvalue()

    async def synthesize(self, text: str) -> Speech:
        from audio.decode import AudioError, decode_bytes

        try:
            mp3 = await asyncio.wait_for(asyncio.to_thread(self._mp3, text), self.timeout_s)
        except TimeoutError:
            raise TtsError(f"gTTS took longer than {self.timeout_s:.0f} s") from None
        except Exception as exc:  # gTTS raises its own and requests' errors
            raise TtsError(f"gTTS failed: {exc}") from None
        try:
            decoded = await asyncio.to_thread(decode_bytes, mp3, "gtts.mp3", 120.0)
        except AudioError as exc:
            raise TtsError(f"gTTS returned unusable audio: {exc}") from None
        return Speech(decoded.pcm, 16_000, 1, self.name)
