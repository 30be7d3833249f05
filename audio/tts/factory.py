"""Build the configured synthesiser (with espeak fallback) from VoiceSettings."""

from __future__ import annotations

import logging

from assistant.config.voice import TtsSettings

from .base import Synthesizer, TtsError
from .espeak import EspeakSynthesizer
from .fallback import FallbackSynthesizer

log = logging.getLogger(__name__)


def build_synthesizer(settings: TtsSettings | None = None) -> Synthesizer:
    """The chosen engine wrapped with the fallback; a missing optional package falls back too."""
    s = settings or TtsSettings()
    espeak_voice = s.voice if s.engine == "espeak" else None
    espeak = EspeakSynthesizer(espeak_voice, s.rate, s.timeout_s)
    if s.engine == "espeak":
        return espeak
    try:
        primary = _primary(s)
    except TtsError as exc:
        if s.fallback == "none":
            raise
        log.warning("%s; speaking with espeak-ng instead", exc)
        return espeak
    engines: list[Synthesizer] = [primary] + ([espeak] if s.fallback == "espeak" else [])
    return FallbackSynthesizer(engines, s.timeout_s)


def _primary(s: TtsSettings) -> Synthesizer:
    if s.engine == "openai":
        from .openai_tts import OpenAISynthesizer

        return OpenAISynthesizer(s.openai_model, s.voice, s.openai_base_url, s.timeout_s)
    if s.engine == "gtts":
        from .gtts_engine import GttsSynthesizer

        return GttsSynthesizer(s.gtts_lang, s.timeout_s)
    if s.engine == "piper":
        from .piper import PiperSynthesizer

        return PiperSynthesizer(s.voice, s.timeout_s)
    if s.engine == "wyoming":
        from .wyoming_tts import WyomingSynthesizer

        return WyomingSynthesizer(s.wyoming_uri, s.voice, s.timeout_s)
    raise TtsError(f"unknown speech engine {s.engine!r}")
