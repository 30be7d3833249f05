"""Vosk (optional engine): only if the `vosk` package and a local model folder are present."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.config.voice import AsrSettings

from .. import RECOGNITION_RATE
from .base import Recognizer, Transcript


class VoskRecognizer(Recognizer):
    name = "vosk"

    def __init__(self, settings: AsrSettings) -> None:
        try:
            import vosk
        except ImportError:
            raise RuntimeError(
                "asr.engine is vosk but vosk is not installed: pip install vosk"
            ) from None
        path = settings.vosk_model
        if path is None or not Path(path).is_dir():
            raise RuntimeError(
                f"asr.vosk_model must be the folder of a Vosk model (got {path}); "
                "models are not downloaded automatically"
            )
        vosk.SetLogLevel(-1)
        self._model: Any = vosk.Model(str(path))
        self._vosk = vosk

    def transcribe(self, pcm: bytes) -> Transcript:
        rec = self._vosk.KaldiRecognizer(self._model, RECOGNITION_RATE)
        rec.AcceptWaveform(pcm)
        text = json.loads(rec.FinalResult()).get("text", "")
        return Transcript(text.lower(), raw=text)
