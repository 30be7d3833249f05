"""What the hearing path decided about one utterance, with every stage's view of it.

`Hearing` is what the live session, voice messages, `bot.py simulate` and the benches get from
`Hearer.hear` (audio/hearing.py); `debug()` and `debug_lines()` are the pipeline debug view
(like Home Assistant's Assist debug) for `simulate --json`, the console and the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.intents.matcher import Intent, normalize

from .asr.base import Transcript
from .asr.grammar import REJECT_PREFIXES

TIMINGS = {
    "dereverb": "the reverberation filter",
    "grammar": "the grammar recognizer",
    "neural": "the neural model's own time, beside the grammar",
    "neural_wait": "waited for the neural model after the grammar answered",
    "snap": "choosing: the sentences near the model's words scored and gated",
    "total": "hearing, from its start to the decision",
    "end_of_speech_to_reply": "end of speech to the first sound of the reply",
}
"""What each time of `timings_ms` counts: said in the views people read (`timing_words`), and
in the README's table of the debug view."""
SURE = "how sure the model was of its words: mean log probability per token, 0 is certain"
"""What a stage's `sure` is (below -`second_opinion.words_vote_unsure`, its words do not
overrule a command, audio/words_vote.py)."""


FIT = "how well its path fits the sound, per 10 ms, 0 is perfect"
"""What the grammar recognizer's `score` is (pocketsphinx's own units; measured, read by no
gate: bench/README.md)."""


def timing_words(timings: dict[str, float]) -> list[str]:
    """`timings_ms` in words, a time each: "grammar 159 ms (the grammar recognizer)"."""
    return [
        f"{key} {ms:.0f} ms ({TIMINGS[key]})" if key in TIMINGS else f"{key} {ms:.0f} ms"
        for key, ms in timings.items()
    ]


def sure_words(sure: float | None) -> str:
    """A stage's `sure` in words, or "" when it has none."""
    return "" if sure is None else f", sure {sure:.2f} ({SURE})"


@dataclass(frozen=True)
class StageReport:
    """What one stage heard and what the gate made of it."""

    stage: str
    """"grammar", "neural", "search" (the whole grammar searched, audio/grammar_search.py), or
    "wake" (the learned check of the wake word, audio/wake_verifier.py)."""
    heard: str
    """Its words, for people (no internal tokens)."""
    score: float | None
    """Grammar: how well its path fits the sound, per 10 ms frame (`FIT`; None where the
    engine says nothing); neural: the chosen sentence's log probability against the model's
    own transcript (audio/rescore.py), or, without scoring, the similarity of its transcript
    to the nearest grammar sentence; wake: the probability that the wake word was said."""
    verdict: str
    """accepted, rejected, wake only, confirmed, overruled, not run."""
    why: str
    """The reason for the verdict, in words."""
    ms: float
    """Wall time of the stage."""
    sentence: str = ""
    """Neural: the grammar sentence its transcript snapped to."""
    sure: float | None = None
    """Neural: its transcript's mean log probability per token (closer to 0: surer)."""


@dataclass(frozen=True)
class Hearing:
    """The decision about one utterance."""

    text: str
    """What was heard, wake phrase removed, for people and the machine ('' for nothing)."""
    wake: bool
    """The wake phrase was heard (and, where it was checked, confirmed)."""
    intent: Intent | None
    """The command, or None."""
    rejected: bool
    """Speech was heard but judged not to be a command for us."""
    confidence: float
    """1.0 when the grammar decided alone, else the neural stage's (0 when rejected)."""
    decided_by: str
    """"grammar", "neural" (rescued or confirmed), "search" (found by searching the whole
    grammar), or "none" (nothing usable)."""
    stages: list[StageReport] = field(default_factory=list)
    """Every stage that ran, in order."""
    timings_ms: dict[str, float] = field(default_factory=dict)
    """dereverb (the filter, when it ran), grammar, neural (its own time), neural_wait (after
    the grammar), snap, total: `TIMINGS` says what each counts."""
    grammar_alone: Hearing | None = None
    """What the grammar recognizer decided on its own (benches compare the two)."""
    audio: str = ""
    """What was done to the audio before the recognizers heard it ('' nothing;
    audio/dereverb.py)."""
    maybe_wake: bool = False
    """The wake phrase alone, refused (it opens no window and gets no answer) but probable
    enough that what its speaker says next is heard joined to it (audio/pieces.py)."""
    no_speech: bool = False
    """The neural model judged the utterance no speech at all (hiss, a fan): no words were
    heard, whatever the recognizers wrote for it (Whisper writes "I'm going to go." for hiss,
    the grammar "bye"); the debug view's stages keep theirs."""

    @property
    def wake_only(self) -> bool:
        """Just the wake phrase: open a follow-up window."""
        return self.wake and not self.text and not self.rejected

    def accepted(self, in_window: bool) -> bool:
        """A command to run (with the wake phrase, or inside a follow-up window)."""
        return self.intent is not None and not self.rejected and (self.wake or in_window)

    def transcript(self) -> Transcript:
        """The machine's view (states/conversation.py classifies transcripts)."""
        return Transcript(
            self.text,
            wake=self.wake,
            confidence=self.confidence,
            rejected=self.rejected,
            raw=self.heard,
        )

    @property
    def heard(self) -> str:
        """The best words to show: the deciding stage's; none where they are no words (the
        neural model writes "." or ". . . ." for hiss, which was shown as "I heard “.”")."""
        if self.no_speech:
            return ""
        words = self.stages[0].heard if self.stages else ""
        for stage in reversed(self.stages):
            if stage.stage == self.decided_by:
                words = stage.heard
                break
        return words if any(char.isalnum() for char in words) else ""

    def after_filter(self, why: str, ms: float) -> Hearing:
        """This decision about audio a filter had prepared: `why` it did what it did, in `ms`
        (counted in the total)."""
        timings = {"dereverb": ms, **self.timings_ms}
        timings["total"] = timings.get("total", 0.0) + ms
        return replace(self, audio=why, timings_ms=timings)

    def with_audio_note(self, note: str) -> Hearing:
        """This decision with `note` added to what was done to the audio ('' adds nothing)."""
        if not note:
            return self
        return replace(self, audio=f"{self.audio}; {note}" if self.audio else note)

    def debug(self) -> dict[str, Any]:
        """JSON-ready pipeline debug view (like Home Assistant's Assist debug)."""
        return {
            "heard": self.heard,
            "wake": self.wake,
            "rejected": self.rejected,
            "intent": self.intent.name if self.intent else None,
            "slots": dict(self.intent.slots) if self.intent else {},
            "confidence": round(self.confidence, 3),
            "decided_by": self.decided_by,
            **({"audio": self.audio} if self.audio else {}),
            "stages": [
                {
                    "stage": s.stage,
                    "heard": s.heard,
                    "score": None if s.score is None else round(s.score, 3),
                    "verdict": s.verdict,
                    "why": s.why,
                    "ms": round(s.ms, 1),
                    **({"sentence": s.sentence} if s.sentence else {}),
                    **({"sure": round(s.sure, 3)} if s.sure is not None else {}),
                }
                for s in self.stages
            ],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }

    def debug_lines(self) -> list[str]:
        """The debug view as console lines."""
        lines = []
        if self.audio:
            lines.append(f"  {'audio':8} {self.audio}, {self.timings_ms.get('dereverb', 0):.0f} ms")
        for s in self.stages:
            score = "" if s.score is None else f" score {s.score:.2f}"
            if score and s.stage == "grammar":
                score += f" ({FIT})"
            snapped = f" -> {s.sentence!r}" if s.sentence else ""
            lines.append(
                f"  {s.stage:8} heard {s.heard!r}{snapped}{score}: {s.verdict} ({s.why}), "
                f"{s.ms:.0f} ms{sure_words(s.sure)}"
            )
        what = f"{self.intent.name} {dict(self.intent.slots)}" if self.intent else "nothing"
        lines.append(f"  decision: {what} by {self.decided_by}, wake {self.wake}")
        if self.timings_ms:
            lines.append(f"  times: {', '.join(timing_words(self.timings_ms))}")
        return lines


def accept(
    first: Hearing,
    intent: Intent,
    wake: bool,
    score: float,
    report: Callable[[str, str], StageReport],
    why: str,
) -> Hearing:
    """The neural stage's command accepted over `first` (the grammar's decision); `report`
    makes the neural stage's line. One place for both gates (audio/hearing.py,
    audio/scored_gate.py)."""
    intent = replace(intent, wake=wake)
    stages = [*first.stages, report("accepted", why)]
    return Hearing(intent.text, wake, intent, False, score, "neural", stages)


def clean_words(raw: str) -> str:
    """A grammar hypothesis for people: garbage-loop and near-homophone tokens become '…',
    pocketsphinx fillers go."""
    words: list[str] = []
    for word in raw.split():
        if word.startswith(("<", "[")):
            continue
        if word.startswith(REJECT_PREFIXES):
            if not words or words[-1] != "…":
                words.append("…")
            continue
        words.append(word)
    return " ".join(words)


def says_yes(hearing: Hearing, yes_words: list[str]) -> bool:
    """The neural model wrote only words of the phrases `yes_words` ("Yes, please."): the
    grammar holds no yes, so only the model's words can say it."""
    vocabulary = {word for phrase in yes_words for word in normalize(phrase).split()}
    for stage in hearing.stages:
        if stage.stage == "neural":
            words = normalize(stage.heard).split()
            return bool(words) and all(word in vocabulary for word in words)
    return False
