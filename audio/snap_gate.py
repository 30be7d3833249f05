"""The second opinion's gate for a model that cannot score sentences: its transcript is
snapped to the nearest grammar sentence (assistant/intents/snap.py), and the snap's similarity
decides whether it confirms, overrules or rescues what the grammar recognizer heard. A model
that scores (Whisper through CTranslate2, the default) goes to audio/scored_gate.py instead,
after the same check for no speech."""

from __future__ import annotations

import time
from dataclasses import replace

from assistant.config.voice import SecondOpinionSettings
from assistant.intents.snap import CallHead, GrammarSnapper, Snap

from .asr.neural import NeuralResult
from .decision import Hearing, StageReport, accept
from .scored_gate import ScoredGate


def judge_snapped(
    first: Hearing,
    result: NeuralResult,
    reason: str,
    in_window: bool,
    head: CallHead,
    snapper: GrammarSnapper,
    s: SecondOpinionSettings,
    scored: ScoredGate | None,
) -> Hearing:
    """What the neural transcript (`result`, beginning as `head`), snapped to the grammar,
    makes of `first` (the grammar's decision) for `reason` (audio/second_reason.py); `scored`:
    the gate on scored candidates, used instead when the model can score."""
    t0 = time.perf_counter()
    snap: Snap | None = snapper.snap(head.rest) if head.rest else None
    snap_ms = (time.perf_counter() - t0) * 1000
    score = snap.score if snap is not None else 0.0
    sentence = snap.sentence if snap is not None else ""
    neural_intent = snap.intent if snap is not None and score >= s.gate else None
    ms = result.ms + snap_ms

    def report(verdict: str, why: str) -> StageReport:
        return StageReport("neural", result.text, score, verdict, why, ms, sentence)

    def reject(why: str) -> Hearing:
        stages = [*first.stages, report("rejected", why)]
        return Hearing(
            first.text if not first.rejected else "", False, None, True, 0.0, "neural", stages
        )

    if result.no_speech > s.max_no_speech:  # no words heard, not the grammar's "bye"
        heard = reject(f"no speech (probability {result.no_speech:.2f})")
        return replace(heard, text="", no_speech=True)
    if scored is not None:
        # A name written in the wake word's place is weighed there, against the wake word.
        return scored.judge(first, result, reason, in_window, head)
    if head.other_name is not None and (not head.rest or neural_intent is not None):
        return reject(f"addressed to {head.other_name!r}, not to me")
    if reason == "verify_wake":
        assert first.intent is not None
        # Only a name heard instead of the wake phrase overrules the grammar: Whisper tiny
        # garbles accented and noisy speech ("hit rate number 4" for "hey trainer hello"),
        # and dropping what the grammar heard on garbled words cost 20 of 288 held-out
        # commands to save 3 false accepts (bench/results/voice.md, 2 December 2026).
        why = "the wake phrase is confirmed" if head.wake else "no other name was heard"
        stages = [*first.stages, report("confirmed", why)]
        return replace(first, decided_by=first.decided_by, stages=stages)
    if reason == "verify_window":
        assert first.intent is not None
        agrees = (
            snap is not None and snap.intent is not None and snap.intent.same_command(first.intent)
        )
        if agrees and score >= s.verify_gate:
            stages = [
                *first.stages,
                report("confirmed", f"same command, score >= {s.verify_gate}"),
            ]
            return replace(first, confidence=score, stages=stages)
        if neural_intent is not None:
            # As a rescue in the window would: the command the model heard, near enough to a
            # sentence, overrules the grammar's ("help" heard by the grammar as "kill job").
            why = "wake phrase heard" if head.wake else "in a follow-up window"
            return accept(
                first, neural_intent, head.wake, score, report, f"a different command, {why}"
            )
        if agrees:
            return reject(f"score {score:.2f} < {s.verify_gate}")
        instead = f"heard {snap.sentence!r}, " if snap is not None else ""
        return reject(f"does not confirm {first.intent.name} ({instead}score {score:.2f})")
    # rescue: the grammar rejected the speech, or heard a command without the wake phrase.
    # A bare wake phrase is not rescued from a rejection: the grammar's near-homophone path
    # ("hey train her") rejects exactly what sounds like it.
    if head.wake and not head.rest and not first.rejected:
        stages = [*first.stages, report("wake only", "the wake phrase alone")]
        return Hearing("", True, None, False, 1.0, "neural", stages)
    if neural_intent is None:
        return reject(f"score {score:.2f} < gate {s.gate}" if snap else "nothing like a command")
    if not head.wake and not in_window:
        return reject("a command without the wake phrase, outside a follow-up window")
    return accept(first, neural_intent, head.wake, score, report, f"score >= gate {s.gate}")
