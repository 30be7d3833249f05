"""Stateless voice helpers for the conversation machine: one utterance -> transcript -> intent.

The machine (states/) owns conversation state (wake windows, follow-ups, who is speaking);
this module only answers "what was said, did it carry a wake phrase, which command is it",
with timings.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from assistant.config.voice import VoiceSettings
from assistant.intents.matcher import Intent, IntentMatcher, to_request
from assistant.messages import Request, User

from .asr.base import Recognizer, Transcript


@dataclass(frozen=True)
class Recognition:
    """What one utterance amounted to."""

    transcript: Transcript
    """The recogniser's output."""
    wake: bool
    """The utterance started with a wake phrase."""
    text: str
    """Words after the wake phrase ('' when only the wake phrase was said)."""
    intent: Intent | None
    """The command, or None (nothing matched, or the recogniser rejected the speech)."""
    asr_ms: float
    """Wall time of recognition."""
    intent_ms: float
    """Wall time of intent matching."""

    @property
    def wake_only(self) -> bool:
        """Just the wake phrase: the machine should open a follow-up window."""
        return self.wake and not self.text and not self.transcript.rejected

    def accepted(self, require_wake: bool = True) -> bool:
        """A command to run: it carried the wake phrase, or the machine is in a follow-up window."""
        return self.intent is not None and (self.wake or not require_wake)


class VoicePipeline:
    """Recogniser + matcher sharing one set of slot lists. Thread-safe; holds no conversation."""

    def __init__(self, recognizer: Recognizer, matcher: IntentMatcher) -> None:
        self.recognizer = recognizer
        self.matcher = matcher

    @classmethod
    def from_settings(cls, settings: VoiceSettings) -> VoicePipeline:
        """Build recogniser and matcher from config (the grammar engine loads in ~0.4 s)."""
        from .asr.factory import build_recognizer

        recognizer = build_recognizer(settings)
        matcher = getattr(recognizer, "matcher", None)
        if not isinstance(matcher, IntentMatcher):
            matcher = IntentMatcher.from_settings(settings)
        return cls(recognizer, matcher)

    def update_lists(self, lists: dict[str, list[str]]) -> None:
        """New dataset/folder/file names: speakable and matchable when this returns."""
        if getattr(self.recognizer, "matcher", None) is self.matcher:
            self.recognizer.update_lists(lists)  # updates the shared matcher too
        else:
            self.matcher.update_lists(lists)
            self.recognizer.update_lists(lists)

    def recognise(self, pcm: bytes) -> Recognition:
        """Blocking: 16 kHz mono s16le utterance -> Recognition."""
        t0 = time.perf_counter()
        transcript = self.recognizer.transcribe(pcm)
        t1 = time.perf_counter()
        recognition = self.interpret(transcript)
        t2 = time.perf_counter()
        return Recognition(
            transcript,
            recognition.wake,
            recognition.text,
            recognition.intent,
            asr_ms=(t1 - t0) * 1000,
            intent_ms=(t2 - t1) * 1000,
        )

    async def arecognise(self, pcm: bytes) -> Recognition:
        """`recognise` in a worker thread, so the event loop keeps receiving audio."""
        return await asyncio.to_thread(self.recognise, pcm)

    def interpret(self, transcript: Transcript) -> Recognition:
        """Wake check + intent for a transcript (typed text works too: `Transcript(text)`)."""
        t0 = time.perf_counter()
        if transcript.rejected:
            return Recognition(transcript, False, "", None, 0.0, 0.0)
        # Grammar engines strip the wake phrase themselves; open-vocabulary ones do not.
        wake, text = self.matcher.split_wake(transcript.text)
        wake = wake or transcript.wake
        intent = self.matcher.match(text) if text else None
        if intent is not None and wake and not intent.wake:
            intent = Intent(intent.name, intent.slots, intent.text, True)
        return Recognition(transcript, wake, text, intent, 0.0, (time.perf_counter() - t0) * 1000)

    @staticmethod
    def to_request(intent: Intent, user: User, guild_id: str, channel_id: str) -> Request:
        """A voice Request for the core (options are the intent's slots)."""
        return to_request(intent, user, guild_id, channel_id)
