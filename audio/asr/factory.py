"""Build the configured recogniser from VoiceSettings."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from assistant.config.voice import SecondOpinionSettings, VoiceSettings
from assistant.intents.matcher import IntentMatcher

from .base import Recognizer

if TYPE_CHECKING:
    from .neural import WhisperModel

log = logging.getLogger(__name__)


def build_recognizer(
    settings: VoiceSettings,
    matcher: IntentMatcher | None = None,
    lists: dict[str, list[str]] | None = None,
) -> Recognizer:
    """The engine named by `settings.asr.engine`; optional engines fail with a clear message.

    `matcher` is shared with the pipeline so that grammar and intent matching use the same
    templates and slot lists; `lists`: the run-time names it starts with (`update_lists`).
    """
    engine = settings.asr.engine
    if engine == "pocketsphinx":
        from .pocketsphinx_engine import PocketsphinxRecognizer
        from .pronounce import Lexicon

        lexicon = Lexicon(settings.asr.pocketsphinx_dict)
        if matcher is None:
            matcher = IntentMatcher.from_settings(settings, is_word=lexicon.is_word)
        if lists is not None:
            # Its grammar is built once, with the names: built without them and then again
            # with them, a start built it twice (0.2-0.4 s of CPU each).
            matcher.update_lists(lists)
        return PocketsphinxRecognizer(settings.asr, matcher, lexicon)
    recognizer = _open_vocabulary(settings)
    if lists is not None:
        recognizer.update_lists(lists)
    return recognizer


def _open_vocabulary(settings: VoiceSettings) -> Recognizer:
    engine = settings.asr.engine
    if engine == "openai":
        from .openai_engine import OpenAIRecognizer

        return OpenAIRecognizer(settings.asr)
    if engine == "vosk":
        from .vosk_engine import VoskRecognizer

        return VoskRecognizer(settings.asr)
    if engine == "faster_whisper":
        from .whisper_engine import WhisperRecognizer

        return WhisperRecognizer(settings.asr)
    if engine == "wyoming":
        from .wyoming_engine import WyomingRecognizer

        return WyomingRecognizer(settings.asr)
    if engine == "speech_recognition":
        from .speech_recognition_engine import SpeechRecognitionRecognizer

        return SpeechRecognitionRecognizer(settings.asr)
    raise ValueError(f"unknown speech recognition engine {engine!r}")


def load_second_opinion(settings: SecondOpinionSettings) -> WhisperModel | None:
    """The neural model, or None when it is off or cannot be used (then the grammar
    recognizer decides alone, and the log says why)."""
    if not settings.enabled:
        return None
    from threadpoolctl import threadpool_limits

    from .bundled_model import ModelError
    from .neural import WhisperModel

    # numpy's BLAS on one thread in this process: its idle helper threads busy-wait after each
    # call (the mel filterbank product of every neural run is one), burning CPU the grammar
    # recognizer needs; features took 8 ms of CPU per run on one thread against 17 on two.
    threadpool_limits(1, user_api="blas")
    try:
        return WhisperModel(
            settings.model, settings.model_sha256, settings.threads, settings.window_s
        )
    except ModelError as exc:
        log.warning("neural second opinion unavailable, grammar recognizer only: %s", exc)
        return None
