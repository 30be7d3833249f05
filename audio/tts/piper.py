"""Piper neural TTS (optional: `pip install piper-tts` plus a voice model file; no downloads)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from .base import Speech, Synthesizer, TtsError


class PiperSynthesizer(Synthesizer):
    """A local Piper voice (.onnx with its .onnx.json next to it) given as `tts.voice`."""

    name = "piper"

    def __init__(self, model: str | None, timeout_s: float = 8.0) -> None:
        try:
            from piper import PiperVoice
        except ImportError:
            raise TtsError(
                "tts.engine is piper but piper-tts is not installed: pip install piper-tts"
            ) from None
        if not model or not Path(model).is_file():
            raise TtsError(
                f"tts.voice must be the path of a Piper .onnx voice file (got {model!r}); "
                "voices are not downloaded automatically"
            )
        self._voice: Any = PiperVoice.load(model)
        self.timeout_s = timeout_s

    def _run(self, text: str) -> Speech:
        chunks = list(self._voice.synthesize(text))
        if not chunks:
            return Speech(b"", self._voice.config.sample_rate, 1, self.name)
        pcm = b"".join(c.audio_int16_bytes for c in chunks)
        return Speech(pcm, chunks[0].sample_rate, 1, self.name)

    async def synthesize(self, text: str) -> Speech:
        try:
            return await asyncio.wait_for(asyncio.to_thread(self._run, text), self.timeout_s)
        except TimeoutError:
            raise TtsError(f"piper took longer than {self.timeout_s:.0f} s") from None
