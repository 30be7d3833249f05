"""OpenAI (or compatible) transcription through the official client: open vocabulary, online.

The transcript is free text; the intent matcher decides whether it is a command. No retries
and a hard timeout, so a dead endpoint costs one utterance, not the conversation.
"""

from __future__ import annotations

import io
import os
import wave
from typing import Any

from assistant.config.voice import AsrSettings

from .. import RECOGNITION_RATE
from .base import Recognizer, Transcript

_MIN_BYTES = RECOGNITION_RATE * 2 // 10


def wav_bytes(pcm: bytes, rate: int = RECOGNITION_RATE) -> bytes:
    """16-bit mono PCM wrapped as a WAV file."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


class TranscriptionError(RuntimeError):
    """The endpoint failed; the message says how (shown in logs, the user hears an apology)."""


class OpenAIRecognizer(Recognizer):
    name = "openai"

    def __init__(self, settings: AsrSettings | None = None, api_key: str | None = None) -> None:
        from openai import OpenAI

        self.settings = s = settings or AsrSettings()
        self._client: Any = OpenAI(
            api_key=api_key or os.environ.get("OPENAI_API_KEY") or "not-set",
            base_url=s.openai_base_url,
            timeout=s.openai_timeout_s,
            max_retries=0,
        )

    def transcribe(self, pcm: bytes) -> Transcript:
        import openai

        if len(pcm) < _MIN_BYTES:
            return Transcript("")
        language = self.settings.language
        try:
            result = self._client.audio.transcriptions.create(
                model=self.settings.openai_model,
                file=("utterance.wav", wav_bytes(pcm), "audio/wav"),
                # one language: say which (better accuracy); several: the service detects it
                **({"language": language} if language else {}),
            )
        except openai.APIError as exc:
            raise TranscriptionError(
                f"transcription failed: {exc.__class__.__name__}: {exc}"
            ) from None
        text = (getattr(result, "text", "") or "").strip()
        return Transcript(text.lower(), raw=text)
