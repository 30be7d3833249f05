"""Build the configured recogniser from VoiceSettings."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

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
        key = (settings.model, settings.model_sha256, settings.threads, settings.window_s)
        version = _model_version(settings.model)
        with _LOADING:
            model = _LOADED.get(key)
            if model is None or model[0] != version:
                loaded = WhisperModel(*key)
                _LOADED[key] = model = (version, loaded)
        return model[1]
    except ModelError as exc:
        log.warning("neural second opinion unavailable, grammar recognizer only: %s", exc)
        return None


_LOADING = threading.Lock()
_LOADED: dict[tuple[Any, ...], tuple[Any, WhisperModel]] = {}
"""Neural models loaded in this process, by their settings, with the version of model.bin
they were read from. A `WhisperModel` is only read from once loaded (its decodes take a lock
of their own), so every hearing path of a process shares one. A bot builds its hearing path
once, but the benches build one per run and each test worker hundreds (a bot a voice test):
each verified the checksum and loaded the model again, 0.5-0.8 s of CPU. As the tokenizer is
(whisper_tokens.py): one per file per process."""


def _model_version(folder: Any) -> tuple[int, int] | None:
    """model.bin's modification time and size (None: no such file; loading then says why)."""
    from .bundled_model import bundled_model_folder

    try:
        stat = ((folder or bundled_model_folder()) / "model.bin").stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
