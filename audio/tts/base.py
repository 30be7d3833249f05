"""The speech-output stage: text in, PCM out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Speech:
    """Synthesised audio."""

    pcm: bytes
    """Signed 16-bit little-endian samples."""
    sample_rate: int
    channels: int = 1

    @property
    def seconds(self) -> float:
        return len(self.pcm) / (2 * self.channels * self.sample_rate)


class Synthesizer(ABC):
    name: str = "base"

    @abstractmethod
    async def synthesize(self, text: str) -> Speech:
        """Speak `text`; raise on failure so that a fallback engine can take over."""
