"""The recognition stage: one utterance of 16 kHz mono PCM in, a transcript out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Transcript:
    """What a recogniser heard."""

    text: str
    """Recognised words, lower case; empty when nothing in the grammar was heard."""
    wake: bool = False
    """True when the utterance started with one of the wake phrases (already removed from text)."""
    confidence: float | None = None
    """Engine-specific confidence in [0, 1] where the engine reports one."""
    rejected: bool = False
    """True when the engine heard speech but judged it outside its grammar."""
    raw: str = ""
    """The engine's full hypothesis (wake phrase included), for logs and benchmarks."""
    score: float | None = None
    """How well the engine's own hypothesis fits the sound, where it says (pocketsphinx: its
    path score per 10 ms frame, see `PocketsphinxRecognizer`); for the debug view."""


class Recognizer(ABC):
    """Keeps its model warm between calls; `transcribe` is blocking and runs in a worker thread."""

    name: str = "base"

    @abstractmethod
    def transcribe(self, pcm: bytes) -> Transcript:
        """Recognise one utterance of 16 kHz mono s16le audio."""

    def transcribe_warped(self, pcm: bytes, warp: float) -> Transcript:
        """`pcm` heard with its frequency axis stretched by `warp` (a speaker's fitted voice:
        audio/speaker_fit.py), where the engine can (pocketsphinx); others hear it as it came."""
        return self.transcribe(pcm)

    def update_lists(self, lists: dict[str, list[str]]) -> None:  # noqa: B027 - optional hook
        """Slot values changed (e.g. a new dataset); grammar-based engines rebuild here."""
