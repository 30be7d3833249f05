"""The VAD stage: 16 kHz mono PCM in, speech-start and utterance events out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class SpeechStarted:
    """Enough voiced audio to believe someone started speaking."""

    at_s: float
    """Stream time of the first voiced frame (pre-roll included), in seconds."""


@dataclass(frozen=True)
class UtteranceEnded:
    """A complete utterance, ready for recognition."""

    pcm: bytes
    """16 kHz mono s16le audio of the utterance, pre-roll included."""
    start_s: float
    """Stream time where the utterance starts."""
    end_s: float
    """Stream time of the last voiced frame (end of speech)."""
    truncated: bool = False
    """True when cut at the maximum utterance length."""
    detected_s: float | None = None
    """Stream time at which the end was decided (end_s plus the VAD's own end-of-speech delay);
    latency to the reply is measured from end_s, so this shows how much of it the VAD costs."""
    began_s: float | None = None
    """Stream time at which the start was decided (`SpeechStarted` came out): a pause before
    the utterance is known to have ended here (audio/pieces.py)."""


VadEvent = SpeechStarted | UtteranceEnded


class VoiceActivityDetector(ABC):
    """One instance per speaker stream; keeps only that stream's state."""

    @abstractmethod
    def process(self, pcm: bytes) -> list[VadEvent]:
        """Feed any amount of 16 kHz mono s16le audio; return the events it completed."""

    def speech_so_far(self) -> bytes:
        """Audio of the utterance in progress (pre-roll included), b"" outside speech.

        Lets the conversation check a long utterance for the wake phrase before it ends,
        without keeping a second copy of every frame."""
        return b""

    @property
    def speech_bytes(self) -> int:
        """Length of `speech_so_far()` without building it (checked on every frame)."""
        return 0

    @property
    def paused(self) -> bool:
        """The speaker of the utterance in progress has paused for `hear_at_pause_ms`: they
        may be done. From then until a voiced frame, `speech_until_pause()` is exactly the
        audio the end will deliver, so the session can hear it before the VAD's end wait is
        over. False outside speech, and when that setting is 0."""
        return False

    def speech_until_pause(self) -> bytes:
        """The audio `UtteranceEnded` would carry if the utterance ended now (b"" outside
        speech)."""
        return b""

    @property
    def slack_s(self) -> float:
        """At least this much more audio can be fed before the next event or change of
        `paused` (a lower bound): the receiver may read it a little later without delaying
        any decision. 0 when unknown."""
        return 0.0

    @abstractmethod
    def flush(self) -> list[VadEvent]:
        """End of stream: close an utterance in progress, if any."""
