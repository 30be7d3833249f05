"""The part of a voice message that is speech: where the VAD that splits live speech finds it.

A voice message was heard whole, as one utterance. The neural second opinion hears only
Whisper's first 30 s, so a request said after half a minute of silence was heard as ". . . ."
and not understood; and the grammar recognizer heard all of it, up to `voice.max_file_seconds`
(about 40 s of CPU for ten minutes, and fitting the member's voice heard it twice more) while
the voice channel waited for the same recognizer. Now the message is heard from where its
speech begins to where it ends, at most `HEARD_S` of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import RECOGNITION_BYTES_PER_S, RECOGNITION_RATE
from .vad.base import UtteranceEnded, VoiceActivityDetector

HEARD_S = 30.0
"""The most of a voice message heard, from the start of its speech: as much as the neural
second opinion hears (Whisper's window)."""


@dataclass(frozen=True)
class MessageSpeech:
    pcm: bytes
    """16 kHz mono s16le: the speech, with the VAD's pre-roll and hangover around it."""
    cut: bool
    """Speech went on past `HEARD_S` from its start, and that rest was not heard."""


def message_speech(
    pcm: bytes, vad: VoiceActivityDetector, most_s: float = HEARD_S
) -> MessageSpeech:
    """The speech of a whole recording, found by a fresh `vad`. Where it finds none (a word too
    short to start an utterance), the recording's beginning is heard, as before."""
    spans = [
        (event.start_s, event.start_s + len(event.pcm) / RECOGNITION_BYTES_PER_S)
        for event in [*vad.process(pcm), *vad.flush()]
        if isinstance(event, UtteranceEnded)
    ]
    most = int(most_s * RECOGNITION_RATE) * 2
    if not spans:
        return MessageSpeech(pcm[:most], cut=False)
    start = int(spans[0][0] * RECOGNITION_RATE) * 2
    end = int(spans[-1][1] * RECOGNITION_RATE) * 2
    return MessageSpeech(pcm[start : min(end, start + most)], cut=end - start > most)
