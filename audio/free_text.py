"""An open-vocabulary engine's text -> a decision, by the same grammar and gate.

Open-vocabulary first stages (openai, vosk, faster_whisper, a Wyoming server) write free text
with the wake phrase inside ("Hey, trainer. Train the model."). The grammar recognizer's
templates still decide what is a command: the text is split at the wake phrase (or at a call
to another name), matched exactly or snapped to the nearest sentence of the guild's language
(English as a fallback, assistant/intents/snap.py) and gated. Kept apart from the `Hearer`
(audio/hearing.py), which routes such transcripts here, because none of the grammar
recognizer's second-opinion machinery applies: these engines are neural themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from assistant.config.voice import SecondOpinionSettings
from assistant.intents.matcher import Intent, IntentMatcher
from assistant.intents.snap import CallHead, GrammarSnapper, Snap

from .asr.base import Transcript
from .decision import Hearing, StageReport

Grammar = tuple[IntentMatcher, GrammarSnapper | None]
"""A language's templates and the sentences they expand to."""


def interpret_free(
    transcript: Transcript,
    ms: float,
    in_window: bool,
    grammars: Callable[[], list[Grammar]],
    aliases: Callable[[], list[str]],
    settings: SecondOpinionSettings,
    name: str,
) -> Hearing:
    """Decide what free text said: the wake phrase or a call to another name split off, the
    rest matched exactly or snapped to the nearest sentence of `grammars()` (tried in order)
    and gated: `gate` after the wake phrase, the stricter `verify_gate` without it (follow-up
    window chatter). `grammars` is called only for text the engine did not reject: another
    language's grammar is built on first use. `name` is the engine's, for the report."""
    s = settings
    raw = transcript.raw or transcript.text
    if transcript.rejected:
        stage = StageReport(name, raw, None, "rejected", "the engine rejected it", ms)
        return Hearing("", False, None, True, 0.0, "none", [stage])
    head: CallHead | None = None
    best: tuple[float, Intent | None, str] = (0.0, None, "")
    for matcher, snapper in grammars():
        assert snapper is not None
        h = snapper.head(transcript.text, aliases())
        head = head or h
        exact = matcher.match(h.rest) if h.rest else None
        if exact is not None:
            head, best = h, (1.0, exact, h.rest)
            break
        snap: Snap | None = snapper.snap(h.rest) if h.rest else None
        if snap is not None and snap.score > best[0]:
            head, best = h, (snap.score, snap.intent, snap.sentence)
    assert head is not None
    wake = head.wake or transcript.wake
    score, intent, sentence = best
    gate = s.gate if wake else s.verify_gate
    snapped = sentence if score < 1.0 else ""

    def decide(verdict: str, why: str, hearing_intent: Intent | None) -> Hearing:
        stage = StageReport(name, raw, score if head.rest else None, verdict, why, ms, snapped)
        if verdict == "wake only":
            return Hearing("", True, None, False, 1.0, name, [stage])
        if hearing_intent is None:
            return Hearing(head.rest, False, None, True, 0.0, "none", [stage])
        accepted = replace(hearing_intent, wake=wake)
        return Hearing(accepted.text, wake, accepted, False, score, name, [stage])

    if head.other_name is not None and (not head.rest or intent is not None):
        return decide("rejected", f"addressed to {head.other_name!r}, not to me", None)
    if not head.rest:
        if wake:
            return decide("wake only", "the wake phrase alone", None)
        return decide("rejected", "nothing heard", None)
    if intent is None or score < gate:
        return decide("rejected", f"score {score:.2f} < gate {gate}", None)
    if not wake and not in_window:
        return decide("rejected", "a command without the wake phrase", None)
    return decide("accepted", f"score {score:.2f} >= gate {gate}", intent)
