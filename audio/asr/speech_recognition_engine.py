"""The SpeechRecognition package's recognizers as an engine: open vocabulary, one per config.

- `sphinx`: offline, through the pocketsphinx we already depend on, with the US-English model
  the package ships; it transcribes anything (no grammar), so it is less accurate on commands
  than our own grammar engine but needs no set-up.
- `whisper_api`: OpenAI's transcription (or any compatible endpoint: `openai_base_url`), key in
  OPENAI_API_KEY, through the package's OpenAI-compatible recognizer.
- `google`: Google's free Web Speech endpoint, the package's best-known service (no key).

Like the OpenAI engine, the transcript keeps its wake phrase; the intent matcher finds it.
"""

from __future__ import annotations

import os
from typing import Any

from assistant.config.voice import AsrSettings

from .. import RECOGNITION_RATE
from .base import Recognizer, Transcript

_MIN_BYTES = RECOGNITION_RATE * 2 // 10
"""Less than 0.2 s of audio is not an utterance (and online services reject it)."""


GOOGLE_LANGUAGES = {"en": "en-US", "ru": "ru-RU"}
"""Google wants a region with the language."""


class SpeechRecognitionError(RuntimeError):
    """The recognizer failed (service down, bad key); logged, the user hears an apology."""


class SpeechRecognitionRecognizer(Recognizer):
    name = "speech_recognition"

    def __init__(self, settings: AsrSettings | None = None) -> None:
        import speech_recognition as sr

        self.settings = s = settings or AsrSettings()
        self._sr: Any = sr
        self._recognizer: Any = sr.Recognizer()
        self._recognizer.operation_timeout = s.speech_recognition_timeout_s
        self._whisper: Any = None
        if s.speech_recognition_recognizer == "whisper_api":
            from openai import OpenAI
            from speech_recognition.recognizers.whisper_api.base import (
                OpenAICompatibleRecognizer,
            )

            client = OpenAI(
                api_key=os.environ.get("OPENAI_API_KEY") or "not-set",
                base_url=s.openai_base_url,
                timeout=s.speech_recognition_timeout_s,
                max_retries=0,
            )
            self._whisper = OpenAICompatibleRecognizer(client)

    def transcribe(self, pcm: bytes) -> Transcript:
        if len(pcm) < _MIN_BYTES:
            return Transcript("")
        audio = self._sr.AudioData(pcm, RECOGNITION_RATE, 2)
        try:
            text = self._recognize(audio)
        except self._sr.UnknownValueError:
            return Transcript("")  # speech, but no words the recognizer could make out
        except self._sr.RequestError as exc:
            raise SpeechRecognitionError(f"speech_recognition failed: {exc}") from None
        text = " ".join(str(text or "").split())
        return Transcript(text.lower(), raw=text)

    def _recognize(self, audio: Any) -> str:
        which = self.settings.speech_recognition_recognizer
        if which == "sphinx":
            return str(self._recognizer.recognize_sphinx(audio))
        if which == "whisper_api":
            import openai

            language = self.settings.language
            asked = {"language": language} if language else {}
            try:
                return str(self._whisper.recognize(audio, self.settings.openai_model, **asked))
            except openai.APIError as exc:
                raise self._sr.RequestError(f"{exc.__class__.__name__}: {exc}") from None
        endpoint = self.settings.speech_recognition_endpoint
        first = self.settings.languages[0]  # Google hears the one language it is told
        return str(
            self._recognizer.recognize_google(
                audio,
                language=GOOGLE_LANGUAGES.get(first, first),
                **({"endpoint": endpoint} if endpoint else {}),
            )
        )
