"""The parts of a voice message that are speech: where the VAD that splits live speech finds it.

A voice message was heard whole, as one utterance. The neural second opinion hears only
Whisper's first 30 s, so a request said after half a minute of silence was heard as ". . . ."
and not understood; and the grammar recognizer heard all of it, up to `voice.max_file_seconds`
(about 40 s of CPU for ten minutes, and fitting the member's voice heard it twice more) while
the voice channel waited for the same recognizer. Then it was heard from where its speech
began to where it ended, at most `HEARD_S` of it, still as one utterance: two requests with a
pause between them ("hey trainer, what's the status" ... "hey trainer, help") were answered
as the first alone. Now each utterance the VAD cuts is a piece of its own (joined again where
one is half a request, as in the voice channel: audio/pieces.py), at most `MOST_PIECES` of
them, all within `HEARD_S` of where its speech begins.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import RECOGNITION_BYTES_PER_S, RECOGNITION_RATE
from .vad.base import UtteranceEnded, VoiceActivityDetector

HEARD_S = 30.0
"""The most of a voice message heard, from the start of its speech: as much as the neural
second opinion hears (Whisper's window)."""
MOST_PIECES = 5
"""The most utterances of one voice message heard: each costs a hearing (two where it is
joined to the next), so a message of many short phrases costs no more than a few requests."""


@dataclass(frozen=True)
class MessageSpeech:
    pieces: list[UtteranceEnded]
    """Its utterances in order, 16 kHz mono s16le with the VAD's pre-roll and hangover: at
    most `MOST_PIECES`, none past `HEARD_S` from the start of the first."""
    cut: bool
    """Speech went on past `HEARD_S` from its start, and that rest was not heard."""
    left: int = 0
    """Utterances after the first `MOST_PIECES` (within `HEARD_S`), not heard."""


def message_speech(
    pcm: bytes, vad: VoiceActivityDetector, most_s: float = HEARD_S, most: int = MOST_PIECES
) -> MessageSpeech:
    """The speech of a whole recording, found by a fresh `vad`. Where it finds none (a word too
    short to start an utterance), the recording's beginning is heard, as before."""
    ended = [e for e in [*vad.process(pcm), *vad.flush()] if isinstance(e, UtteranceEnded)]
    if not ended:
        beginning = pcm[: int(most_s * RECOGNITION_RATE) * 2]
        seconds = len(beginning) / RECOGNITION_BYTES_PER_S
        return MessageSpeech([UtteranceEnded(beginning, 0.0, seconds)], cut=False)
    until = ended[0].start_s + most_s
    heard = [_up_to(e, until) for e in ended if e.start_s < until]
    return MessageSpeech(heard[:most], cut=_end(ended[-1]) > until, left=len(heard[most:]))


def _end(utterance: UtteranceEnded) -> float:
    """Where its audio ends, the VAD's hangover included."""
    return utterance.start_s + len(utterance.pcm) / RECOGNITION_BYTES_PER_S


def _up_to(utterance: UtteranceEnded, until: float) -> UtteranceEnded:
    """`utterance` without what it holds past `until` (stream time)."""
    if _end(utterance) <= until:
        return utterance
    kept = int((until - utterance.start_s) * RECOGNITION_RATE) * 2
    return replace(utterance, pcm=utterance.pcm[:kept], end_s=min(utterance.end_s, until))
