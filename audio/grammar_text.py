"""The grammar recognizer's transcript -> a first decision (wake phrase, command, or neither).

Stage 1 of the hearing path (audio/hearing.py): pocketsphinx decodes only sentences of the
intent templates (or its garbage loop, reported as rejected), so its words are matched exactly.
Kept apart from the `Hearer`, which then decides whether the neural second opinion looks again.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.intents.matcher import IntentMatcher

from .asr.base import Transcript
from .decision import Hearing, StageReport, clean_words


def interpret_grammar(
    transcript: Transcript, ms: float, matcher: IntentMatcher, stage: str = "grammar"
) -> Hearing:
    """Stage 1's transcript -> wake, text, intent. Open-vocabulary engines leave the wake
    phrase in the text; grammar engines have removed it already."""
    heard = clean_words(transcript.raw) if transcript.raw else transcript.text
    if transcript.rejected:
        report = StageReport(stage, heard, transcript.score, "rejected", "outside the grammar", ms)
        return Hearing("", False, None, True, 0.0, "none", [report])
    wake, text = matcher.split_wake(transcript.text)
    wake = wake or transcript.wake
    intent = matcher.match(text) if text else None
    if intent is not None and wake and not intent.wake:
        intent = replace(intent, wake=True)
    if wake and not text:
        verdict, why = "wake only", "the wake phrase alone"
    elif intent is not None:
        verdict, why = "accepted", "a command" + (" after the wake phrase" if wake else "")
    else:
        verdict, why = "rejected", "not a command" if text else "nothing heard"
    report = StageReport(stage, heard, transcript.score, verdict, why, ms)
    rejected = bool(text) and intent is None
    decided = stage if (intent is not None or (wake and not text)) else "none"
    confidence = 1.0 if decided != "none" else 0.0
    return Hearing(text, wake, intent, rejected, confidence, decided, [report])
