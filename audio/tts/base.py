"""The speech-output stage: text in, PCM out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


class TtsError(Exception):
    """A synthesiser could not speak; the fallback engine takes over."""


@dataclass(frozen=True)
class Speech:
    """Synthesised audio."""

    pcm: bytes
    """Signed 16-bit little-endian samples."""
    sample_rate: int
    """Samples per second."""
    channels: int = 1
    """1 (mono) or 2 (interleaved stereo)."""
    engine: str = ""
    """Name of the engine that actually spoke (tells whether a fallback was used)."""

    @property
    def seconds(self) -> float:
        return len(self.pcm) / (2 * self.channels * self.sample_rate)


class Synthesizer(ABC):
    """Text -> PCM. Implementations raise (TtsError or any exception) instead of hanging."""

    name: str = "base"

    @abstractmethod
    async def synthesize(self, text: str) -> Speech:
        """Speak `text`; raise on failure so that a fallback engine can take over."""
