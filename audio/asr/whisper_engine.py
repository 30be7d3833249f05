"""faster-whisper (optional engine): only with the package and a model already on disk."""

from __future__ import annotations

from typing import Any

import numpy as np

from assistant.config.voice import AsrSettings

from .base import Recognizer, Transcript


class WhisperRecognizer(Recognizer):
    name = "faster_whisper"

    def __init__(self, settings: AsrSettings) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise RuntimeError(
                "asr.engine is faster_whisper but it is not installed: pip install faster-whisper"
            ) from None
        if not settings.whisper_model:
            raise RuntimeError("asr.whisper_model must name a local faster-whisper model folder")
        self.settings = settings
        try:
            # local_files_only: a missing model is an error, never a download.
            self._model: Any = WhisperModel(
                settings.whisper_model, device="cpu", compute_type="int8", local_files_only=True
            )
        except Exception as exc:
            raise RuntimeError(
                f"cannot load faster-whisper model {settings.whisper_model!r}: {exc}"
            ) from None

    def transcribe(self, pcm: bytes) -> Transcript:
        audio = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768
        language = self.settings.language  # None: the model detects it
        segments, _info = self._model.transcribe(audio, language=language, beam_size=1)
        text = " ".join(s.text.strip() for s in segments).strip()
        return Transcript(text.lower(), raw=text)
